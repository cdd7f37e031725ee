from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.workflows.api.views import ExecutionViewSet, ResumeByTokenView, WorkflowViewSet

router = SimpleRouter()
router.register("workflows", WorkflowViewSet, basename="workflow")
router.register("executions", ExecutionViewSet, basename="execution")

urlpatterns = [
    *router.urls,
    path("resume/<str:token>/", ResumeByTokenView.as_view(), name="execution-resume-token"),
]
