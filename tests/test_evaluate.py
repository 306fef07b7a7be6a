"""Quality figures on tiny inline cases where the right answer is known."""

from __future__ import annotations

import math

import pytest

from lip_research import evaluate

TEXTS = [
    "neglect housing poverty",
    "neglect housing poverty school",
    "neglect housing",
    "self-harm camhs overdose",
    "self-harm camhs overdose",
    "camhs school",
]


def test_npmi_rewards_words_that_occur_together():
    good = evaluate.npmi_per_topic({0: ["neglect", "housing"], 1: ["camhs", "overdose"]}, TEXTS)
    bad = evaluate.npmi_per_topic({0: ["neglect", "overdose"]}, TEXTS)
    assert good[0] > 0.5 and good[1] > 0.5
    assert bad[0] == -1.0


def test_npmi_matches_phrases_by_lemma():
    scores = evaluate.npmi_per_topic(
        {0: ["health visitors", "visited"]}, ["the health visitor visited"] * 2 + ["other"]
    )
    assert scores[0] == pytest.approx(1.0)


def test_npmi_counts_an_acronym_plural_as_its_singular():
    texts = ["The IROs reviewed plans.", "The IRO reviewed plans.", "Other text."] * 3
    scores = evaluate.npmi_per_topic({0: ["IRO", "reviewed"], 1: ["IROs", "reviewed"]}, texts)
    assert scores[0] == pytest.approx(1.0) and scores[1] == pytest.approx(1.0)


def test_npmi_windows_count_words_near_each_other():
    # "neglect" and "housing" share every passage, but only the first has them within a few words.
    texts = [
        "neglect housing",
        "neglect alpha beta gamma delta epsilon zeta eta theta iota housing",
        "school",
    ]
    whole = evaluate.npmi_per_topic({0: ["neglect", "housing"]}, texts)
    near = evaluate.npmi_per_topic({0: ["neglect", "housing"]}, texts, window=5)
    assert whole[0] > near[0]
    # Stop words between the two do not count as distance.
    stop = ["neglect of the housing", "neglect housing", "school"]
    assert evaluate.npmi_per_topic({0: ["neglect", "housing"]}, stop, window=3) == pytest.approx(
        evaluate.npmi_per_topic({0: ["neglect", "housing"]}, stop)
    )


def test_npmi_window_holds_whole_phrases():
    texts = ["the health visitor visited", "health visitor"] * 2 + ["other words here"]
    fits = evaluate.npmi_per_topic({0: ["health visitors", "visited"]}, texts, window=3)
    too_small = evaluate.npmi_per_topic({0: ["health visitors", "visited"]}, texts, window=2)
    assert fits[0] > too_small[0]
    assert evaluate.npmi_per_topic({0: ["neglect", "housing"]}, []) == {0: 0.0}
    with pytest.raises(ValueError, match="window"):
        evaluate.npmi_per_topic({0: ["neglect", "housing"]}, texts, window=1)


def test_diversity_and_shares():
    assert evaluate.diversity({0: ["a", "b"], 1: ["a", "c"]}) == 0.75
    s = evaluate.shares([-1, 0, 0, 1])
    assert s == {"outlier_share": 0.25, "largest_share": 0.5}


def test_stability_is_one_for_relabelled_identical_partitions():
    a = ([0, 0, 1, 1, 2], {0: ["x", "y"], 1: ["z"], 2: ["w"]})
    b = ([2, 2, 0, 0, 1], {2: ["x", "y"], 0: ["z"], 1: ["w"]})
    st = evaluate.stability([a, b])
    assert st["ari_mean"] == pytest.approx(1.0)
    assert st["word_overlap_mean"] == pytest.approx(1.0)


def test_stability_drops_when_partitions_differ():
    a = ([0, 0, 1, 1], {0: ["x"], 1: ["y"]})
    b = ([0, 1, 0, 1], {0: ["q"], 1: ["r"]})
    st = evaluate.stability([a, b])
    assert st["ari_mean"] < 0.1
    assert st["word_overlap_mean"] == 0.0


def test_runs_with_no_topic_agree_with_no_run():
    """Two fits with every passage an outlier have identical assignments, but finding no
    topic twice is not stability."""
    found = ([0, 0, 1, 1], {0: ["x"], 1: ["y"]})
    none = ([-1, -1, -1, -1], {})
    st = evaluate.stability([found, none, none])
    assert st["ari_mean"] == 0.0 and st["ari_min"] == 0.0


