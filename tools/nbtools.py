"""Write the project's notebooks from compact cell lists (kept so notebooks stay reviewable).

Usage: python tools/nbtools.py  — rewrites notebooks/*.ipynb from tools/notebooks_src.py.
Notebooks are stored without outputs; executed copies belong in reports/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in cells:
        source = source.strip("\n")
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell(source)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


def main() -> None:
    if sys.argv[1:]:  # --help, or anything else: say what it does rather than do it
        print(__doc__.strip())
        sys.exit(0 if sys.argv[1:] in (["-h"], ["--help"]) else 2)
    sys.path.insert(0, str(ROOT / "tools"))
    from notebooks_src import NOTEBOOKS

    for name, cells in NOTEBOOKS.items():
        path = ROOT / "notebooks" / name
        nbformat.write(build(cells), str(path))
        print("wrote", path.relative_to(ROOT))


if __name__ == "__main__":
    main()
