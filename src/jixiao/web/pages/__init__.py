"""The web pages (页面): sign in, lists, the form to fill in, review and history.

Server-rendered Django templates with htmx 2 served from this app's static
files (nothing loads from the internet). Views are thin: the workflow and the
permissions are :mod:`jixiao.web.evaluations.actions` (the aggregates its
:mod:`~jixiao.web.evaluations.selectors`), the figures and the
findings :mod:`jixiao.domain`.
"""
