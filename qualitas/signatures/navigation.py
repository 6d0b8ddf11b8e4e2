from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Audit",
    [MenuItem("Electronic signatures", "signatures:signature_list", "signatures.view_signature")],
    weight=950,
)
