"""The API's coder processes end with the server that spawned them, even one killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.model

# A stand-in server: it starts a pool of one coder process, tells its pid, then waits forever.
SERVER = """
import sys, time
from detente.api.workers import Pool
from detente.settings import Settings
pool = Pool(Settings(), 1)
pool.started[0].result(timeout=600)
print(*pool.executor._processes, flush=True)
time.sleep(3600)
"""

# A server gone before its coder process has started: it starts the pool and exits at once.
GONE = """
import os
from detente.api.workers import Pool
from detente.settings import Settings
pool = Pool(Settings(), 1)
print(*pool.executor._processes, flush=True)
os._exit(0)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is gone for our purpose
        return f.read().split(") ", 1)[1][0] != "Z"


def _ends(pid: int, within: float) -> bool:
    """Does process ``pid`` end within ``within`` seconds?"""
    deadline = time.monotonic() + within
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _alive(pid)


def test_a_killed_servers_coder_process_ends():
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(server.stdout.readline().split()[0])
        assert _alive(worker)
        server.send_signal(signal.SIGKILL)
        server.wait()
        assert _ends(worker, 60), f"coder process {worker} outlived its killed server"
    finally:
        server.kill()


def test_a_coder_process_whose_server_went_before_it_started_ends():
    """The worker learns its server's pid from the server: had it asked for its parent once
    started, it would have watched the process that adopted it, and lived on, coder loaded."""
    server = subprocess.Popen([sys.executable, "-c", GONE], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(server.stdout.readline().split()[0])
        server.wait()
        assert _ends(worker, 120), f"coder process {worker} outlived its server"
    finally:
        server.kill()
