"""A scaled-down CLIP written after the semantics of OpenAI's clip/model.py.

Image tower: ViT (conv patch embedding without bias, class token, positional embedding, ln_pre,
pre-LN residual attention blocks with QuickGELU MLPs, ln_post on the class token, projection).
Text tower: token + positional embedding, causal pre-LN blocks, ln_final, pooled at the EOT position
(the largest id, found with argmax as in CLIP), text_projection.

Attention is written with plain matmuls (batch-first) so that it exports to clean ONNX.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        assert width % heads == 0
        self.heads = heads
        self.head_dim = width // heads
        self.in_proj = nn.Linear(width, 3 * width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, mask=None):
        n, length, width = x.shape
        qkv = self.in_proj(x).reshape(n, length, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                     # [n, heads, L, hd]
        scores = torch.matmul(q * (self.head_dim ** -0.5), k.transpose(-2, -1))
        if mask is not None:
            scores = scores + mask
        attn = torch.softmax(scores, dim=-1)
        out = torch.matmul(attn, v).permute(0, 2, 1, 3).reshape(n, length, width)
        return self.out_proj(out)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential()
        self.mlp.add_module("c_fc", nn.Linear(width, width * 4))
        self.mlp.add_module("gelu", QuickGELU())
        self.mlp.add_module("c_proj", nn.Linear(width * 4, width))

    def forward(self, x, mask=None):
        x = x + self.attn(self.ln_1(x), mask)
        x = x + self.mlp(self.ln_2(x))
        return x


class Transformer(nn.Module):
    def __init__(self, width, layers, heads):
        super().__init__()
        self.width = width
        self.layers = layers
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads) for _ in range(layers)])

    def forward(self, x, mask=None):
        for block in self.resblocks:
            x = block(x, mask)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch_size, width, layers, heads, output_dim):
        super().__init__()
        self.image_size = image_size
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size, bias=False)
        scale = width ** -0.5
        grid = image_size // patch_size
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)                                    # [n, width, grid, grid]
        x = x.flatten(2).transpose(1, 2)                     # [n, grid*grid, width]
        cls = self.class_embedding.to(x.dtype).reshape(1, 1, -1).expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1)
        x = x + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x)
        x = self.transformer(x)
        x = self.ln_post(x[:, 0, :])
        return x @ self.proj


class TinyCLIP(nn.Module):
    def __init__(self, embed_dim, image_size, vision_layers, vision_width, vision_heads, patch_size,
                 context_length, vocab_size, text_width, text_heads, text_layers):
        super().__init__()
        self.context_length = context_length
        self.visual = VisionTransformer(image_size, patch_size, vision_width, vision_layers, vision_heads, embed_dim)
        self.transformer = Transformer(text_width, text_layers, text_heads)
        self.vocab_size = vocab_size
        self.token_embedding = nn.Embedding(vocab_size, text_width)
        self.positional_embedding = nn.Parameter(torch.empty(context_length, text_width))
        self.ln_final = nn.LayerNorm(text_width)
        self.text_projection = nn.Parameter(torch.empty(text_width, embed_dim))
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(1 / 0.07))
        self.register_buffer("attn_mask", self.build_attention_mask(), persistent=False)
        self.initialize_parameters()

    def build_attention_mask(self):
        mask = torch.empty(self.context_length, self.context_length)
        mask.fill_(float("-inf"))
        mask.triu_(1)                                        # zero on and below the diagonal
        return mask

    def initialize_parameters(self):
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        for tower in (self.transformer, self.visual.transformer):
            proj_std = (tower.width ** -0.5) * ((2 * tower.layers) ** -0.5)
            attn_std = tower.width ** -0.5
            fc_std = (2 * tower.width) ** -0.5
            for block in tower.resblocks:
                nn.init.normal_(block.attn.in_proj.weight, std=attn_std)
                nn.init.zeros_(block.attn.in_proj.bias)
                nn.init.normal_(block.attn.out_proj.weight, std=proj_std)
                nn.init.zeros_(block.attn.out_proj.bias)
                nn.init.normal_(block.mlp.c_fc.weight, std=fc_std)
                nn.init.normal_(block.mlp.c_proj.weight, std=proj_std)
        nn.init.normal_(self.text_projection, std=self.transformer.width ** -0.5)

    def encode_image(self, image):
        return self.visual(image)

    def encode_text(self, text):
        ids = text.long()
        x = self.token_embedding(ids) + self.positional_embedding
        x = self.transformer(x, self.attn_mask)
        x = self.ln_final(x)
        # pooled at the EOT token: the largest id in each row (argmax over float ids, exact below 2**24)
        eot = ids.to(torch.float32).argmax(dim=-1)
        index = eot.reshape(-1, 1, 1).expand(-1, 1, x.shape[-1])
        x = torch.gather(x, 1, index)[:, 0, :]
        return x @ self.text_projection

    def forward(self, image, text):
        image_features = F.normalize(self.encode_image(image), dim=-1)
        text_features = F.normalize(self.encode_text(text), dim=-1)
        logit_scale = self.logit_scale.exp()
        logits_per_image = logit_scale * image_features @ text_features.t()
        return logits_per_image, logits_per_image.t()


class ImageTower(nn.Module):
    """Export wrapper: image [N,3,S,S] float32 -> embedding [N,D] (not normalised)."""

    def __init__(self, clip):
        super().__init__()
        self.visual = clip.visual

    def forward(self, image):
        return self.visual(image)


class TextTower(nn.Module):
    """Export wrapper: text [N,C] int32 -> embedding [N,D] (not normalised)."""

    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, text):
        return self.clip.encode_text(text)
