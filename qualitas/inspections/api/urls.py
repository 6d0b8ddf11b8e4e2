from qualitas.framework.api.router import router
from qualitas.inspections.api.views import (
    ErrorTypeViewSet,
    MeasurementDefinitionViewSet,
    MeasurementResultViewSet,
    QualityReportViewSet,
    ReportDefectViewSet,
    SamplingDecisionViewSet,
    SamplingRuleSetViewSet,
    SamplingRuleViewSet,
    SamplingStateViewSet,
)

router.register("measurement-definitions", MeasurementDefinitionViewSet)
router.register("error-types", ErrorTypeViewSet)
router.register("quality-reports", QualityReportViewSet)
router.register("measurement-results", MeasurementResultViewSet)
router.register("report-defects", ReportDefectViewSet)
router.register("sampling-rule-sets", SamplingRuleSetViewSet)
router.register("sampling-rules", SamplingRuleViewSet)
router.register("sampling-states", SamplingStateViewSet)
router.register("sampling-decisions", SamplingDecisionViewSet)
