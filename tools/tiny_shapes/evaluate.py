"""Evaluate the tiny-shapes CLIP on a held-out synthetic set (a different seed from training).

    /usr/bin/python3 -m tools.tiny_shapes.evaluate [/tmp/tiny-shapes-heldout] [--n 520]

Writes the held-out set (PNG files, manifest.json, embeddings.json with the PyTorch image embeddings) into
the folder given (not committed), the metrics into models/tiny-shapes/training/eval.json, and the 100-image
CI sample, classes.json and token-ids.json into streams-app/src/test/resources/tiny-shapes-heldout/.

Zero-shot task: the class of the object in the image (6 shapes x 8 colours, plus 4 symbols = 52 classes);
each class is described by an ensemble of prompts (the templates x the class's names; a symbol has several
names, the ones its captions use), whose L2-normalised embeddings are averaged and
re-normalised; the image is assigned the class with the largest cosine (softmax over 100 x cosine).
"""
import argparse
import json
import os
import random
import shutil

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import bpe, data
from .common import reference_preprocess, sample_class_ids
from .export import load

HELDOUT_SEED = 987654321


def _round(v, digits=7):
    return [float(f"{x:.{digits}g}") for x in v]


def class_text_embeddings(model, tok):
    prompts = [data.class_prompts(cid) for cid in range(len(data.CLASSES))]
    flat = [p for ps in prompts for p in ps]
    with torch.no_grad():
        emb = F.normalize(model.encode_text(torch.tensor([tok.tokenize(p) for p in flat], dtype=torch.int32)), dim=-1)
    per_prompt, start = [], 0
    for ps in prompts:
        per_prompt.append(emb[start:start + len(ps)])
        start += len(ps)
    ensemble = F.normalize(torch.stack([e.mean(0) for e in per_prompt]), dim=-1)
    return prompts, per_prompt, ensemble


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("heldout_dir", nargs="?", default="/tmp/tiny-shapes-heldout")
    p.add_argument("--n", type=int, default=520)
    p.add_argument("--seed", type=int, default=HELDOUT_SEED)
    p.add_argument("--model", default="models/tiny-shapes")
    p.add_argument("--work", default="/tmp/tiny-shapes-work")
    p.add_argument("--ci-dir", default="streams-app/src/test/resources/tiny-shapes-heldout")
    p.add_argument("--ci-n", type=int, default=100)
    args = p.parse_args(argv)

    model, ckpt = load(args.work)
    cfg = ckpt["cfg"]
    tok = bpe.Tokenizer.from_tokenizer_json(os.path.join(args.model, "textual", "tokenizer.json"),
                                            cfg["context_length"])
    preprocess = reference_preprocess(cfg["image_size"])

    # 1. the held-out set, written as PNG files and read back through the reference preprocessing
    os.makedirs(args.heldout_dir, exist_ok=True)
    rng = random.Random(args.seed)
    class_ids = sample_class_ids(random.Random(args.seed + 1), args.n)
    manifest, tensors = [], []
    for i, cid in enumerate(class_ids):
        img, caps, meta = data.render(cid, rng, detailed_caption=True)
        name = f"{i:04d}.png"
        img.save(os.path.join(args.heldout_dir, name), optimize=True)
        with Image.open(os.path.join(args.heldout_dir, name)) as im:
            tensors.append(preprocess(im))
        manifest.append({"file": name, "class_id": cid, "class_name": data.class_name(cid), "caption": caps[0],
                         "width": meta["width"], "height": meta["height"]})
    images = torch.stack(tensors)
    with torch.no_grad():
        img_raw = torch.cat([model.encode_image(images[s:s + 128]) for s in range(0, len(images), 128)])
    img_emb = F.normalize(img_raw, dim=-1)

    # 2. zero-shot classification
    prompts, per_prompt, ensemble = class_text_embeddings(model, tok)
    labels = torch.tensor(class_ids)
    probs = (100.0 * img_emb @ ensemble.t()).softmax(dim=-1)
    pred = probs.argmax(-1)
    top1 = (pred == labels).float().mean().item()
    first = torch.stack([e[0] for e in per_prompt])
    top1_single = ((img_emb @ first.t()).argmax(-1) == labels).float().mean().item()
    per_class = {}
    for cid in range(len(data.CLASSES)):
        m = labels == cid
        per_class[data.class_name(cid)] = round((pred[m] == cid).float().mean().item(), 4)
    confusions = {}
    for t, pr in zip(labels.tolist(), pred.tolist()):
        if t != pr:
            key = f"{data.class_name(t)} -> {data.class_name(pr)}"
            confusions[key] = confusions.get(key, 0) + 1

    # 3. image -> text retrieval against the distinct held-out captions
    captions = sorted({m["caption"] for m in manifest})
    cap_index = {c: k for k, c in enumerate(captions)}
    with torch.no_grad():
        txt = torch.tensor([tok.tokenize(c) for c in captions], dtype=torch.int32)
        cap_emb = F.normalize(torch.cat([model.encode_text(txt[s:s + 256]) for s in range(0, len(txt), 256)]), dim=-1)
    ranks = (img_emb @ cap_emb.t()).argsort(dim=-1, descending=True)
    truth = torch.tensor([cap_index[m["caption"]] for m in manifest])
    hit = ranks == truth[:, None]
    r1 = hit[:, :1].any(-1).float().mean().item()
    r5 = hit[:, :5].any(-1).float().mean().item()
    # text -> image (any image carrying that caption counts)
    t2i = (cap_emb @ img_emb.t()).argmax(-1)
    t2i_r1 = np.mean([manifest[j]["caption"] == c for c, j in zip(captions, t2i.tolist())])

    metrics = {
        "heldout_seed": args.seed, "images": len(manifest), "classes": len(data.CLASSES),
        "zero_shot_top1": round(top1, 4), "zero_shot_top1_first_prompt_only": round(top1_single, 4),
        "chance": round(1.0 / len(data.CLASSES), 4), "prompt_templates": data.PROMPT_TEMPLATES,
        "prompts_per_class": {data.class_name(c): len(p) for c, p in enumerate(prompts) if len(p) != len(data.PROMPT_TEMPLATES)},
        "distinct_captions": len(captions), "i2t_recall@1": round(r1, 4), "i2t_recall@5": round(r5, 4),
        "t2i_recall@1": round(float(t2i_r1), 4),
        "retrieval_chance@1": round(1.0 / len(captions), 4),
        "per_class_top1": per_class, "confusions": dict(sorted(confusions.items(), key=lambda kv: -kv[1])),
        "logit_scale": round(float(model.logit_scale.exp()), 4),
    }
    for m, e, r, pr in zip(manifest, img_emb.tolist(), img_raw.tolist(), pred.tolist()):
        m["predicted_class_id"] = pr
    with open(os.path.join(args.heldout_dir, "manifest.json"), "w") as f:
        json.dump({"seed": args.seed, "images": manifest}, f, indent=1)
    with open(os.path.join(args.heldout_dir, "embeddings.json"), "w") as f:
        json.dump({"about": "PyTorch image embeddings (model output, not normalised) of every held-out image, "
                            "in manifest order, after the reference preprocessing of the PNG file",
                   "dim": img_raw.shape[1],
                   "embeddings": {m["file"]: _round(r) for m, r in zip(manifest, img_raw.tolist())}}, f)
    with open(os.path.join(args.heldout_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    os.makedirs(os.path.join(args.model, "training"), exist_ok=True)
    with open(os.path.join(args.model, "training", "eval.json"), "w") as f:
        json.dump(metrics, f, indent=2)

    # 4. the CI sample: class-balanced first picks, so every class appears
    write_ci_sample(args, manifest, img_emb, pred, prompts, per_prompt, ensemble, tok)
    print(json.dumps({k: v for k, v in metrics.items() if k not in ("per_class_top1",)}, indent=2))


def write_ci_sample(args, manifest, img_emb, pred, prompts, per_prompt, ensemble, tok):
    by_class = {}
    for i, m in enumerate(manifest):
        by_class.setdefault(m["class_id"], []).append(i)
    order, rnd = [], 0
    while len(order) < min(args.ci_n, len(manifest)):
        for cid in sorted(by_class):
            if rnd < len(by_class[cid]) and len(order) < args.ci_n:
                order.append(by_class[cid][rnd])
        rnd += 1
    order.sort()
    out = args.ci_dir
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    entries, correct = [], 0
    for i in order:
        m = manifest[i]
        shutil.copyfile(os.path.join(args.heldout_dir, m["file"]), os.path.join(out, m["file"]))
        ok = int(pred[i]) == m["class_id"]
        correct += ok
        entries.append({"file": m["file"], "class_id": m["class_id"], "caption": m["caption"],
                        "width": m["width"], "height": m["height"], "pytorch_predicted_class_id": int(pred[i])})
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"about": "100 images of the tiny-shapes held-out set (seed %d), written by "
                            "tools/tiny_shapes/evaluate.py" % args.seed,
                   "pytorch_zero_shot_top1": round(correct / len(order), 4),
                   "pytorch_correct": correct, "images": entries}, f, indent=1)
    with open(os.path.join(out, "embeddings.json"), "w") as f:
        json.dump({"about": "PyTorch image embeddings, L2-normalised, after the reference preprocessing "
                            "(Resize shortest side bicubic, CenterCrop, ToTensor, Normalize with CLIP mean/std)",
                   "dim": img_emb.shape[1], "normalized": True,
                   "embeddings": {manifest[i]["file"]: _round(img_emb[i].tolist()) for i in order}}, f)
    classes = []
    for cid, ps in enumerate(prompts):
        classes.append({"id": cid, "name": data.class_name(cid), "prompts": ps,
                        "prompt_embeddings": [_round(e) for e in per_prompt[cid].tolist()],
                        "embedding": _round(ensemble[cid].tolist())})
    with open(os.path.join(out, "classes.json"), "w") as f:
        json.dump({"about": "Zero-shot classes of the tiny-shapes model. A class's text embedding is the mean of "
                            "the L2-normalised embeddings of its prompts, L2-normalised again; an image is assigned "
                            "the class with the largest cosine; probabilities are softmax(100 * cosine).",
                   "combine": "mean-of-normalized", "scale": 100.0, "classes": classes}, f)
    # tokenizer fixture: every prompt, the held-out captions of this sample, a few training-style captions
    texts = [p for ps in prompts for p in ps]
    texts += [manifest[i]["caption"] for i in order[:40]]
    rng = random.Random(7)
    for cid in (0, 13, 27, 44, 48, 49, 50, 51):
        _, caps, _ = data.render(cid, rng, n_captions=2)
        texts += caps
    texts += [
        "A Photo of a RED Circle", "  two   small\tblue stars\n", "a photo of a zebra", "3 red circles!",
        "a warning sign, isn't it?", "café crème", "a picture of a 🙂 smiley",
        " ".join(["a very long caption about many red circles and blue squares"] * 4),
    ]
    seen, cases = set(), []
    for t in texts:
        if t not in seen:
            seen.add(t)
            cases.append({"text": t, "ids": tok.tokenize(t)})
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(CI_README.format(n=len(order), seed=args.seed, top1=100.0 * correct / len(order),
                                 ctx=tok.context_length))
    with open(os.path.join(out, "token-ids.json"), "w", encoding="utf-8") as f:
        json.dump({"about": "Token ids from tools/tiny_shapes/bpe.py (CLIP algorithm: SOT ... EOT, truncation "
                            "keeping EOT last, zero padding) for the tokenizer in models/tiny-shapes/textual",
                   "context_length": tok.context_length, "vocab_size": tok.vocab_size,
                   "sot": tok.sot, "eot": tok.eot, "cases": cases}, f, ensure_ascii=False, indent=None)


CI_README = """# tiny-shapes held-out sample

{n} images of the held-out synthetic set (seed {seed}, a different seed from training) of the demo model
`models/tiny-shapes/`, written by `tools/tiny_shapes/evaluate.py` (`/usr/bin/python3 -m tools.tiny_shapes.build`
rewrites this folder). Images are PNG, 96-400 px, square, portrait and landscape.

- `manifest.json`: file, true `class_id`, caption, size, the class PyTorch predicts, and the PyTorch zero-shot
  top-1 on these images ({top1:.1f} %).
- `classes.json`: class id -> name and prompts, exactly as the zero-shot classifier used them (class embedding =
  mean of the L2-normalised prompt embeddings, L2-normalised again; probabilities softmax(100 x cosine)), with
  the PyTorch prompt and class embeddings.
- `embeddings.json`: PyTorch image embeddings, L2-normalised, after the reference (OpenAI) preprocessing.
- `token-ids.json`: text -> ids from the Python tokenizer (context {ctx}, SOT ... EOT, zero padding) for every
  class prompt, captions and a few edge cases; the Java tokenizer must produce the same ids.
"""


if __name__ == "__main__":
    main()
