"""Create (or refresh) the demo user, workspace, API token and sample workflow for `make run`."""

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from apps.workflows.models import Workflow
from apps.workflows.services import workflow_create
from apps.workspaces.models import ApiToken, Workspace
from apps.workspaces.services import api_token_create, workspace_create
from config.env import var_path

SAMPLE_GRAPH = {
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
            "position": {"x": 260, "y": 0},
            "data": {"config": {"mapping": {"greeting": "Hello {{ trigger.name }}"}}},
        },
    ],
    "edges": [{"id": "e-start-greet", "source": "start", "target": "greet"}],
}


class Command(BaseCommand):
    help = "Create the demo user, workspace, API token and a sample workflow; print the login."

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        password_file = var_path("demo-password")
        user = User.objects.filter(username="demo").first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_superuser("demo", "demo@example.com", password)
            password_file.write_text(password)
            password_file.chmod(0o600)
        password = password_file.read_text().strip() if password_file.exists() else "(unchanged)"

        workspace = Workspace.objects.filter(memberships__user=user).first() or workspace_create(
            name="Demo workspace", owner=user
        )
        if not Workflow.objects.filter(workspace=workspace).exists():
            workflow_create(
                workspace=workspace,
                name="Say hello",
                description="A manual trigger and a transform.",
                graph=SAMPLE_GRAPH,
                created_by=user,
            )
        # A token's plaintext is shown once, so each start issues a fresh one for the demo.
        ApiToken.objects.filter(user=user, name="demo").delete()
        _, token = api_token_create(user=user, name="demo")

        # `make run` serves on PORT (config/gunicorn.py).
        base = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
        self.stdout.write(self.style.SUCCESS("Flowplane demo is ready"))
        self.stdout.write(f"  login:     {base}/admin/  user demo  password {password}")
        self.stdout.write(f"  canvas:    {base}/app/")
        self.stdout.write(f"  API docs:  {base}/api/docs/")
        self.stdout.write(f"  API token: {token}")
        self.stdout.write(
            f'  try:       curl -H "Authorization: Bearer {token}" {base}/api/v1/workflows/'
        )
