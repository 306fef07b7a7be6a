"""Ingest: folders of reports in, an ingested corpus out, with every file accounted for.

:func:`ingest_paths` reads as its steps: find the files, hash them, set aside duplicates
and oversized files, reuse cached results, read the rest in parallel worker processes
(each file under a time limit), name the documents and merge the manifest, drop text
repeated across many documents, cut passages, and build the tables. :func:`run_ingest`
writes them into a corpus folder. Per-file results are cached by content hash, ingest
version and the settings that change them, so re-ingesting unchanged files is fast.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import pickle
import stat
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lip_research import io
from lip_research.clean import copies, is_shared, shared_boilerplate
from lip_research.config import IngestConfig
from lip_research.corpus_tables import build_tables, listed, read_manifests, summary_line
from lip_research.document import READERS, failure, read_and_store, read_one
from lip_research.extract import TABULAR, format_for, ocr_available
from lip_research.pool import run_tasks
from lip_research.segment import chunk_passages

INGEST_VERSION = "1"
STAGE_MODULES = (  # reading one file; code_version adds this module, which assembles the batch
    "document",
    "extract",
    "markup",
    "tabular",
    "clean",
    "paragraphs",
    "segment",
    "corpus_tables",
)

__all__ = [
    "INGEST_VERSION",
    "cache_root",
    "READERS",
    "discover",
    "ingest_paths",
    "read_one",
    "run_ingest",
    "summary_line",
]


# Files an operating system or Word leaves in a folder: never reports.
SYSTEM_FILES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini"})


# -- finding files ------------------------------------------------------------------------------
@dataclass
class _Walked:
    """What walking the source folders passed over, for the notes."""

    hidden: int = 0  # hidden folders
    outputs: list[str] = field(default_factory=list)  # ingested corpus or run folders
    system: list[str] = field(default_factory=list)  # hidden or system files
    folders: set[Path] = field(default_factory=set)  # every folder walked, resolved


def _walk(source: Path, walked: _Walked):
    """``(folder, file names)`` under ``source`` in a stable order: linked folders followed,
    each folder once (a link back up ends there); hidden folders, lip's own output folders
    and hidden or system files left out, and counted in ``walked``."""
    for root, dirs, names in os.walk(source, followlinks=True):
        folder, resolved = Path(root), Path(root).resolve()
        if resolved in walked.folders:
            dirs[:] = []
            continue
        walked.folders.add(resolved)
        if _is_output_folder(folder):  # tables written by lip, not reports
            walked.outputs.append(str(folder))
            dirs[:] = []
            continue
        kept = sorted(d for d in dirs if not d.startswith("."))
        walked.hidden += len(dirs) - len(kept)
        dirs[:] = kept
        system = [n for n in names if n.startswith((".", "~$")) or n.lower() in SYSTEM_FILES]
        walked.system += sorted(system)
        yield folder, sorted(set(names) - set(system))


def discover(sources: Sequence[Path], exclude: Sequence[Path] = ()) -> tuple[list[Path], list[str]]:
    """Every file under the sources (see :func:`_walk`), in a stable order.

    Raises FileNotFoundError for a source that does not exist. Paths under ``exclude``
    (the corpus folder being written, the manifest) are left out and said so in the notes.
    """
    excluded = [Path(p).resolve() for p in exclude]
    files: list[Path] = []
    seen: dict[Path, Path] = {}
    walked = _Walked()
    left_out = 0
    again: list[str] = []  # a second path to a file already found (a link)
    for source in map(Path, sources):
        if not source.exists():
            raise FileNotFoundError(f"{source} does not exist")
        found = [source] if source.is_file() else []
        for folder, names in _walk(source, walked):
            found += [folder / name for name in names]
        for path in found:
            resolved = path.resolve()
            if resolved in seen:
                again.append(f"{path} (the same file as {seen[resolved]})")
                continue
            seen[resolved] = path
            if resolved in excluded:  # the manifest: metadata, said elsewhere
                continue
            if any(resolved.is_relative_to(e) for e in excluded):
                left_out += 1
                continue
            files.append(path)
    hidden, system, outputs = walked.hidden, walked.system, walked.outputs
    notes = [f"{hidden} hidden folder{'s' * (hidden > 1)} not searched"] if hidden else []
    if system:
        shown = ", ".join(system[:5]) + (" ..." if len(system) > 5 else "")
        notes.append(
            f"{len(system)} hidden or system file{'s' * (len(system) > 1)} not read: {shown}"
        )
    if left_out:
        notes.append(f"{left_out} file{'s' * (left_out > 1)} in the output folder not ingested")
    if again:
        shown = "; ".join(again[:3]) + (f" and {len(again) - 3} more" if len(again) > 3 else "")
        notes.append(
            f"{len(again)} second path{'s' * (len(again) > 1)} to a file, read once: {shown}"
        )
    if outputs:
        shown = ", ".join(outputs[:3]) + (
            f" and {len(outputs) - 3} more" if len(outputs) > 3 else ""
        )
        notes.append(f"ingested corpus or run folders not ingested again: {shown}")
    return files, notes


CORPUS_FILES = (
    "documents.parquet", "passages.parquet", "ledger.csv", "removed.csv", "notes.csv",
    "ingest.json",
)  # fmt: skip


def check_corpus_folder(corpus_dir: Path, sources: Sequence[Path]) -> None:
    """A `CorpusError` unless ingest may write into ``corpus_dir``: a new or empty folder, one
    with none of the corpus's file names, or a corpus ingested there before (refreshed in
    place). A folder of reports being ingested, or a run folder, never is one."""
    here = corpus_dir.resolve()
    if any(here == Path(s).resolve() or here in Path(s).resolve().parents for s in sources):
        raise io.CorpusError(
            f"the corpus folder {corpus_dir} is, or holds, a folder being ingested: write the "
            "corpus to a folder of its own (a new one, beside the reports)"
        )
    if not corpus_dir.is_dir():
        return
    if io.is_ingested(corpus_dir):
        record = corpus_dir / "ingest.json"
        before = io.read_json(record).get("sources") if record.exists() else None
        if before and {Path(b).resolve() for b in before} != {Path(s).resolve() for s in sources}:
            warnings.warn(
                f"{corpus_dir} held a corpus ingested from {', '.join(before)}; it is replaced "
                "by this one",
                io.LipWarning,
                stacklevel=3,
            )
        return
    if (corpus_dir / "run.json").exists():
        raise io.CorpusError(
            f"{corpus_dir} is a run folder: write the corpus to a folder of its own (a new one)"
        )
    clash = [name for name in CORPUS_FILES if (corpus_dir / name).exists()]
    if clash:
        raise io.CorpusError(
            f"{corpus_dir} is not an ingested corpus, and ingest would overwrite its "
            f"{', '.join(clash)}: give a new or empty folder for the corpus"
        )


def _is_output_folder(folder: Path) -> bool:
    """An ingested corpus or a run folder: its tables are lip's own output, not documents."""
    return io.is_ingested(folder) or (
        (folder / "run.json").exists() and (folder / "STATUS").exists()
    )


