"""The steps of a run, each a plain function, shared by the CLI and the notebooks.

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
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from lip_research import io
from lip_research.config import IngestConfig, RunConfig, from_dict, load_yaml
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
    message says which was used and why. Not a UserWarning: importing BERTopic silences
    every UserWarning in the process (``warnings.filterwarnings("ignore", UserWarning)``)."""


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
    from lip_research.ingest import run_ingest

    spec = corpus_spec(path)
    cfg = cfg or RunConfig()
    target = (interim or interim_dir()) / ingested_folder(spec, cfg.ingest)
    run_ingest(list(spec.sources), target, cfg.ingest, spec.manifest, progress=progress)
    return dataclasses.replace(io.read_corpus(target), source=path)


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

    Its ingested folder (``corpus.path``) when that is still there and was ingested with the
    run's settings; else its reports (``corpus.source``) ingested again with the run's ingest
    settings, with a `CorpusWarning` saying so; else a `CorpusError` naming both folders.
    """
    recorded = record.get("corpus") if isinstance(record.get("corpus"), dict) else {}
    path = Path(recorded["path"]) if recorded.get("path") else None
    source = Path(recorded["source"]) if recorded.get("source") else None
    ingested = path is not None and io.is_ingested(path)
    actual = ingested_with(path) if ingested else None
    if ingested and (source is None or actual is None or _cutting(actual) == _cutting(cfg.ingest)):
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


@dataclass
class TopicRun:
    """A fitted topic run and what it needs to be written or evaluated."""

    corpus: Corpus
    config: RunConfig
    embeddings: np.ndarray
    result: Any
    evaluation: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    fitted: dict[str, Any] | None = field(default=None, repr=False)  # before any topic edits
    excluded: int = 0  # passages left out as topics.exclude_sections (title pages, contents)
    ingested_hash: str = ""  # of every ingested passage, before any section was left out

    def passages_note(self) -> str:
        """'922 passages (48 more, in the excluded sections front_matter, contents, left out)'."""
        n = f"{len(self.corpus.passages):,} passages"
        if not self.excluded:
            return n
        sections = ", ".join(self.config.topics.exclude_sections)
        return f"{n} ({self.excluded:,} more, in the excluded sections {sections}, left out)"


def embed_passages(
    corpus: Corpus, cfg: RunConfig, progress: bool = True
) -> tuple[np.ndarray, float]:
    from lip_research.embed import embed_texts

    t0 = time.perf_counter()
    vectors = embed_texts(
        corpus.passages["text"].astype(str).tolist(),
        backend=cfg.topics.embedding,
        device=cfg.topics.device,
        progress=progress,
    )
    return vectors, time.perf_counter() - t0


def modelled(corpus: Corpus, cfg: RunConfig) -> Corpus:
    """The corpus without passages of excluded sections (title pages, contents lists)."""
    passages = corpus.passages
    if "section" not in passages or not cfg.topics.exclude_sections:
        return corpus
    keep = ~passages["section"].isin(cfg.topics.exclude_sections)
    if not keep.any():
        raise CorpusError(
            f"every passage is in an excluded section ({', '.join(cfg.topics.exclude_sections)}); "
            "set topics.exclude_sections to [] to model them"
        )
    return dataclasses.replace(corpus, passages=passages[keep].reset_index(drop=True))


def run_topics(corpus: Corpus, cfg: RunConfig, progress: bool = True) -> TopicRun:
    """Embed, fit and evaluate; every figure of the fitted model in one object.

    Passages in ``topics.exclude_sections`` (title pages, contents lists) are left out of
    the model and of every analysis built on the run.
    """
    from tqdm.auto import tqdm

    from lip_research import evaluate
    from lip_research.topics import fit_topics, topic_words

    cfg = config_for_corpus(corpus, cfg)  # the record shows how the passages were cut
    excluded, ingested_hash = len(corpus.passages), corpus.content_hash
    corpus = modelled(corpus, cfg)
    excluded -= len(corpus.passages)
    timings: dict[str, float] = {}
    embeddings, timings["embed_s"] = embed_passages(corpus, cfg, progress)
    # closed on an error too, so that the error starts a line of its own
    with tqdm(total=2, desc="topics", unit="step", disable=not progress) as bar:
        bar.set_postfix_str("fitting")
        t0 = time.perf_counter()
        result = fit_topics(
            corpus.passages, embeddings, cfg.topics, cfg.seed, names=place_names(corpus.documents)
        )
        timings["topics_s"] = time.perf_counter() - t0
        timings.update(result.timings)
        bar.update()
        bar.set_postfix_str("evaluating")
        words = {int(t): topic_words(result.model, int(t)) for t in result.topics["topic"]}
        t0 = time.perf_counter()
        figures = evaluate.summary(
            words,
            result.passage_topics["topic"].tolist(),
            corpus.passages["text"].astype(str).tolist(),
            stop=result.analyzer.stopwords,
        )
        timings["evaluate_s"] = time.perf_counter() - t0
        bar.update()
    return TopicRun(
        corpus,
        cfg,
        embeddings,
        result,
        figures,
        timings,
        excluded=excluded,
        ingested_hash=ingested_hash,
    )


def provenance(run: TopicRun, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything needed to reproduce a run or explain why it differs."""
    corpus = run.corpus
    return {
        "created": io.now_iso(),
        "corpus": {
            "path": str(Path(corpus.path).resolve()) if corpus.path else None,
            "source": str(Path(corpus.source).resolve()) if corpus.source else None,
            "content_hash": corpus.content_hash,  # the passages modelled
            "ingested_hash": run.ingested_hash or corpus.content_hash,  # the whole corpus
            "documents": int(len(corpus.documents)),
            "passages": int(len(corpus.passages)),
        },
        "seed": run.config.seed,
        "config": run.config.to_dict(),
        "resolved_topics": dataclasses.asdict(run.result.config),
        "auto_choices": run.result.choices,
        "evaluation": run.evaluation,
        "timings_s": {k: round(v, 3) for k, v in run.timings.items()},
        "packages": io.package_versions(),
        "git_commit": io.git_commit(),
        **(extra or {}),
    }


