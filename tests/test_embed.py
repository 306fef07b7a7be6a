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


def test_cache_returns_identical_vectors_without_the_model(fresh_cache, monkeypatch):
    first = embed.embed_texts(TEXTS, backend="static")

    def boom(*a, **k):
        raise AssertionError("the model was called although every text was cached")

    monkeypatch.setattr(embed, "_encode", boom)
    again = embed.embed_texts(TEXTS, backend="static")
    assert again.tobytes() == first.tobytes()


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
