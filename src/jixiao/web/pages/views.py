"""The pages' views: thin, each one calls the actions (or selectors) and renders a template.

What a user may not see answers 404 (as the API does); a refused step or a
stale save shows the actions' message on the page, with the user's text kept.
"""

from __future__ import annotations

import csv
import functools
import tempfile
from dataclasses import replace
from datetime import datetime
from html import escape  # the same text as Django's escape, no lazy-string check a call
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Q, Subquery, When
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao import templates
from jixiao.contract import paths
from jixiao.contract.json import evaluation_from_dict
from jixiao.domain.carry import next_year
from jixiao.domain.model import Evaluation as DomainForm
from jixiao.domain.workflow import Action, Role, State, editable
from jixiao.readers.base import ReadError
from jixiao.web import render as rendering
from jixiao.web.evaluations import actions, words
from jixiao.web.evaluations.models import (
    FILLED,
    IMPORTED,
    Evaluation,
    Evidence,
    Project,
)
from jixiao.web.evaluations.models import MAX_BYTES as EVIDENCE_MAX
from jixiao.web.evaluations.models import TYPES as EVIDENCE_TYPES
from jixiao.web.evaluations.selectors import counts
from jixiao.web.evaluations.selectors.cached import (
    HEAD,
    cached,
    keep_version,
    request_version,
    version_of,
)
from jixiao.web.evaluations.uploads import MAX_UPLOAD, UPLOAD_TYPES, read_upload
from jixiao.web.manage import year_templates
from jixiao.web.orgs.models import AdminRole, Organisation
from jixiao.web.pages import evidence, labels, sheet
from jixiao.web.requests import SignedInRequest
from jixiao.web.sources.models import SourceFile
from jixiao.web.sources.pages import MAX_FIELDS
from jixiao.writers import Format, UndrawableText, WriteError, safe_name

REVIEW_STATES = (State.SUBMITTED.value, State.RESUBMITTED.value)
REVIEWABLE = {"funding.score"}  # and every indicators[i].score: where 复核 scores go


def _places(request: HttpRequest) -> None:
    """The account's place in the tree (membership and its organisation) and its
    administrator role (三员, or none) read in one query and kept on the user — every page
    reads the first for its scope and the header bar the second, each a query of its own
    otherwise (a round trip each to PostgreSQL on every page, a page seen again too) — and,
    for a GET, the trail's head with them: the data version the page's kept parts are
    looked up under (:func:`~jixiao.web.evaluations.selectors.cached.request_version`)."""
    model, user = get_user_model(), request.user
    rows = model.objects.select_related("membership__organisation", "admin_role")
    reads = request.method in ("GET", "HEAD")
    if reads:
        rows = rows.annotate(
            head_id=Subquery(HEAD.values("id")[:1]), head_hash=Subquery(HEAD.values("hash")[:1])
        )
    fetched: Any = rows.filter(pk=user.pk or 0).first()  # Any: with the annotations
    if fetched is None:
        return
    for name in ("membership", "admin_role"):
        related = getattr(model, name).related
        related.set_cached_value(user, related.get_cached_value(fetched, None))
    if reads:
        keep_version(request, version_of(fetched.head_id, fetched.head_hash))


def page(view):
    """Signed in; a form one may not see is 404; a refused step shows its reason."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        _places(request)
        try:
            return view(request, *args, **kwargs)
        except actions.errors.NotFound:
            raise Http404 from None
        except actions.errors.ServiceError as error:
            return render(
                request, "pages/refused.html", {"message": error.message}, status=error.status
            )

    return wrapped


# Where each administrator (三员) starts: they hold no business role, so no 待办.
ADMIN_HOMES = {"system": "manage:index", "security": "manage:index", "audit": "security_log"}


@page
def home(request: SignedInRequest) -> HttpResponse:
    """Each role's start: its things to do (待办); an administrator's own pages."""
    held = AdminRole.objects.filter(user=request.user).values_list("role", flat=True).first()
    if held in ADMIN_HOMES:
        return redirect(ADMIN_HOMES[held])
    actions.access.membership(request.user)  # refused (403) without a place in the tree
    return redirect("year:todo")


LIST_PER_PAGE = 100
"""Forms a page of the lists (``/forms/``, ``/review/``); the exports hold every form."""

LIST_SORTS = {
    "code": "code",  # the form's copy of its project's code (the index evaluation_list)
    "project": "project__name",
    "unit": "project__unit__name",
    "year": "year",
    "state": "state",
    "submitted": "submitted_at",
    "waiting": "waiting_since",  # more days waiting = submitted earlier: sorted the other way
    "total": "total",
    "grade": "grade",
}
"""The lists' sort keys (``sort=key``, ``sort=-key`` descending) → the column sorted by."""

LIST_COLUMNS = [
    ("code", gettext_lazy("项目编码"), ""),
    ("project", gettext_lazy("项目名称"), ""),
    ("unit", gettext_lazy("实施单位"), ""),
    ("year", gettext_lazy("年度"), "num"),
    ("state", gettext_lazy("状态"), ""),
    ("submitted", gettext_lazy("提交时间"), ""),
    ("waiting", gettext_lazy("待审天数"), "num"),
    ("total", gettext_lazy("总分"), "num"),
    ("grade", gettext_lazy("等级"), ""),
]
"""The lists' columns: sort key, heading, class."""

WAITING_SINCE = Case(
    When(state__in=REVIEW_STATES, then=F("submitted_at")), output_field=DateTimeField()
)
"""Since when a form waits for its review (待审天数): its last submit (``submitted_at``, set by
the submit step), while it is submitted."""


