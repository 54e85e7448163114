#!/usr/bin/env python3
"""Build a CLIP with the real ViT-B/32 dimensions and seeded random weights, in the open_clip / Immich layout.

For benchmarks: the graphs have exactly the size, shape and operator mix of OpenAI's ViT-B/32 (224 px, patch 32,
vision width 768, 12 layers, 12 heads; text width 512, 12 layers, 8 heads, context 77, vocabulary 49408;
embedding 512), so inference time and memory are those of the real model. The weights are random (seeded): the
embeddings, and therefore any tags computed with them, mean nothing.

    /usr/bin/python3 tools/make_vitb32.py /tmp/vitb32          # ~950 MB, a few minutes on CPU

writes (OUTDIR must be outside the repository):

    OUTDIR/config.json                      open_clip model config (ViT-B-32.json)
    OUTDIR/visual/model.onnx                image float32 [batch,3,224,224] -> embedding float32 [batch,512]
    OUTDIR/visual/preprocess_cfg.json
    OUTDIR/textual/model.onnx               text int32 [batch,77] -> embedding float32 [batch,512]
    OUTDIR/textual/tokenizer.json           copied from ../shared/clip/tokenizer.json
    OUTDIR/textual/tokenizer_config.json
    OUTDIR/visual.pt                        the image tower's PyTorch weights, for tools/peer/clip_peer.py

The modules, the initialisation, the export wrappers (hand-written matmul attention, GatherElements EOT
pooling) and the export checks are those of tools/make_test_models.py, imported from there.
"""

import argparse
import os
import shutil
import sys
import time

import numpy as np
import torch
from PIL import Image

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
import make_test_models as mtm  # noqa: E402

SEED = 20240301
# OpenAI's ViT-B/32 (clip/model.py build_model for ViT-B-32.pt; open_clip's model_configs/ViT-B-32.json)
B32 = dict(embed_dim=512, image_size=224, patch_size=32, vision_width=768, vision_layers=12, vision_heads=12,
           text_width=512, text_layers=12, text_heads=8, context_length=77, vocab_size=49408)
REFERENCE_IMAGES = os.path.join(mtm.REPO_ROOT, "streams-app", "src", "test", "resources", "models",
                                "reference-images")
TOKENIZER_JSON = os.path.join(mtm.SHARED_CLIP, "tokenizer.json")


def build(seed):
    """The CLIP module with B32 dimensions, initialised by make_test_models.init_clip from a fixed seed."""
    torch.manual_seed(seed)  # the constructors draw too; init_clip overwrites every parameter from `gen`
    clip = mtm.CLIP(B32["embed_dim"], B32["image_size"], B32["vision_layers"], B32["vision_width"],
                    B32["patch_size"], B32["context_length"], B32["vocab_size"], B32["text_width"],
                    B32["text_heads"], B32["text_layers"], B32["vision_heads"])
    mtm.init_clip(clip, torch.Generator().manual_seed(seed))
    clip.eval()
    return clip


def openclip_config():
    return {
        "embed_dim": B32["embed_dim"],
        "vision_cfg": {"image_size": B32["image_size"], "layers": B32["vision_layers"],
                       "width": B32["vision_width"], "patch_size": B32["patch_size"]},
        "text_cfg": {"context_length": B32["context_length"], "vocab_size": B32["vocab_size"],
                     "width": B32["text_width"], "heads": B32["text_heads"], "layers": B32["text_layers"]},
    }


