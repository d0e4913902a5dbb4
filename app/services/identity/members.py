"""Who belongs to a group and who a user name is, as the commands that create tasks ask it.

One step asks the same questions several times (is anyone there to take the task?
who gets the notification? who is the assignee?). A command's `MemberCache`
(`ctx.members`) answers each once; it lives as long as the command.
"""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from ...models import Group, Unit, User, user_groups


class Member(NamedTuple):
    """As much of a user as a task or a copy needs."""
    id: int
    username: str


class MemberCache:
    def __init__(self, session: Session):
        self._session = session
        self._answers: dict[tuple, object] = {}

    def of_groups(self, group_keys) -> list[Member]:
        """The active members of any of the groups, by user name, each once."""
        keys = tuple(sorted({k for k in group_keys if k}))
        if not keys:
            return []
        if ("groups", keys) not in self._answers:
            found = self._session.execute(
                select(User.id, User.username).join(user_groups, user_groups.c.user_id == User.id)
                .join(Group, Group.id == user_groups.c.group_id)
                .where(Group.key.in_(keys), User.active.is_(True)).order_by(User.username)).all()
            self._answers[("groups", keys)] = list(dict.fromkeys(Member(*row) for row in found))
        return self._answers[("groups", keys)]  # type: ignore[return-value]

    def by_names(self, usernames) -> list[Member]:
        """The active accounts with these user names."""
        names = tuple(sorted({n for n in usernames if n}))
        if not names:
            return []
        if ("names", names) not in self._answers:
            found = self._session.execute(select(User.id, User.username).where(
                User.username.in_(names), User.active.is_(True)).order_by(User.username)).all()
            self._answers[("names", names)] = [Member(*row) for row in found]
        return self._answers[("names", names)]  # type: ignore[return-value]

    def user_named(self, username) -> User | None:
        """The User row for a user name (active or not), or None."""
        if not username:
            return None
        if ("user", username) not in self._answers:
            self._answers[("user", username)] = self._session.execute(   # its groups only if asked for
                select(User).options(lazyload(User.groups)).where(User.username == username)).scalar_one_or_none()
        return self._answers[("user", username)]  # type: ignore[return-value]

    def unit_key(self, unit_id) -> str:
        """The key of a unit (a user's, as an initiator's case data names it), or ""."""
        return self._unit(unit_id)[0]

    def unit_name(self, unit_id) -> str:
        """The name of a unit (the applicant an inbox row shows), or ""."""
        return self._unit(unit_id)[1]

    def _unit(self, unit_id) -> tuple[str, str]:
        if unit_id is None:
            return "", ""
        if ("unit", unit_id) not in self._answers:
            row = self._session.execute(select(Unit.key, Unit.name).where(Unit.id == unit_id)).first()
            self._answers[("unit", unit_id)] = (row[0] or "", row[1] or "") if row else ("", "")
        return self._answers[("unit", unit_id)]  # type: ignore[return-value]
