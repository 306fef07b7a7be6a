"""Cell lists for the notebook suite (see tools/nbtools.py). Thin: parameters, calls, one sentence per figure."""

SETUP = """
from IPython.display import HTML, Markdown, display

from lip_research import workbench as wb

wb.refuse_unknown_parameters("{notebook}", "{parameters}", "{suite_parameters}")
wb.from_project_root()  # JupyterLab starts kernels in notebooks/
wb.show_warnings_as_notes()
run_dir = wb.prepare(run_dir)
cfg = wb.build_config(
    config_yaml, seed=seed, embedding=embedding, clustering=clustering, reduction=reduction,
    n_clusters=n_clusters, min_topic_size=min_topic_size,
)
corpus_data = wb.open_corpus(corpus, cfg)
"""

COLUMNS = """\
time_column = wb.column(corpus_data, time_column, default="year", years=True)
class_column = wb.column(corpus_data, class_column, default="review_model", classes=True)
"""

COMMON_PARAMS = """
corpus = "data/sample"          # folder of reports, a folder with corpus.yaml, or an ingested corpus
run_dir = "reports/scratch/{notebook}"  # the run folder (`lip report` sets its own)
seed = None                      # one seed for every random component (None: config_yaml's, else 2016)
embedding = None                 # minilm (bundled all-MiniLM-L6-v2) or static (fast model2vec)
clustering = None                # auto, agglomerative, kmeans or hdbscan
reduction = None                 # auto, pca, umap or none
n_clusters = None                # number of topics (None: chosen from the corpus size)
min_topic_size = None            # smallest topic for hdbscan (None: chosen from the corpus size)
config_yaml = ""                 # optional RunConfig YAML; parameters above that are set override it
                                 # (None: the YAML's value, else the default: minilm, auto, auto)
"""


def _captioned(shown: str, caption: str, key: bool = False) -> tuple[str, str]:
    """A cell showing a figure or table that may be left out, its caption only with it; with
    ``key``, the caption ends with the key of the class column's names."""
    extra = "\n    + wb.class_key(corpus_data, class_column)" if key else ""
    return ("code", f'\nwb.captioned(\n    {shown},\n    "{caption}"{extra},\n)\n')


