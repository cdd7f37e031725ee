"""The supervisor of `make run` (config/supervisor.py) with small real programs: restarts with
back-off and one line saying why, the others untouched, output prefixed, and a stop that
leaves no process of any group behind."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from config.supervisor import Program, Supervisor, describe_exit

PY = sys.executable


class Console(io.StringIO):
    """The supervisor's output, readable while it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            return super().write(text)

    def text(self) -> str:
        with self.lock:
            return self.getvalue()


def start(supervisor: Supervisor) -> threading.Thread:
    # Only the main thread may install signal handlers: in a thread the supervisor runs
    # without them and is stopped through the same flag a signal sets. The real signal
    # handling is tested on a supervisor process below.
    thread = threading.Thread(target=supervisor.run, kwargs={"handle_signals": False}, daemon=True)
    thread.start()
    return thread


def stop(supervisor: Supervisor, thread: threading.Thread) -> None:
    supervisor.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()


def wait_for(predicate, timeout: float = 20):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[-1][0] != "Z"


def pids(console: Console, name: str) -> list[int]:
    return [int(p) for p in re.findall(rf"(?:re)?started {name} \(pid (\d+)", console.text())]


def test_describe_exit():
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"
    assert describe_exit(0) == "exit code 0"


def test_a_dying_process_is_restarted_with_back_off_and_one_line_the_others_untouched():
    console = Console()
    crasher = Program(
        "crasher",
        [PY, "-c", "import sys, time; print('up', flush=True); time.sleep(0.2); sys.exit(3)"],
    )
    steady = Program(
        "steady", [PY, "-c", "import time; print('steady up', flush=True); time.sleep(60)"]
    )
    supervisor = Supervisor(
        [crasher, steady], out=console, backoff_initial=0.2, backoff_max=0.8, stable_after=30
    )
    thread = start(supervisor)
    try:
        wait_for(lambda: len(pids(console, "crasher")) >= 5)
        text = console.text()
        deaths = re.findall(
            r"supervisor \| crasher \(pid \d+\) died: exit code 3 after 0s "
            r"up; restarting in ([\d.]+)s",
            text,
        )
        assert deaths[:4] == ["0.2", "0.4", "0.8", "0.8"]  # doubling, capped
        # One line per death, naming the process, its pid, and why.
        assert len(deaths) == len(re.findall(r"crasher \(pid \d+\) died", text))
        assert len(pids(console, "steady")) == 1  # never restarted
        assert alive(pids(console, "steady")[0])
        # Every line of a program is prefixed with its name.
        assert re.search(r"^\d\d:\d\d:\d\d crasher +\| up$", text, re.M)
        assert re.search(r"^\d\d:\d\d:\d\d steady +\| steady up$", text, re.M)
    finally:
        stop(supervisor, thread)


def test_a_killed_process_is_reported_by_signal_and_its_group_goes_with_it(tmp_path):
    console = Console()
    # Like Celery's prefork pool: a leader with a child in its process group.
    child_pid_file = tmp_path / "child"
    script = (
        "import subprocess, sys, time; "
        f"c = subprocess.Popen([{PY!r}, '-c', 'import time; time.sleep(120)']); "
        f"open({str(child_pid_file)!r}, 'w').write(str(c.pid)); time.sleep(120)"
    )
    supervisor = Supervisor([Program("pool", [PY, "-c", script])], out=console, backoff_initial=0.1)
    thread = start(supervisor)
    try:
        first = wait_for(lambda: pids(console, "pool"))[0]
        child = int(wait_for(lambda: child_pid_file.exists() and child_pid_file.read_text()))
        child_pid_file.unlink()
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: len(pids(console, "pool")) == 2)
        assert f"pool (pid {first}) died: killed by SIGKILL" in console.text()
        wait_for(lambda: not alive(child), timeout=5)  # the orphaned child was killed too
    finally:
        stop(supervisor, thread)


