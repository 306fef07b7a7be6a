"""Past runs: read their records, list them with their key figures (comparing two: ``compare``)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from lip_research import io

TABLES = (
    "topics.csv", "passage_topics.parquet", "document_topics.csv", "theme_documents.csv",
    "theme_prevalence.csv", "why_passages.parquet", "quality_markers.csv", "marker_coverage.csv",
)  # fmt: skip
# written by every run (`lip topics` and `lip report`); the others only by some notebooks
CORE_TABLES = ("topics.csv", "passage_topics.parquet", "document_topics.csv")
RERUN = "rerun `lip topics` or `lip report` into a new folder"
LENS_COMMANDS = ("themes", "quality", "search", "briefing")


class RunError(ValueError):
    """A run folder is missing, damaged or unfinished; the message names the file and what to do."""


def saved_edits(run: Path) -> dict[str, Any]:
    """The topic ``merge`` and ``labels`` a run's ``topic_edits.yaml`` holds ({} when none)."""
    import yaml

    from lip_research.analysis import AnalysisError, check_edits

    path = Path(run) / "topic_edits.yaml"
    if not path.exists():
        return {}
    try:
        edits = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merge, labels = check_edits(edits.get("merge"), edits.get("labels"))
    except (yaml.YAMLError, UnicodeDecodeError, AttributeError, AnalysisError) as err:
        raise RunError(
            f"{path} is unreadable ({err}); fix it, or delete it to use the topics as fitted"
        ) from None
    made_for, fitted = edits.get("fit_id"), _fit_id(run)
    if made_for and fitted and made_for != fitted:
        raise RunError(
            f"{path} was made for another fit than the one in {run} (its merges and labels "
            "would land on unrelated topics); delete it, or make the edits again in notebook 02"
        )
    return {k: v for k, v in (("merge", merge), ("labels", labels)) if v}


def _fit_id(run: Path) -> str | None:
    """The fit a run folder holds (run.json's ``fit_id``; None for older or unreadable runs)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        return json.loads((Path(run) / "run.json").read_text(encoding="utf-8")).get("fit_id")
    return None


def lens_run_error(run: Path, record: dict[str, Any], what: str) -> RunError | None:
    """A RunError for a run of a lens command (``lip themes`` ...), which ``what`` cannot take."""
    command = record.get("command")
    if command in LENS_COMMANDS:
        return RunError(
            f"{run} is a `lip {command}` run; {what} takes runs of `lip topics` or `lip report` "
            "(a report run holds theme tables too)"
        )
    return None


def read_status(run: Path) -> tuple[str, str]:
    """(status, reason) from the run's STATUS file: running, complete, failed or unknown."""
    path = Path(run) / io.RUN_STATUS_FILE
    if not path.exists():
        return io.run_status(run), ""  # complete when it has a run.json, else unknown
    try:
        lines = path.read_text(encoding="utf-8").split("\n", 1)
    except (OSError, UnicodeDecodeError):
        return "unknown", f"{path} is unreadable"
    reason = " ".join(lines[1].split()) if len(lines) > 1 else ""
    return lines[0].strip() or "unknown", reason


def gone_note(run: Path, reason: str) -> str | None:
    """For a run marked running whose process has gone: one line saying so (else None)."""
    if io.run_is_live(run) is not False:
        return None
    return (
        f"{run} is marked running, but the process writing it ({reason}) has gone: "
        "it was stopped or crashed, and its files may be incomplete"
    )


def status_warning(run: Path) -> str | None:
    """One line for a run marked running or failed (None for a complete or unmarked run)."""
    status, reason = read_status(run)
    why = f" ({reason})" if reason else ""
    if status == "running":
        return gone_note(run, reason) or (
            f"{run} is marked running: it is still being written, or was interrupted; "
            "its files may be incomplete"
        )
    if status == "failed":
        return f"{run} is marked failed{why}: its files may be incomplete"
    return None


def error_reason(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        if not exc.doc.strip():
            return "empty file"
        return f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)


