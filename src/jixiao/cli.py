"""The command line: ``jixiao import / score / check / export / samples / templates``.

With ``--json`` stdout carries only JSON; messages and progress go to stderr.
Exit codes: 0 done (field problems included); 1 ``score`` found a printed
figure that contradicts the rules, or ``check`` an error-level finding; 2 some
input could not be read at all (2 wins; the readable files are still printed);
3 ``export`` could not write the output folder or a file; 4 ``export --to pdf``
refused a form with a character no font on the machine can draw (it would
print as an empty box; 2 and 3 win over 4). The other forms are still written.
"""

from __future__ import annotations

import csv
import importlib
import json as jsonlib
import os
import sys
import time
from collections.abc import Iterator
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from jixiao.cli_help import FORMATS, Command, Group
from jixiao.writers import Format, WriteError

# Everything else is imported when a command first needs it: ``jixiao --help`` loads
# only typer, this module and the writers' formats (docs/cli.md: at most 150 ms).
if TYPE_CHECKING:
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Table

    from jixiao import samples as bundled
    from jixiao import templates
    from jixiao.contract.json import dumps, evaluation_dict, figure
    from jixiao.domain.audit import Finding
    from jixiao.domain.model import Evaluation
    from jixiao.domain.recompute import Check
    from jixiao.domain.template import Template
    from jixiao.services import batch
    from jixiao.writers import file_names, output_dir
    from jixiao.writers.cells import defuse
    from jixiao.writers.findings import counts_by_code, result_dict, where_text, write_report
    from jixiao.writers.scores import check_dict, score_dict
else:

    def _lazy(module: str, name: str):
        """``module.name``, imported when first called: what only some commands use
        is not loaded for the others, nor for ``jixiao --help`` (which must be quick)."""

        def call(*args, **kwargs):
            return getattr(importlib.import_module(module), name)(*args, **kwargs)

        call.__name__ = call.__qualname__ = name
        return call

    class _Module:
        """A module imported when one of its names is first used."""

        def __init__(self, name: str):
            self._name = name

        def __getattr__(self, attr: str):
            return getattr(importlib.import_module(self._name), attr)

    bundled, templates, batch = (
        _Module(name) for name in ("jixiao.samples", "jixiao.templates", "jixiao.services.batch")
    )
    escape = _lazy("rich.markup", "escape")
    BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn = (
        _lazy("rich.progress", name)
        for name in (
            "BarColumn",
            "MofNCompleteColumn",
            "Progress",
            "TextColumn",
            "TimeRemainingColumn",
        )
    )
    Table = _lazy("rich.table", "Table")
    dumps, evaluation_dict, figure = (
        _lazy("jixiao.contract.json", name) for name in ("dumps", "evaluation_dict", "figure")
    )
    file_names, output_dir = (
        _lazy("jixiao.writers", name) for name in ("file_names", "output_dir")
    )
    defuse = _lazy("jixiao.writers.cells", "defuse")
    counts_by_code, result_dict, where_text, write_report = (
        _lazy("jixiao.writers.findings", name)
        for name in ("counts_by_code", "result_dict", "where_text", "write_report")
    )
    check_dict, score_dict = (
        _lazy("jixiao.writers.scores", name) for name in ("check_dict", "score_dict")
    )


class _Console:
    """A rich Console made when first used (rich takes a while to load; the help needs none)."""

    def __init__(self, stderr: bool = False):
        self._stderr = stderr
        self._made: Console | None = None

    @property
    def console(self) -> Console:
        if self._made is None:
            from rich.console import Console

            made = Console(stderr=self._stderr, highlight=False, soft_wrap=True)
            if not self._stderr and not made.is_terminal:  # piped: do not squeeze tables
                made = Console(highlight=False, soft_wrap=True, width=160)  # into 80 columns
            self._made = made
        return self._made

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


app = typer.Typer(
    cls=Group,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # click's plain help, laid out by cli_help (rich's is slow to load)
    help="jixiao（绩效）：读取、计分、审核财政项目支出绩效自评表。",
)
command = partial(app.command, cls=Command)
"""``@command()`` declares a command (``app.command`` with its help laid out by cli_help)."""
out = _Console()
err = _Console(stderr=True)

EXIT_DIFFERS = 1
EXIT_UNREADABLE = 2
EXIT_UNWRITABLE = 3
EXIT_UNDRAWABLE = 4

Files = Annotated[
    list[Path],
    typer.Argument(help=f"自评表文件或文件夹（{FORMATS}；按内容识别）", show_default=False),
]
Json = Annotated[bool, typer.Option("--json", help="只在标准输出写 JSON")]
TemplateOpt = Annotated[str | None, typer.Option("--template", help="模板 ID（默认按内容识别）")]


class RoundingName(str, Enum):
    """--rounding's choices: the values of ``domain.template.Rounding`` (a test keeps
    them the same), named here so that the help does not load the domain."""

    DOWN = "down"
    HALF_UP = "half-up"
    UP = "up"


