"""What a Celery process imports at start decides `make run`'s memory at rest (worker, routing
worker and beat each pay for it; tests/test_make_run.py measures the total). Guard the two
savings that are easy to lose with one import: no API layer, no numpy."""

import json
import os
import subprocess
import sys

from django.conf import settings

# What `celery worker` and `celery beat` do before their first task: set Django up, load
# every app's tasks (the import_modules signal, where Celery's fixup would run the checks).
START = """
import json, sys
from config.celery import app
import django
django.setup()
app.loader.import_default_modules()
print(json.dumps(sorted(sys.modules)))
"""


def test_a_celery_process_loads_neither_the_api_views_nor_numpy():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    env.pop("CELERY_SKIP_CHECKS", None)  # the project's own default must hold
    out = subprocess.run(
        [sys.executable, "-c", START],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    loaded = set(json.loads(out.splitlines()[-1]))
    assert "apps.workflows.tasks" in loaded  # the tasks were loaded: the check means something
    assert "numpy" not in loaded
    assert "drf_spectacular.views" not in loaded and "rest_framework.views" not in loaded
    assert not {m for m in loaded if m.startswith("apps.") and ".api." in m}
