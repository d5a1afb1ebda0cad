"""Train the embedded default model, stage by stage, resumable from checkpoints.

    /usr/bin/python3 -u train.py vae          # the autoencoder (64x64x3 <-> 8x8x4)
    /usr/bin/python3 -u train.py decoder      # sharpen the decoder, encoder frozen (any time after vae)
    /usr/bin/python3 -u train.py latents      # encode the training set once, fit the preview factors
    /usr/bin/python3 -u train.py diffusion    # text encoder + UNet, epsilon prediction, resumable
    /usr/bin/python3 -u train.py eval         # held-out captions, judged by a colour and shape checker
    /usr/bin/python3 -u train.py export       # ONNX in the diffusers layout -> resources/models/

Every stage reads and writes `training/work/` (ignored by git; STUDIO_TRAIN_WORK moves it); `--steps N` sets a
stage's length.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn.functional as F

import bpe
import shapes
from models import VAE, TextEncoder, UNet

torch.set_num_threads(int(os.environ.get("STUDIO_TRAIN_THREADS", "2")))
HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.environ.get("STUDIO_TRAIN_WORK", os.path.join(HERE, "work"))
MAX_LENGTH = 32
NUM_TRAIN_TIMESTEPS = 1000
BETA_START, BETA_END = 0.00085, 0.012


def work(name: str) -> str:
    os.makedirs(WORK, exist_ok=True)
    return os.path.join(WORK, name)


def save_atomic(obj, path: str):
    torch.save(obj, path + ".tmp")
    os.replace(path + ".tmp", path)


def alphas_cumprod() -> torch.Tensor:
    """diffusers' scaled_linear schedule, as in Stable Diffusion."""
    betas = torch.linspace(BETA_START ** 0.5, BETA_END ** 0.5, NUM_TRAIN_TIMESTEPS, dtype=torch.float64) ** 2
    return torch.cumprod(1.0 - betas, 0).float()


def reconstruction_loss(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """L1 + MSE on pixels, plus L1 on the image gradients: flat colours with sharp edges."""
    edges = (torch.diff(y, dim=-1) - torch.diff(x, dim=-1)).abs().mean() + \
        (torch.diff(y, dim=-2) - torch.diff(x, dim=-2)).abs().mean()
    return (y - x).abs().mean() + F.mse_loss(y, x) + edges


def tokenizer() -> bpe.Tokenizer:
    merges = bpe.train_merges(shapes.WORDS)
    return bpe.Tokenizer(bpe.build_vocab(merges), merges, MAX_LENGTH)


# --------------------------------------------------------------------------------------------------- stages
def train_vae(steps: int):
    gen = torch.Generator().manual_seed(1)
    vae = VAE()
    opt = torch.optim.AdamW(vae.parameters(), lr=2e-3, weight_decay=0.0)
    start = 0
    if os.path.exists(work("vae.pt")):
        ck = torch.load(work("vae.pt"))
        vae.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        start = ck["step"]
    t0 = time.time()
    for step in range(start, steps):
        lr = 2e-3 * min(1.0, (step + 1) / 200) * (0.5 * (1 + math.cos(math.pi * step / steps)) * 0.9 + 0.1)
        for g in opt.param_groups:
            g["lr"] = lr
        x, _ = shapes.sample_batch(32, shapes.TRAIN_COMBOS, gen)
        mean, logvar = vae.encode(x)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        y = vae.decoder(z)
        rec = reconstruction_loss(y, x)
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).mean()
        loss = rec + 1e-4 * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        if (step + 1) % 50 == 0:
            print(f"vae {step + 1}/{steps} rec {rec.item():.4f} kl {kl.item():.2f} "
                  f"{(time.time() - t0) / (step + 1 - start):.2f}s/step", flush=True)
        if (step + 1) % 250 == 0 or step + 1 == steps:
            save_atomic({"model": vae.state_dict(), "opt": opt.state_dict(), "step": step + 1}, work("vae.pt"))


