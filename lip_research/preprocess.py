"""Topic words that mean something: offline tokenising, lemmatising, phrases and stopwords.

The analyzer lower-cases and tokenises with NLTK, lemmatises with simplemma (offline), joins
multi-word expressions (:mod:`lip_research.phrases`: "child protection plan", "health
visitor", "children looked after"), and drops English stopwords, report boilerplate, empty role words,
numbers, dates, months and place or organisation names. It is a picklable object so a
fitted BERTopic model can be saved with it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nltk.tokenize import RegexpTokenizer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from lip_research.clean import keyed_sentences, shared_boilerplate
from lip_research.phrases import PhraseParams, extend_phrases, find_phrases, phrase_index, spans

TOKEN = RegexpTokenizer(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
_WORD = re.compile(r"[a-z][a-z'\-]*")  # the same words as TOKEN on lower-cased text, faster
MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday "
    "friday saturday sunday week weekly month monthly year yearly annual annually day daily"
).split()
NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve twenty thirty hundred "
    "thousand first second third fourth fifth sixth seventh eighth ninth tenth half quarter "
    "percent per cent"
).split()
BOILERPLATE = (
    "report reports review reviews reviewed section sections paragraph paragraphs page pages "
    "contents appendix appendices figure table chapter note notes overview summary executive "
    "introduction conclusion conclusions recommendation recommendations finding findings "
    "licence license crown copyright www http https gov uk org com email e-mail telephone tel "
    "fax website online publication published publish reference urn version archive archives "
    "ofsted inspection inspections inspector inspectors inspected judgement judgements "
    "grade graded outstanding inadequate improvement requires require required "
    "board partnership lscb lcsp mr mrs ms miss dr baby "
    "ensure ensures ensured including include includes included also however "
    "use used using make made set see seen way ways well good better time times "
    "number numbers level levels area areas part parts point points example examples "
    "particular particularly clear clearly significant significantly appropriate "
    "appropriately effective effectively consider considered consideration need needs needed "
    "place placed place-based range wide within across without"
).split()
ROLE_WORDS = (
    "child children young people person persons family families professional professionals "
    "practitioner practitioners agency agencies service services local authority authorities "
    "staff worker workers council councils team teams organisation organisations "
    "partner partners multi-agency multi agency individual individuals case cases"
).split()
DISCOURSE = (  # verbs and adverbs of report prose that carry no topic
    "like kind thing things avoid purpose member try tried begin began choose chose allow "
    "allowed update draw drew state stated relevant rationale deliberately briefly read "
    "summarise summarised happen happened seek sought confirm confirmed regularly "
    "repeatedly exactly continue continued provide provided identify identified "
    "involve involved include give given take taken know known think thought say said "
    "tell told ask asked come came went go going get got describe described suggest "
    "suggested note noted record recorded arrange arranged follow following later "
    "early earlier previous previously subsequently shortly recent recently "
    "present presented remain remained receive received offer offered respond "
    "responded concern concerned raise raised able unable possible likely"
).split()
COMMON_PLACE_WORDS = {"reading", "bury", "sutton", "harrow", "kent", "sale"}  # also real words


@lru_cache(maxsize=1)
def authority_names() -> tuple[str, ...]:
    """English local authority names shipped with the package."""
    path = Path(__file__).parent / "data" / "english_local_authorities.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _lemmatizer():
    import simplemma

    return simplemma


@lru_cache(maxsize=200_000)
def lemma(token: str) -> str:
    """English lemma of a lower-case token ('leavers' -> 'leaver', 'carers' -> 'carer')."""
    return _lemmatizer().lemmatize(token, lang="en").lower()


def name_words(names: Iterable[str]) -> set[str]:
    """Lower-case words of place and organisation names, minus connecting words."""
    words: set[str] = set()
    for name in names:
        for tok in TOKEN.tokenize(str(name).lower()):
            for part in tok.split("-"):
                if part and part not in ENGLISH_STOP_WORDS and len(part) > 2:
                    words.add(part)
    return words


def base_stopwords(extra: Iterable[str] = ()) -> frozenset[str]:
    words = set(ENGLISH_STOP_WORDS) | set(MONTHS) | set(NUMBER_WORDS) | set(BOILERPLATE)
    words |= set(ROLE_WORDS) | {lemma(w) for w in DISCOURSE} | set(DISCOURSE)
    words |= {w.lower() for w in extra}
    return frozenset(words)


@lru_cache(maxsize=100_000)
def surface_tokens(text: str) -> tuple[tuple[str, str], ...]:
    """(lemma, lower-case surface form) for each word token; no numbers, apostrophes cut."""
    out = []
    for tok in _WORD.findall(text.lower().replace("\u2019", "'")):
        tok = tok.split("'")[0].rstrip("-")
        if len(tok) < 2:
            continue
        out.append((lemma(tok), tok))
    return tuple(out)


def tokens(text: str) -> list[str]:
    """Lower-cased, lemmatised word tokens (no numbers; apostrophes stripped)."""
    return [lem for lem, _ in surface_tokens(text)]


def template_sentences(
    texts: Sequence[str], groups: Sequence[str], min_share: float = 0.2, min_groups: int = 5
) -> frozenset[int]:
    """Keys of sentences repeated in at least ``min_share`` of the documents (``groups``).

    These are a genre's template and statutory text ("Ofsted produces this report under its
    power to combine reports ..."), not anything one report says about its case. Ingest
    already drops blocks made mostly of sentences shared by 40% of documents; this lower
    bar only keeps such text out of topic words, and the corpus keeps it.
    ``min_share=0`` finds none.
    """
    if min_share <= 0:
        return frozenset()
    by_doc: dict[str, set[int]] = {}
    for text, group in zip(texts, groups, strict=True):
        keys = {k for _, k, _ in keyed_sentences(text) if k is not None}
        by_doc.setdefault(group, set()).update(keys)
    repeated, _ = shared_boilerplate(list(by_doc.values()), share=min_share, min_docs=min_groups)
    return frozenset(repeated)


def template_share(text: str, template: frozenset[int]) -> float:
    """Share of the text's words that sit in template sentences."""
    sentences = keyed_sentences(text)
    total = sum(n for _, _, n in sentences)
    inside = sum(n for _, k, n in sentences if k in template)
    return inside / total if total else 0.0


