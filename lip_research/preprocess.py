"""Topic words that mean something: offline tokenising, lemmatising, phrases and stopwords.

The analyzer lower-cases and tokenises with NLTK, lemmatises with simplemma (offline), joins
multi-word expressions (:mod:`lip_research.phrases`: "child protection plan", "health
visitor", "children looked after"), and drops English stopwords, report boilerplate, empty role words,
numbers, dates, months and place or organisation names. It is a picklable object so a
fitted BERTopic model can be saved with it.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from nltk.tokenize import RegexpTokenizer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from lip_research.abbreviations import defined
from lip_research.config import ConfigError
from lip_research.phrases import (
    PhraseParams,
    contexts,
    extend_phrases,
    find_phrases,
    joinable,
    phrase_index,
    spans,
    whole_spans,
)
from lip_research.template_text import strip_template

LETTER = r"[^\W\d_]"  # a letter of any script: 'fiancé', 'tŷ', 'école' are words
TOKEN = RegexpTokenizer(rf"{LETTER}(?:{LETTER}|['\-])*{LETTER}|{LETTER}")
_WORD = re.compile(rf"{LETTER}(?:{LETTER}|['\-])*")  # TOKEN's words on lower-cased text, faster
MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday "
    "friday saturday sunday week weekly month monthly year yearly annual annually day daily "
    "weekend fortnight fortnightly spring summer autumn winter christmas easter half-term "
    "today yesterday tomorrow"
).split()
NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred thousand million billion dozen first second third fourth fifth sixth seventh "
    "eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth "
    "seventeenth eighteenth nineteenth twentieth thirtieth fortieth fiftieth hundredth "
    "twice half quarter percent per cent"
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
_NUMBERS = frozenset(NUMBER_WORDS)


def _number_compound(term: str) -> bool:
    """'twenty-one', 'thirty-five': numbers written in words, as 'twenty' is."""
    return "-" in term and all(part in _NUMBERS for part in term.split("-"))


COMMON_PLACE_WORDS = {"reading", "bury", "sutton", "harrow", "kent", "sale"}  # also real words
# the nations the reviews come from, places as much as a council's name is
NATIONS = ("England", "Wales", "Scotland", "Ireland", "Britain")
MIN_TERMS = 5  # fewer topic words than this describe no topics (an empty vocabulary crashes)


@lru_cache(maxsize=1)
def authority_names() -> tuple[str, ...]:
    """English local authority names shipped with the package."""
    path = Path(__file__).parent / "data" / "english_local_authorities.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def terms_of_art() -> frozenset[tuple[str, ...]]:
    """Phrases of children's social care that hold a function word ('children in need',
    'edge of care'), as lemmas, shipped with the package: collocation detection, which joins
    no stopword, would leave 'need' and 'care'."""
    path = Path(__file__).parent / "data" / "terms_of_art.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        tuple(tokens(line)) for line in lines if line.strip() and not line.startswith("#")
    )


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


def place_words(names: Iterable[str] = ()) -> frozenset[str]:
    """Words (and their lemmas: 'wales', 'wale') of English local authorities, the nations and
    ``names``, less those that are common words too ('reading', 'kent')."""
    places = name_words([*authority_names(), *NATIONS, *names]) - COMMON_PLACE_WORDS
    places |= {lemma(w) for w in places} - {lemma(w) for w in COMMON_PLACE_WORDS}
    return frozenset(places)


def base_stopwords(extra: Iterable[str] = ()) -> frozenset[str]:
    """English stopwords, boilerplate, role, date and number words, and the ``extra`` words
    as terms (:func:`as_term`), so a phrase given there ('care leavers') is a stopword too."""
    words = set(ENGLISH_STOP_WORDS) | set(MONTHS) | set(NUMBER_WORDS) | set(BOILERPLATE)
    words |= set(ROLE_WORDS) | {lemma(w) for w in DISCOURSE} | set(DISCOURSE)
    for word in extra:
        words |= {word.lower(), *term_forms(word)} - {""}
    return frozenset(words)


def term_forms(word: str, aliases: dict[str, str] | None = None) -> set[str]:
    """The terms a word or phrase may be read as (:func:`as_term`): a hyphenated one both
    whole and as a phrase of its parts ('life-story work', 'life story work'), where every
    part is a word (not 'e-safety' as 'safety')."""
    return {as_term(word, aliases), as_term(_spaced(word), aliases)}


_HYPHENATED = re.compile(rf"(?<![\w'\-]){LETTER}+(?:-{LETTER}+)+(?![\w'\-])")


def _parts(form: str, aliases: dict[str, str] | None = None) -> tuple[str, ...]:
    """The lemmas of a hyphenated word's parts, or () when a part is under 2 letters (a
    token no longer: 'e-safety', 'x-ray')."""
    parts = form.split("-")
    if len(parts) < 2 or any(len(part) < 2 for part in parts):
        return ()
    aliases = aliases or {}
    return tuple(aliases.get(lemma(part), lemma(part)) for part in parts)


def _spaced(text: str) -> str:
    """Hyphenated words written as separate words where each part is a word (:func:`_parts`)."""
    return _HYPHENATED.sub(lambda m: " ".join(m[0].split("-")) if _parts(m[0]) else m[0], text)


def as_term(text: str, aliases: dict[str, str] | None = None) -> str:
    """A word or phrase as the analyzer's term for it: 'Care leavers' -> 'care leaver'.

    Topic words are shown in their commonest written form, so a researcher who copies
    'carers' or 'social workers' from ``topics.csv`` into ``extra_stopwords`` writes what
    the analyzer holds as 'carer' and 'social worker'.
    """
    return " ".join(tokens(text.replace("_", " "), aliases))


def english_share(texts: Iterable[str], limit: int = 300) -> float:
    """The share of the words of (the first ``limit``) texts that are English function words
    ('the', 'of', 'and' …): about 0.45 in English prose, under 0.1 in Welsh or French."""
    words = [w for t in itertools.islice(texts, limit) for w in _WORD.findall(str(t).lower())]
    return sum(w in ENGLISH_STOP_WORDS for w in words) / len(words) if words else 1.0


BOUNDARY = "."  # the token between sentences, clauses and list items: no phrase spans one
# the end of a sentence or clause, a paragraph break, a list item's bullet
_BOUNDARY = re.compile(r"(?<=[.!?;:])\s+|\n\s*\n|\n\s*[\u2022\u25aa\u25cf\u25e6\u2023*\u2013-]\s+")
# ... and brackets: "multi-agency safeguarding hub (MASH)" is no phrase "... hub mash"
_BOUNDARY_OR_BRACKET = re.compile(rf"{_BOUNDARY.pattern}|\s*[()\[\]]\s*")


@lru_cache(maxsize=100_000)
def surface_tokens(text: str, brackets: bool = False) -> tuple[tuple[str, str], ...]:
    """(lemma, lower-case surface form) for each word token; no numbers, apostrophes cut.
    ``(BOUNDARY, BOUNDARY)`` stands between sentences, clauses and list items, and with
    ``brackets`` around a bracketed aside."""
    out: list[tuple[str, str]] = []
    bound = _BOUNDARY_OR_BRACKET if brackets else _BOUNDARY
    for part in bound.split(text.lower().replace("\u2019", "'")):
        words = []
        for tok in _WORD.findall(part):
            tok = tok.split("'")[0].rstrip("-")
            if len(tok) >= 2:
                words.append((lemma(tok), tok))
        if words and out:
            out.append((BOUNDARY, BOUNDARY))
        out.extend(words)
    return tuple(out)


_CAPITALS = r"[A-Z][A-Z'\-]*[A-Z]s?(?![\w\-])"  # 'CAMHS', 'LADOs', 'SCR' (not 'UK-wide')
MIN_CAPITALS = 3
_CAPITALS_RUN = re.compile(rf"(?<![A-Za-z'\-]){_CAPITALS}(?:\s+{_CAPITALS})*")


def written_in_capitals(texts: Iterable[str]) -> dict[str, str]:
    """Words the texts mostly write in capitals (acronyms: 'camhs' -> 'CAMHS', 'lados' ->
    'LADOs'), by their lower-case form: at least ``MIN_CAPITALS`` times, and in more than half
    of their uses. Capitals in a run of such words (a heading written in capitals) do not
    count."""
    written: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    for text in texts:
        for run in _CAPITALS_RUN.findall(text):
            if not any(c.isspace() for c in run):
                word = run.split("'")[0].rstrip("-")
                written[(word.lower(), word)] += 1
        total.update(form for _, form in surface_tokens(text, True))  # the analyzer's, cached
    del total[BOUNDARY]
    in_capitals: Counter[str] = Counter()
    for (low, _), n in written.items():
        in_capitals[low] += n
    out: dict[str, str] = {}
    for (low, word), _ in sorted(written.items(), key=lambda x: (-x[1], x[0])):
        if in_capitals[low] >= MIN_CAPITALS and 2 * in_capitals[low] > total[low]:
            out.setdefault(low, word)
    return out


_PLURAL_ACRONYM = re.compile(r"\b([A-Z][A-Z\-]*[A-Z])s\b")  # 'IROs', 'GCSEs' (not 'CAMHS')


def shown_as_term(word: str) -> str:
    """A topic word as shown (any run's, any written form) as the analyzer's term, an
    acronym's plural read as its singular, a hyphen as a space: 'IROs' and 'IRO' -> 'iro',
    'carers' -> 'carer', 'life-story work' -> 'life story work'."""
    return as_term(_spaced(_PLURAL_ACRONYM.sub(r"\1", word))) or word.lower()


def plural_acronyms(capitals: dict[str, str]) -> dict[str, str]:
    """Lemmas of acronyms the texts write in the plural ('IROs', 'GCSEs') -> their singular's
    ('iro', 'gcse'), from :func:`written_in_capitals`, so that 'IRO' and 'IROs' are one topic
    word. An acronym whose own last letter is an S ('CAMHS') is left as it is."""
    out: dict[str, str] = {}
    for low, word in capitals.items():
        if _PLURAL_ACRONYM.fullmatch(word):
            lem = lemma(low)
            if lem != low[:-1]:
                out[lem] = low[:-1]
    return out


def texts_aliases(texts: Iterable[str]) -> dict[str, str]:
    """:func:`plural_acronyms` of a corpus."""
    return plural_acronyms(written_in_capitals(texts))


@lru_cache(maxsize=16)
def _as_dict(pairs: tuple[tuple[str, object], ...]) -> dict:
    """A dataclass's tuple of pairs (aliases, compounds) as a dict, built once."""
    return dict(pairs)


def tokens(text: str, aliases: dict[str, str] | None = None) -> list[str]:
    """Lower-cased, lemmatised word tokens (no numbers; apostrophes stripped); ``aliases``
    (:func:`plural_acronyms`) replace the lemmas they name."""
    return [t for t in bounded_tokens(text, aliases) if t != BOUNDARY]


def bounded_tokens(
    text: str, aliases: dict[str, str] | None = None, brackets: bool = False
) -> list[str]:
    """:func:`tokens` with `BOUNDARY` between sentences, clauses and list items (and around
    bracketed asides, with ``brackets``)."""
    if aliases:
        return [aliases.get(lem, lem) for lem, _ in surface_tokens(text, brackets)]
    return [lem for lem, _ in surface_tokens(text, brackets)]


@dataclass
class Analyzer:
    """Callable analyzer for scikit-learn vectorizers: text -> list of terms."""

    stopwords: frozenset[str]
    phrases: tuple[tuple[str, ...], ...] = ()
    vocabulary: frozenset[str] | None = None
    surface: dict[str, str] = field(default_factory=dict)
    template: frozenset[int] = frozenset()
    # how template sentences were keyed: False in models saved before names were masked
    names_masked: bool = False
    # acronym plurals read as their singular (plural_acronyms); none in models saved before
    aliases: tuple[tuple[str, str], ...] = ()
    # phrases within a sentence or clause only: False in models saved before (they joined
    # "the area. Approximately" into a phrase)
    bounded: bool = False
    # ... and not across brackets: False in models saved before ("hub (MASH)" was a phrase)
    brackets: bool = False
    # hyphenated words read as the words of a phrase ("life-story" as "life story"), by lemma
    # (hyphenated_parts); none in models saved before, which kept "life-story work" apart
    compounds: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # an abbreviation the corpus defines, and its other long forms, read as its commonest
    # long form ("iro" -> "independent review officer"; abbreviated); none in models saved before
    abbreviations: tuple[tuple[str, str], ...] = ()
    # what those are, as the corpus writes them ("IROs", "independent reviewing officers")
    defined: tuple[tuple[str, str], ...] = ()
    _merged: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_merged"] = {}  # a per-corpus memo: not part of a saved model
        return state

    _index: dict[str, list[tuple[str, ...]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = phrase_index(self.phrases)

    def merge(self, toks: list[str]) -> list[str]:
        return [term for term, _ in self.merge_counted(toks)]

    def merge_counted(self, toks: list[str]) -> list[tuple[str, int]]:
        """Phrases joined (:meth:`merge`), each term with the number of tokens it covers."""
        if not self.compounds:
            counted = [
                (" ".join(p), len(p)) if p else (toks[i], 1) for i, p in spans(toks, self._index)
            ]
        else:
            parts = _as_dict(self.compounds)
            units = [parts.get(t, (t,)) for t in toks]
            counted = [
                (" ".join(p) if p else toks[k], n) for k, n, p in whole_spans(units, self._index)
            ]
        if self.abbreviations:
            one = _as_dict(self.abbreviations)
            return [(one.get(term, term), n) for term, n in counted]
        return counted

    def __call__(self, text: str) -> list[str]:
        terms = []
        merged = self._merged.get(text)
        if merged is None:
            text = strip_template(text, self.template, self.names_masked)
            aliases = _as_dict(self.aliases)
            toks = (
                bounded_tokens(text, aliases, self.brackets)
                if self.bounded
                else tokens(text, aliases)
            )
            merged = self.merge(toks)
        for term in merged:
            if self.keeps(term) and (self.vocabulary is None or term in self.vocabulary):
                terms.append(term)
        return terms

    def keeps(self, term: str) -> bool:
        """Whether a term may be a topic word (the vocabulary aside): a phrase unless it is a
        stopword itself (from ``extra_stopwords``), a word unless it is a stopword or a scrap."""
        if term in self.stopwords or _number_compound(term):
            return False
        return " " in term or (len(term) > 2 and term[-1] != "-")

    def display(self, term: str) -> str:
        """The commonest written form of a lemmatised term ('learn event' -> 'learning event'),
        acronyms in capitals ('camhs' -> 'CAMHS')."""
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
    phrases: Iterable[str] = (),
    phrase_params: PhraseParams = PhraseParams(),
    min_df: int = 2,
    max_df: float = 0.5,
    template: frozenset[int] = frozenset(),
    groups: Sequence[object] | None = None,
    min_groups: int = 1,
    min_terms: int = MIN_TERMS,
    names_masked: bool = True,
) -> Analyzer:
    """Learn phrases and the vocabulary from the corpus; assemble its stopword list.

    ``min_df`` (passages) and ``max_df`` (share of passages) bound the vocabulary at passage
    level, before topics exist, so that rare typos and ubiquitous words never reach topics.
    With ``groups`` (each passage's document), a term must also occur in ``min_groups``
    documents. ``template`` sentences (``template_text.template_sentences``, keyed with
    ``names_masked`` as there) give no terms.
    ``extra_stopwords`` may be written as topics.csv shows them ('carers', 'care leavers'):
    each is read as a term (:func:`as_term`). ``phrases`` of two words or more are joined
    wherever a passage writes them, as the shipped :func:`terms_of_art` are where a corpus
    writes them as often as a collocation (``phrase_params``). Fewer than ``min_terms`` topic words left is a
    ``ConfigError`` that says which bound to loosen.
    """
    extra_stopwords = tuple(extra_stopwords)
    places = place_words(names)
    capitals = written_in_capitals(texts)
    aliases = plural_acronyms(capitals)
    stop = base_stopwords(extra_stopwords) | frozenset(places)
    stop |= {t for w in extra_stopwords for t in term_forms(w, aliases)} - {""}
    surfaces = [
        tuple((aliases.get(lem, lem), form) for lem, form in surface_tokens(text, True))
        for text in (strip_template(t, template, names_masked) for t in texts)
    ]
    given = _given_phrases(phrases, aliases)
    dates = frozenset(MONTHS)
    phrase_stop = base_stopwords() | frozenset(places)
    hyphenated = hyphenated_parts(
        surfaces,
        aliases,
        phrase_params.min_count,
        known=terms_of_art() | given,
        refuse=dates,
        stop=phrase_stop,
    )
    # phrases are found with hyphenated words in their parts where the texts write both: "life-
    # story work" and "life story work" are one phrase, "decision-making" and "decision
    # making" another
    docs = [[w for lem, _ in doc for w in hyphenated.get(lem, (lem,))] for doc in surfaces]
    # Phrases are found without extra_stopwords: 'carers' given there leaves 'young carers'.
    phrases = find_phrases(docs, phrase_stop, dates, phrase_params)
    phrases = tuple(p for p in phrases if not any(w in places for w in p))
    refuse = dates | frozenset(NUMBER_WORDS) | places
    long_forms = abbreviated(texts, capitals, aliases, hyphenated, refuse)
    # shown as defined where the texts write them so ('CiCC', which has a lower-case letter)
    capitals = {d.short.lower(): d.short for d in long_forms.values()} | capitals
    known = terms_of_art() | set(long_forms)
    art = _written(known - set(phrases) - given, docs, phrase_params.min_count)
    uses = contexts(docs, set(art))  # as often as a collocation, in as many contexts
    phrases += tuple(p for p in art if uses[p] >= phrase_params.min_contexts)
    phrases += tuple(sorted(given - set(phrases)))
    phrases = extend_phrases(phrases, docs, refuse, phrase_params)
    within = _inner_runs(phrases)
    compounds = tuple(sorted((lem, parts) for lem, parts in hyphenated.items() if parts in within))
    one = one_term(long_forms, phrases, keep_apart=base_stopwords())
    # a stopword given in any of a term's forms ('IROs') stops them all
    stop |= {one[t] for w in extra_stopwords for t in term_forms(w, aliases) if t in one}
    abbreviations = tuple(sorted(one.items()))
    analyzer = Analyzer(
        stopwords=stop, phrases=phrases, compounds=compounds, abbreviations=abbreviations
    )
    df: Counter[str] = Counter()
    by_group = groups is not None and min_groups > 1
    in_groups: dict[str, set[object]] = {}
    forms: Counter[tuple[str, str]] = Counter()
    memo: dict[str, list[str]] = {}
    single: list[tuple[str, str]] = []
    for i, (text, doc) in enumerate(zip(texts, surfaces, strict=True)):
        counted = analyzer.merge_counted([lem for lem, _ in doc])
        merged = memo[text] = [term for term, _ in counted]
        df.update(set(merged))
        if by_group:
            for term in set(merged):
                in_groups.setdefault(term, set()).add(groups[i])
        if len(merged) == len(doc):  # no phrase in this passage: forms align one to one
            single.extend(zip(merged, (form for _, form in doc), strict=True))
            continue
        pos = 0
        for term, n in counted:
            forms[(term, " ".join(form for _, form in doc[pos : pos + n]))] += 1
            pos += n
    forms.update(single)
    limit = max_df * len(texts)
    vocab = frozenset(
        t
        for t, c in df.items()
        if min_df <= c <= limit and (not by_group or len(in_groups[t]) >= min_groups)
    )
    kept = sum(analyzer.keeps(t) for t in vocab)
    if kept < min_terms:
        bounds = VocabularyBounds(min_df, max_df, min_groups if by_group else 1, extra_stopwords)
        candidates = [t for t in df if analyzer.keeps(t)]
        docs_of = {t: len(in_groups[t]) for t in candidates} if by_group else {}
        n_docs = len(set(groups)) if groups is not None else len(texts)
        raise ConfigError(
            bounds.too_few(kept, min_terms, len(texts), n_docs, df, docs_of, candidates)
        )
    surface: dict[str, str] = {}
    for (term, form), _ in sorted(forms.items(), key=lambda x: (-x[1], x[0])):
        if term not in surface:
            surface[term] = " ".join(capitals.get(w, w) for w in form.split())
    return Analyzer(
        stopwords=stop,
        phrases=phrases,
        vocabulary=vocab,
        surface=surface,
        template=template,
        names_masked=names_masked,
        aliases=tuple(sorted(aliases.items())),
        bounded=True,
        brackets=True,
        compounds=compounds,
        abbreviations=abbreviations,
        defined=tuple(
            (d.short, d.written)
            for words, d in long_forms.items()
            if d.term in one and (" ".join(words) in one or " ".join(words) == one[d.term])
        ),
        _merged=memo,
    )


def _given_phrases(phrases: Iterable[str], aliases: dict[str, str]) -> set[tuple[str, ...]]:
    """A researcher's phrases (``topics.phrases``) as lemmas; one that reads as a single word
    is a ``ConfigError`` (numbers and one-letter words are no topic words)."""
    out = set()
    for i, phrase in enumerate(phrases):
        words = tuple(tokens(_spaced(phrase), aliases))
        if len(words) < 2:
            raise ConfigError(
                f"topics.phrases[{i}] is {phrase!r}, which reads as "
                f"{'the one word ' + repr(words[0]) if words else 'no word'}: numbers and "
                "one-letter words are left out of topic words, so a phrase needs two words "
                "or more besides them"
            )
        out.add(words)
    return out


def _written(
    phrases: Iterable[tuple[str, ...]], docs: Sequence[Sequence[str]], min_count: int
) -> tuple[tuple[str, ...], ...]:
    """Those of ``phrases`` the docs (lemma lists) hold ``min_count`` times at least, sorted."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases:
        by_first.setdefault(p[0], []).append(p)
    seen: Counter[tuple[str, ...]] = Counter()
    for doc in docs:
        for i, word in enumerate(doc):
            for p in by_first.get(word, ()):
                if tuple(doc[i : i + len(p)]) == p:
                    seen[p] += 1
    return tuple(sorted(p for p, n in seen.items() if n >= min_count))


class Definition(NamedTuple):
    """An abbreviation as a corpus defines it: its term, and how it and its long form are
    commonly written."""

    term: str
    short: str
    written: str


MIN_DEFINITIONS = 2  # a long form defined once may be a slip, or a single report's name


def abbreviated(
    texts: Iterable[str],
    capitals: dict[str, str],
    aliases: dict[str, str],
    hyphenated: dict[str, tuple[str, ...]],
    refuse: frozenset[str],
) -> dict[tuple[str, ...], Definition]:
    """Long forms (lemmas; hyphenated words in their parts, as phrases read them) of the
    abbreviations the texts define (:func:`lip_research.abbreviations.defined`)
    ``MIN_DEFINITIONS`` times at least, most defined first. The abbreviation must be one the
    texts mostly write in capitals (``capitals``), or write in mixed case ('CiCC'), and no word
    they write in lower case may read as it ('sent' reads as 'send': SEND stays apart). No
    long form holds a word of ``refuse`` (a place: "Kirklees Safeguarding Children Board
    (KSCB)"). A long form defined as two abbreviations goes with the one it is defined as
    more often."""
    texts = list(texts)
    # (long form, abbreviation's term) -> how often each written pair defines it
    written: dict[tuple[tuple[str, ...], str], Counter[tuple[str, str]]] = {}
    in_capitals = {t for low in capitals for t in tokens(low, aliases)}  # 'iros' and 'iro' as one
    for (short, long), n in sorted(defined(texts).items()):
        read = tokens(short, aliases)
        if len(read) != 1 or (read[0] not in in_capitals and short[:-1].isupper()):
            continue
        words = tuple(w for lem in tokens(long, aliases) for w in hyphenated.get(lem, (lem,)))
        if len(words) < 2 or any(w in refuse for w in words):
            continue
        written.setdefault((words, read[0]), Counter())[(short, long)] += n
    common = _read_in_lower_case(texts, {term for _, term in written}, aliases)
    out: dict[tuple[str, ...], Definition] = {}
    for (words, term), pairs in sorted(written.items(), key=lambda x: (-x[1].total(), x[0])):
        if pairs.total() >= MIN_DEFINITIONS and words not in out and term not in common:
            (short, long), _ = pairs.most_common(1)[0]
            out[words] = Definition(term, short, long)
    return out


def _read_in_lower_case(texts: list[str], terms: set[str], aliases: dict[str, str]) -> set[str]:
    """Those of ``terms`` that a word the texts write in lower case reads as."""
    out: set[str] = set()
    if not terms:
        return out
    for text in texts:
        for tok in _WORD.findall(text):
            if tok.islower():
                lem = lemma(tok.split("'")[0].rstrip("-"))
                out.add(aliases.get(lem, lem))
    return out & terms


def one_term(
    long_forms: dict[tuple[str, ...], Definition],
    phrases: Iterable[tuple[str, ...]],
    keep_apart: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Terms read as another: an abbreviation, and its other long forms, as its most defined
    long form that is a phrase ("iro" and "independent reviewing officer" as "independent
    review officer"). An abbreviation in ``keep_apart`` (a stopword: 'lscb') stays apart."""
    phrases = set(phrases)
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for words, definition in long_forms.items():
        if words not in phrases:
            continue
        term = " ".join(words)
        canonical = first.setdefault(definition.term, term)
        if term != canonical:
            out[term] = canonical
        if definition.term not in keep_apart and definition.term != canonical:
            out[definition.term] = canonical
    return out


def _inner_runs(phrases: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """Every run of two or more neighbouring words within the phrases, the phrases included."""
    return {p[i:j] for p in phrases for i in range(len(p)) for j in range(i + 2, len(p) + 1)}


def hyphenated_parts(
    surfaces: Sequence[Sequence[tuple[str, str]]],
    aliases: dict[str, str],
    min_spaced: int,
    known: Iterable[tuple[str, ...]] = (),
    refuse: frozenset[str] = frozenset(),
    stop: frozenset[str] = frozenset(),
) -> dict[str, tuple[str, ...]]:
    """The lemmas of the parts of each hyphenated word that the texts also write as separate
    words, ``min_spaced`` times at least, by the word's lemma: 'decision-making' -> ('decision',
    'make') where 'decision making' occurs too. Texts are (lemma, written form) tokens
    (:func:`surface_tokens`). Only parts collocation detection could make a phrase of count
    (:func:`~lip_research.phrases.joinable` with ``refuse``, and not all ``stop`` words), so
    'well-being' and 'follow-up' stay words, as 'sub-group' does where no text writes 'sub
    group'. Parts within a ``known`` phrase ('out-of-hours') count however the texts write them."""
    within = _inner_runs(known)
    hyphenated: dict[str, tuple[str, ...]] = {}
    for doc in surfaces:
        for lem, form in doc:
            if "-" in form and lem not in hyphenated:
                parts = _parts(form, aliases)
                if not parts:
                    continue
                phrase = joinable(parts, refuse) and not all(w in stop for w in parts)
                if phrase or parts in within:
                    hyphenated[lem] = parts
    docs = [[lem for lem, _ in doc] for doc in surfaces]
    spaced = set(_written(set(hyphenated.values()) - within, docs, min_spaced))
    return {lem: parts for lem, parts in hyphenated.items() if parts in spaced or parts in within}


@dataclass(frozen=True)
class VocabularyBounds:
    """The topic-word bounds of :func:`build_analyzer`, to explain an empty vocabulary."""

    min_df: int
    max_df: float
    min_docs: int
    extra_stopwords: tuple[str, ...]

    def too_few(
        self,
        kept: int,
        needed: int,
        n_passages: int,
        n_documents: int,
        df: Counter[str],
        docs_of: dict[str, int],
        candidates: list[str],
    ) -> str:
        """The message: how many words each bound leaves, and which to loosen."""
        limit = self.max_df * n_passages
        often = sum(df[t] >= self.min_df for t in candidates)
        spread = sum(docs_of.get(t, self.min_docs) >= self.min_docs for t in candidates)
        common = sum(df[t] > limit for t in candidates)
        fixes = []
        if often < needed and self.min_df > 1:
            fixes.append(
                "lower topics.min_df (2 or 3 suits most corpora; it cannot work above "
                f"topics.max_df × passages = {int(limit):,})"
            )
        if spread < needed and self.min_docs > 1:
            most = max(docs_of.values(), default=1)
            fixes.append(
                f"lower topics.min_docs (the corpus has {n_documents} documents; the most "
                f"widespread word is in {most})"
            )
        if len(candidates) - common < needed and self.max_df < 1:
            fixes.append("raise topics.max_df (at most 1)")
        if self.extra_stopwords:
            fixes.append("remove words from topics.extra_stopwords")
        if len(candidates) < needed:  # the cause, whatever the bounds: first
            fixes.insert(0, "add documents: the passages hold too few words that are not stopwords")
        if not fixes:  # each bound alone leaves enough words; together they do not
            fixes.append("lower topics.min_df or topics.min_docs, or raise topics.max_df")
        return (
            f"only {kept} topic word{'s are' if kept != 1 else ' is'} left (at least {needed} "
            "are needed to model topics): "
            f"of the {len(candidates):,} words and phrases in the {n_passages:,} passages, "
            f"{often:,} occur in topics.min_df={self.min_df} passages or more, {spread:,} in "
            f"topics.min_docs={self.min_docs} documents or more, and {common:,} in more than "
            f"topics.max_df={self.max_df} of the passages (too common to tell topics apart); "
            f"topics.extra_stopwords={list(self.extra_stopwords)}. "
            f"To keep more words, {'; or '.join(fixes)}."
        )


def display(term: str) -> str:
    return term.replace("_", " ")


def is_junk(term: str, stop: frozenset[str]) -> bool:
    """A topic word a reader would call page furniture: stopword, number, date or place."""
    if re.search(r"\d", term):
        return True
    if term in stop:
        return True
    if tuple(tokens(term)) in terms_of_art():  # 'children in need'
        return False
    parts = term.split()
    return all(p in stop for p in parts)
