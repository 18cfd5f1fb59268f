"""How much of each kind a sample export holds.

``full`` is the estate of the mission: one province, its eleven city branches and
forty outlets ("1 + N + X" = 52 organisations), 30 WeChat official accounts,
about 18,000 SMS templates, an SMS menu of about 2,000 nodes, 2,000 articles and
300 packages. ``small`` keeps every list and every node type at a size unit tests
import in seconds."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    branches: int
    outlets: int  # spread over the branches, the first ones getting one more
    outlet_accounts: int  # outlets running their own official account
    packages: int
    businesses: int
    images: int
    sms_templates: int
    articles: int
    # The SMS hall menu: submenus per level, and how many third-level entries open a fourth level.
    sms_menu_fanout: tuple
    sms_menu_deep_every: int
    keywords_per_account: int


SCALES = {
    "small": Scale(
        name="small", branches=3, outlets=6, outlet_accounts=0, packages=24, businesses=6, images=16,
        sms_templates=300, articles=60, sms_menu_fanout=(3, 3, 2), sms_menu_deep_every=3, keywords_per_account=3,
    ),
    "full": Scale(
        name="full", branches=11, outlets=40, outlet_accounts=18, packages=300, businesses=60, images=240,
        sms_templates=18_000, articles=2_000, sms_menu_fanout=(9, 9, 9), sms_menu_deep_every=3,
        keywords_per_account=8,
    ),
}
