"""moto's SQS as a local server that pumps in several processes share (`SyncPump(sqs_endpoint=...)`).

One request at a time: moto's receive and delete are not thread-safe (a FIFO group's message could reach two
receivers at once), and SQS answers each of them atomically. Usage: python -m devstack.sqs_server --port 5055
"""
from __future__ import annotations

import argparse
import warnings


def serve(host: str, port: int) -> None:
    """Serve moto's backends on host:port until the process is stopped (no line per request)."""
    with warnings.catch_warnings():  # "install moto[server]": SQS needs only flask and flask-cors of its extras
        warnings.simplefilter("ignore", UserWarning)
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *_args) -> None:
            pass

    app = DomainDispatcherApplication(create_backend_app)
    make_server(host, port, app, threaded=False, request_handler=QuietHandler).serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    serve(arguments.host, arguments.port)
