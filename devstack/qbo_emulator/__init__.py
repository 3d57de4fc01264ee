"""Local QuickBooks Online emulator for tests and the dev stack (never deployed)."""
from .server import EmulatorHandle, start_emulator

__all__ = ["EmulatorHandle", "start_emulator"]
