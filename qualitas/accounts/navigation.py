from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Organisation",
    [
        MenuItem("Companies", "accounts:company_list", "accounts.view_company"),
        MenuItem("People", "accounts:user_list", "accounts.view_user"),
        MenuItem("Invitations", "accounts:invitation_list", "accounts.view_invitation"),
        MenuItem("Locked accounts", "accounts:locked_accounts", "accounts.unlock_user"),
        MenuItem("Sign-in attempts", "accounts:loginattempt_list", "accounts.view_loginattempt"),
    ],
    weight=900,
)
