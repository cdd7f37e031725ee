from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.routing.api.views import EvaluationView, FitView, RouteMapViewSet, RouteView

router = SimpleRouter()
router.register("routing/route-maps", RouteMapViewSet, basename="route-map")

urlpatterns = [
    path("routing/route", RouteView.as_view(), name="routing-route"),
    path("routing/evaluation", EvaluationView.as_view(), name="routing-evaluation"),
    path("routing/fit", FitView.as_view(), name="routing-fit"),
    *router.urls,
]
