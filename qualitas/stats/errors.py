"""The one exception type of the statistics library."""


class StatsError(ValueError):
    """Bad input to a statistics function, with a message a person can act on.

    It subclasses ``ValueError`` so callers that already catch ``ValueError`` keep working.
    """
