"""The deploy/ files, validated offline: the compose file against the vendored compose-spec
schema (check-jsonschema), the Kubernetes manifests against the API schemas that
kubernetes-validate ships, and what the platform depends on (probes, one beat, non-root,
Prometheus and Grafana reading metrics that exist)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from apps.observability import metrics

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
K8S = DEPLOY / "k8s" / "base"
K8S_VERSION = "1.33"
APP_SERVICES = {"web", "worker", "routing-worker", "beat", "migrate"}


def check_compose(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(DEPLOY / "schemas" / "compose-spec.json"),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def manifests() -> list[dict]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    docs = []
    for name in kustomization["resources"]:
        docs += [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]
    return docs


def by_kind(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in manifests() if d["kind"] == kind}


def test_the_compose_file_follows_the_compose_spec(tmp_path):
    result = check_compose(DEPLOY / "docker-compose.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    broken = compose()
    broken["services"]["web"]["restart"] = ["always"]
    (tmp_path / "compose.yml").write_text(yaml.safe_dump(broken))
    assert check_compose(tmp_path / "compose.yml").returncode != 0  # the check can fail


def test_compose_runs_every_part_of_the_platform():
    services = compose()["services"]
    assert APP_SERVICES | {"postgres", "redis", "prometheus", "grafana"} <= set(services)
    for name in APP_SERVICES:
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile", name
    assert "replicas" not in services["beat"].get("deploy", {})
    assert services["worker"]["environment"]["WORKER_METRICS_PORT"] == "9808"
    queues = {
        services[n]["command"][services[n]["command"].index("-Q") + 1]
        for n in ("worker", "routing-worker")
    }
    assert queues == {"executions,triggers,housekeeping", "routing"}


def test_every_kubernetes_manifest_validates():
    docs = manifests()
    assert {d["kind"] for d in docs} >= {
        "Deployment",
        "Service",
        "ConfigMap",
        "Secret",
        "Job",
        "HorizontalPodAutoscaler",
    }
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    web = by_kind("Deployment")["flowplane-web"]
    web["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):  # the check can fail
        kubernetes_validate.validate(web, K8S_VERSION, strict=True)


def test_the_deployments_hold_what_operating_them_needs():
    deployments = by_kind("Deployment")
    assert set(deployments) == {
        "flowplane-web",
        "flowplane-worker",
        "flowplane-routing-worker",
        "flowplane-beat",
    }
    web = deployments["flowplane-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/health"
    assert web["readinessProbe"]["httpGet"]["path"] == "/ready"
    beat = deployments["flowplane-beat"]["spec"]
    assert beat["replicas"] == 1 and beat["strategy"]["type"] == "Recreate"
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert {"requests", "limits"} <= set(container["resources"]), name
            refs = {next(iter(r.values()))["name"] for r in container["envFrom"]}
            assert refs == {"flowplane"}, name
    hpa = by_kind("HorizontalPodAutoscaler")["flowplane-worker"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "flowplane-worker"


def test_the_image_is_multi_stage_non_root_with_canvas_and_model_built_in():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)", dockerfile, re.M)
    assert stages == ["frontend", "build", "runtime"]
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert re.search(r"^USER 10001", runtime, re.M)
    assert "COPY --from=frontend /src/frontend/dist frontend/dist" in runtime
    assert "COPY --from=build /app/models /app/models" in runtime
    assert (DEPLOY / "entrypoint.sh").stat().st_mode & 0o111


def _platform_metric_names() -> set[str]:
    names = set()
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase):
            for family in metric.describe():
                names |= {
                    family.name,
                    f"{family.name}_total",
                    f"{family.name}_bucket",
                    f"{family.name}_count",
                    f"{family.name}_sum",
                }
    # The database gauge (apps.observability.exposition) and Prometheus's own.
    return names | {"executions", "up"}


_PROMQL = {
    "sum",
    "max",
    "min",
    "avg",
    "rate",
    "irate",
    "increase",
    "histogram_quantile",
    "clamp_min",
    "clamp_max",
    "by",
    "without",
    "and",
    "or",
    "unless",
}


def _metric_names_in(expr: str) -> set[str]:
    """Series names in a PromQL expression: label matchers, `by (...)` label lists, ranges
    and function names taken out."""
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\bby\s*\([^)]*\)|\"[^\"]*\"", " ", expr)
    return {word for word in re.findall(r"\b[a-z_][a-z0-9_]*\b", bare)} - _PROMQL


def test_prometheus_and_grafana_read_metrics_the_platform_exports():
    known = _platform_metric_names()
    prometheus = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = {
        t
        for job in prometheus["scrape_configs"]
        for c in job["static_configs"]
        for t in c["targets"]
    }
    assert targets == {"web:8000", "worker:9808", "routing-worker:9808"}
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "flowplane.json").read_text())
    exprs += [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = set().union(*(_metric_names_in(e) for e in exprs))
    assert used and used <= known, used - known
