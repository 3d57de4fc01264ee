"""pytest plugin for mutation runs: hypothesis draws a fixed, smaller set of examples (same verdict every run)."""
from hypothesis import settings

settings.register_profile("mutate", derandomize=True, max_examples=40, database=None, deadline=None)
