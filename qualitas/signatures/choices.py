from qualitas.framework.choices import ChoiceSet


class MeaningChoices(ChoiceSet):
    """What a signature means (21 CFR 11.50(a)(3)): shown with every signature, on screen and in print."""

    AUTHORED = "authored"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    VERIFIED = "verified"
    REJECTED = "rejected"

    CHOICES = [
        (AUTHORED, "Authored", "secondary"),
        (REVIEWED, "Reviewed", "info"),
        (APPROVED, "Approved", "success"),
        (VERIFIED, "Verified", "primary"),
        (REJECTED, "Rejected", "danger"),
    ]


class SessionRuleChoices(ChoiceSet):
    """Which rule of 21 CFR 11.200(a)(1) the signing followed, and so which components were given."""

    FIRST_IN_SESSION = "first_in_session"
    CONTINUOUS = "continuous"
    NO_SESSION = "no_session"

    CHOICES = [
        (FIRST_IN_SESSION, "First in the session (all components)", "primary"),
        (CONTINUOUS, "Continuous session (password)", "info"),
        (NO_SESSION, "Outside a session (all components)", "secondary"),
    ]
