"""Figures are tested on what they draw (bars, labels, texts), and saved in three formats."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lip_research import figures

TOPICS = pd.DataFrame(
    {
        "topic": [-1, 0, 1],
        "size": [5, 20, 10],
        "label": ["Outliers", "neglect, housing", "camhs, self-harm"],
        "words": ["", "", ""],
    }
)


def test_topic_sizes_draws_one_bar_per_topic_largest_first():
    fig, ax = figures.new_figure()
    figures.plot_topic_sizes(TOPICS, ax)
    widths = [p.get_width() for p in ax.patches]
    assert widths == [5, 10, 20]  # drawn bottom-up, so the largest is on top
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "0: neglect, housing"
    plt.close(fig)


def test_heatmap_writes_values_in_cells():
    m = pd.DataFrame([[0.5, 0.25]], index=["neglect"], columns=["scie", "silp"])
    fig, ax = figures.new_figure()
    figures.plot_heatmap(m, ax)
    assert [t.get_text() for t in ax.texts] == ["50%", "25%"]
    plt.close(fig)


def test_passage_map_colours_the_largest_topics():
    coords = np.random.default_rng(0).normal(size=(30, 2))
    topics = [0] * 15 + [1] * 10 + [-1] * 5
    fig, ax = figures.new_figure()
    figures.plot_passage_map(coords, topics, ax, {0: "neglect", 1: "camhs"})
    assert len(ax.collections) == 4  # grey background + two topics + the grey legend entry
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "0: neglect",
        "1: camhs",
        "other topics, outliers",
    ]
    plt.close(fig)


def test_a_topic_has_the_same_colour_on_the_map_and_over_time():
    topics = [3] * 15 + [0] * 10 + [-1] * 5  # topic 3 is the largest
    colours = figures.topic_colours(topics)
    assert list(colours) == [3, 0] and -1 not in colours
    fig, ax = figures.new_figure()
    figures.plot_passage_map(np.zeros((30, 2)), topics, ax, {3: "neglect", 0: "camhs"})
    on_map = {
        c.get_label(): matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in ax.collections[1:3]
    }
    trend = pd.DataFrame(
        {
            "year": [2015, 2015],
            "topic": [0, 3],
            "label": ["camhs", "neglect"],
            "passages": [1, 2],
            "share": [0.3, 0.7],
        }
    )
    fig2, ax2 = figures.new_figure()
    figures.plot_topic_trend(trend, ax2, colours=colours)
    over_time = {line.get_label(): matplotlib.colors.to_hex(line.get_color()) for line in ax2.lines}
    assert on_map["3: neglect"] == over_time["neglect"] == colours[3].lower()
    assert on_map["0: camhs"] == over_time["camhs"] == colours[0].lower()
    plt.close(fig)
    plt.close(fig2)


def test_passage_map_never_paints_a_topic_in_the_grey_of_the_other_passages():
    coords = np.random.default_rng(0).normal(size=(120, 2))
    topics = [t for t in range(12) for _ in range(10)]
    fig, ax = figures.new_figure()
    figures.plot_passage_map(coords, topics, ax)
    colours = {tuple(np.round(c.get_facecolor()[0][:3], 3)) for c in ax.collections[1:]}
    grey = tuple(np.round(matplotlib.colors.to_rgb("#BBBBBB"), 3))
    assert len(colours) == 12 and grey not in colours
    plt.close(fig)


def test_save_writes_png_svg_pdf_and_caption(tmp_path):
    fig, ax = figures.new_figure()
    figures.plot_topic_sizes(TOPICS, ax)
    paths = figures.save(fig, tmp_path / "sizes", "Topic sizes.")
    assert {p.suffix for p in paths.values()} == {".png", ".svg", ".pdf", ".txt"}
    from PIL import Image

    with Image.open(paths["png"]) as im:
        assert round(im.info["dpi"][0]) == 300
    assert paths["caption"].read_text().strip() == "Topic sizes."


def test_saved_svg_and_pdf_are_reproducible(tmp_path):
    out = []
    for name in ("a", "b"):
        fig, ax = figures.new_figure()
        figures.plot_topic_sizes(TOPICS, ax)
        out.append(figures.save(fig, tmp_path / name, "x"))
    for ext in ("svg", "pdf", "png"):
        assert out[0][ext].read_bytes() == out[1][ext].read_bytes(), ext


def test_long_topic_titles_wrap_so_neighbouring_panels_do_not_collide():
    fig, ax = figures.new_figure()
    title = "8: brief summary, child protection response, strategy meeting held"
    figures.plot_top_words(["a", "b"], [2.0, 1.0], ax, title=title)
    lines = ax.get_title().split("\n")
    assert len(lines) > 1 and max(map(len, lines)) <= 28
    plt.close(fig)


def test_heatmap_scale_starts_at_zero_and_reads_in_percent():
    m = pd.DataFrame([[0.44, 0.6]], index=["neglect"], columns=["scie", "silp"])
    fig, ax = figures.new_figure()
    figures.plot_heatmap(m, ax, vmax=1.0)
    image = ax.images[0]
    assert image.norm.vmin == 0.0 and image.norm.vmax == 1.0
    cbar_ax = fig.axes[-1]
    fig.canvas.draw()
    assert any(t.get_text().endswith("%") for t in cbar_ax.get_yticklabels())
    plt.close(fig)


def test_topic_trend_breaks_over_years_without_reports_and_gives_n():
    trend = pd.DataFrame(
        {
            "year": [2015, 2015, 2018, 2018],
            "topic": [0, 1, 0, 1],
            "label": ["neglect", "camhs", "neglect", "camhs"],
            "passages": [3, 1, 0, 4],
            "share": [0.75, 0.25, 0.0, 1.0],
        }
    )
    fig, ax = figures.new_figure()
    figures.plot_topic_trend(trend, ax, reports=pd.Series({2015: 2, 2018: 1}))
    for line in ax.lines:
        x, y = line.get_data()
        assert list(x) == [2015, 2016, 2017, 2018]
        assert np.isnan(y[1]) and np.isnan(y[2])  # no reports: a gap, not a joining line
    ticks = ax.get_xticklabels()
    assert [t.get_text() for t in ticks] == ["2015\nn=2", "2016\nn=0", "2017\nn=0", "2018\nn=1"]
    assert ticks[1].get_color() == "grey" and ticks[0].get_color() != "grey"
    plt.close(fig)
    spread = pd.concat([trend, trend.assign(year=trend["year"] + 20)])  # 2015-2038: 24 years
    fig, ax = figures.new_figure()
    figures.plot_topic_trend(spread, ax, reports=pd.Series({2015: 2, 2018: 1, 2035: 3, 2038: 4}))
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["2015\nn=2", "2018\nn=1", "2035\nn=3", "2038\nn=4"]  # report years
    plt.close(fig)


def test_counts_by_year_show_years_without_documents_as_empty():
    fig, ax = figures.new_figure()
    figures.plot_counts(pd.Series({2010: 2, 2012: 6, 2013: 5}), ax, "Documents by year")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2010", "2011", "2012", "2013"]
    assert [p.get_height() for p in ax.patches] == [2, 0, 6, 5]
    assert ax.get_ylabel() == "documents"
    plt.close(fig)


def test_counts_by_a_text_column_are_drawn_as_they_are():
    fig, ax = figures.new_figure()
    figures.plot_counts(pd.Series({"chapter8": 3, "silp": 2}), ax, "Documents by review model")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["chapter8", "silp"]
    plt.close(fig)


def test_heatmap_wraps_a_long_column_name_and_never_cuts_the_line_under_it():
    m = pd.DataFrame(
        [[0.5, 0.25]],
        index=["neglect"],
        columns=["good\n(N=10)", "requires improvement to be good\n(N=24)"],
    )
    fig, ax = figures.new_figure()
    figures.plot_heatmap(m, ax)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "good\n(N=10)"
    assert labels[1].endswith("\n(N=24)") and "…" not in labels[1]  # wrapped, not cut
    assert " ".join(labels[1].split("\n")[:-1]) == "requires improvement to be good"
    assert max(len(line) for line in labels[1].split("\n")) <= 20
    plt.close(fig)


def test_alt_text_keeps_the_notebooks_own_png_drawing(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure

    from lip_research.display import save_figure

    shell = InteractiveShell.instance()
    try:
        png = shell.display_formatter.formatters["image/png"]
        png.for_type(Figure, lambda fig: ("PNG", {"width": 300}))  # as retina output is set up
        fig, ax = plt.subplots()
        ax.plot([1, 2])
        saved = save_figure(fig, tmp_path, "line", "A line rising.")
        save_figure(plt.subplots()[0], tmp_path, "again", "Again.")  # wrapped once only
        assert png(saved) == ("PNG", {"width": 300, "alt": "A line rising."})
        assert png(plt.subplots()[0]) == ("PNG", {"width": 300})  # no caption, no alt text
    finally:
        InteractiveShell.clear_instance()
        plt.close("all")
