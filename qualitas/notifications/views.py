"""Pages: your notifications, the bell, your e-mail preferences, the event stream, and the
administrators' outbox (``DeliveryViews``)."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from qualitas.core.audit import history
from qualitas.framework.forms import style_widgets
from qualitas.framework.sessions import leave_session_alone
from qualitas.framework.ui.panels import FieldsPanel, Panel, TextPanel
from qualitas.framework.views.generic import ModelViews
from qualitas.notifications import services, stream
from qualitas.notifications.filtersets import DeliveryFilterSet, NotificationFilterSet
from qualitas.notifications.forms import PreferencesForm
from qualitas.notifications.models import Delivery, Notification
from qualitas.notifications.tables import DeliveryTable

#: Notifications shown in the bell's menu.
MENU_SIZE = 8


# --- The outbox (administrators) ----------------------------------------------------------------


class DeliveryPanel(FieldsPanel):
    """The delivery's fields, with the notification kind by its label."""

    def context(self, obj, request):
        context = super().context(obj, request)
        context["rows"] = [
            (label, obj.kind_label if name == "kind" else value)
            for name, (label, value) in zip(self.fields, context["rows"], strict=True)
        ]
        return context


class CarriedPanel(Panel):
    """The notifications an e-mail carries (one, or a digest's)."""

    template_name = "notifications/panels/carried.html"

    def context(self, obj, request):
        notifications = list(obj.notifications.select_related("recipient").order_by("created", "id")[:50])
        return {"notifications": notifications, "total": obj.notifications.count()}


class AdministrationPanel(Panel):
    """Cancellations and retries by administrators: the delivery's audit entries."""

    template_name = "notifications/panels/administration.html"

    def context(self, obj, request):
        return {"entries": list(history(obj).order_by("-time", "-id")[:20])}


class DeliveryViews(ModelViews):
    """The outbox: every e-mail, what is queued or failing and why. Administrators cancel an
    e-mail (with a reason) or retry it now; both are audited actions."""

    model = Delivery
    table = DeliveryTable
    filterset = DeliveryFilterSet
    can_create = can_edit = False
    panels = (
        DeliveryPanel(
            "E-mail",
            (
                "subject",
                "to_address",
                "recipient",
                "kind",
                "digest",
                "status",
                "attempts",
                "created",
                "next_attempt_at",
                "sent_at",
                "message_id",
            ),
        ),
        TextPanel("Last error", "last_error"),
        CarriedPanel("Notifications carried"),
        AdministrationPanel("Cancellations and retries"),
    )

    @classmethod
    def get_panels(cls, obj):
        # No RecordInfoPanel: deliveries are messages, not audited records (see models.py).
        return list(cls.panels)


# --- Your notifications -------------------------------------------------------------------------


class SignedInView(View):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)


def _back(request, default="notifications:notification_list"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


class NotificationListView(SignedInView):
    def get(self, request):
        queryset = services.notifications_for(request.user)
        filterset = NotificationFilterSet(request.GET, queryset=queryset)
        style_widgets(filterset.form, small=True)
        rows = filterset.qs if filterset.is_valid() else queryset.none()
        page = Paginator(rows.order_by("-created", "-id"), 25).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "unread": services.unread_count(request.user),
        }
        return render(request, "notifications/list.html", context)


class NotificationOpenView(SignedInView):
    """Opening a notification marks it read and leads to what it is about."""

    def get(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        services.mark_read(request.user, [notification])
        target = notification.url
        if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            return redirect(target)
        return redirect("notifications:notification_list")


class NotificationReadView(SignedInView):
    """POST: mark one notification read (or unread with ``read=0``)."""

    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if request.POST.get("read", "1") == "0":
            services.mark_unread(request.user, [notification])
        else:
            services.mark_read(request.user, [notification])
        if request.htmx:
            notification.refresh_from_db()
            response = render(request, "notifications/_row.html", {"notification": notification})
            response["HX-Trigger"] = "notifications:refresh"
            return response
        return _back(request)


class NotificationReadAllView(SignedInView):
    def post(self, request):
        services.mark_read(request.user)
        return _back(request)


def bell(request):
    """The bell's unread count (refreshed by htmx; does not count as activity)."""
    if not request.user.is_authenticated:
        # 286 tells htmx to stop polling; the next page load asks for the sign-in.
        return HttpResponse("", status=286)
    count = services.unread_count(request.user)
    leave_session_alone(request)
    response = render(request, "notifications/_bell_count.html", {"unread": count})
    response["Cache-Control"] = "no-store"
    return response


def menu(request):
    """The bell's menu: the latest notifications."""
    if not request.user.is_authenticated:
        return HttpResponse("", status=401)
    latest = list(services.notifications_for(request.user).order_by("-created", "-id")[:MENU_SIZE])
    response = render(
        request,
        "notifications/_menu.html",
        {"latest": latest, "unread": services.unread_count(request.user)},
    )
    response["Cache-Control"] = "no-store"
    return response


class PreferencesView(SignedInView):
    """Your e-mail preferences: a table of notification kinds × modes."""

    def get(self, request):
        form = PreferencesForm(preferences=services.preferences_for(request.user))
        return self.render_form(form)

    def post(self, request):
        form = PreferencesForm(request.POST, preferences=services.preferences_for(request.user))
        if form.is_valid():
            try:
                changed = services.set_preferences(request.user, form.cleaned_data)
            except ValidationError as error:
                for code, messages in error.message_dict.items():
                    form.add_error(code if code in form.fields else None, messages)
            else:
                url = reverse("notifications:preferences")
                return redirect(f"{url}?saved={len(changed)}")
        return self.render_form(form, status=400)

    def render_form(self, form, status=200):
        saved = self.request.GET.get("saved")
        context = {"form": form, "rows": form.rows(), "saved": saved if saved and saved.isdigit() else None}
        return render(self.request, "notifications/preferences.html", context, status=status)


def event_stream(request):
    """``text/event-stream`` of your urgent notifications (see stream.py for the design)."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    if not request.user.is_authenticated:
        # 204 tells EventSource to stop reconnecting.
        return HttpResponse(status=204)
    user_id = request.user.pk
    after = stream.parse_position(request.headers.get("Last-Event-ID"))
    if after is None:
        after = stream.parse_position(request.GET.get("after"))
    leave_session_alone(request)
    if isinstance(request, ASGIRequest):
        content = stream.async_stream(user_id, after)
    else:
        content = stream.sync_stream(user_id, after)
    response = StreamingHttpResponse(content, content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx passes events on at once
    return response
