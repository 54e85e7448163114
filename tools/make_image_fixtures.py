#!/usr/bin/python3
"""Generates the image fixtures and reference outputs for io.clipstream.image tests.

Run with Debian bookworm's system Python (python3-pil 9.4, python3-torch 1.13,
python3-torchvision 0.14, python3-skimage):

    /usr/bin/python3 tools/make_image_fixtures.py

CI never runs this script; its outputs under
streams-app/src/test/resources/images/ are committed.

Reference pipeline (what the Java ImagePreprocessor must reproduce exactly):

  1. PIL.Image.open(...) (first frame only for GIF)
  2. PIL.ImageOps.exif_transpose        -- NOT part of OpenAI's preprocess; we add it
  3. if the mode is one PIL would not resample with the requested filter
     ("1", "P", "PA" and the special ";" modes), convert("RGB") first
     (as Hugging Face's CLIPImageProcessor does); every other mode (L, LA, RGB,
     RGBA, CMYK, I) is resized in its own mode exactly as OpenAI's preprocess does
  4. torchvision Resize(size, BICUBIC|BILINEAR) (shortest side) + CenterCrop(size),
     or Resize((size, size)) for resize_mode "squash"
  5. convert("RGB")                      -- OpenAI's _convert_image_to_rgb
  6. ToTensor + Normalize(CLIP mean, CLIP std)
"""
import gzip
import io
import json
import os
import struct
import subprocess
import sys
import time
import zlib

import numpy as np
import torch
from PIL import Image, ImageOps
from torchvision import transforms
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "streams-app", "src", "test", "resources", "images")
REF = os.path.join(OUT, "reference")
SK = "/usr/lib/python3/dist-packages/skimage/data"

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
NON_RESAMPLABLE_MODES = ("1", "P", "PA")


def reference_image(im, size, interpolation="bicubic", resize_mode="shortest"):
    """Returns the RGB PIL image after steps 1-5 of the reference pipeline."""
    im = ImageOps.exif_transpose(im)
    if im.mode in NON_RESAMPLABLE_MODES or ";" in im.mode:
        im = im.convert("RGB")
    interp = {"bicubic": InterpolationMode.BICUBIC, "bilinear": InterpolationMode.BILINEAR}[interpolation]
    if resize_mode == "shortest":
        t = transforms.Compose([transforms.Resize(size, interpolation=interp), transforms.CenterCrop(size)])
    else:
        t = transforms.Resize((size, size), interpolation=interp)
    return t(im).convert("RGB")


def reference_tensor(rgb):
    return transforms.Normalize(CLIP_MEAN, CLIP_STD)(transforms.ToTensor()(rgb))


