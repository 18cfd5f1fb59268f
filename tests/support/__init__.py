"""Helpers shared by the tests of every app, one place for each:

- ``factories``: factory_boy factories of every record (``published=True`` publishes
  through a revision, the way the admin does);
- ``content``: ``publish`` / ``unpublish`` / ``committed`` / ``bind_command``;
- ``images``: real small images (``make_image``, ``image_bytes``) and upload headers;
- ``users``: ``make_editor`` for each role;
- ``menus``: node trees and menus with a draft;
- ``publishing``: official accounts on the emulator and an article to push;
- ``api``: the GraphQL API as a front end calls it;
- ``validation``, ``trees``: reading errors, HTML and node trees back;
- ``browser``, ``emulator``: fixture plugins (Chromium, the WeChat emulator and
  client), registered in tests/conftest.py.

What benchmarks also need (legacy exports, the sample loader, a Celery worker
process) is in ``harness/`` at the repository root, outside the tests."""
