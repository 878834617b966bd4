"""The README's agreement table, built from a `scoring.training.cross_validate` report."""

from __future__ import annotations

from collections.abc import Mapping

from scoring.rubric import DIMENSIONS

SOURCE_NAMES = {
    "dev": "written, questions outside the catalog (generic rubric)",
    "catalog_dev": "written, catalog questions (their own rubric)",
    "dev_transcripts": "spoken interview transcripts",
}
KINDS = {"by_question": "held out by question", "across_files": "held out by file"}


def _cell(fig: Mapping, metric: str) -> str:
    scorer = fig[metric]
    length = fig.get("length_" + metric)
    ceiling = fig.get("raters_" + metric)
    out = f"{scorer:.2f}"
    out += f" / {length:.2f}" if length is not None else " / n/a"
    out += f" / {ceiling:.2f}" if ceiling is not None else " / n/a"
    return out


def markdown_table(report: Mapping) -> str:
    """One row per file and way of holding out: scorer / length baseline / raters, per dimension.

    Written files are judged by QWK (integer scores against the consensus); spoken transcripts,
    whose scores sit in a narrow band, by Spearman.
    """
    lines = [
        "| graded answers | held out | metric | " + " | ".join(DIMENSIONS) + " | profile accuracy |",
        "|---|---|---|" + "---|" * len(DIMENSIONS) + "---|",
    ]
    for kind in ("by_question", "across_files"):
        for source, fig in report.get(kind, {}).items():
            metric = "spearman" if "transcript" in source else "qwk"
            cells = " | ".join(_cell(fig["dimensions"][d], metric) for d in DIMENSIONS)
            name = SOURCE_NAMES.get(source, source)
            lines.append(f"| {name} (n={fig['n']}) | {KINDS[kind]} | {metric} | {cells} | {fig['profile_accuracy']:.2f} |")
    return "\n".join(lines)
