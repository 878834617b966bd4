"""The parsed catalog kept on disk, keyed by a hash of every content file, so restarts skip parsing."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from .loader import content_files, scan
from .types import Catalog, ContentError

# Bump when parsing or rendering changes, so cached catalogs from older code are not reused.
LOADER_VERSION = "3"  # 3: content loads strictly (probes, ships, labelled worked answers)


def content_fingerprint(root: Path) -> str:
    """A hash of every content file's path and bytes (and the loader version)."""
    digest = hashlib.sha256(LOADER_VERSION.encode())
    for sub in ("guides", "questions", "tracks"):
        for path in content_files(root, sub):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def load_catalog(root: Path, cache_dir: Path | None = None) -> Catalog:
    """Load the catalog, raising ContentError listing every problem if there is any.

    With `cache_dir`, the parsed and rendered catalog is kept on disk keyed by a hash of every
    content file, so later starts skip parsing; any change to any file makes a new entry.
    """
    root = Path(root)
    cache_file = None
    if cache_dir is not None and root.is_dir():
        cache_file = Path(cache_dir) / f"catalog-{content_fingerprint(root)}.pickle"
        try:
            with cache_file.open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # missing or unreadable: parse and write a fresh one
    catalog, problems = scan(root)
    if problems:
        raise ContentError(problems)
    if cache_file is not None:
        _write_cache(cache_file, catalog)
    return catalog


def _write_cache(cache_file: Path, catalog: Catalog) -> None:
    """Write the cache atomically and drop older entries; a read-only disk just means no cache."""
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(catalog, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
        for old in cache_file.parent.glob("catalog-*.pickle"):
            if old != cache_file:
                old.unlink(missing_ok=True)
    except OSError:
        pass
