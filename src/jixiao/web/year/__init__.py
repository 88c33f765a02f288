"""Running the year (年度绩效自评的组织): the self-evaluation task a bureau issues (任务下达),
each role's things to do (待办), reminders (催报), bulk review, two review levels, spot checks
(抽查) and the results ledger (结果应用). The organisation tree, accounts and projects are
administered in :mod:`jixiao.web.manage`."""
