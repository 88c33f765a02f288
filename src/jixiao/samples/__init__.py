"""Sample forms shipped with jixiao, written for the project in the shapes of
published forms (tab-separated and markdown text pulled out of PDFs).

``national-2023-slips.txt`` carries planted slips (a rate rounded the wrong way,
a score above its points, a total that does not add up, a wrong grade, a goal
copied into the results) for trying ``jixiao score`` and the audit.
``shanghai-2019-tab.txt`` is a clean form of the Shanghai 2019/2020 layout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def paths() -> list[Path]:
    """The bundled sample files, sorted by name."""
    folder = resources.files(__name__)
    return sorted(
        Path(str(p))
        for p in folder.iterdir()
        if p.is_file() and Path(p.name).suffix in {".txt", ".md"}
    )
