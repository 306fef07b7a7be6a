"""Execute parameterised notebooks with papermill into run folders, and render them to HTML.

A run folder is created before execution and marked ``running``; it becomes ``complete``
only when the notebook ran to the end and the HTML was written. A failing notebook leaves
the partly executed notebook (with the error) in the folder, which is marked ``failed``.
"""

from __future__ import annotations

import difflib
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from lip_research import io
from lip_research.config_values import load_unique, yaml_problem, yaml_text

REPO = Path(__file__).resolve().parents[1]


class ReportError(RuntimeError):
    """A report could not be produced; the message says why and where to look."""


def notebooks_dir() -> Path:
    for candidate in (Path.cwd() / "notebooks", REPO / "notebooks"):
        if candidate.is_dir():
            return candidate
    raise ReportError("no notebooks/ folder found: run from the lip_research checkout")


def find_notebook(name: str) -> Path:
    path = Path(name)
    if path.exists():
        return path
    folder = notebooks_dir()
    for candidate in (folder / name, folder / f"{name}.ipynb"):
        if candidate.exists():
            return candidate
    matches = sorted(folder.glob(f"{name}*.ipynb"))
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(p.name for p in sorted(folder.glob("*.ipynb")))
    raise ReportError(f"no notebook {name!r}; available: {names}")