class SeverityName(str, Enum):
    """--min-severity's choices: the values of ``domain.audit.Severity`` (a test keeps
    them the same), named here so that the help does not load the audit."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


RoundingOpt = Annotated[
    RoundingName | None, typer.Option("--rounding", help="舍入方式，覆盖模板设置")
]


class Run:
    """Reads the files and folders of one command, accounting for every file:
    read, rejected (with its reason on stderr) or a duplicate of another."""

    def __init__(
        self,
        template_id: str | None,
        rounding: RoundingName | None = None,
        workers: int = 1,
        quiet_rejects: bool = False,
    ):
        if template_id is not None and template_id not in templates.ids():
            err.print(f"jixiao: 没有模板 {template_id!r}（可用：{', '.join(templates.ids())}）")
            raise typer.Exit(EXIT_UNREADABLE)
        self.template_id = template_id
        self.rounding = None
        if rounding is not None:
            from jixiao.domain.template import Rounding

            self.rounding = Rounding(rounding.value)
        self.workers = workers
        self.quiet_rejects = quiet_rejects
        self.tally = batch.Tally()
        self.rejects: list[
            tuple[str, str]
        ] = []  # (file, reason), duplicates and hidden files included
        self.rejects_sink: TextIO | None = (
            None  # the --rejects CSV, written row by row as files fail
        )

    def keep_rejects(self, path: Path) -> None:
        """Write each reject to ``path`` as it happens (a header first, each row flushed),
        so an import that is killed leaves the rows of the files it had refused."""
        self.rejects_sink = _open_for_writing(path)
        csv.writer(self.rejects_sink).writerow(["文件", "原因"])
        self.rejects_sink.flush()

    def reject(self, path: str, reason: str) -> None:
        self.rejects.append((path, reason))
        if self.rejects_sink is not None:
            csv.writer(self.rejects_sink).writerow((defuse(path), defuse(reason)))
            self.rejects_sink.flush()

    def close(self) -> None:
        if self.rejects_sink is not None:
            self.rejects_sink.close()
            self.rejects_sink = None

    @property
    def unreadable(self) -> int:
        return self.tally.rejected

    def results(self, inputs: list[Path]) -> Iterator[batch.FileResult]:
        files, self.tally.ignored = batch.collect(inputs)
        for path in self.tally.ignored:
            self.reject(path, "隐藏文件或临时文件，未读取")
        for result in _with_progress(
            batch.read_batch(files, self.template_id, self.workers), len(files), self.tally
        ):
            if result.rejected:
                reason = result.error or "无法读取"
                self.reject(result.path, reason)
                if not self.quiet_rejects:
                    err.print(f"jixiao: {escape(result.path)}: {escape(reason)}")
            for skipped in result.skipped:
                if not self.quiet_rejects:
                    err.print(
                        f"jixiao: {escape(result.path)}: 跳过工作表「{escape(skipped.sheet)}」："
                        f"{escape(skipped.reason)}"
                    )
            if result.duplicate_of:
                self.reject(result.path, f"与 {result.duplicate_of} 内容相同，按重复文件只计一次")
            yield result

    def forms(self, inputs: list[Path]) -> Iterator[Evaluation]:
        for result in self.results(inputs):
            yield from result.forms

    def template(self, ev: Evaluation) -> Template:
        template = templates.load(ev.template)
        return template.with_rounding(self.rounding) if self.rounding else template


def _with_progress(
    results: Iterator[batch.FileResult], total: int, tally: batch.Tally
) -> Iterator[batch.FileResult]:
    """A progress bar on stderr (files, forms, rejects, rate) for a terminal and more than one file."""
    if total < 2 or not err.is_terminal:
        for result in results:
            tally.add(result)
            yield result
        return
    columns = (
        TextColumn("读取"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "文件 · {task.fields[forms]} 张表 · 拒收 {task.fields[rejected]} · 重复 {task.fields[dups]}"
        ),
        TextColumn("· {task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err.console, transient=True) as progress:
        task = progress.add_task("读取", total=total, forms=0, rejected=0, dups=0, rate="")
        for result in results:
            tally.add(result)
            speed = progress.tasks[0].speed
            progress.update(
                task,
                advance=1,
                forms=tally.forms,
                rejected=tally.rejected,
                dups=tally.duplicates,
                rate=f"{speed:.0f} 文件/秒" if speed else "",
            )
            yield result


@command("import")
def import_(
    files: Files,
    json: Json = False,
    template: TemplateOpt = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="并行读取的进程数")] = 1,
    json_out: Annotated[
        Path | None, typer.Option("--json-out", help="每张表一行 JSON 写入此文件（JSONL）")
    ] = None,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="拒收、重复文件清单写入此 CSV")
    ] = None,
) -> None:
    """读取自评表（文件或文件夹），输出统一的数据模型。"""
    run = Run(template, workers=workers, quiet_rejects=rejects is not None)
    if rejects is not None:
        run.keep_rejects(rejects)
    sink = _open_for_writing(json_out) if json_out else None
    forms: list[Evaluation] = []
    dicts: list[dict] = []
    started = time.perf_counter()
    try:
        for result in run.results(files):
            if sink:
                sink.writelines(dumps_line(form_dict(ev, result)) + "\n" for ev in result.forms)
                sink.flush()
            else:
                forms.extend(result.forms)
                if json:
                    dicts.extend(form_dict(ev, result) for ev in result.forms)
    except KeyboardInterrupt:
        err.print("jixiao: 已中断。" + _summary(run, time.perf_counter() - started))
        raise typer.Exit(130) from None
    finally:
        run.close()
        if sink:
            sink.close()
    if json:
        print(dumps(dicts))
    elif not sink:
        _print_forms(forms)
    err.print(_summary(run, time.perf_counter() - started))
    raise typer.Exit(EXIT_UNREADABLE if run.unreadable else 0)


def form_dict(ev: Evaluation, result: batch.FileResult) -> dict:
    """A form as the JSON contract, and, when it came from a workbook with sheets
    that are not forms, ``source.skipped_sheets``: ``[{"sheet", "reason"}]``."""
    data = evaluation_dict(ev)
    if result.skipped and data.get("source") is not None:
        data["source"]["skipped_sheets"] = [
            {"sheet": s.sheet, "reason": s.reason} for s in result.skipped
        ]
    return data


def _open_for_writing(path: Path):
    try:
        return path.open("w", encoding="utf-8")
    except OSError as error:
        err.print(f"jixiao: 无法写入 {escape(str(path))}：{error.strerror or error}")
        raise typer.Exit(EXIT_UNWRITABLE) from None


def dumps_line(obj) -> str:
    return jsonlib.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _summary(run: Run, seconds: float) -> str:
    t = run.tally
    rate = f"，{t.forms / seconds:,.0f} 张表/秒" if seconds > 0 and t.forms else ""
    ignored = f"；隐藏文件 {len(t.ignored)} 个未读" if t.ignored else ""
    sheets = f"；跳过不是自评表的工作表 {t.sheets_skipped} 个" if t.sheets_skipped else ""
    return (
        f"共 {t.files} 个文件：读出 {t.forms} 张表；拒收 {t.rejected} 个；重复 {t.duplicates} 个"
        f"{sheets}{ignored}。用时 {seconds:.1f} 秒{rate}。"
    )


def _print_forms(forms: list[Evaluation]) -> None:
    table = Table(
        "文件", "表序", "项目名称", "单位", "全年预算数", "执行率(%)", "总分", "等级", "问题"
    )
    for ev in forms:
        f = ev.funding
        unit = f.unit.value if f.unit else ""
        table.add_row(
            escape(Path(ev.source.file).name) if ev.source else "—",
            str(ev.source.form_index + 1) if ev.source else "",  # people count from 1
            escape(ev.subject or "—"),
            escape(ev.project.unit or "—"),
            f"{figure(f.total.annual_budget) or '—'} {unit}",
            figure(f.total.execution_rate) or "—",
            figure(ev.total) or "—",
            ev.grade or "—",
            str(len(ev.problems)) if ev.problems else "",
        )
    out.print(table)
    for ev in forms:
        for p in ev.problems:
            raw = (
                f"（原文：{p.raw.replace(chr(9), '⇥').replace(chr(10), '⏎')}）" if p.raw else ""
            )  # cells ⇥, lines ⏎
            out.print(f"{escape(_where(ev))} {p.field}: {escape(p.message + raw)}")


@command()
def score(
    files: Files, json: Json = False, template: TemplateOpt = None, rounding: RoundingOpt = None
) -> None:
    """按模板规则重算每个可计算的数字，与表上所印的对照并说明算法。"""
    from jixiao.domain.recompute import Status, recompute

    run = Run(template, rounding)
    results = [(ev, recompute(ev, run.template(ev))) for ev in run.forms(files)]
    if json:
        print(dumps([score_dict(ev, checks) for ev, checks in results]))
    else:
        for ev, checks in results:
            _print_checks(ev, checks, run.template(ev))
        _print_rounding_summary(results)
    differs = any(c.status is Status.DIFFERS for _, checks in results for c in checks)
    raise typer.Exit(EXIT_UNREADABLE if run.unreadable else EXIT_DIFFERS if differs else 0)


_STATUS_MARK = {
    "match": "[green]✓[/]",
    "differs": "[bold red]✗[/]",
    "not_printed": "[yellow]?[/]",
    "not_computable": "[dim]-[/]",
}
"""A ``recompute.Status``'s mark, by its value."""
_RELATION = {"match": "=", "differs": "≠", "not_printed": "→", "not_computable": " "}
"""Printed against computed, by the ``Status``'s value."""


