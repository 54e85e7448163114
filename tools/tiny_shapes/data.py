"""Synthetic image-caption generator for the tiny-shapes CLIP.

Every image has one kind of object (a coloured shape or a sign-like symbol), drawn 1-3 times, on a
patterned background. Images have varied sizes (96-400 px sides) and aspect ratios; all content lies
inside the central square that survives CLIP's Resize(shortest side) + CenterCrop, and position words are
relative to that square.
"""
import math
import random

import numpy as np
from PIL import Image, ImageDraw

COLOURS = {
    "red": (215, 30, 35),
    "orange": (245, 135, 20),
    "yellow": (240, 210, 25),
    "green": (35, 160, 55),
    "blue": (35, 75, 215),
    "purple": (125, 45, 165),
    "pink": (245, 125, 195),
    "black": (25, 25, 25),
}
SHAPES = ["circle", "square", "triangle", "star", "heart", "diamond"]
PLURAL = {s: s + "s" for s in SHAPES}
SYMBOLS = ["warning sign", "red cross", "skull", "prohibited sign"]
SYMBOL_PLURAL = {"warning sign": "warning signs", "red cross": "red crosses", "skull": "skulls",
                 "prohibited sign": "prohibited signs"}
# caption variants for each symbol (singular, with article)
SYMBOL_NAMES = {
    "warning sign": ["a warning sign", "a warning triangle", "a yellow warning sign",
                     "a yellow warning triangle with an exclamation mark", "a hazard warning sign",
                     "a caution sign"],
    "red cross": ["a red cross", "a red cross symbol", "a red cross emblem", "a medical red cross"],
    "skull": ["a skull", "a skull pictogram", "a skull and crossbones", "a black skull symbol",
              "a poison skull sign"],
    "prohibited sign": ["a prohibited sign", "a prohibition sign", "a prohibited symbol",
                        "a red prohibition sign with a diagonal bar", "a forbidden sign"],
}

# Classes of the zero-shot task: the main object, shape x colour, then the four symbols.
CLASSES = [(c, s) for s in SHAPES for c in COLOURS] + [(None, sym) for sym in SYMBOLS]


def class_name(class_id):
    colour, thing = CLASSES[class_id]
    return thing if colour is None else f"{colour} {thing}"


SIZES = {"small": (0.11, 0.14), "medium": (0.165, 0.2), "large": (0.25, 0.3)}
NUMBERS = {1: "one", 2: "two", 3: "three"}
POSITIONS = {
    (0, 0): "in the top left corner", (0, 1): "at the top", (0, 2): "in the top right corner",
    (1, 0): "on the left", (1, 1): "in the center", (1, 2): "on the right",
    (2, 0): "in the bottom left corner", (2, 1): "at the bottom", (2, 2): "in the bottom right corner",
}
BACKGROUNDS = ["plain", "striped", "dotted", "gradient", "checkered", "dark"]
LIGHT = [(255, 255, 255), (236, 236, 236), (245, 238, 220), (222, 232, 245), (228, 245, 228), (250, 240, 245),
         (210, 210, 210)]
DARK = [(40, 40, 40), (30, 35, 60), (55, 45, 40)]


def _jitter(rgb, rng, amount=14):
    return tuple(int(min(255, max(0, v + rng.randint(-amount, amount)))) for v in rgb)


def _background(w, h, kind, rng, side):
    if kind == "plain":
        base = rng.choice(LIGHT)
        return Image.new("RGB", (w, h), _jitter(base, rng, 6)), "white" if base == (255, 255, 255) else "plain"
    if kind == "dark":
        return Image.new("RGB", (w, h), _jitter(rng.choice(DARK), rng, 6)), "dark"
    a, b = rng.sample(LIGHT, 2)
    a, b = np.array(_jitter(a, rng, 6), np.float32), np.array(_jitter(b, rng, 6), np.float32)
    if kind == "gradient":
        t = np.linspace(0.0, 1.0, h if rng.random() < 0.5 else w, dtype=np.float32)
        if len(t) == h:
            t = np.repeat(t[:, None], w, axis=1)
        else:
            t = np.repeat(t[None, :], h, axis=0)
        arr = a[None, None, :] * (1 - t[..., None]) + b[None, None, :] * t[..., None]
        return Image.fromarray(arr.round().astype(np.uint8), "RGB"), "gradient"
    if kind in ("striped", "checkered"):
        period = side / rng.uniform(5.0, 9.0)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        if kind == "checkered":
            sel = ((np.floor(xx / period) + np.floor(yy / period)) % 2).astype(bool)
        else:
            orient = rng.randrange(3)
            coord = xx if orient == 0 else (yy if orient == 1 else (xx + yy) / math.sqrt(2))
            sel = (np.floor(coord / (period / 2)) % 2).astype(bool)
        arr = np.where(sel[..., None], a[None, None, :], b[None, None, :])
        return Image.fromarray(arr.astype(np.uint8), "RGB"), kind
    # dotted
    img = Image.new("RGB", (w, h), tuple(int(v) for v in a))
    draw = ImageDraw.Draw(img)
    spacing = side / rng.uniform(6.0, 10.0)
    rad = spacing * rng.uniform(0.12, 0.2)
    dot = _jitter((175, 175, 175), rng, 25)
    y = spacing / 2
    while y < h:
        x = spacing / 2
        while x < w:
            draw.ellipse([x - rad, y - rad, x + rad, y + rad], fill=dot)
            x += spacing
        y += spacing
    return img, "dotted"


