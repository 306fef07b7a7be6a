"""Finding a corpus: a folder of reports, a corpus folder (``corpus.yaml``) or an ingested one.

A *corpus argument* may be an ingested corpus folder, a folder with a ``corpus.yaml``
(like ``data/sample``) or any folder of report files; the latter two are ingested (with
per-file caching) into ``data/interim/corpora/<name>-<hash>``, the hash of the folder's path
and of the ingest settings that change the passages, so that each way of cutting a folder
keeps its own copy. An ingested corpus is used as it is: a run records the settings it was
ingested with (its ``ingest.json``), and a warning names any the config asked for in vain.
"""

from __future__ import annotations

import dataclasses
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from lip_research import io
from lip_research.config import IngestConfig, RunConfig
from lip_research.io import Corpus, CorpusError

INTERIM = Path("data/interim/corpora")
PROJECT = Path(__file__).resolve().parents[1]


def interim_dir() -> Path:
    """Where folders of reports are ingested: ``$LIP_INTERIM_DIR`` if set, else the project's
    data/interim/corpora (wherever the command or notebook runs from), else the current
    folder's."""
    if os.environ.get("LIP_INTERIM_DIR"):
        return Path(os.environ["LIP_INTERIM_DIR"])
    return (PROJECT if (PROJECT / "data").is_dir() else Path.cwd()) / INTERIM


NAME_COLUMNS = ("area", "local_authority", "authority", "board", "place", "region", "county")


@dataclass(frozen=True)
class CorpusSpec:
    """What a ``corpus.yaml`` says: sources to ingest, manifest, labels, catalogue."""

    root: Path
    name: str
    sources: tuple[Path, ...]
    manifest: Path | None = None
    labels: Path | None = None
    catalogue: Path | None = None
    description: str = ""


def corpus_spec(path: str | Path) -> CorpusSpec:
    """Read ``corpus.yaml`` if present; otherwise every file under the folder is a source."""
    root = Path(path)
    if not root.exists():
        where = "" if root.is_absolute() else f" (paths are relative to {Path.cwd()})"
        raise CorpusError(
            f"corpus {root} does not exist{where}: give a folder of reports or an ingested corpus"
        )
    spec_file = root / "corpus.yaml"
    if not spec_file.exists():
        manifest = root / "manifest.csv"
        return CorpusSpec(
            root=root,
            name=root.name or "corpus",
            sources=(root,),
            manifest=manifest if manifest.exists() else None,
        )
    data = yaml.safe_load(spec_file.read_text(encoding="utf-8")) or {}

    def opt(key: str) -> Path | None:
        return root / data[key] if data.get(key) else None

    return CorpusSpec(
        root=root,
        name=str(data.get("name") or root.name),
        sources=tuple(root / s for s in data.get("sources") or ["."]),
        manifest=opt("manifest"),
        labels=opt("labels"),
        catalogue=opt("catalogue"),
        description=str(data.get("description") or ""),
    )


class CorpusWarning(Warning):
    """The corpus used is not quite the one the config or the run record asked for; the
    message says which was used and why."""


def load_corpus(
    path: str | Path,
    cfg: RunConfig | None = None,
    interim: Path | None = None,
    progress: bool = True,
) -> Corpus:
    """An ingested corpus for ``path``, ingesting it first if it is a folder of files.

    An ingested corpus is read as it is: when ``cfg`` asks for other passage settings than
    the corpus was ingested with, a `CorpusWarning` says which (see `config_for_corpus`).
    """
    path = Path(path)
    if io.is_ingested(path):
        if cfg is not None:
            _warn_if_not_applied(path, cfg.ingest)
        return io.read_corpus(path)
    spec = corpus_spec(path)
    cfg = cfg or RunConfig()
    target = (interim or interim_dir()) / ingested_folder(spec, cfg.ingest)
    return _ingest_into(spec, target, cfg, progress)