def _where(ev: Evaluation) -> str:
    """The file and the form's place in it ("a.pdf 第 2 张"), as the messages name a form."""
    # people count from 1 (第 1 张); the JSON's form_index counts from 0
    return f"{ev.source.file} 第 {ev.source.form_index + 1} 张" if ev.source else "（来源未知）"


def _print_checks(ev: Evaluation, checks: list[Check], template: Template) -> None:
    """One line a figure: mark, field, printed vs computed, the arithmetic."""
    name = ev.subject or "（无项目名称）"
    out.print(
        f"[bold]{escape(name)}[/] — {escape(_where(ev))}（{template.id}，{template.rounding.label}）"
    )
    for c in checks:
        d = check_dict(c)
        computed = d["computed"] or ("–".join(d["range"]) if d["range"] else "")
        note = c.figure.explanation
        others = {
            m: v
            for m, v in c.by_rounding.items()
            if m is not template.rounding and v != c.figure.value
        }
        if others:
            note += "（" + "，".join(f"按{m.label}为 {figure(v)}" for m, v in others.items()) + "）"
        if c.status == "differs" and c.fitting_modes:
            note += f"；表上的数符合「{'、'.join(m.label for m in c.fitting_modes)}」"
        figures = f"{d['printed'] or '（空）'} {_RELATION[c.status.value]} {computed}"
        out.print(
            f"  {_STATUS_MARK[c.status.value]} {c.field:<40} {escape(figures):<22} {escape(note)}"
        )
    out.print()