def write_topic_tables(run: TopicRun, out: Path) -> dict[str, Path]:
    """topics.csv, passage_topics.parquet, document_topics.csv, representatives.csv."""
    out.mkdir(parents=True, exist_ok=True)
    r = run.result
    return {
        "topics": io.write_csv(r.topics, out / "topics.csv"),
        "passage_topics": io.write_parquet(r.passage_topics, out / "passage_topics.parquet"),
        "document_topics": io.write_csv(r.document_topics, out / "document_topics.csv"),
        "representatives": io.write_csv(
            _cited_excerpts(r.representatives), out / "representative_passages.csv"
        ),
    }


def _cited_excerpts(reps: pd.DataFrame) -> pd.DataFrame:
    """Representative passages as a shareable table: a citation and a short excerpt each."""
    from lip_research.lexical import MAX_QUOTE_WORDS, citations, excerpt

    out = reps.drop(columns="text").assign(citation=citations(reps))
    return out.assign(excerpt=[excerpt(t, MAX_QUOTE_WORDS) for t in reps["text"]])


TOPIC_KEYS = {
    "embedding", "reduction", "clustering", "min_topic_size", "n_clusters", "n_neighbors",
    "n_components", "top_n_words", "outliers", "representation", "nr_topics",
}  # fmt: skip


def build_config(config_yaml: str = "", seed: int | None = None, **topic_params: Any) -> RunConfig:
    """One RunConfig from an optional YAML file overridden by notebook parameters (None = keep)."""
    base = load_yaml(config_yaml) if config_yaml else RunConfig()
    data = base.to_dict()
    unknown = set(topic_params) - TOPIC_KEYS
    if unknown:
        raise ValueError(
            f"unknown topic parameters {sorted(unknown)}; allowed: {sorted(TOPIC_KEYS)}"
        )
    data["topics"].update({k: v for k, v in topic_params.items() if v is not None})
    if seed is not None:
        data["seed"] = seed
    return from_dict(data)


def save_topics(
    run: TopicRun, run_dir: Path, extra: dict[str, Any] | None = None
) -> dict[str, Path]:
    paths = write_topic_tables(run, Path(run_dir))
    io.write_text(run.config.to_yaml(), Path(run_dir) / "config.yaml")
    io.write_json(provenance(run, extra), Path(run_dir) / "run.json")
    return paths
