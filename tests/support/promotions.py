"""Promotion slots for the tests, saved and published as the admin does it."""

from content.models import PromotionEntry, PromotionSlot
from tests.support.content import publish


def make_slot(code, owner, channel="web", entries=(), published=True, title=None):
    """A slot of ``owner`` on ``channel`` with ``entries`` (dicts of entry fields), in that order."""
    slot = PromotionSlot(code=code, title=title or f"营销位{code}", channel=channel, organisation=owner, live=False)
    slot.entries = [PromotionEntry(sort_order=n, **fields) for n, fields in enumerate(entries)]
    slot.save()
    return publish(slot) if published else slot
