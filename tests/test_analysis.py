"""Topics over time and by class, with denominators; merging and relabelling; notes on thin data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lip_research import analysis, prevalence
from lip_research.io import CorpusError

PT = pd.DataFrame(
    {
        "passage_id": [f"p{i}" for i in range(8)],
        "doc_id": ["a", "a", "a", "b", "b", "c", "c", "c"],
        "topic": [0, 0, 1, 1, 1, 0, 2, -1],
    }
)
DOCS = pd.DataFrame(
    {
        "doc_id": ["a", "b", "c"],
        "year": [2015, 2015, 2020],
        "review_model": ["scie", "silp", "scie"],
    }
)
TOPICS = pd.DataFrame(
    {
        "topic": [-1, 0, 1, 2],
        "size": [1, 3, 3, 1],
        "label": ["Outliers", "neglect", "sleep", "camhs"],
        "words": ["", "", "", ""],
    }
)


def test_topics_by_class_carry_counts_and_denominators():
    by = analysis.topics_by(PT, DOCS, "review_model", TOPICS)
    scie = by[by["review_model"] == "scie"].set_index("topic")
    assert scie.loc[0, "passages"] == 3
    assert scie.loc[0, "total"] == 5  # outlier excluded
    assert scie.loc[0, "share"] == pytest.approx(0.6)
    assert scie.loc[0, "documents"] == 2
    assert list(by.columns) == [
        "review_model",
        "topic",
        "label",
        "passages",
        "total",
        "share",
        "documents",
    ]


def test_topics_over_time_from_dates():
    docs = DOCS.assign(published=["2015-03-01", "2015-09-01", "2020-01-01"])
    trend = analysis.topics_over_time(PT, docs, TOPICS, "published")
    assert sorted(trend["published"].unique()) == [2015, 2020]
    assert sorted(trend["published"].astype(str).unique()) == ["2015", "2020"]  # not 2015.0


def test_classes_sort_numbers_by_value_and_unknown_last_in_both_tables():
    pt = pd.DataFrame({"passage_id": ["p1", "p2", "p3", "p4"], "doc_id": list("abcd"), "topic": 0})
    docs = pd.DataFrame({"doc_id": list("abcd"), "grade": [10, 2, None, 1]})
    by = analysis.topics_by(pt, docs, "grade", TOPICS[TOPICS["topic"] == 0])
    assert by["grade"].tolist() == ["1", "2", "10", "unknown"]
    assert list(analysis.crosstab(by, "grade").columns) == ["1", "2", "10", "unknown"]
    presence = pd.DataFrame({"doc_id": list("abcd"), "theme_id": "neglect", "present": True})
    assert (
        prevalence.prevalence(presence, docs, by="grade")["grade"].tolist() == by["grade"].tolist()
    )


def test_reports_with_no_class_value_form_the_class_unknown():
    docs = DOCS.assign(review_model=["scie", None, " "])
    by = analysis.topics_by(PT, docs, "review_model", TOPICS)
    assert list(dict.fromkeys(by["review_model"])) == ["scie", "unknown"]
    assert by.groupby("review_model")["total"].first().to_dict() == {"scie": 3, "unknown": 4}
    assert by["passages"].sum() == (PT["topic"] != -1).sum()  # every passage in a topic counted


def test_financial_years_are_years_and_stray_values_are_named():
    years = analysis.as_years(pd.Series(["2010/11", "2012/13", "2016-17", "FY 2019/2020", None]))
    assert years.tolist()[:4] == [2010, 2012, 2016, 2019] and np.isnan(years.iloc[4])
    assert analysis.as_years(pd.Series(["2016-03", "2016/18"])).tolist()[0] == 2016
    docs = DOCS.assign(fy=["2014/15", "2015/16", "2019/20"])
    trend = analysis.topics_over_time(PT, docs, TOPICS, "fy")
    assert sorted(trend["fy"].unique()) == [2014, 2015, 2019]
    with pytest.warns(analysis.YearsWarning, match=r"'fy': 1 of its 12 values .*'see notes'"):
        years = analysis.years_of(pd.Series(["2014/15"] * 11 + ["see notes"]), "fy")
    assert years.iloc[0] == 2014 and np.isnan(years.iloc[11])
    with pytest.raises(analysis.AnalysisError, match=r"holds 3 values of 12 that are not years"):
        analysis.years_of(pd.Series(["2014/15"] * 9 + ["late", "see notes", "late"]), "fy")
    placeholders = pd.Series(["2014/15"] * 9 + ["n/a", "unknown", "TBC"])  # missing, not stray
    assert analysis.years_of(placeholders, "fy").tolist()[:9] == [2014] * 9
    with pytest.raises(analysis.AnalysisError, match=r"3 values of 20 .*\(such as 0, 5, 7\)"):
        analysis.years_of(pd.Series([2016.0] * 17 + [0.0, 5.0, 7.0]), "year")  # numbers too


def test_two_topics_cannot_share_a_label_and_tables_keep_them_apart():
    with pytest.raises(analysis.AnalysisError, match=r"topics 1 and 2 .*merge: \[\[1, 2\]\]"):
        analysis.relabel(TOPICS, {1: "Police response", 2: "Police response"})
    same = TOPICS.assign(label=["Outliers", "neglect", "neglect", "camhs"])  # fitted labels
    wide = analysis.crosstab(analysis.topics_by(PT, DOCS, "review_model", same), "review_model")
    assert len(wide) == 3 and {"neglect (topic 0)", "neglect (topic 1)"} <= set(wide.index)


def test_unknown_column_lists_the_known_ones():
    with pytest.raises(
        analysis.AnalysisError, match="unknown metadata column 'area'.*review_model"
    ):
        analysis.topics_by(PT, DOCS, "area")


def test_report_column_parameters_fall_back_only_from_their_defaults(capsys):
    from types import SimpleNamespace

    from lip_research import workbench

    corpus = SimpleNamespace(documents=DOCS.drop(columns="review_model").assign(year=None))
    # None means "the default column if this corpus has values in it": skipped with a note
    assert workbench.column(corpus, None, default="review_model") == ""
    assert workbench.column(corpus, None, default="year") == ""
    note = capsys.readouterr().out
    assert "no 'review_model' values" in note and "no 'year' values" in note
    assert workbench.column(SimpleNamespace(documents=DOCS), None, default="year") == "year"
    assert capsys.readouterr().out == ""  # every report has a year
    part = DOCS.assign(year=[2015, None, None], published=["2015-03-01", "2016-01-01", None])
    assert workbench.column(SimpleNamespace(documents=part), None, default="year", years=True)
    assert capsys.readouterr().out == (
        "Note: 2 reports of 3 have no 'year' value: the figures by year leave them out. "
        "Other columns with years: published (time_column).\n"
    )
    assert workbench.column(corpus, "", default="year") == ""
    assert "figures by year are left out, as asked" in capsys.readouterr().out
    # a column named explicitly must exist and hold values
    with pytest.raises(analysis.AnalysisError, match="'area' is unknown"):
        workbench.column(corpus, "area", default="review_model")
    with pytest.raises(analysis.AnalysisError, match="'year' is empty"):
        workbench.column(corpus, "year", default="year")


def test_merge_and_relabel():
    merged = analysis.merge_topics(PT, [[1, 2]])
    assert set(merged["topic"]) == {-1, 0, 1}
    assert (merged["topic"] == 1).sum() == 4
    relabelled = analysis.relabel(TOPICS, {0: "Neglect and home conditions"})
    assert relabelled.set_index("topic").loc[0, "label"] == "Neglect and home conditions"
    with pytest.raises(analysis.AnalysisError):
        analysis.merge_topics(PT, [[0, 9]])
    with pytest.raises(
        analysis.AnalysisError, match=r"unknown topics \[9\]; topics are \[0, 1, 2\]"
    ):
        analysis.relabel(TOPICS, {9: "x"})


def test_similarity_and_hierarchy():
    cents = pd.DataFrame(
        np.eye(3)[[0, 0, 1]] + [[0, 0.1, 0], [0, 0, 0], [0, 0, 0.1]], index=[0, 1, 2]
    )
    cents = cents.div(np.linalg.norm(cents, axis=1), axis=0)
    sims = analysis.similarity(cents)
    assert sims.loc[0, 1] > sims.loc[0, 2]
    link = analysis.hierarchy(cents)
    assert link.shape == (2, 4)
    assert set(link[0, :2].astype(int)) == {0, 1}  # the two similar topics join first


@pytest.mark.parametrize(
    ("merge", "labels", "message"),
    [
        ([4, 9], {}, r"merge must be a list of groups of topic ids, e\.g\. merge: \[\[4, 9\]"),
        (
            [[1, 2], [2, 0]],
            {},
            r"topic 2 is in two merge groups, \[1, 2\] and \[2, 0\].*\[0, 1, 2\]",
        ),
        ([[0, -1]], {}, r"holds topic -1 \(outliers and template text\)"),
        ([[3]], {}, r"merge group \[3\] needs at least two different topics"),
        ([], {"three": "x"}, r"label keys must be topic ids \(whole numbers\), not 'three'"),
        ([], {3: None}, r"the label for topic 3 is empty or not text: None"),
        ([], [3, "x"], r"labels must map topic ids to labels"),
    ],
    ids=["flat-list", "overlap", "outliers", "single", "key-text", "null-label", "list"],
)
def test_badly_written_edits_are_refused_with_the_form_to_use(merge, labels, message):
    with pytest.raises(analysis.AnalysisError, match=message):
        analysis.check_edits(merge, labels)
    if merge and isinstance(merge[0], list):  # merge_topics refuses them too
        with pytest.raises(analysis.AnalysisError, match=message):
            analysis.merge_topics(PT, merge)


def test_edits_written_as_yaml_text_are_read_as_ids():
    assert analysis.check_edits([["1", 2]], {"3": " Safer sleep "}) == (
        [[1, 2]],
        {3: "Safer sleep"},
    )
    assert analysis.check_edits(None, None) == ([], {})


def test_only_a_column_of_years_or_dates_is_a_time_column():
    years = analysis.as_years(pd.Series([2015, 2016, None, 2020]))
    assert years.tolist()[:2] == [2015, 2016] and years.isna().tolist() == [
        False,
        False,
        True,
        False,
    ]
    dates = analysis.as_years(pd.Series(["2016-05-16", "2019-01-02"]))
    assert dates.tolist() == [2016, 2019]
    assert analysis.as_years(pd.Series([2007, 3748, 512, 99])).isna().all()  # word counts
    assert analysis.as_years(pd.Series([0.5, 0.7])).isna().all()  # scores
    assert analysis.as_years(pd.Series([True, False])).isna().all()


def test_a_time_column_must_hold_years_and_other_notebook_values_are_checked(capsys):
    from types import SimpleNamespace

    from lip_research import workbench

    docs = DOCS.assign(title=["Child A", "Child B", "Child C"], published=["2015-03-01"] * 3)
    corpus = SimpleNamespace(documents=docs)
    with pytest.raises(analysis.AnalysisError, match="'title' holds no years or dates"):
        workbench.column(corpus, "title", default="year", years=True)
    assert workbench.column(corpus, "published", default="year", years=True) == "published"
    counted = SimpleNamespace(documents=docs.assign(words=[2007, 3748, 512]))
    with pytest.raises(
        analysis.AnalysisError, match="'words' holds 2 values of 3 that are not years"
    ):
        workbench.column(counted, "words", default="year", years=True)
    many = SimpleNamespace(documents=pd.DataFrame({"doc_id": range(40), "words": range(40)}))
    assert workbench.column(many, "words", default="review_model") == "words"
    assert "'words' has 40 different values" in capsys.readouterr().out
    # a class column that gives no classes is named before the long work, not after it
    assert workbench.column(corpus, "title", default="review_model", classes=True) == "title"
    note = capsys.readouterr().out
    assert (
        "the heatmap by 'title' is left out" in note
        and "Columns that work here: review_model" in note
    )
    assert workbench.column(corpus, "review_model", default="review_model", classes=True)
    assert capsys.readouterr().out == ""
    workbench.check_themes("neglect")  # one id as text, not split into letters
    with pytest.raises(ValueError, match="nosuch"):
        workbench.check_themes("nosuch")
    with pytest.raises(analysis.AnalysisError, match="stability_seeds must be a whole number"):
        workbench.evaluation(None, seeds=0)
    with pytest.raises(analysis.AnalysisError, match="stability_resamples must be a whole number"):
        workbench.evaluation(None, resamples=-1)


def test_a_trend_over_one_year_is_called_a_snapshot(tmp_path, capsys):
    from types import SimpleNamespace

    from lip_research import workbench

    def run(docs):
        result = SimpleNamespace(passage_topics=PT, topics=TOPICS)
        return SimpleNamespace(corpus=SimpleNamespace(documents=docs), result=result)

    workbench.fig_topics_over_time(run(DOCS.assign(year=2015)), tmp_path)
    assert "span 1 year value(s), so this is a snapshot" in capsys.readouterr().out
    workbench.fig_topics_over_time(run(DOCS), tmp_path)
    assert "snapshot" not in capsys.readouterr().out
    assert (tmp_path / "topics_by_year.csv").exists()


def test_a_prevalence_figure_with_no_theme_found_says_so(tmp_path, capsys):
    from types import SimpleNamespace

    from lip_research import lens_bench

    summary = pd.DataFrame(
        {
            "theme_id": ["neglect", "bruising"],
            "label": ["Neglect", "Bruising in babies"],
            "n_present": [0, 0],
            "denominator": [3, 3],
            "percent": [0.0, 0.0],
        }
    )
    lenses = lens_bench.Lenses(SimpleNamespace(summary=summary, national=None), "zero_shot", False)
    lens_bench.fig_theme_prevalence(lenses, tmp_path)
    assert "no theme was coded in any of the 3 reports" in capsys.readouterr().out
    lens_bench.fig_theme_prevalence(
        lens_bench.Lenses(
            SimpleNamespace(summary=summary.assign(n_present=[1, 0]), national=None), "x", False
        ),
        tmp_path,
    )
    assert "no theme was coded" not in capsys.readouterr().out


def test_topics_by_class_lists_a_topic_a_class_never_mentions_as_zero():
    by = analysis.topics_by(PT, DOCS, "year", TOPICS)
    row = by[(by["year"] == "2015") & (by["topic"] == 2)]  # classes as text, as in prevalence
    assert len(row) == 1 and row["passages"].iloc[0] == 0 and row["share"].iloc[0] == 0
    assert len(by) == 2 * 3  # two years x three topics, outliers left out


def test_documents_by_a_date_column_are_counted_by_year(tmp_path):
    from types import SimpleNamespace

    from lip_research import workbench

    docs = DOCS.assign(published=["2015-03-01", "2015-11-20", "2017-06-30"])
    fig = workbench.fig_documents_by(SimpleNamespace(documents=docs), tmp_path, "published", True)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015", "2016", "2017"]
    assert [b.get_height() for b in ax.patches] == [2, 0, 1]
    assert ax.get_title() == "Documents by year (published)"


def test_a_class_column_the_lenses_cannot_use_gets_a_note_not_a_silent_gap(tmp_path, capsys):
    from types import SimpleNamespace

    from lip_research.lens_bench import Lenses, fig_theme_heatmap

    summary = pd.DataFrame(
        {"theme_id": ["neglect"], "label": ["Neglect"], "n_present": [3], "first_year": [2016.0]}
    )
    lens = Lenses(
        SimpleNamespace(by={"year": None, "review_model": None}, summary=summary),
        "zero_shot",
        False,
    )
    assert fig_theme_heatmap(lens, tmp_path, "area") is None
    note = capsys.readouterr().out
    assert "theme prevalence by 'area' is left out" in note and "review_model" in note
    shown = lens.prevalence_table
    shown = getattr(shown, "data", shown)  # a Styler in notebooks
    assert list(shown.columns[:2]) == ["theme_id", "label"]
    assert shown["first_year"].tolist() == [2016]  # a year, not 2016.0


def test_the_topic_heatmap_follows_the_theme_heatmaps_rule_for_class_columns(tmp_path, capsys):
    from types import SimpleNamespace

    from lip_research.topic_bench import fig_topic_heatmap

    docs = DOCS.assign(urn=[80443, 80455, 80502])  # an id: no class
    run = SimpleNamespace(
        result=SimpleNamespace(passage_topics=PT, topics=TOPICS),
        corpus=SimpleNamespace(documents=docs),
    )
    assert fig_topic_heatmap(run, tmp_path, "review_model") is not None
    assert fig_topic_heatmap(run, tmp_path, "urn") is None
    note = capsys.readouterr().out
    assert "the topic heatmap by 'urn' is left out" in note
    assert note.rstrip().endswith("Columns that work here: review_model.")
    assert (tmp_path / "topics_by_urn.csv").exists()  # every class, as a table


def test_topic_ids_from_numpy_and_pandas_are_ids():
    # ids taken from a fitted table (passage_topics["topic"], topics["topic"]) are numpy's
    merged = analysis.merge_topics(PT, [[np.int64(0), np.int64(1)]])
    assert set(merged["topic"]) == {-1, 0, 2}
    groups, labels = analysis.check_edits([list(TOPICS["topic"][2:])], {np.int32(2): "camhs"})
    assert groups == [[1, 2]] and labels == {2: "camhs"}
    assert all(type(t) is int for t in groups[0])
    assert analysis.check_edits([[1.0, 2.0]])[0] == [[1, 2]]  # a float column of whole ids


@pytest.mark.parametrize(
    "bad",
    [True, np.bool_(True), 1.5, np.float64(2.5), None],
    ids=["bool", "np-bool", "1.5", "np-2.5", "null"],
)
def test_yes_no_values_and_fractions_are_still_not_topic_ids(bad):
    with pytest.raises(
        analysis.AnalysisError, match=r"merge groups must be topic ids \(whole numbers\), not"
    ):
        analysis.merge_topics(PT, [[0, bad]])


def test_a_trend_over_a_column_that_is_not_years_names_the_columns_that_are():
    docs = DOCS.assign(words=[2007, 3748, 512], published=["2015-03-01", "2016-01-01", None])
    with pytest.raises(
        analysis.AnalysisError,
        match=r"metadata column 'words' holds 2 values of 3 that are not years or dates \(such as 3748, 512\), so it "
        r"gives no trend over time; columns of years or dates in this corpus: year, published\. ",
    ):
        analysis.topics_over_time(PT, docs, TOPICS, "words")
    with pytest.raises(
        analysis.AnalysisError, match="columns of years or dates in this corpus: none"
    ):
        analysis.topics_over_time(PT, DOCS.drop(columns="year"), TOPICS, "review_model")
    # a year column with no value at all is still "no passages have a value"
    with pytest.raises(CorpusError, match="no passages have a value for 'year'"):
        analysis.topics_over_time(PT, DOCS.assign(year=None), TOPICS, "year")


def test_the_unknown_column_message_lists_only_metadata():
    docs = DOCS.assign(
        text=["...", "...", "..."], path=["a.txt", "b.txt", "c.txt"], sha256="0", title="Child A"
    )
    with pytest.raises(analysis.AnalysisError) as info:
        analysis.topics_by(PT, docs, "area")
    assert "this corpus has: year, review_model." in str(info.value)
