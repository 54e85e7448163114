"""Export the trained tiny-shapes CLIP to ONNX in the open_clip / Immich model-folder layout.

    /usr/bin/python3 -m tools.tiny_shapes.export [--out models/tiny-shapes] [--work /tmp/tiny-shapes-work]

visual/model.onnx:   image float32 [N,3,S,S] -> embedding float32 [N,D]  (not normalised)
textual/model.onnx:  text  int32   [N,C]     -> embedding float32 [N,D]  (not normalised)
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch

from .common import CLIP_MEAN, CLIP_STD, build_model
from .model import ImageTower, TextTower
from . import bpe, onnx_numpy

OPSET = 14


def load(work, threads=2):
    torch.set_num_threads(threads)
    ckpt = torch.load(os.path.join(work, "checkpoint.pt"), map_location="cpu")
    model = build_model(ckpt["vocab_size"], ckpt["cfg"])
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    return model, ckpt


def _export(module, example, path, input_name):
    torch.onnx.export(module, (example,), path, input_names=[input_name], output_names=["embedding"],
                      dynamic_axes={input_name: {0: "batch"}, "embedding": {0: "batch"}},
                      opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path), full_check=True)


def _max_abs(a, b):
    return float((a - b).abs().max())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="models/tiny-shapes")
    p.add_argument("--work", default="/tmp/tiny-shapes-work")
    args = p.parse_args(argv)
    model, ckpt = load(args.work)
    cfg = ckpt["cfg"]
    s, c = cfg["image_size"], cfg["context_length"]
    tok = bpe.Tokenizer.from_tokenizer_json(os.path.join(args.out, "textual", "tokenizer.json"), c)
    os.makedirs(os.path.join(args.out, "visual"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "textual"), exist_ok=True)

    gen = torch.Generator().manual_seed(0)
    image = torch.randn(3, 3, s, s, generator=gen)
    texts = ["a photo of a red circle", "two small blue stars on a striped background", "a warning sign",
             "a prohibited sign in the top left corner on a dark background", "a skull"]
    text = torch.tensor([tok.tokenize(t) for t in texts], dtype=torch.int32)

    image_tower, text_tower = ImageTower(model).eval(), TextTower(model).eval()
    vis_path = os.path.join(args.out, "visual", "model.onnx")
    txt_path = os.path.join(args.out, "textual", "model.onnx")
    with torch.no_grad():
        _export(image_tower, image[:2], vis_path, "image")
        _export(text_tower, text[:2], txt_path, "text")
        # eager vs TorchScript trace (at a batch size different from the traced one)
        traced_i = torch.jit.trace(image_tower, (image[:2],))
        traced_t = torch.jit.trace(text_tower, (text[:2],))
        eager_i, eager_t = image_tower(image), text_tower(text)
        checks = {
            "trace_image_max_abs": _max_abs(eager_i, traced_i(image)),
            "trace_text_max_abs": _max_abs(eager_t, traced_t(text)),
        }
        # the exported graphs themselves, run by a small numpy ONNX interpreter (no onnxruntime here)
        onnx_i = onnx_numpy.run(onnx.load(vis_path), {"image": image.numpy()})[0]
        onnx_t = onnx_numpy.run(onnx.load(txt_path), {"text": text.numpy()})[0]
        checks["onnx_numpy_image_max_abs"] = float(np.abs(onnx_i - eager_i.numpy()).max())
        checks["onnx_numpy_text_max_abs"] = float(np.abs(onnx_t - eager_t.numpy()).max())
    print(json.dumps(checks, indent=2))
    for k, v in checks.items():
        if not v < 1e-4:
            raise SystemExit(f"export check failed: {k} = {v}")

    for path, name, dtype in ((vis_path, "image", onnx.TensorProto.FLOAT), (txt_path, "text", onnx.TensorProto.INT32)):
        m = onnx.load(path)
        assert [i.name for i in m.graph.input] == [name], [i.name for i in m.graph.input]
        assert m.graph.input[0].type.tensor_type.elem_type == dtype
        assert m.graph.output[0].name == "embedding"

    config = {
        "embed_dim": cfg["embed_dim"],
        "vision_cfg": {"image_size": s, "layers": cfg["vision_layers"], "width": cfg["vision_width"],
                       "patch_size": cfg["patch_size"], "heads": cfg["vision_heads"]},
        "text_cfg": {"context_length": c, "vocab_size": ckpt["vocab_size"], "width": cfg["text_width"],
                     "heads": cfg["text_heads"], "layers": cfg["text_layers"]},
        "logit_scale": round(float(model.logit_scale.exp()), 4),
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    preprocess = {"size": [s, s], "mode": "RGB", "mean": list(CLIP_MEAN), "std": list(CLIP_STD),
                  "interpolation": "bicubic", "resize_mode": "shortest", "fill_color": 0}
    with open(os.path.join(args.out, "visual", "preprocess_cfg.json"), "w") as f:
        json.dump(preprocess, f, indent=2)
    with open(os.path.join(args.out, "training", "export_checks.json"), "w") as f:
        json.dump(checks, f, indent=2)
    print(json.dumps(config, indent=2))


if __name__ == "__main__":
    main()
