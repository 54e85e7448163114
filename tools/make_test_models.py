#!/usr/bin/env python3
"""Build tiny, seeded, randomly initialised CLIP models for ClipStream's Java tests.

The models follow the real OpenAI CLIP architecture (``clip/model.py``): a ViT image tower, the
causal-mask text transformer over the full 49408-token CLIP vocabulary and, separately, a
ModifiedResNet image tower. Their weights are random (seeded) -- they are not trained models; they
only have to compute exactly what the real architecture computes, so that ClipStream's ONNX Runtime
pipeline (preprocessing, tokenisation, pooling, normalisation) can be compared against PyTorch.

Outputs (all under ``streams-app/src/test/resources/models/``):

* ONNX exports in the folder layouts users download (open_clip/Immich, Hugging Face Optimum split,
  Hugging Face combined, fixed batch 1, uint8 HWC input, ModifiedResNet).
* ``reference-images/``: four small real photos (scikit-image sample data) in different formats/shapes.
* ``reference.json``: token ids and L2-normalised embeddings computed in PyTorch (eager, with
  ``nn.MultiheadAttention`` exactly as OpenAI's code) with OpenAI's preprocessing and tokenizer.

Run (CPU only, deterministic, re-runnable)::

    /usr/bin/python3 tools/make_test_models.py

Needs python3-torch (1.13), python3-torchvision, python3-onnx, python3-pil, python3-numpy,
python3-regex, python3-skimage, and ../shared/clip/bpe_simple_vocab_16e6.txt.gz.
"""

import argparse
import hashlib
import json
import math
import os
import re
import sys
from collections import OrderedDict

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torchvision.transforms import CenterCrop, Compose, InterpolationMode, Normalize, Resize, ToTensor
from torchvision.transforms import functional as TF

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_bpe import ClipBpeTokenizer  # noqa: E402

SEED = 20240229
# The ResNet tower has its own generator. Its sensitivity to +-1 grey-level pixel noise varies with the draw
# (min cosine 0.99976 .. 0.9999994 over SEED..SEED+9); SEED+7 was picked as one of the least sensitive.
RN_SEED = SEED + 7
OPSET = 14
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
VOCAB_SIZE = 49408
CONTEXT_LENGTH = 77
SOT_ID = 49406
EOT_ID = 49407

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT_DIR = os.path.join(REPO_ROOT, "streams-app", "src", "test", "resources", "models")
SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data"
SHARED_CLIP = os.path.abspath(os.path.join(REPO_ROOT, "..", "shared", "clip"))

# tiny ViT-B/32-shaped CLIP
VIT = dict(embed_dim=32, image_size=224, patch_size=32, vision_width=64, vision_layers=2, vision_heads=2,
           text_width=32, text_layers=2, text_heads=2)
# tiny RN50-shaped visual tower
RN = dict(embed_dim=40, image_size=288, layers=(1, 1, 1, 1), width=4, heads=2)  # attnpool: 128 wide, head_width 64

# scikit-image sample photos (not the reference images) used only to calibrate the ResNet's BatchNorm statistics
CALIBRATION_IMAGES = ["rocket.jpg", "motorcycle_left.png", "retina.jpg", "hubble_deep_field.jpg", "camera.png",
                      "grass.png", "gravel.png", "brick.png", "coins.png", "page.png"]

TEXTS = [
    "a photo of an astronaut",
    "a photo of a cat",
    "a cup of coffee",
    "a red car parked on the street",
    "HELLO WORLD",
    "a&amp;b",
    "café",
    "",
    # > 77 tokens: exercises truncation (the 77th id must be EOT)
    "the quick brown fox jumps over the lazy dog while a cat watches from the window and a cup of coffee "
    "slowly goes cold on the kitchen table next to a stack of unread newspapers, a broken umbrella, "
    "three apples and a small red toy car that someone left behind yesterday; meanwhile, outside, an "
    "astronaut in a white suit waves at the neighbours, who wave back, laughing, before going inside to "
    "make tea and talk about the weather, the garden, the price of bread and the long winter ahead",
    "日本語",
]


# ---------------------------------------------------------------------------------------------------------
# OpenAI CLIP architecture (written after clip/model.py)
# ---------------------------------------------------------------------------------------------------------

class LayerNorm(nn.LayerNorm):
    """LayerNorm computed in fp32 (as OpenAI's subclass; a no-op cast for our fp32 weights)."""

    def forward(self, x):
        orig_type = x.dtype
        return super().forward(x.type(torch.float32)).type(orig_type)


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


