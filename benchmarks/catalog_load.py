"""Catalog load time for generated catalogs of N content files (copies of the real files with new ids).

Usage: python benchmarks/catalog_load.py [N ...]   (default: 200)
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from web.content import load_catalog
from web.settings import REPO_ROOT

RUNS = 5


def generate(root: Path, count: int) -> None:
    """Write `count` valid content files under root: questions and guides cloned with fresh ids."""
    sources = sorted((REPO_ROOT / "content" / "questions").rglob("*.md"))
    guides = sorted((REPO_ROOT / "content" / "guides").glob("*.md"))
    n_guides = max(1, count // 10)
    for i in range(n_guides):
        text = guides[i % len(guides)].read_text(encoding="utf-8")
        slug = f"guide-{i:05d}"
        text = re.sub(r"^slug: .*$", f"slug: {slug}", text, count=1, flags=re.M)
        text = re.sub(r"^questions:.*?(?=^(?:\w|---))", "questions: []\n", text, count=1, flags=re.M | re.S)
        text = re.sub(r"\]\(/(guides|questions)/[^)]*\)", "](/guides/guide-00000)", text)
        (root / "guides").mkdir(parents=True, exist_ok=True)
        (root / "guides" / f"{slug}.md").write_text(text, encoding="utf-8")
    for i in range(count - n_guides):
        src = sources[i % len(sources)]
        qid = f"{src.stem}-{i:05d}"
        text = src.read_text(encoding="utf-8")
        text = re.sub(r"^id: .*$", f"id: {qid}", text, count=1, flags=re.M)
        text = re.sub(r"^guides:.*$", "guides: [guide-00000]", text, count=1, flags=re.M)
        text = re.sub(r"\]\(/(guides|questions)/[^)]*\)", "](/guides/guide-00000)", text)
        folder = root / "questions" / src.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{qid}.md").write_text(text, encoding="utf-8")


def _median_seconds(load) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        load()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(count: int) -> tuple[float, float]:
    """Median seconds to load a generated catalog of `count` files: parsed from scratch, and from the cache."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        cache = Path(tmp) / "cache"
        generate(root, count)
        catalog = load_catalog(root)  # warm the OS file cache and imports
        assert len(catalog.questions) + len(catalog.guides) == count
        cold = _median_seconds(lambda: load_catalog(root))
        load_catalog(root, cache_dir=cache)  # writes the cache entry
        warm = _median_seconds(lambda: load_catalog(root, cache_dir=cache))
    return cold, warm


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [200]
    print(f"command: python benchmarks/catalog_load.py {' '.join(map(str, counts))}")
    print(f"{'files':>6}  {'parse (ms)':>11} {'ms/file':>8}  {'cached (ms)':>11} {'ms/file':>8}   median of {RUNS} runs")
    for count in counts:
        cold, warm = measure(count)
        print(f"{count:>6}  {cold * 1000:11.1f} {cold / count * 1000:8.2f}  {warm * 1000:11.1f} {warm / count * 1000:8.2f}")


if __name__ == "__main__":
    main()
