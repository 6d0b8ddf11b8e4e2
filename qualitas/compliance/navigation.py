from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Audit",
    [
        MenuItem("Clause library", "compliance:library", "compliance.view_clause"),
        MenuItem("Clauses", "compliance:clause_list", "compliance.view_clause"),
    ],
    weight=950,
)
