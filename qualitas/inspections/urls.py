from django.urls import path

from qualitas.inspections import views

app_name = "inspections"

urlpatterns = [
    path("sampling/analytics/", views.SamplingAnalyticsView.as_view(), name="sampling_analytics"),
    *views.MeasurementDefinitionViews.urls(),
    *views.ErrorTypeViews.urls(),
    *views.QualityReportViews.urls(),
    *views.MeasurementResultViews.urls(),
    *views.ReportDefectViews.urls(),
    *views.SamplingRuleSetViews.urls(),
    *views.SamplingRuleViews.urls(),
    *views.SamplingStateViews.urls(),
    *views.SamplingDecisionViews.urls(),
]