MANIFEST_NAMES = ("manifest.csv", "manifest.xlsx")  # in any case: 'Manifest.csv'


def folder_manifests(sources: Sequence[Path]) -> list[Path]:
    """Every ``manifest.csv`` (or ``.xlsx``, in any case) in the source folders and their
    sub-folders, walked as :func:`discover` walks them: metadata, never a document."""
    found: dict[Path, Path] = {}
    walked = _Walked()
    for source in map(Path, sources):
        if source.is_dir():
            for folder, names in _walk(source, walked):
                for name in names:
                    if name.lower() in MANIFEST_NAMES:
                        found.setdefault((folder / name).resolve(), folder / name)
    return list(found.values())


# -- cache ----------------------------------------------------------------------------------
def _cache_file(sha: str, task: dict, ocr: bool) -> Path:
    settings = {"claimed": task["claimed"], "ocr": ocr}
    if task["claimed"] in TABULAR:
        settings["text_column"] = task["text_column"]
    key = hashlib.sha256(f"{sha}{json.dumps(settings, sort_keys=True)}".encode()).hexdigest()
    return cache_root() / key[:2] / f"{key}.pkl"


@functools.cache
def _source_hash(*modules: str) -> str:
    digest = hashlib.sha256()
    for name in modules:
        digest.update((Path(__file__).parent / f"{name}.py").read_bytes())
    return digest.hexdigest()[:10]


