from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Organisation",
    [MenuItem("E-mail outbox", "notifications:delivery_list", "notifications.view_delivery")],
    weight=900,
)