def strip_template(text: str, template: frozenset[int]) -> str:
    """The text without its template sentences (see :func:`template_sentences`)."""
    if not template:
        return text
    return " ".join(s for s, k, _ in keyed_sentences(text) if k not in template)


@dataclass
class Analyzer:
    """Callable analyzer for scikit-learn vectorizers: text -> list of terms."""

    stopwords: frozenset[str]
    phrases: tuple[tuple[str, ...], ...] = ()
    vocabulary: frozenset[str] | None = None
    surface: dict[str, str] = field(default_factory=dict)
    template: frozenset[int] = frozenset()
    _merged: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_merged"] = {}  # a per-corpus memo: not part of a saved model
        return state

    _index: dict[str, list[tuple[str, ...]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = phrase_index(self.phrases)

    def merge(self, toks: list[str]) -> list[str]:
        return [" ".join(p) if p else toks[i] for i, p in spans(toks, self._index)]

    def __call__(self, text: str) -> list[str]:
        terms = []
        merged = self._merged.get(text)
        if merged is None:
            merged = self.merge(tokens(strip_template(text, self.template)))
        for term in merged:
            keep = " " in term or (term not in self.stopwords and len(term) > 2 and term[-1] != "-")
            if keep and (self.vocabulary is None or term in self.vocabulary):
                terms.append(term)
        return terms

    def display(self, term: str) -> str:
        """The commonest written form of a lemmatised term ('learn event' -> 'learning event')."""
        term = term.replace("_", " ")
        return self.surface.get(term, term)

    def term_string(self, text: str) -> str:
        """The text's distinct terms, phrases joined by '_' (input for :class:`TermSplitter`).

        Each term appears once, so topic words are weighted by how many of a topic's passages
        use them, not by how often one passage repeats them (on the Ofsted benchmark this
        raised NPMI over passages from 0.32 to 0.36).
        """
        return " ".join(dict.fromkeys(t.replace(" ", "_") for t in self(text)))


class TermSplitter:
    """Analyzer for texts already reduced by :meth:`Analyzer.term_string` (picklable)."""

    def __call__(self, text: str) -> list[str]:
        return text.split()


def build_analyzer(
    texts: Sequence[str],
    names: Iterable[str] = (),
    extra_stopwords: Iterable[str] = (),
    phrase_params: PhraseParams = PhraseParams(),
    min_df: int = 2,
    max_df: float = 0.5,
    template: frozenset[int] = frozenset(),
    groups: Sequence[object] | None = None,
    min_groups: int = 1,
) -> Analyzer:
    """Learn phrases and the vocabulary from the corpus; assemble its stopword list.

    ``min_df`` (passages) and ``max_df`` (share of passages) bound the vocabulary at passage
    level, before topics exist, so that rare typos and ubiquitous words never reach topics.
    With ``groups`` (each passage's document), a term must also occur in ``min_groups``
    documents. ``template`` sentences (:func:`template_sentences`) give no terms.
    """
    places = name_words([*authority_names(), *names]) - COMMON_PLACE_WORDS
    stop = base_stopwords(extra_stopwords) | frozenset(places)
    surfaces = [surface_tokens(strip_template(t, template)) for t in texts]
    docs = [[lem for lem, _ in doc] for doc in surfaces]
    dates = frozenset(MONTHS)
    phrases = find_phrases(docs, stop, dates, phrase_params)
    phrases = tuple(p for p in phrases if not any(w in places for w in p))
    phrases = extend_phrases(phrases, docs, dates | frozenset(NUMBER_WORDS) | places, phrase_params)
    analyzer = Analyzer(stopwords=stop, phrases=phrases)
    df: Counter[str] = Counter()
    by_group = groups is not None and min_groups > 1
    in_groups: dict[str, set[object]] = {}
    forms: Counter[tuple[str, str]] = Counter()
    memo: dict[str, list[str]] = {}
    single: list[tuple[str, str]] = []
    for i, (text, doc) in enumerate(zip(texts, surfaces, strict=True)):
        lemmas = [lem for lem, _ in doc]
        merged = memo[text] = analyzer.merge(lemmas)
        df.update(set(merged))
        if by_group:
            for term in set(merged):
                in_groups.setdefault(term, set()).add(groups[i])
        if len(merged) == len(doc):  # no phrase in this passage: forms align one to one
            single.extend(zip(merged, (form for _, form in doc), strict=True))
            continue
        pos = 0
        for term in merged:
            n = term.count(" ") + 1
            forms[(term, " ".join(form for _, form in doc[pos : pos + n]))] += 1
            pos += n
    forms.update(single)
    limit = max_df * len(texts)
    vocab = frozenset(
        t
        for t, c in df.items()
        if min_df <= c <= limit and (not by_group or len(in_groups[t]) >= min_groups)
    )
    surface: dict[str, str] = {}
    for (term, form), _ in sorted(forms.items(), key=lambda x: (-x[1], x[0])):
        surface.setdefault(term, form)
    return Analyzer(
        stopwords=stop,
        phrases=phrases,
        vocabulary=vocab,
        surface=surface,
        template=template,
        _merged=memo,
    )


def display(term: str) -> str:
    return term.replace("_", " ")


def is_junk(term: str, stop: frozenset[str]) -> bool:
    """A topic word a reader would call page furniture: stopword, number, date or place."""
    if re.search(r"\d", term):
        return True
    parts = term.split()
    return all(p in stop for p in parts)
