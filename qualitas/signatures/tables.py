from qualitas.framework.tables import ChoiceColumn, Column, ShortColumn, Table
from qualitas.signatures.models import Signature


class SignatureTable(Table):
    signed_at = Column(linkify=True, verbose_name="Signed at")
    printed_name = Column(verbose_name="Printed name")
    meaning = ChoiceColumn()
    record_type = Column(
        accessor="content_type.name", verbose_name="Record type", order_by="content_type__model"
    )
    object_repr = Column(verbose_name="Record")
    comment = Column()
    content_hash = ShortColumn(length=12, verbose_name="Content SHA-256")
    session_rule = ChoiceColumn(verbose_name="Components")

    class Meta:
        model = Signature
        default_order = ("-signed_at", "-id")
