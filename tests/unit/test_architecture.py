"""The shape of the code, checked (docs/architecture.md): field paths are parsed in
the contract package only, dependencies point the way the architecture says
(readers never import writers; the domain never imports Django, files or the
web), and the JSON contract has one writer and one reader."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jixiao

PACKAGE = Path(jixiao.__file__).resolve().parent

# A regular expression that takes a field path apart: an index in brackets
# (\[(\d+)\], \[\d+\]) or a step between dots and brackets ([^.\[\]]).
_PATH_GRAMMAR = re.compile(r"\\\[\(?\\d\+\)?\\\]|\[\^\.\\\[\\\]\]")


def _modules(under: str = "") -> list[Path]:
    return sorted((PACKAGE / under).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_the_path_grammar_check_finds_a_parser():
    assert _PATH_GRAMMAR.search(r"indicators\[(\d+)\]\.score")
    assert _PATH_GRAMMAR.search(r"([^.\[\]]+)|\[(\d+)\]")
    assert not _PATH_GRAMMAR.search("indicators[3].score")  # a path itself is fine
    assert not _PATH_GRAMMAR.search(r"\d+(?:\.\d+)?")


def test_field_paths_are_parsed_in_the_contract_package_only():
    outside = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in _modules()
        if "contract" not in path.relative_to(PACKAGE).parts[:1]
        for line, text in _literals(path)
        if _PATH_GRAMMAR.search(text)
    ]
    assert outside == [], f"parse field paths with jixiao.contract.paths instead: {outside}"


def test_readers_never_import_writers():
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in _imports(path) if m.startswith("jixiao.writers")
        )
        for path in _modules("readers")
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_domain_and_the_contract_know_nothing_of_the_web_or_the_edges():
    edges = ("django", "jixiao.web", "jixiao.cli", "jixiao.writers", "jixiao.services", "ninja")
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(m for m in _imports(path) if m.startswith(edges))
        for under in ("domain", "contract")
        for path in _modules(under)
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_contract_has_one_writer_and_one_reader():
    """evaluation_dict and evaluation_from_dict are defined in jixiao.contract.json only."""
    defined: dict[str, list[str]] = {}
    for path in _modules():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in {
                "evaluation_dict",
                "evaluation_from_dict",
            }:
                defined.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    assert defined == {
        "evaluation_dict": ["contract/json.py"],
        "evaluation_from_dict": ["contract/json.py"],
    }


def test_every_module_outside_the_web_imports_first_in_a_fresh_interpreter():
    """No import cycle: any module can be the first one a program imports."""
    import subprocess
    import sys

    names = [
        ".".join(("jixiao", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for path in _modules()
        if path.relative_to(PACKAGE).parts[0] != "web" and path.name != "__main__.py"
    ]
    failed = {}
    for name in names:
        done = subprocess.run(
            [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, timeout=120
        )
        if done.returncode:
            failed[name] = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:]
    assert len(names) > 40
    assert failed == {}
