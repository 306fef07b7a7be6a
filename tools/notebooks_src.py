"""Cell lists for the notebook suite (see tools/nbtools.py). Thin: parameters, calls, one sentence per figure."""

SETUP = """
from IPython.display import HTML, Markdown, display

from lip_research import workbench as wb

run_dir = wb.prepare(run_dir)
cfg = wb.build_config(
    config_yaml, seed=seed, embedding=embedding, clustering=clustering, reduction=reduction,
    n_clusters=n_clusters, min_topic_size=min_topic_size,
)
corpus_data = wb.open_corpus(corpus, cfg)
"""

COMMON_PARAMS = """
corpus = "data/sample"          # folder of reports, a folder with corpus.yaml, or an ingested corpus
run_dir = "reports/scratch"      # set by `lip report`: the run folder
seed = 2016                      # one seed for every random component
embedding = "minilm"             # minilm (bundled all-MiniLM-L6-v2) or static (fast model2vec)
clustering = "auto"              # auto, agglomerative, kmeans or hdbscan
reduction = "pca"                # pca, umap or none
n_clusters = None                # number of topics (None: chosen from the corpus size)
min_topic_size = None            # smallest topic for hdbscan (None: chosen from the corpus size)
config_yaml = ""                 # optional RunConfig YAML; the parameters above override it
"""

REPORT = [
    ("md", """
# Thematic report

This report was produced by **lip_research** from a parameterised notebook executed with papermill.
Its tables and figures are in the run folder beside it; `run.json` records the parameters, corpus hash,
package versions and timings needed to reproduce it.
"""),
    ("params", COMMON_PARAMS + """
time_column = "year"             # metadata column for trends
class_column = "review_model"    # metadata column for the topic x class heatmap ("" to skip)
stability_seeds = 3              # seeds for the stability figures (1 skips them)
briefing_themes = []             # theme ids for briefings (empty: the most prevalent practice issue)
"""),
    ("code", SETUP),
    ("md", "## Corpus"),
    ("code", """
overview = wb.corpus_overview(corpus_data)
display(overview["summary"])
display(overview["sections"])
overview.get("ledger")
"""),
    ("code", """
wb.fig_documents_by(corpus_data, run_dir, time_column) if time_column in corpus_data.documents else None
"""),
    ("md", "Every file seen is in the ingest ledger; the table above counts them by status and reason."),
    ("md", "## Topics"),
    ("code", """
run = wb.topics(corpus_data, cfg)
wb.save_topics(run, run_dir)
display(Markdown(wb.topic_summary(run)))
run.result.topics
"""),
    ("code", "wb.fig_topic_sizes(run, run_dir)"),
    ("md", "Topic sizes show how the passages divide; a topic is a recurring pattern of wording, not a cause."),
    ("code", "wb.fig_top_words(run, run_dir)"),
    ("md", "Each panel lists the words that most distinguish a topic from the others (c-TF-IDF)."),
    ("md", "### Representative passages"),
    ("code", "wb.representative_table(run, per_topic=2)"),
    ("md", "## Topics over time and by class"),
    ("code", "wb.fig_topics_over_time(run, run_dir, time_column) if time_column in corpus_data.documents else None"),
    ("md", "Lines show each large topic's share of the passages written in each year; small years are noisy."),
    ("code", "wb.fig_topic_heatmap(run, run_dir, class_column) if class_column in corpus_data.documents else None"),
    ("md", "Cells give the share of each class's passages that fall in each topic."),
    ("md", "## Passage map and topic hierarchy"),
    ("code", "wb.fig_passage_map(run, run_dir)"),
    ("md", "Nearby points are passages with similar meaning; colours are the largest topics."),
    ("code", "wb.fig_hierarchy(run, run_dir)"),
    ("md", "Topics that join early in the tree are candidates for merging."),
    ("md", "## Practice issues and themes"),
    ("code", """
lenses = wb.lenses(run, run_dir)
wb.fig_theme_prevalence(lenses, run_dir)
"""),
    ("md", "Bars give the share of reports in which each practice issue was coded (n/N); diamonds are published national figures from different samples and periods, for orientation only."),
    ("code", "lenses.prevalence_table"),
    ("code", "wb.fig_theme_heatmap(lenses, run_dir, class_column) if class_column in corpus_data.documents else None"),
    ("md", "Prevalence by class with its denominators; small classes give unstable shares."),
    ("md", "### Why practice happened as it did"),
    ("code", "lenses.why_table"),
    ("md", "The share of each report's analysis that explains *why* (contributory factors), rather than narrating events."),
    ("md", "## Quality markers (screening aid)"),
    ("code", "wb.fig_marker_coverage(lenses, run_dir)"),
    ("md", "Coverage is the share of reports where the screen found evidence for a marker; absence of evidence in a published report is not proof the marker was unmet."),
    ("code", "lenses.marker_table"),
    ("md", "## Briefing"),
    ("code", "display(HTML(wb.briefings(lenses, run, run_dir, briefing_themes)))"),
    ("md", "## Quality of the topic model"),
    ("code", "wb.evaluation(run, seeds=stability_seeds, labels=wb.planted_labels(run, corpus))"),
    ("md", "See the README's *Reading the quality figures* for what each measure means and its limits."),
    ("md", "## Methods and provenance"),
    ("code", "display(Markdown(wb.methods(run, run_dir)))"),
    ("code", "wb.finish(run, run_dir)"),
]

NOTEBOOKS = {"10-thematic-report.ipynb": REPORT}
