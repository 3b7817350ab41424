"""The session engine (SESSION_ENGINE): Django's database sessions, read by a query compiled
once. Every signed-in request reads its session first, and building and compiling that read
through the ORM cost more than the database takes to answer it (issue 15)."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.sql import CompiledRead, Slot, columns_of, instance_of

# A session by its key, unless it has expired.
_SESSIONS = CompiledRead(
    lambda: Session.objects.filter(
        session_key=Slot("key", Session._meta.pk),
        expire_date__gt=Slot("now", Session._meta.get_field("expire_date")),
    ).values(*columns_of(Session))
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        """The session as Django's database engine reads it; an unknown or expired key is
        forgotten, so that the next save makes a new one."""
        rows = _SESSIONS.rows(key=self.session_key, now=timezone.now())
        if rows:
            return instance_of(Session, rows[0])
        self._session_key = None
        return None