def _filtered(request: SignedInRequest, rows):
    """The list filters: year, department, unit, state, grade and a search by project name or code."""
    got = request.GET
    chosen = {
        k: got.get(k, "").strip() for k in ("year", "department", "unit", "state", "grade", "q")
    }
    if chosen["year"].isdigit():
        rows = rows.filter(year=int(chosen["year"]))
    if chosen["department"].isdigit():
        rows = rows.filter(actions.access.in_department(int(chosen["department"])))
    if chosen["unit"].isdigit():
        rows = rows.filter(project__unit_id=int(chosen["unit"]))
    if chosen["state"] in {s.value for s in State}:
        rows = rows.filter(state=chosen["state"])
    if chosen["grade"]:
        rows = rows.filter(grade=chosen["grade"])
    if chosen["q"]:
        rows = rows.filter(
            Q(project__name__icontains=chosen["q"]) | Q(project__code__icontains=chosen["q"])
        )
    return rows, chosen


def _list_sort(request: SignedInRequest, queue: bool) -> str:
    """The sort asked for, else the list's own: the queue longest waiting first."""
    asked = request.GET.get("sort", "")
    if asked.lstrip("-") in LIST_SORTS:
        return asked
    return "-waiting" if queue else ""


def _ordered(rows, sort: str, queue: bool = False):
    """``rows`` in the order of ``sort`` (empty figures last either way, then by project code
    and year); no sort: latest year first, then by project code. In the review queue every
    form waits, so 待审天数 is its 提交时间 (the index ``evaluation_submitted``)."""
    key = sort.lstrip("-")
    if key not in LIST_SORTS:
        return rows.order_by("-year", "code", "pk")  # the index evaluation_list's order
    if key == "waiting" and not queue:
        rows = rows.annotate(waiting_since=WAITING_SINCE)
    column = F("submitted_at" if key == "waiting" and queue else LIST_SORTS[key])
    descending = sort.startswith("-") != (key == "waiting")
    if key in NEVER_EMPTY:  # plain ASC / DESC: an index read backwards serves the other way
        return rows.order_by(column.desc() if descending else column.asc(), "code", "-year", "pk")
    by = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return rows.order_by(by, "code", "-year", "pk")


NEVER_EMPTY = {"code", "year", "state"}
"""Sort keys of columns that are never NULL: sorted without ``NULLS LAST`` (PostgreSQL reads
``evaluation_by_code`` backwards for ``code DESC``, not for ``code DESC NULLS LAST``)."""


LIST_FIELDS = (
    "pk",
    "year",
    "state",
    "total",
    "grade",
    "project__code",
    "project__name",
    "project__kind",
    "project__unit__name",
    "project__unit__parent__name",
    "submitted_at",
)
"""What a list's line reads (``.values()``: no model instances, none of the JSON columns)."""


INDEXED_SORTS = {"", "code", "total", "submitted"}
"""The lists' sort keys an index of the forms' own columns serves (none: the default order,
``evaluation_list``; ``code``: ``evaluation_by_code``; ``total``: the ``total`` column's, and
on PostgreSQL ``evaluation_total_desc`` for ``-total``; ``submitted``, and the queue's
``waiting``: ``evaluation_submitted``),
so a wide list walks it (:func:`_walked`); any other sort is joined and sorted."""


def _walked(ordered, wide: bool, sort: str = "", queue: bool = False):
    """``ordered`` as the page's ids are read from it. ``wide``: the scope is (nearly) every
    form (the bureau's, unfiltered) — then in the order of the forms' own columns with the
    scope a per-row test (``EXISTS``): both databases walk the index of that order
    (``evaluation_list`` for the default) and stop after the page, instead of joining every
    form to its project and sorting them all. A narrow scope (a department, a filter) is a
    few hundred forms: joined and sorted as asked."""
    indexed = sort.lstrip("-") in INDEXED_SORTS or (queue and sort.lstrip("-") == "waiting")
    if not wide or not indexed:
        return ordered
    scoped = ordered.order_by().filter(pk=OuterRef("pk"))
    return Evaluation.objects.filter(Exists(scoped)).order_by(*ordered.query.order_by)


def _page_rows(walked, start: int, size: int, count: int | None = None) -> list[dict]:
    """One page of ``walked`` (:func:`_walked`) as :data:`LIST_FIELDS`: first the page's ids,
    in order (the sort and the scope read indexed columns and the small project table, not
    the wide rows), then those forms' fields (a hundred rows read, not every form). A page in
    the second half of ``count`` forms (known exactly) is read from the end, in the reverse
    order (every order ends with the id, so it is the same rows): the last page is as near
    as the first."""
    pks = walked.values_list("pk", flat=True)
    if count is not None and start > count // 2:
        end = min(start + size, count)
        ids = list(pks.reverse()[count - end : count - start])[::-1]
    else:
        ids = list(pks[start : start + size])
    rows = Evaluation.objects.filter(pk__in=ids).order_by()
    found = {row["pk"]: row for row in rows.values(*LIST_FIELDS)}
    return [found[pk] for pk in ids if pk in found]


PAGES_AHEAD = 3
"""Pages past the one shown that a wide list (:func:`_walked`) counts its forms up to: its
first pages need no COUNT over every form; the pager links as far, then a gap."""


def _counted(
    request: SignedInRequest, rows, walked, wide: bool, kept: int | None = None
) -> tuple[int, bool]:
    """How many forms the list holds, and whether that is all of them: ``kept``, the kept
    counts' answer (:func:`_kept_count`), when they can tell. Else a wide list counts
    along its index only up to :data:`PAGES_AHEAD` pages past the one asked (a LIMIT); a
    page asked far on (the last page's link), or a narrow list, counts them all."""
    if kept is not None:
        return kept, True
    asked = request.GET.get("page", "")
    number = int(asked) if asked.isdigit() and 0 < int(asked) < 2**31 else 1
    if not wide or number > 1 + PAGES_AHEAD:
        return rows.count(), True
    reach = (number + PAGES_AHEAD) * LIST_PER_PAGE
    seen = walked.order_by()[: reach + 1].count()  # no sort: the first rows any index gives
    return (seen, True) if seen <= reach else (reach, False)


