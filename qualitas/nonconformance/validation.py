"""Rules on an NCR raised by hand, written once and called by the form and the serializer.

``complete_from_part`` fills what the part already says (its part type, work order and customer);
``nonconformance_problems`` returns ``{field: message}`` for values that contradict each other.
"""

from qualitas.accounts.choices import CompanyKindChoices

from .choices import NonConformanceSourceChoices


def customer_of(work_order):
    line = work_order.order_line if work_order.order_line_id else None
    return line.order.customer if line is not None else None


def complete_from_part(data):
    """Fill an NCR's part type, work order and customer from its part (or work order) where they
    are left empty, as an NCR opened from a failed report has them. Returns ``data``."""
    part = data.get("part")
    if part is not None:
        data["part_type"] = data.get("part_type") or part.part_type
        data["work_order"] = data.get("work_order") or part.work_order
    work_order = data.get("work_order")
    if work_order is not None:
        data["part_type"] = data.get("part_type") or work_order.part_type
        if data.get("customer") is None:
            data["customer"] = customer_of(work_order)
    return data


def nonconformance_problems(data):
    """The part, part type, work order and step name the same thing; the supplier is a supplier and
    the customer a customer; a supplier or customer NCR names them."""
    problems = {}
    part, work_order, part_type = data.get("part"), data.get("work_order"), data.get("part_type")
    step = data.get("step")
    if part is not None:
        if work_order is not None and part.work_order_id != work_order.pk:
            problems["work_order"] = f"{part} belongs to work order {part.work_order}, not {work_order}."
        if part_type is not None and part.part_type.lineage != part_type.lineage:
            problems["part_type"] = (
                f"{part} is a {part.part_type.part_number}, not a {part_type.part_number}."
            )
    elif (
        work_order is not None and part_type is not None and work_order.part_type.lineage != part_type.lineage
    ):
        problems["part_type"] = (
            f"{work_order} makes {work_order.part_type.part_number}, not {part_type.part_number}."
        )
    routing = part.work_order.process if part is not None else getattr(work_order, "process", None)
    if step is not None and routing is not None and step.process_id != routing.pk:
        problems["step"] = f"“{step}” is not a step of routing {routing}."
    supplier, customer = data.get("supplier"), data.get("customer")
    if supplier is not None and supplier.kind != CompanyKindChoices.SUPPLIER:
        problems["supplier"] = f"{supplier} is not a supplier."
    if customer is not None and customer.kind != CompanyKindChoices.CUSTOMER:
        problems["customer"] = f"{customer} is not a customer."
    source = data.get("source")
    if source == NonConformanceSourceChoices.SUPPLIER and supplier is None and "supplier" not in problems:
        problems["supplier"] = "Name the supplier of a supplier nonconformance."
    if source == NonConformanceSourceChoices.CUSTOMER and customer is None and "customer" not in problems:
        problems["customer"] = "Name the customer of a customer complaint."
    return problems
