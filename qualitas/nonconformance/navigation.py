from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Quality",
    [
        MenuItem(
            "Nonconformances", "nonconformance:nonconformance_list", "nonconformance.view_nonconformance"
        ),
        MenuItem("NCR analysis", "nonconformance:analysis", "nonconformance.view_nonconformance"),
        MenuItem("Defect Pareto", "nonconformance:pareto", "inspections.view_qualityreport"),
        MenuItem("Rework attempts", "nonconformance:reworkattempt_list", "nonconformance.view_reworkattempt"),
    ],
    weight=410,
)
