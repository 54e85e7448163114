#!/usr/bin/python3
"""Generates the JPEG exactness matrix: one small JPEG per variant a phone or camera writes, and what Pillow
makes of it.

Run with Debian bookworm's system Python (python3-pil 9.4 on libjpeg62-turbo 2.1, python3-torch 1.13,
python3-torchvision 0.14, python3-skimage) and libjpeg-turbo-progs (`cjpeg`, `jpegtran`) plus ImageMagick
(`convert`, for YCCK):

    /usr/bin/python3 tools/make_jpeg_matrix.py

Writes streams-app/src/test/resources/images/jpeg-matrix/: the JPEGs, `manifest.json` and `reference/`.
CI never runs this script; its outputs are committed.

For each JPEG the manifest records what Pillow decodes (mode, size, EXIF orientation and the SHA-256 of
`Image.open(f).tobytes()`, i.e. every decoded sample before any transform) and the reference preprocessing
(tools/make_image_fixtures.py's pipeline: exif_transpose, Resize(224, BICUBIC) + CenterCrop(224) -- "squash" to
224x224 for the 1x4000 strip, whose shortest-side resize would be 224x896000 --, convert("RGB"), ToTensor,
Normalize): the uint8 crop as a PNG plus its SHA-256, and the SHA-256 of the float32 CHW tensor's
little-endian bytes (torchvision's arithmetic is plain IEEE float32, so the Java tensor must be bit-identical).

What Pillow cannot write is written with libjpeg-turbo's own tools (4:4:0 / 4:1:1 subsampling and restart
markers, arithmetic coding: `cjpeg`; lossless transforms: `jpegtran`) or by editing the bytes (ICC profiles are built here from
their published primaries; JFIF/JFXX/EXIF thumbnails and trailing bytes are spliced in as segments).
Source photos: scikit-image's astronaut (public domain, NASA), chelsea and coffee (CC0); see ../README.md.
"""
import gzip
import hashlib
import io
import json
import os
import struct
import subprocess
import tempfile

import numpy as np
import torch
from PIL import Image, ImageOps
from torchvision import transforms
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "streams-app", "src", "test", "resources", "images", "jpeg-matrix")
REF = os.path.join(OUT, "reference")
SK = "/usr/lib/python3/dist-packages/skimage/data"

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
# Every fixture has the SHA-256 of its crop and tensor; the crop PNG is kept only for these few (and the full
# tensor, gzip, for two) so a test can show the size of a difference without the repository growing by MBs.
CROP_FILES = {"jpeg_icc_adobe_rgb.jpg", "jpeg_icc_display_p3.jpg", "jpeg_cmyk_adobe.jpg", "jpeg_subsampling_440.jpg",
              "jpeg_exif_orientation_5.jpg", "jpeg_odd_1001x667.jpg"}
TENSOR_FILES = {"jpeg_icc_display_p3.jpg", "jpeg_subsampling_440.jpg"}


# --- ICC profiles (ICC.1:2001 v2 matrix/TRC display profiles, built from the published primaries) -----------

def s15f16(v):
    return struct.pack(">i", int(round(v * 65536)))


def xyz_tag(x, y, z):
    return b"XYZ " + b"\0" * 4 + s15f16(x) + s15f16(y) + s15f16(z)


def desc_tag(text):
    ascii_ = text.encode("ascii") + b"\0"
    return (b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_ + struct.pack(">II", 0, 0)
            + struct.pack(">HB", 0, 0) + b"\0" * 67)


def text_tag(text):
    return b"text" + b"\0" * 4 + text.encode("ascii") + b"\0"


def gamma_curve(gamma):
    return b"curv" + b"\0" * 4 + struct.pack(">IH", 1, int(round(gamma * 256))) + b"\0\0"


def srgb_curve(n=1024):
    def f(v):
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    values = [int(round(f(i / (n - 1)) * 65535)) for i in range(n)]
    return b"curv" + b"\0" * 4 + struct.pack(">I", n) + struct.pack(f">{n}H", *values)


