from django.urls import path

from qualitas.approvals import views

app_name = "approvals"

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("my-delegations/", views.MyDelegationsView.as_view(), name="my_delegations"),
    path(
        "my-delegations/<int:pk>/withdraw/",
        views.WithdrawDelegationView.as_view(),
        name="delegation_withdraw",
    ),
    *views.ApprovalTemplateViews.urls(),
    *views.ApprovalRequestViews.urls(),
    *views.DelegationViews.urls(),
]
