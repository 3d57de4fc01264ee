"""Sync use cases: push pending ledger changes to QBO (DESIGN §5, §7); the QBO client layer is chalicelib.qbo."""
