"""`python -m devstack.qbo_emulator --port 8001` runs the emulator in the foreground."""
import argparse

from .server import serve_forever


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(description="QuickBooks Online emulator")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    serve_forever(args.port, args.host, verbose=not args.quiet)


if __name__ == "__main__":
    main()