def _star(cx, cy, r):
    pts = []
    for i in range(10):
        ang = -math.pi / 2 + i * math.pi / 5
        rr = r if i % 2 == 0 else r * 0.42
        pts.append((cx + rr * math.cos(ang), cy + rr * math.sin(ang) + 0.1 * r))
    return pts


def _heart(cx, cy, r):
    pts = []
    for i in range(40):
        t = 2 * math.pi * i / 40
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((cx + x * r / 16.5, cy - (y + 2.5) * r / 15.5))
    return pts


def _triangle(cx, cy, r):
    return [(cx, cy - r), (cx + r, cy + 0.8 * r), (cx - r, cy + 0.8 * r)]


def _shrink(pts, cx, cy, f):
    return [(cx + (x - cx) * f, cy + (y - cy) * f) for x, y in pts]


def _draw_shape(draw, shape, cx, cy, r, fill):
    if shape == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif shape == "square":
        h = r * 0.85
        draw.rectangle([cx - h, cy - h, cx + h, cy + h], fill=fill)
    elif shape == "triangle":
        draw.polygon(_triangle(cx, cy, r), fill=fill)
    elif shape == "star":
        draw.polygon(_star(cx, cy, r), fill=fill)
    elif shape == "heart":
        draw.polygon(_heart(cx, cy, r), fill=fill)
    elif shape == "diamond":
        draw.polygon([(cx, cy - r), (cx + 0.72 * r, cy), (cx, cy + r), (cx - 0.72 * r, cy)], fill=fill)
    else:
        raise ValueError(shape)


def _draw_symbol(draw, symbol, cx, cy, r, rng):
    if symbol == "warning sign":
        outer = _triangle(cx, cy, r)
        gy = cy + (-r + 0.8 * r * 2) / 3          # centroid of the triangle
        draw.polygon(outer, fill=_jitter((15, 15, 15), rng, 8))
        draw.polygon(_shrink(outer, cx, gy, 0.74), fill=_jitter((245, 205, 20), rng, 10))
        bw = 0.085 * r
        draw.rectangle([cx - bw, cy - 0.35 * r, cx + bw, cy + 0.25 * r], fill=(15, 15, 15))
        draw.ellipse([cx - bw * 1.1, cy + 0.36 * r, cx + bw * 1.1, cy + 0.36 * r + 2.2 * bw], fill=(15, 15, 15))
    elif symbol == "red cross":
        red = _jitter((215, 25, 30), rng, 10)
        t = 0.32 * r
        draw.rectangle([cx - t, cy - r, cx + t, cy + r], fill=red)
        draw.rectangle([cx - r, cy - t, cx + r, cy + t], fill=red)
    elif symbol == "skull":
        ink = _jitter((20, 20, 20), rng, 8)
        hole = _jitter((245, 245, 245), rng, 8)
        bone = 0.13 * r
        for sgn in (-1, 1):                       # crossbones behind the skull
            draw.line([(cx - 0.95 * r, cy + sgn * 0.2 * r + 0.45 * r), (cx + 0.95 * r, cy - sgn * 0.2 * r + 0.45 * r)],
                      fill=ink, width=max(1, int(2 * bone)))
        draw.ellipse([cx - 0.68 * r, cy - 0.95 * r, cx + 0.68 * r, cy + 0.35 * r], fill=ink)
        draw.rectangle([cx - 0.4 * r, cy + 0.1 * r, cx + 0.4 * r, cy + 0.62 * r], fill=ink)
        for sgn in (-1, 1):
            ex = cx + sgn * 0.3 * r
            draw.ellipse([ex - 0.19 * r, cy - 0.42 * r, ex + 0.19 * r, cy - 0.05 * r], fill=hole)
        draw.polygon([(cx, cy + 0.0 * r), (cx - 0.08 * r, cy + 0.18 * r), (cx + 0.08 * r, cy + 0.18 * r)], fill=hole)
        for k in (-1, 0, 1):
            draw.line([(cx + k * 0.16 * r, cy + 0.4 * r), (cx + k * 0.16 * r, cy + 0.62 * r)], fill=hole,
                      width=max(1, int(0.05 * r)))
    elif symbol == "prohibited sign":
        red = _jitter((215, 25, 30), rng, 10)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=red)
        inner = 0.76 * r
        draw.ellipse([cx - inner, cy - inner, cx + inner, cy + inner], fill=_jitter((250, 250, 250), rng, 5))
        t = 0.13 * r
        d = inner * 0.7071 + 0.05 * r
        # diagonal bar from top left to bottom right, drawn as a rotated rectangle
        draw.polygon([(cx - d - t * 0.7071, cy - d + t * 0.7071), (cx - d + t * 0.7071, cy - d - t * 0.7071),
                      (cx + d + t * 0.7071, cy + d - t * 0.7071), (cx + d - t * 0.7071, cy + d + t * 0.7071)], fill=red)
    else:
        raise ValueError(symbol)


