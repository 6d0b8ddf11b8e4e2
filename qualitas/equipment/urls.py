from qualitas.equipment import views

app_name = "equipment"

urlpatterns = [*views.EquipmentViews.urls()]
