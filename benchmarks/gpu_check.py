"""GPU path check for the `minilm` backend: picks CUDA when present, agrees with the CPU, and is faster.

Run on a machine with an NVIDIA GPU: .venv/bin/python benchmarks/gpu_check.py [--json out.json]
Embeds the sample corpus's labelled paragraphs (about 1,200, repeated to ~3,500 texts) on the
GPU and on the CPU, compares the vectors and prints the throughput of each.
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


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--json", type=Path)
    ap.add_argument("--cpu-sample", type=int, default=400)
    args = ap.parse_args()
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
    for k, v in out.items():
        print(f"{k:28s} {v}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
