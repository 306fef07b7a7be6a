"""`resolve`: unset and auto topic settings chosen from the corpus, and what it says it chose."""

from __future__ import annotations

import pytest

from lip_research.config import ConfigError, RunConfig, TopicConfig
from lip_research.resolve import CorpusShape, resolve


def test_resolve_records_every_choice():
    resolved, chosen = resolve(RunConfig().topics, CorpusShape(n_passages=3000, mean_words=200))
    assert resolved.clustering == "agglomerative"
    assert resolved.n_clusters == 32
    assert {"clustering", "n_clusters", "n_components", "min_df"} <= set(chosen)
    assert None not in (resolved.n_clusters, resolved.n_components, resolved.min_df)
    # parameters Ward clustering on PCA does not use stay unset, so run.json shows none
    assert (resolved.min_topic_size, resolved.n_neighbors) == (None, None)


def test_topic_words_must_recur_across_documents_once_there_are_five():
    few, chosen = resolve(RunConfig().topics, CorpusShape(200, 150, n_documents=4))
    many, _ = resolve(RunConfig().topics, CorpusShape(200, 150, n_documents=5))
    fixed, _ = resolve(RunConfig(topics=TopicConfig(min_docs=3)).topics, CorpusShape(200, 150, 5))
    assert (few.min_docs, many.min_docs, fixed.min_docs) == (1, 2, 3)
    assert "min_docs" in chosen


def test_reduction_follows_the_clustering_unless_set():
    shape = CorpusShape(3000, 200)
    ward, chosen = resolve(RunConfig().topics, shape)
    density, _ = resolve(TopicConfig(clustering="hdbscan"), shape)
    fixed, _ = resolve(TopicConfig(clustering="hdbscan", reduction="pca"), shape)
    assert (ward.reduction, density.reduction, fixed.reduction) == ("pca", "umap", "pca")
    assert "reduction" in chosen and density.n_components == 5


def test_a_parameter_the_clustering_ignores_is_refused_before_any_corpus_is_read():
    shape = CorpusShape(3000, 200)
    with pytest.raises(ConfigError, match="n_clusters=12 does not apply to clustering: hdbscan"):
        RunConfig(topics=TopicConfig(clustering="hdbscan", n_clusters=12))
    with pytest.raises(ConfigError, match="min_topic_size=20 applies only to clustering: hdbscan"):
        RunConfig().replace(**{"topics.min_topic_size": 20})  # auto: Ward clustering
    with pytest.raises(ConfigError, match="n_neighbors=15 applies only to reduction: umap"):
        TopicConfig(n_neighbors=15).validate()  # auto: PCA
    TopicConfig(clustering="hdbscan", n_neighbors=15, min_topic_size=20).validate()  # auto: UMAP
    _, ward = resolve(TopicConfig(), shape)
    _, density = resolve(TopicConfig(clustering="hdbscan"), shape)
    assert "min_topic_size" not in ward and "n_neighbors" not in ward  # not used: not "chosen"
    assert {"min_topic_size", "n_neighbors"} <= set(density)


def test_small_collections_still_get_eight_topics():
    resolved, _ = resolve(RunConfig().topics, CorpusShape(n_passages=48, mean_words=180))
    assert resolved.n_clusters == 8


def test_large_corpora_switch_to_kmeans():
    resolved, chosen = resolve(RunConfig().topics, CorpusShape(n_passages=50_000, mean_words=200))
    assert resolved.clustering == "kmeans"
    assert "k-means above" in chosen["clustering"]


def test_too_few_passages_says_what_to_do():
    with pytest.raises(ConfigError, match="too few to model topics"):
        resolve(RunConfig().topics, CorpusShape(n_passages=4, mean_words=100))


def test_min_topic_size_too_large_for_corpus():
    cfg = (
        RunConfig().replace(**{"topics.clustering": "hdbscan", "topics.min_topic_size": 80}).topics
    )
    with pytest.raises(ConfigError, match="min_topic_size=80 is too large for 100 passages"):
        resolve(cfg, CorpusShape(n_passages=100, mean_words=100))


def test_n_neighbors_asked_for_is_never_lowered_silently():
    cfg = RunConfig().replace(**{"topics.reduction": "umap", "topics.n_neighbors": 5000}).topics
    with pytest.raises(
        ConfigError, match="n_neighbors=5000 is too many for 100 passages; choose at most 99"
    ):
        resolve(cfg, CorpusShape(n_passages=100, mean_words=100))
    auto = RunConfig().replace(**{"topics.reduction": "umap"}).topics
    resolved, chosen = resolve(auto, CorpusShape(n_passages=100, mean_words=100))
    assert resolved.n_neighbors == 5 and chosen["n_neighbors"].startswith("5 (sqrt(n_passages)/2")


def test_n_components_is_capped_at_the_embedding_dimensions_and_says_so():
    shape = CorpusShape(3000, 200, n_documents=40, dims=256)
    resolved, chosen = resolve(TopicConfig(n_components=300), shape)
    assert resolved.n_components == 256
    assert chosen["n_components"] == (
        "256 (topics.n_components=300 asked for, at most 256: the embeddings have 256 dimensions)"
    )
    resolved, chosen = resolve(TopicConfig(n_components=50), shape)
    assert resolved.n_components == 50 and "n_components" not in chosen  # as asked: no note
    resolved, chosen = resolve(TopicConfig(), CorpusShape(12, 200))  # no dims: passages only
    assert resolved.n_components == 11
    assert chosen["n_components"] == (
        "11 (5 for UMAP, 20 for PCA, at most 11: one fewer than the 12 passages)"
    )


def test_the_n_clusters_note_says_when_a_quarter_of_the_passages_capped_it():
    resolved, chosen = resolve(TopicConfig(), CorpusShape(20, 200))  # one short report
    assert resolved.n_clusters == 5
    assert chosen["n_clusters"] == (
        "5 (sqrt(n_passages/3), between 8 and 60, at most a quarter of the passages)"
    )
    _, chosen = resolve(TopicConfig(), CorpusShape(3000, 200))
    assert chosen["n_clusters"] == "32 (sqrt(n_passages/3), between 8 and 60)"
