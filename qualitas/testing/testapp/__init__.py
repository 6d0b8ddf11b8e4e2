"""A test-only app: the ``Widget`` record exercises framework features that no production model
uses yet (record numbers, versions, a state machine with a reason and a precondition).

It is installed, and its URLs are included, only when ``settings.TESTING`` is true.
"""
