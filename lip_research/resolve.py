"""What ``auto`` and unset topic settings become for a corpus: :func:`resolve` chooses them
from the corpus's size, text length and embedding width, and says what it chose and why
(recorded in ``run.json``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from lip_research.config import ConfigError, TopicConfig

AGGLOMERATIVE_MAX = 20_000  # Ward linkage needs O(n^2) memory: ~3 GB at this size
MIN_DOCS_FROM = 5  # corpora of at least this many documents ask topic words to recur across two


@dataclass(frozen=True)
class CorpusShape:
    """What `resolve` needs to know about a corpus."""

    n_passages: int
    mean_words: float
    n_documents: int = 1
    dims: int | None = None  # of the embeddings: reduction cannot give more components


MIN_PASSAGES = 10  # fewer cannot be told apart into topics


def resolve(cfg: TopicConfig, shape: CorpusShape) -> tuple[TopicConfig, dict[str, Any]]:
    """Fill every ``None``/``auto`` from the corpus size and text length; say what was chosen.

    HDBSCAN with its defaults puts short-text collections (and the `static` backend's flatter
    space) into one giant topic, so the default is deterministic Ward clustering on PCA with
    about sqrt(n/3) topics (k-means above 20,000 passages); HDBSCAN, when asked for, runs on
    UMAP, the space it needs, with sizes scaled to the corpus.
    """
    n = shape.n_passages
    if n < MIN_PASSAGES:
        raise ConfigError(
            f"only {n} passages: too few to model topics. Add documents, or cut shorter "
            "passages: a lower ingest.max_words (with ingest.min_words below it) when you ingest."
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
    origin = f"topics.n_components={n_components} asked for"
    if n_components is None:
        n_components = 5 if reduction == "umap" else 20
        origin = "5 for UMAP, 20 for PCA"
        chosen["n_components"] = f"{n_components} ({origin})"
    limit = n - 1 if shape.dims is None else min(n - 1, shape.dims)
    if n_components > limit:
        why = (
            f"the embeddings have {shape.dims} dimensions"
            if limit == shape.dims
            else f"one fewer than the {n} passages"
        )
        chosen["n_components"] = f"{limit} ({origin}, at most {limit}: {why})"
        n_components = limit
    n_clusters = cfg.n_clusters
    if clustering in ("kmeans", "agglomerative") and n_clusters is None:
        n_clusters = int(min(60, max(8, round((n / 3) ** 0.5))))
        quarter = max(2, n // 4)
        capped = ", at most a quarter of the passages" if quarter < n_clusters else ""
        n_clusters = min(n_clusters, quarter)
        chosen["n_clusters"] = f"{n_clusters} (sqrt(n_passages/3), between 8 and 60{capped})"
    if clustering != "hdbscan" and n_clusters is not None and n_clusters >= n:
        raise ConfigError(
            f"n_clusters={n_clusters} needs more passages than the {n} this corpus has; "
            f"choose fewer than {n}, about {max(2, n // 4)} at most for topics of several "
            "passages each (or leave it unset to choose from the corpus)."
        )
    min_topic_size = cfg.min_topic_size  # HDBSCAN's only: left unset for the others
    if min_topic_size is None and clustering == "hdbscan":
        min_topic_size = int(min(50, max(5, round(n / 100))))
        chosen["min_topic_size"] = f"{min_topic_size} (n_passages/100, between 5 and 50)"
    if clustering == "hdbscan" and min_topic_size * 2 > n:
        raise ConfigError(
            f"min_topic_size={min_topic_size} is too large for {n} passages; "
            f"choose at most {n // 2}."
        )
    n_neighbors = cfg.n_neighbors  # UMAP's only: left unset for PCA
    if n_neighbors is None and reduction == "umap":
        n_neighbors = int(min(30, max(5, round(n**0.5 / 2))))
        chosen["n_neighbors"] = f"{n_neighbors} (sqrt(n_passages)/2, between 5 and 30)"
    if cfg.n_neighbors is not None and cfg.n_neighbors > n - 1:
        raise ConfigError(
            f"n_neighbors={cfg.n_neighbors} is too many for {n} passages; choose at most {n - 1}."
        )
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


def fit_limits(
    resolved: TopicConfig,
    asked: TopicConfig,
    n_fitted: int,
    n_passages: int,
    dims: int | None,
    chosen: dict[str, Any],
) -> TopicConfig:
    """``resolved`` (chosen for all ``n_passages``) within what the ``n_fitted`` passages in
    topics allow, once passages of template text or with no topic word are set aside: a
    size chosen here is lowered, with a note in ``chosen``; one the user asked for (in
    ``asked``) that no longer fits is an error naming the limit."""
    n = n_fitted
    if n == n_passages:
        return resolved
    out = f"the {n} of {n_passages} passages in topics (the rest template text or no topic word)"
    if n < 10:
        raise ConfigError(
            f"only {n} of the {n_passages} passages hold topic words (the rest are template "
            "text repeated across documents, or words the vocabulary leaves out): too few to "
            "model topics. Add documents, or see topics.template_share and topics.min_docs."
        )
    changes: dict[str, Any] = {}
    limit = n - 1 if dims is None else min(n - 1, dims)
    if resolved.n_components is not None and resolved.n_components > limit:
        if asked.n_components is not None:
            raise ConfigError(
                f"n_components={asked.n_components} is too many for {out}; choose at most {limit}."
            )
        changes["n_components"] = limit
    clusters = resolved.n_clusters if resolved.clustering != "hdbscan" else None
    if clusters is not None and clusters >= n:
        if asked.n_clusters is not None:
            raise ConfigError(
                f"n_clusters={asked.n_clusters} needs more passages than {out}; choose "
                f"fewer than {n}, about {max(2, n // 4)} at most."
            )
        changes["n_clusters"] = max(2, n // 4)
    if resolved.clustering == "hdbscan" and resolved.min_topic_size * 2 > n:
        if asked.min_topic_size is not None:
            raise ConfigError(
                f"min_topic_size={asked.min_topic_size} is too large for {out}; choose at most "
                f"{n // 2}."
            )
        changes["min_topic_size"] = max(2, n // 2)
    if resolved.n_neighbors is not None and resolved.n_neighbors > n - 1:
        if asked.n_neighbors is not None:
            raise ConfigError(
                f"n_neighbors={asked.n_neighbors} is too many for {out}; choose at most {n - 1}."
            )
        changes["n_neighbors"] = n - 1
    for key, value in changes.items():
        chosen[key] = f"{value} (lowered from {getattr(resolved, key)} for {out})"
    return dataclasses.replace(resolved, **changes) if changes else resolved