REPORT = [
    (
        "md",
        """
# Thematic report

This report was produced by **lip_research** from a parameterised notebook executed with papermill.
Its tables and figures are in the run folder beside it; `run.json` records the parameters, corpus hash,
package versions and timings needed to reproduce it.
""",
    ),
    (
        "params",
        COMMON_PARAMS
        + """
time_column = None               # metadata column for trends (None: year, if the corpus has it; "" to skip)
class_column = None              # column for the topic x class heatmap (None: review_model, if present; "" to skip)
stability_seeds = 3              # seeds for the stability figures (1 skips them)
stability_resamples = 3          # refits on 90% of the documents for the resampling figures (0 skips them)
briefing_themes = []             # theme ids for briefings (empty: the most prevalent practice issue)
""",
    ),
    (
        "code",
        SETUP
        + COLUMNS
        + "wb.check_themes(briefing_themes, cfg)\n"
        + "wb.check_stability_seeds(stability_seeds)\n"
        + "wb.check_stability_resamples(stability_resamples)\n",
    ),
    ("md", "## Corpus"),
    (
        "code",
        """
overview = wb.corpus_overview(corpus_data)
display(wb.table(overview["summary"]))
display(wb.table(overview["sections"]))
display(wb.table(overview["ledger"])) if "ledger" in overview else None
wb.table(overview["files"]) if "files" in overview else None
""",
    ),
    (
        "code",
        """
wb.fig_documents_by(corpus_data, run_dir, time_column, years=True) if time_column else None
""",
    ),
    (
        "md",
        "Every file seen is in the ingest ledger (`ledger.csv` in the run folder); the tables above count them by status and reason, and name each file not read in full.",
    ),
    ("md", "## Topics"),
    (
        "code",
        """
run = wb.topics(corpus_data, cfg)
wb.save_topics(run, run_dir)
display(Markdown(wb.topic_summary(run)))
wb.table(run.result.topics)
""",
    ),
    ("code", "wb.fig_topic_sizes(run, run_dir)"),
    (
        "md",
        "Topic sizes show how the passages divide; a topic is a recurring pattern of wording, not a cause.",
    ),
    ("code", "wb.fig_top_words(run, run_dir)"),
    ("md", "Each panel lists the words that most distinguish a topic from the others (c-TF-IDF)."),
    ("md", "### Representative passages"),
    ("code", "wb.table(wb.representative_table(run, per_topic=2))"),
    ("md", "## Topics over time and by class"),
    (
        "code",
        'wb.section_note(time_column or class_column, "Left out: no year or class column was '
        "given or found (parameters time_column and class_column; the notes at the top of the "
        'report say why).")',
    ),
    _captioned(
        "wb.fig_topics_over_time(run, run_dir, time_column) if time_column else None",
        "Lines show each large topic's share of the passages written in each year; small years are noisy.",
    ),
    _captioned(
        "wb.fig_topic_heatmap(run, run_dir, class_column) if class_column else None",
        "Cells give the share of each class's passages that fall in each topic.",
        key=True,
    ),
    ("md", "## Passage map and topic hierarchy"),
    ("code", "wb.fig_passage_map(run, run_dir)"),
    ("md", "Nearby points are passages with similar meaning; colours are the largest topics."),
    ("code", "wb.fig_hierarchy(run, run_dir)"),
    ("md", "Topics that join early in the tree are candidates for merging."),
    ("md", "## Practice issues and themes"),
    (
        "code",
        """
lenses = wb.lenses(run, run_dir, time_column=time_column)
display(Markdown(f"Coding method: **{lenses.method}**" + (" (trained on this corpus's labels)" if lenses.labelled else " (codebook similarity with shipped thresholds)")))
wb.fig_theme_prevalence(lenses, run_dir)
""",
    ),
    (
        "md",
        "Bars give the share of reports in which each practice issue, national theme or SCIE typology pattern was coded (n/N); the markers, one shape per study, are published national figures (shares of reviews) from different samples and periods, for orientation only.",
    ),
    ("code", "lenses.prevalence_table"),
    _captioned(
        "wb.fig_theme_heatmap(lenses, run_dir, class_column) if class_column else None",
        "Prevalence by class with its denominators; small classes give unstable shares.",
        key=True,
    ),
    ("md", "### Why practice happened as it did"),
    ("code", "wb.fig_why_by_section(lenses, run_dir)"),
    (
        "md",
        "The share of each section's passages that explain *why* practice happened (contributory factors), rather than narrating events; Learning into Practice found many reports short of these.",
    ),
    ("code", "lenses.why_table"),
    (
        "md",
        "Per report, lowest first: how many of its passages explain why (`n_why` of `n_passages`; `why_by_report.csv`).",
    ),
    ("md", "## Quality markers (screening aid)"),
    ("code", "wb.fig_marker_coverage(lenses, run_dir)"),
    (
        "md",
        "Coverage is the share of reports where the screen found evidence for a marker; absence of evidence in a published report is not proof the marker was unmet.",
    ),
    ("code", "lenses.marker_table"),
    ("md", "## Briefing"),
    ("code", "display(HTML(wb.briefings(lenses, run, run_dir, briefing_themes, class_column)))"),
    (
        "md",
        "Each briefing is also saved in the run's `briefings/` folder as Markdown and Word (`.docx`).",
    ),
    ("md", "## Quality of the topic model"),
    (
        "code",
        "wb.table(wb.quality_table(wb.evaluation(\n"
        "    run, seeds=stability_seeds, resamples=stability_resamples,\n"
        "    labels=wb.planted_labels(run, corpus),\n"
        ")), 4)",
    ),
    (
        "md",
        "See the README's *Reading the quality figures* for what each measure means and its limits.",
    ),
    ("md", "## Methods and provenance"),
    ("code", "display(Markdown(wb.methods(run, run_dir)))"),
    ("code", "run_json = wb.finish(run, run_dir)"),
]

