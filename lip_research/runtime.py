"""How the workbench behaves as a process, without loading pandas (``lip --help`` stays fast):
its own warnings, and a run stopped by SIGTERM or Ctrl-C."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str = "") -> str:
    """``"1 row"``, ``"2 rows"``, ``"1,200 passages"``: a count with its noun in agreement."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


class LipWarning(UserWarning):
    """A warning of the workbench's own, written for the researcher (a notebook shows it as
    one line: ``workbench.show_warnings_as_notes``)."""


def ours(category: type[Warning]) -> bool:
    """Whether a warning class is the workbench's own (shown to a researcher as one line)."""
    return str(getattr(category, "__module__", "")).startswith("lip_research")


class Stopped(BaseException):
    """The process was told to stop (SIGTERM: ``kill``, ``timeout``, a cancelled job)."""


def stop_on_sigterm() -> None:
    """Make SIGTERM raise :class:`Stopped`, so a run it ends is marked failed, as after Ctrl-C."""
    import signal

    def stop(signum, frame) -> None:
        raise Stopped("stopped by SIGTERM (kill, timeout or a cancelled job)")

    signal.signal(signal.SIGTERM, stop)


def failure_reason(exc: BaseException) -> str:
    """A failed run's STATUS reason: the error, or how it was stopped."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    if isinstance(exc, Stopped):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
