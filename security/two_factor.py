"""TOTP two-factor sign-in: who needs it, enrolment, verification.

Supervisors and administrators can read audit trails, export statistics and manage keys and
users: a stolen password alone must not be enough for them.
"""

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Role

from .audit import record_event

SECOND_FACTOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
DEVICE_NAME = "Lối Về"


def needs_second_factor(user) -> bool:
    """Signed in with a role (or superuser flag) that requires TOTP, and not verified yet."""
    if not getattr(user, "is_authenticated", False):
        return False
    required = user.role in SECOND_FACTOR_ROLES or user.is_superuser
    return required and not user.is_verified()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user) -> TOTPDevice:
    """The pending (unconfirmed) device, kept across page loads so the QR code is stable."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code: no image request, nothing for the CSP to allow."""
    buffer = BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML declaration so it can sit inside HTML


@transaction.atomic
def verify_second_factor(request, token: str) -> bool:
    """Check a code against the confirmed device, or confirm the pending one; audit both ways."""
    user = request.user
    device = confirmed_device(user)
    enrolling = device is None
    device = device or enrolment_device(user)
    if not device.verify_token(token.strip()):
        record_event("auth.otp_failed", actor=user)
        return False
    if enrolling:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event("auth.otp_enrolled", actor=user, obj=device)
    otp_login(request, device)
    record_event("auth.otp_verified", actor=user)
    return True
