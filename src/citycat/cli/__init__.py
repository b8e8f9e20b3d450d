"""The command line: options parsed here, the work done by the layers below.

``app`` (``citycat.cli.app``) holds every command: each group registers its own on import.
"""

from __future__ import annotations

import os
import sys

from citycat.cli import catalogue, editing, imports, init, release  # noqa: F401 - each registers its commands
from citycat.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug in citycat, never a user's mistake: say so, exit 2
        if os.environ.get("CITYCAT_DEBUG"):
            raise
        print(f"citycat: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("Please report it; set CITYCAT_DEBUG=1 to see the traceback.", file=sys.stderr)
        sys.exit(2)
