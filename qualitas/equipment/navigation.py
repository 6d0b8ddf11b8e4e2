from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Equipment",
    [MenuItem("Equipment", "equipment:equipment_list", "equipment.view_equipment")],
    weight=300,
)
