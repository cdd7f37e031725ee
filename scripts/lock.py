"""The Python lock file: requirements.lock pins every package `make install` installs.

``python scripts/lock.py`` (``make lock``) resolves pyproject.toml's dependencies and dev
extras with pip-compile (reusing the current pins where they still fit, so a lock refresh
moves only what must move) and stamps the lock with a hash of those dependency lists.
``python scripts/lock.py --check`` (in ``make test``) fails when pyproject.toml's lists have
changed since the lock was made, or when a pin does not satisfy its requirement. It is
offline and takes a fraction of a second.

torch is pinned ``==2.13.0`` in pyproject.toml; on this machine pip's find-links hold the
CPU build, so the lock pins ``torch==2.13.0+cpu`` and plain pip installs it from disk.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
STAMP = "# pyproject-dependencies-sha256: "
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)")


def _requirements() -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dev"]]


def _digest() -> str:
    return hashlib.sha256(json.dumps(_requirements()).encode()).hexdigest()


def _pins(text: str) -> dict[str, Version]:
    return {
        canonicalize_name(m[1]): Version(m[2])
        for line in text.splitlines()
        if (m := _PIN.match(line))
    }


def compile_lock() -> None:
    subprocess.run(  # noqa: S603 - a fixed command line
        [
            sys.executable,
            "-m",
            "piptools",
            "compile",
            "--quiet",
            "--no-strip-extras",
            "--extra",
            "dev",
            "--no-emit-index-url",
            "--no-emit-find-links",
            "--output-file",
            str(LOCK.relative_to(ROOT)),
            "pyproject.toml",
        ],
        cwd=ROOT,
        check=True,
    )
    text = "".join(
        line + "\n" for line in LOCK.read_text().splitlines() if not line.startswith(STAMP)
    )
    LOCK.write_text(f"{STAMP}{_digest()}\n{text}")


def check_lock() -> list[str]:
    """What is wrong with the lock (nothing: an empty list)."""
    if not LOCK.exists():
        return ["requirements.lock is missing: run `make lock`"]
    text = LOCK.read_text()
    stamp = next((line[len(STAMP) :] for line in text.splitlines() if line.startswith(STAMP)), None)
    problems = []
    if stamp != _digest():
        problems.append(
            "pyproject.toml's dependencies changed since requirements.lock was "
            "made: run `make lock`"
        )
    pins = _pins(text)
    for line in _requirements():
        requirement = Requirement(line)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"{requirement.name}=={pinned} does not satisfy {requirement}")
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        found = check_lock()
        print("\n".join(found) or "requirements.lock matches pyproject.toml")
        sys.exit(1 if found else 0)
    compile_lock()
