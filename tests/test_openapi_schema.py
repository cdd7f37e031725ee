"""The committed OpenAPI schema and the frontend types generated from it match the server.

An API change regenerates both in the same commit: `make schema`, then
`cd frontend && npm run api:generate` (docs/STYLE.md §7).
"""

import io
import subprocess

from django.core.management import call_command

from tests.worker import ROOT

SCHEMA = ROOT / "openapi.yaml"
FRONTEND = ROOT / "frontend"


def test_the_committed_schema_is_what_the_server_publishes():
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    assert SCHEMA.read_text() == out.getvalue(), (
        "openapi.yaml is stale: run `make schema` and `cd frontend && npm run api:generate`"
    )


def test_the_generated_frontend_types_match_the_committed_schema():
    result = subprocess.run(
        ["npm", "run", "--silent", "api:check"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        "frontend/src/api/generated/schema.d.ts is stale: `cd frontend && npm run "
        f"api:generate`\n{result.stdout}{result.stderr}"
    )
