"""Command-line entry points, one module per stage; heavy imports stay inside the functions."""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import typer

from lip_research.runtime import ours


def warn(message: str) -> None:
    """One yellow ``warning:`` line on stderr."""
    typer.secho(f"warning: {message}", fg=typer.colors.YELLOW, err=True)


PACKAGE = Path(__file__).resolve().parents[1]


def show_warnings_as_lines() -> None:
    """Print the workbench's own warnings as one ``warning:`` line (other libraries' as Python
    does); the ``lip`` entry point installs it, so a notebook keeps Python's default."""
    python_show = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if Path(str(filename)).resolve().is_relative_to(PACKAGE) or ours(category):
            warn(str(message))
        else:
            python_show(message, category, filename, lineno, file, line)

    warnings.showwarning = show


@contextlib.contextmanager
def fail() -> Iterator[None]:
    """Turn the workbench's own errors into one clear line and exit status 2 (no traceback)."""
    from lip_research.analysis import AnalysisError
    from lip_research.config import ConfigError
    from lip_research.embed import EmbeddingError
    from lip_research.io import CorpusError
    from lip_research.report import ReportError
    from lip_research.runs import RunError

    known: tuple[type[BaseException], ...] = (
        AnalysisError, ConfigError, CorpusError, EmbeddingError, ReportError, RunError,
        FileNotFoundError,
    )  # fmt: skip
    try:
        from lip_research.codebook import CodebookError
        from lip_research.lens_eval import LabelsError

        known += (CodebookError, LabelsError)
    except ImportError:  # pragma: no cover
        pass
    try:
        yield
    except known as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except (FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError) as exc:
        what = {
            PermissionError: "permission denied: check that you may read it, or write to "
            "another folder",
            IsADirectoryError: "is a folder where a file is needed",
        }.get(type(exc), "a file is in the way where a folder is needed: give another path")
        where = f"{exc.filename}: " if exc.filename else ""
        typer.secho(f"error: {where}{what}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except OSError as exc:  # a full disk, a read-only mount, a failing device: one line
        typer.secho(f"error: {os_problem(exc)}", fg=typer.colors.RED, err=True)
        sys.exit(2)


def os_problem(exc: OSError) -> str:
    """What an operating-system error means for the user, and what to do."""
    import errno

    where = f"{exc.filename}: " if exc.filename else ""
    text = str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in text:
        return f"{where}no space left on the disk: free some space, or write to another disk"
    if exc.errno == errno.EROFS:
        return f"{where}the disk is read-only: write to another folder"
    return f"{where}{exc.strerror or text}"