def _print_rounding_summary(results: list[tuple[Evaluation, list[Check]]]) -> None:
    from jixiao.domain.recompute import Status
    from jixiao.domain.template import Rounding

    cut = [c for _, checks in results for c in checks if c.by_rounding and c.status is Status.MATCH]
    differ = [c for c in cut if c.by_rounding.get(Rounding.HALF_UP) != c.printed]
    forms = {id(ev) for ev, checks in results for c in checks if c in differ}
    if cut:
        out.print(
            f"舍入：{len(cut)} 个执行率/得分与表上一致；其中 {len(differ)} 个（{len(forms)} 张表）"
            "若按四舍五入会印成不同的数。"
        )


MinSeverity = Annotated[
    SeverityName, typer.Option("--min-severity", help="只列出此级别及以上：error、warning、info")
]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="另写审核报告：out.xlsx 或 out.html")
]


@command()
def check(
    files: Files,
    json: Json = False,
    min_severity: MinSeverity = SeverityName.INFO,
    template: TemplateOpt = None,
    rounding: RoundingOpt = None,
    report: ReportOpt = None,
) -> None:
    """审核自评表：找出前后矛盾、违反规则和缺漏之处，指明字段并给出依据。"""
    if report is not None and report.suffix.lower() not in (".xlsx", ".html", ".htm"):
        err.print(f"jixiao: 审核报告只能写成 .xlsx 或 .html：{escape(str(report))}")
        raise typer.Exit(EXIT_UNREADABLE)
    from jixiao.domain.audit import AuditSettingError, Severity, audit, audit_batch

    least = Severity(min_severity.value).rank
    run = Run(template, rounding)
    started = time.perf_counter()
    try:
        forms = list(run.forms(files))
        across = audit_batch(forms, run.template)  # 跨表: what only the batch shows
        results = [
            (
                ev,
                [f for f in audit(ev, run.template(ev)) + more if f.severity.rank >= least],
            )
            for ev, more in zip(forms, across)
        ]
    except AuditSettingError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    if json:
        print(dumps([result_dict(ev, found) for ev, found in results]))
    else:
        for ev, found in results:
            _print_findings(ev, found)
    if report is not None:
        try:
            write_report(results, report)
        except OSError as error:
            err.print(f"jixiao: 无法写入 {escape(str(report))}：{error.strerror or error}")
            raise typer.Exit(EXIT_UNREADABLE) from None
        err.print(f"审核报告已写入 {escape(str(report))}")
    _print_check_summary(results, _summary(run, time.perf_counter() - started))
    errors = any(f.severity is Severity.ERROR for _, found in results for f in found)
    raise typer.Exit(EXIT_UNREADABLE if run.unreadable else EXIT_DIFFERS if errors else 0)


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
"""A ``Severity``'s style, by its value."""


def _print_findings(ev: Evaluation, found: list[Finding]) -> None:
    """A form's findings: level, field and where it was read, message, then the figures."""
    from jixiao.domain.audit import Severity

    name = ev.subject or "（无项目名称）"
    head = f"[bold]{escape(name)}[/] — {escape(_where(ev))}（{ev.template}）"
    if not found:
        out.print(f"{head}  [green]✓ 未发现问题[/]")
        out.print()
        return
    tally = "，".join(
        f"{s.label} {n}" for s in Severity if (n := sum(f.severity is s for f in found))
    )
    out.print(f"{head}  {tally}")
    for f in found:
        where = where_text(ev, f.field)
        out.print(
            f"  [{_SEVERITY_STYLE[f.severity.value]}]{f.severity.label}[/] {escape(f.field)}"
            f"{'（' + where + '）' if where else ''} [dim]{f.code}[/]"
        )
        out.print(f"      {escape(f.message)}")
        figures = []
        if f.expected is not None:
            figures.append(f"表上 {f.printed or '（空）'} → 应为 {f.expected}")
        if f.explanation:
            figures.append(f.explanation)
        if figures:
            out.print(f"      [dim]{escape('；'.join(figures))}[/]")
    out.print()


