"""python -m tracking.host: serve the function app on http://localhost:7071/api/ without Core Tools."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from werkzeug.serving import make_server

from tracking import config
from tracking.host import settings
from tracking.host.devdb import DATA, DevDatabase, free_port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracking.host", description=__doc__)
    parser.add_argument(
        "--port", type=int, help="port to listen on (default: LOCAL_HTTP_PORT or Host.LocalHttpPort, 7071)"
    )
    parser.add_argument("--no-timers", action="store_true", help="do not fire timer triggers on their schedules")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    log = logging.getLogger("tracking.host")

    settings_path = settings.settings_file()
    document = settings.load(settings_path)
    settings.apply(document.get("Values", {}))
    host_port = document.get("Host", {}).get("LocalHttpPort")
    if host_port is not None and not config.settings().is_set(config.LOCAL_HTTP_PORT):
        os.environ["LOCAL_HTTP_PORT"] = str(host_port)
    port = args.port or config.settings().local_http_port
    log.info("settings from %s", settings_path.name)

    devdb = None
    if not config.settings().is_set(config.MONGODB_URI):
        devdb = DevDatabase(DATA / "devdb", free_port()).start()
        os.environ["MONGODB_URI"] = devdb.uri
        log.info("development database (FerretDB/SQLite, data in .data/devdb) at %s", devdb.uri)
    try:
        return serve(port=port, timers_on=not args.no_timers)
    finally:
        # Whatever stopped the host (Ctrl-C, a port already taken, an error), what it started stops too.
        if devdb is not None:
            devdb.stop()
        log.info("stopped")


def serve(*, port: int, timers_on: bool) -> int:
    from function_app import app  # imported after the settings are in the environment
    from tracking.host.durable import DurableRuntime
    from tracking.host.functions import AppFunctions
    from tracking.host.server import LocalHost, QuietRequestHandler
    from tracking.host.timers import TimerScheduler

    base_url = f"http://localhost:{port}"
    functions = AppFunctions(app)
    durable = DurableRuntime(functions.orchestrator_handles(), functions.activity_callables(), base_url)
    timers = TimerScheduler(functions.timers, lambda hosted, request: hosted.invoke(request, durable.client))
    host = LocalHost(functions, durable, timers)
    server = make_server("127.0.0.1", port, host, threaded=True, request_handler=QuietRequestHandler)

    print(f"\nFunctions ({len(functions.all)}):", flush=True)
    for hosted in functions.http:
        methods = ",".join(m.value for m in hosted.trigger.methods or [])
        print(f"  {hosted.name}: [{methods}] {base_url}/api/{hosted.trigger.route}")
    for hosted in functions.timers:
        print(f"  {hosted.name}: timerTrigger {timers.schedule_of(hosted.name)}{'' if timers_on else ' (off)'}")
    for hosted in functions.orchestrators + functions.activities:
        print(f"  {hosted.name}: {hosted.trigger.type}")
    print(f"\nListening on {base_url} (Ctrl-C to stop)\n", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if timers_on:
        timers.start()
    try:
        server.serve_forever()
    finally:
        timers.stop()
        durable.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
