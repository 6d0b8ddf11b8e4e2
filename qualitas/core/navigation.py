from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Audit",
    [
        MenuItem("Audit trail", "core:objectchange_list", "core.view_objectchange"),
        MenuItem("Events", "core:domainevent_list", "core.view_domainevent"),
        MenuItem("Access log", "core:accesslog_list", "core.view_accesslog"),
        MenuItem("Integrity", "core:audit_integrity", "core.view_objectchange"),
    ],
    weight=950,
)

# Everyone with jobs sees their own; job monitors (Admin, QA Manager) see everybody's.
register_menu("Jobs", [MenuItem("Jobs", "core:job_list", "core.view_job")], weight=940)
