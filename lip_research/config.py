"""One validated, frozen run configuration, built once and passed explicitly.

A `RunConfig` holds every choice that changes a result: the seed, how passages are cut,
how they are embedded, reduced, clustered and described, and how themes are coded.
Values left as ``None`` are chosen from the corpus by :func:`resolve` and the choice is
recorded in ``run.json``, so a run never relies on a default it does not show.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

EMBEDDING_BACKENDS = ("minilm", "static")
REDUCTIONS = ("auto", "umap", "pca", "none")
CLUSTERINGS = ("auto", "hdbscan", "kmeans", "agglomerative")
OUTLIER_STRATEGIES = ("none", "embeddings", "c-tf-idf", "distributions")
REPRESENTATIONS = ("ctfidf", "mmr")


AGGLOMERATIVE_MAX = 20_000  # Ward linkage needs O(n^2) memory: ~3 GB at this size
MIN_DOCS_FROM = 5  # corpora of at least this many documents ask topic words to recur across two


class ConfigError(ValueError):
    """A parameter is out of range or unknown; the message says which and what is allowed."""


@dataclass(frozen=True)
class IngestConfig:
    """How files become passages."""

    min_words: int = 100
    max_words: int = 250
    timeout_s: float = 120.0
    max_megabytes: float = 200.0
    text_column: str | None = None
    workers: int | None = None

    def validate(self) -> None:
        _check(
            0 < self.min_words < self.max_words, "ingest.min_words must be > 0 and below max_words"
        )
        _check(self.timeout_s > 0, "ingest.timeout_s must be positive")
        _check(self.max_megabytes > 0, "ingest.max_megabytes must be positive")


@dataclass(frozen=True)
class TopicConfig:
    """The whole BERTopic pipeline; ``None`` means 'choose from the corpus' (see `resolve`)."""

    embedding: str = "minilm"
    device: str = "auto"
    reduction: str = "auto"
    n_neighbors: int | None = None
    n_components: int | None = None
    clustering: str = "auto"
    min_topic_size: int | None = None
    n_clusters: int | None = None
    min_df: int | None = None
    min_docs: int | None = None
    max_df: float = 0.5
    ngram_max: int = 1
    top_n_words: int = 10
    representation: str = "ctfidf"
    diversity: float = 0.3
    outliers: str = "embeddings"
    outlier_threshold: float = 0.0
    nr_topics: int | None = None
    extra_stopwords: tuple[str, ...] = ()
    template_share: float = 0.2
    exclude_sections: tuple[str, ...] = ("front_matter", "contents")

    def validate(self) -> None:
        _choice("topics.embedding", self.embedding, EMBEDDING_BACKENDS)
        _choice("topics.device", self.device, ("auto", "cpu", "cuda"))
        _choice("topics.reduction", self.reduction, REDUCTIONS)
        _choice("topics.clustering", self.clustering, CLUSTERINGS)
        _choice("topics.outliers", self.outliers, OUTLIER_STRATEGIES)
        _choice("topics.representation", self.representation, REPRESENTATIONS)
        _check(
            self.n_components is None or self.n_components >= 2,
            "topics.n_components must be at least 2",
        )
        _check(
            self.n_neighbors is None or self.n_neighbors >= 2,
            "topics.n_neighbors must be at least 2",
        )
        _check(
            self.min_topic_size is None or self.min_topic_size >= 2,
            "topics.min_topic_size must be at least 2",
        )
        _check(
            self.n_clusters is None or self.n_clusters >= 2, "topics.n_clusters must be at least 2"
        )
        _check(0 < self.max_df <= 1, "topics.max_df must be in (0, 1]")
        _check(self.min_docs is None or self.min_docs >= 1, "topics.min_docs must be at least 1")
        _check(1 <= self.ngram_max <= 3, "topics.ngram_max must be 1, 2 or 3")
        _check(5 <= self.top_n_words <= 30, "topics.top_n_words must be between 5 and 30")
        _check(0 <= self.diversity <= 1, "topics.diversity must be in [0, 1]")
        _check(0 <= self.outlier_threshold < 1, "topics.outlier_threshold must be in [0, 1)")
        _check(0 <= self.template_share <= 1, "topics.template_share must be in [0, 1]")


@dataclass(frozen=True)
class ThemeConfig:
    """How passages are coded against the Learning into Practice codebooks."""

    codebooks: tuple[str, ...] = ("practice_issues", "scie_typology", "quality_markers")
    extra_codebooks: tuple[str, ...] = ()
    min_passages: int = 1
    briefing_themes: tuple[str, ...] = ()

    def validate(self) -> None:
        _check(self.min_passages >= 1, "themes.min_passages must be at least 1")


@dataclass(frozen=True)
class RunConfig:
    """Every parameter of a run. One seed feeds every random component."""

    seed: int = 2016
    ingest: IngestConfig = field(default_factory=IngestConfig)
    topics: TopicConfig = field(default_factory=TopicConfig)
    themes: ThemeConfig = field(default_factory=ThemeConfig)

    def __post_init__(self) -> None:
        _check(isinstance(self.seed, int) and self.seed >= 0, "seed must be a non-negative integer")
        self.ingest.validate()
        self.topics.validate()
        self.themes.validate()

    # -- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def fingerprint(self) -> str:
        """Short hash of the parameters (stable across processes)."""
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:10]

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with dotted keys changed, e.g. ``replace(**{"topics.embedding": "static"})``."""
        return from_dict(_merge(self.to_dict(), _undot(changes)))


