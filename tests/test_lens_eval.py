"""Held-out splits, label alignment, calibration and accuracy measures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lens_fixtures import mini_passages

from lip_research import lens_eval


def test_split_is_deterministic_seeded_and_disjoint():
    ids = [f"doc{i:02d}" for i in range(20)]
    train, test = lens_eval.split_documents(ids, seed=7)
    assert (train, test) == lens_eval.split_documents(list(reversed(ids)), seed=7)
    assert len(test) == 10 and not set(train) & set(test)
    assert lens_eval.split_documents(ids, seed=8) != (train, test)


def test_alignment_follows_the_text_across_merged_and_split_passages():
    paragraphs = pd.DataFrame(
        {
            "doc_id": ["d", "d", "d"],
            "para_index": [0, 1, 2],
            "text": [
                "alpha beta gamma delta epsilon zeta eta theta",
                "one two three four five six seven eight",
                "red orange yellow green blue indigo violet black",
            ],
        }
    )
    passages = pd.DataFrame(
        {
            "passage_id": ["p1", "p2", "p3"],
            "doc_id": ["d", "d", "d"],
            "text": [
                "1.1 Alpha beta gamma delta epsilon zeta eta theta. One two three four five six seven eight.",
                "Red orange yellow green",
                "blue indigo violet black",
            ],
        }
    )
    got = lens_eval.align_paragraphs(passages, paragraphs)
    assert sorted(zip(got["passage_id"], got["para_index"], strict=True)) == [
        ("p1", 0), ("p1", 1), ("p2", 2), ("p3", 2),
    ]  # fmt: skip
    themes = pd.DataFrame({"doc_id": ["d", "d"], "para_index": [1, 2], "theme_id": ["t", "u"]})
    y = lens_eval.passage_labels(passages, got, themes, ["t", "u"])
    assert y.tolist() == [[True, False], [False, True], [False, True]]
    flags = paragraphs.assign(why=[True, False, True])
    assert lens_eval.passage_flag(passages, got, flags, "why").tolist() == [1.0, 1.0, 1.0]


def test_best_threshold_maximises_f1():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.1])
    labels = np.array([True, True, False, True, False])
    t, f1 = lens_eval.best_threshold(scores, labels)
    assert t == pytest.approx(0.6)
    assert f1 == pytest.approx(2 * 3 / (4 + 3))
    assert np.isnan(lens_eval.best_threshold(scores, np.zeros(5, bool))[0])


def test_calibrate_picks_threshold_and_report_rule():
    passages = mini_passages()
    scores = np.array([[0.9], [0.8], [0.2], [0.1], [0.1], [0.1], [0.7], [0.1], [0.1]])
    labels = np.array(
        [[True], [True], [False], [False], [False], [False], [False], [False], [False]]
    )
    truth = np.array([[True], [False], [False]])
    table = lens_eval.calibrate(
        scores,
        labels,
        passages["doc_id"],
        truth,
        ["d1", "d2", "d3"],
        ["t"],
        "zero_shot",
        "fake",
        min_positives=2,
    )
    row = table.iloc[0]
    assert row["threshold"] == pytest.approx(0.8)
    assert row["k"] == 1
    assert row["f1_document"] == 1.0
    assert list(table.columns[:6]) == ["theme_id", "method", "backend", "threshold", "k", "source"]
    few = lens_eval.calibrate(
        scores,
        labels,
        passages["doc_id"],
        truth,
        ["d1", "d2", "d3"],
        ["t"],
        "zero_shot",
        "fake",
        min_positives=3,
    )
    assert "too few positives" in few["source"].iloc[0]


def test_presence_and_passage_metrics():
    presence = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b"],
            "theme_id": ["x", "y", "x", "y"],
            "present": [True, True, False, True],
        }
    )
    truth = pd.DataFrame({"doc_id": ["a", "b", "b"], "theme_id": ["x", "x", "y"]})
    m = lens_eval.presence_metrics(presence, truth, ["a", "b"], ["x", "y"])
    assert (m["tp"], m["fp"], m["fn"], m["pairs"]) == (2, 1, 1, 4)
    assert m["precision"] == pytest.approx(2 / 3, abs=1e-4)
    only_a = lens_eval.presence_metrics(presence, truth, ["a"], ["x", "y"])
    assert (only_a["tp"], only_a["fp"], only_a["fn"]) == (1, 1, 0)
    pred = np.array([[True, False], [True, True], [False, False]])
    gold = np.array([[True, False], [False, True], [False, False]])
    table = lens_eval.passage_metrics(pred, gold, ["x", "y"])
    assert table["entry_id"].tolist() == ["x", "y", "macro"]
    assert table.iloc[-1]["f1"] == pytest.approx((2 / 3 + 1.0) / 2, abs=1e-4)
    assert lens_eval.binary_metrics([True, False], [True, True])["recall"] == 0.5


def test_labels_give_marker_targets():
    passages = mini_passages()
    paragraphs = passages.assign(
        para_index=range(9), marker=[""] * 8 + ["qm12_family_involvement"], why=False
    )
    labels = lens_eval.Labels(
        paragraphs=paragraphs,
        passage_themes=pd.DataFrame(columns=["doc_id", "para_index", "theme_id"]),
        document_themes=pd.DataFrame(columns=["doc_id", "theme_id"]),
        document_markers=pd.DataFrame({"doc_id": ["d3"], "marker_id": ["qm12_family_involvement"]}),
    )
    alignment = lens_eval.align_paragraphs(passages, paragraphs)
    y, truth = lens_eval.targets(
        passages, labels, alignment, ["qm12_family_involvement"], markers=True
    )
    assert y[:, 0].tolist() == [False] * 8 + [True]
    assert truth.to_dict("records") == [{"doc_id": "d3", "theme_id": "qm12_family_involvement"}]
    assert labels.doc_ids == ["d1", "d2", "d3"]
