"""The 'why' lens: explanatory passages apart from narrating ones, with the cues shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lens_fixtures import fake_embed

from lip_research import lenses, why

EXPLAINS = "Practitioners told the review that high caseloads and staff turnover meant that visits were routinely cut short, because the team culture rather than the case set the priorities."
NARRATES = "On 12 March the health visitor visited the home. The following day the mother telephoned the GP and an appointment was made for 14 March."


def test_cues_separate_explanation_from_narration():
    cues = why.cue_features([EXPLAINS, NARRATES], ["chronology", "chronology"])
    assert list(cues.columns) == [
        "why_cues",
        "narrative_cues",
        "dates",
        "analytic_section",
        "matched",
    ]
    assert cues.loc[0, "why_cues"] > cues.loc[1, "why_cues"]
    assert cues.loc[1, "dates"] > 0 and cues.loc[1, "narrative_cues"] > 0
    assert "because" in cues.loc[0, "matched"] and "caseload" in cues.loc[0, "matched"]
    scores = why.why_scores(cues)
    assert scores[0] > scores[1]


@pytest.mark.parametrize(
    ("section", "flag"),
    [("analysis", 1.0), ("Findings and learning", 1.0), ("chronology", 0.0), (None, 0.0)],
)
def test_analytic_sections(section, flag):
    assert why.analytic_section([section]).tolist() == [flag]


def test_detect_and_share():
    passages = pd.DataFrame(
        {
            "passage_id": ["a", "b", "c"],
            "doc_id": ["d", "d", "e"],
            "section": ["analysis", "chronology", "analysis"],
            "text": [EXPLAINS, NARRATES, EXPLAINS],
        }
    )
    cues = why.cue_features(passages["text"], passages["section"])
    got = why.detect_why(passages, why.why_scores(cues), 3.0, cues, "zero_shot")
    assert got["why"].tolist() == [True, False, True]
    assert list(got.columns) == [
        "passage_id",
        "doc_id",
        "section",
        "why_score",
        "why",
        "cues",
        "method",
    ]
    share = why.why_share(got)
    assert share.values.tolist() == [["d", 1, 2, 50.0], ["e", 1, 1, 100.0]]


def test_classifier_learns_from_labels():
    texts = [EXPLAINS, NARRATES] * 10
    cues = why.cue_features(texts, ["analysis", "chronology"] * 10)
    X = why.why_features(cues, fake_embed(texts))
    assert X.shape == (20, 96 + 4)
    clf = why.WhyClassifier(C=1.0, random_state=0).fit(X, [True, False] * 10)
    p = clf.predict_scores(X)
    assert p[0] > 0.5 > p[1]


def test_find_why_zero_shot_and_supervised():
    texts = [EXPLAINS, NARRATES] * 6
    passages = pd.DataFrame(
        {
            "passage_id": [f"p{i}" for i in range(12)],
            "doc_id": [f"d{i // 2}" for i in range(12)],
            "section": ["analysis", "chronology"] * 6,
            "text": texts,
        }
    )
    vectors = fake_embed(texts)
    zero = lenses.find_why(
        passages,
        vectors,
        fake_embed,
        lenses.LensParams(backend="fake", method="zero_shot"),
        threshold=3.0,
    )
    assert zero.method == "zero_shot" and zero.detected["why"].tolist() == [True, False] * 6
    labels = pd.Series([True, False] * 6)
    sup = lenses.find_why(
        passages,
        vectors,
        fake_embed,
        lenses.LensParams(backend="fake", method="auto", folds=3),
        labels,
        [f"d{i}" for i in range(6)],
    )
    assert sup.method == "supervised"
    assert sup.detected["why"].tolist() == [True, False] * 6
    assert np.isfinite(sup.threshold)
    with pytest.raises(ValueError, match="'supervised' needs labelled passages"):
        lenses.find_why(passages, vectors, fake_embed, lenses.LensParams(method="supervised"))
