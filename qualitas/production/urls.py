app_name = "production"

urlpatterns = []
