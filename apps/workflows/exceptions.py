from apps.core.exceptions import Conflict


class WorkflowNotPublished(Conflict):
    type = "workflow_not_published"
