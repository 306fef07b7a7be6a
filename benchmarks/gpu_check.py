"""GPU path check for the `minilm` backend: picks CUDA when present, agrees with the CPU, is
faster, and gives the same topics.

On a machine with an NVIDIA GPU:
    .venv/bin/python benchmarks/gpu_check.py [--json out.json] [--passages P --save DIR]
embeds the sample corpus's labelled paragraphs (about 1,200, repeated to ~3,500 texts) on the
GPU and on the CPU, compares the vectors and prints the throughput of each. With --passages (a
parquet file with a ``text`` column, e.g. ``--prepare``'s) it also embeds those texts on both
devices, whole and in windows, and saves the four matrices to DIR.

Then, on any machine, with the ingested corpus those passages came from:
    .venv/bin/python benchmarks/gpu_check.py --compare DIR --corpus INGESTED
fits the topic engine (defaults) once on each device's vectors, and once on vectors made
here, and prints how far the passage assignments agree (ARI) and each fit's NPMI. ``--prepare INGESTED --save FILE``
writes the passages `lip topics` models, for --passages.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lip_research import embed  # noqa: E402

WINDOWS = (0, 120)  # the default (each passage whole) and the window option measured beside it


def throughput(args: argparse.Namespace) -> dict[str, object]:
    import torch

    texts = pd.read_csv(REPO / "data" / "sample" / "labels" / "paragraphs.csv")["text"].tolist()
    texts = [f"{t} ({i})" for i, t in enumerate(texts * 3)]
    device = embed.resolve_device("auto")
    out: dict[str, object] = {
        "cuda_available": torch.cuda.is_available(),
        "device_chosen_by_auto": device,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "torch": torch.__version__,
        "texts": len(texts),
    }
    embed.embed_texts(
        texts[:64], backend="minilm", device="auto", cache=False
    )  # warm-up (load, kernels)
    t0 = time.perf_counter()
    gpu = embed.embed_texts(texts, backend="minilm", device="auto", cache=False)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    t_gpu = time.perf_counter() - t0
    embed.embed_texts(texts[:16], backend="minilm", device="cpu", cache=False)
    t0 = time.perf_counter()
    cpu = embed.embed_texts(texts[: args.cpu_sample], backend="minilm", device="cpu", cache=False)
    t_cpu = time.perf_counter() - t0
    cos = np.sum(gpu[: args.cpu_sample] * cpu, axis=1)
    out.update(
        {
            "gpu_texts_per_s": round(len(texts) / t_gpu, 1),
            "cpu_texts_per_s": round(args.cpu_sample / t_cpu, 1),
            "speedup_gpu_vs_cpu": round((len(texts) / t_gpu) / (args.cpu_sample / t_cpu), 2),
            "cosine_gpu_vs_cpu_min": round(float(cos.min()), 6),
            "cosine_gpu_vs_cpu_mean": round(float(cos.mean()), 6),
            "norms_ok": bool(np.allclose(np.linalg.norm(gpu, axis=1), 1, atol=1e-4)),
        }
    )
    return out


def save_passage_vectors(passages: Path, folder: Path) -> dict[str, object]:
    """Each device's vectors of the passages, whole and windowed, as ``{device}-w{N}.npy``."""
    texts = pd.read_parquet(passages)["text"].astype(str).tolist()
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, object] = {"passages": len(texts)}
    for window in WINDOWS:
        for device in ("cuda", "cpu"):
            t0 = time.perf_counter()
            vectors = embed.embed_texts(
                texts, backend="minilm", device=device, cache=False, window=window
            )
            out[f"{device}_w{window}_s"] = round(time.perf_counter() - t0, 2)
            np.save(folder / f"{device}-w{window}.npy", vectors)
        gpu, cpu = (np.load(folder / f"{d}-w{window}.npy") for d in ("cuda", "cpu"))
        out[f"cosine_w{window}_min"] = round(float(np.sum(gpu * cpu, axis=1).min()), 6)
    return out


def modelled_passages(ingested: Path) -> pd.DataFrame:
    from lip_research.config import RunConfig
    from lip_research.corpora import load_corpus
    from lip_research.pipeline import modelled

    return modelled(load_corpus(ingested), RunConfig()).passages


def compare_topics(folder: Path, ingested: Path) -> dict[str, object]:
    """The topic engine fitted on each device's vectors, and on vectors made here with the
    bundled weights (the GPU machine may have had other weights): agreement and coherence."""
    from lip_research import evaluate
    from lip_research.config import RunConfig
    from lip_research.corpora import load_corpus
    from lip_research.pipeline import place_names
    from lip_research.topics import fit_topics, topic_words

    corpus = load_corpus(ingested)
    passages = modelled_passages(ingested)
    texts = passages["text"].tolist()
    names = place_names(corpus.documents)
    out: dict[str, object] = {}
    for window in WINDOWS:
        cfg = RunConfig().replace(**{"topics.embedding_window": window})
        fits = {}
        for device in ("cuda", "cpu", "here"):
            vectors = (
                embed.embed_texts(texts, backend="minilm", device="cpu", window=window)
                if device == "here"
                else np.load(folder / f"{device}-w{window}.npy")
            )
            if len(vectors) != len(passages):
                sys.exit(f"{folder}: {len(vectors)} vectors for {len(passages)} passages")
            fit = fit_topics(passages, vectors, cfg.topics, cfg.seed, names=names)
            words = {int(t): topic_words(fit.model, int(t)) for t in fit.topics["topic"]}
            out[f"npmi_{device}_w{window}"] = round(evaluate.npmi(words, texts), 4)
            fits[device] = fit.passage_topics["topic"]
        out[f"ari_gpu_vs_cpu_w{window}"] = round(evaluate.ari(fits["cuda"], fits["cpu"]), 4)
        out[f"identical_w{window}"] = bool((fits["cuda"].values == fits["cpu"].values).all())
        out[f"ari_cpu_vs_here_w{window}"] = round(evaluate.ari(fits["cpu"], fits["here"]), 4)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--json", type=Path)
    ap.add_argument("--cpu-sample", type=int, default=400)
    ap.add_argument("--passages", type=Path, help="parquet with a text column: embed and save")
    ap.add_argument("--save", type=Path, help="folder for --passages, file for --prepare")
    ap.add_argument("--prepare", type=Path, help="ingested corpus: write its modelled passages")
    ap.add_argument("--compare", type=Path, help="folder of saved vectors to fit topics on")
    ap.add_argument("--corpus", type=Path, help="ingested corpus the saved vectors came from")
    args = ap.parse_args()
    if args.prepare:
        if not args.save:
            sys.exit("--prepare needs --save FILE.parquet")
        modelled_passages(args.prepare)[["passage_id", "text"]].to_parquet(args.save)
        return
    if args.compare:
        if not args.corpus:
            sys.exit("--compare needs --corpus (the ingested corpus the vectors came from)")
        out = compare_topics(args.compare, args.corpus)
    else:
        out = throughput(args)
        if args.passages:
            if not args.save:
                sys.exit("--passages needs --save FOLDER")
            out.update(save_passage_vectors(args.passages, args.save))
    for k, v in out.items():
        print(f"{k:28s} {v}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
