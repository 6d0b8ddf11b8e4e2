"""The inspection-pack page: what the pack of a record holds, and the button that starts it."""

from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.views import View

from qualitas.core.service_models import Job
from qualitas.framework.forms import style_widgets
from qualitas.framework.registry import get_entry
from qualitas.reports import services
from qualitas.reports.forms import InspectionPackForm


class InspectionPackView(View):
    """GET ``?record=app.model:id``: the record, what its pack will contain and the user's earlier
    packs of it. POST: start the pack job and go to the job's page. A record the user may not view
    is a 404, a malformed reference a 400 with the form's message."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = InspectionPackForm(request.GET)
        if not form.is_valid():
            return self.render_form(form, status=400 if request.GET else 200)
        obj = services.resolve_record(request.user, form.cleaned_data["record"])
        return self.render_form(form, obj)

    def post(self, request):
        form = InspectionPackForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        obj = services.resolve_record(request.user, form.cleaned_data["record"])
        job = services.request_inspection_pack(request.user, obj)
        return redirect(job.get_absolute_url())

    def render_form(self, form, obj=None, status=200):
        style_widgets(form)
        context = {"form": form, "object": obj}
        if obj is not None:
            context.update(
                {
                    "reference": services.record_reference(obj),
                    "list_url": _list_url(obj),
                    "summary": services.pack_summary(obj),
                    "earlier": _earlier_packs(obj, self.request.user),
                }
            )
        return render(self.request, "reports/inspection_pack_page.html", context, status=status)


def _list_url(obj):
    entry = get_entry(type(obj))
    if entry is None or entry.views is None:
        return ""
    try:
        return entry.views.url("list")
    except NoReverseMatch:
        return ""


def _earlier_packs(obj, user, limit=10):
    """The user's (or, for job monitors, everyone's) earlier packs of this record, newest first."""
    content_type = ContentType.objects.get_for_model(type(obj), for_concrete_model=True)
    return list(
        Job.objects.restrict(user, "view")
        .filter(kind=services.JOB_KIND, content_type=content_type, object_id=str(obj.pk))
        .select_related("started_by")
        .order_by("-created", "-id")[:limit]
    )
