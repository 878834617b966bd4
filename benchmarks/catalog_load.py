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


def measure(count: int) -> float:
    """Median seconds to load a generated catalog of `count` files."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, count)
        load_catalog(root)  # warm the OS file cache and imports
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            catalog = load_catalog(root)
            times.append(time.perf_counter() - start)
        assert len(catalog.questions) + len(catalog.guides) == count
    return statistics.median(times)


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [200]
    print(f"command: python benchmarks/catalog_load.py {' '.join(map(str, counts))}")
    for count in counts:
        seconds = measure(count)
        print(f"{count:>6} files: median {seconds * 1000:8.1f} ms over {RUNS} runs ({seconds / count * 1000:.2f} ms/file)")


if __name__ == "__main__":
    main()
