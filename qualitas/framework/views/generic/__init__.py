from qualitas.framework.views.generic.viewset import ModelViews

__all__ = ("ModelViews",)
