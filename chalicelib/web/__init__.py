"""The browser side served by the API Lambda: the web console (/console/) and the API docs (/docs)."""
