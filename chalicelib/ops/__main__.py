"""`python -m chalicelib.ops ...`: see chalicelib/ops/cli.py."""
import sys

from .cli import main

sys.exit(main())