def _print_check_summary(results: list[tuple[Evaluation, list[Finding]]], read: str) -> None:
    """The files read (as import says it), forms with errors, findings per code."""
    with_errors = sum(1 for _, found in results if any(f.severity == "error" for f in found))
    err.print(read)
    err.print(f"审核 {len(results)} 张自评表，{with_errors} 张有错误。")
    counts = counts_by_code(results)
    if counts:
        err.print("审核意见按代码：" + "，".join(f"{code} {n}" for code, n, _ in counts))


@command()
def export(
    files: Files,
    to: Annotated[
        Format | None,
        typer.Option("--to", help="输出格式（不用 --merged 时必须指定）", show_default=False),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--out",
            help="输出目录（不存在则创建；不用 --merged 时必须指定）",
            show_default=False,
        ),
    ] = None,
    template: TemplateOpt = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="并行读取与写出的进程数（PDF 宜设为 CPU 核数）")
    ] = 1,
    merged: Annotated[
        Path | None,
        typer.Option(
            "--merged",
            help="把全部表按次序合成一个 PDF 写到此文件（打印用；每张表自编页码），代替 --to、-o",
            show_default=False,
        ),
    ] = None,
) -> None:
    """按官方版式导出自评表（xlsx、PDF、docx），或导出 json、csv：每张表一个文件，以项目名称命名。"""
    if merged is not None:
        if out_dir is not None or (to is not None and to is not Format.PDF):
            raise typer.BadParameter("--merged 写一个 PDF，不与 -o 或 --to pdf 以外的格式同用")
        _export_merged(Run(template, workers=workers), files, merged, workers)
    if to is None or out_dir is None:
        missing = "--to" if to is None else "-o/--out"
        raise typer.BadParameter(f"缺少 {missing}（或用 --merged 合成一个 PDF）")
    run = Run(template, workers=workers)
    try:
        folder = output_dir(out_dir)
    except WriteError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNWRITABLE) from None
    forms = list(run.forms(files))
    jobs = [(ev, str(folder / name)) for ev, name in zip(forms, file_names(forms, to))]
    written = failed = undrawable = 0
    for done in _writing(batch.write_batch(jobs, to, workers), len(jobs)):
        if done.error is not None:
            undrawable += done.undrawable
            failed += not done.undrawable
            err.print(f"jixiao: {escape(done.error)}")
            continue
        written += 1
        print(done.path)
    err.print(
        f"已导出 {written} 个文件到 {escape(str(folder))}"
        + (f"，{failed + undrawable} 个失败" if failed + undrawable else "")
    )
    raise typer.Exit(_export_exit(run, failed, undrawable))


def _export_exit(run: Run, failed: int, undrawable: int) -> int:
    """An export's exit code: 2 some input unreadable, 3 a file not written, 4 a form
    refused for a character no font has (2 and 3 win)."""
    if run.unreadable:
        return EXIT_UNREADABLE
    return EXIT_UNWRITABLE if failed else EXIT_UNDRAWABLE if undrawable else 0


def _export_merged(run: Run, files: list[Path], target: Path, workers: int) -> None:
    """export --merged: every form read, in order, as one PDF at ``target``; exits."""
    try:
        output_dir(target.parent)
        if target.is_dir():
            raise WriteError(str(target), "已存在同名文件夹，不是文件")
    except WriteError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNWRITABLE) from None
    forms = list(run.forms(files))
    printed = pages = failed = undrawable = 0
    try:
        for done in _writing(batch.write_merged(forms, str(target), workers), len(forms)):
            if done.error is not None:
                undrawable += done.undrawable
                failed += not done.undrawable
                err.print(f"jixiao: {escape(done.error)}")
                continue
            printed += 1
            pages += done.pages
    except WriteError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNWRITABLE) from None
    if printed:
        print(target)
    err.print(
        f"已把 {printed} 张表合成 {escape(str(target))}（共 {pages} 页）"
        if printed
        else "没有可合成的表，未写出文件"
    )
    if failed + undrawable:
        err.print(f"{failed + undrawable} 张表未能合成")
    raise typer.Exit(_export_exit(run, failed, undrawable))


