from rest_framework.routers import SimpleRouter

from apps.connectors.api.views import ConnectorViewSet

router = SimpleRouter()
router.register("connectors", ConnectorViewSet, basename="connector")

urlpatterns = router.urls
