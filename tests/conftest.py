"""Shared test fixtures: where the published seed forms are, and the bundled samples."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The trail's HMAC key for every test (and the commands they run); tests of the key itself
# unset it or give their own.
os.environ.setdefault("JIXIAO_TRAIL_KEY", "tests-trail-key-0123456789abcdefghijklmnop")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("JIXIAO_SEEDS", ROOT.parent / "shared" / "seeds"))
FIXTURES = ROOT / "tests" / "fixtures"

# The seed files by their number; the 2023 (national-2020 template) ones hold 19 forms.
SEED_FILES = {
    "000": "000_e774113c7866965d.txt",
    "001": "001_5a6b2cd62f352e0f.txt",
    "002": "002_f0530d8e76d96007.txt",
    "003": "003_a453499caf967aa1.txt",
    "004": "004_5240054ec5d73d22.txt",
}


def seed_path(number: str) -> Path:
    """The path of a seed file, or skip the test with the reason."""
    path = SEEDS / SEED_FILES[number]
    if not path.exists():
        pytest.skip(f"seed forms not found at {SEEDS} (CI has ../shared/seeds; set JIXIAO_SEEDS)")
    return path


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed forms not found at {SEEDS} (CI has ../shared/seeds; set JIXIAO_SEEDS)")
    return SEEDS


def need_tool(program: str, package: str, *, module: bool = False) -> str:
    """The path of a system program a test needs (``pdftotext``, ``chromium``), or skip
    the test naming the Debian package that adds it. Under ``CI=true`` a missing program
    fails instead: CI installs every package (.ci/run), so it never skips silently."""
    found = shutil.which(program) or (
        program if Path(program).is_absolute() and Path(program).exists() else None
    )
    if found:
        return found
    reason = f"{program} is not installed (Debian: apt-get install {package})"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}; CI must have it", pytrace=False)
    pytest.skip(reason, allow_module_level=module)
    raise AssertionError("unreachable")
