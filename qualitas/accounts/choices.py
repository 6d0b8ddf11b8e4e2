from qualitas.framework.choices import ChoiceSet


class CompanyKindChoices(ChoiceSet):
    INTERNAL = "internal"
    CUSTOMER = "customer"
    SUPPLIER = "supplier"

    CHOICES = [
        (INTERNAL, "Internal", "primary"),
        (CUSTOMER, "Customer", "success"),
        (SUPPLIER, "Supplier", "info"),
    ]