def manual_attention(x_q, x_kv, in_w, in_b, out_w, out_b, embed_dim, n_head, add_mask=None, separate=None):
    """Multi-head attention on sequence-first tensors ([L, N, D]) written with plain matmuls.

    Same maths as ``F.multi_head_attention_forward`` (no dropout, no weights returned); used for the ONNX
    exports because it traces to a short, shape-agnostic graph. ``add_mask`` is an additive mask
    broadcastable to [N, H, Lq, Lk]. ``separate`` = (q_w, k_w, v_w) for AttentionPool2d's separate weights.
    """
    lq, d = x_q.shape[0], embed_dim
    head_dim = d // n_head
    if separate is None:
        w_q, w_k, w_v = in_w.chunk(3, dim=0)
    else:
        w_q, w_k, w_v = separate
    b_q, b_k, b_v = in_b.chunk(3, dim=0)
    q = F.linear(x_q, w_q, b_q)
    k = F.linear(x_kv, w_k, b_k)
    v = F.linear(x_kv, w_v, b_v)
    # [L, N, D] -> [N, H, L, hd]
    q = q.reshape(q.shape[0], q.shape[1], n_head, head_dim).permute(1, 2, 0, 3)
    k = k.reshape(k.shape[0], k.shape[1], n_head, head_dim).permute(1, 2, 0, 3)
    v = v.reshape(v.shape[0], v.shape[1], n_head, head_dim).permute(1, 2, 0, 3)
    scores = torch.matmul(q * (1.0 / math.sqrt(head_dim)), k.transpose(-2, -1))
    if add_mask is not None:
        scores = scores + add_mask
    probs = torch.softmax(scores, dim=-1)
    out = torch.matmul(probs, v)  # [N, H, Lq, hd]
    out = out.permute(2, 0, 1, 3).reshape(lq, out.shape[0], d)
    return F.linear(out, out_w, out_b)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model, n_head, attn_mask=None):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_head)
        self.ln_1 = LayerNorm(d_model)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(d_model, d_model * 4)),
            ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(d_model * 4, d_model)),
        ]))
        self.ln_2 = LayerNorm(d_model)
        self.attn_mask = attn_mask
        self.n_head = n_head
        self.manual = False  # switched on for ONNX export / tracing

    def attention(self, x, key_padding_add=None):
        mask = self.attn_mask.to(dtype=x.dtype, device=x.device) if self.attn_mask is not None else None
        if not self.manual:
            assert key_padding_add is None
            return self.attn(x, x, x, need_weights=False, attn_mask=mask)[0]
        add = mask
        if key_padding_add is not None:
            add = key_padding_add if add is None else add + key_padding_add
        return manual_attention(x, x, self.attn.in_proj_weight, self.attn.in_proj_bias,
                                self.attn.out_proj.weight, self.attn.out_proj.bias, self.attn.embed_dim, self.n_head,
                                add)

    def forward(self, x, key_padding_add=None):
        x = x + self.attention(self.ln_1(x), key_padding_add)
        x = x + self.mlp(self.ln_2(x))
        return x


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, attn_mask=None):
        super().__init__()
        self.width = width
        self.layers = layers
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, attn_mask) for _ in range(layers)])

    def forward(self, x, key_padding_add=None):
        for block in self.resblocks:
            x = block(x, key_padding_add)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, input_resolution, patch_size, width, layers, heads, output_dim):
        super().__init__()
        self.input_resolution = input_resolution
        self.output_dim = output_dim
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((input_resolution // patch_size) ** 2 + 1, width))
        self.ln_pre = LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward_tokens(self, x):
        """Returns (projected embedding [N, E], final token states [N, 1+grid^2, width] before ln_post)."""
        x = self.conv1(x)  # [N, width, grid, grid]
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)  # [N, grid^2, width]
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype,
                                                             device=x.device)
        x = torch.cat([cls, x], dim=1)
        x = x + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x)
        x = x.permute(1, 0, 2)  # NLD -> LND
        x = self.transformer(x)
        x = x.permute(1, 0, 2)  # LND -> NLD
        pooled = self.ln_post(x[:, 0, :])
        return pooled @ self.proj, x

    def forward(self, x):
        return self.forward_tokens(x)[0]


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu2 = nn.ReLU(inplace=True)
        # anti-aliased strided convolution: avgpool after the 3x3 conv
        self.avgpool = nn.AvgPool2d(stride) if stride > 1 else nn.Identity()
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu3 = nn.ReLU(inplace=True)
        self.downsample = None
        self.stride = stride
        if stride > 1 or inplanes != planes * Bottleneck.expansion:
            self.downsample = nn.Sequential(OrderedDict([
                ("-1", nn.AvgPool2d(stride)),
                ("0", nn.Conv2d(inplanes, planes * self.expansion, 1, stride=1, bias=False)),
                ("1", nn.BatchNorm2d(planes * self.expansion)),
            ]))

    def forward(self, x):
        identity = x
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.relu2(self.bn2(self.conv2(out)))
        out = self.avgpool(out)
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu3(out)
        return out


class AttentionPool2d(nn.Module):
    def __init__(self, spacial_dim, embed_dim, num_heads, output_dim=None):
        super().__init__()
        self.positional_embedding = nn.Parameter(torch.randn(spacial_dim ** 2 + 1, embed_dim) / embed_dim ** 0.5)
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.c_proj = nn.Linear(embed_dim, output_dim or embed_dim)
        self.num_heads = num_heads
        self.manual = False

    def forward(self, x):
        x = x.flatten(start_dim=2).permute(2, 0, 1)  # NCHW -> (HW)NC
        x = torch.cat([x.mean(dim=0, keepdim=True), x], dim=0)  # (HW+1)NC
        x = x + self.positional_embedding[:, None, :].to(x.dtype)
        in_b = torch.cat([self.q_proj.bias, self.k_proj.bias, self.v_proj.bias])
        if self.manual:
            x = manual_attention(x[:1], x, None, in_b, self.c_proj.weight, self.c_proj.bias,
                                 self.q_proj.in_features, self.num_heads,
                                 separate=(self.q_proj.weight, self.k_proj.weight, self.v_proj.weight))
        else:
            x, _ = F.multi_head_attention_forward(
                query=x[:1], key=x, value=x,
                embed_dim_to_check=x.shape[-1],
                num_heads=self.num_heads,
                q_proj_weight=self.q_proj.weight,
                k_proj_weight=self.k_proj.weight,
                v_proj_weight=self.v_proj.weight,
                in_proj_weight=None,
                in_proj_bias=in_b,
                bias_k=None,
                bias_v=None,
                add_zero_attn=False,
                dropout_p=0.0,
                out_proj_weight=self.c_proj.weight,
                out_proj_bias=self.c_proj.bias,
                use_separate_proj_weight=True,
                training=self.training,
                need_weights=False,
            )
        return x.squeeze(0)