OVERVIEW = [
    (
        "md",
        """
# 01 Corpus overview

What is in the corpus: documents by year and type, their lengths and sections, and the ingest
ledger (every file seen, with the reason for any that failed).
""",
    ),
    (
        "params",
        """
corpus = "data/sample"          # folder of reports, a folder with corpus.yaml, or an ingested corpus
run_dir = "reports/scratch/{notebook}"  # the run folder (`lip report` sets its own)
time_column = None               # metadata column for the timeline (None: year, if present; "" to skip)
class_column = None              # metadata column for document types (None: review_model, if present)
""",
    ),
    (
        "code",
        """
from IPython.display import display

from lip_research import workbench as wb
from lip_research.config import RunConfig

wb.refuse_unknown_parameters("{notebook}", "{parameters}", "{suite_parameters}")
wb.from_project_root()  # JupyterLab starts kernels in notebooks/
wb.show_warnings_as_notes()
run_dir = wb.prepare(run_dir)
corpus_data = wb.open_corpus(corpus, RunConfig())
time_column = wb.column(corpus_data, time_column, default="year", years=True)
class_column = wb.column(corpus_data, class_column, default="review_model")
overview = wb.corpus_overview(corpus_data)
wb.table(overview["summary"])
""",
    ),
    _captioned(
        "wb.fig_documents_by(corpus_data, run_dir, time_column, years=True) if time_column else None",
        "Documents per year: the corpus's coverage over time, which bounds any trend read from it.",
    ),
    _captioned(
        "wb.fig_documents_by(corpus_data, run_dir, class_column) if class_column else None",
        "Documents per type: small groups make comparisons between types fragile.",
    ),
    ("code", "wb.fig_document_lengths(corpus_data, run_dir)"),
    (
        "md",
        "Words per document after cleaning; very short documents may be summaries or failed extractions.",
    ),
    ("code", "wb.table(overview['sections'])"),
    (
        "md",
        "Passages per recognised section; `other` holds text under headings the segmenter did not recognise.",
    ),
    ("code", "wb.table(overview['ledger']) if 'ledger' in overview else None"),
    (
        "md",
        "Every file seen by ingest, by status and reason; `ledger.csv` in the corpus folder lists them one by one.",
    ),
    ("code", "wb.table(overview['files']) if 'files' in overview else None"),
    ("md", "Each file not read in full (failed, a duplicate, or read with a warning), and why."),
    (
        "code",
        "run_json = wb.finish_simple(run_dir, {'notebook': '01-corpus-overview', 'corpus': str(corpus)})",
    ),
]

