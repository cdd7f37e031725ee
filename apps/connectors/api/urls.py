from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.connectors.api.status_views import ConnectorSeriesView, ConnectorStatusView
from apps.connectors.api.views import ConnectorViewSet

router = SimpleRouter()
router.register("connectors", ConnectorViewSet, basename="connector")

# Before the router's `connectors/{slug}/`: "status" is the page, not a connector.
urlpatterns = [
    path("connectors/status/", ConnectorStatusView.as_view(), name="connector-status"),
    path(
        "connectors/status/<slug:slug>/series/",
        ConnectorSeriesView.as_view(),
        name="connector-status-series",
    ),
    *router.urls,
]
