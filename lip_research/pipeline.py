"""The steps of a run, each a plain function, shared by the CLI and the notebooks.

Finding and ingesting a corpus is :mod:`lip_research.corpora` (re-exported here).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lip_research import io
from lip_research.config import ConfigError, RunConfig, from_dict, load_yaml
from lip_research.corpora import (  # noqa: F401  (re-exported: the notebook and CLI API)
    INTERIM,
    NAME_COLUMNS,
    PROJECT,
    CorpusSpec,
    CorpusWarning,
    config_for_corpus,
    corpus_for_run,
    corpus_spec,
    ingested_folder,
    ingested_with,
    interim_dir,
    load_corpus,
    place_names,
)
from lip_research.io import Corpus, CorpusError, LipWarning
from lip_research.resolve import MIN_PASSAGES


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
    # distinct passage texts from the embedding cache and embedded anew, and the device used
    embedded: dict[str, Any] = field(default_factory=dict)
    ingested_hash: str = ""  # of every ingested passage, before any section was left out

    def passages_note(self) -> str:
        """'922 passages (48 more left out, in the excluded sections front_matter, contents)'."""
        n = f"{len(self.corpus.passages):,} passages"
        if not self.excluded:
            return n
        sections = ", ".join(self.config.topics.exclude_sections)
        return f"{n} ({self.excluded:,} more left out, in the excluded sections {sections})"


def embed_passages(
    corpus: Corpus, cfg: RunConfig, progress: bool = True, stats: dict | None = None
) -> tuple[np.ndarray, float]:
    """The passages' vectors and the seconds they took; ``stats``: see `embed.embed_texts`."""
    from lip_research.embed import resolve_device

    if cfg.topics.device == "cuda" and cfg.topics.embedding == "minilm":
        resolve_device("cuda")  # no GPU is an error even when the embeddings are cached
    elif cfg.topics.device == "cuda":
        warnings.warn(
            f"topics.device: cuda is not used: the {cfg.topics.embedding} embedding runs on "
            "the CPU (only minilm uses a GPU)",
            LipWarning,
            stacklevel=2,
        )
    t0 = time.perf_counter()
    texts = corpus.passages["text"].astype(str).tolist()
    vectors = embedder(cfg)(texts, progress=progress, stats=stats)
    return vectors, time.perf_counter() - t0


def embedder(cfg: RunConfig) -> Callable[..., np.ndarray]:
    """`embed.embed_texts` with the run's backend, device and window: passages, and the
    texts the lenses compare them with, are embedded alike."""
    from lip_research.embed import embed_texts

    t = cfg.topics
    return functools.partial(
        embed_texts, backend=t.embedding, device=t.device, window=t.embedding_window
    )


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


def enough_left(ingested: int, left: int, cfg: RunConfig) -> None:
    """A ConfigError naming topics.exclude_sections when leaving sections out leaves too few
    passages to model (the fit would blame the passages' length)."""
    if left < MIN_PASSAGES <= ingested:
        raise ConfigError(
            f"only {left} of the {ingested} passages are left once topics.exclude_sections "
            f"({', '.join(cfg.topics.exclude_sections)}) leaves out {ingested - left}: too few "
            "to model topics. Exclude fewer sections, or add documents."
        )


def check_sizes(corpus: Corpus, cfg: RunConfig) -> None:
    """Raise the ConfigError the fit would raise for sizes the corpus's passages cannot take
    (``n_clusters: 10000`` on 89 passages), before any embedding or fitting."""
    from lip_research.resolve import CorpusShape, resolve

    passages = modelled(corpus, cfg).passages
    enough_left(len(corpus.passages), len(passages), cfg)
    resolve(cfg.topics, CorpusShape(len(passages), 0.0, passages["doc_id"].nunique()))