def _article(word):
    return "an" if word[0] in "aeiou" else "a"


def _captions(colour, thing, count, size, bg, pos, rng, n):
    """n captions for one image, drawn from varied templates."""
    out = []
    number = NUMBERS[count]
    for _ in range(n):
        if colour is None:
            name = rng.choice(SYMBOL_NAMES[thing])
            plural = SYMBOL_PLURAL[thing]
            if count == 1:
                t = rng.choice([
                    "{name}", "a photo of {bare}", "{name} on a {bg} background", "an image of {bare}",
                    "{name} {pos}", "a {size} {barename}", "a drawing of {bare}", "{name} {pos} on a {bg} background",
                    "there is {bare} {pos}", "a picture of {bare}"])
            else:
                t = rng.choice([
                    "{number} {plural}", "a photo of {number} {plural}", "{number} {size} {plural}",
                    "{number} {plural} on a {bg} background", "an image of {number} {plural}",
                    "a drawing of {number} {size} {plural}"])
            barename = name.split(" ", 1)[1]
            out.append(t.format(name=name, bare=name, barename=barename, plural=plural, number=number,
                                size=size, bg=bg, pos=pos))
        else:
            shape = thing if count == 1 else PLURAL[thing]
            if count == 1:
                t = rng.choice([
                    "a {colour} {shape}", "a photo of a {colour} {shape}", "a photo of a {size} {colour} {shape}",
                    "{colour} {shape} on a {bg} background", "a {size} {colour} {shape} {pos}",
                    "a {colour} {shape} {pos} on a {bg} background", "a drawing of a {colour} {shape}",
                    "there is a {colour} {shape} {pos}", "a picture of one {size} {colour} {shape}",
                    "an image of a {colour} {shape} on a {bg} background", "a {size} {shape}, {colour}"])
            else:
                t = rng.choice([
                    "{number} {colour} {shape}", "a photo of {number} {size} {colour} {shape}",
                    "{number} {colour} {shape} on a {bg} background", "a drawing of {number} {colour} {shape}",
                    "{number} {size} {colour} {shape}", "an image of {number} {colour} {shape}",
                    "there are {number} {colour} {shape} on a {bg} background"])
            text = t.format(colour=colour, shape=shape, size=size, bg=bg, pos=pos, number=number)
            if text.startswith("a {}".format(colour)) or text.startswith("a " + size + " " + colour):
                pass
            out.append(fix_articles(text))
    return out


def fix_articles(text):
    words = text.split(" ")
    for i in range(len(words) - 1):
        if words[i] in ("a", "an"):
            words[i] = _article(words[i + 1])
    return " ".join(words)


def _place(count, size, rng):
    """Centres and radii (fractions of the crop side) for count non-overlapping objects."""
    lo, hi = SIZES[size]
    for _ in range(200):
        r = rng.uniform(lo, hi)
        margin = r + 0.03
        pts = []
        ok = True
        for _ in range(count):
            for _ in range(50):
                c = (rng.uniform(margin, 1 - margin), rng.uniform(margin, 1 - margin))
                if all(math.hypot(c[0] - p[0], c[1] - p[1]) > 2 * r + 0.02 for p in pts):
                    pts.append(c)
                    break
            else:
                ok = False
                break
        if ok:
            return r, pts
    raise RuntimeError("could not place objects")