def _writing(results: Iterator[batch.Written], total: int) -> Iterator[batch.Written]:
    """A progress bar on stderr while files are written, for a terminal and more than one file."""
    if total < 2 or not err.is_terminal:
        yield from results
        return
    columns = (TextColumn("导出"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err.console, transient=True) as progress:
        task = progress.add_task("导出", total=total)
        for result in results:
            yield result
            progress.advance(task)


@command()
def samples() -> None:
    """列出随软件附带的示例自评表的路径。"""
    for path in bundled.paths():
        print(path)


@command("templates")
def list_templates() -> None:
    """列出可用的模板：ID、名称、表的种类（项目支出、转移支付、部门整体支出）与舍入方式。"""
    for template_id in templates.ids():
        t = templates.load(template_id)
        print(f"{t.id}\t{t.name}\t{t.kind.label}（{t.kind.value}）\t舍入：{t.rounding.value}")


DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="JIXIAO_DATA_DIR",
        help="数据目录（SQLite 数据库与密钥；设 DATABASE_URL 则用 PostgreSQL）",
    ),
]


@command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址（0.0.0.0 为所有网卡）")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    data_dir: DataDir = Path("jixiao-data"),
    demo: Annotated[
        bool, typer.Option("--demo", help="创建演示组织、账号并载入示例自评表")
    ] = False,
    threads: Annotated[int, typer.Option(help="工作线程数")] = 8,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="同时启动一个后台任务进程（默认；另有 jixiao worker 时可关闭）",
        ),
    ] = True,
) -> None:
    """启动网页系统（waitress）与一个后台任务进程，先执行数据库迁移。"""
    from jixiao.web import server  # Django loads only for the web commands

    try:
        server.prepare(data_dir, host)
    except server.StartError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    server.migrate()
    if demo:
        _load_demo()
    err.print(f"jixiao：数据目录 {data_dir.resolve()}；访问 http://{host}:{port}/ （Ctrl+C 停止）")
    from jixiao.web.tasks import process

    beside = process.start_worker(data_dir) if worker else None
    if beside is not None:  # SIGTERM stops the server through ``finally``, the worker too
        import signal

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve(host, port, threads)
    except server.StartError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    finally:
        if beside is not None:
            process.stop_worker(beside)


@command("worker")
def worker_command(
    data_dir: DataDir = Path("jixiao-data"),
    once: Annotated[
        bool, typer.Option("--once", help="运行到期的任务后退出（不等待新任务）")
    ] = False,
    poll: Annotated[float, typer.Option(help="无任务时每隔几秒查看一次队列")] = 1.0,
) -> None:
    """运行后台任务（批量导入、批量导出、定时核验审计链等）：可在多台机器上各启动几个。"""
    _database(data_dir)
    from jixiao.web.tasks import process
    from jixiao.web.tasks.worker import Worker

    process.ensure_schedules()
    working = Worker(poll=poll)
    err.print(f"jixiao：后台任务进程 {working.name} 已启动（Ctrl+C 停止）")
    if once:
        while working.run_once() is not None:
            pass
        return
    working.run(until=process.parent_gone())


def _load_demo() -> None:
    from jixiao.web import demo

    if demo.exists():
        err.print(
            "jixiao：演示数据已存在，未重复创建（账号口令只在首次创建时显示；"
            "忘记口令可用 jixiao passwd 账号 设置新口令）"
        )
        return
    accounts = demo.load()
    table = Table("账号", "口令（仅显示这一次）", "角色", "组织", title="演示账号")
    for a in accounts:
        table.add_row(a.username, a.password, a.role.label, escape(a.organisation))
    out.print(table)