def code_version() -> str:
    """``INGEST_VERSION`` plus a hash of the stage's source: changed code never meets stale caches."""
    return f"{INGEST_VERSION}-{_source_hash(*STAGE_MODULES, 'ingest')}"


def cache_root() -> Path:
    """Where this version of the file readers keeps its per-file and per-batch results (a
    batch's key adds :func:`code_version`, so a change to assembling the batch does not make
    every file be read again)."""
    parts = ("ingest", f"{INGEST_VERSION}-{_source_hash(*STAGE_MODULES)}")
    try:
        return io.cache_dir(*parts)
    except OSError:  # cannot be made: nothing is found there, and writing it is warned of
        return io.cache_path(*parts)


def _cache_load(path: Path) -> dict | None:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):  # stale entry
        return None


# -- the batch ----------------------------------------------------------------------------------
def ingest_paths(
    paths: list[Path],
    cfg: IngestConfig,
    manifest: pd.DataFrame | None = None,
    progress: bool = True,
    exclude: Sequence[Path] = (),
) -> tuple[io.Corpus, dict[str, pd.DataFrame]]:
    """Ingest files and folders; return the corpus and audit tables (``removed.csv``, ``notes.csv``).

    Two caches make a re-run cheap: per file (reading, cleaning and sections, keyed by
    content hash) and per batch (the assembled tables, keyed by every file's path and
    hash, the settings and the manifest). Timed-out or crashed files are never cached.
    """
    cfg.validate()
    files, notes = discover(paths, exclude)
    if not files:
        why = f" ({'; '.join(notes)})" if notes else ""
        raise io.CorpusError(
            f"no files to read in {', '.join(str(p) for p in paths)}{why}: give the folder "
            "holding your reports (PDF, Word .docx, HTML, text or Markdown files, or a CSV or "
            "Excel table with a text column)"
        )
    problems = [_file_problem(path) for path in files]
    shas = []
    for i, path in enumerate(files):
        sha = ""
        if problems[i] is None:
            try:
                sha = io.sha256_file(path)
            except OSError as exc:
                problems[i] = f"could not be read: {exc.strerror or exc}"
        # a file that cannot be read is keyed by its path: it is never a copy of another
        shas.append(sha or io.sha256_text(f"unreadable:{path}"))
    batch_file = _batch_cache_file(files, shas, cfg, manifest, notes)
    stored = _cache_load(batch_file)
    if stored is not None:
        corpus, extra = stored
        ledger = corpus.ledger.assign(seconds=0.0, cached=True)
        return io.Corpus(corpus.documents, corpus.passages, ledger), extra
    in_manifest = listed(files, manifest)  # of two copies, the one with metadata is kept
    results, tasks, slots = _triage(files, shas, cfg, in_manifest, problems)
    _read_all(tasks, slots, results, cfg, progress, len(files))
    unkept = [r["cache_error"] for r in results if r.get("cache_error")]
    documents, passages, removed = _assemble(
        files, shas, results, cfg, manifest, notes, in_manifest
    )
    ledger = pd.DataFrame(
        [
            {
                "path": str(path),
                "sha256": sha,
                "status": r["status"],
                "reason": r["reason"],
                "pages": r["pages"],
                "characters": r["characters"],
                "seconds": r["seconds"],
                "cached": bool(r.get("cached", False)),
            }
            for path, sha, r in zip(files, shas, results, strict=True)
        ],
        columns=[*io.LEDGER_COLUMNS, "cached"],
    )
    corpus = io.Corpus(documents=documents, passages=passages, ledger=ledger)
    extra = {"removed.csv": removed, "notes.csv": pd.DataFrame({"note": notes}, dtype=str)}
    if not any(r.get("transient") for r in results):
        try:
            io.write_bytes(
                pickle.dumps((corpus, extra), protocol=pickle.HIGHEST_PROTOCOL), batch_file
            )
        except OSError as exc:
            unkept.append(exc.strerror or str(exc))
    if unkept:
        warnings.warn(
            f"the ingest cache in {cache_root()} could not be written ({unkept[0]}): every "
            "file was read all the same, but will be read again next time; free some space, "
            "or set LIP_CACHE_DIR to a writable folder",
            io.LipWarning,
            stacklevel=2,
        )
    return corpus, extra


