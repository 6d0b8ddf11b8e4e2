from qualitas.signatures.views import SignatureViews

app_name = "signatures"

urlpatterns = [*SignatureViews.urls()]