def from_dict(data: dict[str, Any] | None) -> RunConfig:
    """Build and validate a config; unknown keys are an error, not silently ignored."""
    data = dict(data or {})
    kwargs: dict[str, Any] = {}
    sub = {"ingest": IngestConfig, "topics": TopicConfig, "themes": ThemeConfig}
    allowed = {f.name for f in fields(RunConfig)}
    unknown = set(data) - allowed
    _check(not unknown, f"unknown config keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    for name, value in data.items():
        if name in sub:
            kwargs[name] = _build(sub[name], value or {}, name)
        else:
            kwargs[name] = value
    return RunConfig(**kwargs)


def load_yaml(path: str | Path) -> RunConfig:
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file {path} does not exist")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping of parameters, not {type(data).__name__}")
    return from_dict(data)


@dataclass(frozen=True)
class CorpusShape:
    """What `resolve` needs to know about a corpus."""

    n_passages: int
    mean_words: float
    n_documents: int = 1


def resolve(cfg: TopicConfig, shape: CorpusShape) -> tuple[TopicConfig, dict[str, Any]]:
    """Fill every ``None``/``auto`` from the corpus size and text length; say what was chosen.

    HDBSCAN with its defaults puts short-text collections (and the `static` backend's flatter
    space) into one giant topic, so the default is deterministic Ward clustering on PCA with
    about sqrt(n/3) topics (k-means above 20,000 passages); HDBSCAN, when asked for, runs on
    UMAP, the space it needs, with sizes scaled to the corpus.
    """
    n = shape.n_passages
    if n < 10:
        raise ConfigError(
            f"only {n} passages: too few to model topics. Add documents, or lower "
            "ingest.min_words so that more passages are cut."
        )
    chosen: dict[str, Any] = {}
    clustering = cfg.clustering
    if clustering == "auto":
        clustering = "agglomerative" if n <= AGGLOMERATIVE_MAX else "kmeans"
        chosen["clustering"] = (
            f"{clustering} (deterministic Ward clustering up to {AGGLOMERATIVE_MAX:,} passages, "
            "k-means above; no outliers; HDBSCAN available)"
        )
    reduction = cfg.reduction
    if reduction == "auto":
        reduction = "umap" if clustering == "hdbscan" else "pca"
        chosen["reduction"] = (
            f"{reduction} (UMAP for HDBSCAN, whose density clusters need UMAP's neighbourhoods; "
            "PCA, deterministic, for Ward and k-means)"
        )
    n_components = cfg.n_components
    if n_components is None:
        n_components = 5 if reduction == "umap" else 20
        chosen["n_components"] = f"{n_components} (5 for UMAP, 20 for PCA)"
    n_components = min(n_components, n - 1)
    n_clusters = cfg.n_clusters
    if clustering in ("kmeans", "agglomerative") and n_clusters is None:
        n_clusters = int(min(60, max(8, round((n / 3) ** 0.5))))
        n_clusters = min(n_clusters, max(2, n // 4))
        chosen["n_clusters"] = f"{n_clusters} (sqrt(n_passages/3), between 8 and 60)"
    if clustering != "hdbscan" and n_clusters is not None and n_clusters >= n:
        raise ConfigError(
            f"n_clusters={n_clusters} needs more passages than the {n} this corpus has; "
            f"choose at most {max(2, n // 4)} (or leave it unset to choose from the corpus)."
        )
    min_topic_size = cfg.min_topic_size
    if min_topic_size is None:
        min_topic_size = int(min(50, max(5, round(n / 100))))
        chosen["min_topic_size"] = f"{min_topic_size} (n_passages/100, between 5 and 50)"
    if clustering == "hdbscan" and min_topic_size * 2 > n:
        raise ConfigError(
            f"min_topic_size={min_topic_size} is too large for {n} passages; "
            f"choose at most {n // 2}."
        )
    n_neighbors = cfg.n_neighbors
    if n_neighbors is None:
        n_neighbors = int(min(30, max(5, round(n**0.5 / 2))))
        chosen["n_neighbors"] = f"{n_neighbors} (sqrt(n_passages)/2, between 5 and 30)"
    n_neighbors = min(n_neighbors, n - 1)
    min_df = cfg.min_df
    if min_df is None:
        min_df = 2 if n < 1000 else 3
        chosen["min_df"] = f"{min_df} (2 below 1,000 passages, else 3)"
    min_docs = cfg.min_docs
    if min_docs is None:
        min_docs = 2 if shape.n_documents >= MIN_DOCS_FROM else 1
        chosen["min_docs"] = (
            f"{min_docs} (a topic word must occur in 2 documents once there are "
            f"{MIN_DOCS_FROM} or more: one report's names, pseudonyms and local project names "
            "describe no theme)"
        )
    resolved = dataclasses.replace(
        cfg,
        clustering=clustering,
        reduction=reduction,
        n_clusters=n_clusters,
        min_topic_size=min_topic_size,
        n_neighbors=n_neighbors,
        n_components=n_components,
        min_df=min_df,
        min_docs=min_docs,
    )
    resolved.validate()
    return resolved, chosen


# -- helpers ---------------------------------------------------------------------------------
def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    _check(value in allowed, f"{name}={value!r} is not one of {', '.join(allowed)}")


def _build(cls: type, data: dict[str, Any], prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix} must be a mapping")
    names = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(names)
    _check(not unknown, f"unknown {prefix} keys {sorted(unknown)}; allowed: {sorted(names)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    try:
        return cls(**values)
    except TypeError as exc:  # pragma: no cover - guarded by the unknown-key check
        raise ConfigError(f"{prefix}: {exc}") from exc


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def _undot(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