def run_topics(corpus: Corpus, cfg: RunConfig, progress: bool = True) -> TopicRun:
    """Embed, fit and evaluate; every figure of the fitted model in one object.

    Passages in ``topics.exclude_sections`` (title pages, contents lists) are left out of
    the model and of every analysis built on the run.
    """
    from tqdm.auto import tqdm

    from lip_research import evaluate
    from lip_research.embed import cut_short
    from lip_research.topics import fit_topics, topic_words

    cfg = config_for_corpus(corpus, cfg)  # the record shows how the passages were cut
    excluded, ingested_hash = len(corpus.passages), corpus.content_hash
    corpus = modelled(corpus, cfg)
    excluded -= len(corpus.passages)
    enough_left(len(corpus.passages) + excluded, len(corpus.passages), cfg)
    timings: dict[str, float] = {}
    embedded: dict[str, Any] = {}
    embeddings, timings["embed_s"] = embed_passages(corpus, cfg, progress, embedded)
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
        texts = corpus.passages["text"].astype(str).tolist()
        figures = evaluate.summary(
            words,
            result.passage_topics["topic"].tolist(),
            texts,
            stop=result.analyzer.stopwords,
        )
        figures["embedding_cut_short"] = cut_short(
            texts, cfg.topics.embedding, cfg.topics.embedding_window
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
        embedded=embedded,
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
            # files by ledger status (ok, warning, failed, duplicate): ledger.csv in path says why
            "files": _ledger_counts(corpus),
        },
        "seed": run.config.seed,
        "fit_id": fit_id(run),  # topic_edits.yaml names the fit it was made for
        "config": run.config.to_dict(),
        "resolved_topics": dataclasses.asdict(run.result.config),
        "auto_choices": run.result.choices,
        # abbreviations read as one topic word with their long form: [as written, long form]
        "abbreviations": [list(pair) for pair in run.result.analyzer.defined],
        "evaluation": run.evaluation,
        "timings_s": {k: round(v, 3) for k, v in run.timings.items()},
        "embedded": run.embedded,
        "packages": io.package_versions(),
        "git_commit": io.git_commit(),
        **(extra or {}),
    }


def _ledger_counts(corpus: Corpus) -> dict[str, int]:
    if "status" not in corpus.ledger:
        return {}
    counts = corpus.ledger["status"].value_counts().sort_index()
    return {str(k): int(v) for k, v in counts.items()}


def write_topic_tables(run: TopicRun, out: Path) -> dict[str, Path]:
    """topics.csv, passage_topics.parquet, document_topics.csv, representatives.csv."""
    out.mkdir(parents=True, exist_ok=True)
    r = run.result
    return {
        "topics": io.write_csv(r.topics, out / "topics.csv"),
        "passage_topics": io.write_parquet(r.passage_topics, out / "passage_topics.parquet"),
        "document_topics": io.write_csv(r.document_topics, out / "document_topics.csv"),
        "representatives": io.write_csv(
            _cited_excerpts(r.representatives, r.topics), out / "representative_passages.csv"
        ),
    }


