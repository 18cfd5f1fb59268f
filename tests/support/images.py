"""Images for the tests: real small ones (one definition with the benchmarks, in
harness/images.py) and bare headers for the WeChat upload limits."""

from harness.images import image_bytes, make_image  # noqa: F401  (re-exported for the tests)

# Headers only: what the WeChat client and emulator sniff, for limit checks without a real image.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