def exif_bytes(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def insert_jpeg_app1(jpeg, payload):
    assert jpeg[:2] == b"\xff\xd8"
    seg = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + seg + jpeg[2:]


def png_bytes(width, height, color_type, bit_depth, rows):
    """Minimal PNG writer (PIL cannot write 16-bit RGB)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def add_png_exif(png, orientation):
    """Inserts an eXIf chunk right after IHDR."""
    data = exif_bytes(orientation)
    if data.startswith(b"Exif\x00\x00"):
        data = data[6:]
    kind = b"eXIf"
    chunk = struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    end_ihdr = 8 + 8 + 13 + 4
    return png[:end_ihdr] + chunk + png[end_ihdr:]


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def pil_bytes(im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def main():
    os.makedirs(REF, exist_ok=True)
    for d in (OUT, REF):
        for f in os.listdir(d):
            p = os.path.join(d, f)
            if os.path.isfile(p) and f != "README.md":
                os.remove(p)

    astronaut = Image.open(os.path.join(SK, "astronaut.png")).convert("RGB")  # 512x512
    chelsea = Image.open(os.path.join(SK, "chelsea.png")).convert("RGB")      # 451x300
    coffee = Image.open(os.path.join(SK, "coffee.png")).convert("RGB")        # 600x400

    fixtures = {}  # name -> bytes

    # --- JPEG -----------------------------------------------------------------------------
    fixtures["jpeg_baseline_420.jpg"] = pil_bytes(coffee, "JPEG", quality=90)
    fixtures["jpeg_baseline_444.jpg"] = pil_bytes(chelsea, "JPEG", quality=92, subsampling=0)
    fixtures["jpeg_baseline_422.jpg"] = pil_bytes(astronaut.resize((384, 384), Image.LANCZOS), "JPEG",
                                                  quality=88, subsampling=1)
    fixtures["jpeg_progressive.jpg"] = pil_bytes(astronaut, "JPEG", quality=85, progressive=True)
    fixtures["jpeg_grey.jpg"] = pil_bytes(coffee.convert("L"), "JPEG", quality=90)
    fixtures["jpeg_cmyk_adobe.jpg"] = pil_bytes(chelsea.convert("CMYK"), "JPEG", quality=90)
    # YCCK (Adobe transform 2) via ImageMagick; libjpeg encodes CMYK input as YCCK by default.
    tmp_in = "/tmp/clipstream_ycck_in.png"
    tmp_out = "/tmp/clipstream_ycck_out.jpg"
    chelsea.crop((40, 0, 360, 300)).save(tmp_in)
    subprocess.run(["convert", tmp_in, "-colorspace", "CMYK", "-quality", "90", tmp_out], check=True)
    with open(tmp_out, "rb") as f:
        ycck = f.read()
    i = ycck.find(b"Adobe")
    assert i >= 0 and ycck[i + 11] == 2, "ImageMagick did not write an Adobe YCCK JPEG"
    fixtures["jpeg_ycck_adobe.jpg"] = ycck
    # small image -> upscale path; portrait; large 1920x1080 for the benchmark
    fixtures["jpeg_small_upscale.jpg"] = pil_bytes(chelsea.resize((150, 100), Image.LANCZOS), "JPEG", quality=90)
    portrait = coffee.crop((150, 0, 420, 400))  # 270x400
    fixtures["jpeg_portrait.jpg"] = pil_bytes(portrait, "JPEG", quality=90)
    fixtures["jpeg_large_1920x1080.jpg"] = pil_bytes(coffee.resize((1920, 1080), Image.LANCZOS), "JPEG",
                                                     quality=85)

    # EXIF orientation: upright 4:4:4 JPEG with MCU-aligned size, rotated losslessly by jpegtran,
    # plus the orientation tag that undoes the rotation.
    upright = chelsea.crop((0, 0, 448, 296)).resize((448, 296))
    upright_jpeg = pil_bytes(upright, "JPEG", quality=92, subsampling=0)
    fixtures["jpeg_exif_upright.jpg"] = upright_jpeg
    # stored pixels = upright rotated by the inverse of what exif_transpose does
    stored_rotation = {3: ["-rotate", "180"], 6: ["-rotate", "270"], 8: ["-rotate", "90"]}
    with open("/tmp/clipstream_upright.jpg", "wb") as f:
        f.write(upright_jpeg)
    for orientation, args in stored_rotation.items():
        rotated = subprocess.run(["jpegtran", "-perfect", "-copy", "none"] + args + ["/tmp/clipstream_upright.jpg"],
                                 check=True, capture_output=True).stdout
        fixtures[f"jpeg_exif_orientation_{orientation}.jpg"] = insert_jpeg_app1(rotated, exif_bytes(orientation))

    # --- PNG ------------------------------------------------------------------------------
    small_coffee = coffee.resize((300, 200), Image.LANCZOS)
    fixtures["png_rgb.png"] = pil_bytes(chelsea.crop((100, 40, 340, 220)), "PNG", optimize=True)
    pal = small_coffee.quantize(colors=64)
    fixtures["png_palette.png"] = pil_bytes(pal, "PNG", transparency=0)
    fixtures["png_grey.png"] = pil_bytes(astronaut.resize((256, 320), Image.LANCZOS).convert("L"), "PNG")
    grey = chelsea.resize((240, 160), Image.LANCZOS).convert("L")
    alpha = Image.linear_gradient("L").resize((240, 160))
    la = Image.merge("LA", (grey, alpha))
    fixtures["png_grey_alpha.png"] = pil_bytes(la, "PNG")
    rgba = small_coffee.convert("RGBA")
    yy, xx = np.mgrid[0:200, 0:300]
    a = np.clip(255 - np.hypot(xx - 150, yy - 100) * 2.2, 0, 255).astype(np.uint8)
    a[:, :12] = 0
    rgba.putalpha(Image.fromarray(a, "L"))
    fixtures["png_rgba.png"] = pil_bytes(rgba, "PNG")
    # 16-bit grey: values 0..~1000 so PIL's I->RGB clipping at 255 is exercised
    g16 = (np.asarray(astronaut.resize((200, 200), Image.LANCZOS).convert("L"), dtype=np.uint16) * 4)
    fixtures["png_grey_16bit.png"] = png_bytes(200, 200, 0, 16, [g16[y].astype(">u2").tobytes() for y in range(200)])
    # 16-bit RGB: high byte = photo, low byte = noise (PIL keeps the high byte)
    rgb8 = np.asarray(chelsea.resize((150, 100), Image.LANCZOS), dtype=np.uint16)
    noise = np.random.RandomState(7).randint(0, 256, rgb8.shape).astype(np.uint16)
    rgb16 = (rgb8 << 8) | noise
    fixtures["png_rgb_16bit.png"] = png_bytes(150, 100, 2, 16, [rgb16[y].astype(">u2").tobytes() for y in range(100)])
    # PNG with an eXIf orientation tag (lossless, so it must equal the upright reference exactly)
    upright_png = chelsea.resize((240, 160), Image.LANCZOS)
    fixtures["png_exif_upright.png"] = pil_bytes(upright_png, "PNG")
    fixtures["png_exif_orientation_6.png"] = add_png_exif(
        pil_bytes(upright_png.transpose(Image.Transpose.ROTATE_90), "PNG"), 6)

    # --- GIF ------------------------------------------------------------------------------
    g = chelsea.resize((180, 120), Image.LANCZOS)
    frames = [g, g.transpose(Image.Transpose.FLIP_LEFT_RIGHT), g.transpose(Image.Transpose.FLIP_TOP_BOTTOM)]
    frames = [f.quantize(colors=128) for f in frames]
    fixtures["gif_animated.gif"] = pil_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:],
                                             duration=100, loop=0)
    # many frames: a photo first frame, then 299 full-size solid frames; only the first may be decoded
    base = coffee.resize((320, 240), Image.LANCZOS).quantize(colors=32)
    solids = [Image.new("RGB", (320, 240), ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256)).quantize(colors=2)
              for i in range(299)]
    fixtures["gif_many_frames.gif"] = pil_bytes(base, "GIF", save_all=True, append_images=solids,
                                                duration=20, loop=0)

    # --- BMP / WebP / TIFF ----------------------------------------------------------------
    fixtures["bmp_rgb.bmp"] = pil_bytes(chelsea.resize((240, 160), Image.LANCZOS), "BMP")
    fixtures["bmp_palette.bmp"] = pil_bytes(small_coffee.resize((200, 133), Image.LANCZOS).quantize(colors=200), "BMP")
    fixtures["webp_lossy.webp"] = pil_bytes(coffee, "WEBP", quality=80)
    fixtures["webp_lossless.webp"] = pil_bytes(chelsea.resize((300, 200), Image.LANCZOS), "WEBP", lossless=True)
    fixtures["webp_lossless_alpha.webp"] = pil_bytes(rgba, "WEBP", lossless=True)
    tif_src = astronaut.resize((160, 160), Image.LANCZOS)
    fixtures["tiff_uncompressed.tif"] = pil_bytes(tif_src, "TIFF")
    fixtures["tiff_lzw.tif"] = pil_bytes(chelsea.resize((210, 140), Image.LANCZOS), "TIFF", compression="tiff_lzw")
    fixtures["tiff_deflate.tif"] = pil_bytes(coffee.resize((150, 200), Image.LANCZOS), "TIFF",
                                             compression="tiff_adobe_deflate")

    # extra reference variants: (fixture, size, interpolation, resize_mode)
    variants = {
        "jpeg_baseline_420.jpg": [(288, "bicubic", "shortest"), (336, "bicubic", "shortest"),
                                  (224, "bicubic", "squash"), (224, "bilinear", "shortest")],
        "jpeg_portrait.jpg": [(336, "bicubic", "shortest"), (224, "bilinear", "squash")],
        "png_rgba.png": [(288, "bicubic", "shortest")],
        "jpeg_small_upscale.jpg": [(336, "bicubic", "shortest")],
    }
    tensor_fixtures = {"jpeg_baseline_420.jpg", "png_rgba.png", "webp_lossy.webp"}
    formats = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "bmp": "BMP", "webp": "WEBP", "tiff": "TIFF"}

    manifest = []
    total = 0
    for name in sorted(fixtures):
        data = fixtures[name]
        save(name, data)
        total += len(data)
        im = Image.open(io.BytesIO(data))
        orientation = im.getexif().get(0x0112, 1)
        entry = {"file": name, "format": im.format, "mode": im.mode, "width": im.size[0], "height": im.size[1],
                 "orientation": orientation, "references": []}
        assert formats[name.split("_")[0]] == im.format, name
        for size, interp, mode in [(224, "bicubic", "shortest")] + variants.get(name, []):
            im = Image.open(io.BytesIO(data))
            rgb = reference_image(im, size, interp, mode)
            stem = f"{os.path.splitext(name)[0]}__{size}_{interp}_{mode}"
            crop_name = f"{stem}.png"
            # re-wrap so no info (e.g. a palette's "transparency") leaks into the reference PNG as tRNS
            crop_bytes = pil_bytes(Image.frombytes("RGB", rgb.size, rgb.tobytes()), "PNG", optimize=True)
            with open(os.path.join(REF, crop_name), "wb") as f:
                f.write(crop_bytes)
            total += len(crop_bytes)
            ref = {"size": size, "interpolation": interp, "resize_mode": mode, "crop": f"reference/{crop_name}",
                   "crop_sha256": __import__("hashlib").sha256(rgb.tobytes()).hexdigest()}
            if name in tensor_fixtures and size == 224 and interp == "bicubic" and mode == "shortest":
                t = reference_tensor(rgb).numpy().astype("<f4")
                tname = f"{stem}.chw.f32.gz"
                blob = gzip.compress(t.tobytes(), 9, mtime=0)
                with open(os.path.join(REF, tname), "wb") as f:
                    f.write(blob)
                total += len(blob)
                ref["tensor"] = f"reference/{tname}"
            entry["references"].append(ref)
        manifest.append(entry)

    # check: the jpegtran-rotated EXIF fixtures decode to exactly the upright pixels
    up = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(fixtures["jpeg_exif_upright.jpg"]))))
    for o in (3, 6, 8):
        rot = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(fixtures[f"jpeg_exif_orientation_{o}.jpg"]))))
        diff = np.abs(up.astype(int) - rot.astype(int))
        print(f"exif {o}: shape {rot.shape} vs {up.shape}, max diff {diff.max()}, mean {diff.mean():.4f}")

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "tools/make_image_fixtures.py", "pil": Image.__version__,
                   "torch": torch.__version__, "clip_mean": CLIP_MEAN, "clip_std": CLIP_STD,
                   "fixtures": manifest}, f, indent=1)
    print(f"{len(manifest)} fixtures, {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
