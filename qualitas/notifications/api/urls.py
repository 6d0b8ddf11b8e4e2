from qualitas.framework.api.router import router  # noqa: F401  (viewsets register here)
