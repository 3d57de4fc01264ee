"""Names the interpreter only trips over at run time: a function defined twice in one module (the second silently
replaces the first) or a name used and never defined. pyflakes finds both without importing anything."""
from pathlib import Path

from pyflakes import api, messages
from pyflakes.reporter import Reporter

ROOT = Path(__file__).resolve().parents[2]
SERIOUS = (messages.RedefinedWhileUnused, messages.UndefinedName, messages.UndefinedLocal,
           messages.UndefinedExport, messages.DuplicateArgument)


class _Collect(Reporter):
    def __init__(self) -> None:
        super().__init__(None, None)
        self.found: list[str] = []

    def flake(self, message) -> None:
        if isinstance(message, SERIOUS):
            self.found.append(str(message))

    def syntaxError(self, filename, msg, lineno, offset, text) -> None:
        self.found.append(f"{filename}:{lineno}: {msg}")

    def unexpectedError(self, filename, msg) -> None:
        self.found.append(f"{filename}: {msg}")


def test_no_module_redefines_or_misses_a_name():
    report = _Collect()
    for path in [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py")), *sorted((ROOT / "devstack").rglob("*.py"))]:
        api.checkPath(str(path), report)
    assert report.found == []