class ModifiedResNet(nn.Module):
    """OpenAI's ResNet: 3-conv stem + avgpool, anti-aliased Bottlenecks, attention pooling."""

    def __init__(self, layers, output_dim, heads, input_resolution=224, width=64):
        super().__init__()
        self.output_dim = output_dim
        self.input_resolution = input_resolution
        self.conv1 = nn.Conv2d(3, width // 2, kernel_size=3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width // 2)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(width // 2, width // 2, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width // 2)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv3 = nn.Conv2d(width // 2, width, kernel_size=3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(width)
        self.relu3 = nn.ReLU(inplace=True)
        self.avgpool = nn.AvgPool2d(2)
        self._inplanes = width
        self.layer1 = self._make_layer(width, layers[0])
        self.layer2 = self._make_layer(width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(width * 8, layers[3], stride=2)
        embed_dim = width * 32
        self.attnpool = AttentionPool2d(input_resolution // 32, embed_dim, heads, output_dim)

    def _make_layer(self, planes, blocks, stride=1):
        layers = [Bottleneck(self._inplanes, planes, stride)]
        self._inplanes = planes * Bottleneck.expansion
        for _ in range(1, blocks):
            layers.append(Bottleneck(self._inplanes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu1(self.bn1(self.conv1(x)))
        x = self.relu2(self.bn2(self.conv2(x)))
        x = self.relu3(self.bn3(self.conv3(x)))
        x = self.avgpool(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        return self.attnpool(x)


class CLIP(nn.Module):
    def __init__(self, embed_dim, image_resolution, vision_layers, vision_width, vision_patch_size,
                 context_length, vocab_size, transformer_width, transformer_heads, transformer_layers,
                 vision_heads):
        super().__init__()
        self.context_length = context_length
        self.visual = VisionTransformer(image_resolution, vision_patch_size, vision_width, vision_layers,
                                        vision_heads, embed_dim)
        self.transformer = Transformer(transformer_width, transformer_layers, transformer_heads,
                                       attn_mask=self.build_attention_mask())
        self.vocab_size = vocab_size
        self.token_embedding = nn.Embedding(vocab_size, transformer_width)
        self.positional_embedding = nn.Parameter(torch.empty(context_length, transformer_width))
        self.ln_final = LayerNorm(transformer_width)
        self.text_projection = nn.Parameter(torch.empty(transformer_width, embed_dim))
        self.logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))

    def build_attention_mask(self):
        mask = torch.empty(self.context_length, self.context_length)
        mask.fill_(float("-inf"))
        mask.triu_(1)  # zero on and below the diagonal
        return mask

    def encode_image(self, image):
        return self.visual(image)

    def text_states(self, text, key_padding_add=None):
        x = self.token_embedding(text)  # [N, L, d]
        x = x + self.positional_embedding
        x = x.permute(1, 0, 2)
        x = self.transformer(x, key_padding_add)
        x = x.permute(1, 0, 2)
        return self.ln_final(x)

    def encode_text(self, text):
        x = self.text_states(text)
        # pool at the EOT token (the highest id in each sequence)
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection


# ---------------------------------------------------------------------------------------------------------
# Seeded initialisation
# ---------------------------------------------------------------------------------------------------------

def init_clip(model, gen):
    """OpenAI's initialize_parameters, plus random LayerNorm/bias terms, with scales chosen so that a
    2-layer random model still gives clearly different embeddings for different inputs."""

    def normal_(t, std, mean=0.0):
        with torch.no_grad():
            t.copy_(torch.randn(t.shape, generator=gen) * std + mean)

    def init_transformer(tr):
        width, layers = tr.width, tr.layers
        attn_std = width ** -0.5
        proj_std = 1.5 * width ** -0.5  # larger than OpenAI's (w^-0.5 (2L)^-0.5): stronger token mixing
        fc_std = (2 * width) ** -0.5
        for block in tr.resblocks:
            normal_(block.attn.in_proj_weight, 1.5 * attn_std)
            normal_(block.attn.in_proj_bias, 0.02)
            normal_(block.attn.out_proj.weight, proj_std)
            normal_(block.attn.out_proj.bias, 0.02)
            normal_(block.mlp.c_fc.weight, fc_std)
            normal_(block.mlp.c_fc.bias, 0.02)
            normal_(block.mlp.c_proj.weight, proj_std)
            normal_(block.mlp.c_proj.bias, 0.02)
            for ln in (block.ln_1, block.ln_2):
                normal_(ln.weight, 0.1, 1.0)
                normal_(ln.bias, 0.05)

    # text tower
    normal_(model.token_embedding.weight, 0.02)
    normal_(model.positional_embedding, 0.01)
    init_transformer(model.transformer)
    normal_(model.ln_final.weight, 0.1, 1.0)
    normal_(model.ln_final.bias, 0.05)
    normal_(model.text_projection, model.transformer.width ** -0.5)

    # image tower
    v = model.visual
    width = v.conv1.out_channels
    # Patch-embedding filters that are smooth over the patch (random 4x4 grids upsampled bicubically to
    # patch x patch, each filter of L2 norm 2). With white-noise filters a random ViT reacts to +-1 grey-level
    # pixel differences (another resize or JPEG implementation) about as strongly as to image content;
    # smooth filters keep the images apart while making the embedding robust to such differences.
    patch = v.conv1.kernel_size[0]
    coarse = torch.randn(width, 3, 4, 4, generator=gen)
    filters = F.interpolate(coarse, size=(patch, patch), mode="bicubic", align_corners=False)
    filters = 2.0 * filters / filters.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
    with torch.no_grad():
        v.conv1.weight.copy_(filters)
    normal_(v.class_embedding, width ** -0.5)
    normal_(v.positional_embedding, width ** -0.5)
    init_transformer(v.transformer)
    for ln in (v.ln_pre, v.ln_post):
        normal_(ln.weight, 0.1, 1.0)
        normal_(ln.bias, 0.05)
    normal_(v.proj, width ** -0.5)


def init_resnet(model, gen, calibration_images):
    """Seeded init of the ModifiedResNet; BatchNorm running statistics are calibrated on real images.

    Untrained BatchNorm statistics (mean 0, var 1) leave all post-ReLU features positive with a large
    common mode, so every image gets nearly the same embedding (pairwise cosine > 0.99). Setting the running
    statistics from a batch of calibration photos (as training would) centres the features. The 3x3 filters
    are random channel mixes of a [1,2,1]x[1,2,1] blur plus a little white noise, which keeps the embedding
    robust to +-1 grey-level differences between resize/JPEG implementations."""

    def normal_(t, std, mean=0.0):
        with torch.no_grad():
            t.copy_(torch.randn(t.shape, generator=gen) * std + mean)

    blur = torch.tensor([1.0, 2.0, 1.0])
    blur = blur[:, None] * blur[None, :]
    blur = blur / blur.norm()
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            gain = (2.0 / m.in_channels) ** 0.5
            if m.kernel_size == (3, 3):
                mix = torch.randn(m.out_channels, m.in_channels, 1, 1, generator=gen)
                white = torch.randn(m.weight.shape, generator=gen) / 3.0
                with torch.no_grad():
                    m.weight.copy_(gain * (mix * blur + 0.2 * white))
            else:
                normal_(m.weight, gain)
        elif isinstance(m, nn.BatchNorm2d):
            normal_(m.weight, 0.1, 1.0)
            normal_(m.bias, 0.1)
    ap = model.attnpool
    embed_dim = ap.q_proj.in_features
    normal_(ap.positional_embedding, embed_dim ** -0.5)
    for lin in (ap.q_proj, ap.k_proj, ap.v_proj, ap.c_proj):
        normal_(lin.weight, lin.in_features ** -0.5)
        normal_(lin.bias, 0.02)
    # one training-mode pass with cumulative averaging: running stats = the calibration batch's statistics
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        model(calibration_images)
    model.eval()
    for m in bns:
        m.momentum = 0.1


def round_to_bfloat16_grid(t):
    """Round float32 values to the nearest bfloat16-representable value (kept as float32).

    The weights stay float32 tensors; only their low 16 mantissa bits become zero, which lets git's zlib
    compression roughly halve the committed size of the ONNX files. Irrelevant to the maths being tested."""
    return t.to(torch.bfloat16).to(torch.float32)  # round to nearest even


def set_manual_attention(module, on):
    for m in module.modules():
        if isinstance(m, (ResidualAttentionBlock, AttentionPool2d)):
            m.manual = on


# ---------------------------------------------------------------------------------------------------------
# Export wrappers (the exact graphs written to ONNX)
# ---------------------------------------------------------------------------------------------------------

def normalise_pixels_param(t):
    return torch.tensor(t, dtype=torch.float32).view(1, 3, 1, 1)


class OpenClipVisual(nn.Module):
    """open_clip / Immich visual: image float [N,3,H,W] -> embedding [N,E] (not normalised)."""

    def __init__(self, visual):
        super().__init__()
        self.visual = visual

    def forward(self, image):
        return self.visual(image)


class OpenClipVisualUint8(nn.Module):
    """image uint8 [N,H,W,3] (RGB, 0..255) -> embedding; normalisation and HWC->CHW inside the graph."""

    def __init__(self, visual):
        super().__init__()
        self.visual = visual
        self.register_buffer("mean", normalise_pixels_param(CLIP_MEAN))
        self.register_buffer("std", normalise_pixels_param(CLIP_STD))

    def forward(self, image):
        x = image.to(torch.float32).permute(0, 3, 1, 2)
        x = x / 255.0
        x = (x - self.mean) / self.std
        return self.visual(x)


def eot_pool(states, ids):
    """Gather the state at the first position of the highest token id (EOT) per row -- same as OpenAI's
    ``x[arange(N), ids.argmax(-1)]``; argmax runs on float ids (exact below 2^24) for broad ORT support."""
    eot = ids.to(torch.float32).argmax(dim=-1)  # [N]
    idx = eot.reshape(-1, 1, 1).expand(-1, 1, states.shape[-1])
    return torch.gather(states, 1, idx).squeeze(1)


class OpenClipTextual(nn.Module):
    """open_clip / Immich textual: text int32 [N,77] -> embedding [N,E] (not normalised)."""

    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, text):
        ids = text.to(torch.int64)
        x = self.clip.text_states(ids)
        return eot_pool(x, ids) @ self.clip.text_projection


def hf_padding_mask(attention_mask):
    """HF CLIP's expanded padding mask: 0 where attended, float32 min where masked; [N,1,1,L]."""
    m = attention_mask.to(torch.float32)
    return ((1.0 - m) * torch.finfo(torch.float32).min).reshape(m.shape[0], 1, 1, m.shape[-1])


class HfTextModel(nn.Module):
    """HF Optimum text_model: input_ids int64, attention_mask int64 -> text_embeds (not normalised),
    last_hidden_state. The padding mask is combined with the causal mask, as in HF's CLIPTextTransformer."""

    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, input_ids, attention_mask):
        states = self.clip.text_states(input_ids, hf_padding_mask(attention_mask))
        return eot_pool(states, input_ids) @ self.clip.text_projection, states


class HfVisionModel(nn.Module):
    """HF Optimum vision_model: pixel_values -> image_embeds (not normalised), last_hidden_state."""

    def __init__(self, visual):
        super().__init__()
        self.visual = visual

    def forward(self, pixel_values):
        return self.visual.forward_tokens(pixel_values)


class HfCombined(nn.Module):
    """HF CLIPModel export: (input_ids, pixel_values, attention_mask) ->
    logits_per_image, logits_per_text, text_embeds, image_embeds (embeds L2-normalised, as HF returns them)."""

    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, input_ids, pixel_values, attention_mask):
        image = self.clip.visual(pixel_values)
        states = self.clip.text_states(input_ids, hf_padding_mask(attention_mask))
        text = eot_pool(states, input_ids) @ self.clip.text_projection
        image = image / image.norm(p=2, dim=-1, keepdim=True)
        text = text / text.norm(p=2, dim=-1, keepdim=True)
        logits_per_text = torch.matmul(text, image.t()) * self.clip.logit_scale.exp()
        return logits_per_text.t(), logits_per_text, text, image


# ---------------------------------------------------------------------------------------------------------
# Reference preprocessing and helpers
# ---------------------------------------------------------------------------------------------------------

def openai_preprocess(n_px):
    return Compose([
        Resize(n_px, interpolation=InterpolationMode.BICUBIC),
        CenterCrop(n_px),
        lambda im: im.convert("RGB"),
        ToTensor(),
        Normalize(CLIP_MEAN, CLIP_STD),
    ])


def tensor_resize_preprocess(path, n_px):
    """The same pipeline with torchvision's tensor (not PIL) bicubic resize: a stand-in for 'another correct
    implementation', used only to report how sensitive the random towers are to such differences."""
    im = Image.open(path).convert("RGB")
    t = TF.pil_to_tensor(im).float()
    t = TF.resize(t, n_px, interpolation=InterpolationMode.BICUBIC, antialias=True)
    t = TF.center_crop(t, n_px).round().clamp(0, 255) / 255.0
    return TF.normalize(t, CLIP_MEAN, CLIP_STD)


def l2n(t):
    return t / t.norm(dim=-1, keepdim=True)


def f32_list(t):
    """float32 values as the shortest decimal strings that round-trip in float32."""
    return [float(str(np.float32(v))) for v in t.detach().cpu().numpy().reshape(-1)]


def max_abs(a, b):
    return float((a - b).abs().max())


def export(module, args, path, input_names, output_names, dynamic_axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=True,
                          export_params=True)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    got_inputs = [i.name for i in model.graph.input if i.name not in {x.name for x in model.graph.initializer}]
    assert got_inputs == list(input_names), (path, got_inputs, input_names)
    assert [o.name for o in model.graph.output] == list(output_names), (path, model.graph.output)
    for init in model.graph.initializer:
        assert init.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.INT64, onnx.TensorProto.INT32), \
            (path, init.name, init.data_type)
    return model


