"""HTTP adapters: authentication, request parsing, responses, and the route blueprints."""
