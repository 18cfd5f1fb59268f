"""The WeChat API calls of ``WeChatClient``, one module per kind of call; each class
is a mixin of the client and relies on its transport (``_call``, ``_send``, ``retry``,
``app_id``). Import the client from ``wechat.client``."""
