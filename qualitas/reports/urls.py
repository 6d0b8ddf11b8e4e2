from django.urls import path

from qualitas.reports.views import InspectionPackView

app_name = "reports"

urlpatterns = [
    path("inspection-packs/", InspectionPackView.as_view(), name="inspection_pack"),
]