def mb(path):
    return os.path.getsize(path) / 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", help="output folder, outside the repository")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--threads", type=int, default=max(1, min(4, os.cpu_count() or 1)),
                    help="torch threads (default: min(4, cores))")
    ap.add_argument("--skip-check", action="store_true",
                    help="skip the eager-vs-export-path and trace checks (saves about a minute)")
    args = ap.parse_args()

    out = os.path.abspath(args.outdir)
    if os.path.commonpath([out, mtm.REPO_ROOT]) == mtm.REPO_ROOT:
        sys.exit(f"make_vitb32: refusing to write ~1 GB into the repository ({out}); pick a folder outside "
                 f"{mtm.REPO_ROOT}, for example /tmp/vitb32")
    if not os.path.exists(TOKENIZER_JSON):
        sys.exit(f"make_vitb32: {TOKENIZER_JSON} is missing (the CLIP tokenizer in Hugging Face format)")
    torch.set_num_threads(args.threads)
    t_start = time.monotonic()
    timings = {}

    t0 = time.monotonic()
    clip = build(args.seed)
    n_vis = sum(p.numel() for p in clip.visual.parameters())
    n_all = sum(p.numel() for p in clip.parameters())
    timings["init"] = time.monotonic() - t0
    print(f"ViT-B/32 dimensions: {n_vis / 1e6:.1f} M image-tower parameters, {(n_all - n_vis) / 1e6:.1f} M text "
          f"(+ logit scale), seed {args.seed} ({timings['init']:.1f} s)", flush=True)

    # a few real photos (the Java tests' reference images) and texts for the checks
    names = sorted(n for n in os.listdir(REFERENCE_IMAGES) if not n.startswith("."))
    pre = mtm.openai_preprocess(B32["image_size"])
    pixels = torch.stack([pre(Image.open(os.path.join(REFERENCE_IMAGES, n))) for n in names])
    tokenizer = mtm.ClipBpeTokenizer(os.path.join(mtm.SHARED_CLIP, "bpe_simple_vocab_16e6.txt.gz"))
    texts = ["a photo of an astronaut", "a photo of a cat", "a cup of coffee"]
    ids = torch.tensor(tokenizer.tokenize(texts, B32["context_length"], truncate=True), dtype=torch.int64)

    t0 = time.monotonic()
    with torch.no_grad():
        mtm.set_manual_attention(clip, False)  # OpenAI's code path (nn.MultiheadAttention)
        ref_img = clip.encode_image(pixels)
        ref_txt = clip.encode_text(ids)
        emb = mtm.l2n(ref_img)
        print("image embeddings of the reference images (random weights, so only the spread means anything):")
        mtm.cosine_spread(f"{len(names)} images", emb)
        mtm.cosine_spread(f"{len(texts)} texts", mtm.l2n(ref_txt))
        mtm.set_manual_attention(clip, True)  # the export path
        if not args.skip_check:
            d_img = mtm.max_abs(clip.encode_image(pixels), ref_img)
            d_txt = mtm.max_abs(mtm.OpenClipTextual(clip)(ids.to(torch.int32)), ref_txt)
            print(f"export path vs OpenAI eager path: max |diff| image {d_img:.3g}, text {d_txt:.3g}")
            assert d_img < 1e-3 and d_txt < 1e-3, (d_img, d_txt)
    timings["reference"] = time.monotonic() - t0

    os.makedirs(os.path.join(out, "visual"), exist_ok=True)
    os.makedirs(os.path.join(out, "textual"), exist_ok=True)
    dyn = "batch"
    jobs = [
        ("visual/model.onnx", mtm.OpenClipVisual(clip.visual), (pixels[:1],), ["image"],
         {"image": {0: dyn}, "embedding": {0: dyn}}, (pixels,), (ref_img,)),
        ("textual/model.onnx", mtm.OpenClipTextual(clip), (ids[:1].to(torch.int32),), ["text"],
         {"text": {0: dyn}, "embedding": {0: dyn}}, (ids.to(torch.int32),), (ref_txt,)),
    ]
    for rel, module, example, in_names, dyn_axes, check_args, check_ref in jobs:
        t0 = time.monotonic()
        path = os.path.join(out, rel)
        model = mtm.export(module, example, path, in_names, ["embedding"], dyn_axes)
        ins, outs = mtm.describe(model)
        del model
        timings[rel] = time.monotonic() - t0
        print(f"{rel}: {mb(path):.1f} MB in {timings[rel]:.1f} s\n  in:  {ins}\n  out: {outs}", flush=True)
        if not args.skip_check:
            # traced at batch 1 above; TorchScript-trace again and compare at the check batch size
            mtm.check_trace(module, check_args, check_ref, rel)

    mtm.write_json(os.path.join(out, "config.json"), openclip_config())
    mtm.write_json(os.path.join(out, "visual", "preprocess_cfg.json"), mtm.openclip_preprocess_cfg(B32["image_size"]))
    mtm.write_json(os.path.join(out, "textual", "tokenizer_config.json"), mtm.openclip_tokenizer_config())
    shutil.copyfile(TOKENIZER_JSON, os.path.join(out, "textual", "tokenizer.json"))

    # PyTorch weights of the image tower for the Python peer: OpenAI's state_dict keys (as in
    # `clip.load(...)[0].visual.state_dict()`), with the dimensions needed to rebuild the module.
    t0 = time.monotonic()
    pt = os.path.join(out, "visual.pt")
    torch.save({"format": "clipstream-vit-visual/1",
                "architecture": "ViT-B/32",
                "config": {k: B32[k] for k in ("embed_dim", "image_size", "patch_size", "vision_width",
                                               "vision_layers", "vision_heads")},
                "preprocess": mtm.openclip_preprocess_cfg(B32["image_size"]),
                "seed": args.seed,
                "state_dict": clip.visual.state_dict()}, pt)
    timings["visual.pt"] = time.monotonic() - t0
    # a few reference embeddings, for checking the peer or the Java app against PyTorch
    mtm.write_json(os.path.join(out, "reference-embeddings.json"),
                   {"images": {n: mtm.f32_list(emb[i]) for i, n in enumerate(names)},
                    "texts": {t: mtm.f32_list(mtm.l2n(ref_txt)[i]) for i, t in enumerate(texts)}})

    total = time.monotonic() - t_start
    print("files:")
    size_total = 0
    for dp, _, fs in sorted(os.walk(out)):
        for f in sorted(fs):
            p = os.path.join(dp, f)
            size_total += os.path.getsize(p)
            print(f"  {mb(p):9.2f} MB  {os.path.relpath(p, out)}")
    print(f"  {size_total / 1e6:9.2f} MB  total")
    print(f"time: {total:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in timings.items())}; "
          f"{args.threads} torch threads)")


if __name__ == "__main__":
    np.random.seed(SEED)
    main()
