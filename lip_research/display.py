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
    figures.save(fig, Path(run_dir) / "figures" / name, caption)
    return fig
