"""DynamoDB Local (AWS's own emulator jar) for the dev stack and the tests: fetch once, start, stop.

The jar ships inside the npm package amplify-dynamodb-simulator@2.9.30 under emulator/; it is cached in
.cache/dynamodb-local (git-ignored) and needs Java 17+.
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

NPM_PACKAGE = "amplify-dynamodb-simulator@2.9.30"
ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("DYNAMODB_LOCAL_DIR", ROOT / ".cache" / "dynamodb-local"))
JAVA_HELP = ("DynamoDB Local needs Java 17 or newer. On Debian/Ubuntu: sudo apt-get update && "
             "sudo apt-get install -y openjdk-17-jre-headless ; on macOS: brew install openjdk@17")


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be obtained or started; the message says what to do."""


def check_java() -> None:
    java = shutil.which("java")
    if not java:
        raise DynamoDBLocalError(JAVA_HELP)
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):
        major = int(match.group(2))
    if major < 17:
        raise DynamoDBLocalError(f"found Java {major or 'unknown'}; " + JAVA_HELP)


def ensure_jar() -> Path:
    """The emulator folder, downloading the npm package once if it is not cached yet.

    Several processes may ask at once (pytest-xdist workers on a fresh machine): an exclusive file lock lets one
    download while the others wait, then find the jar.
    """
    emulator = CACHE / "emulator"
    if (emulator / "DynamoDBLocal.jar").exists():
        return emulator
    npm = shutil.which("npm")
    if not npm:
        raise DynamoDBLocalError("npm is needed once to fetch DynamoDB Local (apt-get install -y npm)")
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".download.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if (emulator / "DynamoDBLocal.jar").exists():
            return emulator  # another process fetched it while this one waited
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True)
            tarball = next(Path(tmp).glob("*.tgz"))
            with tarfile.open(tarball) as archive:
                members = [m for m in archive.getmembers() if m.name.startswith("package/emulator/")]
                archive.extractall(tmp, members=members, filter="data")
            staging = CACHE / "emulator.partial"
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(emulator, ignore_errors=True)  # a folder left without its jar by an interrupted run
            shutil.move(str(Path(tmp) / "package" / "emulator"), staging)
            staging.rename(emulator)
    return emulator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DynamoDBLocal:
    process: subprocess.Popen
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _answers(endpoint: str) -> bool:
    import boto3
    from botocore.config import Config

    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="local",
                          aws_secret_access_key="local", config=Config(retries={"max_attempts": 1},
                                                                       connect_timeout=1, read_timeout=2))
    try:
        client.list_tables(Limit=1)
        return True
    except Exception:  # noqa: BLE001 - not up yet
        return False


def start(port: int | None = None, *, in_memory: bool = True, timeout: float = 180.0) -> DynamoDBLocal:
    """Start DynamoDB Local with -sharedDb -disableTelemetry and wait until it answers."""
    check_java()
    emulator = ensure_jar()
    port = port or free_port()
    args = ["java", f"-Djava.library.path={emulator / 'DynamoDBLocal_lib'}", "-jar", str(emulator / "DynamoDBLocal.jar"),
            "-sharedDb", "-disableTelemetry", "-port", str(port)]
    if in_memory:
        args.append("-inMemory")
    else:
        args += ["-dbPath", str(CACHE)]
    process = subprocess.Popen(args, cwd=emulator, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = DynamoDBLocal(process, port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DynamoDBLocalError(f"DynamoDB Local exited: {process.stderr.read().decode(errors='replace')}")
        if _answers(server.endpoint):
            return server
        time.sleep(0.2)
    server.stop()
    raise DynamoDBLocalError(f"DynamoDB Local did not answer on port {port} within {timeout:.0f} s")
