from qualitas.accounts.filtersets import CompanyFilterSet, UserFilterSet
from qualitas.accounts.forms import CompanyForm
from qualitas.accounts.models import Company, User
from qualitas.accounts.tables import CompanyTable, UserTable
from qualitas.framework.ui.panels import FieldsPanel, RelatedPanel, TextPanel
from qualitas.framework.views.generic import ModelViews


class CompanyViews(ModelViews):
    model = Company
    table = CompanyTable
    filterset = CompanyFilterSet
    form = CompanyForm
    panels = (
        FieldsPanel("Company", ("name", "code", "kind", "country", "email", "phone", "website")),
        TextPanel("Address", "address"),
        TextPanel("Notes", "notes"),
        RelatedPanel("People", "users", columns=("full_name", "email", "job_title")),
    )


class UserViews(ModelViews):
    """Users are read here; they are created by invitation and managed by the Admin role."""

    model = User
    table = UserTable
    filterset = UserFilterSet
    panels = (
        FieldsPanel(
            "Person",
            (
                "full_name",
                "email",
                "company",
                "department",
                "job_title",
                "is_active",
                "last_login",
                "date_joined",
            ),
        ),
    )
