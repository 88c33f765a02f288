"""docs/checks.md, generated from the audit's rules so it cannot drift.

    python -m jixiao.writers.checks_doc docs/checks.md

A test fails when the committed file differs from what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jixiao import templates
from jixiao.domain.audit import FAMILIES, RULES
from jixiao.domain.audit.finding import shown
from jixiao.domain.audit.settings import (
    DEFAULT_FAR_ABOVE,
    DEFAULT_FULL_MARKS_EXECUTION,
    DEFAULT_NEAR_COPY,
    DEFAULT_QUALITATIVE_SHARE,
    settings,
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    lines = [
        "# 审核规则（jixiao check）",
        "",
        "<!-- 由 `python -m jixiao.writers.checks_doc docs/checks.md` 从代码生成，请勿手改。 -->",
        "",
        "`jixiao check` 对每张自评表运行下列审核规则。每条审核意见（finding）有稳定的代码（code）、",
        "级别（severity）、所指字段（与 `jixiao import --json` 的字段路径相同，如 `indicators[3].score`）、",
        "中文说明（另附英文 `message_en`），以及依据：表上的数（printed）、应有的数（expected）和计算过程（explanation）。",
        "",
        "级别：**error** 表格自相矛盾或违反规则（有任何 error 时 `jixiao check` 退出码为 1）；",
        "**warning** 很可能有误或不合规则的建议；**info** 值得一看。",
        "",
        "每个模板文件的 `[audit]` 表可以调整级别（`[audit.severity]`，值为 error、warning、info 或 off）和阈值；",
        "模板点名的规则包（`packs`，见 docs/templates.md）可以加上某些地方的规则（总分按执行率封顶等）。",
        "",
        "「跨表」一组只在一次审核多张表时运行（命令行给出多个文件或文件夹；网页上关注清单的「跨表比对」）：",
        "比较的是同一批表之间的文字与指标。",
        "",
    ]
    for family, title in FAMILIES.items():
        lines += [
            f"## {title}（{family}）",
            "",
            "| 代码 | 默认级别 | 名称 | 含义 | 示例 |",
            "|---|---|---|---|---|",
        ]
        for rule in RULES.values():
            if rule.family == family:
                lines.append(
                    f"| `{rule.code}` | {rule.severity.value} | {_cell(rule.title)} | {_cell(rule.meaning)} "
                    f"| {_cell(rule.example_message())} |"
                )
        lines.append("")
    lines += [
        "## 阈值",
        "",
        "| 设置 | 默认 | 含义 |",
        "|---|---|---|",
        f"| `far_above_target` | {shown(DEFAULT_FAR_ABOVE)} | 实际完成值达到年度指标值的这个百分比及以上而未说明原因时提出警告 |",
        f"| `near_copy` | {shown(DEFAULT_NEAR_COPY)} | 实际完成情况与预期目标的相似度（0–1，去掉标点后）达到此值即视为照抄 |",
        f"| `full_marks_execution_below` | {shown(DEFAULT_FULL_MARKS_EXECUTION)} | 执行率（%）低于此值而指标全部满分时提出警告 |",
        f"| `qualitative_share` | {shown(DEFAULT_QUALITATIVE_SHARE)} | 定性指标占指标的这个比例及以上（至少 3 个）且全部满分时提示 |",
        "| `adjustment_reason` | false | 为 true 时，调整后预算数与年初预算数不同须在资金的「原因」栏说明 |",
        "",
        "## 各模板的调整",
        "",
        "| 模板 | 代码 | 级别 |",
        "|---|---|---|",
    ]
    for template_id in templates.ids():
        chosen = settings(templates.load(template_id))
        for code, severity in sorted(chosen.severity.items()):
            lines.append(f"| {template_id} | `{code}` | {severity.value if severity else 'off'} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else Path("docs/checks.md")
    target.write_text(markdown(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
