#!/usr/bin/python3
"""Times the reference pipeline (PIL 9.4 + torchvision 0.14, one thread) on the 1920x1080 JPEG fixture.

    /usr/bin/python3 tools/bench_preprocess_pil.py [image] [iterations]

Counterpart of io.clipstream.image.PreprocessBenchmark: decode + exif_transpose + Resize(224, BICUBIC) +
CenterCrop(224) + convert("RGB") + ToTensor + Normalize.
"""
import io
import os
import statistics
import sys
import time

import torch
from PIL import Image, ImageOps
from torchvision import transforms
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = os.path.join(ROOT, "streams-app", "src", "test", "resources", "images", "jpeg_large_1920x1080.jpg")


def main():
    torch.set_num_threads(1)
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with open(path, "rb") as f:
        data = f.read()
    t = transforms.Compose([
        transforms.Resize(224, interpolation=InterpolationMode.BICUBIC),
        transforms.CenterCrop(224),
        lambda im: im.convert("RGB"),
        transforms.ToTensor(),
        transforms.Normalize((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)),
    ])

    def run():
        im = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        return t(im)

    for _ in range(20):
        run()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    times.sort()
    decode = []
    for _ in range(iterations):
        start = time.perf_counter()
        Image.open(io.BytesIO(data)).load()
        decode.append(time.perf_counter() - start)
    decode.sort()
    print(f"PIL preprocess {len(data)} bytes -> 224: median {statistics.median(times) * 1e3:.2f} ms, "
          f"best {times[0] * 1e3:.2f} ms, p90 {times[int(iterations * 0.9)] * 1e3:.2f} ms "
          f"({iterations} iterations, 1 thread)")
    print(f"  of which JPEG decode: median {statistics.median(decode) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
