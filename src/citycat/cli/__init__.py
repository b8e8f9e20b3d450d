"""The command line: options parsed here, the work done by the layers below.

``app`` (``citycat.cli.app``) holds every command: each group registers its own on import.
``main`` runs it in the chosen language (``citycat.cli.usage``): its help, its usage errors
and its internal errors are said in our words, never click's or Python's.
"""

from __future__ import annotations

import os
import sys

from citycat.cli import catalogue, editing, imports, init, release  # noqa: F401 - each registers its commands
from citycat.cli.app import app

__all__ = ["app", "main"]


def main(args: list[str] | None = None) -> None:
    import typer.main

    from citycat.cli import usage
    from citycat.cli.words import say

    args = list(sys.argv[1:] if args is None else args)
    language = usage.chosen_language(args)
    command = typer.main.get_command(app)
    usage.localise(command, language)
    try:
        code = command.main(args, prog_name="citycat", standalone_mode=False)
    except usage.NoArgsIsHelpError as exc:  # ``citycat`` or ``citycat import`` alone: the help
        print(exc.ctx.get_help(), file=sys.stderr)
        sys.exit(2)
    except usage.UsageError as exc:
        for line in usage.usage_error(exc, args, language):
            print(line, file=sys.stderr)
        sys.exit(2)
    except usage.Abort:
        print(f"citycat: {say('usage.aborted', language)}", file=sys.stderr)
        sys.exit(1)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug in citycat, never a user's mistake: say so, exit 2
        if os.environ.get("CITYCAT_DEBUG"):
            raise
        print(f"citycat: {say('main.internal_error', language, kind=type(exc).__name__)}", file=sys.stderr)
        print(say("main.report_it", language), file=sys.stderr)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
