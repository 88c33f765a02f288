"""Running the year (年度绩效自评的组织): the organisation tree, accounts and projects in the
product's own pages, the self-evaluation task a bureau issues (任务下达), each role's things to
do (待办), reminders (催报), bulk review, two review levels, spot checks (抽查) and the results
ledger (结果应用)."""