def describe(model):
    def shape(vi):
        dims = [d.dim_param if d.dim_param else d.dim_value for d in vi.type.tensor_type.shape.dim]
        return f"{vi.name}: {onnx.TensorProto.DataType.Name(vi.type.tensor_type.elem_type).lower()} {dims}"

    inits = {x.name for x in model.graph.initializer}
    ins = [shape(i) for i in model.graph.input if i.name not in inits]
    outs = [shape(o) for o in model.graph.output]
    return ins, outs


def check_trace(module, args, eager_outputs, label):
    """torch.jit.trace the export wrapper and compare to the eager reference outputs."""
    with torch.no_grad():
        traced = torch.jit.trace(module, args, check_trace=False)
        out = traced(*args)
    if not isinstance(out, (tuple, list)):
        out = (out,)
    worst = 0.0
    for o, ref in zip(out, eager_outputs):
        worst = max(worst, max_abs(o, ref))
    print(f"  trace vs eager reference [{label}]: max |diff| = {worst:.3g}")
    assert worst < 1e-4, label
    return worst


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    # keep arrays of numbers on one line
    text = re.sub(r"\[\s*(-?[0-9][-0-9.eE+,\s]*?)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")


def cosine_spread(name, emb):
    sims = (emb @ emb.t()).numpy()
    iu = np.triu_indices(sims.shape[0], 1)
    vals = sims[iu]
    print(f"  {name}: pairwise cosine over {len(vals)} pairs: min {vals.min():.3f} mean {vals.mean():.3f} "
          f"max {vals.max():.3f}")
    return {"min": float(vals.min()), "mean": float(vals.mean()), "max": float(vals.max())}


