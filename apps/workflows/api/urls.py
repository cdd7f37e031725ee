from rest_framework.routers import SimpleRouter

from apps.workflows.api.views import ExecutionViewSet, WorkflowViewSet

router = SimpleRouter()
router.register("workflows", WorkflowViewSet, basename="workflow")
router.register("executions", ExecutionViewSet, basename="execution")

urlpatterns = router.urls
