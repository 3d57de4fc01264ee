"""API Gateway's greedy path variable (`{proxy+}`) for Chalice's local gateway (its local server and test client),
which matches only paths of the same length. With it, a path no route serves reaches the API's catch-all route
locally as it does deployed (chalicelib/api/fallback_routes.py), instead of Chalice's own 403."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from chalice import local

_Base = local.RouteMatcher


class GreedyRouteMatcher(_Base):
    """Same-length routes first (as before), then routes whose last part is greedy (`{name+}`, one or more parts)."""

    def match_route(self, url: str) -> local.MatchResult:
        try:
            return super().match_route(url)
        except ValueError:
            pass
        parsed = urlparse(url)
        path = parsed.path.rstrip("/") if parsed.path != "/" else parsed.path
        parts = path.split("/")
        for route_url in self.route_urls:
            route_parts = route_url.split("/")
            greedy = route_parts[-1]
            if not (greedy.startswith("{") and greedy.endswith("+}")) or len(parts) < len(route_parts):
                continue
            captured = _prefix_match(parts, route_parts[:-1])
            if captured is not None:
                captured[greedy[1:-1]] = "/".join(parts[len(route_parts) - 1:])
                return local.MatchResult(route_url, captured, parse_qs(parsed.query, keep_blank_values=True))
        raise ValueError(f"No matching route found for: {url}")


def _prefix_match(parts: list[str], route_parts: list[str]) -> dict[str, str] | None:
    captured: dict[str, str] = {}
    for part, route_part in zip(parts, route_parts):
        if route_part.startswith("{") and route_part.endswith("}"):
            captured[route_part[1:-1]] = part
        elif part != route_part:
            return None
    return captured


def install() -> None:
    """Make every local gateway created from now on (LocalGateway builds its matcher per app) match greedily."""
    local.RouteMatcher = GreedyRouteMatcher