def icc_profile(colour_space, description, tags):
    """tags: list of (signature, data); returns the whole profile with header and tag table."""
    tags = [(b"desc", desc_tag(description)), (b"cprt", text_tag("No copyright, use freely"))] + tags
    table_len = 4 + 12 * len(tags)
    offset = 128 + table_len
    table = struct.pack(">I", len(tags))
    body = b""
    for sig, data in tags:
        while len(data) % 4:
            data += b"\0"
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = 128 + table_len + len(body)
    header = (struct.pack(">I", size) + b"none" + struct.pack(">I", 0x02100000) + b"mntr" + colour_space
              + b"XYZ " + struct.pack(">6H", 2024, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 4 + struct.pack(">I", 0)
              + b"\0" * 8 + b"\0" * 8 + struct.pack(">I", 0) + s15f16(0.9642) + s15f16(1.0) + s15f16(0.8249)
              + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + table + body


D50_WHITE = (b"wtpt", xyz_tag(0.9642, 1.0, 0.8249))


def adobe_rgb_profile():
    trc = gamma_curve(563 / 256)
    return icc_profile(b"RGB ", "Adobe RGB (1998) compatible, clipstream test", [
        D50_WHITE, (b"rXYZ", xyz_tag(0.60974, 0.31111, 0.01947)), (b"gXYZ", xyz_tag(0.20528, 0.62567, 0.06087)),
        (b"bXYZ", xyz_tag(0.14919, 0.06322, 0.74457)), (b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc)])


def display_p3_profile():
    trc = srgb_curve()
    return icc_profile(b"RGB ", "Display P3 compatible, clipstream test", [
        D50_WHITE, (b"rXYZ", xyz_tag(0.515102, 0.241182, -0.001050)),
        (b"gXYZ", xyz_tag(0.291965, 0.692236, 0.041882)), (b"bXYZ", xyz_tag(0.157153, 0.066582, 0.784378)),
        (b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc)])


def grey_profile():
    return icc_profile(b"GRAY", "Grey gamma 1.8, clipstream test", [D50_WHITE, (b"kTRC", gamma_curve(1.8))])


# --- byte-level JPEG editing ----------------------------------------------------------------------------------

def segments(jpeg):
    """(marker, start, end) of every marker segment before SOS."""
    assert jpeg[:2] == b"\xff\xd8"
    i = 2
    out = []
    while True:
        assert jpeg[i] == 0xFF
        marker = jpeg[i + 1]
        length = struct.unpack(">H", jpeg[i + 2:i + 4])[0]
        out.append((marker, i, i + 2 + length))
        if marker == 0xDA:
            return out
        i += 2 + length


def segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def replace_app0(jpeg, payloads):
    """Replaces the JFIF APP0 segment with the given APP0 payloads (in order)."""
    marker, start, end = segments(jpeg)[0]
    assert marker == 0xE0 and jpeg[start + 4:start + 9] == b"JFIF\0"
    return jpeg[:start] + b"".join(segment(0xE0, p) for p in payloads) + jpeg[end:]


def insert_after_app0(jpeg, raw_segment):
    marker, start, end = segments(jpeg)[0]
    assert marker == 0xE0
    return jpeg[:end] + raw_segment + jpeg[end:]


def jfif_payload(thumb=None):
    w, h, data = (0, 0, b"") if thumb is None else (thumb.size[0], thumb.size[1], thumb.tobytes())
    return b"JFIF\0" + bytes([1, 2, 1]) + struct.pack(">HH", 72, 72) + bytes([w, h]) + data


def exif_with_thumbnail(orientation, thumb_jpeg):
    """EXIF APP1 payload: IFD0 (Orientation) and IFD1 with a JPEG thumbnail, big-endian TIFF."""
    ifd0_off = 8
    ifd0 = struct.pack(">H", 1) + struct.pack(">HHII", 0x0112, 3, 1, orientation << 16)
    ifd1_off = ifd0_off + len(ifd0) + 4
    ifd1_len = 2 + 3 * 12 + 4
    thumb_off = ifd1_off + ifd1_len
    ifd1 = (struct.pack(">H", 3) + struct.pack(">HHII", 0x0103, 3, 1, 6 << 16)
            + struct.pack(">HHII", 0x0201, 4, 1, thumb_off) + struct.pack(">HHII", 0x0202, 4, 1, len(thumb_jpeg))
            + struct.pack(">I", 0))
    tiff = b"MM\0\x2a" + struct.pack(">I", ifd0_off) + ifd0 + struct.pack(">I", ifd1_off) + ifd1 + thumb_jpeg
    return b"Exif\0\0" + tiff


def exif_orientation(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


# --- encoders ---------------------------------------------------------------------------------------------------

def pil_jpeg(im, **kw):
    buf = io.BytesIO()
    im.save(buf, "JPEG", **kw)
    return buf.getvalue()


def cjpeg(im, *args):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.ppm")
        im.save(src)
        return subprocess.run(["cjpeg", *args, src], check=True, capture_output=True).stdout


def jpegtran(jpeg, *args):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.jpg")
        with open(src, "wb") as f:
            f.write(jpeg)
        return subprocess.run(["jpegtran", *args, src], check=True, capture_output=True).stdout


def imagemagick_ycck(im):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.png")
        dst = os.path.join(tmp, "out.jpg")
        im.save(src)
        subprocess.run(["convert", src, "-colorspace", "CMYK", "-quality", "90", dst], check=True)
        with open(dst, "rb") as f:
            data = f.read()
    i = data.find(b"Adobe")
    assert i >= 0 and data[i + 11] == 2, "ImageMagick did not write an Adobe YCCK JPEG"
    return data


def sof_sampling(jpeg):
    """'HxV,...' per component from the SOF segment."""
    for marker, start, _ in segments(jpeg):
        if marker in (0xC0, 0xC1, 0xC2, 0xC9, 0xCA):
            n = jpeg[start + 9]
            comps = [jpeg[start + 10 + 3 * k + 1] for k in range(n)]
            return ",".join(f"{c >> 4}x{c & 15}" for c in comps)
    raise AssertionError("no SOF")


def variants():
    astronaut = Image.open(os.path.join(SK, "astronaut.png")).convert("RGB")  # 512x512
    chelsea = Image.open(os.path.join(SK, "chelsea.png")).convert("RGB")      # 451x300
    coffee = Image.open(os.path.join(SK, "coffee.png")).convert("RGB")        # 600x400
    cat = chelsea.crop((0, 0, 451, 297))  # odd width, height not a multiple of 16
    v = {}
    v["jpeg_icc_adobe_rgb.jpg"] = pil_jpeg(cat, quality=90, icc_profile=adobe_rgb_profile())
    v["jpeg_icc_display_p3.jpg"] = pil_jpeg(coffee, quality=90, icc_profile=display_p3_profile())
    v["jpeg_icc_display_p3_progressive.jpg"] = pil_jpeg(astronaut.resize((320, 320), Image.LANCZOS), quality=88,
                                                       progressive=True, icc_profile=display_p3_profile())
    v["jpeg_icc_grey.jpg"] = pil_jpeg(coffee.convert("L"), quality=90, icc_profile=grey_profile())
    v["jpeg_baseline_444.jpg"] = pil_jpeg(cat, quality=90, subsampling=0)
    v["jpeg_baseline_422.jpg"] = pil_jpeg(cat, quality=90, subsampling=1)
    v["jpeg_baseline_420.jpg"] = pil_jpeg(cat, quality=90, subsampling=2)
    v["jpeg_progressive_444.jpg"] = pil_jpeg(cat, quality=90, subsampling=0, progressive=True)
    v["jpeg_progressive_422.jpg"] = pil_jpeg(cat, quality=90, subsampling=1, progressive=True)
    v["jpeg_progressive_420.jpg"] = pil_jpeg(cat, quality=90, subsampling=2, progressive=True)
    v["jpeg_subsampling_440.jpg"] = cjpeg(cat, "-quality", "90", "-sample", "1x2,1x1,1x1")
    v["jpeg_subsampling_440_progressive.jpg"] = cjpeg(cat, "-quality", "90", "-sample", "1x2,1x1,1x1",
                                                      "-progressive")
    v["jpeg_subsampling_411.jpg"] = cjpeg(cat, "-quality", "90", "-sample", "4x1,1x1,1x1")
    v["jpeg_arithmetic.jpg"] = cjpeg(cat, "-quality", "90", "-arithmetic")
    v["jpeg_restart_rows.jpg"] = cjpeg(cat, "-quality", "90", "-restart", "1")
    v["jpeg_restart_blocks.jpg"] = cjpeg(cat, "-quality", "90", "-restart", "3B", "-sample", "2x2,1x1,1x1")
    v["jpeg_odd_1001x667.jpg"] = pil_jpeg(coffee.resize((1001, 667), Image.LANCZOS), quality=75)
    strip = coffee.resize((1, 4000), Image.LANCZOS)
    v["jpeg_odd_1x4000.jpg"] = pil_jpeg(strip, quality=90)
    v["jpeg_quality_30.jpg"] = pil_jpeg(coffee, quality=30)
    v["jpeg_quality_98.jpg"] = pil_jpeg(cat, quality=98)
    v["jpeg_grey.jpg"] = pil_jpeg(cat.convert("L"), quality=90)
    v["jpeg_grey_progressive.jpg"] = pil_jpeg(cat.convert("L"), quality=90, progressive=True)
    v["jpeg_cmyk_adobe.jpg"] = pil_jpeg(cat.convert("CMYK"), quality=90)
    v["jpeg_ycck_adobe.jpg"] = imagemagick_ycck(cat.crop((0, 0, 301, 217)))
    # EXIF orientations on a 4:2:0 image of odd size (the reference is Pillow on the very same file, so the
    # stored pixels need not be a lossless rotation)
    small = chelsea.resize((301, 203), Image.LANCZOS)
    for o in range(1, 9):
        v[f"jpeg_exif_orientation_{o}.jpg"] = pil_jpeg(small, quality=88, exif=exif_orientation(o))
    # ... and lossless jpegtran transforms with the tag that undoes them: upright after exif_transpose
    upright = pil_jpeg(chelsea.crop((0, 0, 304, 208)), quality=90, subsampling=0)
    undo = {2: ["-flip", "horizontal"], 4: ["-flip", "vertical"], 5: ["-transpose"], 7: ["-transverse"]}
    for o, args in undo.items():
        rotated = jpegtran(upright, "-perfect", "-copy", "none", *args)
        v[f"jpeg_exif_lossless_{o}.jpg"] = insert_after_app0(rotated, segment(0xE1, exif_orientation(o)))
    thumb = small.resize((16, 12), Image.LANCZOS)
    base = pil_jpeg(small, quality=88)
    v["jpeg_thumbnail_jfif_app0.jpg"] = replace_app0(base, [jfif_payload(thumb)])
    jfxx = b"JFXX\0" + bytes([0x10]) + pil_jpeg(thumb, quality=80)
    v["jpeg_thumbnail_jfxx_app0.jpg"] = replace_app0(base, [jfif_payload(), jfxx])
    v["jpeg_thumbnail_exif_app1.jpg"] = insert_after_app0(
        base, segment(0xE1, exif_with_thumbnail(6, pil_jpeg(thumb.transpose(Image.Transpose.ROTATE_90), quality=80))))
    rng = np.random.RandomState(16)
    v["jpeg_trailing_garbage.jpg"] = base + rng.randint(0, 256, 3000).astype(np.uint8).tobytes()
    v["jpeg_trailing_second_jpeg.jpg"] = base + pil_jpeg(thumb, quality=80)
    v["jpeg_trailing_zero_padding.jpg"] = base + b"\0" * 4096
    return v


def reference_image(im, size, resize_mode):
    im = ImageOps.exif_transpose(im)
    if resize_mode == "shortest":
        t = transforms.Compose([transforms.Resize(size, interpolation=InterpolationMode.BICUBIC),
                                transforms.CenterCrop(size)])
    else:
        t = transforms.Resize((size, size), interpolation=InterpolationMode.BICUBIC)
    return t(im).convert("RGB")


def main():
    os.makedirs(REF, exist_ok=True)
    for d in (OUT, REF):
        for f in os.listdir(d):
            p = os.path.join(d, f)
            if os.path.isfile(p) and f != "README.md":
                os.remove(p)
    manifest = []
    total = 0
    for name, data in sorted(variants().items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        total += len(data)
        im = Image.open(io.BytesIO(data))
        im.load()
        assert im.format == "JPEG", name
        stem = os.path.splitext(name)[0]
        size, resize_mode = 224, ("squash" if min(im.size) < 8 else "shortest")
        rgb = reference_image(Image.open(io.BytesIO(data)), size, resize_mode)
        tensor = transforms.Normalize(CLIP_MEAN, CLIP_STD)(transforms.ToTensor()(rgb)).numpy().astype("<f4")
        entry = {"file": name, "mode": im.mode, "width": im.size[0], "height": im.size[1],
                 "progressive": bool(im.info.get("progressive", 0)), "sampling": sof_sampling(data),
                 "icc_profile_bytes": len(im.info.get("icc_profile") or b""),
                 "orientation": im.getexif().get(0x0112, 1),
                 "decoded_sha256": hashlib.sha256(im.tobytes()).hexdigest(),
                 "size": size, "resize_mode": resize_mode,
                 "crop_sha256": hashlib.sha256(rgb.tobytes()).hexdigest(),
                 "tensor_sha256": hashlib.sha256(tensor.tobytes()).hexdigest()}
        if name in CROP_FILES:
            crop_name = f"{stem}__{size}_bicubic_{resize_mode}.png"
            buf = io.BytesIO()
            Image.frombytes("RGB", rgb.size, rgb.tobytes()).save(buf, "PNG", optimize=True)
            with open(os.path.join(REF, crop_name), "wb") as f:
                f.write(buf.getvalue())
            total += len(buf.getvalue())
            entry["crop"] = f"reference/{crop_name}"
        if name in TENSOR_FILES:
            tname = f"{stem}__{size}_bicubic_{resize_mode}.chw.f32.gz"
            blob = gzip.compress(tensor.tobytes(), 9, mtime=0)
            with open(os.path.join(REF, tname), "wb") as f:
                f.write(blob)
            total += len(blob)
            entry["tensor"] = f"reference/{tname}"
        manifest.append(entry)
        print(f"{name:42s} {im.mode:5s} {im.size[0]:5d}x{im.size[1]:<5d} {entry['sampling']:17s} "
              f"prog={int(entry['progressive'])} icc={entry['icc_profile_bytes']:5d} o={entry['orientation']} "
              f"{len(data):7d} B")
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "tools/make_jpeg_matrix.py", "pil": Image.__version__, "torch": torch.__version__,
                   "clip_mean": CLIP_MEAN, "clip_std": CLIP_STD, "fixtures": manifest}, f, indent=1)
    print(f"{len(manifest)} fixtures, {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
