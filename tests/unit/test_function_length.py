"""A function should be read in one look: none in chalicelib runs past 50 lines (docstring and comments included)."""
from __future__ import annotations

import ast
from pathlib import Path

import chalicelib

ROOT = Path(chalicelib.__file__).parent
LIMIT = 50


def test_no_function_in_chalicelib_is_longer_than_50_lines():
    long = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > LIMIT:
                    long.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []
