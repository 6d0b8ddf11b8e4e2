"""TOTP (RFC 6238) arithmetic and the enrolment QR code. Pure functions: no database."""

import datetime
import hmac
import re
import time

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings

#: Codes from one step before and after the current one are accepted (clock drift).
DRIFT_STEPS = 1


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(secret, email):
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=settings.QUALITAS_TOTP_ISSUER)


def matching_step(secret, code, after_step=0, now=None):
    """The time step whose code equals ``code``, within the allowed drift, or None.

    Steps at or before ``after_step`` (the last one used) never match, so a code cannot be
    replayed, even within its 30 seconds.
    """
    code = re.sub(r"\s+", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(_datetime(now))
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _datetime(now):
    return datetime.datetime.fromtimestamp(now if now is not None else time.time(), tz=datetime.UTC)


def qr_svg(uri):
    """An inline SVG of the QR code for ``uri`` (no XML declaration, scales with CSS)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", image.to_string(encoding="unicode"))
    return re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        '<svg role="img" aria-label="QR code for your authenticator app" width="200" height="200"',
        svg,
    )
