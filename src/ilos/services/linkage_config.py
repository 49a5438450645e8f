"""The sources config a linkage was made from: the copy `ilos link` keeps beside it, parsed once per version
of the file, since the pages, the API and the worker ask for it on every request and every event."""

from __future__ import annotations

import functools
import stat
from pathlib import Path

from ilos.definitions.sources import SourcesConfig, load_sources_config
from ilos.errors import NotFoundError

CONFIG_COPY = "sources.yaml"


def load_linkage_config(linkage_dir: Path) -> SourcesConfig:
    """The linkage's sources config: NotFoundError without its copy, InvalidInputError (every problem) when
    the copy does not validate. Parsed again only when the file's modification time or size changes."""
    path = linkage_dir / CONFIG_COPY
    try:
        found = path.stat()
    except OSError:
        found = None
    if found is None or not stat.S_ISREG(found.st_mode):
        raise NotFoundError(
            f"No linkage at {linkage_dir} (it has no {CONFIG_COPY}); build one with "
            f"`ilos link CONFIG --out {linkage_dir}` (`ilos demo` builds ILOS_HOME/linkage)"
        )
    return _parsed(path, found.st_mtime_ns, found.st_size)


@functools.lru_cache(maxsize=16)
def _parsed(path: Path, _mtime_ns: int, _size: int) -> SourcesConfig:
    """Keyed by the file's version as well as its path: a linkage re-run rewrites its copy."""
    return load_sources_config(path)
