"""Staff API tokens: ``Authorization: Bearer <raw token>``."""

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from civicdesk.accounts.models import ApiToken, User

# Issued tokens are ~46 characters; anything much longer is not worth hashing.
_MAX_TOKEN_LENGTH = 200


def staff_user_for_token(raw_token: str) -> User | None:
    """The active staff member holding this live token, recording its use; None otherwise."""
    raw_token = raw_token.strip()
    if not raw_token or len(raw_token) > _MAX_TOKEN_LENGTH:
        return None
    token = ApiToken.objects.find(raw_token)
    if token is None or not token.user.is_staff_member:
        return None
    token.record_use()  # at most once a minute: a read must not wait for the writer
    return token.user


class StaffToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return staff_user_for_token(token)


staff_token = StaffToken()


def optional_staff_user(request: HttpRequest) -> User | None:
    """For endpoints open to everyone that do more for staff (no rate limit, any channel).

    No Authorization header means an anonymous caller. A header that does not hold a valid
    staff token is refused rather than ignored, so a client with an expired token learns it
    at once instead of being silently rate-limited as anonymous.
    """
    if not request.headers.get("Authorization"):
        return None
    user = staff_token(request)
    if user is None:
        raise AuthenticationError()
    return user
