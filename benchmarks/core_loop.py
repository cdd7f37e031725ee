"""The core loop side by side with n8n: webhook accept -> four-node run -> recorded, one command.

    make bench
    .venv/bin/python -m benchmarks.core_loop [--duration 20] [--concurrency 1,8,32]
        [--sustained 60] [--drain-timeout 180] [--quick] [--no-write] [--only flowplane|n8n]

In one run on this machine, one system at a time and loaded by the same client (Debian's
``wrk`` with one Lua script POSTing the same small JSON body, ``--latency``):

1. n8n 2.8.4 (installed from the npm registry into ``var/n8n/`` on first use, SQLite, one
   process; ``benchmarks/n8n_peer.py``) with webhook -> Set -> If -> Set, respond immediately;
2. this platform on PostgreSQL + Redis: gunicorn (gthread 2 x 8) for ``config.wsgi``, a Celery
   worker for the ``executions`` queue (prefork -c 2), a worker for
   ``triggers,housekeeping,routing`` (-c 1) and beat, with a published workflow webhook
   trigger -> transform -> condition -> transform (respond immediately, no signature).

Per system and concurrency (1, 8, 32; ``--duration`` seconds each): accepted requests/s,
p50/p99, non-2xx, executions finished and their rate (first accept -> last finish), time to
drain the backlog after the load stops (capped by ``--drain-timeout``), exactly-once (accepted
responses vs. execution rows; for this platform also every returned execution id has its row,
re-claimed executions and executions without their four recorded steps), memory at rest and
at peak (sum of PSS over each system's process tree, sampled every 0.5 s). Then a sustained
run of this platform (``--sustained`` seconds at the concurrency with the best finished rate)
with a sample of executions checked step by step. The markdown goes between
``<!-- core-loop:start -->`` and ``<!-- core-loop:end -->`` in benchmarks/RESULTS.md.

The platform side uses only public behaviour: the REST API (workspace, workflow, publish,
trigger), the webhook URL, the Celery queue names and the execution/step rows in the
database. Services: ``BENCH_DATABASE_URL`` (default ``flowplane_bench`` on 127.0.0.1, created
and migrated), ``BENCH_BROKER_URL`` / ``BENCH_REDIS_URL`` (Redis dbs 6 / 7). Everything listens
on 127.0.0.1; every process started is stopped on exit, Ctrl-C or failure.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flowplane_bench")
os.environ.setdefault("BENCH_BROKER_URL", "redis://127.0.0.1:6379/6")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")

from benchmarks import webhook_accept as platform_proc  # noqa: E402 (reads the env above)
from benchmarks.n8n_peer import N8N_VERSION, WORKFLOW_ID, N8nPeer  # noqa: E402
from benchmarks.n8n_peer import install as n8n_install  # noqa: E402

LOGS = ROOT / "var" / "bench" / "core-loop"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
START, END = "<!-- core-loop:start -->", "<!-- core-loop:end -->"
BODY = '{"name": "bench", "value": 42}'
STEPS = 4  # trigger, transform, condition, transform (the condition is true for BODY)
TARGET_RPS, TARGET_P99_MS, TARGET_RUNS, TARGET_RATIO = 1000.0, 50.0, 200.0, 4.0

WRK_SCRIPT = """\
-- benchmarks/core_loop.py: the same request for every system. Counts 2xx responses and
-- keeps the execution ids a response names (one file per wrk thread).
wrk.method = "POST"
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/json"

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("tid", count)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  ids = io.open(args[1] .. "/ids-" .. tid .. ".txt", "w")
  ids:setvbuf("line")
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    local id = body:match('"execution_id"%%s*:%%s*"([^"]+)"')
    if id then ids:write(id, "\\n") end
  end
end

