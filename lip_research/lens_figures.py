"""Figures of the lenses: each draws onto a given ``ax`` and returns it (saving is elsewhere).

The tables come from `lip_research.prevalence` and `lip_research.quality`; bars are
labelled with n/N so a percentage is never shown without its base.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lip_research import figures


def _national_for_plot(comparison: pd.DataFrame | None) -> pd.DataFrame | None:
    if comparison is None or comparison.empty:
        return None
    nat = comparison.dropna(subset=["national_percent"])
    if "period" in nat:  # "Brandon et al. 2008 (...), 2003-05": which study, which years
        study = nat["study"].astype(str).str.split(" (", n=1, regex=False).str[0]
        nat = nat.assign(study=study + ", " + nat["period"].astype(str))
    return nat.assign(percent=nat["national_percent"].astype(float))[["label", "percent", "study"]]


def draw_prevalence(
    ax, summary: pd.DataFrame, comparison: pd.DataFrame | None = None, top: int = 20
):
    """Share of reports with each theme (n/N on the bars); national figures as markers, one
    shape per study, labelled as different samples."""
    prev = summary.assign(
        n=summary["n_present"], N=summary["denominator"], share=summary["percent"] / 100
    )
    return figures.plot_prevalence(prev, ax, national=_national_for_plot(comparison), top=top)


def draw_prevalence_by(ax, table: pd.DataFrame, column: str, top: int = 15):
    """Heatmap: themes (rows, most prevalent first) x values of `column`, % of reports,
    with the denominator of each column in its label."""
    totals = table.groupby("theme_id")["n_present"].sum().sort_values(ascending=False)
    keep = totals.head(top).index
    data = table[table["theme_id"].isin(keep)]
    matrix = data.pivot_table(index="label", columns=column, values="percent", aggfunc="first")
    order = data.drop_duplicates("theme_id").set_index("theme_id").loc[keep, "label"]
    matrix = matrix.loc[order] / 100
    denominators = data.drop_duplicates(column).set_index(column)["denominator"]
    matrix.columns = [f"{c}\n(N={denominators[c]})" for c in matrix.columns]
    return figures.plot_heatmap(
        matrix,
        ax,
        title=f"Theme prevalence by {column.replace('_', ' ')}",
        cbar_label="% of reports",
        vmax=1.0,
    )


def draw_trend(ax, trend: pd.DataFrame, label: str = ""):
    """One theme's % of reports per year, with n/N over each point.

    Years keep their place on the axis: a year with no reports breaks the line and is marked
    "no reports" (as the briefing's year chart does); rows that are not years ("unknown")
    stand after the last year, not joined to the line. Other values (periods) are drawn in
    the order given.
    """
    values = trend.iloc[:, 0]
    years = pd.to_numeric(values, errors="coerce")
    axis = figures.year_range(years)
    colour = figures.PALETTE[0]
    if axis is None:
        x = np.arange(len(trend))
        ax.plot(x, trend["percent"], marker="o", color=colour)
        ticks, names, empty = list(x), [str(v) for v in values], []
    else:
        dated = years.notna().to_numpy()
        apart = list(range(axis[-1] + 1, axis[-1] + 1 + int((~dated).sum())))
        x = np.empty(len(trend))
        x[dated], x[~dated] = years[dated], apart
        line = trend["percent"][dated].set_axis(years[dated].astype(int)).reindex(axis)
        ax.plot(axis, line.to_numpy(dtype=float), marker="o", color=colour)  # NaN: a break
        if apart:
            ax.plot(x[~dated], trend["percent"][~dated], marker="o", ls="none", color=colour)
        empty = list(line.index[line.isna()])
        for year in empty:
            ax.text(
                year,
                2,
                "no reports",
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=6,
                color="grey",
            )
        ticks, names = axis + apart, [str(y) for y in axis] + [str(v) for v in values[~dated]]
    for xi, n, d, p in zip(
        x, trend["n_present"], trend["denominator"], trend["percent"], strict=True
    ):
        ax.annotate(
            f"{n}/{d}", (xi, p), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=6
        )
    ax.set_xticks(ticks, names, rotation=45, fontsize=7)
    for tick, at in zip(ax.get_xticklabels(), ticks, strict=True):
        if at in empty:
            tick.set_color("grey")
    ax.set_ylim(0, 110)
    ax.set_ylabel("% of reports")
    ax.set_title(f"{label} by year" if label else "Prevalence by year")
    return ax


def draw_marker_coverage(ax, coverage: pd.DataFrame):
    """Share of reports with evidence found for each quality marker (a screening aid)."""
    data = coverage.assign(
        label=[
            f"{int(n)}. {lab}" for n, lab in zip(coverage["number"], coverage["label"], strict=True)
        ],
        n=coverage["n_with_evidence"],
        N=coverage["denominator"],
        share=coverage["percent"] / 100,
    )
    return figures.plot_marker_coverage(data, ax)


def draw_why_share(ax, share: pd.DataFrame, by: str = "section"):
    """Share of passages that explain 'why', per section (or any grouping), with n/N."""
    data = share.sort_values("percent")
    ax.barh(data[by].astype(str), data["percent"], color=figures.PALETTE[3 % len(figures.PALETTE)])
    figures.bar_counts(ax, data["percent"], data["n_why"], data["n_passages"], inside_color="black")
    ax.set_xlim(0, 110)
    ax.set_xlabel("% of passages flagged as explaining why")
    ax.set_title("Explanatory ('why') passages")
    return ax


# -- the lens figures every run draws: (figure, caption), for the CLI and the notebooks ------------
def prevalence_figure(outputs):
    fig, ax = figures.new_figure(6.5, 5.5)
    draw_prevalence(ax, outputs.summary, outputs.national)
    n_all, top = len(outputs.summary), 20
    which = (
        f" The {top} most prevalent of the {n_all} themes are shown, with every theme that has "
        "a national figure; theme_prevalence.csv lists all."
        if n_all > top
        else ""
    )
    return fig, (
        "Share of reports in which each theme was coded (n/N reports); markers: published "
        "national analyses, one shape per study (different samples and periods; "
        "national_comparison.csv cites each)." + which
    )


def marker_coverage_figure(outputs):
    fig, ax = figures.new_figure(6.5, 5.0)
    draw_marker_coverage(ax, outputs.coverage)
    return fig, (
        "Quality-marker screening: share of reports where evidence passages were found. "
        "A screening aid, not a verdict."
    )


def why_by_section_figure(outputs):
    from lip_research import why

    fig, ax = figures.new_figure(6.0, 4.0)
    draw_why_share(ax, why.why_share(outputs.why.detected, by="section"), by="section")
    return fig, (
        "Share of passages flagged as explaining why practice happened, by report section. "
        "The section is one of the signals the 'why' lens uses (a passage in a findings, "
        "analysis, learning or similar section counts towards 'why'), so part of this contrast is "
        "built in: compare sections with the same role across corpora, not findings against "
        "chronology."
    )
