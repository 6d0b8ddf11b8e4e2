from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Inspection",
    [
        MenuItem("Quality reports", "inspections:qualityreport_list", "inspections.view_qualityreport"),
        MenuItem(
            "Measurement results", "inspections:measurementresult_list", "inspections.view_measurementresult"
        ),
        MenuItem("Defects found", "inspections:reportdefect_list", "inspections.view_reportdefect"),
        MenuItem(
            "Measurement definitions",
            "inspections:measurementdefinition_list",
            "inspections.view_measurementdefinition",
        ),
        MenuItem("Error types", "inspections:errortype_list", "inspections.view_errortype"),
        MenuItem(
            "Sampling rule sets", "inspections:samplingruleset_list", "inspections.view_samplingruleset"
        ),
        MenuItem("Sampling rules", "inspections:samplingrule_list", "inspections.view_samplingrule"),
        MenuItem("Sampling states", "inspections:samplingstate_list", "inspections.view_samplingstate"),
        MenuItem(
            "Sampling decisions", "inspections:samplingdecision_list", "inspections.view_samplingdecision"
        ),
        MenuItem("Sampling analytics", "inspections:sampling_analytics", "inspections.view_samplingruleset"),
    ],
    weight=400,
)
