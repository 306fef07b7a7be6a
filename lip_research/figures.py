"""Publication figures: one style, colour-blind-safe, each drawn onto a given ``ax``.

Every ``plot_*`` function takes tidy data and an ``ax`` and returns the ``ax``; nothing here
saves except :func:`save`, which writes PNG (300 dpi), SVG and PDF plus a caption file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

# Paul Tol's "bright" and "muted" qualitative schemes: distinguishable with colour-blindness.
PALETTE = [
    "#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB",
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
    "#882255", "#AA4499",
]  # fmt: skip
SEQUENTIAL = "cividis"
DPI = 300
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "svg.hashsalt": "lip_research",
    "pdf.compression": 6,
    "savefig.bbox": "tight",
}


def use_style() -> None:
    plt.rcParams.update(STYLE)


def new_figure(width: float = 6.5, height: float = 4.0):
    use_style()
    return plt.subplots(figsize=(width, height))


def save(fig, stem: str | Path, caption: str) -> dict[str, Path]:
    """Write ``stem``.png (300 dpi), .svg, .pdf and .caption.txt; returns the paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = {}
    meta = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}, "png": {}}
    for ext in ("png", "svg", "pdf"):
        path = stem.with_suffix(f".{ext}")
        fig.savefig(path, dpi=DPI, metadata=meta[ext])
        out[ext] = path
    caption_path = stem.with_suffix(".caption.txt")
    caption_path.write_text(caption.strip() + "\n", encoding="utf-8")
    out["caption"] = caption_path
    plt.close(fig)
    return out


TOPIC_COLOURS = [c for c in PALETTE if c != "#BBBBBB"]  # grey means "another topic"


def topic_colours(topics: Sequence[int]) -> dict[int, str]:
    """One colour per topic, by size rank: the same topic has the same colour in every figure.

    ``topics`` is each passage's topic; outliers (-1) get none.
    """
    sizes = pd.Series(np.asarray(topics)).value_counts()
    ranked = sorted((t for t in sizes.index if t != -1), key=lambda t: (-sizes[t], t))
    return {int(t): TOPIC_COLOURS[i % len(TOPIC_COLOURS)] for i, t in enumerate(ranked)}


def _whole_numbers(values) -> bool:
    """True when every value is a whole number (years, say), not text or a fraction."""
    values = [v for v in values if not (isinstance(v, float) and v != v)]
    return bool(values) and all(
        isinstance(v, int | float | np.integer | np.floating)
        and not isinstance(v, bool)
        and float(v).is_integer()
        for v in values
    )


def year_range(values) -> list[int] | None:
    """Every year from the first to the last of ``values`` when they are whole numbers (years)
    less than 200 apart, so that a year without data keeps its place on an axis; else None."""
    values = [v for v in values if pd.notna(v)]
    if not _whole_numbers(values) or max(values) - min(values) >= 200:
        return None
    return list(range(int(min(values)), int(max(values)) + 1))


def _short(label: str, n: int = 38) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def _wrapped(label: str, width: int = 36, lines: int = 2) -> str:
    """The label on up to ``lines`` lines of ``width`` characters, cut with '…' only beyond."""
    parts = textwrap.wrap(label, width) or [""]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], _short(" ".join(parts[lines - 1 :]), width)]
    return "\n".join(parts)


def _fit_height(ax, rows: int, per_row: float = 0.3, extra: float = 1.3) -> None:
    """Give each bar of a horizontal bar chart room for a two-line label."""
    fig = ax.figure
    fig.set_size_inches(fig.get_size_inches()[0], max(2.5, per_row * rows + extra))


def plot_topic_sizes(topics: pd.DataFrame, ax, top: int = 25):
    """Horizontal bars: passages per topic (largest first), outliers in grey."""
    data = topics.sort_values("size", ascending=False).head(top).iloc[::-1]
    colours = [PALETTE[6] if t == -1 else PALETTE[0] for t in data["topic"]]
    ax.barh(
        [f"{t}: {_short(lab)}" for t, lab in zip(data["topic"], data["label"], strict=True)],
        data["size"],
        color=colours,
    )
    ax.set_xlabel("passages")
    ax.set_title("Topic sizes")
    return ax


def plot_top_words(words: Sequence[str], weights: Sequence[float], ax, title: str = ""):
    """Bars of one topic's top words by c-TF-IDF weight."""
    ax.barh(list(words)[::-1], list(weights)[::-1], color=PALETTE[0])
    # Narrow panels side by side: wrap the label so that neighbouring titles never collide.
    ax.set_title(textwrap.fill(_short(title, 84), 28), fontsize=7)
    ax.tick_params(axis="both", labelsize=7)
    ax.set_xticks([])
    return ax


