from qualitas.framework.choices import ChoiceSet


class EquipmentKindChoices(ChoiceSet):
    MACHINE = "machine"
    GAUGE = "gauge"
    CALIPER = "caliper"
    MICROMETER = "micrometer"
    CMM = "cmm"
    FIXTURE = "fixture"
    TOOL = "tool"
    TEST_RIG = "test_rig"
    OTHER = "other"

    CHOICES = [
        (MACHINE, "Machine", "primary"),
        (GAUGE, "Gauge", "info"),
        (CALIPER, "Caliper", "info"),
        (MICROMETER, "Micrometer", "info"),
        (CMM, "Coordinate measuring machine", "info"),
        (FIXTURE, "Fixture", "secondary"),
        (TOOL, "Tool", "secondary"),
        (TEST_RIG, "Test rig", "primary"),
        (OTHER, "Other", "secondary"),
    ]

    #: Kinds that measure: a quality report names one of these as the equipment used.
    MEASURING = (GAUGE, CALIPER, MICROMETER, CMM, TEST_RIG)


class EquipmentStatusChoices(ChoiceSet):
    IN_SERVICE = "in_service"
    OUT_OF_SERVICE = "out_of_service"
    IN_CALIBRATION = "in_calibration"
    IN_MAINTENANCE = "in_maintenance"
    RETIRED = "retired"

    CHOICES = [
        (IN_SERVICE, "In service", "success"),
        (OUT_OF_SERVICE, "Out of service", "danger"),
        (IN_CALIBRATION, "In calibration", "warning"),
        (IN_MAINTENANCE, "In maintenance", "warning"),
        (RETIRED, "Retired", "secondary"),
    ]
