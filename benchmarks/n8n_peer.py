"""n8n as the peer system of the core-loop benchmark: install, start, load a workflow, count.

    .venv/bin/python -m benchmarks.n8n_peer [--install-only] [--port 5678]

Installs ``n8n@2.8.4`` from the npm registry into ``var/n8n/`` (a package.json that pins
``xlsx`` to the registry's 0.18.5, ``npm install --ignore-scripts`` and then
``npm rebuild sqlite3 --foreground-scripts``; skipped when already installed), starts it on
127.0.0.1 with a fresh ``N8N_USER_FOLDER`` under ``var/n8n-runs/`` and SQLite, imports and
publishes the four-node workflow webhook -> Set -> If -> Set ("respond immediately"), waits
for ``/healthz`` and for the webhook to answer, and counts the workflow's executions by status
read-only from n8n's SQLite file. Without ``--install-only`` it starts n8n, sends one request,
prints the counts and stops it (a smoke test). The figures and how they were taken:
benchmarks/RESULTS.md, "Core loop side by side with n8n".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
N8N_VERSION = "2.8.4"
INSTALL_DIR = ROOT / "var" / "n8n"
RUNS_DIR = ROOT / "var" / "n8n-runs"
WORKFLOW_ID = "FpCoreLoopBench1"
WEBHOOK_PATH = "core-loop"
# The registry's xlsx: n8n-nodes-base pins a tarball on a CDN outside the registry.
PACKAGE_JSON = {
    "name": "flowplane-n8n-peer",
    "private": True,
    "dependencies": {"n8n": N8N_VERSION},
    "overrides": {"xlsx": "0.18.5"},
}


def n8n_bin() -> Path:
    return INSTALL_DIR / "node_modules" / "n8n" / "bin" / "n8n"


def _installed() -> bool:
    manifest = INSTALL_DIR / "node_modules" / "n8n" / "package.json"
    sqlite_binding = (
        INSTALL_DIR / "node_modules" / "sqlite3" / "build" / "Release" / "node_sqlite3.node"
    )
    if not (manifest.exists() and sqlite_binding.exists() and n8n_bin().exists()):
        return False
    return json.loads(manifest.read_text()).get("version") == N8N_VERSION


def install(log: Path | None = None) -> None:
    """Install n8n into var/n8n/ unless it is there already (idempotent)."""
    if _installed():
        return
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed to install n8n (Node 20 with npm)")
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    (INSTALL_DIR / "package.json").write_text(json.dumps(PACKAGE_JSON, indent=2) + "\n")
    out = (log or INSTALL_DIR.parent / "n8n-install.log").open("a")
    # Install scripts are skipped (some fetch from outside the registry); sqlite3's native
    # binding is then compiled from source (its prebuilt download is not reachable).
    for cmd in (
        ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"],
        ["npm", "rebuild", "sqlite3", "--foreground-scripts"],
    ):
        subprocess.run(
            cmd, cwd=INSTALL_DIR, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=3600
        )
    if not _installed():
        raise RuntimeError(f"n8n {N8N_VERSION} did not install; see {out.name}")


def workflow_json() -> dict[str, Any]:
    """webhook (POST, respond immediately) -> Set -> If (value > 10) -> Set (true branch)."""

    def node(
        name: str, kind: str, version: float, x: int, parameters: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"flowplane-bench/{name}")),
            "name": name,
            "type": f"n8n-nodes-base.{kind}",
            "typeVersion": version,
            "position": [x, 0],
            "parameters": parameters,
            **extra,
        }

    def assign(name: str, value: Any, kind: str) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"flowplane-bench/a/{name}")),
            "name": name,
            "value": value,
            "type": kind,
        }

    nodes = [
        node(
            "Webhook",
            "webhook",
            2,
            0,
            {
                "httpMethod": "POST",
                "path": WEBHOOK_PATH,
                "responseMode": "onReceived",
                "options": {},
            },
            webhookId=str(uuid.uuid5(uuid.NAMESPACE_URL, "flowplane-bench/webhook")),
        ),
        node(
            "Set",
            "set",
            3.4,
            220,
            {
                "mode": "manual",
                "options": {},
                "assignments": {
                    "assignments": [
                        assign("name", "={{ $json.body.name }}", "string"),
                        assign("value", "={{ $json.body.value }}", "number"),
                    ]
                },
            },
        ),
        node(
            "If",
            "if",
            2.2,
            440,
            {
                "options": {},
                "conditions": {
                    "options": {
                        "caseSensitive": True,
                        "leftValue": "",
                        "typeValidation": "strict",
                        "version": 2,
                    },
                    "combinator": "and",
                    "conditions": [
                        {
                            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "fp-bench/if")),
                            "leftValue": "={{ $json.value }}",
                            "rightValue": 10,
                            "operator": {"type": "number", "operation": "gt"},
                        }
                    ],
                },
            },
        ),
        node(
            "Set1",
            "set",
            3.4,
            660,
            {
                "mode": "manual",
                "options": {},
                "assignments": {
                    "assignments": [
                        assign("label", "={{ $json.name }}-big", "string"),
                        assign("big", True, "boolean"),
                    ]
                },
            },
        ),
    ]
    link = [{"node": "", "type": "main", "index": 0}]
    return {
        "id": WORKFLOW_ID,
        "name": "core loop bench",
        "active": False,
        "versionId": str(uuid.uuid4()),
        "nodes": nodes,
        "settings": {"executionOrder": "v1"},
        "connections": {
            "Webhook": {"main": [[{**link[0], "node": "Set"}]]},
            "Set": {"main": [[{**link[0], "node": "If"}]]},
            "If": {"main": [[{**link[0], "node": "Set1"}], []]},
        },
    }


class N8nPeer:
    """One n8n process (and its task-runner children) with the benchmark workflow live."""

    def __init__(self, port: int, log_dir: Path, runner_port: int | None = None) -> None:
        self.port = port
        self.runner_port = runner_port or port + 1  # its task runners' broker
        self.log_dir = log_dir
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.user_folder = RUNS_DIR / f"{stamp}-{uuid.uuid4().hex[:6]}"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook/{WEBHOOK_PATH}"

    @property
    def database(self) -> Path:
        return self.user_folder / ".n8n" / "database.sqlite"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("N8N_", "DB_"))}
        env.update(
            {
                "N8N_USER_FOLDER": str(self.user_folder),
                "N8N_HOST": "127.0.0.1",
                "N8N_LISTEN_ADDRESS": "127.0.0.1",
                "N8N_PORT": str(self.port),
                "N8N_PROTOCOL": "http",
                "WEBHOOK_URL": f"http://127.0.0.1:{self.port}/",
                "N8N_DIAGNOSTICS_ENABLED": "false",
                "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
                "N8N_TEMPLATES_ENABLED": "false",
                "N8N_PERSONALIZATION_ENABLED": "false",
                "N8N_COMMUNITY_PACKAGES_ENABLED": "false",
                "N8N_LICENSE_AUTO_RENEW_ENABLED": "false",
                "N8N_RUNNERS_BROKER_LISTEN_ADDRESS": "127.0.0.1",
                "N8N_RUNNERS_BROKER_PORT": str(self.runner_port),
                "DB_TYPE": "sqlite",
                "EXECUTIONS_DATA_PRUNE": "false",
                "EXECUTIONS_MODE": "regular",
                "N8N_LOG_LEVEL": "warn",
                "N8N_SECURE_COOKIE": "false",
                "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS": "false",
            }
        )
        return env

    def _cli(self, *args: str, log: Any) -> None:
        subprocess.run(
            [str(n8n_bin()), *args],
            cwd=self.user_folder,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=300,
        )

    def start(self, timeout: float = 180) -> None:
        """Fresh user folder, import + publish the workflow, start, wait until it answers."""
        if RUNS_DIR.is_dir():  # earlier runs' folders (each holds a full SQLite of runs)
            for old in RUNS_DIR.iterdir():
                shutil.rmtree(old, ignore_errors=True)
        self.user_folder.mkdir(parents=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        source = self.user_folder / "workflow.json"
        source.write_text(json.dumps(workflow_json()))
        with (self.log_dir / "n8n-setup.log").open("w") as log:
            self._cli("import:workflow", f"--input={source}", log=log)
            self._cli("publish:workflow", f"--id={WORKFLOW_ID}", log=log)
        self.proc = subprocess.Popen(
            [str(n8n_bin()), "start"],
            cwd=self.user_folder,
            env=self.env(),
            stdout=(self.log_dir / "n8n.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        self._wait(
            lambda: _http("GET", f"http://127.0.0.1:{self.port}/healthz") == 200,
            deadline,
            "n8n /healthz",
        )
        self._wait(
            lambda: _http("POST", self.webhook_url, {"name": "warm", "value": 1}) == 200,
            deadline,
            "the n8n webhook",
        )

    def _wait(self, ready: Any, deadline: float, what: str) -> None:
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"n8n exited ({self.proc.returncode}); see {self.log_dir / 'n8n.log'}"
                )
            if ready():
                return
            time.sleep(0.5)
        raise RuntimeError(f"{what} did not answer in time")

    def executions(self) -> dict[str, int]:
        """The benchmark workflow's executions by status, read-only (n8n keeps writing)."""
        if not self.database.exists():
            return {}
        conn = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30)
        try:
            rows = conn.execute(
                "SELECT status, COUNT(*) FROM execution_entity "
                'WHERE "workflowId" = ? GROUP BY status',
                [WORKFLOW_ID],
            )
            return {status: n for status, n in rows}
        finally:
            conn.close()

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _http(method: str, url: str, body: Any = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install-only", action="store_true")
    parser.add_argument("--port", type=int, default=5678, help="and the next one for its runners")
    args = parser.parse_args()
    install()
    if args.install_only:
        return 0
    peer = N8nPeer(args.port, ROOT / "var" / "bench")
    try:
        peer.start()
        status = _http("POST", peer.webhook_url, {"name": "smoke", "value": 42})
        time.sleep(1)
        print(
            f"n8n {N8N_VERSION} at {peer.webhook_url}: HTTP {status}, "
            f"executions {peer.executions()}"
        )
    finally:
        peer.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
