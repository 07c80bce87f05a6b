"""bench.load in a smoke run (one client, seconds, a frozen database), so that it keeps working; no timings."""

from __future__ import annotations

import subprocess
import sys

from tracking.host.devdb import ROOT


def test_the_load_bench_runs_and_loses_no_session() -> None:
    command = [sys.executable, "-m", "bench.load", "--seconds", "2", "--clients", "1", "--users-per-client", "1"]
    # A margin no answer reaches: the smoke run checks what is counted, not how fast.
    command += ["--outages", "pause", "--outage-clients", "1", "--outage-seconds", "3", "--margin-ms", "600000"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["1", "all"] for line in lines), result.stdout
    assert all(" lost 0;" in line for line in lines if "sessions acknowledged" in line), result.stdout
    assert lines[-1] == "result: passed"
