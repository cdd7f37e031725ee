"""Graph issues in answers: the validate endpoint's, and the warnings a save answers with."""

from rest_framework import serializers

from apps.workflows.api.serializers import WorkflowOutput


class GraphIssueOutput(serializers.Serializer):
    node_id = serializers.CharField(allow_null=True)
    field = serializers.CharField(
        allow_null=True, help_text="In the node: `config.url`, `type`, `parentId`…"
    )
    path = serializers.CharField(help_text="In the graph: `graph.nodes[3].data.config.url`.")
    code = serializers.CharField(help_text="`not_upstream`, `unknown_reference`, `cycle`…")
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])


class ValidateOutput(serializers.Serializer):
    valid = serializers.BooleanField(help_text="No issue is an error.")
    issues = GraphIssueOutput(many=True, help_text="Errors and warnings.")
    warnings = GraphIssueOutput(many=True, help_text="The issues that are warnings.")


class WorkflowSavedOutput(WorkflowOutput):
    """A saved workflow, with what its graph may do wrong without being invalid (an
    expression reading a node that does not run before it)."""

    warnings = GraphIssueOutput(many=True, read_only=True)

    class Meta(WorkflowOutput.Meta):
        fields = [*WorkflowOutput.Meta.fields, "warnings"]
