"""Running the year (年度绩效自评的组织): the self-evaluation task a bureau issues (任务下达),
each role's things to do (待办), reminders (催报), bulk review, two review levels, spot checks
(抽查) and the results ledger (结果应用). The organisation tree, accounts and projects are
administered in :mod:`jixiao.web.manage`."""

from django.apps import AppConfig


class YearConfig(AppConfig):
    name = "jixiao.web.year"
    label = "year"
    verbose_name = "年度组织"

    def ready(self) -> None:
        from jixiao.web.evaluations import states
        from jixiao.web.year import models, reminders  # noqa: F401  (registers year.reminders)
        from jixiao.web.year.states import entry, notice, policy, task

        states.protect("yeartask", models.SelfEvaluationTask, task, "自评任务")
        states.protect("notice", models.Notice, notice, "通知")
        states.protect("ledgerpolicy", models.LedgerPolicy, policy, "结果应用规则")
        states.protect("ledgerentry", models.LedgerEntry, entry, "结果应用台账")