def test_resampling_leaves_out_a_tenth_of_the_documents_the_same_way_each_time():
    doc_ids = [f"r{d}" for d in range(20) for _ in range(3)]  # 20 documents, 3 passages each
    masks = evaluate.resample_masks(doc_ids, draws=3, seed=7)
    assert len(masks) == 3
    for mask in masks:
        kept = {d for d, m in zip(doc_ids, mask, strict=True) if m}
        assert len(kept) == 18 and mask.sum() == 54  # whole documents, never part of one
    assert [m.tolist() for m in masks] == [
        m.tolist() for m in evaluate.resample_masks(doc_ids, 3, seed=7)
    ]
    assert masks[0].tolist() != masks[1].tolist()  # different draws
    assert evaluate.resample_masks(["a", "b", "c"], 3, seed=7) == []  # none would be left out


def test_recovery_of_planted_labels():
    perfect = evaluate.recovery([1, 1, 2, 2], ["a", "a", "b", "b"])
    assert perfect["nmi"] == pytest.approx(1.0)
    assert evaluate.recovery([1, 2, 1, 2], ["a", "a", "b", "b"])["nmi"] < 0.1


def test_junk_topics_counted_by_top_words():
    stop = frozenset({"page", "ofsted", "march"})
    topics = {0: ["page", "ofsted", "2016", "neglect"], 1: ["neglect", "housing", "march"]}
    assert evaluate.junk_topics(topics, stop) == [0]


def test_summary_has_the_headline_figures():
    figs = evaluate.summary(
        {0: ["neglect", "housing"], 1: ["camhs", "overdose"], -1: ["x"]},
        [0, 0, 0, 1, 1, -1],
        TEXTS,
        frozenset(),
    )
    assert figs["n_topics"] == 2
    assert math.isclose(figs["outlier_share"], 1 / 6)
    assert figs["junk_topics"] == 0


def test_topics_match_whatever_the_case_of_their_acronyms():
    """A run from before acronyms were shown in capitals, or a refit on other documents,
    writes 'camhs' where another writes 'CAMHS': the same word."""
    import pandas as pd

    from lip_research.compare import match_topics

    old = {0: ["camhs", "self-harm", "overdose"]}
    new = {0: ["CAMHS", "self-harm", "overdose"]}
    assert evaluate.matched_overlap(old, new) == 1.0
    table = lambda words: pd.DataFrame(  # noqa: E731
        {"topic": [0], "size": [3], "label": ["x"], "words": [";".join(words[0])]}
    )
    assert match_topics(table(old), table(new))["word_overlap"].tolist() == [1.0]


def test_runs_over_the_same_passages_match_topics_by_the_passages_they_share():
    """Two fits of one corpus: a topic whose words moved but whose passages stayed is the
    same topic; runs over other passages are matched by words."""
    import pandas as pd

    from lip_research.compare import match_topics

    def topics(words):
        return pd.DataFrame({"topic": [0, 1], "size": [4, 4], "label": ["x", "y"], "words": words})

    a = topics(["neglect;housing;poverty", "camhs;self-harm;overdose"])
    b = topics(["camhs;self-harm;suicide", "school;attendance;exclusion"])  # 1 reworded
    ids = [f"p{i}" for i in range(8)]
    pa = pd.DataFrame({"passage_id": ids, "topic": [0] * 4 + [1] * 4})
    pb = pd.DataFrame({"passage_id": ids, "topic": [1, 1, 1, 0, 0, 0, 0, 1]})
    by_passages = match_topics(a, b, passages_a=pa, passages_b=pb)
    assert by_passages.attrs["matched_by"] == "passages"
    matched = by_passages[by_passages["status"] == "matched"]
    assert matched[["topic_a", "topic_b"]].values.tolist() == [[0, 1], [1, 0]]
    assert matched["passage_overlap"].tolist() == [0.6, 0.6]  # 3 shared of 5
    assert matched["word_overlap"].tolist() == [0.0, 0.5]
    by_words = match_topics(a, b, passages_a=pa, passages_b=pb.assign(passage_id=list("abcdefgh")))
    assert by_words.attrs["matched_by"] == "words" and by_words["passage_overlap"].isna().all()
    assert by_words["status"].tolist() == ["matched", "lost", "gained"]
