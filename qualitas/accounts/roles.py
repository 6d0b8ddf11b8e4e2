"""The role groups, declared once. ``manage.py setup_roles`` makes the database match this file.

A grant is a permission pattern ``app_label.codename`` with shell wildcards; a grant starting
with ``-`` removes what earlier grants added. Patterns for apps that are not installed yet simply
match nothing, so a new module's permissions are granted the next time roles are applied (which
happens after every migrate).
"""

from dataclasses import dataclass

#: Apps that hold quality records (present and planned).
QUALITY_APPS = (
    "documents",
    "production",
    "inspections",
    "spc",
    "nonconformance",
    "capa",
    "equipment",
    "training",
    "suppliers",
    "traceability",
    "haccp",
    "prp",
    "allergens",
    "audits",
    "risks",
    "reviews",
    "complaints",
    "changes",
    "fai",
    "ppap",
    "msa",
    "reports",
    "compliance",
    "signatures",
    "approvals",
    "notifications",
    "models3d",
)
FOOD_SAFETY_APPS = ("haccp", "prp", "allergens", "traceability", "suppliers", "complaints")
PRODUCTION_APPS = ("production", "equipment", "training", "traceability")


def editing(*apps):
    """Add and change (not delete: records are archived) on every model of the apps."""
    return tuple(f"{app}.{verb}_*" for app in apps for verb in ("add", "change"))


READ_EVERYTHING = ("*.view_*", "-django_celery_beat.*", "-sessions.*", "-admin.*", "-contenttypes.*")
#: Commenting on the records one may see (core.Comment); every staff role but the Auditor has it.
COMMENTING = ("core.add_comment",)
#: Answering approval steps one is an approver of, and delegating that while away (approvals app).
APPROVING = ("approvals.add_approvalresponse", "approvals.add_delegation")
#: Signing the records one may see on their Signatures tab (signatures app); the QA Manager has it
#: through editing(QUALITY_APPS).
SIGNING = ("signatures.add_signature",)


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    grants: tuple
    is_staff: bool = False


ROLES = (
    Role(
        "Admin", "Runs the installation: users, roles, settings, and everything else.", ("*",), is_staff=True
    ),
    Role(
        "QA Manager",
        "Owns the quality system: approves, closes, and manages every quality record.",
        (
            *READ_EVERYTHING,
            *editing(*QUALITY_APPS),
            "accounts.add_company",
            "accounts.change_company",
            "accounts.add_invitation",
            "accounts.change_invitation",  # revoking an invitation archives it
            *COMMENTING,
            "core.change_comment",  # removes other people's comments
            "core.monitor_jobs",  # sees and cancels everyone's jobs
        ),
    ),
    Role(
        "QA Inspector",
        "Inspects product, records measurements and raises nonconformances.",
        (
            *READ_EVERYTHING,
            *editing("inspections", "nonconformance", "spc", "msa", "fai"),
            *COMMENTING,
            *APPROVING,
            *SIGNING,
        ),
    ),
    Role(
        "Production Manager",
        "Plans and runs production; owns work orders, equipment and operator training.",
        (
            *READ_EVERYTHING,
            *editing(*PRODUCTION_APPS),
            "nonconformance.add_*",
            *COMMENTING,
            *APPROVING,
            *SIGNING,
        ),
    ),
    Role(
        "Production Operator",
        "Works at a station: follows instructions, records steps and measurements.",
        (
            "production.view_*",
            "inspections.view_*",
            "documents.view_*",
            "equipment.view_*",
            "production.change_part",
            "inspections.add_*",
            "nonconformance.add_*",
            "nonconformance.view_*",
            "accounts.view_company",
            *COMMENTING,
        ),
    ),
    Role(
        "Document Controller",
        "Runs document control: numbering, review, release, distribution and retention.",
        (*READ_EVERYTHING, *editing("documents"), "documents.*", *COMMENTING, *APPROVING, *SIGNING),
    ),
    Role(
        "Food Safety Team Leader",
        "Leads the HACCP team: hazard analysis, CCPs, PRPs, allergens, traceability and recalls.",
        (
            *READ_EVERYTHING,
            *editing(*FOOD_SAFETY_APPS, "nonconformance", "capa"),
            *COMMENTING,
            *APPROVING,
            *SIGNING,
        ),
    ),
    Role(
        "Auditor",
        "Reads everything, including the audit trail, and changes nothing.",
        READ_EVERYTHING,
    ),
    Role(
        "Customer",
        "A customer's contact in the portal: sees only their own company's records.",
        (
            "accounts.view_company",
            "production.view_customerorder",
            "complaints.view_complaint",
            "complaints.add_complaint",
            "documents.view_document",
            "portal.*",
            "core.view_job",  # their own jobs (reports they asked for)
        ),
    ),
)

ROLE_NAMES = tuple(role.name for role in ROLES)


def get_role(name):
    return next(role for role in ROLES if role.name == name)
