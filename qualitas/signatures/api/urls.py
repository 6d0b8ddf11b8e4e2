from qualitas.framework.api.router import router
from qualitas.signatures.api.views import SignatureViewSet

router.register("signatures", SignatureViewSet)
