"""The Django admin, opened to the Admin role (not only to superusers and is_staff flags).

Admin saves go through the models' own ``save()`` and ``delete()``, so they are audited like
every other write, under the admin user's request context.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

ADMIN_ROLE = "Admin"


class QualitasAdminSite(admin.AdminSite):
    site_header = "Qualitas administration"
    site_title = "Qualitas admin"
    index_title = "Administration"

    def has_permission(self, request):
        user = request.user
        if not user.is_active or not user.is_authenticated:
            return False
        return user.is_superuser or user.is_staff or user.groups.filter(name=ADMIN_ROLE).exists()


class QualitasAdminConfig(AdminConfig):
    default_site = "qualitas.admin.QualitasAdminSite"
