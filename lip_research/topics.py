"""Passage-level BERTopic, built from one config, rolled up to reports.

:func:`build_model` is the one factory: every component (reduction, clustering, vectorizer,
c-TF-IDF, representation) is constructed from a resolved :class:`TopicConfig` and the run's
seed, so nothing depends on a library default the run folder does not record.
:func:`fit_topics` fits it on passages and their embeddings and returns plain tables.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering

from lip_research.bertopic_import import import_bertopic
from lip_research.config import ConfigError, TopicConfig
from lip_research.embed import unit_rows
from lip_research.preprocess import (
    Analyzer,
    TermSplitter,
    build_analyzer,
    display,
)
from lip_research.resolve import CorpusShape, fit_limits, resolve
from lip_research.template_text import (
    MIN_DOCUMENTS,
    count_template,
    template_documents,
    template_sentences,
    template_share,
)

# Before any other bertopic import: plotting and transformer extras then load on first use.
BaseEmbedder = import_bertopic().backend.BaseEmbedder

OUTLIER = -1
TEMPLATE_PASSAGE = 0.5  # a passage with this share of template text is in no topic
SHOWN_ABBREVIATIONS = 8  # named in the run's choices; run.json lists them all


class Embedder(BaseEmbedder):
    """BERTopic embedding adapter over :func:`lip_research.embed.embed_texts` (used for MMR words)."""

    def __init__(self, backend: str, device: str = "auto") -> None:
        super().__init__()
        self.backend = backend
        self.device = device

    def embed(self, documents, verbose: bool = False) -> np.ndarray:
        from lip_research.embed import embed_texts

        texts = [str(d).replace("_", " ") for d in documents]
        return embed_texts(texts, backend=self.backend, device=self.device, cache=False)


class SharedWords:
    """A topic's words come from what several of its passages share: of c-TF-IDF's candidates
    (its top 30), those in at least ``min_passages`` of the topic's passages come first, in
    c-TF-IDF's order. c-TF-IDF rewards a rare word, so a small topic otherwise takes words
    that one or two of its passages use ("appealed", "cursory"). BERTopic calls it as a
    representation model (in a list) and keeps ``top_n`` words; with ``all_shared`` (before
    MMR, which picks among the words it is given) every shared word, and others only to make up
    ``top_n``. No word repeats a higher-ranked phrase (:func:`_not_nested`, with the analyzer's
    ``stopwords``)."""

    stopwords: frozenset[str] = frozenset()  # none in models saved before

    def __init__(
        self,
        min_passages: int,
        top_n: int,
        all_shared: bool = False,
        stopwords: frozenset[str] = frozenset(),
    ) -> None:
        self.min_passages = min_passages
        self.top_n = top_n
        self.all_shared = all_shared
        self.stopwords = stopwords

    def extract_topics(self, topic_model, documents, c_tf_idf, topics):
        out = {}
        for topic, words in topics.items():
            passages = [set(d.split()) for d in documents.loc[documents.Topic == topic, "Document"]]
            shared = [
                (w, s) for w, s in words if sum(w in p for p in passages) >= self.min_passages
            ]
            ranked = _not_nested(shared + [ws for ws in words if ws not in shared], self.stopwords)
            n_shared = sum(ws in shared for ws in ranked)
            keep = max(self.top_n, n_shared) if self.all_shared else self.top_n
            out[topic] = ranked[:keep]
        return out


def _not_nested(
    ranked: list[tuple[str, float]], stopwords: frozenset[str] = frozenset()
) -> list[tuple[str, float]]:
    """Words in order, less those a higher-ranked phrase already holds, and phrases that add
    only ``stopwords`` to one: after "child sexual exploitation", neither "sexual
    exploitation" nor "exploitation" takes a place of its own; after "return home
    interviews", "offered return home interviews" does not, but after "child protection",
    "child protection plans" does. Terms join a phrase's words with '_'
    (:meth:`Analyzer.term_string`)."""
    kept: list[tuple[str, float]] = []
    for word, score in ranked:
        term = f"_{word}_"
        phrases = [f"_{higher}_" for higher, _ in kept if "_" in higher]
        held = any(term in phrase for phrase in phrases)
        if not held and "_" in word:
            held = any(
                phrase in term and _only(term.replace(phrase, "_", 1), stopwords)
                for phrase in phrases
            )
        if not held:
            kept.append((word, score))
    return kept


def _only(term: str, stopwords: frozenset[str]) -> bool:
    """Whether the words of a '_'-joined term are all stopwords."""
    return all(w in stopwords for w in term.split("_") if w)


class DistinctRowsUMAP:
    """UMAP fitted on the distinct rows of its input, each copy given its row's coordinates.

    umap-learn, seeded, gives other coordinates on every call when rows repeat (a paragraph
    reused across reports, 92 passages of the sample corpus): the topics then differ from
    run to run. On distinct rows it repeats itself exactly; without copies nothing changes.
    """

    def __init__(self, **params) -> None:
        from umap import UMAP

        self.umap = UMAP(**params)

    @staticmethod
    def _distinct(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct rows in order of first appearance, and each row's index among them."""
        _, first, inverse = np.unique(X, axis=0, return_index=True, return_inverse=True)
        order = np.argsort(first)
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        return X[first[order]], position[np.ravel(inverse)]

    def fit(self, X, y=None):
        X = np.asarray(X)
        rows, where = self._distinct(X)
        self.umap.fit(rows)
        self.embedding_ = self.umap.embedding_[where]
        self._fitted = X
        return self

    def fit_transform(self, X, y=None) -> np.ndarray:
        return self.fit(X, y).embedding_

    def transform(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.shape == self._fitted.shape and np.array_equal(X, self._fitted):
            return self.embedding_
        rows, where = self._distinct(X)
        return self.umap.transform(rows)[where]


class WardClustering(AgglomerativeClustering):
    """Ward clustering that can also place passages after the fit (BERTopic's ``transform``
    needs ``predict``; Ward keeps no model): each point takes the cluster of the nearest
    fitted point, so the fitted passages keep their clusters exactly."""

    def fit(self, X, y=None):
        super().fit(X)
        self.fitted_points_ = np.asarray(X, dtype=np.float32)
        return self

    def predict(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        points = self.fitted_points_
        sq = (points**2).sum(axis=1)
        nearest = [
            (sq[None, :] - 2 * chunk @ points.T).argmin(axis=1)  # |x|^2 is the same per row
            for chunk in np.array_split(X, max(1, len(X) // 1000))
        ]
        return self.labels_[np.concatenate(nearest)] if len(X) else np.empty(0, int)


def build_model(cfg: TopicConfig, seed: int, stopwords: frozenset[str] = frozenset()):
    """The BERTopic pipeline for a *resolved* config (see :func:`lip_research.resolve.resolve`);
    ``stopwords`` are the analyzer's, for :class:`SharedWords`."""
    from bertopic import BERTopic
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.representation import MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.feature_extraction.text import CountVectorizer

    if cfg.reduction == "umap":
        reducer = DistinctRowsUMAP(
            n_neighbors=cfg.n_neighbors,
            n_components=cfg.n_components,
            min_dist=0.0,
            metric="cosine",
            random_state=seed,
            n_jobs=1,
        )
    elif cfg.reduction == "pca":
        reducer = PCA(n_components=cfg.n_components, svd_solver="full", random_state=seed)
    else:
        reducer = BaseDimensionalityReduction()
    if cfg.clustering == "kmeans":
        clusterer = KMeans(n_clusters=cfg.n_clusters, n_init=10, random_state=seed)
    elif cfg.clustering == "agglomerative":
        clusterer = WardClustering(n_clusters=cfg.n_clusters, linkage="ward")
    else:
        from hdbscan import HDBSCAN

        # Leaf selection: "eom" merges a corpus of one genre into one or two giant clusters
        # (measured on 86 Ofsted reports: 88% of passages in one topic; leaf: at most 10%).
        clusterer = HDBSCAN(
            min_cluster_size=cfg.min_topic_size,
            min_samples=min(10, cfg.min_topic_size),
            metric="euclidean",
            cluster_selection_method="leaf",
            prediction_data=True,
        )
    # Passages reach BERTopic already reduced to their terms (Analyzer.term_string), with the
    # vocabulary bounded at passage level (min_df, max_df). This vectorizer sees one
    # concatenated document per topic, so it must not filter again.
    vectorizer = CountVectorizer(analyzer=TermSplitter(), min_df=1, max_df=1.0, lowercase=False)
    representation = (
        [
            SharedWords(cfg.min_df, cfg.top_n_words, all_shared=True, stopwords=stopwords),
            MaximalMarginalRelevance(diversity=cfg.diversity, top_n_words=cfg.top_n_words),
        ]
        if cfg.representation == "mmr"
        else [SharedWords(cfg.min_df, cfg.top_n_words, stopwords=stopwords)]
    )
    return BERTopic(
        # Only MMR uses this, to embed topic words: the static model does that well and cheaply.
        embedding_model=Embedder("static", "cpu"),
        umap_model=reducer,
        hdbscan_model=clusterer,
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=representation,
        top_n_words=cfg.top_n_words,
        min_topic_size=cfg.min_topic_size or 10,  # used only by a default HDBSCAN: never here
        # BERTopic counts HDBSCAN's outliers (-1) among the nr_topics it merges down to
        nr_topics=cfg.nr_topics + 1
        if cfg.nr_topics and cfg.clustering == "hdbscan"
        else cfg.nr_topics,
        calculate_probabilities=False,
        verbose=False,
    )


@dataclass
class TopicResult:
    """Everything a fitted run produces, as tables; ``model`` is the fitted BERTopic."""

    config: TopicConfig
    choices: dict[str, Any]
    passage_topics: pd.DataFrame
    topics: pd.DataFrame
    document_topics: pd.DataFrame
    representatives: pd.DataFrame
    model: Any = None
    analyzer: Analyzer | None = None
    timings: dict[str, float] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)  # passages in no topic, by reason


class NoTopicFound(ConfigError):
    """HDBSCAN put every passage in the outlier topic."""


@contextlib.contextmanager
def _quiet_bertopic():
    """Silence BERTopic's warnings (not its errors) for the duration of the block."""
    log = logging.getLogger("BERTopic")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def fit_topics(
    passages: pd.DataFrame,
    embeddings: np.ndarray,
    cfg: TopicConfig,
    seed: int,
    names: list[str] | tuple[str, ...] = (),
) -> TopicResult:
    """Fit passage topics; ``names`` are place/organisation names kept out of topic words."""
    timings: dict[str, float] = {}
    texts = passages["text"].astype(str).tolist()
    if len(texts) != len(embeddings):
        raise ValueError(f"{len(texts)} passages but {len(embeddings)} embeddings")
    mean_words = float(np.mean([len(t.split()) for t in texts])) if texts else 0.0
    groups = passages["doc_id"].astype(str).tolist() if "doc_id" in passages else range(len(texts))
    shape = CorpusShape(
        len(texts), mean_words, n_documents=len(set(groups)), dims=embeddings.shape[1]
    )
    resolved, choices = resolve(cfg, shape)
    t0 = time.perf_counter()
    template = template_sentences(texts, groups, min_share=resolved.template_share)
    need = template_documents(shape.n_documents, resolved.template_share)
    if resolved.template_share <= 0:
        choices["template_sentences"] = "template_share is 0: no sentence is template text"
    elif shape.n_documents < MIN_DOCUMENTS:
        choices["template_sentences"] = (
            f"no sentence is template text: it must recur in {MIN_DOCUMENTS} documents, and "
            f"the corpus has {shape.n_documents}"
        )
    else:
        choices["template_sentences"] = (
            f"{count_template(texts, template)} sentences repeated in at least {need} of the "
            f"{shape.n_documents} documents ({resolved.template_share:.0%}, and "
            f"{MIN_DOCUMENTS} at least) give no topic words"
        )
    analyzer = build_analyzer(
        texts,
        names=names,
        extra_stopwords=resolved.extra_stopwords,
        phrases=resolved.phrases,
        min_df=resolved.min_df,
        max_df=resolved.max_df,
        template=template,
        groups=groups,
        min_groups=resolved.min_docs,
    )
    if analyzer.defined:
        shorts = list(dict.fromkeys(short for short, _ in analyzer.defined))  # 'PAs' twice
        shown = ", ".join(shorts[:SHOWN_ABBREVIATIONS])
        more = len(shorts) - SHOWN_ABBREVIATIONS
        choices["abbreviations"] = (
            "read as one topic word with the long form the texts define them by: "
            f"{shown}{f' and {more} more' if more > 0 else ''} (run.json lists them)"
        )
    # Passages made mostly of template text, or with no topic word at all ("Requires
    # improvement" under a heading), are left out of the topics (topic -1).
    all_terms = [analyzer.term_string(t) for t in texts]
    out_template, out_wordless, template_out = _out_of_topics(texts, all_terms, analyzer)
    modelled = ~(out_template | out_wordless)
    choices["template_passages"] = (
        f"{int(out_template.sum())} passages at least {TEMPLATE_PASSAGE:.0%} template text, "
        f"and {int(out_wordless.sum())} with no topic word, are in no topic (-1)"
    )
    resolved = fit_limits(resolved, cfg, int(modelled.sum()), len(texts), shape.dims, choices)
    clusters = resolved.n_clusters if resolved.clustering != "hdbscan" else None
    if resolved.nr_topics is not None and clusters is not None and resolved.nr_topics >= clusters:
        # BERTopic would merge nothing, and leave the topics unnumbered by size
        choices["nr_topics"] = (
            f"not applied: {resolved.nr_topics} is not below the {clusters} topics clustered "
            "(topics.n_clusters), so there was nothing to merge"
        )
        resolved = dataclasses.replace(resolved, nr_topics=None)
    terms = [t for t, m in zip(all_terms, modelled, strict=True) if m]
    embeddings_m = embeddings[modelled]
    timings["vocabulary_s"] = time.perf_counter() - t0
    model = build_model(resolved, seed, analyzer.stopwords)
    model.lip_analyzer = analyzer  # pickled with the model: turns terms back into words
    model.lip_config = resolved  # and how it assigns: see lip_research.saved.assign_topics
    model.lip_template_out = template_out  # passages mostly of template text are topic -1
    model.lip_wordless_out = True  # and so are passages with no topic word
    t0 = time.perf_counter()
    with warnings.catch_warnings():  # UMAP says a seeded run uses one thread: it is meant to
        warnings.filterwarnings("ignore", "n_jobs value .* overridden", UserWarning)
        topics, _ = model.fit_transform(terms, embeddings=embeddings_m)
    timings["fit_s"] = time.perf_counter() - t0
    topics = np.asarray(topics)
    if (topics == OUTLIER).all():
        umap = "" if resolved.reduction == "umap" else "reduction: umap, "
        raise NoTopicFound(
            f"HDBSCAN found no topic: every passage is an outlier (reduction {resolved.reduction}, "
            f"min_topic_size {resolved.min_topic_size}). Use {umap}a smaller "
            "topics.min_topic_size, or clustering: auto."
        )
    reassigned = not modelled.all()
    if (
        resolved.clustering == "hdbscan"
        and resolved.outliers != "none"
        and (topics == OUTLIER).any()
    ):
        t0 = time.perf_counter()
        before = float((topics == OUTLIER).mean())
        topics = np.asarray(
            model.reduce_outliers(
                terms,
                topics.tolist(),
                strategy=resolved.outliers,
                threshold=resolved.outlier_threshold,
                embeddings=embeddings_m,
            )
        )
        topics = _numbered_by_size(model, topics)
        reassigned = True
        choices["outliers_before_reduction"] = round(before, 4)
        timings["outliers_s"] = time.perf_counter() - t0
    assigned = np.full(len(texts), OUTLIER)
    assigned[modelled] = topics
    # What lip_research.saved.assign_topics places new passages by: the fitted passages'
    # unit embeddings and final topics.
    model.lip_fitted = (unit_rows(embeddings_m), topics.astype(np.int64))
    if reassigned:  # topic words and sizes for the final assignment of every passage
        with _quiet_bertopic():  # it warns that assignments were set by hand: they were
            model.update_topics(
                all_terms,
                topics=assigned.tolist(),
                top_n_words=resolved.top_n_words,
                vectorizer_model=model.vectorizer_model,
                ctfidf_model=model.ctfidf_model,
                representation_model=model.representation_model,
            )
        rows = model.topic_embeddings_
        if rows is not None and OUTLIER not in assigned and len(rows) == len(set(assigned)) + 1:
            model.topic_embeddings_ = rows[1:]  # the outliers' row: every outlier found a topic
    passage_topics = passages[
        [c for c in ("passage_id", "doc_id", "section", "page_start", "page_end") if c in passages]
    ].copy()
    passage_topics["topic"] = assigned.astype(int)
    table = topic_table(model, passage_topics)
    reps = representatives(passages, passage_topics, embeddings)
    model.representative_docs_ = representative_docs(reps)
    return TopicResult(
        config=resolved,
        choices=choices,
        passage_topics=passage_topics.reset_index(drop=True),
        topics=table,
        document_topics=document_shares(passage_topics, passages),
        representatives=reps,
        model=model,
        analyzer=analyzer,
        timings=timings,
        left_out={"template": int(out_template.sum()), "no_topic_word": int(out_wordless.sum())},
    )


def _numbered_by_size(model, topics: np.ndarray) -> np.ndarray:
    """Topics renumbered so that topic 0 is the largest, as BERTopic numbers a fit: reducing
    outliers leaves HDBSCAN's topics numbered by their sizes before. The model's topic
    embeddings and its record of topic ids follow."""
    ids, sizes = np.unique(topics[topics != OUTLIER], return_counts=True)
    order = ids[np.lexsort((ids, -sizes))]  # largest first; equal sizes by their old number
    mapping = {OUTLIER: OUTLIER, **{int(old): new for new, old in enumerate(order)}}
    if all(old == new for old, new in mapping.items()):
        return topics
    rows = sorted(set(model.topics_))  # topic_embeddings_ has a row per topic, in id order
    if model.topic_embeddings_ is not None and len(model.topic_embeddings_) == len(rows):
        old_row = {t: i for i, t in enumerate(rows)}
        new_rows = sorted(rows, key=lambda t: mapping.get(t, t))
        model.topic_embeddings_ = model.topic_embeddings_[[old_row[t] for t in new_rows]]
    model.topic_mapper_.add_mappings(mapping, topic_model=model)
    model.topics_ = [mapping.get(t, t) for t in model.topics_]
    return np.array([mapping[int(t)] for t in topics])


def topic_words(model, topic: int, n: int = 10) -> list[str]:
    """Top words of a topic in their commonest written form."""
    words = model.get_topic(topic) or []
    analyzer = getattr(model, "lip_analyzer", None)
    show = analyzer.display if isinstance(analyzer, Analyzer) else display
    return [show(w) for w, _ in words[:n] if w]


def topic_label(words: list[str], n: int = 3) -> str:
    """The first ``n`` top words, skipping any that repeats one already used.

    A word repeats another when the stems of one's words are all among the other's:
    ("early help services", "early help", "thresholds", "mash") -> "early help services,
    thresholds, mash"; ("adopters", "adoption", "adoption panel", "matching") -> "adopters,
    matching" and the next word.
    """
    chosen: list[frozenset[str]] = []
    out: list[str] = []
    for word in words:
        stems = _stems(word)
        if stems and not any(stems <= c or c <= stems for c in chosen):
            chosen.append(stems)
            out.append(word)
        if len(out) == n:
            break
    return ", ".join(out)


def _stems(word: str) -> frozenset[str]:
    stem = _stemmer().stem
    return frozenset(stem(part) for part in word.lower().split())


@functools.lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.snowball import SnowballStemmer  # rules in code: nothing to download

    return SnowballStemmer("english")


def topic_table(
    model, passage_topics: pd.DataFrame, labels: dict[int, str] | None = None
) -> pd.DataFrame:
    """topic, size, label, words (top words separated by ';'), sorted by topic id."""
    sizes = passage_topics["topic"].value_counts()
    rows = []
    for topic in sorted(sizes.index):
        words = topic_words(model, int(topic))
        label = "Outliers or template text" if topic == OUTLIER else topic_label(words)
        if labels and int(topic) in labels:
            label = labels[int(topic)]
        rows.append(
            {
                "topic": int(topic),
                "size": int(sizes[topic]),
                "label": label,
                "words": ";".join(words),
            }
        )
    return pd.DataFrame(rows, columns=["topic", "size", "label", "words"])


def document_shares(passage_topics: pd.DataFrame, passages: pd.DataFrame) -> pd.DataFrame:
    """Each document's share of each topic, weighted by passage length (rows sum to 1)."""
    weights = passages["text"].astype(str).str.split().str.len().to_numpy()
    frame = passage_topics[["doc_id", "topic"]].assign(weight=weights)
    wide = frame.pivot_table(
        index="doc_id", columns="topic", values="weight", aggfunc="sum", fill_value=0
    )
    wide = wide.div(wide.sum(axis=1), axis=0).round(6)
    wide.columns = [f"topic_{c}" for c in wide.columns]
    return wide.reset_index()


def representatives(
    passages: pd.DataFrame, passage_topics: pd.DataFrame, embeddings: np.ndarray, n: int = 5
) -> pd.DataFrame:
    """The passages closest to each topic's centroid, with doc / section / page citations.

    A passage that repeats one already chosen for the topic (reports reuse standard
    paragraphs) is passed over for the next nearest, so the ``n`` say different things.
    """
    from lip_research.lexical import near_duplicate, shingles

    rows = []
    topics = passage_topics["topic"].to_numpy()
    texts = passages["text"].astype(str).to_numpy()
    for topic in sorted(set(topics.tolist())):
        idx = np.flatnonzero(topics == topic)
        centroid = embeddings[idx].mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        sims = embeddings[idx] @ centroid
        order: list[int] = []
        chosen: list[set] = []
        for i in idx[np.lexsort((idx, -sims))]:
            sh = shingles(texts[i])
            if not any(near_duplicate(sh, other) for other in chosen):
                order.append(int(i))
                chosen.append(sh)
                if len(order) == n:
                    break
        for rank, i in enumerate(order, start=1):
            p = passages.iloc[i]
            rows.append(
                {
                    "topic": int(topic),
                    "rank": rank,
                    "passage_id": p["passage_id"],
                    "doc_id": p["doc_id"],
                    "section": p.get("section", ""),
                    "page_start": p.get("page_start"),
                    "page_end": p.get("page_end"),
                    "similarity": round(float(embeddings[i] @ centroid), 4),
                    "text": str(p["text"]),
                }
            )
    return pd.DataFrame(rows)


def representative_docs(reps: pd.DataFrame, n: int = 3) -> dict[int, list[str]]:
    """BERTopic's ``representative_docs_`` from :func:`representatives`: the passages' text
    (BERTopic's own would be term strings)."""
    return {int(t): group["text"].head(n).tolist() for t, group in reps.groupby("topic")}


def left_out(model, texts: list[str]) -> np.ndarray:
    """Which passages a fitted model puts in no topic (-1), as :func:`_out_of_topics` decided
    for its fit. Models saved by earlier versions kept wordless ones."""
    analyzer = model.lip_analyzer
    template_out = getattr(model, "lip_template_out", True)
    if not getattr(model, "lip_wordless_out", False):  # a model saved by an earlier version
        if not template_out:
            return np.zeros(len(texts), bool)
        return mostly_template(texts, analyzer.template, analyzer.names_masked)
    terms = [analyzer.term_string(t) for t in texts]
    out_template, out_wordless, _ = _out_of_topics(texts, terms, analyzer, template_out)
    return out_template | out_wordless


def _out_of_topics(
    texts: list[str], terms: list[str], analyzer: Analyzer, template_out: bool | None = None
) -> tuple[np.ndarray, np.ndarray, bool]:
    """The passages in no topic, by reason (at least ``TEMPLATE_PASSAGE`` template text; no
    topic word: ``terms``, their term strings, empty), and whether template passages are out.
    A corpus that is mostly template keeps them (``template_out`` decided here unless given);
    a passage with no topic word never is in a topic (BERTopic would label it "emptydoc")."""
    empty = np.array([not t for t in terms], bool)
    heavy = (
        mostly_template(texts, analyzer.template, analyzer.names_masked)
        if template_out is not False
        else np.zeros(len(texts), bool)
    )
    if template_out is None:
        template_out = bool((~(heavy | empty)).sum() >= max(10, len(texts) // 2))
    out_template = heavy & template_out
    return out_template, empty & ~out_template, template_out


def mostly_template(
    texts: list[str], template: frozenset[int], names_masked: bool = True
) -> np.ndarray:
    """Which passages are at least ``TEMPLATE_PASSAGE`` template text (topic -1 in a fit)."""
    share = functools.partial(template_share, template=template, names_masked=names_masked)
    return np.array([bool(template) and share(t) >= TEMPLATE_PASSAGE for t in texts], bool)


def topic_embeddings(passage_topics: pd.DataFrame, embeddings: np.ndarray) -> pd.DataFrame:
    """Normalised centroid of each topic's passage embeddings (index: topic)."""
    out = {}
    for topic, idx in passage_topics.groupby("topic").indices.items():
        c = embeddings[idx].mean(axis=0)
        out[int(topic)] = c / (np.linalg.norm(c) or 1.0)
    return pd.DataFrame(out).T.sort_index()
