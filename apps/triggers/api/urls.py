from rest_framework.routers import SimpleRouter

from apps.triggers.api.views import TriggerViewSet, WebhookDeliveryViewSet

router = SimpleRouter()
router.register("triggers", TriggerViewSet, basename="trigger")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