def assigned_names(source: str) -> list[str]:
    """The names a parameters cell assigns (``corpus = "data/sample"`` -> ``corpus``)."""
    import ast

    return [
        target.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """The notebook's ``parameters`` cell: name -> default (as papermill reads it)."""
    import papermill

    found = papermill.inspect_notebook(str(notebook))
    out = {}
    for name, info in found.items():
        try:
            out[name] = yaml.safe_load(info["default"]) if info["default"] != "None" else None
        except yaml.YAMLError:
            out[name] = info["default"]
    return out


def check_parameters(notebook: Path, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters this notebook takes; refuses names no notebook takes (typos).

    Parameters that other notebooks take (``embedding`` for the corpus overview, say) are
    left out with a note on stderr, so one params file serves the whole suite.
    """
    import sys

    known = notebook_parameters(notebook)
    suite: set[str] = set()
    if set(params) - set(known):  # reading every notebook is only needed then
        for path in notebook.parent.glob("*.ipynb"):
            suite |= set(notebook_parameters(path))
    extra = left_out_parameters(params, list(known), suite, notebook.name)
    if extra:
        print(f"note: {notebook.name} does not use {', '.join(extra)}; left out", file=sys.stderr)
    return {k: v for k, v in params.items() if k in known}


def left_out_parameters(
    given: Iterable[str], known: list[str], suite: Iterable[str], notebook: str
) -> list[str]:
    """The given names that ``notebook`` does not take but another notebook of the ``suite``
    does (left out); a name no notebook takes is an error naming the nearest it does take."""
    extra, takers = sorted(set(given) - set(known)), set(suite)
    unknown = [name for name in extra if name not in takers]
    if unknown:
        guesses = [g for u in unknown for g in difflib.get_close_matches(u, known, n=1, cutoff=0.6)]
        hint = f" (did you mean {', '.join(guesses)}?)" if guesses else ""
        raise ReportError(
            f"unknown parameter(s) {', '.join(unknown)} for {notebook}{hint}; "
            f"it takes: {', '.join(sorted(known))}"
        )
    return extra


def check_values(params: dict[str, Any]) -> None:
    """Refuse values the notebook would refuse, before it runs: the run configuration they
    build (types, ranges, clustering options that do not go together), ``stability_seeds``,
    ``stability_resamples`` and the shape of ``merge`` and ``labels``. A mistake then costs
    seconds, not a whole topic fit."""
    from lip_research.pipeline import TOPIC_KEYS, build_config
    from lip_research.topic_bench import check_stability_resamples, check_stability_seeds
    from lip_research.workbench import check_themes

    config_yaml = params.get("config_yaml") or ""
    if not isinstance(config_yaml, str):
        raise ReportError(f"config_yaml must be the path of a YAML file, not {config_yaml!r}")
    topic = {k: v for k, v in params.items() if k in TOPIC_KEYS}
    cfg = build_config(config_yaml, seed=params.get("seed"), **topic)
    if "method" in params:
        from lip_research.lens_bench import labels_folder
        from lip_research.lenses import LensParams

        corpus = Path(str(params.get("corpus") or ""))
        try:
            lens = LensParams(method=params["method"])
            if corpus.is_dir() and not (corpus / "passages.parquet").exists():
                lens.resolve_method(labels_folder(corpus) is not None)  # a folder of reports
        except ValueError as exc:
            raise ReportError(str(exc)) from None
    for key in ("briefing_themes", "trend_theme"):
        if params.get(key):
            check_themes(params[key], cfg)
    if "stability_seeds" in params:
        check_stability_seeds(params["stability_seeds"])
    if "stability_resamples" in params:
        check_stability_resamples(params["stability_resamples"])
    if "merge" in params or "labels" in params:
        from lip_research.analysis import check_edits

        check_edits(params.get("merge"), params.get("labels"))


def load_params(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    if not path.exists():
        raise ReportError(f"parameters file {path} does not exist")
    try:
        data = load_unique(yaml_text(path, ReportError)) or {}
    except yaml.YAMLError as exc:
        raise ReportError(yaml_problem(path, exc)) from None
    if not isinstance(data, dict):
        raise ReportError(f"{path} must be a YAML mapping of notebook parameters")
    if "corpus" in data and not isinstance(data["corpus"], str):
        hint = " (to rerun a run, give its params.yaml, not run.json)" if "packages" in data else ""
        raise ReportError(f"{path}: corpus must be a folder path{hint}")
    return data


def _ipc_kernel_manager(folder: Path, log: Path | None = None):
    """A kernel manager that talks to its kernel over Unix socket files in ``folder``, not TCP.

    Reports then run with no network at all (not even loopback), and nothing listens on a port.
    With ``log``, the kernel process's own messages ("[IPKernelApp] ..." on shutdown) go to
    that file instead of the terminal; what cells print stays in the notebook as always.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)
            self.ip = str(folder / "kernel")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if log is None:
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            with log.open("ab") as handle:  # the kernel process keeps its own copy
                kw["stderr"] = kw["stdout"] = handle
                await super()._async_launch_kernel(kernel_cmd, **kw)

    return IPCKernelManager


def execute(notebook: Path, run_dir: Path, params: dict[str, Any], progress: bool = True) -> Path:
    """Run the notebook into ``run_dir/<name>``; on failure mark the run failed and raise."""
    import shutil
    import tempfile

    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    output = run_dir / notebook.name
    sockets = Path(tempfile.mkdtemp(prefix="lip-kernel-"))
    # absolute paths, so the executed notebook also runs when reopened from its run folder
    params = {**params, "run_dir": str(Path(run_dir).resolve())}
    for name in ("corpus", "config_yaml"):
        if isinstance(params.get(name), str) and params[name] and Path(params[name]).exists():
            params[name] = str(Path(params[name]).resolve())
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=params,
            kernel_name="python3",
            progress_bar=progress,
            cwd=str(Path.cwd()),
            report_mode=False,
            kernel_manager_class=_ipc_kernel_manager(sockets, run_dir / "kernel.log"),
        )
    except PapermillExecutionError as exc:
        message = f"{exc.ename}: {exc.evalue}"
        io.set_run_status(run_dir, "failed", f"cell {exc.exec_count}: {message}")
        raise ReportError(
            f"notebook {notebook.name} failed in cell {exc.exec_count}: {message}\n"
            f"The partly executed notebook is {output}; the run folder is marked failed."
        ) from exc
    except DeadKernelError:
        io.set_run_status(run_dir, "failed", "the notebook kernel died")
        raise ReportError(
            f"the kernel running {notebook.name} died (out of memory? see {run_dir / 'kernel.log'}"
            f" if it is there). The partly executed notebook is {output}; the run folder is "
            "marked failed."
        ) from None
    except BaseException as exc:  # KeyboardInterrupt too: never leave a run looking complete
        io.set_run_status(run_dir, "failed", io.failure_reason(exc))
        raise
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
        log = run_dir / "kernel.log"
        if log.exists() and not log.stat().st_size:
            log.unlink()  # kept only when the kernel process said something
    io.write_json(
        {
            "notebook": notebook.name,
            "parameters": params,
            "seconds": round(time.perf_counter() - started, 2),
        },
        run_dir / "execution.json",
    )
    return output


