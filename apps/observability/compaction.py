"""Compaction of the metric files of processes that are gone.

prometheus_client's multiprocess mode leaves `<type>_<pid>.db` files for every process that
ever existed and reads all of them at every scrape. Here the files of dead pids are merged into
one `<type>_archive.db` per type (a name the collector reads like any other file) and deleted.

- Locking: compaction holds an exclusive `flock` on `.compaction.lock` in the folder and a
  scrape holds it shared (`locked`), so a scrape sees the files before or after a compaction,
  never a value twice or missing. Live processes write their own files without the lock; a
  live pid's files are never touched (its values are cached in its memory: it would rewrite
  them).
- Crashes: new archives are written beside the old ones (`.db.new`, which the collector does
  not read) and a journal names them and the files they replace. Renaming the journal into
  place is the commit point; whoever takes the lock next finishes a committed compaction and
  drops an uncommitted one. Totals never go backwards, and never count twice.

Django-free: the gunicorn master (which loads no settings) runs it in `child_exit`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prometheus_client.mmap_dict import MmapedDict

ARCHIVE = "archive"
_LOCK = ".compaction.lock"
_JOURNAL = ".compaction.journal"
_NEW = ".new"  # suffix of an archive being written
# counter_12.db, histogram_12.db, summary_12.db, gauge_livesum_12.db ...
_PID_FILE = re.compile(r"^(?P<prefix>[a-z]+(?:_[a-z]+)?)_(?P<pid>\d+)\.db$")

Entry = tuple[float, float]  # value, timestamp: what MmapedDict stores per key
Rule = Callable[[str, Entry, Entry], Entry]


def _sample_name(key: str) -> str:
    return str(json.loads(key)[1])  # mmap_key: [metric_name, sample_name, labels, help]


def _add(key: str, old: Entry, new: Entry) -> Entry:
    if _sample_name(key).endswith("_created"):
        return min(old, new)  # a creation time: the earliest, never a sum of times
    return (old[0] + new[0], 0.0)


def _max(_: str, old: Entry, new: Entry) -> Entry:
    return new if new[0] > old[0] else old


def _min(_: str, old: Entry, new: Entry) -> Entry:
    return new if new[0] < old[0] else old


def _latest(_: str, old: Entry, new: Entry) -> Entry:
    return new if new[1] > old[1] else old


# How a dead process's values join the archive: the rule the collector applies across files,
# so a scrape answers the same before and after. Counter/summary values and histogram buckets
# are stored per process, not cumulative: they add up. Any prefix not here (live gauges, which
# end with their process, and `all` gauges, one series per pid) is deleted without merging.
RULES: dict[str, Rule] = {
    "counter": _add,
    "histogram": _add,
    "summary": _add,
    "gauge_sum": _add,
    "gauge_max": _max,
    "gauge_min": _min,
    "gauge_mostrecent": _latest,
}


def pid_files(path: Path) -> dict[int, list[str]]:
    """The per-process files in the folder, by pid (archives and our own files excluded)."""
    found: dict[int, list[str]] = {}
    for name in os.listdir(path):
        if match := _PID_FILE.match(name):
            found.setdefault(int(match["pid"]), []).append(name)
    return found


@contextlib.contextmanager
def locked(path: Path, *, exclusive: bool) -> Iterator[None]:
    """The folder's compaction lock: exclusive to compact, shared to read the files."""
    with open(path / _LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def compact(path: str | os.PathLike[str], pids: Iterable[int]) -> int:
    """Merge the files of these dead pids into the archives and delete them; how many files
    were removed. The caller vouches that every pid is gone for good."""
    folder = Path(path)
    if not folder.is_dir():
        return 0
    wanted = set(pids)
    with locked(folder, exclusive=True):
        _finish(folder)
        names = [
            name for pid, files in pid_files(folder).items() if pid in wanted for name in files
        ]
        if not names:
            return 0
        archives: dict[str, dict[str, Entry]] = {}
        for name in sorted(names):
            prefix = name.rpartition("_")[0]  # counter, gauge_max, ...
            rule = RULES.get(prefix)
            if rule is None:
                continue
            if prefix not in archives:
                archives[prefix] = _read(folder / f"{prefix}_{ARCHIVE}.db")
            _merge(archives[prefix], _read(folder / name), rule)
        for prefix, entries in archives.items():
            _write(folder / f"{prefix}_{ARCHIVE}.db{_NEW}", entries)
        journal = folder / f"{_JOURNAL}{_NEW}"
        journal.write_text(json.dumps({"archives": sorted(archives), "delete": names}))
        os.replace(journal, folder / _JOURNAL)  # the commit point
        _finish(folder)
    return len(names)


def compact_dead(path: str | os.PathLike[str]) -> int:
    """Compact the files of every pid in the folder that no longer runs on this host."""
    folder = Path(path)
    if not folder.is_dir():
        return 0
    dead = [pid for pid in pid_files(folder) if not _alive(pid)]
    # A journal left by a compactor killed mid-way is finished before anyone reads.
    return compact(folder, dead) if dead or (folder / _JOURNAL).exists() else 0


def _alive(pid: int) -> bool:
    # Only meaningful because the folder is per host/pod: a pid of another machine's process
    # would look dead here.
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _read(file: Path) -> dict[str, Entry]:
    if not file.exists() or file.stat().st_size == 0:  # never sized: its process died first
        return {}
    return {
        key: (value, timestamp)
        for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(str(file))
    }


def _merge(into: dict[str, Entry], entries: dict[str, Entry], rule: Rule) -> None:
    for key, entry in entries.items():
        into[key] = rule(key, into[key], entry) if key in into else entry


def _write(file: Path, entries: dict[str, Entry]) -> None:
    file.unlink(missing_ok=True)  # left by an uncommitted compaction
    archive = MmapedDict(str(file))
    try:
        for key, (value, timestamp) in entries.items():
            archive.write_value(key, value, timestamp)
    finally:
        archive.close()


def _finish(folder: Path) -> None:
    """Complete a committed compaction (idempotent), or drop an uncommitted one's leftovers.
    Called with the exclusive lock held."""
    journal = folder / _JOURNAL
    if journal.exists():
        plan = json.loads(journal.read_text())
        for prefix in plan["archives"]:
            new = folder / f"{prefix}_{ARCHIVE}.db{_NEW}"
            if new.exists():
                os.replace(new, folder / f"{prefix}_{ARCHIVE}.db")
        for name in plan["delete"]:
            (folder / name).unlink(missing_ok=True)
        journal.unlink()
    for leftover in folder.glob(f"*.db{_NEW}"):
        leftover.unlink()
    (folder / f"{_JOURNAL}{_NEW}").unlink(missing_ok=True)
