"""RunConfig: validated, frozen, serialisable (what `auto` resolves to: test_resolve.py)."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest
import yaml

from lip_research.config import (
    ConfigError,
    RunConfig,
    TopicConfig,
    from_dict,
    load_yaml,
)
from lip_research.segment import SECTIONS


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
        pytest.param({"ingest.workers": 0}, "ingest.workers must be 1 or more", id="workers"),
        pytest.param({"ingest.timeout_s": float("inf")}, "timeout_s must be a", id="inf"),
    ],
)
def test_bad_values_name_the_parameter(change, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig().replace(**change)


def test_unknown_keys_are_errors_not_ignored():
    with pytest.raises(
        ConfigError, match="unknown topics keys.*did you mean 'embeddings' -> 'embedding'"
    ):
        from_dict({"topics": {"embeddings": "static"}})
    with pytest.raises(ConfigError, match="unknown config keys.*did you mean 'sead' -> 'seed'"):
        from_dict({"sead": 1})
    with pytest.raises(ConfigError, match=r"unknown config keys \['zzz'\]; allowed"):
        from_dict({"zzz": 1})  # nothing close: no guess


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            'topics: {n_clusters: "10"}',
            r"topics\.n_clusters must be a whole number, e.g\. 10, or null, not the text '10'; "
            "write it without quotes",
            id="quoted-int",
        ),
        pytest.param(
            'topics: {max_df: "0.5"}',
            r"topics\.max_df must be a number, e\.g\. 0\.5, not the text '0\.5'",
            id="quoted-float",
        ),
        pytest.param(
            'ingest: {timeout_s: "60"}',
            r"ingest\.timeout_s must be a number, e\.g\. 120\.0, not the text '60'",
            id="quoted-timeout",
        ),
        pytest.param(
            "topics: {outlier_threshold: 1e-3}",
            r"topics\.outlier_threshold must be a number.*write 0\.001 \(YAML reads 1e-3 as text\)",
            id="exponent-read-as-text",
        ),
        pytest.param(
            "topics: {n_clusters: 5.5}",
            r"topics\.n_clusters must be a whole number, e\.g\. 10, or null, not the number 5\.5$",
            id="fractional-n_clusters",
        ),
        pytest.param(
            "topics: {top_n_words: 5.5}",
            r"topics\.top_n_words must be a whole number, e\.g\. 10, not the number 5\.5",
            id="fractional-top_n_words",
        ),
        pytest.param(
            "topics: {min_topic_size: 3.5}",
            r"topics\.min_topic_size must be a whole number.*not the number 3\.5",
            id="fractional-min_topic_size",
        ),
        pytest.param(
            "topics: {min_docs: 2.5}",
            r"topics\.min_docs must be a whole number.*not the number 2\.5",
            id="fractional-min_docs",
        ),
        pytest.param(
            "topics: {n_clusters: 10.0}",
            r"topics\.n_clusters must be a whole number.*not the number 10\.0; write 10$",
            id="integral-float-refused",
        ),
        pytest.param(
            "topics: {exclude_sections: contents}",
            r"topics\.exclude_sections must be a list of words, e\.g\. \[front_matter, contents\], "
            r"not the text 'contents'; write a YAML list, even for one word: \[contents\]",
            id="bare-word-for-list",
        ),
        pytest.param(
            "topics: {phrases: [signs of safety, neglect]}",
            r"topics\.phrases\[1\] is 'neglect', one word: a phrase joins two words or more "
            r"\('signs of safety'\), and a hyphenated word \('well-being'\) is kept whole already",
            id="one-word-phrase",
        ),
        pytest.param(
            "topics: {extra_stopwords: explain}",
            r"topics\.extra_stopwords must be a list of words.*\[explain\]",
            id="bare-word-not-split-into-letters",
        ),
        pytest.param(
            "themes: {codebooks: practice_issues}",
            r"themes\.codebooks must be a list of words.*\[practice_issues\]",
            id="bare-word-for-codebooks",
        ),
        pytest.param(
            "themes: {codebooks: [practise_issues]}",
            r"themes\.codebooks: 'practise_issues' is not a built-in codebook; did you mean "
            r"'practice_issues'\?.*a codebook of your own is a \.yaml file path",
            id="misspelt-codebook-caught-at-load",
        ),
        pytest.param(
            "topics: {extra_stopwords: [council, 1990]}",
            r"topics\.extra_stopwords\[1\] must be text, not the whole number 1990; "
            "put it in quotes: '1990'",
            id="number-in-word-list",
        ),
        pytest.param(
            "seed: yes",
            r"seed must be a whole number, e\.g\. 2016, not the yes/no value True; YAML reads yes",
            id="bool-for-seed",
        ),
        pytest.param(
            "topics: {n_clusters: true}",
            r"topics\.n_clusters must be a whole number.*not the yes/no value True",
            id="bool-for-int",
        ),
        pytest.param(
            "seed: 4294967296",
            r"seed must be a whole number from 0 to 4294967295 \(2\*\*32 - 1\), not 4294967296",
            id="seed-too-large",
        ),
        pytest.param(
            "topics: {max_df: }",
            r"topics\.max_df must be a number, e\.g\. 0\.5, not nothing \(null\)",
            id="null-where-not-optional",
        ),
        pytest.param(
            "ingest: {text_column: 2019}",
            r"ingest\.text_column must be text, or null, not the whole number 2019",
            id="number-for-text",
        ),
        pytest.param(
            "topics: 5",
            r"topics must be a mapping of parameters .*not the whole number 5",
            id="section-not-mapping",
        ),
    ],
)
def test_values_of_the_wrong_kind_name_the_field_and_what_to_write(tmp_path, text, message):
    path = tmp_path / "cfg.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError, match=message):
        load_yaml(path)


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: from_dict({"topics": {"n_clusters": "10"}}), id="from_dict"),
        pytest.param(lambda: RunConfig().replace(**{"topics.n_clusters": "10"}), id="replace"),
        pytest.param(lambda: TopicConfig(n_clusters="10"), id="direct"),
    ],
)
def test_types_are_checked_however_a_config_is_built(build):
    with pytest.raises(ConfigError, match=r"topics\.n_clusters must be a whole number"):
        build()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("topics:\n  n_clusters: [10\n", "line 3", id="unclosed-bracket"),
        pytest.param("topics:\n n_clusters: 3\n  max_df: 0.5\n", "line 3", id="indentation"),
        pytest.param("topics:\n\tn_clusters: 3\n", "line 2.*spaces, not tabs", id="tab"),
    ],
)
def test_yaml_syntax_errors_name_the_file_and_line(tmp_path, text, line):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=rf"bad\.yaml is not valid YAML at {line}") as info:
        load_yaml(path)
    assert "\n" not in str(info.value)  # one line for the command line


def test_a_name_given_twice_is_an_error_not_a_silent_last_value(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("topics:\n  n_clusters: 5\n  n_clusters: 6\n")
    with pytest.raises(ConfigError, match=r"twice\.yaml at line 3: 'n_clusters' is given twice"):
        load_yaml(path)
    path.write_text("topics:\n  n_clusters: 5\nseed: 3\n")  # the same name in two places is fine
    assert load_yaml(path).topics.n_clusters == 5


def test_valid_integral_values_and_lists_load_and_round_trip_unchanged(tmp_path):
    text = textwrap.dedent(
        """\
        seed: 4294967295
        ingest:
          timeout_s: 60
          workers: 2
        topics:
          n_clusters: 10
          max_df: 1
          representation: mmr
          diversity: 0.5
          extra_stopwords: [explain]
          phrases: [signs of safety]
          exclude_sections: []
        themes:
          codebooks: [practice_issues]
        """
    )
    path = tmp_path / "cfg.yaml"
    path.write_text(text)
    cfg = load_yaml(path)
    assert (cfg.seed, cfg.ingest.timeout_s, cfg.topics.n_clusters, cfg.topics.max_df) == (
        4294967295,
        60,
        10,
        1,
    )
    assert cfg.topics.extra_stopwords == ("explain",) and cfg.topics.exclude_sections == ()
    assert cfg.topics.phrases == ("signs of safety",)
    written = yaml.safe_load(cfg.to_yaml())
    for section, values in yaml.safe_load(text).items():
        kept = (
            {k: written[section][k] for k in values}
            if isinstance(values, dict)
            else written[section]
        )
        assert yaml.safe_dump(kept) == yaml.safe_dump(values)  # 60 stays 60, not 60.0
    path.write_text(cfg.to_yaml())
    again = load_yaml(path)
    assert again == cfg and again.fingerprint() == cfg.fingerprint()


def test_lists_given_directly_become_tuples():
    cfg = TopicConfig(extra_stopwords=["explain"])  # type: ignore[arg-type]
    assert cfg.extra_stopwords == ("explain",)
    assert RunConfig(topics=cfg) in {RunConfig(topics=cfg)}  # hashable, as a frozen config


def test_a_misspelt_section_to_exclude_is_refused_with_the_nearest_name():
    with pytest.raises(
        ConfigError,
        match=r"topics\.exclude_sections: 'frontmatter' is not a section name; did you mean "
        r"'front_matter'\? the sections passages can have are executive_summary, .*, other",
    ):
        from_dict({"topics": {"exclude_sections": ["frontmatter"]}})
    with pytest.raises(ConfigError, match=r"'xyz' is not a section name; the sections"):
        TopicConfig(exclude_sections=("xyz",)).validate()
    assert TopicConfig(exclude_sections=SECTIONS).exclude_sections == SECTIONS  # all accepted


def test_ngram_max_was_removed_and_an_old_config_is_told_why(tmp_path):
    assert "ngram_max" not in TopicConfig().__dataclass_fields__
    assert "ngram_max" not in RunConfig().to_yaml()
    for value in (2, 3, 2.5, "2"):
        with pytest.raises(
            ConfigError,
            match=r"topics\.ngram_max was removed because it was never used: phrases .* are "
            r"found by collocation detection, not n-grams \(see 'Topic words' in "
            r"docs/parameters\.md\); delete ngram_max: ",
        ):
            from_dict({"topics": {"ngram_max": value}})
    # Every earlier run recorded ngram_max: 1 (which changed nothing) in config.yaml and
    # run.json: such a config still loads, with a warning to delete the line.
    old = RunConfig().to_dict()
    old["topics"]["ngram_max"] = 1
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(old, sort_keys=False))
    with pytest.warns(UserWarning, match=r"topics\.ngram_max: 1 is ignored.*collocation"):
        assert load_yaml(path) == RunConfig()
    with pytest.raises(ConfigError, match="ngram_max was removed"):
        RunConfig().replace(**{"topics.ngram_max": 2})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"topics.min_df": -3},
            r"topics\.min_df must be at least 1, not -3: it is the number of passages a topic "
            r"word must occur in; write 1 to keep every word, or null",
            id="negative-min_df",
        ),
        pytest.param(
            {"topics.min_df": 0}, r"topics\.min_df must be at least 1, not 0", id="min_df-0"
        ),
        pytest.param(
            {"topics.min_docs": 0},
            r"topics\.min_docs must be at least 1, not 0: it is the number of documents",
            id="min_docs-0",
        ),
        pytest.param(
            {"topics.nr_topics": 0},
            r"topics\.nr_topics must be at least 2, not 0: .*write null to keep the topics found",
            id="nr_topics-0",
        ),
        pytest.param(
            {"topics.nr_topics": 1}, r"topics\.nr_topics must be at least 2", id="nr_topics-1"
        ),
        pytest.param(
            {"topics.embedding_window": 5},
            r"topics\.embedding_window must be 0 or at least 20 words, not 5: .*0 embeds each "
            r"passage whole",
            id="embedding_window-5",
        ),
        pytest.param(
            {"topics.embedding_window": -1},
            r"topics\.embedding_window must be 0 or at least 20 words, not -1",
            id="embedding_window-negative",
        ),
    ],
)
def test_counts_below_their_minimum_are_refused(change, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig().replace(**change)


def test_bounds_at_their_minimum_are_accepted():
    cfg = RunConfig().replace(
        **{
            "topics.min_df": 1,
            "topics.min_docs": 1,
            "topics.nr_topics": 2,
            "topics.embedding_window": 20,
        }
    )
    assert (cfg.topics.min_df, cfg.topics.min_docs, cfg.topics.nr_topics) == (1, 1, 2)
    assert cfg.topics.embedding_window == 20


def test_outlier_and_diversity_settings_the_method_ignores_are_refused():
    with pytest.raises(
        ConfigError, match=r"topics\.outliers='c-tf-idf'.*only to clustering: hdbscan"
    ):
        RunConfig().replace(**{"topics.outliers": "c-tf-idf"})  # auto: Ward, no outliers
    with pytest.raises(ConfigError, match=r"outlier_threshold=0\.2 apply only"):
        TopicConfig(clustering="kmeans", outlier_threshold=0.2).validate()
    with pytest.raises(ConfigError, match=r"topics\.diversity=0\.5 applies only to .*mmr"):
        TopicConfig(diversity=0.5).validate()
    TopicConfig(clustering="hdbscan", outliers="c-tf-idf", outlier_threshold=0.2).validate()
    TopicConfig(outliers="none").validate()  # nothing to reduce: says what Ward does anyway
    TopicConfig(representation="mmr", diversity=0.5).validate()


def test_a_config_that_is_not_utf8_is_one_clear_error(tmp_path):
    """A config saved as Latin-1 (an accented stop word) or UTF-16 by another editor."""
    from lip_research.config import load_yaml

    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("topics:\n  extra_stopwords: [café]\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1\.yaml is not UTF-8 text .*save it as UTF-8"):
        load_yaml(latin)
    marked = tmp_path / "bom.yaml"  # a UTF-8 byte-order mark is fine
    marked.write_bytes("topics:\n  extra_stopwords: [café]\n".encode("utf-8-sig"))
    assert load_yaml(marked).topics.extra_stopwords == ("café",)
