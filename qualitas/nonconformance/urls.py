from django.urls import path

from qualitas.nonconformance import views

app_name = "nonconformance"

urlpatterns = [
    path("non-conformances/analysis/", views.NonConformanceAnalysisView.as_view(), name="analysis"),
    path("defects/pareto/", views.DefectParetoView.as_view(), name="pareto"),
    *views.NonConformanceViews.urls(),
    *views.ReworkAttemptViews.urls(),
]