@command()
def demo(
    synthetic: Annotated[
        int | None,
        typer.Option(
            "--synthetic",
            help="生成 N 份合成自评表（合成省份），不指定则载入示例自评表",
            min=1,
            show_default=False,
        ),
    ] = None,
    years: Annotated[str, typer.Option("--years", help="年度，逗号分隔")] = "2022,2023,2024",
    seed: Annotated[int, typer.Option("--seed", help="随机种子（同样的参数生成同样的数据）")] = 0,
    slip_rate: Annotated[
        float, typer.Option("--slip-rate", help="植入差错的自评表比例（0–1）", min=0.0, max=1.0)
    ] = 0.05,
    data_dir: DataDir = Path("jixiao-data"),
) -> None:
    """在网页系统的数据库中创建演示数据：示例自评表，或 --synthetic N 份合成自评表。"""
    from jixiao.web import server

    try:
        server.prepare(data_dir)
    except server.StartError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    server.migrate()
    if synthetic is None:
        _load_demo()
        return
    try:
        chosen = sorted({int(y) for y in years.split(",") if y.strip()})
    except ValueError:
        err.print(f"jixiao: --years 应为逗号分隔的年度，如 2022,2023,2024：{escape(years)}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    _load_province(data_dir, synthetic, chosen, seed, slip_rate)


def _load_province(
    data_dir: Path, count: int, years: list[int], seed: int, slip_rate: float
) -> None:
    from jixiao.web import province

    started = time.perf_counter()
    columns = (
        TextColumn("生成"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("份"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err.console, disable=not err.is_terminal) as bar:
        task = bar.add_task("", total=count)
        try:
            made = province.load(
                count, years, seed, slip_rate, progress=lambda n: bar.advance(task, n)
            )
        except province.ProvinceExists as error:
            err.print(f"jixiao：{escape(str(error))}")
            raise typer.Exit(EXIT_UNREADABLE) from None
    seconds = time.perf_counter() - started
    slips = data_dir / "synthetic-slips.csv"
    with slips.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["evaluation_id", "project_code", "year", "kind"])
        writer.writerows((p.evaluation_id, p.code, p.year, p.kind) for p in made.planted)
    table = Table("账号", "口令（仅显示这一次）", "角色", "组织", title="合成数据账号")
    for a in made.accounts:
        table.add_row(a.username, a.password, a.role.label, escape(a.organisation))
    out.print(table)
    out.print(
        f"已生成 {made.evaluations} 份自评表（{'、'.join(map(str, years))} 年度），"
        f"植入差错 {len(made.planted)} 份，清单见 {escape(str(slips))}；用时 {seconds:.1f} 秒"
    )


@command()
def passwd(
    username: Annotated[str, typer.Argument(help="账号")],
    stdin: Annotated[
        bool, typer.Option("--stdin", help="从标准输入读取新口令（一行），不提示")
    ] = False,
    data_dir: DataDir = Path("jixiao-data"),
) -> None:
    """为账号设置新口令（按系统的口令规则检查；SQLite 或 DATABASE_URL 指定的数据库）。"""
    _database(data_dir)
    from jixiao.web import accounts

    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("新口令", hide_input=True, confirmation_prompt="再输入一次")
    try:
        accounts.set_password(username=username, password=password)
    except accounts.PasswordRefused as error:
        err.print(f"jixiao: 口令未修改：{escape(str(error))}")
        raise typer.Exit(1) from None
    err.print(f"jixiao：账号 {escape(username)} 的口令已更新")


@command()
def doctor(data_dir: DataDir = Path("jixiao-data"), as_json: Json = False) -> None:
    """检查本机的可选部分（字体、编译核心、数据库、数据目录、工具）：缺什么、影响什么、怎样补上。"""
    from jixiao import doctor as checks

    parts = checks.parts(data_dir)
    missing = [p for p in parts if not p.present]
    if as_json:
        print(dumps({"ok": not missing, "parts": [p.as_dict() for p in parts]}))
    else:
        for p in parts:  # one line a part; what it affects and its fix only when missing
            mark = "[green]✓[/]" if p.present else "[red]✗[/]"
            out.print(f"{mark} [bold]{escape(p.name)}[/]：{escape(p.detail)}")
            if not p.present:
                out.print(f"    影响：{escape(p.affects)}")
                if p.fix:
                    out.print(f"    补上：[cyan]{escape(p.fix)}[/]")
        out.print(
            "全部就绪"
            if not missing
            else f"缺少 {len(missing)} 项：" + "、".join(p.name for p in missing)
        )
    raise typer.Exit(1 if missing else 0)


@command("verify-trail")
def verify_trail(
    data_dir: DataDir = Path("jixiao-data"),
    anchor: Annotated[
        str | None,
        typer.Option("--anchor", help="此前由 jixiao trail-anchor 记下的链头，核验它仍在链上"),
    ] = None,
) -> None:
    """核验审计留痕：密钥哈希链（事件被改动、删除或插入），并逐一重算每张自评表、佐证材料、复核得分、错误说明、绩效目标、账号与岗位，与链上记录的状态比对。退出码：0 完整，1 有不符，2 无法核验（没有密钥）。"""
    _database(data_dir)
    from jixiao.web.evaluations.actions.trail import check

    report = check()
    for b in report.breaks:
        out.print(f"[bold red]✗[/] 事件 #{b.id}：{escape(b.reason)}")
    for line in report.differences:
        out.print(f"[bold red]✗[/] {escape(line)}")
    on_chain = anchor is None or report.has(anchor)
    if not on_chain:
        out.print(
            f"[bold red]✗[/] 记下的链头 {escape(str(anchor))} 不在链上（其后的事件被删去或链被重写）"
        )
    if report.breaks or report.differences or not on_chain:
        out.print(
            f"审计链有 {len(report.breaks)} 处断裂，{len(report.differences)} 处数据与链不符"
            f"（共 {report.count} 条事件）"
        )
        raise typer.Exit(EXIT_DIFFERS)
    if report.key_error or report.unverifiable:
        reason = report.key_error or f"{len(report.unverifiable)} 条事件的纪元密钥不在密钥文件中"
        err.print(f"jixiao: 无法核验审计链：{escape(reason)}（不能认定完整）")
        raise typer.Exit(EXIT_UNREADABLE)
    legacy = (
        f"，其中 {report.legacy} 条为启用密钥前的事件（只由公开哈希相连）" if report.legacy else ""
    )
    out.print(
        f"审计链完整：{report.count} 条事件{legacy}，第 {report.epoch} 纪元，"
        f"{report.objects} 个对象与链一致，链头 {report.head}"
    )


@command("recount")
def recount(data_dir: DataDir = Path("jixiao-data")) -> None:
    """重新统计各单位、年度、状态的自评表份数（列表的“共 N 份”与催报进度读它；各项操作随写随记，批量写入或直接改动数据库之后用它重算）。"""
    _database(data_dir)
    from jixiao.web.evaluations.actions import counts

    rows = counts.rebuild()
    out.print(f"已重新统计自评表份数：{rows} 组（单位 × 年度 × 状态）")


@command("trail-anchor")
def trail_anchor(data_dir: DataDir = Path("jixiao-data")) -> None:
    """打印审计链的链头及其时间，留存在系统之外（打印、邮寄），日后用 verify-trail --anchor 核验。"""
    _database(data_dir)
    from jixiao.web.evaluations.actions.trail import head_now

    head, at, count, epoch = head_now()
    when = at.isoformat() if at else "—"
    out.print(f"链头 {head}\n时间 {when}\n事件 {count} 条，第 {epoch} 纪元")


@command("trail-rotate")
def trail_rotate(data_dir: DataDir = Path("jixiao-data")) -> None:
    """更换留痕密钥：在密钥文件末尾加入新密钥（用 JIXIAO_TRAIL_KEY 时先自行把新密钥加在末尾），在链上开始新纪元。旧密钥须保留以核验旧纪元。"""
    _database(data_dir)
    from jixiao.web.evaluations.actions import trail as chain

    try:
        epoch = chain.rotate()
    except chain.TrailKeyError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    out.print(f"已开始第 {epoch} 纪元；请把新密钥同步到每台应用服务器")


def _database(data_dir: Path) -> None:
    """Start Django on an existing database, or exit 2 saying what is missing."""
    from jixiao.web import server

    if not data_dir.is_dir() and not os.environ.get("DATABASE_URL"):
        err.print(f"jixiao: 数据目录 {escape(str(data_dir))} 不存在")
        raise typer.Exit(EXIT_UNREADABLE)
    server.prepare(data_dir)
    if not server.has_tables():
        err.print("jixiao: 数据库尚未初始化（先运行 jixiao serve）")
        raise typer.Exit(EXIT_UNREADABLE)


def _copy(direction: str, file: Path, passphrase: str | None = None) -> None:
    """``backup`` or ``restore`` through jixiao.web.backup, exiting 2 with its message on failure."""
    from jixiao.web import backup as copies

    try:
        getattr(copies, direction)(file, passphrase)
    except copies.BackupError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNREADABLE) from None


def _passphrase(confirm: bool) -> str:
    """The backup passphrase: ``JIXIAO_BACKUP_PASSPHRASE``, or asked for (twice to make one)."""
    if given := os.environ.get("JIXIAO_BACKUP_PASSPHRASE"):
        return given
    return typer.prompt(
        "备份口令", hide_input=True, confirmation_prompt="再输入一次" if confirm else False
    )


BackupFile = Annotated[Path, typer.Argument(help="备份文件", show_default=False)]


@command()
def backup(
    file: BackupFile,
    data_dir: DataDir = Path("jixiao-data"),
    encrypt: Annotated[
        bool,
        typer.Option(
            "--encrypt",
            help="用口令加密备份（AES-256-GCM；口令取自 JIXIAO_BACKUP_PASSPHRASE 或提示输入）",
        ),
    ] = False,
) -> None:
    """备份整个数据库（SQLite 在线备份；PostgreSQL 用 pg_dump），服务运行时也可备份；备份文件仅本用户可读（600）。"""
    _database(data_dir)
    _copy("backup", file, _passphrase(confirm=True) if encrypt else None)
    out.print(f"已备份到 {escape(str(file))}" + ("（已加密）" if encrypt else ""))


@command()
def restore(
    file: BackupFile,
    data_dir: DataDir = Path("jixiao-data"),
    yes: Annotated[bool, typer.Option("--yes", help="不再确认")] = False,
) -> None:
    """用备份替换整个数据库（请先停止服务）；数据目录不存在时先创建并初始化；加密的备份会要求口令。"""
    from jixiao.web import backup as copies
    from jixiao.web import server

    if not file.is_file():
        err.print(f"jixiao: {escape(str(file))}：文件不存在")
        raise typer.Exit(EXIT_UNREADABLE)
    try:
        server.prepare(data_dir)  # a fresh data directory is made, with its key
    except server.StartError as error:
        err.print(f"jixiao: {escape(str(error))}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    server.migrate()
    if not yes and not typer.confirm(f"用 {file} 替换当前全部数据？", err=True):
        raise typer.Exit(1)
    _copy("restore", file, _passphrase(confirm=False) if copies.is_encrypted(file) else None)
    server.migrate()  # a copy made by an older version gets the migrations since
    out.print(f"已从 {escape(str(file))} 恢复；请运行 jixiao verify-trail 核验留痕")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("jixiao: 已中断")
        sys.exit(130)