def plot_topic_trend(
    trend: pd.DataFrame,
    ax,
    time_col: str = "year",
    top: int = 8,
    reports: pd.Series | None = None,
    colours: dict[int, str] | None = None,
):
    """Share of passages per topic over time (one line per topic, largest topics).

    Lines break over years with no reports instead of joining across them; with ``reports``
    (reports per year), each year's tick says how many reports its shares rest on (n=0 in grey).
    """
    keep = trend.groupby("label")["passages"].sum().nlargest(top).index
    topic_of = dict(zip(trend["label"], trend["topic"], strict=False)) if "topic" in trend else {}
    times = sorted(trend[time_col].unique())
    axis = year_range(times) or times
    for i, (label, grp) in enumerate(trend[trend["label"].isin(keep)].groupby("label", sort=True)):
        share = grp.set_index(time_col)["share"].reindex(axis)  # NaN: no reports that year
        ax.plot(
            axis,
            share.to_numpy(dtype=float),
            marker="o",
            ms=3,
            lw=1.5,
            label=_short(label, 30),
            color=(colours or {}).get(topic_of.get(label), PALETTE[i % len(PALETTE)]),
        )
    # every year ticked with its n (n=0 in grey) when they fit, else the years with reports
    ticks = axis if len(axis) <= 20 else times if len(times) <= 20 else None
    if reports is not None and ticks is not None:
        ax.set_xticks(ticks, [f"{t}\nn={int(reports.get(t, 0))}" for t in ticks], fontsize=6)
        for tick, t in zip(ax.get_xticklabels(), ticks, strict=True):
            if t not in set(times):
                tick.set_color("grey")  # a year with no reports: n=0, the lines break there
    counted = reports is not None and ticks is not None
    ax.set_xlabel(time_col + (" (n: reports)" if counted else ""))
    ax.set_ylabel("share of passages")
    ax.set_title("Topics over time")
    ax.legend(fontsize=6, frameon=False, loc="center left", bbox_to_anchor=(1, 0.5))
    return ax


def plot_heatmap(
    matrix: pd.DataFrame,
    ax,
    title: str = "",
    fmt: str = "{:.0%}",
    cbar_label: str = "",
    vmax: float | None = None,
):
    """A labelled heatmap of shares (rows × columns), values written in the cells.

    The colour scale starts at 0 (a share of 44% is never drawn as if it were none) and
    ends at ``vmax`` (default: the largest value); its ticks are percentages.
    """
    from matplotlib.ticker import PercentFormatter

    values = matrix.to_numpy(dtype=float)
    top = vmax if vmax is not None else (float(np.nanmax(values)) if values.size else 1.0)
    im = ax.imshow(values, aspect="auto", cmap=SEQUENTIAL, vmin=0.0, vmax=top or 1.0)
    ax.set_xticks(
        range(matrix.shape[1]),
        # each line wrapped on its own: a long name never pushes out a line under it, such as
        # the "(N=24)" that gives a column's number of reports
        ["\n".join(_wrapped(line, 20) for line in str(c).split("\n")) for c in matrix.columns],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
        fontsize=7,
    )
    ax.set_yticks(range(matrix.shape[0]), [_wrapped(str(r), 40) for r in matrix.index], fontsize=7)
    if values.size <= 400:
        for (i, j), v in np.ndenumerate(values):
            r, g, b, _ = im.cmap(im.norm(v))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5  # text colour by cell brightness
            ax.text(
                j,
                i,
                fmt.format(v),
                ha="center",
                va="center",
                fontsize=6,
                color="white" if dark else "black",
            )
    ax.set_title(title)
    cbar = ax.figure.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
    cbar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    cbar.set_label(cbar_label)
    return ax


def plot_passage_map(
    coords: np.ndarray,
    topics: Sequence[int],
    ax,
    labels: dict[int, str] | None = None,
    top: int = 12,
):
    """2-D map of passages coloured by topic (the ``top`` largest; the rest, and outliers,
    light grey, said in the legend); colours as :func:`topic_colours`."""
    topics = np.asarray(topics)
    colours = topic_colours(topics)
    keep = list(colours)[:top]
    ax.scatter(coords[:, 0], coords[:, 1], s=3, c="#DDDDDD", lw=0)
    for t in keep:
        sel = topics == t
        name = f"{t}: {_short(labels.get(int(t), ''), 28)}" if labels else str(t)
        ax.scatter(coords[sel, 0], coords[sel, 1], s=4, lw=0, color=colours[t], label=name)
    if len(colours) > len(keep) or (topics == -1).any():
        ax.scatter([], [], s=4, lw=0, c="#DDDDDD", label="other topics, outliers")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("Passage map (2-D projection of embeddings)")
    ax.legend(fontsize=6, markerscale=3, frameon=False, loc="center left", bbox_to_anchor=(1, 0.5))
    return ax


def plot_hierarchy(linkage: np.ndarray, labels: Sequence[str], ax):
    """Dendrogram of topics from their centroid similarity."""
    from scipy.cluster.hierarchy import dendrogram

    dendrogram(
        linkage,
        labels=[_short(lab, 60) for lab in labels],
        orientation="left",
        ax=ax,
        color_threshold=0,
        above_threshold_color=PALETTE[0],
    )
    ax.tick_params(axis="y", labelsize=6)
    ax.set_xlabel("cosine distance")
    ax.set_title("Topic hierarchy")
    return ax


def plot_counts(counts: pd.Series, ax, title: str, xlabel: str = "", ylabel: str = "documents"):
    """Simple bar chart of counts (e.g. documents by year); whole years missing in between
    are shown as empty bars rather than closed up."""
    years = year_range(counts.index)
    if years:
        counts = counts.reindex(years, fill_value=0)
    ax.bar([str(i) for i in counts.index], counts.to_numpy(), color=PALETTE[0])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", rotation=45, labelsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.25 of a document
    return ax
