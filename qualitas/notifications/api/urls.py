from qualitas.framework.api.router import router
from qualitas.notifications.api.views import DeliveryViewSet, NotificationViewSet, PreferenceViewSet

router.register("notifications", NotificationViewSet, basename="notification")
router.register("notification-preferences", PreferenceViewSet, basename="notification-preference")
router.register("notification-deliveries", DeliveryViewSet)
