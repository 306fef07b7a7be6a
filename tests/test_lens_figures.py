"""Lens figures draw what the tables say, with n/N labels (checked on the axes, not pixels)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lip_research import figures, lens_figures


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


def test_only_national_shares_of_reviews_share_the_report_axis():
    """A share of deaths plotted on '% of reports' would read as a share of reports."""
    comparison = pd.DataFrame(
        {
            "label": ["Theme A", "Theme A"],
            "national_percent": [55.0, 31.0],
            "study": ["Dickens et al. 2022, Learning for the future", "Panel annual report 2020"],
            "short_name": ["Dickens et al. 2022", "Panel annual report 2020"],
            "period": ["2017-19", "2020"],
            "base": ["reviews", "deaths"],
        }
    )
    plotted = lens_figures._national_for_plot(comparison)
    assert plotted.to_dict("records") == [
        {"label": "Theme A", "percent": 55.0, "study": "Dickens et al. 2022, 2017-19"}
    ]
    assert lens_figures.national_left_out(comparison) == 1


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


def test_prevalence_shows_denominators_and_national_markers():
    prev = pd.DataFrame(
        {"label": ["Neglect", "Domestic abuse"], "n": [6, 3], "N": [10, 10], "share": [0.6, 0.3]}
    )
    national = pd.DataFrame({"label": ["Neglect"], "percent": [75.0], "study": ["2014-17"]})
    fig, ax = figures.new_figure()
    lens_figures.plot_prevalence(prev, ax, national)
    texts = [t.get_text() for t in ax.texts]
    assert "6/10" in texts and "3/10" in texts
    assert len(ax.collections) == 1  # the national diamonds
    assert ax.get_legend() is not None
    plt.close(fig)


def test_each_national_study_has_its_own_marker_and_legend_entry():
    prev = pd.DataFrame(
        {"label": ["Neglect", "Domestic abuse"], "n": [6, 3], "N": [10, 10], "share": [0.6, 0.3]}
    )
    national = pd.DataFrame(
        {
            "label": ["Neglect", "Domestic abuse", "Domestic abuse"],
            "percent": [75.0, 42.6, 55.0],
            "study": ["Study A, 2014-17", "Study A, 2014-17", "Study B, 2020"],
        }
    )
    fig, ax = figures.new_figure()
    lens_figures.plot_prevalence(prev, ax, national)
    assert len(ax.collections) == 2  # one set of markers per study
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {
        "this corpus",
        "Study A, 2014-17",
        "Study B, 2020",
    }
    plt.close(fig)


def test_counts_sit_inside_long_bars_so_markers_beyond_them_never_cover_them():
    prev = pd.DataFrame(
        {"label": ["Neglect", "Housing"], "n": [6, 1], "N": [10, 10], "share": [0.6, 0.1]}
    )
    fig, ax = figures.new_figure()
    lens_figures.plot_prevalence(prev, ax)
    x = {t.get_text(): t.get_position()[0] for t in ax.texts}
    assert x["6/10"] < 60 and x["1/10"] > 10  # long bar: inside; short bar: beyond its end
    plt.close(fig)


def test_prevalence_keeps_every_theme_with_a_national_figure_and_says_how_many_are_shown():
    labels = [f"Theme {i:02d} with a long label about practice and agencies" for i in range(25)]
    share = np.linspace(0.9, 0.02, 25)
    prev = pd.DataFrame({"label": labels, "n": (share * 50).astype(int), "N": 50, "share": share})
    national = pd.DataFrame({"label": [labels[24]], "percent": [40.0], "study": ["S"]})
    fig, ax = figures.new_figure()
    lens_figures.plot_prevalence(prev, ax, national, top=20)
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert len(shown) == 21 and shown[0].startswith("Theme 24")  # least prevalent, kept
    assert "21 of 25 themes" in ax.get_title()
    assert all("…" not in s for s in shown) and "\n" in shown[0]  # wrapped, not cut
    assert fig.get_size_inches()[1] >= 0.3 * 21  # room for two-line labels
    plt.close(fig)


def _national_pair():
    prev = pd.DataFrame(
        {
            "label": ["Neglect", "Parental mental ill-health", "Adolescent self-harm"],
            "n": [7, 14, 5],
            "N": [48, 48, 48],
            "share": [7 / 48, 14 / 48, 5 / 48],
        }
    )
    national = pd.DataFrame(
        {
            "label": ["Neglect", "Neglect", "Parental mental ill-health", "Adolescent self-harm"],
            "percent": [75.0, 75.0, 27.3, 12.0],
            "study": ["Study A, 2017-19", "Study B, 2014-17", "Study C, 2020", "Study C, 2020"],
        }
    )
    fig, ax = figures.new_figure()
    lens_figures.plot_prevalence(prev, ax, national)
    return fig, ax


def test_two_studies_with_the_same_figure_for_a_theme_both_show():
    fig, ax = _national_pair()
    at = {c.get_label(): tuple(c.get_offsets()[0]) for c in ax.collections}
    a, b = at["Study A, 2017-19"], at["Study B, 2014-17"]
    assert a[0] == b[0] == 75.0 and a[1] != b[1]  # same figure, drawn one above the other
    row = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert abs(a[1] - row["Neglect"]) < 0.4 and abs(b[1] - row["Neglect"]) < 0.4  # in its band
    assert a[1] > b[1]  # in legend order, top to bottom
    assert at["Study C, 2020"][1] == row["Parental mental ill-health"]  # alone: on the centre
    plt.close(fig)


def test_no_national_marker_covers_a_count():
    # Study C's 27.3% sits inside the 29.2% bar, at its end; its 12% just beyond a 10.4% bar
    fig, ax = _national_pair()
    fig.canvas.draw()
    marks = np.vstack([ax.transData.transform(c.get_offsets()) for c in ax.collections])
    for text in ax.texts:
        box = text.get_window_extent().expanded(1.1, 1.1)
        assert not any(box.contains(x, y) for x, y in marks), text.get_text()
    plt.close(fig)
