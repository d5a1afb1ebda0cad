"""The PyTorch side of `npm run bench:engine`: the training code's sampling loop on the weights of an exported
model folder (read back from its ONNX initializers), timed with the thread count the studio uses.

    /usr/bin/python3 bench_torch.py <model folder> --steps 20 --threads 2 --runs 5 --prompt "..."

Prints one JSON line: {"runs_ms": [...], "steps": n, "threads": n}.
"""
import argparse
import json
import os
import time

import onnx
import onnx.numpy_helper
import torch

import bpe
from models import VAE, TextEncoder, UNet
from train import sample


def load_from_onnx(module: torch.nn.Module, path: str):
    """Copies every parameter and buffer from the graph's initializers (exported under their PyTorch names)."""
    graph = onnx.load(path).graph
    weights = {i.name: torch.from_numpy(onnx.numpy_helper.to_array(i).copy()) for i in graph.initializer}
    # export.py wraps the text encoder (TextEncoderExport.text), which prefixes its parameter names.
    weights.update({k[len("text."):]: v for k, v in weights.items() if k.startswith("text.")})
    state = module.state_dict()
    missing = [k for k in state if k not in weights]
    if missing:
        raise SystemExit(f"{path}: initializers missing for {missing[:5]}")
    module.load_state_dict({k: weights[k] for k in state})
    module.eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--guidance", type=float, default=7.0)
    parser.add_argument("--prompt", default="a large red circle on a blue background")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    folder = args.model
    tok = bpe.Tokenizer.from_folder(os.path.join(folder, "tokenizer"))
    text = TextEncoder(len(tok.vocab), tok.max_length)
    load_from_onnx(text, os.path.join(folder, "text_encoder", "model.onnx"))
    unet = UNet()
    load_from_onnx(unet, os.path.join(folder, "unet", "model.onnx"))
    vae = VAE()
    load_from_onnx(vae.decoder, os.path.join(folder, "vae_decoder", "model.onnx"))
    with open(os.path.join(folder, "vae_decoder", "config.json"), encoding="utf-8") as f:
        scaling = json.load(f)["scaling_factor"]
    runs = []
    for i in range(args.runs + 1):
        start = time.perf_counter()
        sample(tok, text, unet, vae, scaling, [args.prompt], [42], steps=args.steps, guidance=args.guidance)
        if i > 0:  # the first run warms up
            runs.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"runs_ms": runs, "steps": args.steps, "threads": args.threads}))


if __name__ == "__main__":
    main()