function done(summary, latency, requests)
  local ok_total = 0
  for _, thread in ipairs(threads) do ok_total = ok_total + thread:get("ok") end
  local e = summary.errors
  io.write(string.format(
    'CORELOOP {"requests": %%d, "duration_us": %%d, "ok": %%d, "non2xx": %%d, ' ..
    '"connect_errors": %%d, "read_errors": %%d, "write_errors": %%d, "timeouts": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, ok_total, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


# ---------------------------------------------------------------------------------------------
# Load, memory and the process trees


@dataclass
class Load:
    concurrency: int
    requests: int
    seconds: float
    ok: int
    non2xx: int
    errors: int
    p50_ms: float
    p99_ms: float
    ids: list[str]

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def wrk(url: str, concurrency: int, seconds: float, tag: str) -> Load:
    """One wrk run (a thread per 16 connections, at most 2: the machine has 2 cores)."""
    out = LOGS / f"wrk-{tag}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    script = out / "post.lua"
    script.write_text(WRK_SCRIPT % {"body": json.dumps(BODY)})
    threads = max(1, min(2, concurrency // 16 + (concurrency > 1)))
    cmd = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(concurrency),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
        "--",
        str(out),
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    (out / "wrk.txt").write_text(run.stdout + run.stderr)
    line = next((x for x in run.stdout.splitlines() if x.startswith("CORELOOP ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stderr.strip()[-500:]}")
    data = json.loads(line.removeprefix("CORELOOP "))
    ids = [i for f in sorted(out.glob("ids-*.txt")) for i in f.read_text().split()]
    return Load(
        concurrency=concurrency,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        ok=data["ok"],
        non2xx=data["non2xx"],
        errors=data["connect_errors"]
        + data["read_errors"]
        + data["write_errors"]
        + data["timeouts"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        ids=ids,
    )


def process_tree(roots: list[int]) -> set[int]:
    """The roots and all their descendants (from /proc/<pid>/task/<tid>/children)."""
    seen: set[int] = set()
    todo = list(roots)
    while todo and len(seen) < 10_000:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return seen


def pss_mib(pids: set[int]) -> float:
    total_kib = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kib += int(line.split()[1])
                    break
    return total_kib / 1024


class MemorySampler:
    """Samples the PSS of a set of process trees every `interval` seconds in a thread."""

    def __init__(self, pids: Callable[[], set[int]], interval: float = 0.5) -> None:
        self.pids, self.interval = pids, interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, pss_mib(self.pids()))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def cpu_ticks(pids: set[int]) -> dict[int, int]:
    """User + system CPU ticks of each process (from /proc/<pid>/stat)."""
    ticks = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_seconds(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU used between two snapshots by the processes alive at the second (new ones in full;
    a process that exited in between is missed, so this is a lower bound)."""
    return sum(t - before.get(pid, 0) for pid, t in after.items()) / os.sysconf("SC_CLK_TCK")


def postgres_backends(database: str) -> set[int]:
    """PostgreSQL backends connected to `database` (their process titles name it)."""
    found = set()
    needle = f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                title = (entry / "cmdline").read_bytes()
                if title.startswith(b"postgres: ") and needle in title:
                    found.add(int(entry.name))
    return found


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------------------------------------
# The two systems


@dataclass
class Phase:
    system: str
    load: Load
    loadavg: str
    accepted_rows: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    finished: int = 0
    finished_rate: float = 0.0
    drain_s: float = 0.0
    left: int = 0
    mem_rest: float = 0.0
    mem_peak: float = 0.0
    cpu_s: float = 0.0
    broker_left: int = -1  # messages still in the `executions` queue after the drain
    checks: dict[str, int] = field(default_factory=dict)
    exactly_once: bool = False


class System(Protocol):
    name: str
    url: str

    def pids(self) -> set[int]: ...
    def cpu_pids(self) -> set[int]: ...
    def broker_messages(self) -> int: ...
    def marker(self) -> Any: ...
    def statuses(self, since: Any) -> dict[str, int]: ...
    def pending(self, statuses: dict[str, int]) -> int: ...
    def finished_rate(self, since: Any) -> float: ...
    def verify(self, since: Any, load: Load, phase: Phase) -> None: ...


class N8n:
    """n8n's side: its executions are the `execution_entity` rows of the workflow."""

    name = f"n8n {N8N_VERSION}"
    FINISHED = ("success", "error", "crashed", "canceled")

    def __init__(self, peer: N8nPeer) -> None:
        self.peer = peer
        self.url = peer.webhook_url

    def pids(self) -> set[int]:
        return process_tree([self.peer.proc.pid]) if self.peer.proc else set()

    def cpu_pids(self) -> set[int]:
        return self.pids()  # SQLite runs inside the process

    def broker_messages(self) -> int:
        return -1  # no broker

    def _query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        import sqlite3

        conn = sqlite3.connect(f"file:{self.peer.database}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def marker(self) -> int:
        return self._query("SELECT COALESCE(MAX(id), 0) FROM execution_entity", [])[0][0]

    def statuses(self, since: int) -> dict[str, int]:
        return dict(
            self._query(
                "SELECT status, COUNT(*) FROM execution_entity WHERE id > ? "
                'AND "workflowId" = ? GROUP BY status',
                [since, WORKFLOW_ID],
            )
        )

    def pending(self, statuses: dict[str, int]) -> int:
        return sum(n for s, n in statuses.items() if s not in self.FINISHED)

    def finished_rate(self, since: int) -> float:
        n, span = self._query(
            'SELECT COUNT(*), (julianday(MAX("stoppedAt")) - julianday(MIN("createdAt")))'
            ' * 86400 FROM execution_entity WHERE id > ? AND "workflowId" = ?'
            ' AND "stoppedAt" IS NOT NULL',
            [since, WORKFLOW_ID],
        )[0]
        return n / span if n and span else 0.0

    def verify(self, since: int, load: Load, phase: Phase) -> None:
        rows = sum(phase.statuses.values())
        # A sample of the run data: all four nodes ran (n8n stores it as "flatted" JSON).
        sample = self._query(
            "SELECT d.data FROM execution_data d JOIN execution_entity e "
            'ON e.id = d."executionId" WHERE e.id > ? AND e."workflowId" = ? '
            "ORDER BY random() LIMIT 50",
            [since, WORKFLOW_ID],
        )
        nodes = ('{"Webhook":"', '"Set":"', '"If":"', '"Set1":"')
        phase.checks = {
            "rows_minus_accepted": rows - load.ok,
            "not_success": rows - phase.statuses.get("success", 0),
            "sampled_without_4_nodes": sum(not all(n in data for n in nodes) for (data,) in sample),
        }
        phase.exactly_once = (
            0 <= rows - load.ok <= load.concurrency
            and phase.checks["not_success"] == 0
            and phase.checks["sampled_without_4_nodes"] == 0
        )


class Flowplane:
    """This platform's side, set up through the REST API and read from its database rows."""

    name = "Flowplane"
    FINISHED = ("succeeded", "failed", "cancelled")

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.port = platform_proc.free_port()
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.url = ""
        self.workflow_id = ""

    # processes ------------------------------------------------------------------------------

    def commands(self) -> dict[str, list[str]]:
        py = sys.executable
        celery = [py, "-m", "celery", "-A", "config"]
        quiet = [
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        cmds = {
            "web": [
                py,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(self.args.web_workers),
                "-k",
                "gthread",
                "--threads",
                str(self.args.threads),
                "--keep-alive",
                "30",
                "--backlog",
                "2048",
            ],
            "worker": [
                *celery,
                "worker",
                "-Q",
                "executions",
                "-P",
                "prefork",
                "-c",
                str(self.args.worker_concurrency),
                "-n",
                "bench-executions@%h",
                *quiet,
            ],
            "aux": [
                *celery,
                "worker",
                "-Q",
                "triggers,housekeeping,routing",
                "-c",
                "1",
                "-n",
                "bench-aux@%h",
                *quiet,
            ],
            "beat": [
                *celery,
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(LOGS / "celerybeat-schedule"),
            ],
        }
        for i, extra in enumerate(self.args.platform_extra):
            cmds[f"extra{i + 1}"] = shlex.split(extra)
        return cmds

    def start(self) -> None:
        for name, cmd in self.commands().items():
            self.procs[name] = platform_proc.start(cmd, LOGS / f"flowplane-{name}.log")
        platform_proc.wait_http(self.port, timeout=60)
        self._setup()

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            with contextlib.suppress(ProcessLookupError):
                platform_proc.stop(proc)
        self.procs.clear()

    def pids(self) -> set[int]:
        return process_tree([p.pid for p in self.procs.values() if p.poll() is None])

    def cpu_pids(self) -> set[int]:
        """The platform's processes and the PostgreSQL backends serving its database."""
        name = os.environ["BENCH_DATABASE_URL"].rsplit("/", 1)[1].split("?")[0]
        return self.pids() | postgres_backends(name)

    def broker_messages(self) -> int:
        """Messages waiting in the `executions` queue (stale re-sends once nothing is queued)."""
        from config.celery import app

        try:
            with app.connection_for_write() as conn:
                return conn.default_channel.queue_declare("executions", passive=True).message_count
        except Exception as exc:  # Redis: an empty queue is no key, hence "not found"
            return 0 if "not_found" in str(exc).lower() else -1

    def breakdown(self) -> dict[str, float]:
        """PSS (MiB) of each process role's tree."""
        return {name: pss_mib(process_tree([p.pid])) for name, p in self.procs.items()}

    def _api(self, method: str, path: str, token: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1/{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: {exc.code} {exc.read()[:500]!r}") from exc

    def _setup(self) -> None:
        """A user and API token (the only rows written directly), then the REST API."""
        from django.contrib.auth import get_user_model
        from django.db import connections

        from apps.workspaces.services import api_token_create

        user, _ = get_user_model().objects.get_or_create(username="bench-core-loop")
        _, token = api_token_create(user=user, name=f"core-loop {uuid.uuid4().hex[:6]}")
        connections.close_all()
        workspace = self._api(
            "POST", "workspaces/", token, {"name": f"core loop {uuid.uuid4().hex[:8]}"}
        )
        workflow = self._api(
            "POST",
            "workflows/",
            token,
            {"workspace": workspace["id"], "name": "core loop bench", "graph": four_node_graph()},
        )
        self._api("POST", f"workflows/{workflow['id']}/publish/", token, {})
        triggers = self._api("GET", f"triggers/?workflow={workflow['id']}", token)
        rows = triggers["results"] if isinstance(triggers, dict) else triggers
        self.workflow_id = workflow["id"]
        self.url = rows[0]["webhook_url"]
        if self.url.startswith("/"):
            self.url = f"http://127.0.0.1:{self.port}{self.url}"

    # rows -----------------------------------------------------------------------------------

    def _executions(self, since: dt.datetime) -> Any:
        from apps.workflows.models import Execution

        return Execution.objects.filter(workflow_id=self.workflow_id, created_at__gte=since)

    def marker(self) -> dt.datetime:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]

    def statuses(self, since: dt.datetime) -> dict[str, int]:
        from django.db.models import Count

        return dict(
            self._executions(since).values_list("status").annotate(n=Count("pk")).order_by()
        )

    def pending(self, statuses: dict[str, int]) -> int:
        return sum(n for s, n in statuses.items() if s not in self.FINISHED)

    def finished_rate(self, since: dt.datetime) -> float:
        from django.db.models import Count, Max, Min

        span = (
            self._executions(since)
            .filter(finished_at__isnull=False)
            .aggregate(n=Count("pk"), first=Min("created_at"), last=Max("finished_at"))
        )
        if not span["n"] or span["last"] <= span["first"]:
            return 0.0
        return span["n"] / (span["last"] - span["first"]).total_seconds()

    def verify(self, since: dt.datetime, load: Load, phase: Phase) -> None:
        from django.db.models import Count, Q

        rows = self._executions(since)
        ids = set(map(str, rows.values_list("pk", flat=True)))
        incomplete = (
            rows.filter(status="succeeded")
            .annotate(done=Count("steps", filter=Q(steps__status="succeeded")))
            .exclude(done=STEPS)
            .count()
        )
        phase.checks = {
            "rows_minus_accepted": len(ids) - load.ok,
            "ids_without_row": len(set(load.ids) - ids) if load.ids else -1,
            "duplicate_ids": len(load.ids) - len(set(load.ids)),
            "reclaimed": self.reclaimed(since),
            "not_succeeded": len(ids) - phase.statuses.get("succeeded", 0),
            "succeeded_without_4_steps": incomplete,
        }
        c = phase.checks
        phase.exactly_once = (
            0 <= c["rows_minus_accepted"] <= load.concurrency
            and c["ids_without_row"] <= 0
            and c["duplicate_ids"] == 0
            and c["reclaimed"] <= 0
            and c["not_succeeded"] == phase.left
            and c["succeeded_without_4_steps"] == 0
        )

    def reclaimed(self, since: dt.datetime) -> int:
        """Executions a second worker claimed after the first one's lease ran out
        (`deliveries > 0`); -1 when the platform no longer records it."""
        from apps.workflows.models import Execution

        if "deliveries" not in {f.name for f in Execution._meta.get_fields()}:
            return -1
        return self._executions(since).filter(deliveries__gt=0).count()

    def sample_steps(self, since: dt.datetime, n: int = 50) -> tuple[int, int]:
        """(sampled finished executions, of which every step is recorded and succeeded)."""
        from apps.workflows.models import ExecutionStep

        sample = list(
            self._executions(since)
            .filter(status="succeeded")
            .order_by("?")
            .values_list("pk", flat=True)[:n]
        )
        complete = 0
        for pk in sample:
            steps = list(
                ExecutionStep.objects.filter(execution_id=pk).values_list("node_id", "status")
            )
            nodes = {node for node, status in steps if status == "succeeded"}
            complete += nodes == {"hook", "shape", "check", "label"} and len(steps) == STEPS
        return len(sample), complete


def four_node_graph() -> dict[str, Any]:
    """webhook trigger -> transform -> condition (value > 10) -> transform (true branch)."""

    def node(node_id: str, kind: str, config: dict[str, Any], x: int) -> dict[str, Any]:
        return {
            "id": node_id,
            "type": kind,
            "position": {"x": x, "y": 0},
            "data": {"config": config},
        }

    return {
        "nodes": [
            node(
                "hook",
                "webhook_trigger",
                {
                    "methods": ["POST"],
                    "verification": {"preset": "none"},
                    "response": {"mode": "immediate"},
                    "rate_limit": {"limit": 1_000_000, "per_s": 1},
                },
                0,
            ),
            node(
                "shape",
                "transform",
                {
                    "mapping": {
                        "name": "{{ trigger.body.name }}",
                        "value": "{{ trigger.body.value }}",
                    }
                },
                220,
            ),
            node(
                "check",
                "condition",
                {
                    "conditions": [
                        {"left": "{{ nodes.shape.output.value }}", "operator": "gt", "right": 10}
                    ]
                },
                440,
            ),
            node(
                "label",
                "transform",
                {"mapping": {"label": "{{ nodes.shape.output.name }}-big", "big": True}},
                660,
            ),
        ],
        "edges": [
            {"id": "e1", "source": "hook", "target": "shape"},
            {"id": "e2", "source": "shape", "target": "check"},
            {"id": "e3", "source": "check", "target": "label", "sourceHandle": "true"},
        ],
    }


# ---------------------------------------------------------------------------------------------
# Phases


def drain(system: System, since: Any, timeout: float) -> tuple[float, dict[str, int]]:
    """Seconds until nothing of this phase is queued or running (at most `timeout`)."""
    started = time.monotonic()
    while True:
        statuses = system.statuses(since)
        if not system.pending(statuses) or time.monotonic() - started >= timeout:
            return time.monotonic() - started, statuses
        time.sleep(0.5)


def measure(
    system: System,
    concurrency: int,
    seconds: float,
    drain_timeout: float,
    mem_rest: float,
    tag: str,
) -> Phase:
    since = system.marker()
    cpu_before = cpu_ticks(system.cpu_pids())
    with MemorySampler(system.pids) as sampler:
        load = wrk(system.url, concurrency, seconds, tag)
        drain_s, statuses = drain(system, since, drain_timeout)
    phase = Phase(
        system=system.name,
        load=load,
        loadavg=loadavg(),
        statuses=statuses,
        drain_s=drain_s,
        left=system.pending(statuses),
        mem_rest=mem_rest,
        mem_peak=max(sampler.peak, mem_rest),
    )
    phase.accepted_rows = sum(statuses.values())
    phase.finished = phase.accepted_rows - phase.left
    phase.finished_rate = system.finished_rate(since)
    phase.cpu_s = cpu_seconds(cpu_before, cpu_ticks(system.cpu_pids()))
    phase.broker_left = system.broker_messages()
    system.verify(since, load, phase)
    print(
        f"  {system.name} c={concurrency}: {load.rps:,.0f} req/s, p50 {load.p50_ms:.1f} ms, "
        f"p99 {load.p99_ms:.1f} ms, non-2xx {load.non2xx}, accepted {load.ok}, finished "
        f"{phase.finished} ({phase.finished_rate:,.1f}/s), drain {drain_s:.1f} s, "
        f"left {phase.left}, PSS {mem_rest:,.0f} -> {phase.mem_peak:,.0f} MiB, "
        f"CPU {phase.cpu_s:,.1f} s ({cpu_per_run(phase)} ms per execution), broker "
        f"messages after drain {phase.broker_left}, "
        f"checks {phase.checks}, load {phase.loadavg}",
        flush=True,
    )
    return phase


def cpu_per_run(phase: Phase) -> str:
    return f"{phase.cpu_s * 1000 / phase.finished:,.1f}" if phase.finished else "-"


def at_rest(system: System, settle: float) -> float:
    time.sleep(settle)
    return statistics.median(pss_mib(system.pids()) for _ in range(3))


@dataclass
class Sustained:
    concurrency: int
    load: Load
    in_window: int
    rate: float
    drain_s: float
    left: int
    sample: tuple[int, int]
    reclaimed: int
    loadavg: str


def sustained(
    system: Flowplane, concurrency: int, seconds: float, drain_timeout: float
) -> Sustained:
    from django.db.models import Q

    since = system.marker()
    load = wrk(system.url, concurrency, seconds, "flowplane-sustained")
    end = system.marker()
    in_window = (
        system._executions(since).filter(Q(finished_at__lte=end), finished_at__isnull=False).count()
    )
    drain_s, statuses = drain(system, since, drain_timeout)
    result = Sustained(
        concurrency=concurrency,
        load=load,
        in_window=in_window,
        rate=system.finished_rate(since),
        drain_s=drain_s,
        left=system.pending(statuses),
        sample=system.sample_steps(since),
        reclaimed=system.reclaimed(since),
        loadavg=loadavg(),
    )
    print(
        f"  sustained c={concurrency} {seconds:g} s: accepted {load.ok} ({load.rps:,.0f}/s), "
        f"finished within the window {in_window} ({in_window / load.seconds:,.1f}/s), "
        f"accepted -> finished {result.rate:,.1f}/s, drain {drain_s:.1f} s, left "
        f"{result.left}, steps complete in {result.sample[1]}/{result.sample[0]} sampled",
        flush=True,
    )
    return result


def warm_up(system: System, seconds: float, drain_timeout: float) -> None:
    since = system.marker()
    wrk(system.url, 4, seconds, f"warm-{system.name.split()[0].lower()}")
    drain(system, since, drain_timeout)


# ---------------------------------------------------------------------------------------------
# Report


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    node = subprocess.run(
        ["node", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    wrk_version = subprocess.run(
        ["wrk", "-v"], capture_output=True, text=True, check=False
    ).stdout.split()[:2]
    pg = ""
    with contextlib.suppress(Exception):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = f", PostgreSQL {cursor.fetchone()[0]}"
    redis = ""
    with contextlib.suppress(Exception):
        import redis as redis_lib

        client = redis_lib.Redis.from_url(os.environ["BENCH_REDIS_URL"])
        redis = f", Redis {client.info('server')['redis_version']}"
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem_kib / 1048576:.0f} GiB, "
        f"Python {platform.python_version()}, Node {node}{pg}{redis}, "
        f"{' '.join(wrk_version)}"
    )


def command_line(args: argparse.Namespace) -> str:
    flags = [a for a in sys.argv[1:] if a != "--from-make"]
    if args.from_make:
        return "make bench" + (f" BENCH_ARGS='{' '.join(flags)}'" if flags else "")
    return " ".join([".venv/bin/python -m benchmarks.core_loop", *flags])


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs else "-"


def render(
    args: argparse.Namespace,
    started: str,
    load_start: str,
    info: str,
    phases: list[Phase],
    held: Sustained | None,
) -> str:
    ms = "{:,.1f}".format
    lines = [
        START,
        "## Core loop side by side with n8n (`benchmarks/core_loop.py`)",
        "",
        f"`{command_line(args)}` — "
        f"{started}; {info}. 1-min load average {load_start} at the start (each row gives its "
        "own at the end of its phase). One system at a time, the same `wrk` client and Lua "
        f"script POSTing `{BODY}` for {args.duration:g} s per concurrency (`--latency`, "
        "`--timeout 10s`), on 127.0.0.1.",
        "",
        f"- **n8n {N8N_VERSION}**: npm registry install in `var/n8n/`, SQLite, one process "
        "(plus its task runner), webhook -> Set -> If -> Set, respond immediately; executions "
        "counted read-only in its SQLite.",
        f"- **Flowplane**: gunicorn {args.web_workers} x {args.threads} gthread, Celery worker "
        f"`-Q executions` prefork -c {args.worker_concurrency}, a worker for "
        "`triggers,housekeeping,routing` -c 1, beat; PostgreSQL + Redis; webhook trigger -> "
        "transform -> condition -> transform, respond immediately, no signature; set up "
        "through the REST API, counted in the execution/step rows.",
        "- *finished/s* is executions finished / (last finish - first accept) of the phase; "
        "*drain* is the time after the load stopped until none was queued or running "
        f"(capped at {args.drain_timeout:g} s; *left* = still queued/running then). Memory is "
        "the sum of PSS over the system's process tree (PostgreSQL and Redis, shared services, "
        "not included), at rest after a warm-up and at the peak of 0.5 s samples. *CPU ms / "
        "execution*: user + system CPU of the process tree (for Flowplane plus the PostgreSQL "
        "backends of its database; Redis not included) over load and drain, per finished "
        "execution: the figure that other work on a shared machine disturbs least. *broker "
        "msgs after*: messages left in the `executions` queue once the phase drained (work "
        "the workers still have to wade through before the next phase's runs).",
        "- *once*: accepted (2xx) responses vs. execution rows (rows may exceed accepted by at "
        "most c: requests wrk abandons when time is up), all succeeded; for Flowplane also "
        "every returned execution id has its row, no execution re-claimed (`deliveries > 0`), "
        f"every succeeded one has its {STEPS} steps recorded.",
        "",
        "| system | c | accepted req/s | p50 ms | p99 ms | non-2xx / errors | accepted | "
        "finished | finished/s | drain s | left | once | PSS rest / peak MiB | "
        "CPU ms / execution | broker msgs after | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        lines.append(
            f"| {p.system} | {p.load.concurrency} | {p.load.rps:,.0f} | {ms(p.load.p50_ms)} | "
            f"{ms(p.load.p99_ms)} | {p.load.non2xx} / {p.load.errors} | {p.load.ok:,} | "
            f"{p.finished:,} | {p.finished_rate:,.1f} | {p.drain_s:.1f} | {p.left:,} | "
            f"{'yes' if p.exactly_once else 'NO'} | {p.mem_rest:,.0f} / {p.mem_peak:,.0f} | "
            f"{cpu_per_run(p)} | {p.broker_left if p.broker_left >= 0 else '-'} | "
            f"{p.loadavg.split()[0]} |"
        )
    ours = {p.load.concurrency: p for p in phases if p.system == "Flowplane"}
    theirs = {p.load.concurrency: p for p in phases if p.system != "Flowplane"}
    if ours and theirs:
        lines += [
            "",
            "Flowplane as a ratio to n8n (same run; > 1 is better for rates, < 1 is "
            "better for latency and memory):",
            "",
            "| c | accepted req/s | p99 | finished/s | PSS at rest | PSS at peak | "
            "CPU / execution |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for c in sorted(set(ours) & set(theirs)):
            o, t = ours[c], theirs[c]
            lines.append(
                f"| {c} | {ratio(o.load.rps, t.load.rps)} | "
                f"{ratio(o.load.p99_ms, t.load.p99_ms)} | "
                f"{ratio(o.finished_rate, t.finished_rate)} | "
                f"{ratio(o.mem_rest, t.mem_rest)} | {ratio(o.mem_peak, t.mem_peak)} | "
                f"{ratio(o.cpu_s / max(o.finished, 1), t.cpu_s / max(t.finished, 1))} |"
            )
    rest = getattr(args, "flowplane_rest", None)
    if rest:
        lines += [
            "",
            "Flowplane at rest by process tree (PSS MiB): "
            + ", ".join(f"{k} {v:,.0f}" for k, v in rest.items())
            + ".",
        ]
    for p in phases:
        if not p.exactly_once:
            lines += [
                "",
                f"Exactly-once detail, {p.system} c={p.load.concurrency}: {p.checks}, "
                f"statuses {p.statuses}.",
            ]
    lines.append("")
    n8n_best = max((p.finished_rate for p in theirs.values()), default=0.0)
    if held is not None:
        s = held
        lines += [
            f"**Sustained end to end (Flowplane)**: {args.sustained:g} s at c={s.concurrency} "
            f"(best finished rate above): {s.load.ok:,} accepted ({s.load.rps:,.0f}/s, p99 "
            f"{s.load.p99_ms:,.1f} ms), {s.in_window:,} finished inside the window "
            f"({s.in_window / s.load.seconds:,.1f}/s); accepted -> finished "
            f"**{s.rate:,.1f} executions/s** with a drain of {s.drain_s:.1f} s after the load"
            f"{f' and {s.left:,} still unfinished at the cap' if s.left else ''}; "
            f"{s.reclaimed} re-claimed; {s.sample[1]}/{s.sample[0]} sampled executions have all "
            f"{STEPS} steps recorded and succeeded; load {s.loadavg.split()[0]} after. n8n's best "
            f"finished rate in this run: {n8n_best:,.1f}/s (ratio {ratio(s.rate, n8n_best)}).",
            "",
        ]
    c32 = ours.get(32)
    lines.append("Targets (issue 10):")
    lines.append("")
    if c32:
        met = c32.load.rps >= TARGET_RPS and c32.load.p99_ms <= TARGET_P99_MS
        lines.append(
            f"- accept >= {TARGET_RPS:,.0f} req/s at c=32 with p99 <= "
            f"{TARGET_P99_MS:.0f} ms: **{'met' if met else 'not met'}** "
            f"({c32.load.rps:,.0f} req/s, p99 {c32.load.p99_ms:,.1f} ms)"
        )
    if held is not None:
        sustained_ok = (
            held.rate >= TARGET_RUNS and held.left == 0 and held.sample[0] == held.sample[1]
        )
        ratio_ok = n8n_best > 0 and held.rate >= TARGET_RATIO * n8n_best
        lines.append(
            f"- >= {TARGET_RUNS:.0f} four-node executions/s end to end sustained "
            f"{args.sustained:g} s: **{'met' if sustained_ok else 'not met'}** "
            f"({held.rate:,.1f}/s)"
        )
        lines.append(
            f"- >= {TARGET_RATIO:.0f}x n8n in the same run: "
            f"**{'met' if ratio_ok else 'not met'}** ({ratio(held.rate, n8n_best)})"
        )
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_results(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)


# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def terminated_as_interrupt() -> Iterator[None]:
    """SIGINT (also when started in the background, where it is ignored), SIGTERM and SIGHUP
    unwind as KeyboardInterrupt, so the finally blocks stop every process."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {
        s: signal.signal(s, interrupt) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_n8n(args: argparse.Namespace, phases: list[Phase]) -> None:
    print(f"n8n {N8N_VERSION}: install (skipped when present) and start", flush=True)
    n8n_install(LOGS / "n8n-install.log")
    peer = N8nPeer(platform_proc.free_port(), LOGS, runner_port=platform_proc.free_port())
    try:
        peer.start()
        system = N8n(peer)
        warm_up(system, args.warm_up, args.drain_timeout)
        rest = at_rest(system, args.settle)
        for c in args.concurrency:
            phases.append(measure(system, c, args.duration, args.drain_timeout, rest, f"n8n-c{c}"))
    finally:
        peer.stop()


def run_flowplane(args: argparse.Namespace, phases: list[Phase]) -> Sustained | None:
    print("Flowplane: migrate and start", flush=True)
    system = Flowplane(args)
    try:
        system.start()
        warm_up(system, args.warm_up, args.drain_timeout)
        rest = at_rest(system, args.settle)
        args.flowplane_rest = system.breakdown()
        print(
            f"  Flowplane at rest: {rest:,.0f} MiB PSS: "
            + ", ".join(f"{k} {v:,.0f}" for k, v in args.flowplane_rest.items()),
            flush=True,
        )
        ours: list[Phase] = []
        for c in args.concurrency:
            ours.append(
                measure(system, c, args.duration, args.drain_timeout, rest, f"flowplane-c{c}")
            )
        phases.extend(ours)
        if args.sustained <= 0 or not ours:
            return None
        best = max(ours, key=lambda p: p.finished_rate)
        return sustained(system, best.load.concurrency, args.sustained, args.drain_timeout)
    finally:
        system.stop()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # (full run, --quick): a flag given explicitly wins over both.
    timings = {
        "duration": (20.0, 4.0),
        "sustained": (60.0, 10.0),
        "drain_timeout": (180.0, 60.0),
        "warm_up": (3.0, 1.0),
        "settle": (5.0, 2.0),
    }
    parser.add_argument("--duration", type=float, help="seconds per concurrency (20)")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--sustained", type=float, help="seconds of the sustained run (60)")
    parser.add_argument("--drain-timeout", type=float, help="cap on a drain (180 s)")
    parser.add_argument("--warm-up", type=float, help="seconds of warm-up load (3)")
    parser.add_argument("--settle", type=float, help="seconds before memory at rest (5)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument(
        "--platform-extra",
        action="append",
        default=[],
        metavar="CMD",
        help="another process of the platform to start (and measure), "
        "e.g. a dispatcher; repeatable",
    )
    parser.add_argument("--only", choices=["flowplane", "n8n"])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 4 s per concurrency, 10 s sustained, 60 s drain cap; RESULTS.md untouched",
    )
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md untouched")
    parser.add_argument("--from-make", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.concurrency = [int(c) for c in str(args.concurrency).split(",") if c.strip()]
    for name, (full, quick) in timings.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    args.no_write = args.no_write or args.quick
    return args


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("The benchmark client is Debian's wrk: sudo apt-get install wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, timeout=600)


def main() -> int:
    args = parse_args()
    ensure_wrk()
    LOGS.mkdir(parents=True, exist_ok=True)
    os.environ.update(platform_proc.service_env())
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_start = loadavg()
    platform_proc.ensure_database()
    import django

    django.setup()
    from config.celery import app as celery_app

    with celery_app.connection_for_write() as conn:  # leftovers of an interrupted run
        for queue in ("executions", "triggers", "housekeeping", "routing"):
            with contextlib.suppress(Exception):
                conn.default_channel.queue_purge(queue)
    info = machine()
    print(f"{started}, {info}, load {load_start}", flush=True)
    phases: list[Phase] = []
    held: Sustained | None = None
    try:
        with terminated_as_interrupt():
            if args.only != "flowplane":
                run_n8n(args, phases)
            if args.only != "n8n":
                held = run_flowplane(args, phases)
    except KeyboardInterrupt as exc:
        print(
            f"interrupted ({exc or 'Ctrl-C'}); every process it started is stopped; "
            "RESULTS.md untouched",
            file=sys.stderr,
        )
        return 130
    section = render(args, started, load_start, info, phases, held)
    print(section)
    if not args.no_write:
        write_results(section)
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0 if all(p.exactly_once for p in phases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
