from qualitas.framework.api.router import router
from qualitas.testing.testapp.api.views import WidgetViewSet

router.register("widgets", WidgetViewSet)