def _file_problem(path: Path) -> str | None:
    """Why a path found in a folder is not a file to read (a broken link, a pipe), or None."""
    if path.is_symlink() and not path.exists():
        return f"broken link: its target {os.readlink(path)} does not exist"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"could not be read: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, socket or device), so not read"
    return None


def _triage(
    files: list[Path],
    shas: list[str],
    cfg: IngestConfig,
    in_manifest: list[bool],
    problems: list[str | None],
):
    """Settle unreadable paths, duplicates, oversized files and per-file cache hits; list the
    files left to read.

    Of byte-identical files, the first the manifest lists is kept (it carries the metadata),
    else the first."""
    results: list[dict | None] = [None] * len(files)
    kept: dict[str, int] = {}
    for i in sorted(range(len(files)), key=lambda i: not in_manifest[i]):
        kept.setdefault(shas[i], i)
    tasks, slots = [], []
    ocr = ocr_available()
    for i, (path, sha) in enumerate(zip(files, shas, strict=True)):
        if problems[i] is not None:
            results[i] = {**failure(problems[i]), "seconds": 0.0}
            continue
        size = path.stat().st_size
        megabytes = size / 1e6
        if kept[sha] != i and size:  # empty files are each reported as empty
            results[i] = {
                **failure(f"duplicate of {files[kept[sha]]} (byte-identical), kept once"),
                "status": "duplicate",
            }
        elif megabytes > cfg.max_megabytes:
            shown = f"{megabytes:,.0f}" if megabytes >= 10 else f"{megabytes:.2f}"
            results[i] = failure(
                f"too large: {shown} MB is over the {cfg.max_megabytes:g} MB limit "
                "(raise it with --max-megabytes)"
            )
        if results[i] is not None:
            results[i]["seconds"] = 0.0
            continue
        task = {"path": str(path), "claimed": format_for(path), "text_column": cfg.text_column}
        task["cache"] = _cache_file(sha, task, ocr)
        cached = _cache_load(task["cache"])
        if cached is not None:
            results[i] = {**cached, "seconds": 0.0, "cached": True}
        else:
            tasks.append(task)
            slots.append(i)
    return results, tasks, slots


def _batch_cache_file(
    files: list[Path],
    shas: list[str],
    cfg: IngestConfig,
    manifest: pd.DataFrame | None,
    notes: list[str],
) -> Path:
    settings = {
        k: getattr(cfg, k) for k in ("min_words", "max_words", "max_megabytes", "text_column")
    }
    blob = json.dumps(
        {
            "files": [[str(p), sha] for p, sha in zip(files, shas, strict=True)],
            "notes": notes,  # what discovery said (left-out folders) is part of the result
            "settings": settings,
            "code": code_version(),
            "ocr": ocr_available(),
            "manifest": None if manifest is None else manifest.to_csv(index=False),
        },
        sort_keys=True,
    )
    key = hashlib.sha256(blob.encode()).hexdigest()
    return cache_root() / "batches" / f"{key}.pkl"


