"""The web system (Django 5.2 LTS): organisations and accounts, evaluations with
their workflow and audit trail, and the REST API.

Dependencies point inward: this package stores :class:`jixiao.domain.model.Evaluation`
through :func:`jixiao.contract.json.evaluation_dict` and asks the domain for states,
diffs and hashes; the domain never imports Django.
"""

from __future__ import annotations

from os import PathLike

SETTINGS = "jixiao.web.settings"


def setup(data_dir: str | PathLike[str] | None = None) -> None:
    """Configure and start Django for a command-line use (serve, verify-trail)."""
    import os

    if data_dir is not None:
        os.environ["JIXIAO_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()
