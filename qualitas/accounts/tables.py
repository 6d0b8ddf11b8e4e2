from qualitas.accounts.choices import InvitationStatusChoices
from qualitas.accounts.models import Company, Invitation, LoginAttempt, User
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


class InvitationTable(Table):
    email = Column(linkify=True, verbose_name="E-mail")
    company = Column(accessor="company.name", verbose_name="Company")
    status = ChoiceColumn(choices=InvitationStatusChoices)
    invited_by = Column(accessor="invited_by.full_name", verbose_name="Invited by")
    created = Column(verbose_name="Sent")
    expires = Column()
    accepted_at = Column(verbose_name="Accepted")

    class Meta:
        model = Invitation
        default_order = ("-created",)


class LoginAttemptTable(Table):
    time = Column(linkify=True)
    email = Column(verbose_name="E-mail tried")
    user = Column(accessor="user.full_name", verbose_name="User")
    ip = Column(verbose_name="IP address")
    channel = ChoiceColumn()
    success = BooleanColumn()
    reason = ChoiceColumn()

    class Meta:
        model = LoginAttempt
        default_order = ("-time", "-id")
