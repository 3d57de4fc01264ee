"""Use cases: one function per user action (load, decide with the domain, commit one transaction)."""
