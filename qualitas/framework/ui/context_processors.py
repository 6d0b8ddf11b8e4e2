from django.contrib import admin

from qualitas.framework.ui.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "can_open_admin": False}
    return {"navigation": menu_for(user), "can_open_admin": admin.site.has_permission(request)}
