from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Production",
    [
        MenuItem("Work orders", "production:workorder_list", "production.view_workorder"),
        MenuItem("Parts", "production:part_list", "production.view_part"),
        MenuItem("Step log", "production:steptransition_list", "production.view_steptransition"),
        MenuItem("Customer orders", "production:customerorder_list", "production.view_customerorder"),
        MenuItem("Part types", "production:parttype_list", "production.view_parttype"),
        MenuItem("Routings", "production:process_list", "production.view_process"),
        MenuItem("Work centres", "production:workcenter_list", "production.view_workcenter"),
    ],
    weight=200,
)

# Appended to the same menu: the import, the WIP page and the shop-floor display.
register_menu(
    "Production",
    [
        MenuItem("Import work orders", "production:workorder_import", "production.add_workorder"),
        MenuItem("Work in progress", "production:wip", "production.view_part"),
        MenuItem("Big screen", "production:big_screen", "production.view_part"),
    ],
    weight=200,
)
