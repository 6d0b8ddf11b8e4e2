"""Background requests (a bell's refresh, an event stream, a big screen's polling) read the
session without renewing it, so that an idle session still expires."""


class BackgroundSession:
    """``request.session`` for background requests (the bell's refresh, the event stream).

    Reads work as usual, but ``SessionMiddleware`` finds no ``accessed`` attribute and leaves the
    session and its cookie alone. The session's expiry measures idle time
    (``SESSION_SAVE_EVERY_REQUEST``); without this, an open tab refreshing its bell would keep an
    idle session alive for ever.
    """

    def __init__(self, session):
        self._session = session

    def __getattr__(self, name):
        if name in ("accessed", "modified", "save"):
            raise AttributeError(name)
        return getattr(self._session, name)

    def __getitem__(self, key):
        return self._session[key]

    def __contains__(self, key):
        return key in self._session


def leave_session_alone(request):
    request.user  # noqa: B018 (resolve the user while the real session is in place)
    if not isinstance(request.session, BackgroundSession):
        request.session = BackgroundSession(request.session)
