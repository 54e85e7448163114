"""Shared settings: model configuration, the reference (OpenAI) preprocessing, dataset rendering."""
import multiprocessing
import random

import numpy as np
import torch
from torchvision import transforms
from torchvision.transforms import InterpolationMode

from . import data

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

MODEL_CFG = {
    "embed_dim": 128,
    "image_size": 64,
    "patch_size": 8,
    "vision_width": 96,
    "vision_layers": 4,
    "vision_heads": 4,
    "context_length": 32,
    "text_width": 96,
    "text_heads": 4,
    "text_layers": 2,
}


def reference_preprocess(n_px):
    """OpenAI CLIP's _transform: Resize(n_px, BICUBIC) shortest side, CenterCrop, RGB, ToTensor, Normalize."""
    return transforms.Compose([
        transforms.Resize(n_px, interpolation=InterpolationMode.BICUBIC),
        transforms.CenterCrop(n_px),
        lambda image: image.convert("RGB"),
        transforms.ToTensor(),
        transforms.Normalize(CLIP_MEAN, CLIP_STD),
    ])


def crop_uint8(image, n_px):
    """The first half of the reference pipeline, kept as uint8 HWC: ToTensor of it is exactly x / 255."""
    image = transforms.Resize(n_px, interpolation=InterpolationMode.BICUBIC)(image)
    image = transforms.CenterCrop(n_px)(image).convert("RGB")
    return np.asarray(image, dtype=np.uint8)


def normalize_uint8(batch_uint8):
    """uint8 [N,H,W,3] -> normalised float32 [N,3,H,W], the same arithmetic as ToTensor + Normalize."""
    x = torch.from_numpy(batch_uint8).permute(0, 3, 1, 2).float().div(255)
    mean = torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def sample_class_ids(rng, n):
    k = len(data.CLASSES)
    ids = [i % k for i in range(n)]
    rng.shuffle(ids)
    return ids


def _render_chunk(args):
    seed, class_ids, n_px, n_captions = args
    rng = random.Random(seed)
    images = np.empty((len(class_ids), n_px, n_px, 3), np.uint8)
    captions = []
    for j, cid in enumerate(class_ids):
        img, caps, _ = data.render(cid, rng, n_captions=n_captions)
        images[j] = crop_uint8(img, n_px)
        captions.append(caps)
    return images, captions


def render_dataset(seed, n, n_px, n_captions=4, processes=2, chunk=500):
    """n training images (preprocessed crops, uint8) with n_captions captions each; deterministic per seed."""
    class_ids = sample_class_ids(random.Random(seed), n)
    jobs = [(seed * 1_000_003 + i, class_ids[s:s + chunk], n_px, n_captions)
            for i, s in enumerate(range(0, n, chunk))]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.map(_render_chunk, jobs)
    images = np.concatenate([p[0] for p in parts])
    captions = [c for p in parts for c in p[1]]
    return images, captions, class_ids


def build_model(vocab_size, cfg=MODEL_CFG):
    from .model import TinyCLIP
    return TinyCLIP(cfg["embed_dim"], cfg["image_size"], cfg["vision_layers"], cfg["vision_width"],
                    cfg["vision_heads"], cfg["patch_size"], cfg["context_length"], vocab_size,
                    cfg["text_width"], cfg["text_heads"], cfg["text_layers"])
