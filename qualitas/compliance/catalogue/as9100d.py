"""AS9100D (2016), Quality Management Systems — Requirements for Aviation, Space, and Defense
Organizations.

AS9100D contains ISO 9001:2015 and adds aviation, space and defence requirements: new clauses
(8.1.1 to 8.1.4, 8.3.4.1, 8.4.1.1, 8.5.1.1 to 8.5.1.3) and additional text inside ISO 9001
clauses. The catalogue holds the whole ISO 9001 structure (see catalogue/__init__.py); clauses
with additional aerospace text are listed in ``SUPPLEMENTS`` with what they add, and the new
clauses in ``CLAUSES``. Clause numbers follow AS9100D; titles and summaries are our own words.
"""

from qualitas.compliance.catalogue import StandardSpec

STANDARD = StandardSpec(
    code="as9100d",
    name="AS9100D",
    edition="2016",
    title="Quality Management Systems — Requirements for Aviation, Space, and Defense Organizations",
    publisher="SAE International / IAQG",
    summary="The aviation, space and defence quality management system standard: ISO 9001:2015 plus aerospace requirements.",
    base="iso9001",
)

#: ISO 9001 clauses to which AS9100D adds requirements: what the addition asks for evidence of.
# fmt: off
SUPPLEMENTS = {
    "4.4.1": "the quality system also meets customer and applicable statutory and regulatory quality system requirements.",
    "4.4.2": "documented information describing interested parties, the scope, the processes and their interactions, and the assignment of responsibilities and authorities.",
    "5.1.2": "product and service conformity and on-time delivery performance measured, with action when planned results are not achieved.",
    "5.3": "a named management representative with authority over the quality system.",
    "7.1.5.2": "a register of monitoring and measuring equipment with its calibration process (type, identification, location, frequency, method, acceptance criteria) and recall of equipment needing calibration.",
    "7.3": "awareness of people's contribution to product and service conformity and product safety, and of the importance of ethical behaviour.",
    "7.5.3.2": "a data protection process covering loss, unauthorised change, unintended alteration, corruption and physical damage.",
    "8.1": "planning that covers product safety, configuration management, prevention of counterfeit parts, obsolescence and work transferred between sites or suppliers.",
    "8.2.3.1": "special requirements identified and risks (technical, schedule, cost) determined during the review of requirements.",
    "8.3.2": "design effort divided into distinct activities with their tasks, resources, responsibilities, inputs, outputs and planning constraints.",
    "8.3.4": "progression to the next design stage authorised, and verification and validation testing controlled.",
    "8.3.5": "key characteristics and critical items identified in design outputs, with the data needed to make, inspect, use and maintain the product.",
    "8.3.6": "design changes controlled through the configuration management process, with customer approval where required.",
    "8.4.1": "the organisation is responsible for all suppliers' conformity, including customer-designated sources, and uses customer-designated sources where required.",
    "8.4.2": "verification activities (source inspection, delegated verification, test reports) chosen by risk, and supplier nonconformities handled.",
    "8.4.3": "flow-down to suppliers of special requirements, critical items and key characteristics, test and verification needs, counterfeit-part prevention, right of access and ethical behaviour.",
    "8.5.1": "accountability for all product during production, foreign object damage prevention, control of critical items, workmanship criteria and evidence that all operations were done.",
    "8.5.2": "configuration identification maintained, control of acceptance authority media (stamps, electronic signatures) and traceability of as-built configuration and material lots.",
    "8.5.4": "cleaning, foreign object prevention, special handling, shelf-life control and marking of hazardous products during preservation.",
    "8.5.5": "in-service data collected and analysed, technical documentation controlled, and problems found after delivery investigated and reported.",
    "8.5.6": "people authorised to approve production changes identified, and changes to processes, equipment, tools and programs controlled.",
    "8.6": "first article inspection evidence where required and documents accompanying the product when required by the customer.",
    "8.7.1": "scrapped product made permanently unusable, counterfeit or suspect parts kept out of the supply chain, and dispositions approved by authorised people.",
    "9.1.2": "customer satisfaction data include conformity, on-time delivery, complaints and corrective action requests, with improvement plans where needed.",
    "9.3.2": "management review covers on-time delivery performance.",
    "10.2.1": "corrective action flowed down to suppliers where they caused the problem, with human factors considered and action on product already delivered.",
}

# One clause per line: number, title, what an auditor looks for.
CLAUSES = (
    ("8.1.1", "Operational risk management", "A documented process for operational risk: responsibilities, criteria for likelihood and consequence, mitigation, acceptance of remaining risk."),
    ("8.1.2", "Configuration management", "A configuration management process that identifies and controls product configuration and its changes through the life cycle, with status accounting and audits."),
    ("8.1.3", "Product safety", "Processes to ensure product safety through the life cycle: hazard assessment, management of risks, safety-critical items, analysis of events and training."),
    ("8.1.4", "Prevention of counterfeit parts", "A process against counterfeit or suspect parts: training, obsolescence monitoring, sourcing from authorised sources, verification, reporting and quarantine."),
    ("8.3.4.1", "Verification and validation testing", "Test plans naming the item, resources, objectives and acceptance criteria, with records proving the test results meet them."),
    ("8.4.1.1", "External provider approval and register", "The approval process for suppliers, a register with approval status and scope, periodic review of supplier performance and actions on poor performers."),
    ("8.5.1.1", "Control of equipment, tools and software programs", "Production equipment, tools and software programs validated before release to production and maintained, with periodic inspection and storage requirements."),
    ("8.5.1.2", "Validation and control of special processes", "Special processes qualified and approved: equipment, personnel qualification, methods, parameters and revalidation criteria, with records."),
    ("8.5.1.3", "Production process verification", "First article inspection or another production process verification, repeated after changes that invalidate the earlier result."),
)
# fmt: on
