"""Who reaches the API, and how (DESIGN.md §4; issue 9, point 10).

People sign in with a session (CSRF on writes; two factors where their role needs it, which
RequireTwoFactorMiddleware enforces before any view runs). API tokens are for integration
accounts only (the hotline's telephony system, a provincial dashboard): django-rest-knox
tokens, stored as digests, with an expiry, shown once by `manage.py issue_token`. A token is
scoped: an integration account reaches only the views that open themselves to it.
"""

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from agencies.models import Role
from agencies.selectors import member_columns, member_from
from config.sql import CompiledRead, Slot, columns_of, instance_of

# The tokens of a key's prefix, each with its account, the account's unit and its province.
_TOKENS = CompiledRead(
    lambda: AuthToken.objects.filter(
        token_key=Slot("key", AuthToken._meta.get_field("token_key"))
    ).values(*columns_of(AuthToken), *member_columns("user__"))
)


class IntegrationTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, accepted only for integration accounts: a person's
    token would sign them in without their second factor."""

    def authenticate_credentials(self, token: bytes):
        """knox's check of a token (its digest among the tokens of its key's prefix, then its
        expiry), in one read compiled once that brings the account's unit and province with
        it (agencies.selectors.member, issue 15). Tokens are never refreshed here (REST_KNOX
        AUTO_REFRESH off)."""
        try:
            token = token.decode()
            digest = hash_token(token)
        except (UnicodeDecodeError, TypeError, binascii.Error) as exc:
            raise AuthenticationFailed(_("Invalid token.")) from exc
        for row in _TOKENS.rows(key=token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            auth_token = instance_of(AuthToken, row)
            AuthToken.user.field.set_cached_value(auth_token, member_from(row, "user__"))
            if self._cleanup_token(auth_token) or not compare_digest(digest, auth_token.digest):
                continue
            user, auth_token = self.validate_user(auth_token)
            if user.role != Role.INTEGRATION:
                raise AuthenticationFailed(
                    _("API tokens are for integration accounts; people sign in with a session.")
                )
            return user, auth_token
        raise AuthenticationFailed(_("Invalid token."))

    def _cleanup_token(self, auth_token) -> bool:
        """Knox's check of the presented token's expiry (an expired one is deleted and
        refused), without knox's sweep of every other token of the account on each request
        (a query per call of the telephony system): `issue_token` deletes the account's
        expired tokens when it issues a new one, and an expired token is refused anyway."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class SignedInWithinScope(BasePermission):
    """Signed in; an integration account only on the views and methods that list it in
    `integration_methods` (intake creation, a case's status)."""

    message = _("Integration accounts may use only the intake and case-status endpoints.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.role == Role.INTEGRATION:
            return request.method in getattr(view, "integration_methods", ())
        return True


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema documents the integration accounts' token."""

    target_class = IntegrationTokenAuthentication
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Integration accounts only: `Token <key>` from `manage.py "
            "issue_token`. People sign in with a session (CSRF on writes, two factors).",
        }
