from qualitas.framework.choices import ChoiceSet


class MeasurementKindChoices(ChoiceSet):
    NUMERIC = "numeric"
    ATTRIBUTE = "attribute"

    CHOICES = [
        (NUMERIC, "Numeric (variable)", "primary"),
        (ATTRIBUTE, "Attribute (pass / fail)", "info"),
    ]


class CharacteristicClassChoices(ChoiceSet):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"

    CHOICES = [
        (CRITICAL, "Critical", "danger"),
        (MAJOR, "Major", "warning"),
        (MINOR, "Minor", "info"),
    ]


class ReportStatusChoices(ChoiceSet):
    PENDING = "pending"
    PASS = "pass"
    FAIL = "fail"

    CHOICES = [
        (PENDING, "Pending", "secondary"),
        (PASS, "Pass", "success"),
        (FAIL, "Fail", "danger"),
    ]


class SamplingRuleKindChoices(ChoiceSet):
    ALL = "all"
    EVERY_NTH = "every_nth"
    PERCENTAGE = "percentage"
    FIRST_N_THEN_EVERY_M = "first_n_then_every_m"
    FIRST_N = "first_n"

    CHOICES = [
        (ALL, "Every part (100%)", "danger"),
        (EVERY_NTH, "Every Nth part", "primary"),
        (PERCENTAGE, "Random percentage", "info"),
        (FIRST_N_THEN_EVERY_M, "First N parts, then every Mth", "warning"),
        (FIRST_N, "First N parts only", "secondary"),
    ]
