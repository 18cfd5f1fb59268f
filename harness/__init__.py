"""What the test suite and the benchmarks both run on, kept outside ``tests/`` so a
benchmark never imports a test module: the legacy export (``export``), its records
loaded straight into the models (``sample``), and a real Celery worker process
(``worker``). Not an app, not shipped: nothing in the apps imports it."""
