"""A third-party block package registers through the ``flowplane.blocks`` entry point.

The sample package (tests/fixtures/sample_block_pkg) is "installed" for the test only: its
source directory and a generated ``dist-info`` (METADATA + entry_points.txt, what pip would
write) go on ``sys.path``, so ``importlib.metadata`` really discovers it. A fresh registry is
filled by ``autodiscover`` with its default entry-point lookup; the platform's default
registry and code are untouched.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from apps.blocks.registry import ENTRY_POINT_GROUP, BlockRegistry, autodiscover, default_registry
from apps.workflows.engine.memory import InMemoryStepStore
from apps.workflows.engine.runner import Runner
from apps.workflows.engine.tests.helpers import GraphBuilder
from apps.workflows.engine.types import RunRequest

PACKAGE_SRC = Path(__file__).parent / "fixtures" / "sample_block_pkg"


@pytest.fixture
def installed_sample(tmp_path, monkeypatch):
    dist = tmp_path / "sample_block_pkg-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sample-block-pkg\nVersion: 0.1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\ntext_case = sample_block_pkg.blocks\n"
    )
    monkeypatch.syspath_prepend(str(PACKAGE_SRC))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in [m for m in sys.modules if m.startswith("sample_block_pkg")]:
        del sys.modules[name]


def test_entry_point_is_discovered_and_registered(installed_sample):
    found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    assert "text_case" in found.names
    registry = autodiscover(BlockRegistry())
    assert registry.frozen
    assert registry.versions("text_case") == [1, 2]
    assert registry.get("text_case").version == 2
    assert registry.get("text_case@1").spec.deprecated is True
    assert "http_request" in registry and "send_email" in registry  # the catalog as well
    assert registry.health()["text_case@2"] is True
    assert "text_case" not in default_registry


def test_third_party_block_runs_and_old_versions_keep_working(installed_sample):
    registry = autodiscover(BlockRegistry())
    runner = Runner(registry, store=InMemoryStepStore())
    graph = (
        GraphBuilder()
        .trigger("t")
        .node("latest", "text_case", text="Hello World", mode="title")
        .node("pinned", "text_case", version="1", text="Hello World", upper=False)
        .chain("t", "latest")
        .chain("t", "pinned")
        .build()
    )
    out = runner.run(graph, RunRequest(execution_id="ep-1", trigger_payload=None))
    assert out.status == "succeeded", out.error
    assert out.steps["latest"].output == {"text": "Hello World"}
    assert out.steps["pinned"].output == {"text": "hello world"}


def test_version_migration_upgrades_a_saved_config(installed_sample):
    registry = autodiscover(BlockRegistry())
    upgraded = registry.upgrade_config("text_case", 1, {"text": "x", "upper": False})
    assert upgraded == {"text": "x", "mode": "lower"}
    assert not list(registry.get("text_case", 2).validator.iter_errors(upgraded))


def test_a_broken_entry_point_is_refused_with_its_name(tmp_path, monkeypatch):
    dist = tmp_path / "broken-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nnothing = json\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(Exception, match="nothing"):
        autodiscover(BlockRegistry())