def render(class_id, rng, n_captions=4, detailed_caption=False):
    """Render one image of the given class. Returns (PIL image, list of captions, metadata)."""
    colour, thing = CLASSES[class_id]
    short = rng.randint(96, 320)
    long_ = min(400, int(short * rng.choice([1.0, rng.uniform(1.05, 1.7)])))
    w, h = (long_, short) if rng.random() < 0.5 else (short, long_)
    side = min(w, h)
    ox, oy = (w - side) / 2.0, (h - side) / 2.0
    count = rng.choice([1, 1, 2, 3])
    sizes = ["small", "medium", "large"] if count == 1 else ["small", "medium"]
    size = rng.choice(sizes)
    bgs = BACKGROUNDS if (colour != "black" and thing != "skull") else BACKGROUNDS[:-1]
    bg_kind = rng.choice(bgs)
    img, bg_word = _background(w, h, bg_kind, rng, side)
    draw = ImageDraw.Draw(img)
    pos_word = ""
    if count == 1:
        lo, hi = SIZES[size]
        r = rng.uniform(lo, hi)
        row, col = rng.randrange(3), rng.randrange(3)
        nominal = [0.22, 0.5, 0.78]
        m = r + 0.03
        cx = min(1 - m, max(m, nominal[col] + rng.uniform(-0.04, 0.04)))
        cy = min(1 - m, max(m, nominal[row] + rng.uniform(-0.04, 0.04)))
        if (row, col) != (1, 1):
            # a large object clamped towards the middle keeps its side: move it just off-centre if needed
            if col != 1 and abs(cx - 0.5) < 0.06:
                cx = 0.5 + (0.06 if col == 2 else -0.06)
            if row != 1 and abs(cy - 0.5) < 0.06:
                cy = 0.5 + (0.06 if row == 2 else -0.06)
        centres = [(cx, cy)]
        pos_word = POSITIONS[(row, col)]
    else:
        r, centres = _place(count, size, rng)
    for (cx, cy) in centres:
        px, py, pr = ox + cx * side, oy + cy * side, r * side
        if colour is None:
            _draw_symbol(draw, thing, px, py, pr, rng)
        else:
            _draw_shape(draw, thing, px, py, pr, _jitter(COLOURS[colour], rng))
    captions = _captions(colour, thing, count, size, bg_word, pos_word, rng, n_captions)
    meta = {"class_id": class_id, "count": count, "size": size, "background": bg_word, "position": pos_word,
            "width": w, "height": h}
    if detailed_caption:
        captions = [detailed(colour, thing, count, size, bg_word, pos_word)]
    return img, captions, meta


def detailed(colour, thing, count, size, bg, pos):
    """The most specific caption for an image (used for held-out retrieval)."""
    if colour is None:
        what = SYMBOL_NAMES[thing][0] if count == 1 else f"{NUMBERS[count]} {size} {SYMBOL_PLURAL[thing]}"
        if count == 1:
            what = f"a {size} {thing}"
    else:
        what = (f"a {size} {colour} {thing}" if count == 1 else f"{NUMBERS[count]} {size} {colour} {PLURAL[thing]}")
    text = what + (f" {pos}" if pos else "") + f" on a {bg} background"
    return fix_articles(text)


# Zero-shot prompts per class: an ensemble of templates, averaged after L2 normalisation.
PROMPT_TEMPLATES = ["a photo of a {}", "a drawing of a {}", "a {}"]


def class_names(class_id):
    """The names of a class used in prompts: "red circle"; for a symbol, each of its caption names."""
    colour, thing = CLASSES[class_id]
    if colour is None:
        return [n.split(" ", 1)[1] for n in SYMBOL_NAMES[thing]]
    return [f"{colour} {thing}"]


def class_prompts(class_id):
    """Every template with every name of the class (shapes: 3 prompts; symbols: 3 x their synonyms)."""
    return [fix_articles(t.format(n)) for t in PROMPT_TEMPLATES for n in class_names(class_id)]


def all_words():
    """Texts that together contain every word the captions and prompts may use (for the BPE corpus)."""
    texts = []
    for cid in range(len(CLASSES)):
        texts += class_prompts(cid)
    for names in SYMBOL_NAMES.values():
        texts += names
    texts += list(SYMBOL_PLURAL.values()) + list(PLURAL.values()) + list(POSITIONS.values())
    return texts
