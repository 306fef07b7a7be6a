"""Embeddings: the real bundled model, offline, normalised, cached by text hash."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from lip_research import embed

TEXTS = ["Bruising was seen on a non-mobile baby.", "The young person was excluded from school."]


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """A new embedding cache, but keep the distilled static model (distilling takes ~20 s)."""
    from lip_research.io import cache_dir

    models = cache_dir("models")
    monkeypatch.setenv("LIP_CACHE_DIR", str(tmp_path))
    (tmp_path / "models").symlink_to(models, target_is_directory=True)
    return tmp_path


@pytest.mark.parametrize("backend", ["static", "minilm"])
def test_vectors_are_normalised_and_ordered(backend, fresh_cache):
    vecs = embed.embed_texts(TEXTS + TEXTS[:1], backend=backend)
    assert vecs.shape == (3, 256 if backend == "static" else 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vecs[0], vecs[2])
    assert vecs[0] @ vecs[1] < 0.9


def test_static_vectors_in_steps_equal_one_call_and_show_named_progress(fresh_cache, capsys):
    texts = [f"Case {i}: the health visitor saw the baby." for i in range(embed.STATIC_BATCH + 5)]
    stepped = embed.embed_texts(texts, backend="static", cache=False, progress=True)
    assert "embedding: 100%" in capsys.readouterr().err
    whole = embed.unit_rows(np.asarray(embed._static().encode(texts), dtype=np.float32))
    assert stepped.tobytes() == whole.tobytes()


def test_cache_returns_identical_vectors_without_the_model(fresh_cache, monkeypatch):
    cold, warm = {}, {}
    first = embed.embed_texts(TEXTS, backend="static", stats=cold)
    assert cold == {"from_cache": 0, "embedded": 2, "device": "cpu"}

    def boom(*a, **k):
        raise AssertionError("the model was called although every text was cached")

    monkeypatch.setattr(embed, "_encode", boom)
    again = embed.embed_texts(TEXTS + TEXTS[:1], backend="static", stats=warm)
    assert again[:2].tobytes() == first.tobytes()
    assert warm == {"from_cache": 2, "embedded": 0, "device": None}  # run.json's "embedded"


def test_similar_texts_are_closer_with_minilm(fresh_cache):
    a, b, c = embed.embed_texts(
        [
            "The baby had a bruise on the cheek.",
            "A non-mobile infant was seen with bruising.",
            "The school excluded him for fighting.",
        ],
        backend="minilm",
    )
    assert a @ b > a @ c


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(
        embed.EmbeddingError, match="unknown embedding backend 'bert'; choose one of minilm, static"
    ):
        embed.embed_texts(["x"], backend="bert")


def test_no_network_connection_is_attempted(fresh_cache, monkeypatch):
    """Loading both models and embedding must not open a single connection."""
    attempts = []
    real_connect = socket.socket.connect

    def guard(self, address):
        attempts.append(address)
        raise OSError(f"network disabled in this test: {address}")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(
        socket, "create_connection", lambda *a, **k: guard(None, a[0] if a else None)
    )
    embed._minilm.cache_clear()
    embed._static.cache_clear()
    for backend in ("minilm", "static"):
        assert embed.embed_texts(TEXTS, backend=backend, cache=False).shape[0] == 2
    assert attempts == []
    monkeypatch.setattr(socket.socket, "connect", real_connect)


def test_asking_for_cuda_without_a_gpu_says_what_to_do():
    import torch

    from lip_research.config import ConfigError

    if torch.cuda.is_available():
        assert embed.resolve_device("cuda") == "cuda"
    else:
        with pytest.raises(ConfigError, match="topics.device is cuda.*use device: auto"):
            embed.resolve_device("cuda")
    assert embed.resolve_device("cpu") == "cpu"


def test_a_cuda_run_without_a_gpu_stops_even_with_cached_embeddings(ingested_slice):
    import torch

    from lip_research.config import ConfigError, RunConfig
    from lip_research.pipeline import embed_passages

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    cfg = RunConfig()  # minilm: the backend that runs on a GPU
    embed_passages(ingested_slice, cfg, progress=False)  # cached now
    with pytest.raises(ConfigError, match="topics.device is cuda"):
        embed_passages(ingested_slice, cfg.replace(**{"topics.device": "cuda"}), progress=False)


def test_windows_cut_a_long_text_into_near_equal_runs_and_keep_every_word():
    words = [f"w{i}" for i in range(181)]
    pieces = embed.windows(" ".join(words), 120)
    assert [len(p.split()) for p in pieces] == [91, 90]
    assert " ".join(pieces).split() == words
    assert embed.windows(" ".join(words[:179]), 120) == [" ".join(words[:179])]
    assert embed.windows(" ".join(words), 0) == [" ".join(words)]
    assert [len(p.split()) for p in embed.windows(" ".join(words * 2), 100)] == [91] * 3 + [89]


def _long_passages() -> list[str]:
    """Two passages that agree on their first 320 words and differ only after them."""
    opening = " ".join(
        "The health visitor saw the family at home and noted that the baby was feeding well.".split()
        * 20
    )
    return [
        f"{opening} Later the school raised concerns about the older child's attendance.",
        f"{opening} Later the police attended a domestic abuse incident at the address.",
    ]


def test_minilm_reads_the_end_of_a_long_passage_only_with_a_window(fresh_cache):
    """What topics.embedding_window changes: without it, MiniLM never sees the end."""
    whole = embed.embed_texts(_long_passages(), backend="minilm", window=0)
    windowed = embed.embed_texts(_long_passages(), backend="minilm", window=120)
    assert np.allclose(whole[0], whole[1], atol=1e-6)
    assert windowed[0] @ windowed[1] < 0.999
    assert np.allclose(np.linalg.norm(windowed, axis=1), 1.0, atol=1e-5)
    assert embed.cut_short(_long_passages(), "minilm", 0) == 1.0
    assert embed.cut_short(_long_passages(), "minilm", 120) == 0.0
    assert embed.cut_short(_long_passages() + TEXTS, "minilm", 0) == 0.5
    assert embed.cut_short(_long_passages(), "static", 0) == 0.0  # it reads 512 tokens


def test_vectors_of_each_window_are_cached_apart(fresh_cache, monkeypatch):
    """Switching the window never reuses the other setting's vectors."""
    whole = embed.embed_texts(_long_passages(), backend="static", window=0)
    windowed = embed.embed_texts(_long_passages(), backend="static", window=60)
    assert not np.allclose(whole, windowed)

    def boom(*a, **k):
        raise AssertionError("the model was called although every text was cached")

    monkeypatch.setattr(embed, "_encode", boom)  # from here on, only the caches answer
    again = embed.embed_texts(_long_passages(), backend="static", window=0)
    assert again.tobytes() == whole.tobytes()
    again = embed.embed_texts(_long_passages(), backend="static", window=60)
    assert again.tobytes() == windowed.tobytes()


