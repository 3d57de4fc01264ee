"""The connection owns the realm mapping (DESIGN §7): nothing but the connect and disconnect use cases writes the
QBO connection, the account's connection state or the realm → account mapping. Not the dev stack, not a bench, not
a test: they connect through `POST /qbo/connect` → consent → `GET /qbo/callback` (tests/qbo/consent.py).

Read from the source (AST), so a shortcut added anywhere fails here before it hides a broken production path.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEARCHED = ("app.py", "chalicelib", "devstack", "bench", "tests")
# Where the connection is persisted, and the use cases allowed to call that persistence.
OWNERS = {"chalicelib/store/qbo_connections.py", "chalicelib/store/models.py"}
USE_CASES = {"chalicelib/services/sync/connection.py"}
# Files that touch the raw items on purpose, and why.
EXEMPT = {
    "tests/qbo/test_qbo_connections.py": "writes one item the way a release before token sealing stored it",
    "tests/unit/test_connection_writers.py": "this test names what it looks for",
}
ITEM_CLASSES = {"RealmItem", "QboConnectionItem", "RevocationItem"}
KEY_MARKERS = ("REALM" + "#", "QBO#" + "CONNECTION", "QBO#" + "REVOKE")
STATE_FIELDS = {"qbo_state", "qbo_realm_id"}
STORE_WRITES = {"establish", "disconnect", "revoked", "revoke_failed"}  # store.qbo_connections' writers
RETIRED = {"set_" + "qbo_connection", "connect_account"}  # the old shortcuts: they must not come back


def _python_files() -> list[Path]:
    files: list[Path] = []
    for place in SEARCHED:
        path = ROOT / place
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*.py") if ".venv" not in p.parts)
    return files


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Name) and node.id in ITEM_CLASSES | RETIRED:
            found.append(f"{line}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in ITEM_CLASSES | RETIRED:
            found.append(f"{line}: .{node.attr}")
        elif isinstance(node, ast.alias) and node.name in ITEM_CLASSES | RETIRED:
            found.append(f"imports {node.name}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if any(marker in node.value for marker in KEY_MARKERS):
                found.append(f"{line}: key {node.value[:40]!r}")
            elif any(f"{f} =" in node.value or f"{f}=" in node.value for f in STATE_FIELDS):
                found.append(f"{line}: writes {node.value[:40]!r}")
        elif isinstance(node, ast.Attribute) and node.attr in STATE_FIELDS and isinstance(node.ctx, ast.Store):
            found.append(f"{line}: assigns .{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("set", "remove")
              and isinstance(node.func.value, ast.Attribute) and node.func.value.attr in STATE_FIELDS):
            found.append(f"{line}: {node.func.value.attr}.{node.func.attr}()")
    return found


def _store_writer_calls(path: Path) -> list[str]:
    """Calls of store.qbo_connections' writers (`connections.establish(...)`, or the names imported from it)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.module or "").endswith("qbo_connections") for alias in node.names
                if alias.name in STORE_WRITES}
    modules = {alias.asname or alias.name.rsplit(".", 1)[-1] for node in ast.walk(tree)
               if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names
               if alias.name.endswith("qbo_connections")}
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in imported:
            calls.append(f"{node.lineno}: {func.id}()")
        elif (isinstance(func, ast.Attribute) and func.attr in STORE_WRITES and isinstance(func.value, ast.Name)
              and func.value.id in modules):
            calls.append(f"{node.lineno}: {func.value.id}.{func.attr}()")
    return calls


def test_only_the_connection_store_touches_the_connection_items_keys_and_state_fields():
    offenders = {}
    for path in _python_files():
        name = path.relative_to(ROOT).as_posix()
        if name in OWNERS or name in EXEMPT:
            continue
        found = _findings(path)
        if found:
            offenders[name] = found
    assert offenders == {}, ("write the QBO connection only through the consent callback and the disconnect use case "
                             f"(tests connect with tests/qbo/consent.py): {offenders}")


def test_only_the_connect_and_disconnect_use_cases_call_the_connection_stores_writers():
    offenders = {}
    for path in _python_files():
        name = path.relative_to(ROOT).as_posix()
        if name in OWNERS | USE_CASES or name in EXEMPT:
            continue
        calls = _store_writer_calls(path)
        if calls:
            offenders[name] = calls
    assert offenders == {}, f"only chalicelib/services/sync/connection.py writes connections: {offenders}"


def test_the_guard_sees_a_shortcut(tmp_path):
    """The checks above have teeth: each kind of shortcut they look for is found in a sample."""
    sample = tmp_path / "shortcut.py"
    sample.write_text(
        "from chalicelib.store.qbo_connections import establish\n"
        "from chalicelib.store import qbo_connections as c\n"
        "from chalicelib.store.models import RealmItem\n"
        f"KEY = {('REALM' + '#x')!r}\n"
        "def f(account, client):\n"
        "    account.qbo_state = 'connected'\n"
        "    account.update(actions=[type(account).qbo_realm_id.set('1')])\n"
        f"    client.update_item(UpdateExpression={'SET qbo_state = :s'!r})\n"
        "    establish(account, None, None)\n"
        "    c.disconnect(account, None)\n")
    found = _findings(sample)
    assert any("RealmItem" in f for f in found) and any("key" in f for f in found)
    assert any("assigns .qbo_state" in f for f in found) and any("qbo_realm_id.set()" in f for f in found)
    assert any("writes 'SET qbo_state" in f for f in found)
    assert [c.split(": ")[1] for c in _store_writer_calls(sample)] == ["establish()", "c.disconnect()"]
