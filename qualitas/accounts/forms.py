from qualitas.accounts.models import Company
from qualitas.framework.forms import RecordForm


class CompanyForm(RecordForm):
    class Meta:
        model = Company
        fields = ("name", "code", "kind", "address", "country", "email", "phone", "website", "notes")