def _read_all(tasks, slots, results, cfg: IngestConfig, progress: bool, total: int) -> None:
    """Read the files left in worker processes, largest first so that the workers finish together."""
    from tqdm import tqdm

    order = sorted(range(len(tasks)), key=lambda i: -os.path.getsize(tasks[i]["path"]))
    tasks, slots = [tasks[i] for i in order], [slots[i] for i in order]
    workers = cfg.workers or os.cpu_count() or 1
    with tqdm(
        total=total, initial=total - len(tasks), desc="ingest", unit="file", disable=not progress
    ) as bar:
        for index, (kind, value) in run_tasks(read_and_store, tasks, workers, cfg.timeout_s):
            slot = slots[index]
            if kind == "ok":
                results[slot] = pickle.loads(value)  # the worker has cached it already
            elif kind == "timeout":
                reason = (
                    f"timed out after {cfg.timeout_s:g} s: the reader did not finish "
                    "(a malformed or very complex file?); raise the limit with --timeout"
                )
                results[slot] = {**failure(reason), "seconds": cfg.timeout_s, "transient": True}
            else:
                what = "the reader crashed" if kind == "crashed" else f"unexpected error ({value})"
                results[slot] = {
                    **failure(f"could not be read: {what}"),
                    "seconds": 0.0,
                    "transient": True,
                }
            bar.update(1)


def _assemble(files, shas, results, cfg: IngestConfig, manifest, notes, in_manifest):
    """Name documents, merge metadata, drop cross-document boilerplate, cut passages."""
    docs, listed_docs = [], []
    for path, sha, result, is_listed in zip(files, shas, results, in_manifest, strict=True):
        result.pop("cacheable", None)
        for doc in result["docs"]:
            docs.append((path, sha, result, doc))
            listed_docs.append(is_listed)
    doc_keys = [{k for b in d["blocks"] for k, _ in b["keys"]} for *_, d in docs]
    strong, weak = shared_boilerplate(doc_keys)
    copy_of = _copies(docs, [keys - strong for keys in doc_keys], listed_docs)
    if copy_of:  # counted without the copies, so that a copy changes nothing in the rest
        strong, weak = shared_boilerplate([k for i, k in enumerate(doc_keys) if i not in copy_of])
    prepared, kept_docs = [], {}
    for index, (path, sha, result, doc) in enumerate(docs):
        if index in copy_of:
            continue
        kept, removed = [], list(doc["removed"])
        shared = words = 0
        flags = [b["kind"] == "text" and is_shared(b, strong, weak) for b in doc["blocks"]]
        for i in range(len(flags) - 2, -1, -1):  # a lead-in stays with the text it introduces
            if flags[i] and not flags[i + 1] and doc["blocks"][i]["text"].rstrip().endswith(":"):
                flags[i] = False  # "The proportion of children entitled to free school meals:"
        for block, repeated in zip(doc["blocks"], flags, strict=True):
            n = len(block["text"].split())
            words += n
            if repeated:
                removed.append((block["page_start"], "repeated across documents", block["text"]))
                shared += n
            else:
                kept.append(block)
        if len(result["docs"]) == 1 and shared > 0.5 * words:
            result["reason"] = "; ".join(
                [r for r in (result["reason"],) if r]
                + [
                    f"{shared / words:.0%} of its text is repeated in other documents and was "
                    "removed as boilerplate (near-copies of one report? see removed.csv)"
                ]
            )
        doc_text, passages = chunk_passages(kept, cfg.min_words, cfg.max_words)
        kept_docs[id(result)] = kept_docs.get(id(result), 0) + bool(passages)
        if passages:
            prepared.append((path, sha, doc, doc_text, passages, removed))
    for result in results:
        if result["docs"] and not kept_docs.get(id(result)) and result["status"] != "duplicate":
            result["status"] = "failed"
            result["reason"] = "no text left after removing headers, contents and boilerplate"
    return build_tables(prepared, manifest, notes, [docs[i][0] for i in copy_of])