def _kept_count(request: SignedInRequest, chosen: dict, queue: bool) -> int | None:
    """The list's 共 N 份 from the kept counts per unit, year and state
    (:mod:`~jixiao.web.evaluations.selectors.counts`), or ``None`` for a filter they do not
    know (a grade, a search): then the forms are counted."""
    if chosen["grade"] or chosen["q"]:
        return None
    states = {s.value for s in State} - {State.DELETED.value}
    if chosen["state"] in states:
        states = {chosen["state"]}
    elif chosen["state"]:  # a state no list shows
        return 0
    place = actions.access.membership(request.user).organisation
    bureau = place.kind == Organisation.Kind.BUREAU
    return counts.total(
        None if bureau else actions.access.visible_organisations(request.user),
        year=int(chosen["year"]) if chosen["year"].isdigit() else None,
        unit=int(chosen["unit"]) if chosen["unit"].isdigit() else None,
        department=int(chosen["department"]) if chosen["department"].isdigit() else None,
        states=states & set(REVIEW_STATES) if queue else states,
        own_records=bureau or not queue,  # as actions.access.reviewable
    )


def _grade_labels() -> list[str]:
    """The grade filter's choices: every template's grade labels (no query over the forms)."""
    seen: dict[str, None] = {}
    for template_id in templates.ids():
        for grade in templates.load(template_id).grades:
            seen.setdefault(grade.label, None)
    return list(seen)


def _years(visible, everything: bool) -> list[int]:
    """The years ``visible`` holds forms of, latest first, in one query: ``everything`` (the
    bureau's scope, every form there is) the years any form has (the ``year`` index, no
    join); else a DISTINCT over the scope's few hundred forms."""
    rows = Evaluation.objects if everything else visible
    return list(rows.order_by("-year").values_list("year", flat=True).distinct())


def _when(at: datetime | None) -> str:
    return "" if at is None else timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _waiting(row: dict, at: datetime | None, today) -> int | None:
    """待审天数: whole days since the last submit, while the form waits for its review."""
    if at is None or row["state"] not in REVIEW_STATES:
        return None
    return (today - timezone.localtime(at).date()).days


def _list_row(row: dict, today, states: dict, form_url: str) -> str:
    """One ``<tr>`` of a list, every text escaped (built here: a template's tags per cell
    would cost more than the page's SQL)."""
    at = row["submitted_at"]
    kind = (
        f' <span class="kind">{escape(_("部门整体支出"))}</span>'
        if row["project__kind"] == Project.Kind.DEPARTMENT
        else ""
    )
    waiting = _waiting(row, at, today)
    state = row["state"]
    return (
        f"<tr><td>{escape(row['project__code'])}</td>"
        f'<td><a href="{form_url % row["pk"]}">{escape(row["project__name"])}</a>{kind}</td>'
        f'<td>{escape(row["project__unit__name"])}</td><td class="num">{row["year"]}</td>'
        f'<td><span class="state state-{escape(state)}">{escape(states.get(state, state))}</span></td>'
        f"<td>{_when(at)}</td>"
        f'<td class="num">{"" if waiting is None else waiting}</td>'
        f'<td class="num">{"—" if row["total"] is None else row["total"]}</td>'
        f"<td>{escape(row['grade'] or '—')}</td></tr>"
    )


def _sort_headers(request: SignedInRequest, sort: str) -> list[dict]:
    """Each column's heading with the link sorting by it (again: the other way), from the
    first page, the filters kept."""
    heads = []
    for key, label, css in LIST_COLUMNS:
        query = request.GET.copy()
        query["sort"] = f"-{key}" if sort == key else key
        query.pop("page", None)
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        heads.append(
            {"label": label, "href": "?" + query.urlencode(), "aria_sort": state, "css": css}
        )
    return heads


def page_links(number: int, count: int) -> list[int | None]:
    """The page numbers to link: the first, the last and two either side of ``number``
    (``None``: a gap)."""
    near = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
    shown: list[int | None] = []
    for n in near:
        if shown and n - shown[-1] > 1:
            shown.append(None)
        shown.append(n)
    return shown