def test_stop_ends_every_process_and_their_children(tmp_path):
    console = Console()
    child_pid_file = tmp_path / "child"
    # A leader that ignores SIGTERM (a stuck shutdown) and has a child: both must go.
    stubborn = (
        "import signal, subprocess, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"c = subprocess.Popen([{PY!r}, '-c', 'import time; time.sleep(120)']); "
        f"open({str(child_pid_file)!r}, 'w').write(str(c.pid)); time.sleep(120)"
    )
    polite = "import time; time.sleep(120)"
    supervisor = Supervisor(
        [Program("stubborn", [PY, "-c", stubborn]), Program("polite", [PY, "-c", polite])],
        out=console,
        stop_grace=1.0,
    )
    thread = start(supervisor)
    child = int(wait_for(lambda: child_pid_file.exists() and child_pid_file.read_text()))
    leaders = pids(console, "stubborn") + pids(console, "polite")
    started = time.monotonic()
    stop(supervisor, thread)
    assert time.monotonic() - started < 10
    assert not any(alive(pid) for pid in [*leaders, child])
    text = console.text()
    assert "stubborn (pid" in text and "did not stop in time: killed" in text
    assert "died" not in text  # a stop is not a crash: nothing restarted
    assert text.rstrip().endswith("stopped")


def test_the_ready_program_starts_first_and_stops_last(tmp_path):
    console = Console()
    flag = tmp_path / "ready"
    order = tmp_path / "order"
    broker = Program(
        "broker",
        [
            PY,
            "-c",
            (
                "import pathlib, signal, sys, time; "
                f"p = pathlib.Path({str(flag)!r}); time.sleep(0.3); p.write_text('1'); "
                f"signal.signal(signal.SIGTERM, lambda *a: (open({str(order)!r}, 'a').write('broker\\n'),"  # noqa: E501
                " sys.exit(0))); time.sleep(120)"
            ),
        ],
        ready=flag.exists,
    )
    client = Program(
        "client",
        [
            PY,
            "-c",
            (
                "import pathlib, signal, sys, time; "
                f"signal.signal(signal.SIGTERM, lambda *a: (open({str(order)!r}, 'a').write('client\\n'),"  # noqa: E501
                " sys.exit(0))); "
                f"print('broker ready' if pathlib.Path({str(flag)!r}).exists() else 'too early', "
                "flush=True); time.sleep(120)"
            ),
        ],
    )
    supervisor = Supervisor([broker, client], out=console)
    thread = start(supervisor)
    wait_for(lambda: "broker ready" in console.text() or "too early" in console.text())
    stop(supervisor, thread)
    assert re.search(r"client +\| broker ready", console.text())
    assert order.read_text().split() == ["client", "broker"]


def _supervised_sleeper() -> tuple[subprocess.Popen, int]:
    """The real supervisor entry point running one long sleeper; (supervisor, sleeper pid)."""
    code = (
        "import sys; from config.supervisor import Program, Supervisor; "
        f"sys.exit(Supervisor([Program('sleeper', [{PY!r}, '-c', "
        "'import time; print(\"sleeping\", flush=True); time.sleep(120)'])]).run())"
    )
    proc = subprocess.Popen(
        [PY, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "sleeping" in line:
            break
    return proc, int(re.search(r"started sleeper \(pid (\d+)", "".join(lines)).group(1))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_supervisor_process_stops_on_ctrl_c_and_sigterm(tmp_path, sig):
    """The real entry point's signal handling, as `make run` runs it (a tiny program list)."""
    proc, sleeper = _supervised_sleeper()
    proc.send_signal(sig)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "stopped" in rest
    assert not alive(sleeper)


def test_a_killed_supervisor_leaves_no_process_behind():
    """Even SIGKILL (no chance to stop anything): each child gets SIGTERM from the kernel."""
    proc, sleeper = _supervised_sleeper()
    proc.kill()
    proc.wait(timeout=10)
    wait_for(lambda: not alive(sleeper), timeout=10)
