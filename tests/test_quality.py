"""Quality-marker screening: every report x marker row, evidence or 'no evidence found'."""

from __future__ import annotations

import numpy as np
import pytest
from lens_fixtures import mini_passages, thresholds

from lip_research import quality, themes
from lip_research.codebook import load_codebook


@pytest.fixture
def screening():
    markers = load_codebook("quality_markers").entries
    ids = [m.id for m in markers]
    passages = mini_passages()
    scores = np.zeros((9, 18), dtype=np.float32)
    scores[2, ids.index("qm12_family_involvement")] = 0.9  # d1 family involvement paragraph
    scores[5, ids.index("qm12_family_involvement")] = 0.8  # d2
    scores[7, ids.index("qm12_family_involvement")] = 0.7  # d3
    scores[8, ids.index("qm11_practitioner_involvement")] = 0.6  # d3
    th = thresholds(ids, 0.5)
    coded = themes.code_passages(scores, passages, ids, th)
    presence = themes.document_presence(coded, passages, ids, th)
    return quality.screen(coded, presence, passages, markers)


def test_every_report_gets_every_marker_in_order(screening):
    assert list(screening.columns[:6]) == [
        "doc_id",
        "marker_id",
        "number",
        "group",
        "label",
        "evidence_found",
    ]
    assert len(screening) == 3 * 18
    assert screening.loc[screening["doc_id"] == "d1", "number"].tolist() == list(range(1, 19))


def test_evidence_rows_cite_their_best_passage(screening):
    hit = screening[(screening["doc_id"] == "d3") & screening["evidence_found"]]
    assert hit[["marker_id", "best_passage", "citation"]].values.tolist() == [
        ["qm11_practitioner_involvement", "d3-p0003", "d3, family_involvement, p. 3"],
        ["qm12_family_involvement", "d3-p0002", "d3, analysis, p. 2"],
    ]
    assert hit["excerpt"].str.split().str.len().max() <= 42
    miss = screening[~screening["evidence_found"]]
    assert (miss["excerpt"] == quality.NO_EVIDENCE).all() and (miss["best_passage"] == "").all()


def test_coverage_and_report_profile(screening):
    cover = quality.coverage(screening)
    row = cover.set_index("marker_id").loc["qm12_family_involvement"]
    assert (row["n_with_evidence"], row["denominator"], row["percent"]) == (3, 3, 100.0)
    assert cover["number"].tolist() == list(range(1, 19))
    profile = quality.report_profile(screening)
    d3 = profile[(profile["doc_id"] == "d3") & (profile["group"] == "running_review")]
    assert (d3["n_with_evidence"].item(), d3["n_markers"].item()) == (2, 8)
    assert "not a verdict" in quality.SCREENING_NOTE
