"""`make run` as a user runs it: the supervisor with broker, web, worker, routing worker and
beat on the embedded default, in a temp var dir on a free port, driven through the public
API and webhook URLs only.

The soak (five minutes, one webhook a second) and the worker kill share one platform; the
soak runs first, since it asserts that nothing was restarted.
"""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from tests.make_run import Platform, alive, process_tree

pytestmark = [pytest.mark.platform]

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
MEMORY_LIMIT_MIB = 600


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    running = Platform(tmp_path_factory.mktemp("make-run"))
    running.prepare()
    running.start()
    try:
        yield running
    finally:
        code = running.stop()
        print(f"\nsupervisor exited with {code}; console: {running.log_path}")
    # Ctrl-C/SIGTERM stopped everything, including the prefork children.
    assert code == 0
    assert not [pid for pid in running.pids().values() if alive(pid)]


@pytest.mark.soak
@pytest.mark.timeout(SOAK_SECONDS + 240)
def test_soak_a_webhook_a_second_every_run_succeeds_and_nothing_restarts(platform):
    hook = platform.webhook_workflow()
    before = platform.pids()
    assert set(before) == {"broker", "web", "worker", "routing", "beat"}
    accepted, refused = [], []
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < SOAK_SECONDS:
        status, reply = platform.hook(hook, {"n": n})
        (accepted if status == 202 else refused).append(
            reply["execution_id"] if status == 202 else (status, reply)
        )
        n += 1
        time.sleep(max(0.0, started + n - time.monotonic()))  # one a second
    statuses = platform.wait_finished(accepted, timeout=120)

    assert refused == []
    assert len(accepted) >= SOAK_SECONDS * 0.9
    not_succeeded = {i: s for i, s in statuses.items() if s != "succeeded"}
    assert not_succeeded == {}, f"{len(not_succeeded)} of {len(accepted)}: {not_succeeded}"
    # Every process is still the one started: nothing died, nothing restarted.
    assert platform.deaths() == []
    assert platform.pids() == before
    assert all(alive(pid) for pid in before.values())
    console = platform.console()
    # The console: one access line per request, no tick or sweep below DEBUG.
    assert "Sending due task" not in console.replace("Sending due task Credential", "")
    assert not re.search(r"Task (triggers\.tick|housekeeping\.sweep_executions)\[", console)
    # (a hook URL is a secret: only its first characters are printed)
    assert len(re.findall(r"web +\| POST /hooks/[\w-]{6}... 202 ", console)) == len(accepted)
    assert hook.rsplit("/", 1)[1] not in console
    # Memory of the whole tree (supervisor, broker, web, worker and its children, routing
    # worker, beat) after the load, at rest again: the routing worker's child (which ran the
    # start's vector preparation: the encoder, ~650 MiB while it works) is gone once idle.
    deadline = time.monotonic() + 120
    while process_tree(before["routing"])[1:] and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(3)
    total, per_pid = platform.pss_mib()
    by_program = {
        name: round(sum(per_pid.get(p, 0) for p in process_tree(pid)))
        for name, pid in before.items()
    }
    print(f"\nPSS at rest after the soak: {total:.0f} MiB; {by_program}")
    assert total <= MEMORY_LIMIT_MIB, by_program


@pytest.mark.timeout(420)
def test_a_killed_worker_is_restarted_and_runs_before_and_after_the_kill_finish(platform):
    hook = platform.webhook_workflow(name="kill")
    before = platform.pids()
    worker = before["worker"]
    pool = [pid for pid in process_tree(worker) if pid != worker]
    assert pool, "the worker has prefork children"

    sent = [platform.hook(hook, {"phase": "before", "n": n}) for n in range(3)]
    os.kill(worker, signal.SIGKILL)

    def restarted() -> int | None:
        pid = platform.pids()["worker"]
        return pid if pid != worker and alive(pid) else None

    deadline = time.monotonic() + 60
    while not restarted() and time.monotonic() < deadline:
        time.sleep(0.2)
    new_worker = restarted()
    assert new_worker, platform.console()[-3000:]
    # One line says which process died and how.
    assert platform.deaths() == [
        f"worker (pid {worker}) died: killed by SIGKILL "
        + platform.deaths()[0].split("SIGKILL ", 1)[1]
    ]
    assert not [pid for pid in pool if alive(pid)]  # its prefork children went with it
    # Only the worker was touched.
    after = platform.pids()
    assert {k: v for k, v in after.items() if k != "worker"} == {
        k: v for k, v in before.items() if k != "worker"
    }

    sent += [platform.hook(hook, {"phase": "after", "n": n}) for n in range(3)]
    assert [status for status, _ in sent] == [202] * 6, sent
    statuses = platform.wait_finished([reply["execution_id"] for _, reply in sent], timeout=240)
    assert set(statuses.values()) == {"succeeded"}, statuses
