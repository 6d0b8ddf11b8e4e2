from qualitas.framework.ui.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    return {"navigation": menu_for(user) if user is not None else []}
