"""HTTP glue: OAuth endpoints, the accounting API and the control API on a ThreadingHTTPServer."""
from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import api, consent, control
from .api import Reply
from .oauth import OAuthError
from .state import EmulatorState

DISCOVERY_PATH = "/.well-known/openid_configuration"
CONSENT_PATH = "/connect/oauth2"


def discovery_document(base: str) -> dict:
    """OpenID discovery document with every key intuitlib reads."""
    return {
        "issuer": base, "authorization_endpoint": base + CONSENT_PATH,
        "token_endpoint": base + "/oauth2/v1/tokens/bearer", "revocation_endpoint": base + "/oauth2/v1/tokens/revoke",
        "userinfo_endpoint": base + "/v1/openid_connect/userinfo", "jwks_uri": base + "/oauth2/v1/certs",
        "response_types_supported": ["code"], "grant_types_supported": ["authorization_code", "refresh_token"],
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes; avoid 40 ms delayed-ACK stalls
    server: "_Server"

    def log_message(self, format: str, *args: object) -> None:  # quiet by default
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            reply = self._route(method, url.path, params, body, headers)
        except Exception as exc:  # an emulator bug should surface as a 500 with a message, not a hang
            reply = Reply(500, json.dumps({"error": repr(exc)}).encode())
        if reply.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("intuit_tid", "emulator")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def _route(self, method: str, path: str, params: dict, body: bytes, headers: dict) -> Reply:
        state = self.server.state
        parts = [p for p in path.split("/") if p]
        if path.rstrip("/") == DISCOVERY_PATH:
            return Reply(200, json.dumps(discovery_document(state.base_url)).encode())
        if parts[:2] == ["_control"] or parts[:1] == ["_control"]:
            return control.handle(state, method, parts[1:], body)
        if len(parts) >= 4 and parts[:2] == ["v3", "company"]:
            return api.handle(state, method, parts[2], parts[3:], params, body, headers)
        if path.rstrip("/") == CONSENT_PATH and method == "GET":
            return consent.authorize(state, params)
        if path == "/oauth2/v1/tokens/bearer" and method == "POST":
            return self._token(state, headers, body)
        if path == "/oauth2/v1/tokens/revoke" and method == "POST":
            return self._revoke(state, headers, body)
        if path == "/v1/openid_connect/userinfo":
            return Reply(200, json.dumps({"sub": "emulator-user", "email": "user@example.com"}).encode())
        if path == "/oauth2/v1/certs":
            return Reply(200, b'{"keys": []}')
        return Reply(404, json.dumps({"error": f"no route {method} {path}"}).encode())

    @staticmethod
    def _revoke(state: EmulatorState, headers: dict, body: bytes) -> Reply:
        """RFC 7009 revocation: `token=...` form-encoded, or `{"token": ...}` as intuit-oauth sends it."""
        try:
            client_id = state.oauth.authenticate_client(headers.get("authorization"))
            state.oauth.revoke(client_id, revocation_token(headers.get("content-type", ""), body))
        except OAuthError as err:
            return Reply(err.status, json.dumps({"error": err.error}).encode())
        return Reply(200, b"")

    @staticmethod
    def _token(state: EmulatorState, headers: dict, body: bytes) -> Reply:
        try:
            client_id = state.oauth.authenticate_client(headers.get("authorization"))
            tokens = state.oauth.grant(client_id, dict(parse_qsl(body.decode("utf-8", "replace"))))
        except OAuthError as err:
            return Reply(err.status, json.dumps({"error": err.error}).encode())
        return Reply(200, json.dumps(tokens).encode())


def revocation_token(content_type: str, body: bytes) -> str:
    """The `token` of a revocation request, JSON or form-encoded; 400 invalid_request when there is none."""
    text = body.decode("utf-8", "replace").strip()
    if "json" in content_type.lower() or text.startswith("{"):
        try:
            data = json.loads(text or "{}")
        except ValueError:
            raise OAuthError(400, "invalid_request") from None
        token = data.get("token") if isinstance(data, dict) else None
    else:
        token = dict(parse_qsl(text)).get("token")
    if not isinstance(token, str) or not token:
        raise OAuthError(400, "invalid_request")
    return token


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: EmulatorState, verbose: bool) -> None:
        super().__init__(address, _Handler)
        self.state = state
        self.verbose = verbose


@dataclass
class EmulatorHandle:
    """A running emulator: its base URL, port, state and a stop() method."""

    url: str
    port: int
    state: EmulatorState
    _server: _Server
    _thread: threading.Thread

    @property
    def discovery_url(self) -> str:
        """Pass this as AuthClient(environment=...) / QBO_ENVIRONMENT."""
        return self.url + DISCOVERY_PATH

    @property
    def api_base(self) -> str:
        """Pass this as QuickBooks.api_url_v3 / QBO_API_BASE."""
        return self.url + "/v3"

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start_emulator(port: int = 0, host: str = "127.0.0.1", verbose: bool = False) -> EmulatorHandle:
    """Start the emulator in a daemon thread (port 0 picks a free port)."""
    state = EmulatorState()
    server = _Server((host, port), state, verbose)
    real_port = server.server_address[1]
    state.base_url = f"http://{host}:{real_port}"
    thread = threading.Thread(target=server.serve_forever, name=f"qbo-emulator-{real_port}", daemon=True)
    thread.start()
    return EmulatorHandle(state.base_url, real_port, state, server, thread)


def serve_forever(port: int, host: str = "127.0.0.1", verbose: bool = True) -> None:
    """Run in the foreground until interrupted (the `python -m` entry point)."""
    handle = start_emulator(port, host, verbose)
    print(f"QBO emulator on {handle.url}  discovery {handle.discovery_url}  api {handle.api_base}", flush=True)
    try:
        handle._thread.join()
    except KeyboardInterrupt:
        handle.stop()