def test_the_cut_short_share_is_kept_with_the_vectors(fresh_cache, monkeypatch):
    """A warm rerun does not tokenise its passages again to say how many were cut short."""
    texts = _long_passages() + TEXTS
    assert embed.cut_short(texts, "minilm", 0) == 0.5

    def boom(*a, **k):
        raise AssertionError("tokenised again although the share was kept")

    monkeypatch.setattr(embed, "_cut_short", boom)
    assert embed.cut_short(texts, "minilm", 0) == 0.5
    with pytest.raises(AssertionError, match="tokenised again"):
        embed.cut_short(texts[:3], "minilm", 0)  # other texts: computed afresh


def test_a_read_only_cache_still_serves_its_vectors_and_figures(fresh_cache, monkeypatch):
    """A cache written by an earlier version, on a read-only mount: warm runs keep working."""
    import sqlite3

    first = embed.embed_texts(TEXTS, backend="static")

    def read_only(self):  # as SQLite opens a file it may not write (the tests run as root)
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    monkeypatch.setattr(embed.EmbeddingCache, "_connect", read_only)
    assert embed.embed_texts(TEXTS, backend="static").tobytes() == first.tobytes()
    assert embed.cut_short(TEXTS, "static", 0) == 0.0  # computed, and not stored
    assert embed.EmbeddingCache("static").get_figure("anything") is None


def test_a_read_only_cache_does_not_stop_a_run_that_has_new_texts(fresh_cache, monkeypatch):
    import sqlite3

    embed.embed_texts(TEXTS[:1], backend="static")

    def read_only(self):
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    monkeypatch.setattr(embed.EmbeddingCache, "_connect", read_only)
    with pytest.warns(embed.CacheWarning, match="new vectors cannot be written.*same results"):
        vecs = embed.embed_texts(TEXTS, backend="static")
    assert vecs.tobytes() == embed.embed_texts(TEXTS, backend="static", cache=False).tobytes()


def test_a_damaged_cache_is_moved_aside_and_started_afresh(fresh_cache):
    """A cache cut short (a crash, a full disk, a bad copy) must not stop every later run."""
    first = embed.embed_texts(TEXTS, backend="static")
    path = embed.EmbeddingCache("static").path
    path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 3000)  # a header, then garbage
    stats: dict = {}
    with pytest.warns(embed.CacheWarning, match="was damaged.*moved aside"):
        again = embed.embed_texts(TEXTS, backend="static", stats=stats)
    assert again.tobytes() == first.tobytes() and stats["embedded"] == 2
    assert path.with_name(path.name + ".damaged").exists()
    warm: dict = {}
    embed.embed_texts(TEXTS, backend="static", stats=warm)  # the fresh cache serves them
    assert warm["from_cache"] == 2


def test_a_cache_folder_that_cannot_be_made_is_left_aside(fresh_cache, monkeypatch):
    (fresh_cache / "in-the-way").write_text("a file where the cache folder should be")
    monkeypatch.setenv("LIP_CACHE_DIR", str(fresh_cache / "in-the-way"))
    with pytest.warns(embed.CacheWarning, match="its folder cannot be made"):
        vecs = embed.embed_texts(TEXTS, backend="minilm")
    assert vecs.shape == (2, 384)


def test_vectors_all_in_the_cache_load_no_torch(fresh_cache):
    """A warm rerun is fast because torch (seconds to import) never loads."""
    import os
    import subprocess
    import sys

    embed.embed_texts(TEXTS, backend="minilm")  # cached in fresh_cache
    probe = (
        "import sys\nfrom lip_research.embed import embed_texts\nstats = {}\n"
        f"embed_texts({TEXTS!r}, backend='minilm', stats=stats)\n"
        "print(stats, 'torch' in sys.modules)"
    )
    env = {**os.environ, "LIP_CACHE_DIR": str(fresh_cache)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.strip() == "{'from_cache': 2, 'embedded': 0, 'device': None} False"
