"""Figures of the lenses: each draws onto a given ``ax`` and returns it (saving is elsewhere).

The tables come from `lip_research.prevalence` and `lip_research.quality`; bars are
labelled with n/N so a percentage is never shown without its base.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lip_research import figures

NATIONAL_MARKERS = ("D", "o", "s", "^", "v", "P", "X", "*")


def _data_per_point(ax) -> float:
    """x-axis data units per typographic point, at the axes' present width and limits."""
    left, right = ax.get_xlim()
    return (right - left) / (ax.bbox.width * 72 / ax.figure.dpi)


def _count_place(p: float, width: float, inside: bool, markers, pad: float):
    """(x, ha, inside) for a count ``width`` wide on a bar ending at ``p``: the first of inside
    the bar's end, just beyond it, inside its base, that no marker (x positions) covers; else
    beyond the bar, past the markers that would cover it."""
    slots = [(p - 1, "right", True)] if inside else []
    slots.append((p + 1, "left", False))
    if inside and p - 1 > 1 + width:
        slots.append((1, "left", True))
    for x, ha, within in slots:
        x0, x1 = (x - width, x) if ha == "right" else (x, x + width)
        if not any(x0 - pad < m < x1 + pad for m in markers):
            return x, ha, within
    x = p + 1
    while covering := [m for m in markers if x - pad < m < x + width + pad]:
        x = max(covering) + pad
    return x, "left", False


def bar_counts(
    ax,
    percents,
    n,
    big_n,
    inside_from: float = 15.0,
    inside_color="white",
    markers: dict[int, list[float]] | None = None,
) -> None:
    """Write n/N at the end of each horizontal bar: inside it when the bar is long enough, else
    just beyond it. ``markers`` (x positions of the markers on bar i) moves a count that one of
    them would cover to the first free place (see :func:`_count_place`)."""
    per_pt = _data_per_point(ax) if markers else 0.0
    for y, (p, a, b) in enumerate(zip(percents, n, big_n, strict=True)):
        text = f"{a}/{b}"
        x, ha, inside = _count_place(
            p,
            width=0.62 * 6 * len(text) * per_pt,  # digits are about 0.6 em wide
            inside=p >= inside_from,
            markers=(markers or {}).get(y, []),
            pad=3 * per_pt,
        )
        ax.text(
            x,
            y,
            text,
            va="center",
            ha=ha,
            color=inside_color if inside else "black",
            fontsize=6,
        )


def _marker_offsets(nat: pd.DataFrame, near: float) -> np.ndarray:
    """Vertical offsets within a bar's band for national markers (columns: row, percent, rank):
    markers on one bar less than ``near`` apart are spread over the band, the first study
    (legend order) on top, so that none hides another; the rest sit on the bar's centre."""
    out = pd.Series(0.0, index=nat.index)
    for _, bar in nat.groupby("row"):
        ordered = bar.sort_values("percent", kind="stable")
        cluster = (ordered["percent"].diff() >= near).cumsum()
        for _, members in ordered.groupby(cluster):
            m = len(members)
            if m > 1:
                step = min(0.4, 0.6 / (m - 1))
                out[members.sort_values("rank").index] = step * ((m - 1) / 2 - np.arange(m))
    return out.to_numpy()


def prevalence_rows(
    prev: pd.DataFrame, national: pd.DataFrame | None = None, top: int = 20
) -> pd.DataFrame:
    """The ``top`` most prevalent themes, plus every theme with a national figure."""
    order = prev.sort_values("share", ascending=False, kind="stable")
    keep = set(order["label"].head(top))
    if national is not None and not national.empty:
        keep |= set(national["label"]) & set(prev["label"])
    return order[order["label"].isin(keep)].iloc[::-1]


