"""The ops CLI for support staff (`python -m chalicelib.ops`): parity, mass re-sync, disconnect, legacy memo export,
DLQ redrive, against a deployed stage or the local stack. Never imported by app.py: it is a client of the API."""
