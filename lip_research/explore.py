"""Interactive exploration in JupyterLab: a topic browser, a zoomable passage map, topic edits.

Part of the notebook API: ``lip_research.workbench`` re-exports these functions.
"""

from __future__ import annotations

import copy
import html
from pathlib import Path

import pandas as pd

from lip_research import analysis, io
from lip_research.pipeline import TopicRun, fit_id, write_topic_tables


def topic_browser(run: TopicRun, per_topic: int = 5):
    """A widget: choose a topic -> top words, representative passages with citations, its reports."""
    import ipywidgets as widgets
    from IPython.display import display as show

    from lip_research.lexical import citation, excerpt_with

    topics = run.result.topics[run.result.topics["topic"] != -1]
    options = [
        (f"{t}: {lab} ({n})", int(t))
        for t, lab, n in zip(topics["topic"], topics["label"], topics["size"], strict=True)
    ]
    choose = widgets.Dropdown(
        options=options, description="Topic", layout=widgets.Layout(width="80%")
    )
    out = widgets.Output()
    shares = run.result.document_topics.set_index("doc_id")

    def panel(t: int) -> list[tuple[str, list[str]]]:
        """A topic's panel: (heading, lines) for its words, passages and reports."""
        row = topics.set_index("topic").loc[t]
        reps = run.result.representatives
        reps = reps[(reps["topic"] == t) & (reps["rank"] <= per_topic)]
        col = f"topic_{t}"
        docs = shares[col].sort_values(ascending=False) if col in shares else pd.Series(dtype=float)
        return [
            ("Words", [row["words"].replace(";", ", ")]),
            (
                "Representative passages",
                [
                    f"{excerpt_with(r.text, row['words'].split(';'), 50)} — "
                    f"{citation(r.doc_id, r.section, r.page_start, r.page_end)}"
                    for r in reps.itertuples()
                ],
            ),
            (
                "Reports where it is largest",
                [f"{d}: {v:.0%} of the report" for d, v in docs[docs > 0].head(8).items()],
            ),
        ]

    def render(change=None) -> None:
        out.clear_output()
        with out:
            from IPython.display import HTML

            show(HTML(panel_html(panel(choose.value))))

    choose.observe(render, names="value")
    render()

    static = "\n".join(
        f"<details><summary>{html.escape(label)}</summary>{panel_html(panel(t))}</details>"
        for label, t in options
    )

    class Browser(widgets.VBox):
        """The widget in JupyterLab; in report.html, every topic's panel (static HTML)."""

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs)
            data["text/html"] = static
            return data

    return Browser([choose, out])


def panel_html(parts: list[tuple[str, list[str]]]) -> str:
    """A panel's headings and lines as HTML, its text escaped (passages may hold '<')."""
    out = []
    for heading, lines in parts:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        out.append(f"<p><strong>{html.escape(heading)}</strong></p><ul>{items}</ul>")
    return "".join(out)


def interactive_map(run: TopicRun):
    """A zoomable passage map (plotly): hover shows the topic, document, section and an excerpt."""
    import plotly.express as px

    from lip_research.lexical import excerpt

    coords = analysis.projection_2d(run.embeddings, run.config.seed)
    labels = dict(zip(run.result.topics["topic"], run.result.topics["label"], strict=True))
    pt = run.result.passage_topics
    frame = pd.DataFrame(
        {
            "x": coords[:, 0],
            "y": coords[:, 1],
            "topic": [f"{t}: {labels.get(t, '')}" for t in pt["topic"]],
            "doc_id": pt["doc_id"],
            "section": pt.get("section"),
            "excerpt": [excerpt(t, 25) for t in run.corpus.passages["text"]],
        }
    )
    fig = px.scatter(
        frame, x="x", y="y", color="topic", hover_data=["doc_id", "section", "excerpt"], height=600
    )
    fig.update_traces(marker={"size": 4})
    return fig


# what BERTopic's update_topics changes on the model, kept so that edits can be undone
MODEL_STATE = (
    "topics_", "topic_sizes_", "c_tf_idf_", "topic_representations_", "topic_labels_",
    "custom_labels_", "topic_embeddings_", "representative_docs_", "topic_aspects_", "top_n_words",
    "lip_fitted",
)  # fmt: skip


def _state(run: TopicRun) -> dict:
    """A copy of what editing topics changes in a run."""
    r = run.result
    return {
        "passage_topics": r.passage_topics.copy(),
        "document_topics": r.document_topics.copy(),
        "representatives": r.representatives.copy(),
        "topics": r.topics.copy(),
        "evaluation": dict(run.evaluation),
        "model": {k: copy.deepcopy(v) for k, v in vars(r.model).items() if k in MODEL_STATE},
    }


