app_name = "nonconformance"

urlpatterns = []
