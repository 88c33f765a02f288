"""The public JSON pinned exactly, so that moving the field table and the contract
into one package (issue #15) cannot change a key, a value or a field path.

For every bundled sample, every reader fixture (tests/fixtures/files: PDF, xlsx,
docx) and every seed form where present, ``jixiao import --json``, ``jixiao
score --json`` and ``jixiao check --json`` run as a user runs them (in process,
through the CLI), and each form's answer is pinned as a sha256 of its canonical
JSON, with one hash per top-level key so a change points at its part. Hashes,
not text: the seeds' sentences stay out of the project. The source file is
pinned by name (the folder differs between machines). Regenerate after an
intended change of the contract (docs/json.md says what may change):

    python -m tests.json_golden     # rewrites tests/fixtures/json_golden.json
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from jixiao import samples
from jixiao.cli import app

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "json_golden.json"
FILES = Path(__file__).resolve().parent / "fixtures" / "files"
COMMANDS = ("import", "score", "check")


def corpus(seeds: Path | None) -> dict[str, list[Path]]:
    parts = {
        "samples": list(samples.paths()),
        "files": sorted(p for p in FILES.iterdir() if p.suffix in {".pdf", ".xlsx", ".docx"}),
    }
    if seeds is not None:
        parts["seeds"] = sorted(seeds.glob("*.txt"))
    return parts


def _hash(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _named(form: dict) -> dict:
    """The form with its source file by name only."""
    if form.get("source"):
        form = {**form, "source": {**form["source"], "file": Path(form["source"]["file"]).name}}
    return form


def answers(path: Path) -> dict[str, Any]:
    """Each form of one file: a hash of each command's answer, and of each of its keys."""
    runner = CliRunner()
    out: dict[str, Any] = {}
    for command in COMMANDS:
        result = runner.invoke(app, [command, "--json", str(path)])
        assert result.exit_code in (0, 1), f"{command} {path.name}: {result.output}"
        for n, form in enumerate(json.loads(result.stdout)):
            form = _named(form)
            pinned = out.setdefault(f"{path.name}#{n}", {})
            pinned[command] = _hash(form)
            pinned[f"{command}-keys"] = {key: _hash(value) for key, value in form.items()}
    return out


def pinned(files: list[Path]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in files:
        out.update(answers(path))
    return out


def main() -> None:
    from tests.conftest import SEEDS

    seeds = SEEDS if SEEDS.is_dir() else None
    if seeds is None:
        raise SystemExit(f"seed forms not found at {SEEDS}: the golden file needs them")
    golden = {part: pinned(files) for part, files in corpus(seeds).items()}
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{GOLDEN}: {sum(len(v) for v in golden.values())} forms")


if __name__ == "__main__":
    main()
