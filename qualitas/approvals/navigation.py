from qualitas.framework.ui.navigation import MenuItem, register_menu

register_menu(
    "Approvals",
    [
        MenuItem("Needs my approval", "approvals:inbox", "approvals.add_approvalresponse"),
        MenuItem("Approval requests", "approvals:approvalrequest_list", "approvals.view_approvalrequest"),
        MenuItem("My delegations", "approvals:my_delegations", "approvals.add_delegation"),
        MenuItem("All delegations", "approvals:delegation_list", "approvals.view_delegation"),
        MenuItem("Approval templates", "approvals:approvaltemplate_list", "approvals.view_approvaltemplate"),
    ],
    weight=700,
)
