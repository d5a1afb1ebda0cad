"""The three networks of the embedded model, small enough to train on two CPU cores.

Attention is written as plain matmul + softmax so that it exports cleanly to ONNX (opset 14).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def group_norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(min(8, channels), channels, eps=1e-5)


class ResBlock(nn.Module):
    def __init__(self, cin: int, cout: int, temb: int = 0):
        super().__init__()
        self.norm1 = group_norm(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(temb, cout) if temb else None
        self.norm2 = group_norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, emb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.temb is not None:
            h = h + self.temb(F.silu(emb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


# ---------------------------------------------------------------------------------------------------- VAE
class Encoder(nn.Module):
    """64x64x3 -> 8x8x(2*latent): three stride-2 stages, like AutoencoderKL with four blocks."""

    def __init__(self, channels=(16, 32, 48, 64), latent=4):
        super().__init__()
        self.conv_in = nn.Conv2d(3, channels[0], 3, padding=1)
        blocks = []
        for i in range(len(channels)):
            cin = channels[max(i - 1, 0)]
            blocks.append(ResBlock(cin, channels[i]))
            if i < len(channels) - 1:
                blocks.append(nn.Conv2d(channels[i], channels[i], 3, stride=2, padding=1))
        self.blocks = nn.Sequential(*blocks)
        self.mid = ResBlock(channels[-1], channels[-1])
        self.norm = group_norm(channels[-1])
        self.conv_out = nn.Conv2d(channels[-1], 2 * latent, 3, padding=1)

    def forward(self, x):
        h = self.mid(self.blocks(self.conv_in(x)))
        return self.conv_out(F.silu(self.norm(h)))


class Decoder(nn.Module):
    def __init__(self, channels=(16, 32, 48, 64), latent=4):
        super().__init__()
        rev = list(reversed(channels))
        self.conv_in = nn.Conv2d(latent, rev[0], 3, padding=1)
        self.mid = ResBlock(rev[0], rev[0])
        blocks = []
        for i in range(len(rev)):
            cin = rev[max(i - 1, 0)]
            blocks.append(ResBlock(cin, rev[i]))
            if i < len(rev) - 1:
                blocks.append(nn.Upsample(scale_factor=2.0, mode="nearest"))
                blocks.append(nn.Conv2d(rev[i], rev[i], 3, padding=1))
        self.blocks = nn.Sequential(*blocks)
        self.norm = group_norm(rev[-1])
        self.conv_out = nn.Conv2d(rev[-1], 3, 3, padding=1)

    def forward(self, z):
        h = self.blocks(self.mid(self.conv_in(z)))
        return self.conv_out(F.silu(self.norm(h)))


class VAE(nn.Module):
    def __init__(self, channels=(16, 32, 48, 64), latent=4):
        super().__init__()
        self.encoder = Encoder(channels, latent)
        self.decoder = Decoder(channels, latent)

    def encode(self, x):
        mean, logvar = self.encoder(x).chunk(2, dim=1)
        return mean, logvar.clamp(-30.0, 20.0)


# ----------------------------------------------------------------------------------------------- attention
class Attention(nn.Module):
    def __init__(self, dim: int, context_dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context, mask=None):
        b, n, d = x.shape
        m = context.shape[1]
        hd = d // self.heads
        q = self.to_q(x).view(b, n, self.heads, hd).transpose(1, 2)
        k = self.to_k(context).view(b, m, self.heads, hd).transpose(1, 2)
        v = self.to_v(context).view(b, m, self.heads, hd).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(hd))
        if mask is not None:
            scores = scores + mask
        out = torch.matmul(torch.softmax(scores, dim=-1), v)
        return self.to_out(out.transpose(1, 2).reshape(b, n, d))


# -------------------------------------------------------------------------------------------- text encoder
class TextEncoder(nn.Module):
    """A CLIP-style causal transformer: last_hidden_state and the pooled end-of-text state."""

    def __init__(self, vocab_size: int, max_length: int, dim=64, layers=3, heads=4):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, dim)
        self.position_embedding = nn.Parameter(torch.randn(max_length, dim) * 0.01)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict({
                "ln1": nn.LayerNorm(dim), "attn": Attention(dim, dim, heads),
                "ln2": nn.LayerNorm(dim), "fc1": nn.Linear(dim, dim * 4), "fc2": nn.Linear(dim * 4, dim),
            }))
        self.final_ln = nn.LayerNorm(dim)
        causal = torch.full((max_length, max_length), float("-inf")).triu(1)
        self.register_buffer("causal", causal, persistent=False)

    def forward(self, input_ids):
        ids = input_ids.long()
        h = self.token_embedding(ids) + self.position_embedding[: ids.shape[1]]
        mask = self.causal[: ids.shape[1], : ids.shape[1]]
        for layer in self.layers:
            x = layer["ln1"](h)
            h = h + layer["attn"](x, x, mask)
            h = h + layer["fc2"](F.gelu(layer["fc1"](layer["ln2"](h))))
        h = self.final_ln(h)
        # CLIP pools at the end-of-text token, which has the highest id in the vocabulary.
        pooled = h[torch.arange(h.shape[0]), ids.argmax(dim=-1)]
        return h, pooled


# ---------------------------------------------------------------------------------------------------- UNet
def timestep_embedding(t, dim: int):
    """diffusers' get_timestep_embedding with flip_sin_to_cos=True, downscale_freq_shift=0."""
    half = dim // 2
    exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half
    args = t.float()[:, None] * torch.exp(exponent)[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class Transformer(nn.Module):
    """Self-attention, cross-attention to the text, and a feed-forward written as 1x1 convolutions (which
    run about twice as fast as Linear on two CPU cores at these sizes)."""

    def __init__(self, channels: int, context_dim: int, heads: int):
        super().__init__()
        self.norm = group_norm(channels)
        self.proj_in = nn.Conv2d(channels, channels, 1)
        self.ln1 = nn.LayerNorm(channels)
        self.self_attn = Attention(channels, channels, heads)
        self.ln2 = nn.LayerNorm(channels)
        self.cross_attn = Attention(channels, context_dim, heads)
        self.norm_ff = group_norm(channels)
        self.ff1 = nn.Conv2d(channels, channels * 2, 1)
        self.ff2 = nn.Conv2d(channels * 2, channels, 1)
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x, context):
        b, c, hh, ww = x.shape
        h = self.proj_in(self.norm(x))
        t = h.view(b, c, hh * ww).transpose(1, 2)
        q = self.ln1(t)
        t = t + self.self_attn(q, q)
        t = t + self.cross_attn(self.ln2(t), context)
        h = t.transpose(1, 2).reshape(b, c, hh, ww)
        h = h + self.ff2(F.gelu(self.ff1(self.norm_ff(h))))
        return x + self.proj_out(h)


