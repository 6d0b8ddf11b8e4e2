from qualitas.framework.views.generic.viewset import ModelViews, RecordTabView, RecordView

__all__ = ("ModelViews", "RecordTabView", "RecordView")
