#!/usr/bin/env python3
"""Renders the images the embedded demo streams: models/tiny-shapes/demo-images/*.png and manifest.json.

Seeded with a seed that neither training nor the held-out evaluation uses; every class of the tiny model appears,
and the four sign-like symbols appear more often so that the demo's policies fire. manifest.json maps each file to
its ground truth (the label id in label-sets/tiny-shapes.yaml) so the demo can report its accuracy.

Usage: /usr/bin/python3 tools/make_demo_images.py [--count 120] [--seed 4242]
"""
import argparse
import json
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tools.tiny_shapes import data  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="models/tiny-shapes/demo-images")
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--seed", type=int, default=4242)
    args = parser.parse_args()
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    rng = random.Random(args.seed)
    symbols = [cid for cid, (c, _) in enumerate(data.CLASSES) if c is None]
    classes = list(range(len(data.CLASSES))) + symbols * 4
    rng.shuffle(classes)
    images = []
    for i in range(args.count):
        cid = classes[i % len(classes)]
        img, caps, _ = data.render(cid, rng, n_captions=1)
        name = "%03d.png" % i
        img.save(os.path.join(args.out, name), optimize=True)
        images.append({"file": name, "label": "object." + data.class_name(cid).replace(" ", "_"),
                       "caption": caps[0]})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"about": "Demo images rendered by tools/make_demo_images.py (seed %d); label is the ground truth"
                            " in label-sets/tiny-shapes.yaml" % args.seed, "images": images}, f, indent=1)


if __name__ == "__main__":
    main()
