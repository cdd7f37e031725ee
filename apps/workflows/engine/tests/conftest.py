from __future__ import annotations

import pytest

from apps.workflows.engine.tests.helpers import Env, make_env


@pytest.fixture
def env() -> Env:
    return make_env()
