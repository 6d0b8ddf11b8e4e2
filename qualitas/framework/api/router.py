"""The API router. Each app's ``api/urls.py`` registers its viewsets on this router."""

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    include_format_suffixes = False


router = Router()