# ---------------------------------------------------------------------------------------------------------
# Reference images
# ---------------------------------------------------------------------------------------------------------

def make_reference_images(img_dir):
    os.makedirs(img_dir, exist_ok=True)
    astronaut = Image.open(os.path.join(SKIMAGE_DATA, "astronaut.png")).convert("RGB")
    chelsea = Image.open(os.path.join(SKIMAGE_DATA, "chelsea.png")).convert("RGB")
    coffee = Image.open(os.path.join(SKIMAGE_DATA, "coffee.png")).convert("RGB")
    assert astronaut.size == (512, 512) and chelsea.size == (451, 300) and coffee.size == (600, 400)

    files = OrderedDict()
    # 512x512 JPEG (quality 90, 4:2:0 chroma subsampling -- PIL's default)
    files["astronaut.jpg"] = (astronaut, dict(format="JPEG", quality=90, subsampling=2, optimize=False))
    # 451x300 landscape PNG (odd width: centre crop offset rounding)
    files["chelsea.png"] = (chelsea, dict(format="PNG", optimize=True))
    # 300x400 portrait JPEG: a crop of the cup
    files["coffee-portrait.jpg"] = (coffee.crop((150, 0, 450, 400)),
                                    dict(format="JPEG", quality=90, subsampling=2, optimize=False))
    # 150x100 PNG: smaller than 224 on both sides, so the model resize is an upscale
    files["coffee-small.png"] = (coffee.resize((150, 100), Image.Resampling.LANCZOS), dict(format="PNG", optimize=True))
    for name, (im, kw) in files.items():
        im.save(os.path.join(img_dir, name), **kw)
    return list(files)


# ---------------------------------------------------------------------------------------------------------
# Folder metadata
# ---------------------------------------------------------------------------------------------------------

def openclip_config(embed_dim, image_size, vision_cfg_extra, text=True):
    cfg = {"embed_dim": embed_dim, "vision_cfg": {"image_size": image_size, **vision_cfg_extra}}
    if text:
        cfg["text_cfg"] = {"context_length": CONTEXT_LENGTH, "vocab_size": VOCAB_SIZE, "width": VIT["text_width"],
                           "heads": VIT["text_heads"], "layers": VIT["text_layers"]}
    return cfg


def openclip_preprocess_cfg(size):
    return {"size": [size, size], "mode": "RGB", "mean": list(CLIP_MEAN), "std": list(CLIP_STD),
            "interpolation": "bicubic", "resize_mode": "shortest", "fill_color": 0}


def openclip_tokenizer_config():
    # Shaped like the tokenizer_config.json of Immich's textual/ folders (a CLIPTokenizer config).
    def special(content):
        return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False,
                "special": True}

    return {
        "add_prefix_space": False,
        "bos_token": "<|startoftext|>",
        "clean_up_tokenization_spaces": True,
        "do_lower_case": True,
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": CONTEXT_LENGTH,
        "pad_token": "<|endoftext|>",
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": "<|endoftext|>",
        "added_tokens_decoder": {
            str(SOT_ID): special("<|startoftext|>"),
            str(EOT_ID): special("<|endoftext|>"),
        },
    }


