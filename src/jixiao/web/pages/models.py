"""The pages app keeps no models: the evidence files it shows are
:class:`jixiao.web.evaluations.models.Evidence` (moved there by migration
``evaluations/0007_evidence``; this app's ``0002`` drops them from its state)."""