def to_html(executed: Path, html: Path, show_code: bool = False) -> Path:
    """Render an executed notebook to one self-contained HTML file with a table of contents."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    plotly_as_html(nb)
    widgets_as_html(nb)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    title = next(
        (c.source.lstrip("# ").split("\n")[0] for c in nb.cells if c.cell_type == "markdown"),
        "Report",
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return io.write_text(self_contained(add_toc(with_alt_text(body, nb))), html)


def with_alt_text(body: str, nb) -> str:
    """Give each figure its caption as alt text: the lab template drops the ``alt`` that
    figures carry in their output metadata, and nbconvert then writes a placeholder."""
    from bs4 import BeautifulSoup

    alts = {
        "data:image/png;base64," + str(out["data"]["image/png"]).replace("\n", ""): alt
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
        and (alt := out.get("metadata", {}).get("image/png", {}).get("alt"))
    }
    if not alts:
        return body
    soup = BeautifulSoup(body, features="html.parser")
    for img in soup.find_all("img"):
        alt = alts.get(str(img.get("src", "")).replace("\n", ""))
        if alt:
            img["alt"] = alt
    return str(soup)


PLOTLY = "application/vnd.plotly.v1+json"


def plotly_as_html(nb) -> None:
    """Give plotly outputs an HTML form, plotly.js embedded once, so the report keeps them offline.

    JupyterLab draws the plotly mimetype itself; nbconvert cannot and would drop the figure.
    """
    import plotly.io as pio

    first = True
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY in data and "text/html" not in data:
                data["text/html"] = pio.to_html(
                    data[PLOTLY], include_plotlyjs=first, full_html=False, validate=False
                )
                first = False


WIDGET = "application/vnd.jupyter.widget-view+json"


def widgets_as_html(nb) -> None:
    """Show a widget's HTML form where it has one (the topic browser's panels): nbconvert
    would draw the widget, which needs its scripts from the web, and offline shows nothing."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET in data and "text/html" in data:
                del data[WIDGET]


def self_contained(html: str) -> str:
    """Drop scripts and styles fetched from the web (MathJax, require.js): the report works offline."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["script", "link"]):
        url = tag.get("src") or tag.get("href") or ""
        inline = tag.string or ""
        fetches = "unpkg.com" in inline or "cdnjs.cloudflare.com" in inline
        if url.startswith(("http://", "https://", "//")) or fetches:
            tag.decompose()  # widget renderer / mermaid loaders: interactive only in JupyterLab
    return str(soup)


def add_toc(html: str) -> str:
    """Insert a table of contents of h2/h3 headings after <body>."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    heads = [h for h in soup.find_all(["h2", "h3"]) if h.get("id")]
    if not heads or soup.body is None:
        return html
    nav = soup.new_tag(
        "nav", attrs={"id": "toc", "style": "max-width:1100px;margin:1em auto;padding:0 2em"}
    )
    title = soup.new_tag("h2")
    title.string = "Contents"
    nav.append(title)
    ul = soup.new_tag("ul")
    for h in heads:
        li = soup.new_tag("li", attrs={"style": "margin-left:1.5em" if h.name == "h3" else ""})
        a = soup.new_tag("a", href=f"#{h['id']}")
        a.string = h.get_text(strip=True).rstrip("¶")
        li.append(a)
        ul.append(li)
    nav.append(ul)
    soup.body.insert(0, nav)
    return str(soup)


def _absolute(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters with relative paths made absolute, so a run's params.yaml reruns it from
    any folder."""
    out = dict(params)
    for key in ("corpus", "config_yaml"):
        value = out.get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            out[key] = str(Path(value).resolve())
    return out


def run_report(
    notebook: str,
    out: Path,
    params: dict[str, Any],
    fingerprint: str,
    progress: bool = True,
) -> Path:
    """Create a run folder under ``out``, execute, render HTML, mark complete; returns it."""
    nb = find_notebook(notebook)
    params = check_parameters(nb, params)
    check_values(params)
    run_dir = io.new_run_dir(out, fingerprint)
    saved = _absolute(params)
    if saved.get("config_yaml"):  # the YAML as it is now: a rerun must not read a later edit
        kept = run_dir / "config_given.yaml"
        shutil.copyfile(saved["config_yaml"], kept)
        saved["config_yaml"] = str(kept.resolve())
    io.write_text(yaml.safe_dump(saved, sort_keys=False), run_dir / "params.yaml")
    started = time.perf_counter()
    executed = execute(nb, run_dir, params, progress=progress)
    try:
        to_html(executed, run_dir / "report.html")
    except Exception as exc:
        io.set_run_status(run_dir, "failed", f"HTML export: {exc}")
        raise ReportError(f"the notebook ran but HTML export failed: {exc}") from exc
    run_json = run_dir / "run.json"
    record = io.read_json(run_json) if run_json.exists() else {}
    record.setdefault("timings_s", {})["report_total_s"] = round(time.perf_counter() - started, 2)
    defaults = {  # what the parameters left out were: `lip compare` shows them
        k: v for k, v in notebook_parameters(nb).items() if k not in params and k != "run_dir"
    }
    record["report"] = {
        "notebook": nb.name,
        "parameters": params,
        "defaults": defaults,
        "html": "report.html",
    }
    io.write_json(record, run_json)
    io.set_run_status(run_dir, "complete")
    io.mark_latest(run_dir)
    return run_dir
