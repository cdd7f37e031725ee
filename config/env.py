"""Reads the environment once. Everything configurable is listed in `.env.example`."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The embedded default's data folder (SQLite file, broker socket and data, cache, secrets).
# FLOWPLANE_VAR_DIR moves it, so that a second instance (a test, a demo) keeps apart.
VAR_DIR = Path(env.str("FLOWPLANE_VAR_DIR", default="") or BASE_DIR / "var").resolve()


def var_path(*parts: str) -> Path:
    """A path under `var/`, the embedded default's data folder, created on first use."""
    path = VAR_DIR.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def metrics_dir() -> str:
    """Where every process writes its Prometheus samples: the settings and the gunicorn master
    (which loads no settings) must agree."""
    return env.str("PROMETHEUS_MULTIPROC_DIR", default="") or str(
        var_path("metrics", ".keep").parent
    )
