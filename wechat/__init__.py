"""WeChat official-account server API: a typed client (``client.py``), its shared
access-token store (``tokens.py``), WeChat's limits (``limits.py``) and an emulator
of the API for tests and the local demo (``emulator/``)."""
