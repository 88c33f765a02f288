"""Reads that aggregate, over the indexed columns every write fills
(:mod:`jixiao.web.evaluations.actions.columns`): the roll-up (:mod:`.rollup`), the
dashboards (:mod:`.dashboards`), 催报 progress (:mod:`.progress`) and the attention list
(:mod:`.attention`). Database aggregates (GROUP BY, filtered counts), never loops over
forms in Python; they write nothing."""