def _copies(docs: list[tuple], doc_keys: list[set[int]], in_manifest: list[bool]) -> set[int]:
    """Set aside a file whose one document is all in another file's (:func:`clean.copies`; of
    two the same size, the one the manifest lists is kept), saying so in its ledger row; the
    indices of the documents set aside."""
    files = [id(result) for _, _, result, _ in docs]
    out = set()
    for index, (kept, share) in copies(doc_keys, files, preferred=in_manifest).items():
        path, _, result, _ = docs[index]
        other = docs[kept][0]
        if result["status"] == "warning":  # e.g. damaged: keep what it was told
            result["reason"] += f"; its text is all in {other}, which is kept instead"
        else:
            result["reason"] = "; ".join(
                [f"a copy of {other} ({share:.0%} of its sentences are there), kept once"]
                + [result["reason"]] * bool(result["reason"])
            )
        result["status"] = "duplicate"
        out.add(index)
    return out


def _folders_under(manifests: list[Path], sources: Sequence[Path]) -> list[str]:
    """Each manifest's folder below the source folder it is in ('' at the top, or outside):
    its rows name files in that folder."""
    roots = [Path(s).resolve() for s in sources if Path(s).is_dir()]
    out = []
    for path in manifests:
        folder = path.resolve().parent
        root = next((r for r in roots if folder.is_relative_to(r)), folder)
        out.append(folder.relative_to(root).as_posix().strip("."))
    return out


def run_ingest(
    sources: list[Path],
    corpus_dir: Path,
    cfg: IngestConfig,
    manifest_path: Path | None = None,
    progress: bool = True,
    own_folder: bool = False,
) -> io.Corpus:
    """Ingest ``sources`` into ``corpus_dir`` (ledger, documents, passages, removed.csv,
    ingest.json); a folder of the user's is first checked (:func:`check_corpus_folder`), one
    the workbench keeps for itself (``own_folder``, its interim copies) is not."""
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir)
    if not own_folder:
        check_corpus_folder(corpus_dir, sources)
    in_folders = folder_manifests(sources)
    paths = [Path(manifest_path)] if manifest_path else in_folders
    manifest = read_manifests(paths, _folders_under(paths, sources)) if paths else None
    exclude = [corpus_dir, *in_folders, *paths]
    corpus, extra = ingest_paths(list(sources), cfg, manifest, progress=progress, exclude=exclude)
    notes = extra["notes.csv"]["note"].tolist()
    given = {m.resolve() for m in paths}
    replaced = [p for p in in_folders if p.resolve() not in given]
    if paths:
        notes.insert(0, f"metadata from {', '.join(map(str, paths))}")
    if manifest_path and replaced:
        notes.insert(
            1,
            f"{', '.join(map(str, replaced))} not read: --manifest {manifest_path} was given "
            "(give one manifest holding all the rows)",
        )
    extra["notes.csv"] = pd.DataFrame({"note": notes}, dtype=str)
    io.write_corpus(corpus, corpus_dir, extra=extra)
    io.write_json(
        {
            "ingest_version": code_version(),
            "created": io.now_iso(),
            "sources": [str(s) for s in sources],
            "manifest": ", ".join(map(str, paths)) or None,
            "config": {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)},
            "seconds": round(time.perf_counter() - started, 3),
            "notes": notes,
            "summary": summary_line(corpus, notes),
            "packages": io.package_versions(
                [
                    "lip_research",
                    "pypdfium2",
                    "python-docx",
                    "lxml",
                    "beautifulsoup4",
                    "openpyxl",
                    "pyyaml",
                    "pandas",
                    "pyarrow",
                ]
            ),  # fmt: skip
        },
        corpus_dir / "ingest.json",
    )
    return io.Corpus(corpus.documents, corpus.passages, corpus.ledger, path=corpus_dir)