def _cited_excerpts(reps: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """Representative passages as a shareable table: a citation and a short excerpt each
    (see :func:`topic_excerpts`); a passage whose excerpt a nearer one gave is left out."""
    from lip_research.lexical import citations

    out = reps.drop(columns="text").assign(
        citation=citations(reps), excerpt=topic_excerpts(reps, topics)
    )
    out = out[distinct_excerpts(out)]
    return out.assign(rank=out.groupby("topic").cumcount() + 1)  # no gaps where copies went


def distinct_excerpts(reps: pd.DataFrame) -> list[bool]:
    """Which rows (topic, excerpt; nearest first) show something their topic has not shown:
    a copy of a paragraph with another name, place or paragraph number is no new example."""
    from lip_research.lexical import near_duplicate, shingles

    shown: dict[int, list[set]] = {}
    keep = []
    for topic, text in zip(reps["topic"], reps["excerpt"], strict=True):
        seen = shown.setdefault(int(topic), [])
        sh = shingles(text)
        keep.append(not any(near_duplicate(sh, other) for other in seen))
        if keep[-1]:
            seen.append(sh)
    return keep


def topic_excerpts(reps: pd.DataFrame, topics: pd.DataFrame, max_words: int = 40) -> list[str]:
    """An excerpt of each passage (``reps``: topic, text) where it holds most of its topic's
    words (``topics``: topic, words), not where it starts: a passage of two joined paragraphs
    may open with the one that says nothing of its topic."""
    from lip_research.lexical import excerpt_with

    terms = {
        int(t): str(w).split(";") for t, w in zip(topics["topic"], topics["words"], strict=True)
    }
    return [
        excerpt_with(text, terms.get(int(t), []), max_words)
        for t, text in zip(reps["topic"], reps["text"], strict=True)
    ]


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


def fit_id(run: TopicRun) -> str:
    """A fingerprint of the topics as fitted, before any edits: which passage went where."""
    fitted = run.fitted["passage_topics"] if run.fitted else run.result.passage_topics
    table = fitted[["passage_id", "topic"]].to_csv(index=False).encode()
    return hashlib.sha256(table).hexdigest()[:16]


def warning_signs(run: TopicRun) -> list[str]:
    """What a researcher should look at before reading the topics: many passages in no topic,
    one topic holding most of the corpus, topics that share their words."""
    from lip_research.preprocess import english_share

    ev, resolved = run.evaluation, run.result.config
    signs = []
    english = english_share(run.corpus.passages["text"])
    if english < 0.2:
        signs.append(
            f"the text does not read as English: {english:.0%} of its words are English "
            "function words ('the', 'of', 'and'), where English prose has about 45%. Topic "
            "words are built with English stop words, lemmas and phrases, so in another "
            "language they will read poorly (docs/parameters.md)"
        )
    if ev["outlier_share"] > 0.2 and resolved.clustering == "hdbscan":
        signs.append(
            f"{ev['outlier_share']:.0%} of the passages are in no topic: HDBSCAN left them out "
            f"and outlier reduction (topics.outliers: {resolved.outliers}, outlier_threshold "
            f"{resolved.outlier_threshold}) placed no more. topics.outliers: embeddings with "
            "outlier_threshold 0 places every one, a smaller topics.min_topic_size leaves "
            "fewer out, and clustering: auto leaves none (docs/parameters.md)"
        )
    elif ev["outlier_share"] > 0.2:
        out = run.result.left_out
        docs = " topics.min_docs: 1 keeps words that occur in one document only;" * (
            resolved.min_docs > 1
        )
        signs.append(
            f"{ev['outlier_share']:.0%} of the passages are in no topic: "
            f"{out.get('no_topic_word', 0)} hold no topic word and {out.get('template', 0)} "
            f"are mostly template text. If that is more than you expect:{docs} "
            "topics.template_share sets what counts as template text (docs/parameters.md)"
        )
    if ev["largest_share"] > 0.5 and ev["n_topics"] > 1:
        signs.append(
            f"one topic holds {ev['largest_share']:.0%} of the passages: the others describe "
            "little. "
            + (
                "A smaller topics.min_topic_size finds more topics"
                if resolved.clustering == "hdbscan"
                else "Ask for more topics (topics.n_clusters)"
            )
            + (", or leave topics.nr_topics unset" if resolved.nr_topics else "")
        )
    if "nr_topics" in run.result.choices:  # noted only when it was not applied
        signs.append(f"topics.nr_topics {run.result.choices['nr_topics']}")
    if ev["diversity"] < 0.5 and ev["n_topics"] > 1:
        signs.append(
            f"the topics share most of their words (diversity {ev['diversity']:.2f}: "
            f"{ev['diversity']:.0%} of their top words are distinct), so they hardly differ. "
            "Fewer topics, or a corpus of more varied text, will read better"
        )
    return signs


class EditsWarning(Warning):
    """Topic edits in a run folder were made for another fit and were set aside."""


def set_aside_stale_edits(run: TopicRun, run_dir: Path) -> None:
    """Move ``topic_edits.yaml`` to ``topic_edits.earlier.yaml`` when it names another fit
    than ``run``'s: an earlier fit's merges and labels would land on unrelated topics."""
    import yaml

    path = Path(run_dir) / "topic_edits.yaml"
    if not path.exists():
        return
    try:
        made_for = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("fit_id")
    except (yaml.YAMLError, UnicodeDecodeError, AttributeError):
        return  # unreadable: runs.saved_edits says so where it is used
    if made_for is None or made_for == fit_id(run):  # hand-written, or made for this fit
        return
    aside, n = path.with_name("topic_edits.earlier.yaml"), 2
    while aside.exists():  # an earlier one set aside is kept too
        aside, n = path.with_name(f"topic_edits.earlier-{n}.yaml"), n + 1
    path.replace(aside)
    warnings.warn(
        f"{path} held topic edits made for an earlier fit in {run_dir}; they would land on "
        f"unrelated topics of this one, so they were moved to {aside.name}",
        EditsWarning,
        stacklevel=3,
    )


def save_topics(
    run: TopicRun, run_dir: Path, extra: dict[str, Any] | None = None
) -> dict[str, Path]:
    """Write a fit's tables, config.yaml and run.json into ``run_dir`` (setting aside topic
    edits made there for another fit)."""
    set_aside_stale_edits(run, Path(run_dir))
    paths = write_topic_tables(run, Path(run_dir))
    ledger = run.corpus.ledger  # every file the corpus was ingested from, and why any is out
    if not ledger.empty:
        cols = [c for c in io.LEDGER_COLUMNS if c in ledger.columns and c != "seconds"]
        paths["ledger"] = io.write_csv(ledger[cols], Path(run_dir) / "ledger.csv")
    io.write_text(run.config.to_yaml(), Path(run_dir) / "config.yaml")
    io.write_json(provenance(run, extra), Path(run_dir) / "run.json")
    return paths
