"""Lens figures draw what the tables say, with n/N labels (checked on the axes, not pixels)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
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


def test_heatmap_column_labels_keep_the_number_of_reports_of_a_long_class():
    by = pd.DataFrame(
        {
            "ofsted": ["good", "good"] + ["requires improvement to be good"] * 2,
            "theme_id": ["a", "b", "a", "b"],
            "label": ["A", "B", "A", "B"],
            "n_present": [1, 0, 12, 6],
            "denominator": [2, 2, 24, 24],
            "percent": [50.0, 0.0, 50.0, 25.0],
        }
    )
    fig, ax = plt.subplots()
    lens_figures.draw_prevalence_by(ax, by, "ofsted")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "good\n(N=2)"
    assert labels[1].endswith("(N=24)") and "…" not in labels[1]
    plt.close(fig)


def _trend(years, n, d):
    return pd.DataFrame(
        {
            "year": years,
            "n_present": n,
            "denominator": d,
            "percent": [round(100 * a / b, 1) for a, b in zip(n, d, strict=True)],
        }
    )


def test_trend_keeps_a_year_without_reports_in_its_place_and_breaks_the_line_there():
    trend = _trend(["2010", "2012", "2013"], [0, 1, 2], [2, 6, 5])  # no report in 2011
    fig, ax = plt.subplots()
    lens_figures.draw_trend(ax, trend, "Neglect")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2010", "2011", "2012", "2013"]
    (line,) = ax.lines
    x, y = line.get_data()
    assert list(x) == [2010, 2011, 2012, 2013]
    assert np.isnan(y[1]) and not np.isnan(y[[0, 2, 3]]).any()  # a gap, not a joining line
    at = {t.get_text(): t.xy[0] for t in ax.texts if hasattr(t, "xy")}
    assert at == {"0/2": 2010, "1/6": 2012, "2/5": 2013}  # n/N over its own year
    assert [t.get_position()[0] for t in ax.texts if t.get_text() == "no reports"] == [2011]
    plt.close(fig)


def test_trend_sets_reports_without_a_year_apart_from_the_line():
    trend = _trend(["2015", "2016", "unknown"], [1, 2, 1], [2, 2, 4])
    fig, ax = plt.subplots()
    lens_figures.draw_trend(ax, trend)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015", "2016", "unknown"]
    line, apart = ax.lines
    assert list(line.get_xdata()) == [2015, 2016]  # the line stops at the last year
    assert list(apart.get_xdata()) == [2017] and apart.get_linestyle() == "None"
    assert "no reports" not in _texts(ax)
    plt.close(fig)
