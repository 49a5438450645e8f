"""Several uvicorn worker processes, each listening on the same port through its own socket (SO_REUSEPORT),
so the kernel spreads connections evenly between them.

uvicorn's own `--workers` shares one listening socket, and whichever worker wakes first accepts a whole
burst: 50 keep-alive clients were measured split 50/0, 42/8 and 39/11 between two workers, one worker
doing all the work while the other idled (docs/api.md, Performance)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

log = logging.getLogger("ilos.serve")

STARTUP_GRACE_SECONDS = 30.0
"""A worker that exits sooner than this after starting failed to start (port taken, bad settings): the
server stops with an error instead of restarting it forever."""


@dataclass(frozen=True, slots=True)
class ServeOptions:
    app: str
    host: str
    port: int
    access_log: bool


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to HOST:PORT that other processes of this server may bind too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def run_worker(options: ServeOptions) -> None:
    """One worker process: its own socket on the shared port, one uvicorn server."""
    import uvicorn

    try:
        sock = listening_socket(options.host, options.port)
    except OSError as exc:
        print(f"ilos serve: cannot listen on {options.host}:{options.port}: {exc}", file=sys.stderr)
        raise SystemExit(3) from None
    config = uvicorn.Config(
        options.app,
        factory=True,
        host=options.host,
        port=options.port,
        proxy_headers=False,
        access_log=options.access_log,
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(options: ServeOptions, workers: int) -> None:
    """Start `workers` processes and keep them running (a worker that dies after starting is replaced)
    until SIGINT or SIGTERM; then stop them all."""
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> tuple[BaseProcess, float]:
        process = context.Process(target=run_worker, args=(options,), name="ilos-serve-worker")
        process.start()
        return process, time.monotonic()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    running = [start() for _ in range(workers)]
    print(f"ilos serve: {workers} worker processes on http://{options.host}:{options.port}", file=sys.stderr)
    failure: str | None = None
    try:
        while not stopping.wait(0.5):
            for i, (process, started) in enumerate(running):
                if process.is_alive():
                    continue
                if time.monotonic() - started < STARTUP_GRACE_SECONDS:
                    failure = f"a worker exited with status {process.exitcode} while starting"
                    stopping.set()
                    break
                log.warning(
                    "worker %s exited with status %s; starting another", process.pid, process.exitcode
                )
                running[i] = start()
    finally:
        _stop_all([process for process, _ in running])
        for s, handler in previous.items():
            signal.signal(s, handler)
    if failure:
        raise SystemExit(f"ilos serve: {failure}; nothing is serving")


def _stop_all(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
    deadline = time.monotonic() + 30
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()


def serving_processes(pid: int) -> list[Path]:
    """The /proc directories of the server `pid` and its direct children, its workers (not multiprocessing's
    resource tracker, which serves nothing)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if str(pid) not in (stat.parent.name, stat.read_text().rsplit(")", 1)[1].split()[1]):
                continue
            if b"resource_tracker" not in (stat.parent / "cmdline").read_bytes():
                found.append(stat.parent)
        except OSError:
            continue
    return found


def connections_per_process(pid: int, port: int) -> list[int]:
    """How many established connections to `port` each process serving it holds (the server `pid` or its
    worker processes), most first, from /proc: how evenly the kernel spread the clients."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
            inodes.add(f"socket:[{fields[9]}]")
    counts: dict[str, int] = {}
    for process in serving_processes(pid):
        try:
            links = [os.readlink(fd) for fd in (process / "fd").iterdir()]
        except OSError:
            continue
        counts[process.name] = sum(1 for link in links if link in inodes)
    if len(counts) > 1:
        counts.pop(str(pid), None)  # the supervisor of several workers accepts nothing itself
    return sorted(counts.values(), reverse=True)
