"""Images of the material library: small flat-colour PNG stand-ins (a tenth of the
intended size the record gives), owned by the province or a branch."""

import io

from PIL import Image

from .vocabulary import PROVINCE_CODE

COVER_SIZE = (900, 500)
INLINE_SIZE = (640, 360)
# Files are this much smaller than the intended size: a full export stays a few megabytes.
STAND_IN_DIVISOR = 10
PALETTE = ((0, 134, 209), (230, 0, 18), (255, 153, 0), (0, 160, 80), (120, 60, 180), (80, 80, 80))


def image_records(rng, scale, orgs):
    """A third of the images are the province's, the rest go round the branches;
    every other image is a cover (16:9-ish), the rest inline pictures."""
    names = {o["code"]: o["name"] for o in orgs}
    branches = [o["code"] for o in orgs if o["level"] == "branch"]
    out = []
    for i in range(1, scale.images + 1):
        org = PROVINCE_CODE if i % 3 == 1 or not branches else branches[i % len(branches)]
        cover = i % 2 == 1
        width, height = COVER_SIZE if cover else INLINE_SIZE
        out.append({
            "code": f"IMG{i:04d}",
            "file": f"images/IMG{i:04d}.png",
            "width": width,
            "height": height,
            "alt": f"{names[org]}{'封面图' if cover else '宣传配图'}{i}",
            "org": org,
            # Not part of the format: the colour the file is painted with, dropped before writing.
            "_colour": PALETTE[rng.randrange(len(PALETTE))],
        })
    return out


def png_bytes(record):
    """The PNG stand-in of an image record; the same record gives the same bytes."""
    size = (record["width"] // STAND_IN_DIVISOR, record["height"] // STAND_IN_DIVISOR)
    buffer = io.BytesIO()
    Image.new("RGB", size, record["_colour"]).save(buffer, format="PNG")
    return buffer.getvalue()


def readable_images(images, orgs):
    """org code -> codes of the images its articles may use: its own and its ancestors'."""
    parent = {o["code"]: o["parent"] for o in orgs}
    by_org = {}
    for image in images:
        by_org.setdefault(image["org"], []).append(image["code"])
    out = {}
    for org in parent:
        codes, node = [], org
        while node:
            codes += by_org.get(node, [])
            node = parent[node]
        out[org] = codes
    return out
