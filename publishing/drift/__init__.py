"""Drift between a WeChat account's live state and what the CMS says should be there:
menus (``menus.py``), published articles (``articles.py``) and permanent materials,
checked and repaired per account (``accounts.py``), for ``wechat_sync`` and the
periodic check."""