def _set_state(run: TopicRun, state: dict) -> None:
    r = run.result
    for name, value in state["model"].items():
        setattr(r.model, name, copy.deepcopy(value))
    r.passage_topics = state["passage_topics"].copy()
    r.document_topics = state["document_topics"].copy()
    r.representatives = state["representatives"].copy()
    r.topics = state["topics"].copy()
    run.evaluation = dict(state["evaluation"])


def _restore_fitted(run: TopicRun) -> None:
    """Put the run back as fitted (saving that state the first time it is edited)."""
    if run.fitted is None:
        run.fitted = _state(run)
    _set_state(run, run.fitted)


def apply_edits(
    run: TopicRun,
    run_dir: Path,
    labels: dict[int, str] | None = None,
    merge: list[list[int]] | None = None,
) -> pd.DataFrame:
    """Merge and relabel topics, save the edits into the run (``topic_edits.yaml``) and rewrite its tables.

    Every call starts from the topics as fitted, so rerunning the cell, or changing ``merge``
    and rerunning it, gives exactly the edits shown (``merge=[]`` undoes a merge).
    """
    import yaml

    merge, labels = analysis.check_edits(merge, labels)
    topics = edit_topics(run, labels=labels, merge=merge)
    io.write_text(
        yaml.safe_dump({"merge": merge, "labels": labels, "fit_id": fit_id(run)}, sort_keys=True),
        Path(run_dir) / "topic_edits.yaml",
    )
    write_topic_tables(run, Path(run_dir))
    return topics


def edit_topics(
    run: TopicRun, labels: dict[int, str] | None = None, merge: list[list[int]] | None = None
) -> pd.DataFrame:
    """Merge and relabel the run's topics in memory, starting from the topics as fitted; an
    edit that fails leaves the run as it was."""
    merge, labels = analysis.check_edits(merge, labels)
    before = _state(run)
    try:
        return _edit(run, labels, merge)
    except BaseException:
        _set_state(run, before)  # an edit that fails changes nothing
        raise


def _edit(run: TopicRun, labels: dict[int, str], merge: list[list[int]]) -> pd.DataFrame:
    from lip_research import evaluate
    from lip_research.topics import (
        _quiet_bertopic,
        document_shares,
        representative_docs,
        representatives,
        topic_table,
        topic_words,
    )

    r = run.result
    _restore_fitted(run)
    if merge:
        r.passage_topics = analysis.merge_topics(r.passage_topics, merge)
        texts = run.corpus.passages["text"].astype(str)
        with _quiet_bertopic():  # it warns that assignments were set by hand: they were
            r.model.update_topics(
                [r.analyzer.term_string(t) for t in texts],
                topics=r.passage_topics["topic"].tolist(),
                top_n_words=r.config.top_n_words,
                vectorizer_model=r.model.vectorizer_model,
                ctfidf_model=r.model.ctfidf_model,
                representation_model=r.model.representation_model,
            )
        # c-TF-IDF weighs words against all topics, so recomputing it moves every topic's
        # words a little: the topics not merged keep their fitted words
        merged_ids = {t for group in merge for t in group}
        fitted_words = run.fitted["model"]["topic_representations_"]
        for topic, words in fitted_words.items():
            if topic not in merged_ids and topic in r.model.topic_representations_:
                r.model.topic_representations_[topic] = copy.deepcopy(words)
        if getattr(r.model, "lip_fitted", None) is not None:  # for saved.assign_topics
            points, fitted_topics = r.model.lip_fitted
            merged = analysis.merge_topics(pd.DataFrame({"topic": fitted_topics}), merge)
            r.model.lip_fitted = (points, merged["topic"].to_numpy("int64"))
        r.document_topics = document_shares(r.passage_topics, run.corpus.passages)
        r.representatives = representatives(run.corpus.passages, r.passage_topics, run.embeddings)
        r.model.representative_docs_ = representative_docs(r.representatives)
        words = {int(t): topic_words(r.model, int(t)) for t in set(r.passage_topics["topic"])}
        run.evaluation.update(
            evaluate.summary(
                words, r.passage_topics["topic"].tolist(), texts.tolist(), r.analyzer.stopwords
            )
        )
    r.topics = topic_table(r.model, r.passage_topics)
    if labels:
        r.topics = analysis.relabel(r.topics, labels)
    return r.topics
