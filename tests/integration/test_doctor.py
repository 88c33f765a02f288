"""``jixiao doctor``: each part found present where it is and missing where it is
not, with what it affects and the command that adds it; exit 1 when one is missing.

Run as a child process (as a user runs it), with PATH and FONTCONFIG_FILE set to
take parts away, and a data directory made and migrated by ``jixiao`` itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def doctor(data_dir: Path, **env: str) -> tuple[int, dict[str, dict]]:
    done = subprocess.run(
        [sys.executable, "-m", "jixiao", "doctor", "--json", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env={k: v for k, v in {**os.environ, **env}.items() if k != "DATABASE_URL"},
        timeout=120,
    )
    answer = json.loads(done.stdout)
    parts = {p["key"]: p for p in answer["parts"]}
    assert answer["ok"] is all(p["present"] for p in parts.values())
    assert done.returncode == (0 if answer["ok"] else 1), done.stderr
    return done.returncode, parts


@pytest.fixture(scope="module")
def ready(tmp_path_factory) -> Path:
    """A data directory as ``jixiao serve`` leaves it: secret key and a migrated database."""
    data = tmp_path_factory.mktemp("data") / "jixiao-data"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from jixiao.web import server; "
            "server.prepare(Path(sys.argv[1])); server.migrate()",
            str(data),
        ],
        check=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    return data


def test_a_ready_data_directory_and_its_database_are_present(ready):
    _, parts = doctor(ready)
    assert parts["data.dir"]["present"] and parts["database"]["present"]
    assert "迁移均已执行" in parts["database"]["detail"]
    assert parts["fonts.shipped"]["present"] and parts["pdf.engine"]["present"]


def test_a_missing_data_directory_is_missing_and_nothing_is_made(tmp_path):
    code, parts = doctor(tmp_path / "nowhere")
    assert code == 1
    assert not parts["data.dir"]["present"] and not parts["database"]["present"]
    assert parts["database"]["fix"] == "jixiao serve --demo"
    assert not (tmp_path / "nowhere").exists()


def test_a_secret_key_others_can_read_is_a_problem(ready, tmp_path):
    key = ready / "secret_key"
    old = key.stat().st_mode
    key.chmod(0o644)
    try:
        _, parts = doctor(ready)
    finally:
        key.chmod(old)
    assert not parts["data.dir"]["present"]
    assert parts["data.dir"]["fix"] == f"chmod 600 {key}"


def test_tools_off_the_path_are_missing_with_their_package(ready, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    code, parts = doctor(ready, PATH=str(empty))
    assert code == 1
    for key, package in [("poppler", "poppler-utils"), ("postgresql.client", "postgresql-client")]:
        assert not parts[key]["present"], key
        assert parts[key]["fix"].endswith(package)
        assert parts[key]["affects"]


def test_tools_on_the_path_are_present(ready):
    _, parts = doctor(ready)
    for key, program in [("poppler", "pdftotext"), ("postgresql.client", "pg_dump")]:
        assert parts[key]["present"] == all(
            any((Path(d) / p).exists() for d in os.environ["PATH"].split(os.pathsep))
            for p in ([program, "pdffonts"] if key == "poppler" else [program, "psql"])
        )


def test_system_cjk_fonts_missing_under_a_fontconfig_without_fonts(ready, tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}</cachedir></fontconfig>',
        encoding="utf-8",
    )
    _, parts = doctor(ready, FONTCONFIG_FILE=str(conf))
    assert not parts["fonts.system"]["present"]
    assert parts["fonts.system"]["fix"].endswith("fonts-noto-cjk")
    assert parts["fonts.shipped"]["present"]  # the PDF export still works


def test_the_compiled_core_is_reported_as_it_is(ready):
    import jixiao.domain.scoring

    _, parts = doctor(ready)
    compiled = not jixiao.domain.scoring.__file__.endswith(".py")
    assert parts["core.compiled"]["present"] is compiled
