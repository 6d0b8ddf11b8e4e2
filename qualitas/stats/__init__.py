"""Qualitas statistics: control charts, run rules, capability, MSA, acceptance sampling, yields.

A pure library: numpy and scipy only, no Django. Every public function documents its formula and
source; bad input raises :class:`StatsError` (a ``ValueError``) with a readable message.

Modules: :mod:`.charts`, :mod:`.rules`, :mod:`.capability`, :mod:`.msa`, :mod:`.sampling`,
:mod:`.yields` and :mod:`.constants`.
"""

from qualitas.stats.errors import StatsError

__all__ = ["StatsError"]
