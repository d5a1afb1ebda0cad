"""Export the trained model to ONNX in the diffusers layout, with its configs and tokenizer files.

Input and output names follow what Optimum exports for Stable Diffusion, so the studio loads this folder
exactly like any other diffusers ONNX model.
"""
import hashlib
import json
import os
import shutil
import subprocess

import torch

import bpe
import shapes

OPSET = 14
HERE = os.path.dirname(os.path.abspath(__file__))


def write_json(path: str, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


class TextEncoderExport(torch.nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, input_ids):
        return self.text(input_ids)


class VaeEncoderExport(torch.nn.Module):
    """The posterior mean, unscaled: deterministic, as an img2img pipeline wants it."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, sample):
        return self.vae.encode(sample)[0]


def export_all(loaded, out_dir: str):
    tok, text, unet, vae, data, step = loaded
    tmp = out_dir + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    max_length = tok.max_length
    ids = torch.tensor([tok("a large red circle on a blue background"), tok("")], dtype=torch.int32)
    hidden = text(ids)[0].detach()
    latent = torch.randn(2, 4, 8, 8)
    timestep = torch.tensor([999, 1], dtype=torch.int64)
    image = torch.rand(2, 3, 64, 64) * 2 - 1

    def onnx(module, args, path, inputs, outputs, axes):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # No constant folding: initializers keep their PyTorch names, so bench_torch.py can load the same
        # weights back; onnxruntime folds the constants itself when it opens the session.
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=False)

    with torch.no_grad():
        onnx(TextEncoderExport(text), (ids,), f"{tmp}/text_encoder/model.onnx", ["input_ids"],
             ["last_hidden_state", "pooler_output"],
             {"input_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"},
              "pooler_output": {0: "batch"}})
        onnx(unet, (latent, timestep, hidden), f"{tmp}/unet/model.onnx",
             ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
             {"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "batch"},
              "encoder_hidden_states": {0: "batch", 1: "sequence"},
              "out_sample": {0: "batch", 2: "height", 3: "width"}})
        onnx(vae.decoder, (latent,), f"{tmp}/vae_decoder/model.onnx", ["latent_sample"], ["sample"],
             {"latent_sample": {0: "batch", 2: "height", 3: "width"}, "sample": {0: "batch", 2: "height", 3: "width"}})
        onnx(VaeEncoderExport(vae), (image,), f"{tmp}/vae_encoder/model.onnx", ["sample"], ["latent_sample"],
             {"sample": {0: "batch", 2: "height", 3: "width"}, "latent_sample": {0: "batch", 2: "height", 3: "width"}})

    dim = text.final_ln.normalized_shape[0]
    write_json(f"{tmp}/text_encoder/config.json", {
        "_class_name": "CLIPTextModel", "architectures": ["CLIPTextModel"], "hidden_size": dim,
        "num_hidden_layers": len(text.layers), "num_attention_heads": 4, "max_position_embeddings": max_length,
        "vocab_size": len(tok.vocab), "hidden_act": "gelu", "bos_token_id": tok.vocab[bpe.SOT],
        "eos_token_id": tok.vocab[bpe.EOT]})
    write_json(f"{tmp}/unet/config.json", {
        "_class_name": "UNet2DConditionModel", "sample_size": 8, "in_channels": 4, "out_channels": 4,
        "cross_attention_dim": dim, "block_out_channels": [64, 128], "attention_head_dim": 4})
    vae_config = {
        "_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 4,
        "block_out_channels": [16, 32, 48, 64], "sample_size": 64,
        "scaling_factor": round(data["scaling_factor"], 6),
        # Not a diffusers key: the linear latent -> RGB approximation for live previews, fitted on the
        # training set (RGB in [-1, 1] from scaled latents). diffusers ignores unknown keys.
        "latent_rgb_factors": [[round(v, 5) for v in row] for row in data["rgb_factors"]],
        "latent_rgb_bias": [round(v, 5) for v in data["rgb_bias"]]}
    write_json(f"{tmp}/vae_decoder/config.json", vae_config)
    write_json(f"{tmp}/vae_encoder/config.json", vae_config)
    write_json(f"{tmp}/scheduler/scheduler_config.json", {
        "_class_name": "EulerAncestralDiscreteScheduler", "num_train_timesteps": 1000,
        "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
        "prediction_type": "epsilon", "timestep_spacing": "leading", "steps_offset": 1,
        "clip_sample": False, "set_alpha_to_one": False})

    os.makedirs(f"{tmp}/tokenizer")
    with open(f"{tmp}/tokenizer/vocab.json", "w", encoding="utf-8") as f:
        json.dump(tok.vocab, f, ensure_ascii=False)
    merges = sorted(tok.ranks, key=tok.ranks.get)
    with open(f"{tmp}/tokenizer/merges.txt", "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    special = {"bos_token": bpe.SOT, "eos_token": bpe.EOT, "unk_token": bpe.EOT, "pad_token": bpe.EOT}
    write_json(f"{tmp}/tokenizer/tokenizer_config.json", {
        "tokenizer_class": "CLIPTokenizer", "model_max_length": max_length, "do_lower_case": True, **special})
    write_json(f"{tmp}/tokenizer/special_tokens_map.json", special)
    write_json(f"{tmp}/model_index.json", {
        "_class_name": "OnnxStableDiffusionPipeline", "_diffusers_version": "0.30.0",
        "feature_extractor": [None, None], "safety_checker": [None, None], "requires_safety_checker": False,
        "scheduler": ["diffusers", "EulerAncestralDiscreteScheduler"], "text_encoder": ["diffusers", "OnnxRuntimeModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "OnnxRuntimeModel"],
        "vae_decoder": ["diffusers", "OnnxRuntimeModel"], "vae_encoder": ["diffusers", "OnnxRuntimeModel"]})
    with open(os.path.join(HERE, "MODEL_README.md"), encoding="utf-8") as f:
        readme = f.read()
    words = ", ".join(f"`{w}`" for w in shapes.WORDS)
    with open(f"{tmp}/README.md", "w", encoding="utf-8") as f:
        f.write(readme.replace("{{WORDS}}", words).replace("{{STEP}}", str(step)))

    write_json(os.path.join(HERE, "..", "test", "fixtures", "embedded-model-eval.json"), {
        "palette": shapes.PALETTE,
        "heldOut": [{"colour": c, "shape": s, "background": b, "caption": shapes.caption(c, s, b, "large", 1),
                     "ids": tok(shapes.caption(c, s, b, "large", 1))} for c, s, b in shapes.HELD_OUT]})

    check_export(tmp, (text, unet, vae), ids, latent, timestep, hidden, image)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out_dir) for f in fs)
    digest = hashlib.sha256(open(f"{out_dir}/unet/model.onnx", "rb").read()).hexdigest()[:10]
    print(f"exported step {step} to {out_dir}: {total / 1e6:.1f} MB, unet sha256 {digest}")


def check_export(folder, modules, ids, latent, timestep, hidden, image):
    """The ONNX graphs must match PyTorch within 1e-4: run them with onnxruntime-node (the runtime the
    studio uses) on the same inputs, through training/check_onnx.mjs."""
    text, unet, vae = modules
    with torch.no_grad():
        cases = [
            ("text_encoder", {"input_ids": ids}, {"last_hidden_state": text(ids)[0], "pooler_output": text(ids)[1]}),
            ("unet", {"sample": latent, "timestep": timestep, "encoder_hidden_states": hidden},
             {"out_sample": unet(latent, timestep, hidden)}),
            ("vae_decoder", {"latent_sample": latent}, {"sample": vae.decoder(latent)}),
            ("vae_encoder", {"sample": image}, {"latent_sample": vae.encode(image)[0]}),
        ]

    def tensor(t):
        dtype = {torch.float32: "float32", torch.int32: "int32", torch.int64: "int64"}[t.dtype]
        return {"dims": list(t.shape), "type": dtype, "data": t.flatten().tolist()}

    payload = [{"model": f"{folder}/{name}/model.onnx", "inputs": {k: tensor(v) for k, v in ins.items()},
                "outputs": {k: tensor(v) for k, v in outs.items()}} for name, ins, outs in cases]
    path = os.path.join(os.environ.get("STUDIO_TRAIN_WORK", os.path.join(HERE, "work")), "export-check.json")
    write_json(path, payload)
    subprocess.run(["node", os.path.join(HERE, "check_onnx.mjs"), path], check=True)
