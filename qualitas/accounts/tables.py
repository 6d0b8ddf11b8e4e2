from qualitas.accounts.models import Company, User
from qualitas.framework.tables import BooleanColumn, ChoiceColumn, Column, Table


class CompanyTable(Table):
    name = Column(linkify=True)
    code = Column()
    kind = ChoiceColumn()
    country = Column()
    email = Column()
    phone = Column()
    created = Column()

    class Meta:
        model = Company
        default_order = ("name",)


class UserTable(Table):
    full_name = Column(linkify=True)
    email = Column()
    company = Column(accessor="company.name", verbose_name="Company")
    department = Column()
    job_title = Column()
    is_active = BooleanColumn(verbose_name="Active")
    last_login = Column()

    class Meta:
        model = User
        default_order = ("full_name",)
