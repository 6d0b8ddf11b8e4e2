"""Global search across every registered record type, through the same scoped querysets."""

from dataclasses import dataclass

from qualitas.framework.registry import registered_models

PER_MODEL = 10


@dataclass
class SearchGroup:
    model: type
    results: list
    total: int
    list_url: str


def search(user, query):
    query = (query or "").strip()
    if len(query) < 2:
        return []
    groups = []
    for entry in registered_models():
        filterset_class = entry.filterset
        if (
            filterset_class is None
            or not getattr(filterset_class, "search_fields", ())
            or entry.views is None
        ):
            continue
        queryset = entry.model.objects.restrict(user, "view")
        filterset = filterset_class({"q": query}, queryset=queryset)
        if not filterset.is_valid():
            continue
        matches = filterset.qs
        total = matches.count()
        if total:
            groups.append(
                SearchGroup(
                    model=entry.model,
                    results=list(matches[:PER_MODEL]),
                    total=total,
                    list_url=f"{entry.views.url('list')}?q={query}",
                )
            )
    return groups