TOPIC_MODEL = [
    (
        "md",
        """
# 02 Topic model

Fit the topic model, inspect its topics, then rename and merge them. Edits given in the
parameters are saved into the run (`topic_edits.yaml`) and every table and figure uses them.
""",
    ),
    (
        "params",
        COMMON_PARAMS
        + """
labels = {}                      # topic id -> your label, e.g. {3: "Safer sleep advice"}
merge = []                       # groups of topic ids to merge, e.g. [[4, 9]]
""",
    ),
    ("code", SETUP),
    (
        "code",
        """
run = wb.topics(corpus_data, cfg)
wb.save_topics(run, run_dir)
display(Markdown(wb.topic_summary(run)))
wb.table(run.result.topics)
""",
    ),
    ("md", "## Explore"),
    ("code", "wb.topic_browser(run)"),
    (
        "md",
        "Choose a topic to read its words, its most typical passages (with citations) and the reports it fills most.",
    ),
    ("code", "wb.interactive_map(run)"),
    ("md", "Hover over a point to see its passage; nearby points say similar things."),
    ("code", "wb.fig_hierarchy(run, run_dir)"),
    (
        "md",
        "The topics as fitted: topics joined low in the tree are near-duplicates, candidates for `merge`.",
    ),
    ("code", "wb.table(wb.similar_topics(run))"),
    (
        "md",
        "The most alike pairs of topics (cosine similarity of their passages' centres, 1 = the same): read both before merging them.",
    ),
    ("md", "## Edit"),
    ("code", "wb.apply_edits(run, run_dir, labels=labels, merge=merge)"),
    ("code", "wb.fig_topic_sizes(run, run_dir)"),
    ("md", "Topic sizes after your edits."),
    ("code", "wb.fig_top_words(run, run_dir)"),
    ("md", "Top words per topic after your edits."),
    _captioned(
        "wb.fig_hierarchy(run, run_dir) if merge or labels else None",
        "The tree after your edits (the saved `topic-hierarchy` figure).",
    ),
    ("code", "run_json = wb.finish(run, run_dir)"),
]

OVER_TIME = [
    (
        "md",
        """
# 03 Topics over time and by class

How the topics' shares of the passages change over time and differ between classes of report
(any metadata column), always with the counts behind each share.
""",
    ),
    (
        "params",
        COMMON_PARAMS
        + """
time_column = None               # any year or date column (None: year, if present)
class_column = None              # any metadata column (None: review_model, if present)
""",
    ),
    ("code", SETUP + COLUMNS),
    (
        "code",
        """
run = wb.topics(corpus_data, cfg)
wb.save_topics(run, run_dir)
wb.captioned(
    wb.fig_topics_over_time(run, run_dir, time_column) if time_column else None,
    "Each line is a large topic's share of the passages of each year; years with few reports swing widely.",
)
""",
    ),
    _captioned(
        "wb.table(wb.topics_over_time(run, time_column).head(30)) if time_column else None",
        "The counts behind the trend: passages in the topic, passages that year, and documents.",
    ),
    _captioned(
        "wb.fig_topic_heatmap(run, run_dir, class_column) if class_column else None",
        "Each cell is the share of a class's passages in a topic: read across a row to compare classes.",
        key=True,
    ),
    ("code", "wb.table(wb.topics_by(run, class_column)) if class_column else None"),
    ("code", "run_json = wb.finish(run, run_dir)"),
]

PRACTICE = [
    (
        "md",
        """
# 04 Practice issues and themes

Code every passage and report against the Learning into Practice codebooks (practice issues,
national themes and the SCIE typology of underlying patterns), with evidence passages, and
compare prevalence with published national analyses.
""",
    ),
    (
        "params",
        COMMON_PARAMS
        + """
time_column = None               # year or date column for first/last years and the trend (None: year)
class_column = None              # column for prevalence by class (None: review_model, if present)
trend_theme = "neglect"          # a theme id for the trend figure
briefing_themes = []             # theme ids to brief on (empty: the most prevalent practice issue)
method = "auto"                  # auto (supervised if the corpus has labels), zero_shot or supervised
""",
    ),
    (
        "code",
        SETUP
        + COLUMNS
        + "wb.check_themes(briefing_themes, cfg)\nwb.check_themes(trend_theme, cfg)\n"
        + "wb.check_method(method, corpus_data)\n",
    ),
    (
        "code",
        """
run = wb.topics(corpus_data, cfg)
wb.save_topics(run, run_dir)
lenses = wb.lenses(run, run_dir, method=method, time_column=time_column)
display(Markdown(f"Coding method: **{lenses.method}**"))
lenses.prevalence_table
""",
    ),
    (
        "md",
        "Prevalence counts reports with at least one coded passage; read the evidence table before relying on a figure.",
    ),
    ("code", "wb.fig_theme_prevalence(lenses, run_dir)"),
    (
        "md",
        "Bars: this corpus (n/N reports). Markers, one shape per study: national analyses of reviews, which come from different samples and periods. Figures that are shares of deaths, incidents or children are in `national_comparison.csv`, not on this axis.",
    ),
    _captioned(
        "wb.fig_theme_heatmap(lenses, run_dir, class_column) if class_column else None",
        "Prevalence by class; each column's label gives its number of reports.",
        key=True,
    ),
    ("code", "wb.fig_theme_trend(lenses, run_dir, trend_theme)"),
    ("md", "One theme over time, with the reports behind each point."),
    ("code", "lenses.evidence_table"),
    (
        "md",
        "The strongest evidence passage behind each theme (short excerpt, cited); `theme_evidence.csv` holds up to three per report and theme.",
    ),
    ("code", "wb.fig_why_by_section(lenses, run_dir)"),
    ("md", "Where reports explain *why* practice happened, rather than narrating it."),
    ("code", "display(HTML(wb.briefings(lenses, run, run_dir, briefing_themes, class_column)))"),
    (
        "md",
        "Each briefing is also saved in the run's `briefings/` folder as Markdown and Word (`.docx`).",
    ),
    ("code", "run_json = wb.finish(run, run_dir, {'lenses_method': lenses.method})"),
]