def plot_prevalence(prev: pd.DataFrame, ax, national: pd.DataFrame | None = None, top: int = 20):
    """Share of reports with each theme, with n/N on the bars; national figures as markers.

    ``prev`` columns: label, n (reports with the theme), N (reports), share.
    ``national`` (optional) columns: label, percent, study. Shows :func:`prevalence_rows`;
    the title says how many of the themes that is.
    """
    data = prevalence_rows(prev, national, top)
    figures._fit_height(ax, len(data))
    ax.barh(
        data["label"].map(lambda s: figures._wrapped(s)),
        data["share"] * 100,
        color=figures.PALETTE[0],
        label="this corpus",
    )
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlim(0, 110)
    pos = {lab: i for i, lab in enumerate(data["label"])}
    nat = pd.DataFrame(columns=["label", "percent", "study", "row"])
    if national is not None and not national.empty:
        nat = national[national["label"].isin(pos)]
        nat = nat.assign(study=nat["study"].fillna("national analysis"), row=nat["label"].map(pos))
    bar_counts(
        ax,
        data["share"] * 100,
        data["n"],
        data["N"],
        markers=nat.groupby("row")["percent"].apply(list).to_dict(),
    )
    if national is not None and not national.empty:
        # one marker shape per study, named in the legend: two diamonds on one bar are two
        # studies (different samples and periods), not a range
        studies = list(dict.fromkeys(nat["study"]))
        nat = nat.assign(rank=nat["study"].map(studies.index))
        nat = nat.assign(y=nat["row"] + _marker_offsets(nat, near=6 * _data_per_point(ax)))
        for k, study in enumerate(studies):
            rows = nat[nat["study"] == study]
            ax.scatter(
                rows["percent"],
                rows["y"],
                marker=NATIONAL_MARKERS[k % len(NATIONAL_MARKERS)],
                s=16,
                color=figures.PALETTE[1],
                zorder=3,
                label=figures._short(str(study), 60),
            )
        ax.legend(  # below the axes: inside, it could cover the bars of the rarest themes
            fontsize=6,
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(0.0, -0.06),
            ncol=2,
            title="national analyses (other samples and periods)",
            title_fontsize=6,
            alignment="left",
        )
    ax.set_xlabel("% of reports")
    shown = f"; {len(data)} of {len(prev)} themes" if len(data) < len(prev) else ""
    ax.set_title(f"Theme prevalence (n/N reports{shown})")
    return ax


def plot_marker_coverage(coverage: pd.DataFrame, ax):
    """Share of reports with evidence for each quality marker (columns: label, share, n, N)."""
    data = coverage.iloc[::-1]
    figures._fit_height(ax, len(data))
    ax.barh(
        data["label"].map(lambda s: figures._wrapped(s)),
        data["share"] * 100,
        color=figures.PALETTE[2],
    )
    ax.tick_params(axis="y", labelsize=7)
    bar_counts(ax, data["share"] * 100, data["n"], data["N"])
    ax.set_xlim(0, 110)
    ax.set_xlabel("% of reports with evidence found (screening aid, not a verdict)")
    ax.set_title("Quality-marker evidence coverage")
    return ax


def _national_for_plot(comparison: pd.DataFrame | None) -> pd.DataFrame | None:
    """The national figures that share the bars' axis (% of reports): shares of reviews.
    A share of deaths, incidents or children would read as a share of reports."""
    if comparison is None or comparison.empty:
        return None
    nat = comparison.dropna(subset=["national_percent"])
    if "base" in nat:
        nat = nat[nat["base"].fillna("reviews") == "reviews"]
    study = nat["study"].astype(str).str.split(" (", n=1, regex=False).str[0]
    if "short_name" in nat:  # "Panel annual report 2020", not the report's whole title
        study = nat["short_name"].fillna(study)
    if "period" in nat:  # "Brandon et al. 2008, 2003-05": which study, which years
        study = study + ", " + nat["period"].astype(str)
    return nat.assign(percent=nat["national_percent"].astype(float), study=study)[
        ["label", "percent", "study"]
    ]


def national_left_out(comparison: pd.DataFrame | None) -> int:
    """How many national figures the prevalence figure leaves out (not shares of reviews)."""
    if comparison is None or comparison.empty or "base" not in comparison:
        return 0
    return int((comparison["base"].fillna("reviews") != "reviews").sum())


def draw_prevalence(
    ax, summary: pd.DataFrame, comparison: pd.DataFrame | None = None, top: int = 20
):
    """Share of reports with each theme (n/N on the bars); national figures as markers, one
    shape per study, labelled as different samples."""
    prev = summary.assign(
        n=summary["n_present"], N=summary["denominator"], share=summary["percent"] / 100
    )
    return plot_prevalence(prev, ax, national=_national_for_plot(comparison), top=top)


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
    ax.set_ylim(-4, 110)  # a point at 0% shows whole, not cut by the axis
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
    return plot_marker_coverage(data, ax)


def draw_why_share(ax, share: pd.DataFrame, by: str = "section"):
    """Share of passages that explain 'why', per section (or any grouping), with n/N."""
    data = share.sort_values("percent")
    ax.barh(data[by].astype(str), data["percent"], color=figures.PALETTE[3 % len(figures.PALETTE)])
    bar_counts(ax, data["percent"], data["n_why"], data["n_passages"], inside_color="black")
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
    left_out = national_left_out(outputs.national)
    other_bases = (
        f" {left_out} national figures that are shares of something other than reviews "
        "(deaths, incidents, notifications, children) are left out; national_comparison.csv "
        "lists them."
        if left_out
        else ""
    )
    return fig, (
        "Share of reports in which each theme was coded (n/N reports); markers: published "
        "national analyses of reviews, one shape per study (different samples and periods; an "
        "approximate figure or a lower bound is drawn at its value; national_comparison.csv "
        "cites each)." + other_bases + which
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
