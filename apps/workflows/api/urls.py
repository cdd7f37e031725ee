from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.workflows.api.expressions import ExpressionPreviewView
from apps.workflows.api.monitoring import MonitoringViewSet
from apps.workflows.api.request_preview import HttpRequestPreviewView
from apps.workflows.api.versions import WorkflowDiffView, WorkflowVersionDetailView
from apps.workflows.api.views import ExecutionViewSet, ResumeByTokenView, WorkflowViewSet

router = SimpleRouter()
router.register("workflows", WorkflowViewSet, basename="workflow")
router.register("executions", ExecutionViewSet, basename="execution")
router.register("monitoring", MonitoringViewSet, basename="monitoring")

urlpatterns = [
    path(
        "workflows/<uuid:pk>/versions/<int:number>/",
        WorkflowVersionDetailView.as_view(),
        name="workflow-version-detail",
    ),
    path("workflows/<uuid:pk>/diff/", WorkflowDiffView.as_view(), name="workflow-diff"),
    *router.urls,
    path("expressions/preview/", ExpressionPreviewView.as_view(), name="expression-preview"),
    path(
        "blocks/http_request/preview-request/",
        HttpRequestPreviewView.as_view(),
        name="http-request-preview",
    ),
    path("resume/<str:token>/", ResumeByTokenView.as_view(), name="execution-resume-token"),
]