def finetune_decoder(steps: int):
    """Sharpens the decoder with the encoder frozen: the latent space, and so the diffusion model trained on
    it, stays valid (what Stable Diffusion's ft-MSE decoder did). Saves decoder.pt beside vae.pt."""
    gen = torch.Generator().manual_seed(4)
    vae = VAE()
    vae.load_state_dict(torch.load(work("vae.pt"))["model"])
    vae.encoder.requires_grad_(False)
    opt = torch.optim.AdamW(vae.decoder.parameters(), lr=1e-3, weight_decay=0.0)
    start = 0
    if os.path.exists(work("decoder.pt")):
        ck = torch.load(work("decoder.pt"))
        vae.decoder.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        start = ck["step"]
    t0 = time.time()
    for step in range(start, steps):
        for g in opt.param_groups:
            g["lr"] = 1e-3 * (0.5 * (1 + math.cos(math.pi * step / steps)) * 0.95 + 0.05)
        x, _ = shapes.sample_batch(32, shapes.TRAIN_COMBOS, gen)
        with torch.no_grad():
            mean, logvar = vae.encode(x)
            z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        y = vae.decoder(z)
        loss = reconstruction_loss(y, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if (step + 1) % 50 == 0:
            print(f"decoder {step + 1}/{steps} rec {loss.item():.4f} "
                  f"{(time.time() - t0) / (step + 1 - start):.2f}s/step", flush=True)
        if (step + 1) % 250 == 0 or step + 1 == steps:
            save_atomic({"model": vae.decoder.state_dict(), "opt": opt.state_dict(), "step": step + 1}, work("decoder.pt"))


@torch.no_grad()
def encode_latents(count: int):
    vae = VAE()
    vae.load_state_dict(torch.load(work("vae.pt"))["model"])
    vae.eval()
    gen = torch.Generator().manual_seed(2)
    tok = tokenizer()
    latents, ids, pooled_rgb = [], [], []
    for _ in range(count // 500):
        x, caps = shapes.sample_batch(500, shapes.TRAIN_COMBOS, gen)
        mean, _ = vae.encode(x)
        latents.append(mean)
        ids.append(torch.tensor([tok(c) for c in caps], dtype=torch.int32))
        pooled_rgb.append(F.avg_pool2d(x, 8))
    latents = torch.cat(latents)
    scaling = float(1.0 / latents.std())
    z = (latents * scaling).permute(0, 2, 3, 1).reshape(-1, 4)
    rgb = torch.cat(pooled_rgb).permute(0, 2, 3, 1).reshape(-1, 3)
    # The linear latent -> RGB approximation for live previews (on scaled latents, RGB in [-1, 1]).
    design = torch.cat([z, torch.ones(z.shape[0], 1)], 1)
    solution = torch.linalg.lstsq(design, rgb).solution
    err = (design @ solution - rgb).abs().mean().item()
    print(f"latents {tuple(latents.shape)} scaling_factor {scaling:.5f} preview fit mean abs err {err:.3f}")
    save_atomic({"latents": latents, "ids": torch.cat(ids), "scaling_factor": scaling,
                 "rgb_factors": solution[:4].tolist(), "rgb_bias": solution[4].tolist()}, work("latents.pt"))


def train_diffusion(steps: int, batch: int):
    data = torch.load(work("latents.pt"))
    latents = data["latents"] * data["scaling_factor"]
    ids = data["ids"]
    tok = tokenizer()
    empty = torch.tensor(tok(""), dtype=torch.int32)
    text = TextEncoder(len(tok.vocab), MAX_LENGTH)
    unet = UNet()
    params = list(text.parameters()) + list(unet.parameters())
    opt = torch.optim.AdamW(params, lr=5e-4, weight_decay=1e-4)
    ema = [p.detach().clone() for p in params]
    start = 0
    if os.path.exists(work("diffusion.pt")):
        ck = torch.load(work("diffusion.pt"))
        text.load_state_dict(ck["text"])
        unet.load_state_dict(ck["unet"])
        opt.load_state_dict(ck["opt"])
        ema = ck["ema"]
        start = ck["step"]
    ac = alphas_cumprod()
    snr = ac / (1 - ac)
    weight = torch.clamp(snr, max=5.0) / snr  # min-SNR-5 weighting for epsilon prediction
    gen = torch.Generator().manual_seed(3 + start)
    t0 = time.time()
    running = None
    for step in range(start, steps):
        lr = 5e-4 * min(1.0, (step + 1) / 500)
        for g in opt.param_groups:
            g["lr"] = lr
        idx = torch.randint(latents.shape[0], (batch,), generator=gen)
        x0 = latents[idx]
        cap = ids[idx].clone()
        drop = torch.rand(batch, generator=gen) < 0.1
        cap[drop] = empty
        t = torch.randint(NUM_TRAIN_TIMESTEPS, (batch,), generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        a = ac[t].view(-1, 1, 1, 1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        hidden, _ = text(cap)
        pred = unet(xt, t, hidden)
        loss = (weight[t] * ((pred - noise) ** 2).mean(dim=(1, 2, 3))).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(0.999, (1 + step) / (10 + step))
        with torch.no_grad():
            for e, p in zip(ema, params):
                e.mul_(decay).add_(p.detach(), alpha=1 - decay)
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if (step + 1) % 50 == 0:
            print(f"diffusion {step + 1}/{steps} loss {running:.4f} "
                  f"{(time.time() - t0) / (step + 1 - start):.2f}s/step", flush=True)
        if (step + 1) % 500 == 0 or step + 1 == steps:
            save_atomic({"text": text.state_dict(), "unet": unet.state_dict(), "opt": opt.state_dict(),
                         "ema": ema, "step": step + 1}, work("diffusion.pt"))


def load_ema():
    """The text encoder and UNet with their EMA weights, plus the VAE and the latent statistics."""
    tok = tokenizer()
    text = TextEncoder(len(tok.vocab), MAX_LENGTH)
    unet = UNet()
    ck = torch.load(work("diffusion.pt"))
    text.load_state_dict(ck["text"])
    unet.load_state_dict(ck["unet"])
    with torch.no_grad():
        for p, e in zip(list(text.parameters()) + list(unet.parameters()), ck["ema"]):
            p.copy_(e)
    vae = VAE()
    vae.load_state_dict(torch.load(work("vae.pt"))["model"])
    if os.path.exists(work("decoder.pt")):
        vae.decoder.load_state_dict(torch.load(work("decoder.pt"))["model"])
    data = torch.load(work("latents.pt"))
    for m in (text, unet, vae):
        m.eval()
    return tok, text, unet, vae, data, ck["step"]


@torch.no_grad()
def sample(tok, text, unet, vae, scaling, captions, seeds, steps=20, guidance=7.0):
    """The reference sampling loop: Euler (diffusers' EulerDiscreteScheduler, leading spacing, offset 1).

    Initial noise: torch.randn of [1, 4, 8, 8] from a CPU generator seeded per image, as the studio does.
    """
    ac = alphas_cumprod()
    step_ratio = NUM_TRAIN_TIMESTEPS // steps
    timesteps = (torch.arange(steps) * step_ratio).flip(0) + 1
    sigmas_all = ((1 - ac) / ac).sqrt()
    sigmas = torch.cat([sigmas_all[timesteps], torch.zeros(1)])
    cond = torch.tensor([tok(c) for c in captions], dtype=torch.int32)
    uncond = torch.tensor([tok("")] * len(captions), dtype=torch.int32)
    hidden = torch.cat([text(uncond)[0], text(cond)[0]])
    x = torch.cat([torch.randn((1, 4, 8, 8), generator=torch.Generator().manual_seed(s)) for s in seeds])
    x = x * (sigmas[0] ** 2 + 1).sqrt()
    for i, t in enumerate(timesteps):
        scaled = x / (sigmas[i] ** 2 + 1).sqrt()
        eps = unet(torch.cat([scaled, scaled]), torch.full((2 * len(captions),), int(t)), hidden)
        e_u, e_c = eps.chunk(2)
        eps = e_u + guidance * (e_c - e_u)
        x = x + eps * (sigmas[i + 1] - sigmas[i])
    images = vae.decoder(x / scaling)
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def check(image: torch.Tensor):
    """A quick Python version of the project's checker (test/support/shape-checker.ts), for monitoring."""
    palette = torch.tensor([shapes.PALETTE[c] for c in shapes.COLOURS], dtype=torch.float32)
    px = image.float().permute(1, 2, 0)
    border = torch.cat([px[:2].reshape(-1, 3), px[-2:].reshape(-1, 3), px[:, :2].reshape(-1, 3),
                        px[:, -2:].reshape(-1, 3)])
    bg = border.median(0).values
    bg_name = shapes.COLOURS[int(((palette - bg) ** 2).sum(1).argmin())]
    mask = ((px - bg) ** 2).sum(-1).sqrt() > 80
    if mask.sum() < 20:
        return bg_name, None, None
    fg = px[mask].median(0).values
    fg_name = shapes.COLOURS[int(((palette - fg) ** 2).sum(1).argmin())]
    ys, xs = mask.nonzero(as_tuple=True)
    box = (ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1)
    fill = mask.sum().item() / box.item()
    shape = "square" if fill > 0.88 else "circle" if fill > 0.64 else "triangle"
    return bg_name, fg_name, shape


def evaluate():
    tok, text, unet, vae, data, step = load_ema()
    combos = shapes.HELD_OUT
    captions = [shapes.caption(c, s, b, "large", 1) for c, s, b in combos]
    seeds = [1, 2, 3, 4]
    hits = {"bg": 0, "fg": 0, "shape": 0}
    n = 0
    for seed in seeds:
        images = sample(tok, text, unet, vae, data["scaling_factor"], captions, [seed] * len(captions))
        for (c, s, b), img in zip(combos, images):
            got = check(img)
            hits["bg"] += got[0] == b
            hits["fg"] += got[1] == c
            hits["shape"] += got[2] == s
            n += 1
    print(f"eval at step {step}: " + " ".join(f"{k} {v / n:.0%}" for k, v in hits.items()), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=["vae", "decoder", "latents", "diffusion", "eval", "export"])
    parser.add_argument("--steps", type=int)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--out", default=os.path.join(HERE, "..", "resources", "models", "studio-shapes"))
    args = parser.parse_args()
    if args.stage == "vae":
        train_vae(args.steps or 4500)
    elif args.stage == "decoder":
        finetune_decoder(args.steps or 3000)
    elif args.stage == "latents":
        encode_latents(args.steps or 20000)
    elif args.stage == "diffusion":
        train_diffusion(args.steps or 12000, args.batch)
    elif args.stage == "eval":
        evaluate()
    else:
        import export
        export.export_all(load_ema(), os.path.abspath(args.out))


if __name__ == "__main__":
    main()
