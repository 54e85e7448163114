"""Train the tiny-shapes CLIP with the contrastive objective (CPU, seeded).

    /usr/bin/python3 -m tools.tiny_shapes.train [--out models/tiny-shapes] [--work /tmp/tiny-shapes-work]

Writes the tokenizer and the training logs into --out, the checkpoint into --work.
"""
import argparse
import csv
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import bpe, data
from .common import MODEL_CFG, build_model, normalize_uint8, render_dataset


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="models/tiny-shapes")
    p.add_argument("--work", default="/tmp/tiny-shapes-work")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--images", type=int, default=30000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1.5e-3)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--warmup", type=float, default=0.05, help="fraction of the steps")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)

    t_start = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    log_dir = os.path.join(args.out, "training")
    os.makedirs(log_dir, exist_ok=True)
    os.makedirs(os.path.join(args.out, "textual"), exist_ok=True)
    cfg = dict(MODEL_CFG)
    n_px, ctx = cfg["image_size"], cfg["context_length"]

    images, captions, class_ids = render_dataset(args.seed, args.images, n_px)
    t_data = time.time() - t_start
    print(f"rendered {len(images)} training images in {t_data:.1f}s", flush=True)

    # the tokenizer: BPE learned from the training captions plus the words prompts use
    corpus = [c for caps in captions for c in caps] + data.all_words()
    merges = bpe.train(corpus)
    tok = bpe.Tokenizer(merges, ctx)
    with open(os.path.join(args.out, "textual", "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok.to_tokenizer_json(), f, ensure_ascii=False, indent=1)
    with open(os.path.join(args.out, "textual", "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tok.tokenizer_config(), f, indent=2)
    n_caps = len(captions[0])
    tokens = torch.tensor([[tok.tokenize(c) for c in caps] for caps in captions], dtype=torch.int32)
    lengths = (tokens == tok.eot).int().argmax(-1) + 1
    print(f"vocab {tok.vocab_size} ({len(merges)} merges), longest caption {int(lengths.max())} tokens", flush=True)

    model = build_model(tok.vocab_size, cfg)
    decay, no_decay = [], []
    for name, prm in model.named_parameters():
        (no_decay if prm.ndim < 2 or "embedding" in name or "logit_scale" in name else decay).append(prm)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98), eps=1e-6)
    steps_per_epoch = len(images) // args.batch
    total = steps_per_epoch * args.epochs
    warmup = max(1, int(args.warmup * total))

    def lr_at(step):
        if step < warmup:
            return args.lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * args.lr * (1 + math.cos(math.pi * progress))

    gen = torch.Generator().manual_seed(args.seed)
    step_rows, epoch_rows = [], []
    step = 0
    t_train = time.time()
    model.train()
    for epoch in range(args.epochs):
        perm = torch.randperm(len(images), generator=gen)
        epoch_loss = 0.0
        for b in range(steps_per_epoch):
            idx = perm[b * args.batch:(b + 1) * args.batch]
            pick = torch.randint(0, n_caps, (len(idx),), generator=gen)
            text = tokens[idx, pick]
            # the causal mask makes positions after EOT irrelevant: cut the batch to its longest caption
            text = text[:, : int(lengths[idx, pick].max())]
            image = normalize_uint8(images[idx.numpy()])
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            img_f = F.normalize(model.encode_image(image), dim=-1)
            txt_f = F.normalize(encode_text_prefix(model, text), dim=-1)
            logits = model.logit_scale.exp() * img_f @ txt_f.t()
            labels = torch.arange(len(idx))
            loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                model.logit_scale.clamp_(0, math.log(100))
            acc = (logits.argmax(1) == labels).float().mean().item()
            step_rows.append((step, epoch, round(lr_at(step), 8), round(loss.item(), 5), round(acc, 4),
                              round(model.logit_scale.exp().item(), 4), round(time.time() - t_train, 2)))
            epoch_loss += loss.item()
            if step % 20 == 0:
                print(f"step {step}/{total} epoch {epoch} loss {loss.item():.4f} batch-acc {acc:.3f} "
                      f"scale {model.logit_scale.exp().item():.2f} {time.time() - t_train:.0f}s", flush=True)
            step += 1
        epoch_rows.append((epoch, round(epoch_loss / steps_per_epoch, 5), round(time.time() - t_train, 2)))
        print(f"epoch {epoch} mean loss {epoch_rows[-1][1]:.4f}", flush=True)
    train_s = time.time() - t_train

    with open(os.path.join(log_dir, "loss_steps.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "epoch", "lr", "loss", "batch_i2t_acc", "logit_scale", "elapsed_s"])
        w.writerows(step_rows)
    with open(os.path.join(log_dir, "loss_epochs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", "mean_loss", "elapsed_s"])
        w.writerows(epoch_rows)
    plot(step_rows, epoch_rows, steps_per_epoch, os.path.join(log_dir, "loss.png"))
    summary = {
        "seed": args.seed, "images": len(images), "captions_per_image": n_caps, "epochs": args.epochs,
        "batch": args.batch, "steps": total, "lr": args.lr, "weight_decay": args.weight_decay,
        "warmup_steps": warmup, "vocab_size": tok.vocab_size, "merges": len(merges),
        "final_loss": step_rows[-1][3], "final_epoch_loss": epoch_rows[-1][1],
        "logit_scale": model.logit_scale.exp().item(), "render_s": round(t_data, 1), "train_s": round(train_s, 1),
        "total_s": round(time.time() - t_start, 1), "threads": args.threads, "model": cfg,
    }
    with open(os.path.join(log_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    torch.save({"state_dict": model.state_dict(), "cfg": cfg, "vocab_size": tok.vocab_size, "summary": summary},
               os.path.join(args.work, "checkpoint.pt"))
    print(json.dumps(summary, indent=2), flush=True)


def encode_text_prefix(model, text):
    """encode_text on a batch cut to its longest caption (identical results thanks to the causal mask)."""
    n = text.shape[1]
    ids = text.long()
    x = model.token_embedding(ids) + model.positional_embedding[:n]
    x = model.transformer(x, model.attn_mask[:n, :n])
    x = model.ln_final(x)
    eot = ids.argmax(dim=-1)
    x = x[torch.arange(x.shape[0]), eot]
    return x @ model.text_projection


def plot(step_rows, epoch_rows, steps_per_epoch, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    steps = [r[0] for r in step_rows]
    losses = [r[3] for r in step_rows]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    ax.plot(steps, losses, lw=0.8, alpha=0.6, label="loss per step")
    k = 20
    if len(losses) > k:
        smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
        ax.plot(steps[k - 1:], smooth, lw=1.6, label=f"moving average ({k} steps)")
    ax.plot([(e + 1) * steps_per_epoch - 1 for e, _, _ in epoch_rows], [r[1] for r in epoch_rows], "o-",
            label="mean loss per epoch")
    ax.set_xlabel("step")
    ax.set_ylabel("symmetric contrastive loss")
    ax.set_title("tiny-shapes CLIP training")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    main()
