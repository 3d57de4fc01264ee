"""What a chalicelib module imports, read from its source (imports inside functions too, relative ones resolved):
the layer test (test_import_directions.py) and the cycle test (test_import_cycles.py) both read it."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

import chalicelib

ROOT = Path(chalicelib.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, name: str, *, is_package: bool = False) -> Iterator[tuple[str, list[str]]]:
    """(module, names taken from it) per import statement: `import a.b` is ("a.b", []), `from .x import y` of
    module `name` is ("<name's package>.x", ["y"])."""
    package = name if is_package else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            yield base, [alias.name for alias in node.names]
