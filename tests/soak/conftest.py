"""The soak uses the session's DynamoDB Local and Chalice test client (tests/conftest.py) and the QBO emulator."""
from tests.qbo.conftest import qbo_emulator  # noqa: F401 - the session's emulator, shared with tests/qbo
