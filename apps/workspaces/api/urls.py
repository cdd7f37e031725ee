from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.workspaces.api.views import ApiTokenViewSet, AuditEventViewSet, MeView, WorkspaceViewSet

router = SimpleRouter()
router.register("workspaces", WorkspaceViewSet, basename="workspace")
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]
