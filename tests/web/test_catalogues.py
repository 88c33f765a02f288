"""Every app's English catalogue: each message translated, the committed .mo saying what
its .po says, no message translated two ways by two apps (Django would take the first
app's silently), and every app's templates and catalogue in the wheel's package data."""

from __future__ import annotations

import gettext
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

import jixiao

PACKAGE = Path(jixiao.__file__).parent
CATALOGUES = sorted(PACKAGE.glob("web/*/locale/en/LC_MESSAGES/django.po"))
PYPROJECT = PACKAGE.parents[1] / "pyproject.toml"


def entries(po: Path) -> list[tuple[str | None, str, str]]:
    """(context, Chinese, English) of every message with an id."""

    def joined(lines: str) -> str:  # a message wrapped over several quoted lines
        return "".join(re.findall(r'"(.*)"', lines)).replace('\\"', '"').replace("\\n", "\n")

    found = re.findall(
        r'^(?:msgctxt "(.*)"\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)',
        po.read_text("utf-8"),
        re.M,
    )
    return [(context or None, joined(zh), joined(en)) for context, zh, en in found if joined(zh)]


def app_of(po: Path) -> str:
    return po.relative_to(PACKAGE / "web").parts[0]


def test_there_are_catalogues():
    assert {"pages", "tasks"} <= {app_of(po) for po in CATALOGUES}


@pytest.mark.parametrize("po", CATALOGUES, ids=app_of)
def test_each_message_is_translated_and_compiled(po: Path):
    messages = entries(po)
    untranslated = [zh for _c, zh, en in messages if not en]
    assert not untranslated, f"{po}: no English for {untranslated[:5]}"
    compiled = gettext.GNUTranslations(po.with_suffix(".mo").open("rb"))
    stale = [
        zh
        for context, zh, en in messages
        if (compiled.pgettext(context, zh) if context else compiled.gettext(zh)) != en
    ]
    assert not stale, f"{po.with_suffix('.mo')} is not compiled from its .po: {stale[:5]}"


def test_no_message_is_translated_two_ways():
    seen: dict[tuple[str | None, str], tuple[str, str]] = {}
    clashes = []
    for po in CATALOGUES:
        for context, zh, en in entries(po):
            was = seen.setdefault((context, zh), (app_of(po), en))
            if was[1] != en:
                clashes.append(f"{zh!r}: {was[0]} says {was[1]!r}, {app_of(po)} {en!r}")
    assert not clashes, clashes[:5]


@pytest.mark.skipif(not PYPROJECT.exists(), reason="pyproject.toml is not beside the package")
def test_every_apps_templates_and_catalogue_are_package_data():
    """A wheel without an app's templates serves 500s (found once, by the wheel's tests)."""
    globs = tomllib.loads(PYPROJECT.read_text("utf-8"))["tool"]["setuptools"]["package-data"][
        "jixiao"
    ]
    needed = [
        path.relative_to(PACKAGE).as_posix()
        for pattern in ("web/*/templates/*/*.html", "web/*/locale/*/LC_MESSAGES/*")
        for path in PACKAGE.glob(pattern)
    ]
    missing = [path for path in needed if not any(fnmatch(path, glob) for glob in globs)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
