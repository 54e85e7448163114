"""PIL + torchvision side of `clipstream bench` (shipped in the jar, run with the python3 that has PIL).

    python3 pil_preprocess.py DIR SECONDS SIZE ROUNDS

Times OpenAI's CLIP preprocess (Pillow open + exif_transpose + Resize(SIZE, BICUBIC) + CenterCrop(SIZE) +
convert("RGB") + ToTensor + Normalize) on every file of DIR, single thread, for SECONDS split into ROUNDS, and
prints one JSON object: images per CPU-second (process_time, best round; torch is held to one thread), JPEG
decode alone per CPU-second (best round), the versions, and the SHA-256 of each uint8 crop so that the Java side can
check it computed the same pixels.
"""
import hashlib
import io
import json
import os
import sys
import time

import PIL
import torch
import torchvision
from PIL import Image, ImageOps
from torchvision import transforms
from torchvision.transforms import InterpolationMode


def main():
    torch.set_num_threads(1)
    folder, seconds, size = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    files = sorted(os.listdir(folder))
    blobs = []
    for name in files:
        with open(os.path.join(folder, name), "rb") as f:
            blobs.append(f.read())
    crop = transforms.Compose([transforms.Resize(size, interpolation=InterpolationMode.BICUBIC),
                               transforms.CenterCrop(size)])
    to_tensor = transforms.Compose([transforms.ToTensor(), transforms.Normalize(
        (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711))])

    def run(data):
        rgb = crop(ImageOps.exif_transpose(Image.open(io.BytesIO(data)))).convert("RGB")
        return rgb, to_tensor(rgb)

    hashes = {}
    for name, data in zip(files, blobs):
        rgb, _ = run(data)
        hashes[name] = hashlib.sha256(rgb.tobytes()).hexdigest()
    def best_rate(work, budget):
        best = 0.0
        for _ in range(rounds):
            count = 0
            start = time.process_time()
            while time.process_time() - start < budget / rounds or count < len(blobs):
                for data in blobs:
                    work(data)
                    count += 1
            best = max(best, count / (time.process_time() - start))
        return best

    for data in blobs:
        run(data)
    images_per_s = best_rate(run, seconds)
    decode_per_s = best_rate(lambda data: Image.open(io.BytesIO(data)).load(), seconds / 2)
    print(json.dumps({"images_per_s": images_per_s, "decode_per_s": decode_per_s,
                      "pil": PIL.__version__, "torchvision": torchvision.__version__, "crop_sha256": hashes}))


if __name__ == "__main__":
    main()
