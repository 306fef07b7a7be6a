"""Lens figures draw what the tables say, with n/N labels (checked on the axes, not pixels)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from lip_research import lens_figures


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_prevalence_bars_carry_n_over_n_and_national_markers():
    summary = pd.DataFrame(
        {
            "theme_id": ["a", "b"],
            "label": ["Theme A", "Theme B"],
            "n_present": [3, 1],
            "denominator": [4, 4],
            "percent": [75.0, 25.0],
        }
    )
    national = pd.DataFrame({"label": ["Theme A"], "national_percent": [55.0], "study": ["S"]})
    fig, ax = plt.subplots()
    lens_figures.draw_prevalence(ax, summary, national)
    assert sorted(p.get_width() for p in ax.patches) == [25.0, 75.0]
    assert {"3/4", "1/4"} <= set(_texts(ax))
    legend = ax.get_legend()
    assert ax.collections and "other samples" in legend.get_title().get_text()
    assert {t.get_text() for t in legend.get_texts()} == {"this corpus", "S"}  # S: the study
    plt.close(fig)


def test_marker_coverage_trend_why_and_heatmap():
    coverage = pd.DataFrame(
        {
            "marker_id": ["qm01", "qm02"],
            "number": [1, 2],
            "group": ["g", "g"],
            "label": ["Referral", "Decision"],
            "n_with_evidence": [2, 0],
            "denominator": [5, 5],
            "percent": [40.0, 0.0],
        }
    )
    fig, axes = plt.subplots(2, 2)
    lens_figures.draw_marker_coverage(axes[0, 0], coverage)
    assert "1. Referral" in [t.get_text() for t in axes[0, 0].get_yticklabels()]
    assert "2/5" in _texts(axes[0, 0])
    trend = pd.DataFrame(
        {
            "year": ["2015", "2016"],
            "n_present": [1, 2],
            "denominator": [2, 2],
            "percent": [50.0, 100.0],
        }
    )
    lens_figures.draw_trend(axes[0, 1], trend, "Theme A")
    assert _texts(axes[0, 1]) == ["1/2", "2/2"]
    share = pd.DataFrame(
        {
            "section": ["analysis", "chronology"],
            "n_why": [8, 1],
            "n_passages": [10, 10],
            "percent": [80.0, 10.0],
        }
    )
    lens_figures.draw_why_share(axes[1, 0], share)
    assert "8/10" in _texts(axes[1, 0])
    by = pd.DataFrame(
        {
            "review_model": ["scie", "scie", "silp", "silp"],
            "theme_id": ["a", "b", "a", "b"],
            "label": ["A", "B", "A", "B"],
            "n_present": [1, 0, 2, 1],
            "denominator": [2, 2, 3, 3],
            "percent": [50.0, 0.0, 66.7, 33.3],
        }
    )
    lens_figures.draw_prevalence_by(axes[1, 1], by, "review_model")
    assert [t.get_text() for t in axes[1, 1].get_xticklabels()] == ["scie\n(N=2)", "silp\n(N=3)"]
    plt.close(fig)