def read_record(run: Path) -> dict[str, Any]:
    """The run's run.json; {} when it has none; RunError when it cannot be read as a JSON object."""
    path = Path(run) / "run.json"
    if not path.exists():
        return {}
    try:
        record = io.read_json(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunError(f"{path} is unreadable ({error_reason(exc)}): {RERUN}") from None
    if not isinstance(record, dict):
        raise RunError(f"{path} is unreadable (not a JSON object): {RERUN}")
    return record


def not_a_run(path: Path, missing: str) -> str:
    """Why ``path`` is no run folder: it lacks ``missing``, is a file, or does not exist."""
    if path.is_dir():
        return f"no {missing}"
    return "it is a file" if path.exists() else "it does not exist"


def run_record(run: Path) -> dict[str, Any]:
    """run.json of a folder that must be a run; RunError saying what to give instead otherwise."""
    run = Path(run)
    if not (run / "run.json").exists():
        status, reason = read_status(run)
        why = f": {reason}" if reason else ""
        if status == "failed":
            raise RunError(f"{run} is a failed run with no run.json{why}; fix that and {RERUN}")
        if status == "running":
            raise RunError(
                f"{run} has no run.json yet (marked running): wait for it to finish, "
                f"or {RERUN} if it was interrupted"
            )
        raise RunError(
            f"{run} is not a run folder ({not_a_run(run, 'run.json')}): "
            "give a folder written by `lip topics` or `lip report`"
        )
    return read_record(run)


def find_runs(root: Path) -> list[Path]:
    """Folders under ``root`` holding a run.json or a STATUS file (failed runs included)."""
    found = {p.parent for p in root.rglob("run.json")} | {
        p.parent for p in root.rglob(io.RUN_STATUS_FILE)
    }
    return sorted(p for p in found if p.name != "model" and not p.is_symlink())


def corpus_record(record: dict[str, Any]) -> dict[str, Any]:
    """The run's corpus record; notebook 01 records just the corpus path."""
    corpus = record.get("corpus")
    if isinstance(corpus, dict):
        return corpus
    return {"path": str(corpus)} if corpus else {}


def _summary(run: Path, record: dict[str, Any]) -> dict[str, Any]:
    topics_cfg = (record.get("config") or {}).get("topics") or {}
    ev = record.get("evaluation") or {}
    corpus = corpus_record(record)
    resolved = record.get("resolved_topics") or {}
    sizing = next(
        (f"{k}={resolved[k]}" for k in ("n_clusters", "min_topic_size") if resolved.get(k)), None
    )
    status, reason = read_status(run)
    report = record.get("report")
    # a report that failed has its notebook but not yet run.json's "report"
    notebook = report.get("notebook", "") if isinstance(report, dict) else None
    if notebook is None:
        notebook = next((p.name for p in sorted(run.glob("*.ipynb"))), None)
    kind = record.get("command") or (
        f"report {Path(str(notebook)).stem}".strip() if notebook is not None else None
    )
    return {
        "run": str(run),
        "kind": kind or ("topics" if record.get("config") else None),
        "status": status,
        "created": record.get("created", ""),
        "corpus": corpus.get("source") or corpus.get("path"),
        "documents": corpus.get("documents"),
        "seed": record.get("seed"),
        # a keyword search embeds nothing, whatever its config says
        "embedding": None if record.get("mode") == "keyword" else topics_cfg.get("embedding"),
        "clustering": resolved.get("clustering"),
        "topics_by": sizing,
        "n_topics": ev.get("n_topics"),
        "npmi": round(ev["npmi"], 3) if "npmi" in ev else None,
        "outlier_share": round(ev["outlier_share"], 3) if "outlier_share" in ev else None,
        "problem": f"{run} failed: {reason}"
        if status == "failed" and reason
        else gone_note(run, reason)
        if status == "running"
        else None,
    }


def list_runs(root: Path) -> pd.DataFrame:
    """One row per run under ``root``; a run whose run.json cannot be read is listed with
    status ``unreadable`` and the reason in ``problem`` (None for every readable run)."""
    root = Path(root)
    if root.is_symlink():  # `latest`: the run folder it points to
        root = root.resolve()
    if not root.exists():
        raise RunError(f"{root} does not exist: give the folder that holds your run folders")
    if not root.is_dir():
        raise RunError(f"{root} is not a folder: give the folder that holds your run folders")
    rows = []
    for run in find_runs(root):
        try:
            rows.append(_summary(run, read_record(run)))
            continue
        except RunError as exc:
            problem = str(exc)
        except (AttributeError, TypeError, KeyError, ValueError) as exc:
            problem = (
                f"{run / 'run.json'} is unreadable (unexpected content: "
                f"{type(exc).__name__}: {exc}): {RERUN}"
            )
        rows.append({**_summary(run, {}), "status": "unreadable", "problem": problem})
    table = pd.DataFrame(rows)
    for column in ("documents", "seed", "n_topics"):  # counts stay counts beside a blank row
        with contextlib.suppress(KeyError, TypeError, ValueError):
            table[column] = table[column].astype("Int64")
    return table
