"""``jixiao --help`` and each command's help: complete (every command with its whole
summary, every option with its help), fitted to the terminal by columns on screen,
and quick because it loads nothing a command would (rich, the domain, the readers)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer.main
from typer.testing import CliRunner

from jixiao import cli, cli_help
from jixiao.cli import app
from jixiao.domain.audit import Severity
from jixiao.domain.template import Rounding
from jixiao.readers import FORMATS, formats_text


def _squashed(text: str) -> str:
    """``text`` without any white space: what wrapping cannot change."""
    return "".join(text.split())


def _program_help(columns: int, *command: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "jixiao", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": str(columns)},
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def _commands():
    group = typer.main.get_command(app)
    return [(name, group.commands[name]) for name in group.list_commands(None)]


@pytest.fixture(scope="module")
def program_help() -> str:
    return _program_help(80)


def test_the_help_lists_every_command_with_its_whole_summary(program_help):
    commands = _commands()
    assert len(commands) >= 16 and {"import", "export", "verify-trail", "restore"} <= {
        name for name, _ in commands
    }
    starts = [line.split()[0] for line in program_help.splitlines() if line.startswith("  ")]
    shown = _squashed(program_help)
    for name, command in commands:
        assert name in starts, name
        summary = command.help.split("\n\n")[0]
        assert _squashed(summary) in shown, name  # in full: never cut with "..." or "…"
    assert "..." not in program_help.split("Commands:")[1] and "…" not in program_help
    assert "jixiao（绩效）：读取、计分、审核财政项目支出绩效自评表。" in program_help


@pytest.mark.parametrize("name", [name for name, _ in _commands()])
def test_a_commands_help_lists_every_option_and_argument_with_its_help(name):
    command = dict(_commands())[name]
    result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    shown = _squashed(result.output)
    assert _squashed(command.help) in shown
    for param in command.params:
        for flag in param.opts + param.secondary_opts:
            if flag.startswith("-"):
                assert flag in result.output, (name, flag)
        help_text = (param.help or "").replace(cli_help.FORMATS, formats_text())
        assert _squashed(help_text) in shown, (name, param.name)
    assert cli_help.FORMATS not in result.output


def test_the_arguments_help_names_every_readable_format():
    result = CliRunner().invoke(app, ["check", "--help"], env={"COLUMNS": "70"})
    shown = _squashed(result.output)
    for kind in FORMATS:
        assert _squashed(kind.what) in shown and all(s in shown for s in kind.suffixes)


@pytest.mark.parametrize("columns", [50, 80, 132])
def test_every_line_of_the_help_fits_the_terminal(columns):
    """A Chinese character takes two columns: click alone measures it as one and
    writes lines twice as wide as the terminal."""
    lines = _program_help(columns).splitlines() + _program_help(columns, "export").splitlines()
    too_wide = [line for line in lines if cli_help.display_width(line) > columns]
    # a single unbreakable word may be wider than a narrow terminal; nothing else
    assert all(len(line.split()) == 1 for line in too_wide), too_wide


def test_lines_break_between_chinese_characters_not_inside_words_nor_before_a_comma():
    text = "导出 json、csv：每张表一个文件（以项目名称命名），verify-trail --anchor 核验。"
    for width in range(8, 40):
        lines = cli_help.wrap(text, width)
        assert _squashed("".join(lines)) == _squashed(text)
        for line in lines:
            assert cli_help.display_width(line) <= width or len(line.split()) == 1
            assert line[:1] not in "，、：）。" and line[-1:] != "（"
        words = {word for line in lines for word in line.split()}
        assert not any(w.endswith(("verify-tr", "--anc", "js")) for w in words), lines
    assert cli_help.display_width("核验 ok（）") == 4 + 1 + 2 + 4


def test_the_help_does_not_load_what_only_commands_use():
    """What makes ``jixiao --help`` quick (bench/bench_help.py times it): none of rich,
    the domain, the readers, the writers' drawing is imported to print it."""
    probe = (
        "import sys\n"
        "sys.argv = ['jixiao', '--help']\n"
        "from jixiao.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(run.stderr.split())
    assert "jixiao.cli" in loaded and "typer" in loaded
    heavy = {
        "rich",
        "markdown_it",
        "pygments",
        "jixiao.domain",
        "jixiao.readers",
        "jixiao.templates",
    }
    heavy |= {"jixiao.services", "jixiao.writers.pdf", "weasyprint", "django"}
    assert not heavy & loaded, heavy & loaded


def test_the_choices_named_in_the_cli_are_the_domains():
    assert [c.value for c in cli.RoundingName] == [r.value for r in Rounding]
    assert [c.value for c in cli.SeverityName] == [s.value for s in Severity]


def test_a_rounding_and_a_severity_chosen_reach_the_domain():
    from jixiao.samples import paths

    sample = str(paths()[0])
    for mode in Rounding:
        scored = CliRunner().invoke(app, ["score", sample, "--rounding", mode.value])
        assert scored.exit_code in (0, 1) and f"，{mode.label}）" in scored.stdout
    everything = CliRunner().invoke(app, ["check", sample, "--json"])
    errors_only = CliRunner().invoke(app, ["check", sample, "--json", "--min-severity", "error"])
    assert everything.stdout.count('"severity"') > errors_only.stdout.count('"severity"')
    assert '"severity": "info"' not in errors_only.stdout
