from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Organisation",
    [
        MenuItem("Companies", "accounts:company_list", "accounts.view_company"),
        MenuItem("People", "accounts:user_list", "accounts.view_user"),
    ],
    weight=900,
)
