"""PSS of a process tree at rest: `python benchmarks/memory_at_rest.py <root pid>`.

Sums Pss from /proc/<pid>/smaps_rollup over the root and every descendant (PSS splits shared
pages between the processes that map them, so the sum is what the tree really holds), and
prints one line per process and the total in MiB.
"""

import sys
from pathlib import Path


def children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def tree(root: int) -> list[int]:
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children(pid)
    return out


def pss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:110]


def measure(root: int) -> tuple[float, list[tuple[int, float, str]]]:
    rows = []
    for pid in tree(root):
        try:
            rows.append((pid, pss_kib(pid) / 1024, cmdline(pid)))
        except OSError:
            continue
    return sum(r[1] for r in rows), rows


if __name__ == "__main__":
    total, rows = measure(int(sys.argv[1]))
    for pid, mib, cmd in rows:
        print(f"{pid:>8} {mib:8.1f} MiB  {cmd}")
    print(f"total PSS {total:.1f} MiB over {len(rows)} processes")