class UNet(nn.Module):
    """8x8 latents -> 4x4 -> 8x8, cross-attention to the text at both levels.

    The mean of the text states (every padding position has seen the whole caption through the causal mask)
    is also added to the timestep embedding: a global text signal that makes colours reliable early.
    """

    def __init__(self, latent=4, context_dim=64, ch=(64, 128), heads=4, temb=128):
        super().__init__()
        self.temb_dim = temb
        self.time_mlp = nn.Sequential(nn.Linear(128, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.text_mlp = nn.Sequential(nn.Linear(context_dim, temb), nn.SiLU(), nn.Linear(temb, temb))
        c0, c1 = ch
        self.conv_in = nn.Conv2d(latent, c0, 3, padding=1)
        self.down0 = ResBlock(c0, c0, temb)
        self.downsample = nn.Conv2d(c0, c0, 3, stride=2, padding=1)
        self.down1 = ResBlock(c0, c1, temb)
        self.attn_d1 = Transformer(c1, context_dim, heads)
        self.mid1 = ResBlock(c1, c1, temb)
        self.attn_mid = Transformer(c1, context_dim, heads)
        self.mid2 = ResBlock(c1, c1, temb)
        self.up1 = ResBlock(c1 + c1, c1, temb)
        self.attn_u1 = Transformer(c1, context_dim, heads)
        self.upsample = nn.Sequential(nn.Upsample(scale_factor=2.0, mode="nearest"), nn.Conv2d(c1, c1, 3, padding=1))
        self.up0 = ResBlock(c1 + c0, c0, temb)
        self.attn_u0 = Transformer(c0, context_dim, heads)
        self.up0b = ResBlock(c0 + c0, c0, temb)
        self.norm_out = group_norm(c0)
        self.conv_out = nn.Conv2d(c0, latent, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, sample, timestep, encoder_hidden_states):
        emb = self.time_mlp(timestep_embedding(timestep, 128))
        emb = emb + self.text_mlp(encoder_hidden_states.mean(dim=1))
        ctx = encoder_hidden_states
        h0 = self.conv_in(sample)
        h1 = self.down0(h0, emb)
        h2 = self.attn_d1(self.down1(self.downsample(h1), emb), ctx)
        m = self.mid2(self.attn_mid(self.mid1(h2, emb), ctx), emb)
        u = self.attn_u1(self.up1(torch.cat([m, h2], 1), emb), ctx)
        u = self.upsample(u)
        u = self.attn_u0(self.up0(torch.cat([u, h1], 1), emb), ctx)
        u = self.up0b(torch.cat([u, h0], 1), emb)
        return self.conv_out(F.silu(self.norm_out(u)))
