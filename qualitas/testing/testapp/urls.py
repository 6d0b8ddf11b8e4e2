from qualitas.testing.testapp.views import WidgetViews

app_name = "testapp"

urlpatterns = WidgetViews.urls()
