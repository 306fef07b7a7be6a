"""``lip sample``: rebuild the fictional sample corpus from its labelled paragraph bank."""

from __future__ import annotations

from pathlib import Path

import typer


def sample(
    out: Path = typer.Option(Path("data/sample"), help="Sample corpus folder (holds bank/)."),
    reports: int = typer.Option(48, min=10, help="Number of reports to compose."),
    seed: int = typer.Option(2016, help="Seed for case profiles and paragraph choice."),
) -> None:
    """Compose the FICTIONAL sample corpus (reports, manifest, labels) from data/sample/bank/."""
    from lip_research.sample import load_bank, plan_reports
    from lip_research.sample_render import write_sample

    bank_dir = out / "bank"
    if not bank_dir.is_dir():
        raise typer.BadParameter(
            f"{bank_dir} not found: the paragraph bank lives there", param_hint="--out"
        )
    bank = load_bank(bank_dir)
    planned = plan_reports(bank, n_reports=reports, seed=seed)
    counts = write_sample(planned, out)
    spec = out / "corpus.yaml"
    if not spec.exists():  # a new sample folder: say what to ingest and where the labels are
        catalogue = "catalogue: catalogue.csv\n" if (out / "catalogue.csv").exists() else ""
        spec.write_text(
            f"# FICTIONAL sample corpus composed by `lip sample` (seed {seed}).\n"
            f"name: {out.name or 'sample'}\nsources: [reports]\nmanifest: manifest.csv\n"
            f"labels: labels\n{catalogue}",
            encoding="utf-8",
        )
    words = [sum(len(p.text.split()) for _, _, ps in r.sections for p in ps) for r in planned]
    typer.echo(
        f"wrote {len(planned)} fictional reports to {out / 'reports'} "
        f"({', '.join(f'{n} {k}' for k, n in sorted(counts.items()))}); "
        f"{len(bank)} bank paragraphs; words per report {min(words)}-{max(words)}"
    )
