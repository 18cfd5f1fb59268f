"""The project's own sample legacy channel exports (``legacy-channel-export/1``),
written from the format (docs/sample-data.md) for ``manage.py make_sample``, the
import tests, ``bin/run`` and the benchmarks. Plain functions, one module per
kind of record; ``builder.build`` assembles and writes them."""