def _ingest_into(spec: CorpusSpec, target: Path, cfg: RunConfig, progress: bool) -> Corpus:
    """Ingest the reports ``spec`` names into ``target`` (only changed files are read again)."""
    from lip_research.ingest import run_ingest

    run_ingest(
        list(spec.sources), target, cfg.ingest, spec.manifest, progress=progress, own_folder=True
    )
    corpus = io.read_corpus(target)
    _warn_if_files_lost(corpus, spec.root)
    return dataclasses.replace(corpus, source=spec.root)


def _warn_if_files_lost(corpus: Corpus, source: Path) -> None:
    """A `CorpusWarning` when files of a folder ingested on the way failed, were read only in
    part or are copies, naming the ledger that says why (``lip ingest`` prints the same line)."""
    from lip_research.corpus_tables import summary_line

    status = corpus.ledger["status"] if "status" in corpus.ledger else pd.Series(dtype=str)
    failed, warned = int((status == "failed").sum()), int((status == "warning").sum())
    copies = int((status == "duplicate").sum())
    if failed or warned or copies:
        what = " and ".join(
            part
            for part in (
                f"{failed} failed (the analysis goes on without them)" if failed else "",
                f"{warned} came with a warning (read in part, say)" if warned else "",
                f"{copies} {'is a copy' if copies == 1 else 'are copies'} of another file, "
                "read once"
                if copies
                else "",
            )
            if part
        )
        warnings.warn(
            f"of the {len(status)} files in {source}, {what}: {summary_line(corpus)} Each "
            f"file's reason is in {Path(corpus.path) / 'ledger.csv'}",
            CorpusWarning,
            stacklevel=3,
        )


def ingested_folder(spec: CorpusSpec, ingest: IngestConfig) -> str:
    """``<name>-<hash>`` of the source folder and the settings that cut its passages: two
    `reports/` folders elsewhere, or one folder cut two ways, never share (and overwrite) a
    folder, and a rerun with the same settings reuses (and incrementally refreshes) its own."""
    key = {"source": str(spec.root.resolve()), "ingest": _cutting(ingest)}
    return f"{spec.name}-{io.sha256_text(json.dumps(key, sort_keys=True))[:8]}"


def _cutting(ingest: IngestConfig) -> dict[str, Any]:
    """The ingest settings that change the passages (those ingest's batch cache is keyed on),
    normalised so that YAML's ``200`` and ``200.0`` are one limit. ``timeout_s`` and
    ``workers`` change how files are read, not what they read as."""
    return {
        "min_words": int(ingest.min_words),
        "max_words": int(ingest.max_words),
        "max_megabytes": float(ingest.max_megabytes),
        "text_column": ingest.text_column,
    }


def _ingest_record(path: Path | None) -> dict[str, Any]:
    """An ingested corpus folder's ``ingest.json``; {} when it has none that can be read."""
    try:
        record = io.read_json(Path(path) / "ingest.json") if path else {}
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def ingested_with(path: str | Path | None) -> IngestConfig | None:
    """The ingest settings the corpus in ``path`` was ingested with, or None when unknown."""
    saved = _ingest_record(Path(path) if path else None).get("config")
    if not isinstance(saved, dict):
        return None
    known = {f.name for f in dataclasses.fields(IngestConfig)}
    try:
        return IngestConfig(**{k: v for k, v in saved.items() if k in known})
    except (TypeError, ValueError):
        return None


def config_for_corpus(corpus: Corpus, cfg: RunConfig) -> RunConfig:
    """``cfg`` with the ingest settings ``corpus`` was ingested with, when its folder records
    them: what a run's record must show, whatever the config asked for."""
    actual = ingested_with(corpus.path)
    if actual is None or actual == cfg.ingest:
        return cfg
    return dataclasses.replace(cfg, ingest=actual)


