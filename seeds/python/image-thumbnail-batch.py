#!/usr/bin/env python3
"""Generate web thumbnails for the product photo library.

Walks the source tree, writes 400px and 1200px JPEG renditions into the
output tree (mirroring folders), preserves orientation via EXIF, and skips
images whose renditions are newer than the source.
"""
import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image, ImageOps

SIZES = (400, 1200)
EXTS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"}


def render(src, src_root, out_root):
    made = 0
    rel = src.relative_to(src_root).with_suffix("")
    with Image.open(src) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
        for size in SIZES:
            dst = out_root / f"{rel}_{size}.jpg"
            if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            copy = im.copy()
            copy.thumbnail((size, size), Image.LANCZOS)
            copy.save(dst, "JPEG", quality=85, optimize=True, progressive=True)
            made += 1
    return made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("-j", "--jobs", type=int, default=4)
    a = ap.parse_args()
    files = [p for p in a.src.rglob("*") if p.suffix.lower() in EXTS]
    with ProcessPoolExecutor(a.jobs) as ex:
        made = sum(ex.map(render, files, [a.src] * len(files), [a.out] * len(files)))
    print(f"{len(files)} images scanned, {made} renditions written")


if __name__ == "__main__":
    main()
