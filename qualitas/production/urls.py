from django.urls import path

from qualitas.production import views

app_name = "production"

# Pages under a record (``<prefix>/<pk>/<name>/``) go before the ModelViews patterns of their
# model: each model's patterns end with a catch-all for the record's tabs.
urlpatterns = [
    path("station/", views.StationScanView.as_view(), name="station"),
    path("station/parts/<int:pk>/", views.StationPartView.as_view(), name="station_part"),
    path("station/check/<int:pk>/", views.StationCheckView.as_view(), name="station_check"),
    *views.WorkOrderViews.urls(),
    *views.PartViews.urls(),
    *views.StepTransitionViews.urls(),
    *views.CustomerOrderViews.urls(),
    *views.CustomerOrderLineViews.urls(),
    *views.PartTypeViews.urls(),
    *views.ProcessViews.urls(),
    *views.StepViews.urls(),
    *views.StepEdgeViews.urls(),
    *views.WorkCenterViews.urls(),
]

# The process-flow page (the routing's Flow tab, named here) and the flow editor's graph endpoint.
urlpatterns += [
    path(
        "processes/<int:pk>/flow/",
        views.ProcessFlowTab.as_view(viewset=views.ProcessViews),
        name="process_flow",
    ),
    path(
        "processes/<int:pk>/flow/graph/",
        views.ProcessFlowGraphView.as_view(viewset=views.ProcessViews),
        name="process_flow_graph",
    ),
]

# Work order import, work in progress and the big screen. "work-orders/import/" cannot clash with
# the work orders' own patterns (``work-orders/<int:pk>/`` takes numbers only).
urlpatterns += [
    path("work-orders/import/", views.WorkOrderImportView.as_view(), name="workorder_import"),
    path(
        "work-orders/import/<slug:token>/",
        views.WorkOrderImportPreviewView.as_view(),
        name="workorder_import_preview",
    ),
    path("wip/", views.WipView.as_view(), name="wip"),
    path("big-screen/", views.BigScreenView.as_view(), name="big_screen"),
    path("big-screen/kpis/", views.BigScreenKpisView.as_view(), name="big_screen_kpis"),
]