def pager(request: SignedInRequest, count: int, per_page: int, exact: bool = True) -> dict:
    """The page asked for (``page=N``; past the last: the last) of ``count`` rows and what
    the pager (``pages/_pages.html``) shows: the links keep the sort and the filters.
    ``exact`` false: there are more than ``count`` rows (the pager links up to the
    ``count``-th row's page, then a gap; no last page)."""
    pages = max(1, -(-count // per_page))
    asked = request.GET.get("page", "")
    number = min(int(asked) if asked.isdigit() and 0 < int(asked) < 2**31 else 1, pages)
    query = request.GET.copy()
    query.pop("page", None)
    start = (number - 1) * per_page
    return {
        "count": count,
        "number": number,
        "pages": pages,
        "page_links": page_links(number, pages) if exact else [*page_links(number, pages), None],
        "exact": exact,
        "more": not exact,
        "first": start + 1 if count else 0,
        "last": min(start + per_page, count),
        "start": start,
        "query": query.urlencode(),
    }


def _options(pairs, chosen: str) -> str:
    """``<option>``s of (id, name) pairs, built here (the bureau's units are hundreds)."""
    return mark_safe(
        "".join(
            f'<option value="{pk}"{" selected" if str(pk) == chosen else ""}>{escape(name)}</option>'
            for pk, name in pairs
        )
    )


def _list(request: SignedInRequest, rows, title: str, queue: bool) -> HttpResponse:
    """The list's page: what it reads from the database is kept under the data version for
    the scope and the query (:mod:`jixiao.web.evaluations.selectors.cached`), so a page
    seen again (the next visit, the back button, another reviewer of the department) reads
    only the trail's head until something changes."""
    return kept_page(
        request,
        "pages/list.html",
        title,
        lambda: {**_list_figures(request, rows, queue), "title": title, "queue": queue},
        (queue, timezone.localdate()),  # 待审天数 count to today
    )


def kept_page(request: SignedInRequest, template: str, title, figures, parts=()) -> HttpResponse:
    """A page whose main part (``template`` rendered with ``figures()``) is kept under the
    data version for the user's scope, the query and ``parts``
    (:mod:`jixiao.web.evaluations.selectors.cached`): seen again, until something is written,
    it costs the trail's head and the header bar. The main part holds no CSRF token (its
    forms are GET) and nothing of the user beyond their scope."""
    scope = actions.access.membership(request.user).organisation_id
    main = cached(
        f"page:{template}",
        (scope, tuple(sorted(request.GET.items())), *parts),
        lambda: str(render_to_string(template, figures(), request)),
        request_version(request),
    )
    return render(request, "pages/kept.html", {"title": title, "main": mark_safe(main)})


def _list_figures(request: SignedInRequest, rows, queue: bool) -> dict:
    everything = rows.order_by()
    rows, chosen = _filtered(request, rows)
    sort = _list_sort(request, queue)
    place = actions.access.membership(request.user).organisation
    bureau = place.kind == Organisation.Kind.BUREAU
    wide = bureau and not any(chosen[k] for k in ("department", "unit", "q"))
    walked = _walked(_ordered(rows, sort, queue), wide, sort, queue)
    count, exact = _counted(request, rows, walked, wide, _kept_count(request, chosen, queue))
    shown = pager(request, count, LIST_PER_PAGE, exact)
    picked = _page_rows(walked, shown["start"], LIST_PER_PAGE, count if exact else None)
    today = timezone.localdate()
    states = {s.value: str(labels.state(s.value)) for s in State}
    target = "pages:review" if queue else "pages:form"
    form_url = reverse(target, args=[0]).replace("/0/", "/%d/")
    units = list(
        actions.access.visible_units(request.user)
        .order_by("name")
        .values_list("pk", "name", "parent_id")
    )
    many = len(units) > 1
    if many and chosen["department"].isdigit():
        units = [unit for unit in units if unit[2] == int(chosen["department"])]
    return {
        "chosen": chosen,
        "sort": sort,
        "headers": _sort_headers(request, sort),
        "rows": mark_safe("\n".join(_list_row(row, today, states, form_url) for row in picked)),
        "shown": shown,
        "columns": len(LIST_COLUMNS),
        "per_page": LIST_PER_PAGE,
        "years": _years(everything, bureau),
        "grades": _grade_labels(),
        "states": [(s.value, str(labels.state(s.value))) for s in State if s is not State.DELETED],
        "unit_options": _options([(pk, name) for pk, name, _p in units], chosen["unit"])
        if many
        else "",
        "department_options": _options(
            Organisation.objects.filter(children__in=actions.access.visible_units(request.user))
            .distinct()
            .order_by("name")
            .values_list("pk", "name"),
            chosen["department"],
        )
        if many
        else "",
        "export_query": request.GET.urlencode() + ("&scope=queue" if queue else ""),
    }


@page
def forms(request: SignedInRequest) -> HttpResponse:
    place = actions.access.membership(request.user)
    title = {Role.FILLER: _("我的自评表")}.get(place.role_enum, _("全部自评表"))
    return _list(request, actions.access.visible(request.user), title, queue=False)


@page
def queue(request: SignedInRequest) -> HttpResponse:
    rows = actions.access.reviewable(request.user).filter(state__in=REVIEW_STATES)
    return _list(request, rows, _("待我审核"), queue=True)


EXPORT_COLUMNS = [
    gettext_lazy("项目编码"),
    gettext_lazy("项目名称"),
    gettext_lazy("主管部门"),
    gettext_lazy("实施单位"),
    gettext_lazy("年度"),
    gettext_lazy("状态"),
    gettext_lazy("总分"),
    gettext_lazy("等级"),
    gettext_lazy("提交时间"),
    gettext_lazy("待审天数"),
]


def _export_lines(request: SignedInRequest):
    """The list as filtered and sorted on screen, every page: one value list per form
    (read in chunks)."""
    if request.GET.get("scope") == "queue":
        rows = actions.access.reviewable(request.user).filter(state__in=REVIEW_STATES)
        queue = True
    else:
        rows, queue = actions.access.visible(request.user), False
    rows, _chosen = _filtered(request, rows)
    values = _ordered(rows, _list_sort(request, queue), queue).values(*LIST_FIELDS)
    states = {s.value: str(labels.state(s.value)) for s in State}
    today = timezone.localdate()
    for row in values.iterator(chunk_size=2000):
        at = row["submitted_at"]
        yield [
            row["project__code"],
            row["project__name"],
            row["project__unit__parent__name"] or "",
            row["project__unit__name"],
            row["year"],
            states.get(row["state"], row["state"]),
            row["total"],
            row["grade"] or "",
            _when(at),
            _waiting(row, at, today),
        ]


class _Echo:
    """A file that hands back what is written (csv.writer → a streamed response)."""

    def write(self, text: str) -> str:
        return text


@page
def export_list(request: SignedInRequest) -> HttpResponse | StreamingHttpResponse:
    """The list as filtered and sorted on screen, every page: an xlsx workbook (write-only:
    rows streamed into it, no cell objects kept) or CSV streamed as it is read (UTF-8 with
    BOM for Excel; texts defused against formulas)."""
    from jixiao.writers.cells import defuse

    fmt = request.GET.get("format", "xlsx")
    header = [str(c) for c in EXPORT_COLUMNS]
    name = _("自评表清单")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def streamed():
            yield "\ufeff" + writer.writerow(header)
            for cells in _export_lines(request):
                yield writer.writerow(
                    [
                        "" if v is None else defuse(v) if isinstance(v, str) else str(v)
                        for v in cells
                    ]
                )

        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            streamed(), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        book = Workbook(write_only=True)
        sheet_ = book.create_sheet(_("自评表"))
        for letter, width in zip("ABCDEFGHIJ", (14, 40, 20, 20, 8, 12, 10, 8, 18, 10)):
            sheet_.column_dimensions[letter].width = width
        sheet_.freeze_panes = "A2"
        sheet_.append(header)
        for cells in _export_lines(request):
            row = []
            for column, value in enumerate(cells):
                cell = WriteOnlyCell(sheet_, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # a text, never a formula
                if column == 6:
                    cell.number_format = "0.00"
                row.append(cell)
            sheet_.append(row)
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        book.save(response)
    else:
        raise Http404
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name + '.' + fmt)}"
    return response


def _can_edit(user, ev: Evaluation) -> bool:
    """Whether the page offers changes: the unit's own filler, while the form is with the unit
    (the actions decide again on every change)."""
    place = actions.access.membership(user)
    return (
        place.role_enum is Role.FILLER
        and editable(ev.state_enum)
        and ev.project.unit_id == place.organisation_id
    )


def _last_return(ev: Evaluation):
    """The reviewer's latest return while the form is back with the unit: once it is
    resubmitted the comments have been answered and are no longer shown as open."""
    if ev.state != State.RETURNED.value:
        return None
    return ev.events.filter(action=Action.RETURN.value).order_by("-id").first()


def _reviewer(event) -> str:
    """Who returned a form, as colleagues name them: their name and their organisation
    (the account name when no name is on record)."""
    user = event.actor
    if user is None:
        return event.actor_name
    name = user.get_full_name() or user.get_username()
    place = getattr(user, "membership", None)
    return f"{place.organisation.name} {name}" if place is not None else name


def _posted_reasons(request: SignedInRequest, ev: Evaluation) -> dict[str, str]:
    """The reasons typed for changing approved targets (``reason:`` + the approved name)."""
    names = {row["name"] for row in ev.targets}
    return {name: text for name, text in _prefixed(request, "reason:").items() if name in names}


def _score_reasons(request: SignedInRequest, ev: Evaluation) -> dict[str, str]:
    """The reasons typed for a filled-in form's scores other than the rule's
    (``score_reason:`` + the indicator's name)."""
    return _prefixed(request, "score_reason:") if ev.filled else {}


def _sheet(
    request: SignedInRequest,
    ev: Evaluation,
    data: dict,
    rows: list[str],
    comments: dict | None = None,
    unlock: str = "",
    errors: dict[str, str] | None = None,
) -> sheet.Sheet:
    """The sheet with the approved targets locked, those with a reason (typed or on
    record) or just unlocked open, and the actions' findings: the audit's and
    a warning for each changed approved target. A filled-in form shows its computed
    figures (never inputs); ``errors`` are shown beside their fields."""
    typed = _posted_reasons(request, ev)
    reasons = {
        **ev.target_reasons,
        **{name: text.strip() for name, text in typed.items() if text.strip()},
    }
    scores = {**ev.score_reasons, **_score_reasons(request, ev)}
    return sheet.build(
        data,
        comments,
        origins=rows,
        draft=ev.state == State.DRAFT.value,
        approval=_approval(request, ev, unlock),
        findings=lambda form: actions.forms.findings(ev, form, reasons),
        filled=ev.filled,
        score_reasons={name: text for name, text in scores.items() if text.strip()},
        errors=errors,
    )


def _approval(request: SignedInRequest, ev: Evaluation, unlock: str = "") -> sheet.Approval:
    """The approved targets as the page applies them: open where a reason is on
    record or typed (its box is on the page), or just unlocked."""
    typed = _posted_reasons(request, ev)
    return sheet.Approval(
        names=tuple(row["name"] for row in ev.targets),
        unlocked=frozenset({*ev.target_reasons, *typed, unlock} - {""}),
        reasons={**ev.target_reasons, **typed},
        targets=tuple(ev.targets),
    )


def _context(
    request: SignedInRequest,
    ev: Evaluation,
    data: dict | None = None,
    rows: list[str] | None = None,
    unlock: str = "",
    field_errors: dict[str, str] | None = None,
    **extra,
) -> dict:
    returned = _last_return(ev)
    data = data if data is not None else ev.data
    rows = rows if rows is not None else [str(n) for n in range(len(data.get("indicators") or []))]
    can_edit = _can_edit(request.user, ev)
    built = _sheet(
        request, ev, data, rows, returned.field_comments if returned else None, unlock, field_errors
    )
    files: dict[str, list[Evidence]] = {}
    for item in ev.evidence.defer("content"):
        files.setdefault(item.indicator, []).append(item)
    for row, ind in zip(built.indicators, data.get("indicators") or []):
        row.evidence = files.get(ind.get("name") or "", [])
    typed = extra.get("typed") or {}
    review_errors = extra.get("review_errors") or {}
    for cell in built.cells():
        cell.review = (typed.get("scores") or {}).get(
            cell.path, ev.review_scores.get(cell.path, "")
        )
        cell.review_error = review_errors.get(cell.path, "")
        of = paths.indicator_of(cell.path)
        cell.reviewable = cell.path in REVIEWABLE or (of is not None and of[1] == "score")
    for row in built.rows():
        row.typed_comment = (typed.get("field_comments") or {}).get(row.path, "")
    errors = list(
        {f["key"]: f for f in ev.findings if f.get("severity") == "error"}.values()
    )  # one per rule and field
    return {
        "ev": ev,
        "state_label": labels.state(ev.state),
        "sheet": built,
        "acknowledgements": ev.acknowledgements,
        "errors": errors,
        "evidence_types": ",".join(EVIDENCE_TYPES),
        "evidence_mb": EVIDENCE_MAX // 1024 // 1024,
        "rows": ",".join(rows),
        "returned": returned,
        "returned_by": _reviewer(returned) if returned else "",
        "actions": [a.value for a in actions.workflow.steps_open(request.user, ev)],
        "can_edit": can_edit,
        "formats": [f.value for f in (Format.XLSX, Format.PDF, Format.DOCX)],
        "source_pages": source_pages(ev),
        **extra,
    }


def source_pages(ev: Evaluation) -> list[dict]:
    """The pages of the file the form was read from (kept with it) where a finding's field
    was read, each with the query that draws those fields' boxes on it."""
    sources = ev.data.get("sources") or {}
    by_page: dict[int, set[str]] = {}
    for finding in ev.findings:
        where = sources.get(finding.get("field") or "") or {}
        if where.get("page") and where.get("box"):
            by_page.setdefault(int(where["page"]), set()).add(finding["field"])
    if not by_page or not SourceFile.objects.filter(evaluation=ev).exists():
        return []
    return [
        {"page": n, "query": urlencode([("field", f) for f in sorted(fields)[:MAX_FIELDS]])}
        for n, fields in sorted(by_page.items())
    ]


@page
def new(request: SignedInRequest) -> HttpResponse:
    """Start a form: by uploading a file of any kind the readers read
    (:data:`jixiao.readers.FORMATS`), or from last year's form of the same project (结转)."""
    place = actions.access.membership(request.user)
    has_record = place.organisation.projects.filter(kind=Project.Kind.DEPARTMENT).exists()
    this_year = timezone.localdate().year - 1
    offered = year_templates.default(this_year, place.organisation)  # the year's setting
    context = {
        "projects": actions.access.visible_projects(request.user),
        # a filler's own 部门整体支出 record, offered before it exists (made on first use)
        "own_record": OWN_RECORD if place.role_enum is Role.FILLER and not has_record else "",
        "templates": [
            {"id": t, "name": _template_name(templates.load(t))} for t in templates.ids()
        ],
        "default_template": offered.template,
        "default_source": offered.source,
        "this_year": this_year,
        "last_years": actions.access.visible(request.user).order_by("-year", "project__code"),
        "accept": ",".join(UPLOAD_TYPES),
        "kinds": ", ".join(suffix.lstrip(".") for suffix in UPLOAD_TYPES),  # also in English
        "max_mb": MAX_UPLOAD // 1024 // 1024,
        "chosen": request.POST.get("project", ""),
    }
    if request.method != "POST":
        return render(request, "pages/new.html", context)
    try:
        start = request.POST.get("start")
        origin, note = FILLED, ""
        if start == "last_year":
            last = actions.access.get(request.user, int(request.POST.get("last") or 0))
            project, form = last.project, next_year(evaluation_from_dict(last.data, str(last)))
            year = request.POST.get("year", "").strip()  # the year asked (default: the next)
            if year:
                if not year.isdigit() or not 2000 <= int(year) <= 2100:
                    raise actions.errors.ServiceError(_("年度应为四位数字"))
                form = replace(form, year=int(year))
        elif start == "blank":
            project = _chosen_project(request)
            form = _blank(project, request)
        else:
            project = _chosen_project(request)
            form, origin = _uploaded_form(request), IMPORTED
            year = request.POST.get("upload_year", "").strip()
            note = actions.forms.check_project(
                user=request.user,
                project=project,
                form=form,
                year=int(year) if year.isdigit() else None,
                confirmed=request.POST.get("confirm_project") == "1",
            )
        ev = actions.forms.create(
            user=request.user, project=project, form=form, origin=origin, note=note
        )
    except (ReadError, actions.errors.ServiceError) as error:
        message, status = _refusal(error)
        mismatched = getattr(error, "mismatches", None)
        context = {
            **context,
            "error": message,
            "mismatches": mismatched or [],
            "upload_year": request.POST.get("upload_year", ""),
        }
        return render(request, "pages/new.html", context, status=status)
    return redirect("pages:form", pk=ev.pk)


def _template_name(template) -> str:
    """A template as people name it, in the page's language, with its id."""
    english = (get_language() or "").startswith("en")
    return f"{template.name_en} ({template.id})" if english else f"{template.name}（{template.id}）"


OWN_RECORD = "@department"
"""The new-form page's choice of the filler's own 部门整体支出 record before it exists."""


def _chosen_project(request: SignedInRequest) -> Project:
    """The project chosen on the new-form page (the filler's own 部门整体支出 record is made
    on first use)."""
    code = request.POST.get("project", "")
    if code == OWN_RECORD:
        place = actions.access.membership(request.user)
        return actions.projects.department_record(
            user=request.user, organisation_id=place.organisation_id
        )
    return actions.access.project(request.user, code)


def _blank(project, request: SignedInRequest) -> DomainForm:
    """An empty form of the project for the year, template and money unit chosen."""
    year, template_id = request.POST.get("year", ""), request.POST.get("template", "")
    if not year.isdigit() or not 2000 <= int(year) <= 2100:
        raise actions.errors.ServiceError(_("年度应为四位数字"))
    if not template_id:  # 按年度模板设置: the year's setting for the project's department and kind
        kind = "department" if project.kind == Project.Kind.DEPARTMENT else "project"
        template_id = year_templates.default(int(year), project.unit, kind).template
    if template_id not in templates.ids():
        raise actions.errors.ServiceError(_("没有这个模板"))
    unit = request.POST.get("unit", "") or None
    return actions.forms.blank(project, int(year), template_id, unit)


def _uploaded_form(request: SignedInRequest):
    upload = request.FILES.get("file")
    if upload is None:
        raise actions.errors.ServiceError(_("请选择要上传的文件"))
    # The page asks for 第 N 张 counted from 1 (form_number); form_index, counted from 0
    # as in the JSON and the API, is still taken from a client that posts it.
    number = request.POST.get("form_number", "")
    if number.isdigit() and int(number) >= 1:
        return read_upload(upload, int(number) - 1)
    index = request.POST.get("form_index", "0")
    return read_upload(upload, int(index) if index.isdigit() else 0)


def _refusal(error: ReadError | actions.errors.ServiceError | ArithmeticError) -> tuple[str, int]:
    """What to show and answer for a refused save or upload (a bad form is 422)."""
    if isinstance(error, actions.errors.ServiceError):
        return error.message, error.status
    if isinstance(error, ArithmeticError):
        return str(actions.errors.OUT_OF_RANGE), 422
    return str(error), 422


def _version(request: SignedInRequest) -> int | None:
    """The version the page was edited at (None when absent or not a number)."""
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() else None


def _typed(request: SignedInRequest, ev: Evaluation) -> tuple[dict, list[str], dict[str, str]]:
    """The stored form with the page's indicator rows and what the user typed
    into its editable fields, every row named like an approved target holding
    that target until unlocked (as the actions see it); the rows' origins; and
    what is wrong with each typed figure, by path."""
    rows = sheet.origins(request.POST.get("rows"), len(ev.data.get("indicators") or []))
    shown = sheet.arranged(ev.data, rows)
    typed, errors = sheet.with_typed(
        shown, request.POST, _sheet(request, ev, shown, rows).editable_paths()
    )
    return sheet.with_approved(typed, _approval(request, ev)), rows, errors


def _show(mode: str):
    def show(request: SignedInRequest, pk: int) -> HttpResponse:
        ev = actions.access.get(request.user, pk)
        return render(request, "pages/form.html", _context(request, ev, mode=mode))

    return page(show)


form_page = _show("view")


@page
def review(request: SignedInRequest, pk: int) -> HttpResponse:
    """The review page: the form read-only with a 复核 input beside every self score, a
    comment per part and an overall one, and one submit carrying them with the decision
    (保存复核得分 / 退回修改 / 审核通过, :func:`actions.review.decide`). A bad score keeps
    every typed value and is marked at its field; an approval is asked to be confirmed."""
    ev = actions.access.get(request.user, pk)
    if request.method != "POST":
        return render(request, "pages/form.html", _context(request, ev, mode="review"))
    decision = request.POST.get("decision", "save")
    scores = _prefixed(request, "review:")
    comment = request.POST.get("comment", "")
    field_comments = _prefixed(request, "comment:")
    typed = {"scores": scores, "comment": comment, "field_comments": field_comments}
    if decision == Action.APPROVE.value and request.POST.get("confirmed") != "1":
        context = _context(
            request, ev, mode="review", version=_version(request), typed=typed, confirm=True
        )
        return render(request, "pages/form.html", context)
    try:
        actions.review.decide(
            user=request.user,
            pk=pk,
            version=_version(request),
            decision=decision,
            scores=scores,
            comment=comment,
            field_comments=field_comments,
        )
    except actions.errors.ServiceError as error:
        if isinstance(error, actions.errors.NotFound):
            raise
        fields = getattr(error, "fields", None)
        message = (
            _("有 %(n)s 处填写有误，已在对应栏目旁标出，其余内容已保留。") % {"n": len(fields)}
            if fields
            else error.message
        )
        context = _context(
            request,
            ev,
            mode="review",
            version=_version(request),
            typed=typed,
            review_errors=fields or {},
            error=message,
        )
        return render(request, "pages/form.html", context, status=error.status)
    done = {"save": "scores", Action.RETURN.value: "returned", Action.APPROVE.value: "approved"}
    target = "pages:review" if decision == "save" else "pages:form"
    return redirect(reverse(target, args=[pk]) + f"?done={done.get(decision, 'scores')}")


@page
def edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Fill in: GET shows the inputs; POST saves a draft carrying the version it
    edited. A stale or bad save is refused with the typed text kept on screen."""
    ev = actions.access.get(request.user, pk)
    if request.method != "POST":
        return render(request, "pages/form.html", _context(request, ev, mode="edit"))
    (typed, rows, errors), version = _typed(request, ev), _version(request)
    if (op := request.POST.get("op", "")).startswith(
        "unlock:"
    ):  # an approved target opened: not saved yet
        return _unlocked(request, ev, typed, rows, version, op, errors)
    if op:  # a row added, removed or moved: shown again, not saved yet
        typed, rows = sheet.rearrange(typed, rows, op)
        context = _context(
            request,
            ev,
            typed,
            mode="edit",
            version=version,
            rows=rows,
            notice=_("指标行已调整，保存后生效。"),
            field_errors=errors or None,
        )
        return render(request, "pages/form.html", context)
    try:
        if version is None:
            raise actions.errors.ServiceError(_("缺少版本号，请重新打开后再保存"))
        if errors:
            raise actions.errors.FieldErrors(errors)
        actions.forms.save(
            user=request.user,
            pk=pk,
            version=version,
            form=evaluation_from_dict(typed, _("自评表")),
            target_reasons=_posted_reasons(request, ev),
            score_reasons=_score_reasons(request, ev) if ev.filled else None,
        )
    except (ReadError, actions.errors.ServiceError, ArithmeticError) as error:
        if isinstance(error, actions.errors.NotFound):
            raise
        message, status = _refusal(error)
        fields = getattr(error, "fields", None)
        if fields:  # each beside its field; one line on top says how many
            message = _("有 %(n)s 处填写有误，已在对应栏目旁标出，其余内容已保留。") % {
                "n": len(fields)
            }
        context = _context(
            request,
            ev,
            typed,
            mode="edit",
            error=message,
            version=version,
            rows=rows,
            field_errors=fields or None,
        )
        return render(request, "pages/form.html", context, status=status)
    return redirect(reverse("pages:form", args=[pk]) + "?saved=1")


def _unlocked(
    request: SignedInRequest,
    ev: Evaluation,
    typed: dict,
    rows: list[str],
    version: int | None,
    op: str,
    errors: dict[str, str] | None = None,
) -> HttpResponse:
    """The page again with one approved target's 年度指标值 and 分值 open, and a
    box for the reason (the actions refuse a change without one)."""
    number = op.partition(":")[2]
    indicators = typed.get("indicators") or []
    row = indicators[int(number)] if number.isdigit() and int(number) < len(indicators) else {}
    name = sheet.Approval(names=tuple(r["name"] for r in ev.targets)).name_of(row.get("name"))
    notice = (
        _("已解锁「%(name)s」的指标值和分值：改动须填写调整理由，保存后生效。") % {"name": name}
        if name
        else ""
    )
    context = _context(
        request,
        ev,
        typed,
        unlock=name,
        mode="edit",
        version=version,
        rows=rows,
        notice=notice,
        field_errors=errors or None,
    )
    return render(request, "pages/form.html", context)


@page
@require_POST
def recompute(request: SignedInRequest, pk: int) -> HttpResponse:
    """htmx, as the user types: the rules' figures and the findings, swapped in
    beside each field (out of band); the inputs themselves are left alone."""
    ev = actions.access.get(request.user, pk)
    typed, rows, errors = _typed(request, ev)
    built = _sheet(request, ev, typed, rows, errors=errors)
    return render(
        request,
        "pages/_figures.html",
        {"sheet": built, "acknowledgements": ev.acknowledgements, "field_errors": errors},
        status=422 if built.error or errors else 200,
    )  # base.html has htmx swap a 422 in, so it is shown


@page
@require_POST
def step(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """Submit, return, approve or withdraw through the actions (which check role, place
    and state); the form page then says what was done."""
    try:
        chosen = Action(action)
    except ValueError:
        raise Http404 from None
    actions.workflow.step(
        user=request.user,
        pk=pk,
        action=chosen,
        version=_version(request),
        comment=request.POST.get("comment", ""),
        field_comments=_prefixed(request, "comment:"),
        acknowledgements=_prefixed(request, "ack:") if chosen is Action.SUBMIT else None,
    )
    if chosen is Action.DELETE:  # the form is seen nowhere now: back to the list
        return redirect(reverse("pages:forms") + "?deleted=1")
    return redirect(reverse("pages:form", args=[pk]) + f"?done={chosen.value}")


def _prefixed(request: SignedInRequest, prefix: str) -> dict[str, str]:
    """Posted fields named ``prefix`` + a field path or finding key."""
    return {
        key[len(prefix) :]: value
        for key, value in request.POST.dict().items()
        if key.startswith(prefix)
    }


@page
@require_POST
def review_scores(request: SignedInRequest, pk: int) -> HttpResponse:
    """复核: the reviewer's scores beside the self scores, through the actions."""
    actions.review.set_scores(
        user=request.user, pk=pk, version=_version(request), scores=_prefixed(request, "review:")
    )
    return redirect("pages:review", pk=pk)


@page
def history(request: SignedInRequest, pk: int) -> HttpResponse:
    ev = actions.access.get(request.user, pk)
    events = [
        {
            "event": e,
            "action": labels.action(e.action),
            "state_from": labels.state(e.state_from),
            "state_to": labels.state(e.state_to),
            "diff": [
                {
                    "where": sheet.describe(d["path"], ev.data),
                    "old": _shown(d.get("old")),
                    "new": _shown(d.get("new")),
                }
                for d in e.diff
                if _told(d["path"])
            ],
            "evidence": [
                _evidence_line(d.get("new") or d.get("old") or {})
                for d in e.diff
                if d["path"] == "evidence"
            ],
            "field_comments": [
                (sheet.describe(p, ev.data), text) for p, text in e.field_comments.items()
            ],
        }
        for e in ev.events.order_by("id")
    ]
    return render(
        request,
        "pages/history.html",
        {"ev": ev, "events": events, "state_label": labels.state(ev.state)},
    )


def _told(path: str) -> bool:
    """Whether the history lists a change: not the state (in the heading), an evidence
    file (a line of its own), nor what the readers parse from a changed text (目标值解析)."""
    return path not in ("state", "evidence") and "_parsed" not in path


def _evidence_line(item: dict) -> str:
    """An evidence file of the trail as a person reads it: indicator, file name, size."""
    return _("指标「%(indicator)s」：%(name)s（%(size)s）") % {
        "indicator": item.get("indicator", ""),
        "name": item.get("name", ""),
        "size": filesizeformat(item.get("size") or 0),
    }


def _shown(value) -> str | None:
    """A changed value for a person: a whole added or removed row by its name."""
    if isinstance(value, dict):
        return _("整行「%(name)s」") % {"name": value.get("name") or value.get("text") or "…"}
    if isinstance(value, list):
        return _("%(n)s 项") % {"n": len(value)}
    return None if value is None else str(value)


class _SentFile(FileResponse):
    """A file response holding on to the temporary folder of its file."""

    _folder: tempfile.TemporaryDirectory[str]


@page
def download(request: SignedInRequest, pk: int, fmt: str) -> FileResponse:
    """The official form through :mod:`jixiao.writers`, named after its project."""
    ev = actions.access.get(request.user, pk)
    if fmt not in {Format.XLSX.value, Format.PDF.value, Format.DOCX.value}:
        raise Http404
    form = evaluation_from_dict(ev.data, f"自评表 {pk}")
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / f"form.{fmt}"
    try:
        # a PDF in a process of its own, bounded in time, stopped if the browser leaves
        rendering.write(
            form, Format(fmt), path, gone=request.META.get("waitress.client_disconnected")
        )
    except rendering.Busy:
        folder.cleanup()
        raise actions.errors.Unavailable(_("正在导出的文件较多，请稍后再试")) from None
    except UndrawableText as error:
        folder.cleanup()
        raise actions.errors.Invalid(words.undrawable(error.chars)) from None
    except WriteError as error:
        folder.cleanup()
        raise actions.errors.Invalid(_("无法导出：%(reason)s") % {"reason": error.reason}) from None
    name = f"{safe_name(ev.project.name)}-{ev.year}.{fmt}"
    response = _SentFile(path.open("rb"), as_attachment=True, filename=name)
    response._folder = folder  # removed with the response, once sent
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@page
@require_POST
def add_evidence(request: SignedInRequest, pk: int) -> HttpResponse:
    """佐证材料 for one indicator: the unit's filler, while the form is with the unit."""
    actions.evidence.add(
        user=request.user,
        pk=pk,
        indicator=request.POST.get("indicator", ""),
        upload=request.FILES.get("file"),
    )
    return redirect("pages:form", pk=pk)


@page
def evidence_file(request: SignedInRequest, pk: int, item: int) -> HttpResponse:
    return evidence.download(actions.evidence.one(request.user, pk, item))


@page
@require_POST
def remove_evidence(request: SignedInRequest, pk: int, item: int) -> HttpResponse:
    actions.evidence.remove(user=request.user, pk=pk, item=item)
    return redirect("pages:form", pk=pk)
