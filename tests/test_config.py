"""RunConfig: validated, frozen, serialisable; `resolve` chooses from the corpus and says so."""

from __future__ import annotations

import dataclasses

import pytest

from lip_research.config import (
    ConfigError,
    CorpusShape,
    RunConfig,
    TopicConfig,
    from_dict,
    load_yaml,
    resolve,
)


def test_round_trips_through_yaml(tmp_path):
    cfg = RunConfig(seed=7).replace(**{"topics.embedding": "static", "topics.n_clusters": 12})
    path = tmp_path / "cfg.yaml"
    path.write_text(cfg.to_yaml())
    again = load_yaml(path)
    assert again == cfg
    assert again.fingerprint() == cfg.fingerprint()


def test_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RunConfig().seed = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"topics.embedding": "bert"}, "topics.embedding='bert' is not one of", id="backend"
        ),
        pytest.param({"topics.clustering": "dbscan"}, "topics.clustering", id="clustering"),
        pytest.param({"topics.max_df": 0}, "max_df", id="max_df"),
        pytest.param({"topics.min_docs": 0}, "min_docs", id="min_docs"),
        pytest.param({"seed": -1}, "seed must be", id="seed"),
        pytest.param({"ingest.min_words": 300}, "min_words", id="passage-bounds"),
    ],
)
def test_bad_values_name_the_parameter(change, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig().replace(**change)


def test_unknown_keys_are_errors_not_ignored():
    with pytest.raises(ConfigError, match="unknown topics keys"):
        from_dict({"topics": {"embeddings": "static"}})
    with pytest.raises(ConfigError, match="unknown config keys"):
        from_dict({"sead": 1})


def test_resolve_records_every_choice():
    resolved, chosen = resolve(RunConfig().topics, CorpusShape(n_passages=3000, mean_words=200))
    assert resolved.clustering == "agglomerative"
    assert resolved.n_clusters == 32
    assert {"clustering", "n_clusters", "n_components", "min_df"} <= set(chosen)
    assert None not in (
        resolved.n_clusters,
        resolved.min_topic_size,
        resolved.n_neighbors,
        resolved.min_df,
    )


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
