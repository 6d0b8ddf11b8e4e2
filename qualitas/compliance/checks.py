"""System checks: the catalogue is consistent and every ``evidence_for`` names a real clause.
They run with ``manage.py check`` and before ``runserver`` and ``migrate``."""

from django.core import checks

from qualitas.compliance import services
from qualitas.compliance.catalogue import CatalogueError, load


@checks.register(checks.Tags.models)
def check_clause_catalogue(app_configs=None, **kwargs):
    try:
        catalogue = load()
    except CatalogueError as error:
        return [checks.Error(str(error), id="compliance.E001", obj="qualitas.compliance.catalogue")]
    return [
        checks.Error(problem, id="compliance.E002", hint="Use a key from qualitas/compliance/catalogue/.")
        for problem in services.check_sources(services.declared_sources(), catalogue)
    ]
