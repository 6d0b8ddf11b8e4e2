from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from qualitas.core.models import DomainEvent, ObjectChange
from qualitas.framework.search import search


@login_required
def home(request):
    """The dashboard: what changed recently, as far as the user may see it."""
    user = request.user
    context = {
        "recent_events": DomainEvent.objects.restrict(user).select_related("content_type")[:10],
        "recent_changes": ObjectChange.objects.restrict(user).select_related("content_type")[:10],
    }
    return render(request, "home.html", context)


@login_required
def search_page(request):
    query = request.GET.get("q", "")
    return render(request, "search.html", {"search_query": query, "groups": search(request.user, query)})
