"""The clause library's pages: the standards with their coverage, one standard's clause tree
with evidence per clause, and one clause with every record type and record giving evidence.

Clauses are reference data kept in code: there are no add or edit pages. Every count and record
shown is scoped by ``objects.restrict(user, "view")`` in the services.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, re_path
from django.views import View

from qualitas.compliance import services
from qualitas.compliance.choices import EvidenceStatusChoices
from qualitas.compliance.filtersets import ClauseFilterSet, StandardFilterSet
from qualitas.compliance.models import Clause, Standard
from qualitas.compliance.tables import ClauseTable, StandardTable
from qualitas.core import access
from qualitas.framework.views.generic import ModelViews
from qualitas.framework.views.generic.viewset import DetailView, HistoryView, RecordView, TabView

#: The coverage page's filter: which clauses to show.
SHOW_CHOICES = (
    ("all", "All clauses"),
    ("missing", "Without evidence"),
    ("evidence", "With evidence"),
)
MISSING = (EvidenceStatusChoices.NO_EVIDENCE, EvidenceStatusChoices.NO_RECORDS)


def _get_by(queryset, kwargs, lookup):
    """The record of a page under its ``lookup`` (key or code) URL or its id URL; 404 if none."""
    if lookup in kwargs:
        return get_object_or_404(queryset, **{lookup: kwargs[lookup]})
    return get_object_or_404(queryset, pk=kwargs["pk"])


class StandardCoverageView(DetailView):
    """A standard's page: its clause tree with evidence status, counts and latest dates."""

    def get_object(self, action="view"):
        return _get_by(self.queryset(action).select_related("base"), self.kwargs, "code")

    def get(self, request, pk=None, code=None):
        self.require("view")
        standard = self.get_object()
        access.record_view(standard)
        coverage = services.standard_coverage(standard, request.user)
        show = request.GET.get("show", "all")
        show = show if show in dict(SHOW_CHOICES) else "all"
        sections = [(root, _visible_rows(root, show)) for root in coverage.roots]
        context = {
            **self.base_context(standard),
            "active_tab": "overview",
            "coverage": coverage,
            "sections": [(root, rows) for root, rows in sections if rows or show == "all"],
            "show": show,
            "show_choices": SHOW_CHOICES,
            "statuses": [
                (value, label, EvidenceStatusChoices.color(value), coverage.counts_by_status[value])
                for value, label in EvidenceStatusChoices.choices()
            ],
            "can_view_clauses": request.user.has_perm("compliance.view_clause"),
            "crumbs": [],
        }
        return render(request, "compliance/standard_detail.html", context)


def _visible_rows(root, show):
    """The rows of one top-level clause's table: its descendants in document order, filtered by
    ``show``; a heading stays when any clause below it is shown."""

    def matches(node):
        return (
            show == "all"
            or (show == "missing" and node.status in MISSING)
            or (show == "evidence" and node.status == EvidenceStatusChoices.EVIDENCE)
        )

    def walk(node):
        rows = []
        for child in node.children:
            below = walk(child)
            if matches(child) or below:
                rows.append(child)
                rows.extend(below)
        return rows

    rows = walk(root)
    if root.status != EvidenceStatusChoices.HEADING and matches(root):
        rows.insert(0, root)
    return rows


class ClauseDetailView(DetailView):
    """A clause's page: what an auditor looks for, its place in the standard, and every record
    type and record giving evidence for it."""

    def get_object(self, action="view"):
        queryset = self.queryset(action).select_related("standard", "parent", "base_clause__standard")
        return _get_by(queryset, self.kwargs, "key")

    def get(self, request, pk=None, key=None):
        self.require("view")
        clause = self.get_object()
        access.record_view(clause)
        rows = services.clause_evidence(clause, request.user)
        children = list(
            clause.children.filter(is_withdrawn=False)
            .select_related("standard", "base_clause")
            .order_by("sort_key")
        )
        child_nodes = []
        if children:
            coverage = services.standard_coverage(clause.standard, request.user)
            by_pk = {node.clause.pk: node for node in coverage.nodes}
            child_nodes = [by_pk[child.pk] for child in children if child.pk in by_pk]
            node = by_pk.get(clause.pk)
        else:
            node = None
        status = node.status if node else services.status_of(clause.is_heading, rows)
        context = {
            **self.base_context(clause),
            "active_tab": "overview",
            "clause": clause,
            "rows": rows,
            "status": status,
            "status_label": EvidenceStatusChoices.label(status),
            "status_class": services.badge_class(status),
            "node": node,
            "children": child_nodes,
            "crumbs": [
                (str(clause.standard), clause.standard.get_absolute_url()),
                *((ancestor.label, ancestor.get_absolute_url()) for ancestor in services.ancestors(clause)),
            ],
            "related": services.related_clauses(clause),
            "latest_limit": services.LATEST_RECORDS,
        }
        return render(request, "compliance/clause_detail.html", context)