def _warn_if_not_applied(path: Path, asked: IngestConfig) -> None:
    """A `CorpusWarning` naming the passage settings ``asked`` for that ingested ``path`` was
    not cut with. A setting left at its default asks for nothing, so a corpus ingested with,
    say, ``--text-column summary`` is used with a plain config without a word."""
    actual = ingested_with(path)
    wanted, default = _cutting(asked), _cutting(IngestConfig())
    have = _cutting(actual) if actual else {}
    differ = [k for k, v in wanted.items() if v != default[k] and v != have.get(k)]
    if not differ:
        return
    sources = _ingest_record(path).get("sources") or []
    reports = "the folder of reports" + (f" ({', '.join(map(str, sources))})" if sources else "")
    if actual:
        cut = ", ".join(f"ingest.{k} {have[k]} (the config says {wanted[k]})" for k in differ)
        what = (
            f"was ingested with {cut}; the run uses and records the settings it was ingested with"
        )
    else:
        asked_for = ", ".join(f"ingest.{k} {wanted[k]}" for k in differ)
        what = f"has no ingest.json, so what it was cut with is unknown: {asked_for} may not hold"
    warnings.warn(
        f"ingest settings do not apply to an ingested corpus: {path} {what}. To cut passages "
        f"with the config's settings, give {reports} as the corpus instead.",
        CorpusWarning,
        stacklevel=3,
    )


def corpus_for_run(
    record: dict[str, Any],
    cfg: RunConfig,
    interim: Path | None = None,
    progress: bool = True,
) -> Corpus:
    """The corpus of a run, from its run.json ``record`` and config ``cfg``.

    A run fitted on a folder of reports (``corpus.source``) reads them as they are now, brought
    up to date in its ingested folder (``corpus.path``; only changed files are read): runs of
    one folder share that folder, so it may hold another run's version of the reports. When
    the folder is gone, or another ingest setting has cut it since, the reports are ingested
    anew with the run's settings, with a `CorpusWarning` saying so. A run fitted on an
    ingested corpus reads that corpus. Neither there: a `CorpusError` naming both folders.
    """
    recorded = record.get("corpus") if isinstance(record.get("corpus"), dict) else {}
    path = Path(recorded["path"]) if recorded.get("path") else None
    source = Path(recorded["source"]) if recorded.get("source") else None
    ingested = path is not None and io.is_ingested(path)
    actual = ingested_with(path) if ingested else None
    same_cut = ingested and (actual is None or _cutting(actual) == _cutting(cfg.ingest))
    if same_cut and source is not None and source.exists():
        return _ingest_into(corpus_spec(source), path, cfg, progress)
    if ingested and (source is None or same_cut):
        return load_corpus(path, cfg, interim, progress)
    if path is None:
        state = "the run records no ingested corpus"
    elif ingested:
        state = f"the run's ingested corpus {path} has been ingested with other settings since"
    elif path.exists():
        state = f"the run's ingested corpus {path} is no longer one (it has no passages.parquet)"
    else:
        state = f"the run's ingested corpus {path} does not exist"
    if source is not None and source.exists():
        warnings.warn(
            f"{state}; ingesting its reports {source} again with the run's ingest settings",
            CorpusWarning,
            stacklevel=2,
        )
        return load_corpus(source, cfg, interim, progress)
    reports = (
        f"the folder of reports it was ingested from, {source}, does not exist either"
        if source is not None
        else "the run names no folder of reports to ingest again (it was fitted on an "
        "ingested corpus)"
    )
    raise CorpusError(
        f"{state}, and {reports}: fit a new run with `lip topics --corpus REPORTS` on the "
        "reports (in their new place, if they moved)"
    )


def place_names(documents: pd.DataFrame) -> list[str]:
    """Place and organisation names from metadata, kept out of topic words."""
    names: set[str] = set()
    for col in documents.columns:
        if col.lower() in NAME_COLUMNS:
            names.update(str(v) for v in documents[col].dropna().unique())
    return sorted(names)