def hf_preprocessor_config():
    return {
        "crop_size": {"height": VIT["image_size"], "width": VIT["image_size"]},
        "do_center_crop": True,
        "do_convert_rgb": True,
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": list(CLIP_MEAN),
        "image_processor_type": "CLIPImageProcessor",
        "image_std": list(CLIP_STD),
        "resample": 3,
        "rescale_factor": 0.00392156862745098,
        "size": {"shortest_edge": VIT["image_size"]},
    }


def hf_config(logit_scale):
    return {
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": VIT["embed_dim"],
        "logit_scale_init_value": float(logit_scale),
        "initializer_factor": 1.0,
        "torch_dtype": "float32",
        "text_config": {
            "model_type": "clip_text_model",
            "vocab_size": VOCAB_SIZE,
            "max_position_embeddings": CONTEXT_LENGTH,
            "hidden_size": VIT["text_width"],
            "intermediate_size": VIT["text_width"] * 4,
            "num_hidden_layers": VIT["text_layers"],
            "num_attention_heads": VIT["text_heads"],
            "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-05,
            "projection_dim": VIT["embed_dim"],
            "bos_token_id": SOT_ID,
            "eos_token_id": EOT_ID,
            "pad_token_id": 1,
        },
        "vision_config": {
            "model_type": "clip_vision_model",
            "image_size": VIT["image_size"],
            "patch_size": VIT["patch_size"],
            "num_channels": 3,
            "hidden_size": VIT["vision_width"],
            "intermediate_size": VIT["vision_width"] * 4,
            "num_hidden_layers": VIT["vision_layers"],
            "num_attention_heads": VIT["vision_heads"],
            "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-05,
            "projection_dim": VIT["embed_dim"],
        },
    }


def hf_tokenizer_config():
    cfg = openclip_tokenizer_config()
    cfg["model_input_names"] = ["input_ids", "attention_mask"]
    return cfg


