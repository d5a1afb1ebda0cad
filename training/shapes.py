"""The synthetic captioned dataset: flat coloured shapes on flat coloured backgrounds.

Everything about the dataset lives here: the palette, the words, the caption templates, the held-out
combinations and the renderer. The project's TypeScript checker (test/support/shapes-checker.ts) uses the
same palette; `train.py export` writes the evaluation captions to test/fixtures/embedded-model-eval.json.
"""
import math

import torch

IMAGE_SIZE = 64

# Saturated, well separated colours, so that a nearest-colour checker is unambiguous.
PALETTE = {
    "red": (220, 40, 40),
    "orange": (245, 140, 20),
    "yellow": (240, 220, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "purple": (140, 60, 190),
    "white": (240, 240, 240),
    "black": (20, 20, 20),
}
COLOURS = list(PALETTE)
SHAPES = ["circle", "square", "triangle"]
SIZES = {"small": (9.0, 12.0), "large": (17.0, 22.0)}  # half-extent in pixels, uniform in range

# Combinations (shape colour, shape, background) never rendered nor captioned during training: the quality
# test generates exactly these. Each colour, shape and background still appears in many other combinations.
HELD_OUT = [
    ("red", "circle", "blue"), ("red", "triangle", "white"), ("red", "square", "yellow"),
    ("orange", "square", "purple"), ("orange", "circle", "green"), ("orange", "triangle", "black"),
    ("yellow", "triangle", "blue"), ("yellow", "circle", "red"), ("yellow", "square", "black"),
    ("green", "circle", "white"), ("green", "square", "orange"), ("green", "triangle", "purple"),
    ("blue", "square", "green"), ("blue", "triangle", "yellow"), ("blue", "circle", "orange"),
    ("purple", "triangle", "red"), ("purple", "circle", "yellow"), ("purple", "square", "white"),
    ("white", "circle", "black"), ("white", "square", "blue"), ("white", "triangle", "green"),
    ("black", "square", "red"), ("black", "triangle", "orange"), ("black", "circle", "purple"),
]
HELD_OUT_SET = set(HELD_OUT)

TRAIN_COMBOS = [
    (c, s, b)
    for c in COLOURS
    for s in SHAPES
    for b in COLOURS
    if b != c and (c, s, b) not in HELD_OUT_SET
]

# Every word the captions use (the tokenizer learns one token for each), plus a few synonyms.
SYNONYMS = {"big": "large", "tiny": "small"}
EXTRA_WORDS = ["a", "an", "on", "the", "with", "background", "shape", "of", "and", "in", "image", "picture"]
WORDS = sorted(set(COLOURS) | set(SHAPES) | set(SIZES) | set(SYNONYMS) | set(EXTRA_WORDS))


def caption(colour: str, shape: str, background: str, size: str, template: int) -> str:
    size_word = size if template != 2 else {"large": "big", "small": "tiny"}[size]
    if template == 0:
        return f"a {colour} {shape} on a {background} background"
    if template == 3:
        return f"a picture of a {size_word} {colour} {shape} on a {background} background"
    return f"a {size_word} {colour} {shape} on a {background} background"


N_TEMPLATES = 4


def _coverage(sd: torch.Tensor) -> torch.Tensor:
    """Anti-aliased coverage from a signed distance in pixels (negative inside)."""
    return (0.5 - sd).clamp(0.0, 1.0)


def render(shape_idx: torch.Tensor, colour_idx: torch.Tensor, bg_idx: torch.Tensor,
           half: torch.Tensor, cx: torch.Tensor, cy: torch.Tensor) -> torch.Tensor:
    """Render a batch of images, returned as float32 [-1, 1] NCHW."""
    n = shape_idx.shape[0]
    palette = torch.tensor([PALETTE[c] for c in COLOURS], dtype=torch.float32) / 127.5 - 1.0
    coords = torch.arange(IMAGE_SIZE, dtype=torch.float32) + 0.5
    y = coords.view(1, IMAGE_SIZE, 1)
    x = coords.view(1, 1, IMAGE_SIZE)
    dx = x - cx.view(n, 1, 1)
    dy = y - cy.view(n, 1, 1)
    h = half.view(n, 1, 1)
    sd_circle = torch.sqrt(dx * dx + dy * dy) - h
    sd_square = torch.maximum(dx.abs(), dy.abs()) - h * 0.9
    # Upright equilateral triangle with circumradius ~1.15 h: the max of its three edge half-planes.
    r = h * 1.15
    s3 = math.sqrt(3.0) / 2.0
    e1 = dy - r * 0.5  # bottom edge
    e2 = -s3 * dx - 0.5 * dy - r * 0.5  # left edge
    e3 = s3 * dx - 0.5 * dy - r * 0.5  # right edge
    sd_triangle = torch.maximum(e1, torch.maximum(e2, e3)) + r * 0.25
    sd = torch.stack([sd_circle, sd_square, sd_triangle], 1)[torch.arange(n), shape_idx]
    cov = _coverage(sd).unsqueeze(1)
    fg = palette[colour_idx].view(n, 3, 1, 1)
    bg = palette[bg_idx].view(n, 3, 1, 1)
    return bg + (fg - bg) * cov


def sample_batch(n: int, combos, generator: torch.Generator):
    """Random images and captions drawn from the given (colour, shape, background) combinations."""
    pick = torch.randint(len(combos), (n,), generator=generator)
    size_pick = torch.randint(2, (n,), generator=generator)
    template = torch.randint(N_TEMPLATES, (n,), generator=generator)
    u = torch.rand(n, 3, generator=generator)
    size_names = list(SIZES)
    half = torch.empty(n)
    shape_idx = torch.empty(n, dtype=torch.long)
    colour_idx = torch.empty(n, dtype=torch.long)
    bg_idx = torch.empty(n, dtype=torch.long)
    captions = []
    for i in range(n):
        colour, shape, bgc = combos[int(pick[i])]
        size = size_names[int(size_pick[i])]
        lo, hi = SIZES[size]
        half[i] = lo + (hi - lo) * u[i, 0]
        shape_idx[i] = SHAPES.index(shape)
        colour_idx[i] = COLOURS.index(colour)
        bg_idx[i] = COLOURS.index(bgc)
        captions.append(caption(colour, shape, bgc, size, int(template[i])))
    # Keep the whole shape inside the frame with a margin, jittered around the centre.
    margin = half * 1.2 + 2.0
    span = (IMAGE_SIZE - 2 * margin).clamp(min=0.0)
    cx = margin + span * u[:, 1]
    cy = margin + span * u[:, 2]
    return render(shape_idx, colour_idx, bg_idx, half, cx, cy), captions