class ReferenceViews(ModelViews):
    """Read-only reference data whose detail page (``detail_path``) is a view of this app
    (``detail_view``) instead of the framework's."""

    can_create = False
    can_edit = False
    detail_path = None
    detail_view = None

    @classmethod
    def urls(cls):
        detail = cls.name("detail")
        return [
            path(cls.detail_path, cls.detail_view.as_view(viewset=cls), name=detail),
            *(pattern for pattern in super().urls() if pattern.name != detail),
        ]


class StandardViews(ReferenceViews):
    """Standards are read-only; their page is the coverage page (``/compliance/<code>/``)."""

    model = Standard
    table = StandardTable
    filterset = StandardFilterSet
    detail_path = "standards/<int:pk>/"
    detail_view = StandardCoverageView


class ClauseViews(ReferenceViews):
    """Clauses are read-only reference data; their page lists the evidence
    (``/compliance/clauses/<key>/``)."""

    model = Clause
    table = ClauseTable
    filterset = ClauseFilterSet
    detail_path = "clauses/<int:pk>/"
    detail_view = ClauseDetailView


class ByLookupView(RecordView):
    """Serves a record's other pages (history, tabs) under its key or code URL by handing over to
    the framework's view for that page with the record's id: permission checks and scoping stay
    the framework's."""

    target = None
    lookup = None  # the URL keyword and model field: "key" or "code"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        value = kwargs.pop(self.lookup)
        pk = self.model._base_manager.filter(**{self.lookup: value}).values_list("pk", flat=True).first()
        if pk is None:
            raise Http404("No such record")
        return self.target.as_view(viewset=self.viewset)(request, pk=pk, **kwargs)


class LibraryView(View):
    """``/compliance/``: every standard with its coverage, and the record types giving evidence."""

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("compliance.view_clause"):
            raise PermissionDenied("You do not have permission to view the clause library.")
        stats = services.evidence_stats(request.user)
        coverages = services.all_coverage(request.user, stats=stats)
        sources = [
            {
                "source": source,
                "clauses": services.clause_keys_of(source),
                "count": stats.declared.get(source.label, (0, None))[0],
                "latest": stats.declared.get(source.label, (0, None))[1],
                "permitted": stats.permitted[source.label],
                "list_url": source.list_url() if stats.permitted[source.label] else "",
            }
            for source in services.evidence_sources()
        ]
        clause_urls = dict(
            Clause.objects.restrict(request.user, "view")
            .filter(key__in={key for row in sources for key in row["clauses"]})
            .values_list("key", "pk")
        )
        for row in sources:
            row["clauses"] = [(key, key in clause_urls) for key in row["clauses"]]
        return render(
            request,
            "compliance/library.html",
            {"coverages": coverages, "sources": sources, "clause_list_url": ClauseViews.url("list")},
        )


def key_urls():
    """The clause pages under their stable key and the standards' pages under their code."""
    key = r"(?P<key>[a-z0-9]+:[0-9]+(?:\.[0-9]+)*)"
    code = "<slug:code>/"
    return [
        re_path(rf"^clauses/{key}/$", ClauseDetailView.as_view(viewset=ClauseViews), name="clause_by_key"),
        re_path(
            rf"^clauses/{key}/history/$",
            ByLookupView.as_view(viewset=ClauseViews, target=HistoryView, lookup="key"),
            name="clause_history_by_key",
        ),
        re_path(
            rf"^clauses/{key}/(?P<tab>[-\w]+)/$",
            ByLookupView.as_view(viewset=ClauseViews, target=TabView, lookup="key"),
            name="clause_tab_by_key",
        ),
        path(code, StandardCoverageView.as_view(viewset=StandardViews), name="standard_coverage"),
        path(
            f"{code}history/",
            ByLookupView.as_view(viewset=StandardViews, target=HistoryView, lookup="code"),
            name="standard_history_by_code",
        ),
        path(
            f"{code}<slug:tab>/",
            ByLookupView.as_view(viewset=StandardViews, target=TabView, lookup="code"),
            name="standard_tab_by_code",
        ),
    ]