QUALITY = [
    (
        "md",
        """
# 05 Quality markers

Screen each report against the 18 SCR Quality Markers (NSPCC/SCIE): the strongest evidence
passages for each, or "no evidence found". A screening aid for commissioners and reviewers,
not a verdict: many markers concern work recorded outside the published report.
""",
    ),
    (
        "params",
        COMMON_PARAMS
        + """
method = "auto"                  # auto (supervised if the corpus has labels), zero_shot or supervised
""",
    ),
    ("code", SETUP + "wb.check_method(method, corpus_data)\n"),
    (
        "code",
        """
run = wb.topics(corpus_data, cfg)
wb.save_topics(run, run_dir)
lenses = wb.lenses(run, run_dir, method=method)
wb.fig_marker_coverage(lenses, run_dir)
""",
    ),
    ("md", "Share of reports in which the screen found evidence for each marker."),
    ("code", "lenses.marker_table"),
    (
        "md",
        "Report by marker (QM1-QM18, numbered as in the coverage figure): where evidence was found. Open `quality_markers.csv` for the best passage behind each cell.",
    ),
    ("code", "run_json = wb.finish(run, run_dir, {'lenses_method': lenses.method})"),
]


def _parameter_names(cells: list[tuple[str, str]]) -> list[str]:
    from lip_research.report import assigned_names

    return assigned_names(next(text for kind, text in cells if kind == "params"))


def _fill_in(name: str, cells: list[tuple[str, str]], suite: list[str]) -> list[tuple[str, str]]:
    """Fill in the notebook's name (each notebook's default run folder is its own, so that one
    notebook's run and topic edits never become another's), its parameter names and the
    suite's (which the setup cell checks papermill's against)."""
    stem = name.removesuffix(".ipynb")
    own = " ".join(_parameter_names(cells))
    return [
        (
            kind,
            text.replace("{notebook}", stem)
            .replace("{parameters}", own)
            .replace("{suite_parameters}", " ".join(suite)),
        )
        for kind, text in cells
    ]


_SUITE = {
    "01-corpus-overview.ipynb": OVERVIEW,
    "02-topic-model.ipynb": TOPIC_MODEL,
    "03-topics-over-time.ipynb": OVER_TIME,
    "04-practice-issues.ipynb": PRACTICE,
    "05-quality-markers.ipynb": QUALITY,
    "10-thematic-report.ipynb": REPORT,
}
_SUITE_PARAMETERS = sorted({p for cells in _SUITE.values() for p in _parameter_names(cells)})
NOTEBOOKS = {name: _fill_in(name, cells, _SUITE_PARAMETERS) for name, cells in _SUITE.items()}
