"""Follower tags (tags/*): the tag a brand's followers carry, which a conditional menu
matches. Created once per name; a lost answer or a tag someone created by hand is
found again by name (tags/get) instead of failing on WeChat's duplicate-name error."""

from .. import limits
from ..errors import LimitViolation, PermanentError

TAG_NAME_EXISTS = 45157


class TagCalls:
    def list_tags(self) -> dict:
        """{name: id} of the account's follower tags (tags/get)."""
        answer = self._call("tags/get", "GET")
        return {tag["name"]: int(tag["id"]) for tag in answer.get("tags") or []}

    def ensure_tag(self, name: str) -> int:
        """The id of the follower tag ``name``, created (tags/create) when missing."""
        violations = limits.check_tag_name(name)
        if violations:
            raise LimitViolation("tags/create", violations)
        found = self.list_tags().get(name)
        if found is not None:
            return found
        try:
            answer = self._call("tags/create", json_body={"tag": {"name": name}})
        except PermanentError as exc:
            # Created by an earlier try whose answer was lost, or by another worker.
            if exc.errcode != TAG_NAME_EXISTS:
                raise
            found = self.list_tags().get(name)
            if found is None:
                raise
            return found
        return int(answer["tag"]["id"])
