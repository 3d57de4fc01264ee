"""The API on a real socket (Chalice's local server in a thread): `make run`, the benches and the tests that need
what a browser or a redirect needs, a URL."""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer, create_local_server

from devstack import local_gateway


class _Quiet(ChaliceRequestHandler):
    def log_message(self, *args: Any) -> None:  # no access log line per request
        pass


@dataclass
class LocalApi:
    """A running local server; `stop()` shuts it down and gives the app its class back."""

    server: LocalDevServer
    thread: threading.Thread
    app: Any
    app_class: type

    @property
    def url(self) -> str:
        host, port = self.server.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server.server_close()
        self.thread.join(timeout=10)
        self.app.__class__ = self.app_class  # create_local_server swaps it for its thread-local request class


def serve(app: Any, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = False) -> LocalApi:
    """Serve `app` on host:port (0: a free port) until `stop()`; OSError when the port is taken."""
    local_gateway.install()  # unknown paths reach the API's catch-all route, as behind API Gateway
    app_class, config = app.__class__, Config.create(chalice_stage="dev", app_name="credits")
    server = create_local_server(app, config, host, port)
    if quiet:
        server.server.RequestHandlerClass = functools.partial(_Quiet, app_object=app, config=config)
    thread = threading.Thread(target=server.server.serve_forever, name="api", daemon=True)
    thread.start()
    return LocalApi(server, thread, app, app_class)