# ---------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=OUT_DIR)
    ap.add_argument("--bpe", default=os.path.join(SHARED_CLIP, "bpe_simple_vocab_16e6.txt.gz"))
    ap.add_argument("--dump-inputs", default=None,
                    help="also write raw float32/int64 model inputs and outputs here (for an external ORT check)")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    # ---- tokenizer
    tokenizer = ClipBpeTokenizer(args.bpe)
    golden = os.path.join(os.path.dirname(args.bpe), "tokenize-golden.json")
    if os.path.exists(golden):
        from clip_bpe import check_golden
        matched, total = check_golden(tokenizer, golden)
        print(f"tokenizer: golden cases matched {matched}/{total}")
        assert matched == total
    text_ids = torch.tensor(tokenizer.tokenize(TEXTS, CONTEXT_LENGTH, truncate=True), dtype=torch.int64)
    assert any(len(tokenizer.encode(t)) + 2 > CONTEXT_LENGTH for t in TEXTS), "no text exercises truncation"
    attn_mask = torch.zeros_like(text_ids)
    for row, eot_pos in enumerate(text_ids.argmax(dim=-1).tolist()):
        attn_mask[row, :eot_pos + 1] = 1

    # ---- models
    gen = torch.Generator().manual_seed(SEED)
    clip = CLIP(VIT["embed_dim"], VIT["image_size"], VIT["vision_layers"], VIT["vision_width"], VIT["patch_size"],
                CONTEXT_LENGTH, VOCAB_SIZE, VIT["text_width"], VIT["text_heads"], VIT["text_layers"],
                VIT["vision_heads"])
    init_clip(clip, gen)
    clip.eval()
    rn = ModifiedResNet(RN["layers"], RN["embed_dim"], RN["heads"], RN["image_size"], RN["width"])
    rn_pre = openai_preprocess(RN["image_size"])
    calibration = torch.stack([rn_pre(Image.open(os.path.join(SKIMAGE_DATA, n))) for n in CALIBRATION_IMAGES])
    init_resnet(rn, torch.Generator().manual_seed(RN_SEED), calibration)
    rn.eval()
    with torch.no_grad():
        for t in list(clip.state_dict().values()) + list(rn.state_dict().values()):
            assert t.dtype in (torch.float32, torch.int64), t.dtype
            if t.dtype == torch.float32:
                t.copy_(round_to_bfloat16_grid(t))

    # ---- images
    img_dir = os.path.join(out, "reference-images")
    image_names = make_reference_images(img_dir)
    vit_pre = openai_preprocess(VIT["image_size"])
    pixels_vit = torch.stack([vit_pre(Image.open(os.path.join(img_dir, n))) for n in image_names])
    pixels_rn = torch.stack([rn_pre(Image.open(os.path.join(img_dir, n))) for n in image_names])
    # the same pixels as uint8 HWC (what a uint8-input model is fed after resize + crop)
    uint8_vit = torch.stack([
        torch.from_numpy(np.asarray(CenterCrop(VIT["image_size"])(
            Resize(VIT["image_size"], interpolation=InterpolationMode.BICUBIC)(Image.open(os.path.join(img_dir, n))))
            .convert("RGB"), dtype=np.uint8).copy())
        for n in image_names])

    # ---- PyTorch eager reference (OpenAI code path: nn.MultiheadAttention)
    with torch.no_grad():
        set_manual_attention(clip, False)
        set_manual_attention(rn, False)
        ref_img_vit = clip.encode_image(pixels_vit)
        ref_txt_vit = clip.encode_text(text_ids)
        ref_img_rn = rn(pixels_rn)
        ref_vit_tokens = clip.visual.forward_tokens(pixels_vit)[1]
        ref_txt_states = clip.text_states(text_ids)

        # the export graphs use hand-written attention: check it equals nn.MultiheadAttention
        set_manual_attention(clip, True)
        set_manual_attention(rn, True)
        diffs = {
            "vit image": max_abs(clip.encode_image(pixels_vit), ref_img_vit),
            "text (int32 graph)": max_abs(OpenClipTextual(clip)(text_ids.to(torch.int32)), ref_txt_vit),
            "text (HF graph, mask)": max_abs(HfTextModel(clip)(text_ids, attn_mask)[0], ref_txt_vit),
            "text (HF graph, all-ones mask)": max_abs(HfTextModel(clip)(text_ids, torch.ones_like(attn_mask))[0],
                                                      ref_txt_vit),
            "uint8 HWC": max_abs(OpenClipVisualUint8(clip.visual)(uint8_vit), ref_img_vit),
            "rn image": max_abs(rn(pixels_rn), ref_img_rn),
        }
    print("manual-attention export path vs OpenAI eager reference (max |diff|):")
    for k, v in diffs.items():
        print(f"  {k}: {v:.3g}")
        assert v < 1e-4, k

    # ---- exports
    dyn = "batch"
    sizes = {}
    shapes = {}
    x1 = pixels_vit[:1]
    t1 = text_ids[:1]
    m1 = attn_mask[:1]
    with torch.no_grad():
        combined_ref = HfCombined(clip)(text_ids, pixels_vit, attn_mask)
        # HF text states with the padding mask differ from the unmasked ones after EOT only
        hf_txt_states = HfTextModel(clip)(text_ids, attn_mask)[1]
        for row, eot_pos in enumerate(text_ids.argmax(dim=-1).tolist()):
            assert max_abs(hf_txt_states[row, :eot_pos + 1], ref_txt_states[row, :eot_pos + 1]) < 1e-4
    jobs = [
        ("tiny-vit-openclip/visual/model.onnx", OpenClipVisual(clip.visual), (x1,), ["image"], ["embedding"],
         {"image": {0: dyn}, "embedding": {0: dyn}}, (pixels_vit,), (ref_img_vit,)),
        ("tiny-vit-openclip/textual/model.onnx", OpenClipTextual(clip), (t1.to(torch.int32),), ["text"],
         ["embedding"], {"text": {0: dyn}, "embedding": {0: dyn}}, (text_ids.to(torch.int32),), (ref_txt_vit,)),
        ("tiny-vit-hf/onnx/vision_model.onnx", HfVisionModel(clip.visual), (x1,), ["pixel_values"],
         ["image_embeds", "last_hidden_state"],
         {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"},
          "last_hidden_state": {0: "batch_size"}},
         (pixels_vit,), (ref_img_vit, ref_vit_tokens)),
        ("tiny-vit-hf/onnx/text_model.onnx", HfTextModel(clip), (t1, m1), ["input_ids", "attention_mask"],
         ["text_embeds", "last_hidden_state"],
         {"input_ids": {0: "batch_size"}, "attention_mask": {0: "batch_size"}, "text_embeds": {0: "batch_size"},
          "last_hidden_state": {0: "batch_size"}},
         (text_ids, attn_mask), (ref_txt_vit, hf_txt_states)),
        ("tiny-vit-hf-combined/onnx/model.onnx", HfCombined(clip), (t1, x1, m1),
         ["input_ids", "pixel_values", "attention_mask"],
         ["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"],
         {"input_ids": {0: "text_batch_size"}, "pixel_values": {0: "image_batch_size"},
          "attention_mask": {0: "text_batch_size"},
          "logits_per_image": {0: "image_batch_size", 1: "text_batch_size"},
          "logits_per_text": {0: "text_batch_size", 1: "image_batch_size"},
          "text_embeds": {0: "text_batch_size"}, "image_embeds": {0: "image_batch_size"}},
         (text_ids, pixels_vit, attn_mask), combined_ref),
        ("tiny-vit-openclip-batch1/visual/model.onnx", OpenClipVisual(clip.visual), (x1,), ["image"], ["embedding"],
         None, (x1,), (ref_img_vit[:1],)),
        ("tiny-vit-openclip-uint8/visual/model.onnx", OpenClipVisualUint8(clip.visual), (uint8_vit[:1],), ["image"],
         ["embedding"], {"image": {0: dyn}, "embedding": {0: dyn}}, (uint8_vit,), (ref_img_vit,)),
        ("tiny-rn-openclip/visual/model.onnx", OpenClipVisual(rn), (pixels_rn[:1],), ["image"], ["embedding"],
         {"image": {0: dyn}, "embedding": {0: dyn}}, (pixels_rn,), (ref_img_rn,)),
    ]
    # combined-model reference computed with the reference text/image embeddings
    with torch.no_grad():
        ti, tt = l2n(ref_img_vit), l2n(ref_txt_vit)
        lpt = tt @ ti.t() * clip.logit_scale.exp()
        assert max_abs(combined_ref[1], lpt) < 1e-4 and max_abs(combined_ref[3], ti) < 1e-5
    print("exports:")
    for rel, module, ex_args, in_names, out_names, dyn_axes, check_args, check_ref in jobs:
        path = os.path.join(out, rel)
        model = export(module, ex_args, path, in_names, out_names, dyn_axes)
        ins, outs = describe(model)
        shapes[rel] = {"inputs": ins, "outputs": outs}
        sizes[rel] = os.path.getsize(path)
        print(f" {rel} ({sizes[rel] / 1e6:.2f} MB)\n   in:  {ins}\n   out: {outs}")
        check_trace(module, check_args, check_ref, rel)
        if args.dump_inputs:
            d = os.path.join(args.dump_inputs, rel.replace("/", "__"))
            os.makedirs(d, exist_ok=True)
            for name, t in zip(in_names, check_args):
                t.numpy().tofile(os.path.join(d, f"in.{name}.{t.dtype}".replace("torch.", "")))
            for name, t in zip(out_names, check_ref):
                t.numpy().astype(np.float32).tofile(os.path.join(d, f"out.{name}.float32"))
            with open(os.path.join(d, "shapes.json"), "w") as fh:
                json.dump({n: list(t.shape) for n, t in zip(in_names + out_names, list(check_args) + list(check_ref))},
                          fh)
    # the HF text model must keep attention_mask as a real input
    assert [i.name for i in onnx.load(os.path.join(out, "tiny-vit-hf/onnx/text_model.onnx")).graph.input] \
        == ["input_ids", "attention_mask"]

    # ---- folder metadata
    vit_vision_cfg = {"layers": VIT["vision_layers"], "width": VIT["vision_width"], "patch_size": VIT["patch_size"]}
    # The visual-only ViT folders keep the full model config (as a real export of that model would); only the
    # absence of textual/ says there is no text model. The ResNet tower has no text tower at all.
    for folder in ("tiny-vit-openclip", "tiny-vit-openclip-batch1", "tiny-vit-openclip-uint8"):
        write_json(os.path.join(out, folder, "config.json"),
                   openclip_config(VIT["embed_dim"], VIT["image_size"], vit_vision_cfg, text=True))
        write_json(os.path.join(out, folder, "visual", "preprocess_cfg.json"), openclip_preprocess_cfg(VIT["image_size"]))
    write_json(os.path.join(out, "tiny-vit-openclip", "textual", "tokenizer_config.json"), openclip_tokenizer_config())
    rn_vision_cfg = {"layers": list(RN["layers"]), "width": RN["width"], "head_width": RN["width"] * 32 // RN["heads"]}
    write_json(os.path.join(out, "tiny-rn-openclip", "config.json"),
               openclip_config(RN["embed_dim"], RN["image_size"], rn_vision_cfg, text=False))
    write_json(os.path.join(out, "tiny-rn-openclip", "visual", "preprocess_cfg.json"),
               openclip_preprocess_cfg(RN["image_size"]))
    logit_scale = float(clip.logit_scale.detach())
    for folder in ("tiny-vit-hf", "tiny-vit-hf-combined"):
        write_json(os.path.join(out, folder, "config.json"), hf_config(logit_scale))
        write_json(os.path.join(out, folder, "preprocessor_config.json"), hf_preprocessor_config())
        write_json(os.path.join(out, folder, "tokenizer_config.json"), hf_tokenizer_config())

    # ---- reference.json
    emb_img_vit, emb_txt_vit, emb_img_rn = l2n(ref_img_vit), l2n(ref_txt_vit), l2n(ref_img_rn)
    print("pairwise cosine spread of the reference embeddings:")
    spread = {
        "tiny-vit images": cosine_spread("tiny-vit images", emb_img_vit),
        "tiny-vit texts": cosine_spread("tiny-vit texts", emb_txt_vit),
        "tiny-rn images": cosine_spread("tiny-rn images", emb_img_rn),
    }
    # robustness of the random towers to small pixel differences (e.g. another bicubic implementation)
    with torch.no_grad():
        set_manual_attention(clip, False)
        set_manual_attention(rn, False)
        noise = torch.Generator().manual_seed(SEED + 1)

        def jitter(px):
            # +-1 grey level of noise per channel value, in normalised units
            step = torch.tensor(CLIP_STD).view(1, 3, 1, 1)
            return px + (torch.randint(-1, 2, px.shape, generator=noise).float() / 255.0) / step

        c_vit = (l2n(clip.encode_image(jitter(pixels_vit))) * emb_img_vit).sum(-1)
        c_rn = (l2n(rn(jitter(pixels_rn))) * emb_img_rn).sum(-1)
        t_vit = torch.stack([tensor_resize_preprocess(os.path.join(img_dir, n), VIT["image_size"]) for n in image_names])
        t_rn = torch.stack([tensor_resize_preprocess(os.path.join(img_dir, n), RN["image_size"]) for n in image_names])
        r_vit = (l2n(clip.encode_image(t_vit)) * emb_img_vit).sum(-1)
        r_rn = (l2n(rn(t_rn)) * emb_img_rn).sum(-1)
    print("sensitivity (min cosine to the reference embedding):")
    print(f"  +-1/255 iid pixel noise:            tiny-vit {float(c_vit.min()):.7f}  tiny-rn {float(c_rn.min()):.7f}")
    print(f"  torch antialiased bicubic resize:   tiny-vit {float(r_vit.min()):.7f}  tiny-rn {float(r_rn.min()):.7f}"
          f"  (mean |pixel diff| {float(((t_vit - pixels_vit) * torch.tensor(CLIP_STD).view(1, 3, 1, 1)).abs().mean() * 255):.2f} grey levels)")

    reference = OrderedDict()
    reference["generator"] = "tools/make_test_models.py"
    reference["seed"] = SEED
    reference["rn_seed"] = RN_SEED
    # Debian's python3-torch 1.13.1 reports itself as "1.13.0a0"
    reference["torch"] = torch.__version__
    reference["about"] = ("Random-weight tiny CLIPs (not trained). Embeddings are L2-normalised PyTorch outputs "
                          "for OpenAI's preprocessing (Resize bicubic shortest side, CenterCrop, ToTensor, "
                          "Normalize) and OpenAI's tokenizer (context 77, truncate, zero padding). "
                          "tiny-vit: folders tiny-vit-*; tiny-rn: tiny-rn-openclip.")
    reference["logit_scale"] = float(str(np.float32(logit_scale)))
    reference["images"] = OrderedDict(
        (name, OrderedDict([("tiny-vit", f32_list(emb_img_vit[i])), ("tiny-rn", f32_list(emb_img_rn[i]))]))
        for i, name in enumerate(image_names))
    reference["texts"] = [OrderedDict([("text", t), ("ids", text_ids[i].tolist()),
                                       ("tiny-vit", f32_list(emb_txt_vit[i]))]) for i, t in enumerate(TEXTS)]
    write_json(os.path.join(out, "reference.json"), reference)

    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(out) for f in fs)
    print(f"total size of {os.path.relpath(out, REPO_ROOT)}: {total / 1e6:.2f} MB")
    for rel in sizes:
        with open(os.path.join(out, rel), "rb") as fh:
            print(f"  sha256 {hashlib.sha256(fh.read()).hexdigest()[:16]}  {rel}")


if __name__ == "__main__":
    main()
