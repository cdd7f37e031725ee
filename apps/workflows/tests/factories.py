import factory

from apps.workflows.models import Execution, Workflow
from apps.workspaces.tests.factories import WorkspaceFactory

SIMPLE_GRAPH = {
    "nodes": [
        {
            "id": "start",
            "type": "manual_trigger",
            "position": {"x": 0, "y": 0},
            "data": {"config": {}},
        },
        {
            "id": "greet",
            "type": "transform",
            "position": {"x": 200, "y": 0},
            "data": {"config": {"mapping": {"text": "Hello {{ trigger.name }}"}}},
        },
    ],
    "edges": [{"id": "e1", "source": "start", "target": "greet"}],
}


class WorkflowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workflow

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Workflow {n}")
    graph = factory.LazyFunction(
        lambda: {"nodes": list(SIMPLE_GRAPH["nodes"]), "edges": list(SIMPLE_GRAPH["edges"])}
    )


class ExecutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Execution

    workflow = factory.SubFactory(WorkflowFactory)
    workspace = factory.SelfAttribute("workflow.workspace")
