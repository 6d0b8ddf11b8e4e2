"""``ModelViews``: one class produces every page of a record type.

    class CompanyViews(ModelViews):
        model = Company
        table = CompanyTable
        filterset = CompanyFilterSet
        form = CompanyForm
        panels = (FieldsPanel("Company", ("name", "kind", "country")),)

    urlpatterns = CompanyViews.urls()

gives list (with filters, sorting, pagination and CSV/XLSX export), detail with tabs, create,
edit, archive, restore, history and state-machine actions, under ``/<app>/<kebab-plural>/``,
named ``<app>:<model>_list``, ``<model>_detail`` and so on.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.views import View

from qualitas.core import access
from qualitas.core.audit import history
from qualitas.framework.actions import TransitionNotAllowed, signing_form_class, signing_service
from qualitas.framework.exports import FORMATS, export
from qualitas.framework.forms import ReasonForm, style_widgets
from qualitas.framework.models import AuditedModel
from qualitas.framework.registry import register_model
from qualitas.framework.scoping import permission_name
from qualitas.framework.tables import ORDER_PARAM
from qualitas.framework.ui.panels import RecordInfoPanel, RenderedPanel
from qualitas.framework.ui.tabs import Tab, get_tab, register_tab, tabs_for

PAGE_SIZES = (25, 50, 100, 250)


def url_prefix(model):
    return slugify(str(model._meta.verbose_name_plural)).replace("_", "-")


class ModelViews:
    model = None
    table = None
    filterset = None
    form = None
    panels = ()
    #: The URL prefix, when the one made from the verbose plural is not right (``non-conformances``).
    path_prefix: str | None = None
    #: Set False for read-only record types (e.g. logs).
    can_create = True
    can_edit = True
    #: Extra buttons on the list page: (label, URL name, permission), shown to who has the permission.
    list_links: tuple[tuple[str, str, str], ...] = ()
    list_template = "framework/list.html"
    detail_template = "framework/detail.html"
    form_template = "framework/form.html"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is not None:
            register_model(cls.model, table=cls.table, filterset=cls.filterset, form=cls.form, views=cls)

    # --- URLs ---------------------------------------------------------------------------------

    @classmethod
    def name(cls, view):
        return f"{cls.model._meta.model_name}_{view}"

    @classmethod
    def urls(cls):
        prefix = cls.path_prefix or url_prefix(cls.model)
        patterns = [
            path(f"{prefix}/", ListView.as_view(viewset=cls), name=cls.name("list")),
            path(f"{prefix}/<int:pk>/", DetailView.as_view(viewset=cls), name=cls.name("detail")),
        ]
        if issubclass(cls.model, AuditedModel):
            patterns.append(
                path(
                    f"{prefix}/<int:pk>/history/", HistoryView.as_view(viewset=cls), name=cls.name("history")
                )
            )
        if getattr(cls.model, "state_machine", None) is not None:
            patterns.append(
                path(
                    f"{prefix}/<int:pk>/actions/<slug:action>/",
                    ActionView.as_view(viewset=cls),
                    name=cls.name("action"),
                )
            )
        if cls.can_create and cls.form is not None:
            patterns.append(path(f"{prefix}/add/", EditView.as_view(viewset=cls), name=cls.name("add")))
        if cls.can_edit and cls.form is not None:
            patterns.append(
                path(f"{prefix}/<int:pk>/edit/", EditView.as_view(viewset=cls), name=cls.name("edit"))
            )
        if hasattr(cls.model, "archive"):
            patterns += [
                path(
                    f"{prefix}/<int:pk>/archive/",
                    ArchiveView.as_view(viewset=cls, operation="archive"),
                    name=cls.name("archive"),
                ),
                path(
                    f"{prefix}/<int:pk>/restore/",
                    ArchiveView.as_view(viewset=cls, operation="restore"),
                    name=cls.name("restore"),
                ),
            ]
        # Last: the tabs other apps register (attachments, signatures, approvals, ...).
        patterns.append(
            path(f"{prefix}/<int:pk>/<slug:tab>/", TabView.as_view(viewset=cls), name=cls.name("tab"))
        )
        return patterns

    @classmethod
    def url(cls, view, *args):
        return reverse(f"{cls.model._meta.app_label}:{cls.name(view)}", args=args)

    @classmethod
    def get_panels(cls, obj):
        return [*cls.panels, RecordInfoPanel()]


class RecordView(View):
    viewset = None

    @property
    def model(self):
        return self.viewset.model

    def queryset(self, action="view"):
        return self.model.objects.restrict(self.request.user, action)

    def get_object(self, action="view"):
        return get_object_or_404(self.queryset(action), pk=self.kwargs["pk"])

    def require(self, action):
        user = self.request.user
        if not user.is_authenticated:
            raise PermissionDenied
        if not user.has_perm(permission_name(self.model, action)):
            raise PermissionDenied(
                f"You do not have permission to {action} {self.model._meta.verbose_name_plural}."
            )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def base_context(self, obj=None):
        meta = self.model._meta
        user = self.request.user
        context = {
            "model_meta": meta,
            "viewset": self.viewset,
            "list_url": self.viewset.url("list"),
            "add_url": f"{self.viewset.url('list')}add/",
            "can_add": self.viewset.can_create
            and self.viewset.form is not None
            and user.has_perm(permission_name(self.model, "add")),
            "list_links": [
                (label, reverse(name))
                for label, name, permission in self.viewset.list_links
                if user.has_perm(permission)
            ],
        }
        if obj is not None:
            can_change = user.has_perm(permission_name(self.model, "change")) and (
                self.queryset("change").filter(pk=obj.pk).exists()
            )
            machine = getattr(self.model, "state_machine", None)
            context.update(
                {
                    "object": obj,
                    "can_edit": can_change
                    and self.viewset.can_edit
                    and self.viewset.form is not None
                    and not getattr(obj, "is_archived", False),
                    "can_archive": can_change and hasattr(obj, "archive"),
                    "tabs": [
                        (tab, f"{obj.get_absolute_url()}{tab.url_suffix}") for tab in tabs_for(self.model)
                    ],
                    # The header shows the record's actions on every tab.
                    "actions": machine.available(obj, user) if machine else [],
                }
            )
        return context


class ListView(RecordView):
    def get(self, request):
        self.require("view")
        queryset = self.queryset("view")
        # Always bound, so that the defaults (active records only) hold on the bare URL too.
        filterset = self.viewset.filterset(request.GET, queryset=queryset, request=request)
        style_widgets(filterset.form, small=True)
        if not filterset.is_valid():
            rows_queryset = queryset.none()
        else:
            rows_queryset = filterset.qs
        table = self.viewset.table(rows_queryset, order=request.GET.get(ORDER_PARAM))
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            access.record_export(self.model, detail=request.GET.urlencode()[:300])
            return export(table, fmt)
        per_page = _int(request.GET.get("per_page"), 50)
        per_page = per_page if per_page in PAGE_SIZES else 50
        page = Paginator(table.queryset, per_page).get_page(request.GET.get("page"))
        context = {
            **self.base_context(),
            "filterset": filterset,
            "table": table,
            "page": page,
            "rows": table.rows(page.object_list),
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
            "query": _query_without(request.GET, "page"),
            "sort_query": _query_without(request.GET, "page", ORDER_PARAM),
            "export_query": _query_without(request.GET, "page", "export", "per_page"),
        }
        template = (
            "framework/_table.html"
            if request.htmx and not request.htmx.boosted
            else self.viewset.list_template
        )
        return render(request, template, context)


class DetailView(RecordView):
    def get(self, request, pk):
        self.require("view")
        obj = self.get_object()
        access.record_view(obj)
        context = {
            **self.base_context(obj),
            "active_tab": "overview",
            "panels": [
                RenderedPanel(panel, panel.render(obj, request)) for panel in self.viewset.get_panels(obj)
            ],
        }
        return render(request, self.viewset.detail_template, context)


class HistoryView(RecordView):
    def get(self, request, pk):
        self.require("view")
        obj = self.get_object()
        entries = Paginator(history(obj).select_related("content_type"), 50).get_page(request.GET.get("page"))
        context = {**self.base_context(obj), "active_tab": "history", "entries": entries}
        return render(request, "framework/history.html", context)


class EditView(RecordView):
    def get_target(self):
        if "pk" in self.kwargs:
            self.require("change")
            obj = self.get_object("change")
            if getattr(obj, "is_archived", False):
                raise PermissionDenied("Archived records cannot be edited; restore it first.")
            return obj
        self.require("add")
        return None

    def get(self, request, pk=None):
        obj = self.get_target()
        return self.render_form(self.viewset.form(instance=obj), obj)

    def post(self, request, pk=None):
        obj = self.get_target()
        form = self.viewset.form(request.POST, request.FILES, instance=obj)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = form.save()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(saved.get_absolute_url())
        return self.render_form(form, obj, status=400 if request.method == "POST" else 200)

    def render_form(self, form, obj, status=200):
        context = {**self.base_context(obj), "form": form, "is_new": obj is None}
        return render(self.request, self.viewset.form_template, context, status=status)


class ArchiveView(RecordView):
    operation = "archive"

    def target(self):
        self.require("change")
        obj = self.get_object("change")
        if (self.operation == "archive") == bool(getattr(obj, "is_archived", False)):
            raise Http404("Nothing to do")
        return obj

    def get(self, request, pk):
        obj = self.target()
        return self.render_form(ReasonForm(), obj)

    def post(self, request, pk):
        obj = self.target()
        form = ReasonForm(request.POST)
        if form.is_valid():
            getattr(obj, self.operation)(form.cleaned_data["reason"])
            return redirect(obj.get_absolute_url())
        return self.render_form(form, obj, status=400)

    def render_form(self, form, obj, status=200):
        context = {**self.base_context(obj), "form": form, "operation": self.operation}
        return render(self.request, "framework/reason_form.html", context, status=status)


class ActionView(RecordView):
    """The confirmation page of a state-machine action: its description, blockers, reason field
    and, for actions that need an electronic signature, the signer's components."""

    def action(self, obj):
        machine = getattr(self.model, "state_machine", None)
        action_class = machine.get_action(self.kwargs["action"]) if machine else None
        if action_class is None:
            raise Http404("No such action")
        return action_class(obj, self.request.user, request=self.request)

    def signature_form(self, action, data=None):
        """The form for the signer's components, or None when the action needs no signature."""
        requirements = action.signature_requirements()
        if requirements is None:
            return None
        return signing_form_class()(data, requirements=requirements)

    def get(self, request, pk, action):
        self.require("view")
        action = self.action(self.get_object())
        form = ReasonForm() if action.requires_reason else None
        return self.render_form(action, form, action.get_form(), self.signature_form(action), [])

    def post(self, request, pk, action):
        self.require("view")
        action = self.action(self.get_object())
        form = ReasonForm(request.POST) if action.requires_reason else None
        params_form = action.get_form(request.POST)
        signature_form = self.signature_form(action, request.POST)
        forms = (form, params_form, signature_form)
        # A refused action (403) or a record that is not ready (409) asks for nothing else.
        blockers = action.get_blockers()
        if not action.has_permission():
            action.check()
        if blockers:
            return self.render_form(action, *forms, blockers, status=409)
        valid = [f.is_valid() for f in forms if f is not None]
        if not all(valid):
            return self.render_form(action, *forms, [], status=400)
        reason = form.cleaned_data["reason"] if form is not None else ""
        signature = signature_form.components() if signature_form is not None else None
        params = params_form.cleaned_data if params_form is not None else {}
        try:
            action.execute(reason=reason, signature=signature, **params)
        except TransitionNotAllowed as error:
            return self.render_form(action, *forms, error.blockers, status=409)
        except ValidationError as error:
            # Bad parameters or a missing or wrong signature component: nothing was written.
            self.add_errors(error, params_form, signature_form)
            return self.render_form(action, *forms, [], status=400)
        if action.signature is not None:
            messages.success(
                request,
                f"{action.label}: done and signed ({action.signature.get_meaning_display()}) by "
                f"{action.signature.printed_name}.",
            )
        return redirect(action.obj.get_absolute_url())

    def add_errors(self, error, params_form, signature_form):
        """Put each message of ``error`` on the field it names, in the form that has the field; the
        rest on the page (through the parameters or signature form's non-field errors)."""
        messages_by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        target = params_form if params_form is not None else signature_form
        for name, texts in messages_by_field.items():
            for candidate in (params_form, signature_form):
                if candidate is not None and name in candidate.fields:
                    candidate.add_error(name, texts)
                    break
            else:
                if target is None:
                    raise error
                target.add_error(None, texts)

    def render_form(self, action, form, params_form, signature_form, blockers, status=200):
        meaning = action.required_signature()
        context = {
            **self.base_context(action.obj),
            "action": action,
            "form": form,
            "params_form": params_form,
            "signature_form": signature_form,
            "signature_meaning": signing_service().meaning_label(meaning) if meaning else "",
            "blockers": blockers or action.get_blockers(),
        }
        return render(self.request, "framework/action_form.html", context, status=status)


