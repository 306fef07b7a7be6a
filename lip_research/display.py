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


def _with_alt(draw):
    """``draw`` (the PNG drawing a notebook has set up: the inline backend's, retina or not),
    with a saved figure's caption added as alt text."""

    def png(fig):
        data = draw(fig)
        caption = getattr(fig, "lip_caption", None)
        if not caption or not data:
            return data
        data, meta = data if isinstance(data, tuple) else (data, {})
        return data, {**meta, "alt": caption}

    png.lip_alt_text = True
    return png


def _show_captions_as_alt_text() -> None:
    """In a notebook, give saved figures their caption as alt text, wrapping the PNG drawing
    the notebook already has (so a user's own inline settings stay as they are)."""
    import sys

    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        draw = formatter.lookup_by_type(Figure)
    except KeyError:  # no inline backend yet: draw as it does
        from IPython.core.pylabtools import print_figure

        def draw(fig):
            return print_figure(fig, "png", bbox_inches="tight", base64=True)

    if not getattr(draw, "lip_alt_text", False):
        formatter.for_type(Figure, _with_alt(draw))


def section_note(shown: object, note: str) -> None:
    """``note`` in place of a report section's figures when none of them is shown."""
    if not shown:
        from IPython.display import Markdown, display

        display(Markdown(f"*{note}*"))


def captioned(shown, caption: str) -> None:
    """Show a figure or table with its caption below it; nothing at all when it was left out
    (``None``: a column the corpus lacks), so no caption stands under an absent figure."""
    if shown is None:
        return
    from IPython.display import Markdown, display

    display(shown)
    display(Markdown(caption))
