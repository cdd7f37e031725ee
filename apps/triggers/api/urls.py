from rest_framework.routers import SimpleRouter

from apps.triggers.api.views import TriggerViewSet

router = SimpleRouter()
router.register("triggers", TriggerViewSet, basename="trigger")

urlpatterns = router.urls
