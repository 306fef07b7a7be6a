"""The ``lip`` command. Each sub-command lives in ``lip_research.commands.<stage>``."""

from __future__ import annotations

import importlib
import os
import sys

import typer

app = typer.Typer(
    name="lip",
    help=(
        "lip_research: learn from child safeguarding case reviews. "
        "Ingest reports, model topics, code them against the Learning into Practice "
        "frameworks and write reproducible thematic reports."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (command name, module under lip_research.commands, function name). One line per command.
COMMANDS: list[tuple[str, str, str]] = [
    ("ingest", "ingest", "ingest"),
    ("sample", "sample", "sample"),
    ("topics", "topics", "topics"),
    ("evaluate", "topics", "evaluate"),
    ("report", "report", "report"),
    ("runs", "report", "runs"),
    ("compare", "report", "compare"),
    ("themes", "lenses", "themes"),
    ("quality", "lenses", "quality"),
    ("search", "lenses", "search"),
    ("briefing", "lenses", "briefing"),
    ("calibrate", "lenses", "calibrate"),
]

for _name, _module, _func in COMMANDS:
    _mod = importlib.import_module(f"lip_research.commands.{_module}")
    app.command(_name)(getattr(_mod, _func))


def main() -> None:
    """Entry point of the ``lip`` script.

    Once a command has finished and every file is written and closed, the process exits at
    once: tearing down PyTorch and the other libraries a run loads takes over a second and
    does nothing useful for a command-line tool.
    """
    from lip_research.commands import show_warnings_as_lines
    from lip_research.runtime import Stopped, stop_on_sigterm

    show_warnings_as_lines()
    stop_on_sigterm()
    code: int = 0
    try:
        app()
    except Stopped as exc:
        print(f"error: {exc}", file=sys.stderr)  # a run it was writing says so in STATUS
        code = 128 + 15
    except SystemExit as exc:
        if isinstance(exc.code, int):
            code = exc.code
        elif exc.code is not None:
            print(exc.code, file=sys.stderr)
            code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
