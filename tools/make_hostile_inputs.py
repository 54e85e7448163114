#!/usr/bin/env python3
"""Writes the hostile and borderline image inputs of the robustness suite to streams-app/src/test/resources/hostile/.

Each file is small; what makes it dangerous is what it declares or how it is built:
- png-50000x50000.png: a valid PNG header declaring 2.5 gigapixels (a decompression bomb by dimensions).
- png-bomb-20000x20000.png: a real, complete 400 MP black PNG that deflates to well under 1 MB.
- gif-10000-frames.gif: an animated GIF of 10,000 frames (only the first may be decoded).
- one-pixel.png: a valid 1x1 image (must be tagged, not rejected).
- strip-20000x10.png: a valid 20000x10 strip (extreme aspect ratio; must be tagged).
- cmyk-odd-icc.jpg: a CMYK JPEG carrying an ICC profile that is not a valid profile.
- corrupt-exif.jpg: a JPEG whose APP1 Exif segment holds garbage instead of a TIFF structure.
- truncated.jpg: the first half of a real photo.
- html-named.jpg: an HTML page with a .jpg name.
Usage: /usr/bin/python3 tools/make_hostile_inputs.py
"""
import io
import os
import struct
import zlib

from PIL import Image

OUT = "streams-app/src/test/resources/hostile"
PHOTO = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(w, h):
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def png_black(w, h):
    row = b"\x00" + b"\x00" * w  # filter byte + 1 byte per pixel (greyscale)
    comp = zlib.compressobj(9)
    data = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def gif_frames(count):
    """A 1x1 GIF89a with a 2-colour global table and `count` frames, each a graphic control extension and a
    one-pixel image alternating the colour: about 20 bytes a frame."""
    out = bytearray(b"GIF89a" + struct.pack("<HH", 1, 1) + bytes([0x80, 0, 0]) + bytes([0, 0, 0, 255, 255, 255]))
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    for i in range(count):
        out += b"\x21\xf9\x04\x00\x01\x00\x00\x00"
        out += b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00"
        # LZW, minimum code size 2: clear (4), the pixel (0 or 1), end (5), packed in 3-bit codes
        codes = [4, i % 2, 5]
        bits = 0
        for n, code in enumerate(codes):
            bits |= code << (3 * n)
        out += b"\x02\x02" + struct.pack("<H", bits) + b"\x00"
    out += b"\x3b"
    return bytes(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    photo = Image.open(PHOTO).convert("RGB").resize((256, 256), Image.BICUBIC)
    with open(os.path.join(OUT, "png-50000x50000.png"), "wb") as f:
        f.write(png_header_only(50000, 50000))
    with open(os.path.join(OUT, "png-bomb-20000x20000.png"), "wb") as f:
        f.write(png_black(20000, 20000))
    with open(os.path.join(OUT, "gif-10000-frames.gif"), "wb") as f:
        f.write(gif_frames(10000))
    Image.new("RGB", (1, 1), (200, 30, 30)).save(os.path.join(OUT, "one-pixel.png"))
    strip = photo.resize((20000, 10), Image.BILINEAR)
    strip.save(os.path.join(OUT, "strip-20000x10.png"), optimize=True)
    photo.convert("CMYK").save(os.path.join(OUT, "cmyk-odd-icc.jpg"), quality=90,
                               icc_profile=b"not an icc profile" * 20)
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=90)
    jpeg = buf.getvalue()
    garbage = b"Exif\x00\x00" + b"\xde\xad\xbe\xef" * 64
    app1 = b"\xff\xe1" + struct.pack(">H", len(garbage) + 2) + garbage
    with open(os.path.join(OUT, "corrupt-exif.jpg"), "wb") as f:
        f.write(jpeg[:2] + app1 + jpeg[2:])
    with open(os.path.join(OUT, "truncated.jpg"), "wb") as f:
        f.write(jpeg[: len(jpeg) // 2])
    with open(os.path.join(OUT, "html-named.jpg"), "w") as f:
        f.write("<!DOCTYPE html><html><head><title>Not found</title></head><body>404</body></html>\n")
    photo.save(os.path.join(OUT, "valid.jpg"), quality=90)


if __name__ == "__main__":
    main()
