"""Static files of /console/ and /docs, built by `make` (web/build.mjs) into chalicelib/web/static/ and shipped in
the API Lambda's zip. app.py imports this module only when one of those routes is called: serving the pages adds
nothing to `import app` (the cold start of every API request).

Every answer carries a strict Content-Security-Policy (scripts, styles and requests of this origin only, no inline
script, nothing framed), `nosniff`, and no referrer. The assets have content-hashed names, so they are cached for a
year as immutable; the two pages are revalidated on every visit, so a deploy shows at once.
"""
from __future__ import annotations

import re
from pathlib import Path

from chalice import Response

from ..api.responses import error_response
from ..api.routing import current_request

ROOT = Path(__file__).with_name("static")
SECTIONS = ("console", "docs")
ASSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".json": "application/json"}
# connect-src 'self': the console and "Try it out" call this API only. img-src data: Swagger UI's icons are data URIs.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
COMMON_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                  "X-Frame-Options": "DENY"}
PAGE_CACHE = "no-cache"  # revalidate: the page names the assets of the current build
ASSET_CACHE = "public, max-age=31536000, immutable"
_cache: dict[Path, str] = {}


class NotBuilt(RuntimeError):
    """The static folder is missing: `make` builds it (web/build.mjs) before run, test and package."""


def page(section: str) -> Response:
    """The section's index.html; `/console` and `/docs/` are redirected so that the page's relative links resolve.

    API Gateway (and Chalice's local server) route `/console/` and `/console` alike; the request's own path says
    which was asked for. The console's assets are relative to `/console/`, the docs' to `/docs`.
    """
    wants_slash = section == "console"
    request = current_request()
    request_path = (request.context.get("path") if request is not None else None) or f"/{section}"
    if request_path.endswith("/") != wants_slash:
        location = f"{section}/" if wants_slash else f"../{section}"
        return Response(body="", status_code=308, headers={**COMMON_HEADERS, "Location": location,
                                                           "Cache-Control": PAGE_CACHE})
    return _file(ROOT / section / "index.html", PAGE_CACHE)


def asset(section: str, name: str) -> Response:
    """One built asset of the section, by its (content-hashed) file name."""
    if not ASSET_NAME.fullmatch(name) or name == "index.html" or Path(name).suffix not in TYPES:
        return _not_found(section, name)
    path = ROOT / section / name
    if not path.is_file():
        return _not_found(section, name)
    return _file(path, ASSET_CACHE)


def _file(path: Path, cache_control: str) -> Response:
    text = _cache.get(path)
    if text is None:
        if not path.is_file():
            raise NotBuilt(f"{path} is missing: run `make` (web/build.mjs builds the console and the docs)")
        text = _cache[path] = path.read_text(encoding="utf-8")
    return Response(body=text, status_code=200, headers={
        **COMMON_HEADERS, "Content-Type": TYPES[path.suffix], "Cache-Control": cache_control})


def _not_found(section: str, name: str) -> Response:
    response = error_response(404, "not_found", f"no such file under /{section}/", {"name": name[:100]})
    response.headers.update(COMMON_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response