class TabView(RecordView):
    """Routes ``<prefix>/<pk>/<tab>/`` to the view of the registered tab of that name."""

    def dispatch(self, request, *args, **kwargs):
        tab = get_tab(self.model, kwargs["tab"])
        if tab is None:
            raise Http404("No such tab")
        return tab.view.as_view(viewset=self.viewset)(request, pk=kwargs["pk"])


class RecordTabView(RecordView):
    """A detail-page tab: the record's header and tabs, then the tab's own template.

    Subclasses set ``tab_name`` and ``template_name`` and return their context from
    ``get_context(obj)``; ``post`` is theirs to add. The record is fetched through the same
    permission-scoped queryset as the detail page, so a record the user may not see is a 404.
    """

    tab_name = ""
    template_name = ""

    def get(self, request, pk):
        self.require("view")
        obj = self.get_object()
        return self.render_tab(obj)

    def get_context(self, obj):
        return {}

    def render_tab(self, obj, status=200, **extra):
        context = {**self.base_context(obj), "active_tab": self.tab_name, **self.get_context(obj), **extra}
        return render(self.request, self.template_name, context, status=status)


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _query_without(params, *names):
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# Every record type has a History tab.
register_tab(
    Tab(
        name="history",
        label="History",
        url_suffix="history/",
        weight=90,
        applies_to=lambda model: issubclass(model, AuditedModel),
    )
)
