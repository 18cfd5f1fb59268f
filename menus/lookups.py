"""Reference lookups shared by one validation pass over many trees and accounts: a
WeChat menu rolled out to 30 accounts is checked once per account and per live brand
variant, and which brand codes exist or which account codes are mini-programs does
not depend on the account: read once per pass, not ~90 times each."""

from content.models import Brand, ChannelAccount


class Lookups:
    def __init__(self):
        self._brands = {}  # code -> exists
        self._account_types = {}  # code -> type or None

    def known_brands(self, codes):
        """The codes of ``codes`` naming a brand."""
        missing = [code for code in codes if code not in self._brands]
        if missing:
            found = set(Brand.objects.filter(code__in=missing).values_list("code", flat=True))
            self._brands.update({code: code in found for code in missing})
        return {code for code in codes if self._brands[code]}

    def account_types(self, codes):
        """{code: channel type} of the codes naming an account."""
        missing = [code for code in codes if code not in self._account_types]
        if missing:
            found = dict(ChannelAccount.objects.filter(code__in=missing).values_list("code", "type"))
            self._account_types.update({code: found.get(code) for code in missing})
        return {code: self._account_types[code] for code in codes if self._account_types[code] is not None}
