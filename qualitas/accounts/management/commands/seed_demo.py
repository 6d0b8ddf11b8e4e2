"""Demo data for evaluation: one user per role and a few companies. Safe to run again."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.accounts.models import Company, User
from qualitas.accounts.roles import get_role
from qualitas.accounts.services import apply_roles
from qualitas.approvals.services import seed_demo_templates
from qualitas.framework.context import change_context
from qualitas.production import demo as production_demo

DEMO_PASSWORD = "Qualitas-Demo-2026"

COMPANIES = (
    ("Qualitas Demo Works", CompanyKindChoices.INTERNAL, "NL", "QDW"),
    ("Northwind Automotive", CompanyKindChoices.CUSTOMER, "DE", "C-1001"),
    ("Green Valley Dairy Co-op", CompanyKindChoices.SUPPLIER, "NL", "S-2001"),
    ("Precision Castings Ltd", CompanyKindChoices.SUPPLIER, "GB", "S-2002"),
)

USERS = (
    (
        "admin@demo.qualitas.example",
        "Ada Admin",
        "Admin",
        "IT",
        "System administrator",
        "Qualitas Demo Works",
    ),
    (
        "qa.manager@demo.qualitas.example",
        "Quinn Manager",
        "QA Manager",
        "Quality",
        "Quality manager",
        "Qualitas Demo Works",
    ),
    (
        "inspector@demo.qualitas.example",
        "Ines Inspector",
        "QA Inspector",
        "Quality",
        "Quality inspector",
        "Qualitas Demo Works",
    ),
    (
        "production.manager@demo.qualitas.example",
        "Pat Planner",
        "Production Manager",
        "Production",
        "Production manager",
        "Qualitas Demo Works",
    ),
    (
        "operator@demo.qualitas.example",
        "Omar Operator",
        "Production Operator",
        "Production",
        "Machine operator",
        "Qualitas Demo Works",
    ),
    (
        "documents@demo.qualitas.example",
        "Dana Documents",
        "Document Controller",
        "Quality",
        "Document controller",
        "Qualitas Demo Works",
    ),
    (
        "food.safety@demo.qualitas.example",
        "Fiona Safety",
        "Food Safety Team Leader",
        "Food safety",
        "HACCP team leader",
        "Qualitas Demo Works",
    ),
    ("auditor@demo.qualitas.example", "Aurelio Auditor", "Auditor", "", "External auditor", None),
    (
        "customer@demo.qualitas.example",
        "Cora Customer",
        "Customer",
        "Purchasing",
        "Supplier quality engineer",
        "Northwind Automotive",
    ),
)


class Command(BaseCommand):
    help = "Create demo companies and one user per role (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic(), change_context(reason="demo data"):
            apply_roles()
            companies = {}
            for name, kind, country, code in COMPANIES:
                companies[name] = Company.objects.filter(name=name).first() or Company.objects.create(
                    name=name, kind=kind, country=country, code=code
                )
            for email, full_name, role, department, title, company in USERS:
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email,
                        DEMO_PASSWORD,
                        full_name=full_name,
                        department=department,
                        job_title=title,
                        company=companies.get(company),
                        is_staff=get_role(role).is_staff,
                        is_superuser=role == "Admin",
                    )
                user.groups.add(Group.objects.get(name=role))
            seed_demo_templates()
        # The manufacturing line: part types, routings, work orders, parts, inspections, NCRs.
        production_demo.seed(self.stdout)
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, _name, role, *_ in USERS:
            self.stdout.write(f"  {role:<24} {email}")
