"""How results are shown: tables for reports and figures saved into a run folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lip_research import figures


def table(frame: pd.DataFrame, precision: int = 3):
    """A DataFrame for display in reports: no index column, floats rounded."""
    return (
        frame.style.hide(axis="index")
        .format(precision=precision)
        .set_properties(**{"text-align": "left"})
    )


def save_figure(fig, run_dir: Path, name: str, caption: str):
    """Save ``fig`` into the run's figures/ and return it to be shown, its caption as the
    image's alt text (report.html's ``<img alt>``)."""
    figures.save(fig, Path(run_dir) / "figures" / name, caption)
    fig.lip_caption = caption
    _show_captions_as_alt_text()
    return fig


def _png_with_alt(fig):
    from IPython.core.pylabtools import print_figure

    data = print_figure(fig, "png", bbox_inches="tight", base64=True)  # as the inline backend
    caption = getattr(fig, "lip_caption", None)
    return (data, {"alt": caption}) if caption and data else data


def _show_captions_as_alt_text() -> None:
    """In a notebook, draw figures as PNG with their caption as alt text (after the inline
    backend has registered its own drawing, which this replaces)."""
    import sys

    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, _png_with_alt)


def captioned(shown, caption: str) -> None:
    """Show a figure or table with its caption below it; nothing at all when it was left out
    (``None``: a column the corpus lacks), so no caption stands under an absent figure."""
    if shown is None:
        return
    from IPython.display import Markdown, display

    display(shown)
    display(Markdown(caption))
