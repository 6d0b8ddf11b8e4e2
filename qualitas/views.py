from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from qualitas import dashboard
from qualitas.framework.search import search


@login_required
def home(request):
    """The dashboard: status figures and what changed recently, as far as the user may see it."""
    user = request.user
    context = {
        "tiles": dashboard.tiles(user),
        "recent_events": dashboard.recent_events(user),
        "recent_changes": dashboard.recent_changes(user),
    }
    return render(request, "home.html", context)


@login_required
def search_page(request):
    query = request.GET.get("q", "")
    return render(request, "search.html", {"search_query": query, "groups": search(request.user, query)})


def not_found(request, exception=None):
    """404 for the whole site: the API's JSON error body under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"status": 404, "code": "not_found", "detail": "Not found.", "errors": {}}, status=404
        )
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        body = {
            "status": 500,
            "code": "server_error",
            "detail": "An unexpected error occurred.",
            "errors": {},
        }
        return JsonResponse(body, status=500)
    return render(request, "500.html", status=500)
