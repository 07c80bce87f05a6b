"""The development database: FerretDB v1 with SQLite (tools/devdb), built once, started, stopped.

``python -m tracking.host.devdb build|start|stop|status`` manages a background server whose data
lives under ``.data/devdb``; the local host and the tests start their own with ``DevDatabase``.

The build applies the fixes in ``tools/devdb/patches/*.diff`` to a copy of the FerretDB module with
``git apply``, which refuses a FerretDB whose files are not the ones a diff was made from.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tools" / "devdb"
PATCHES = SOURCE / "patches"
DATA = ROOT / ".data"
STATE_FILE = DATA / "devdb.json"

FERRETDB_MODULE = "github.com/FerretDB/FerretDB"


def patch_files() -> list[Path]:
    """The diffs applied to FerretDB, each explained at its top (git apply skips text before the diff)."""
    return sorted(PATCHES.glob("*.diff"))


class DevDatabaseError(RuntimeError):
    pass


def binary_path() -> Path:
    """Where the build for the current sources lives: a new hash means a new build."""
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((SOURCE / name).read_bytes())
    for patch in patch_files():
        digest.update(patch.name.encode())
        digest.update(patch.read_bytes())
    return DATA / "bin" / f"devdb-{digest.hexdigest()[:12]}"


def _patched_modfile(go: str, env: dict[str, str], work: Path) -> Path:
    """A go.mod for tools/devdb that builds FerretDB from a copy in ``work`` with the patches applied.

    ``go build -overlay`` may not replace files of the module cache, so the module is copied and
    the build points at the copy with ``replace``; the committed go.mod stays as it is.
    """
    result = subprocess.run(
        [go, "mod", "download", "-json", FERRETDB_MODULE], cwd=SOURCE, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise DevDatabaseError(f"finding {FERRETDB_MODULE} failed:\n{result.stdout}{result.stderr}")
    module_dir = Path(json.loads(result.stdout)["Dir"])
    copy = work / "ferretdb"
    shutil.copytree(module_dir, copy, copy_function=shutil.copyfile)
    for directory, _, _ in os.walk(copy):  # the module cache is read-only, and so is what copytree made of it
        os.chmod(directory, 0o755)
    for patch in patch_files():
        applied = subprocess.run(
            ["git", "apply", str(patch)],
            cwd=copy,
            # The copy may sit inside this repository (.data/): git must patch it as a plain folder.
            env={**env, "GIT_CEILING_DIRECTORIES": str(copy.parent)},
            capture_output=True,
            text=True,
        )
        if applied.returncode != 0:
            # A new FerretDB version: the diff no longer fits, and building without it would bring the hang back.
            raise DevDatabaseError(f"{patch.name} does not apply to {module_dir}:\n{applied.stderr}")
    modfile = work / "go.mod"
    modfile.write_text((SOURCE / "go.mod").read_text() + f"\nreplace {FERRETDB_MODULE} => {copy}\n")
    shutil.copyfile(SOURCE / "go.sum", work / "go.sum")  # go looks for the sums next to -modfile
    return modfile


def build() -> Path:
    """Build tools/devdb once; later calls reuse the cached binary."""
    target = binary_path()
    if target.exists():
        return target
    go = shutil.which("go")
    if go is None:
        raise DevDatabaseError("Go is needed to build the development database (tools/devdb); install Go 1.24+")
    target.parent.mkdir(parents=True, exist_ok=True)
    print("devdb: building FerretDB (first run only, about a minute)...", file=sys.stderr, flush=True)
    env = {**os.environ, "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"}
    # Names of this process's own, so that two test sessions building at once do not collide.
    partial = target.with_suffix(f".{os.getpid()}.partial")
    work = Path(tempfile.mkdtemp(prefix=f"{target.name}-", suffix=".src", dir=target.parent))
    try:
        modfile = _patched_modfile(go, env, work)
        result = subprocess.run(
            [
                go,
                "build",
                "-trimpath",
                "-tags=ferretdb_no_postgresql",
                f"-modfile={modfile}",
                f"-ldflags=-X main.patched={','.join(patch.stem for patch in patch_files())}",
                "-o",
                str(partial),
                ".",
            ],
            cwd=SOURCE,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if result.returncode != 0:
        raise DevDatabaseError(f"building tools/devdb failed:\n{result.stderr}")
    partial.rename(target)
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answering(uri: str, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    probe: MongoClient[dict[str, object]]
    with MongoClient(uri, serverSelectionTimeoutMS=500, connectTimeoutMS=500) as probe:
        while True:
            try:
                probe.admin.command("ping")
                return
            except PyMongoError as error:
                if time.monotonic() > deadline:
                    raise DevDatabaseError(f"the development database at {uri} did not answer: {error}") from error
                time.sleep(0.1)


@dataclass
class DevDatabase:
    """One running development database server on a loopback port."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(self, *, timeout_seconds: float = 30.0, detach: bool = False) -> DevDatabase:
        binary = build()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "devdb.log", "ab")  # noqa: SIM115 - the child process owns it
        self.process = subprocess.Popen(
            [str(binary), "-listen", f"127.0.0.1:{self.port}", "-data", str(self.data_dir)],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=detach,
        )
        try:
            wait_until_answering(self.uri, timeout_seconds)
        except DevDatabaseError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _read_state() -> dict[str, int] | None:
    if not STATE_FILE.exists():
        return None
    state = json.loads(STATE_FILE.read_text())
    try:
        os.kill(state["pid"], 0)
    except OSError:
        STATE_FILE.unlink()
        return None
    return state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracking.host.devdb", description=__doc__)
    parser.add_argument("command", choices=["build", "start", "stop", "status"])
    parser.add_argument("--port", type=int, default=27017, help="loopback port for start (default 27017)")
    args = parser.parse_args(argv)

    if args.command == "build":
        print(build())
        return 0
    state = _read_state()
    if args.command == "status":
        print(f"running: mongodb://127.0.0.1:{state['port']}/ (pid {state['pid']})" if state else "stopped")
        return 0 if state else 1
    if args.command == "start":
        if state:
            print(f"already running: mongodb://127.0.0.1:{state['port']}/")
            return 0
        server = DevDatabase(DATA / "devdb", args.port).start(detach=True)
        assert server.process is not None
        STATE_FILE.write_text(json.dumps({"pid": server.process.pid, "port": server.port}))
        print(f"started: MONGODB_URI={server.uri}")
        return 0
    if state:
        os.kill(state["pid"], signal.SIGTERM)
        STATE_FILE.unlink()
        print("stopped")
    else:
        print("not running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
