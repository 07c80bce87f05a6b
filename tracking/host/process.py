"""Start the local host as a subprocess and talk to it over real HTTP (tests and benchmarks use it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from pymongo import MongoClient
from pymongo.database import Database

from tracking.host.devdb import ROOT, free_port


@dataclass
class RunningHost:
    """A ``python -m tracking.host`` subprocess on a free port, with its database at hand."""

    base_url: str
    process: subprocess.Popen[bytes]
    db: Database[dict[str, Any]]
    log_path: Path
    session: requests.Session = field(default_factory=requests.Session)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def wait_until_finished(self, path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """Poll an orchestration's status route until it is neither Pending nor Running."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = self.get(path, headers=headers)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            if body["runtimeStatus"] not in ("Pending", "Running"):
                return body
            time.sleep(0.2)
        raise AssertionError(f"{path} did not finish:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def clear_database(self) -> None:
        """Empty every collection but keep its indexes, which the app created once at start."""
        for name in self.db.list_collection_names():
            self.db[name].delete_many({})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.session.close()


def start_host(
    *, mongodb_uri: str, database: str, log_dir: Path, extra_env: dict[str, str] | None = None, timers: bool = False
) -> RunningHost:
    port = free_port()
    env = {
        **os.environ,
        "MONGODB_URI": mongodb_uri,
        "MONGODB_DB": database,
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "tracking.host", "--port", str(port)]
    if not timers:
        command.append("--no-timers")
    log_path = log_dir / f"host-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True)
    host = RunningHost(f"http://127.0.0.1:{port}/api", process, client[database], log_path)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the local host exited with {process.returncode}:\n{host.log()}")
        try:
            if host.get("health", timeout=2).status_code == 200:
                return host
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            host.stop()
            raise RuntimeError(f"the local host did not become healthy:\n{host.log()}")
        time.sleep(0.2)
