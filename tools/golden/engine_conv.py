"""Golden fixtures for src/engine/conv.ts and src/engine/init.ts (PyTorch 1.13 reference).

Run by hand with Debian's PyTorch:  /usr/bin/python3 tools/golden/engine_conv.py
Writes test/engine/fixtures/conv.json and test/engine/fixtures/init.json.

conv.json: for each case, torch.nn.functional.conv2d / conv_transpose2d evaluated in float64
on float32-representable inputs, with gradients of L = sum(y * r) wrt input and weight.
Activations are stored NHWC (the project's layout), weights in PyTorch layout; all values
rounded to float32.

init.json: empirical min/max/mean/std of PyTorch-default-initialised weights and biases of
large nn.Linear, nn.Conv2d and nn.ConvTranspose2d layers, plus the bound 1/sqrt(fan_in) that
torch.nn.init computes (for ConvTranspose2d torch takes fan_in from weight.shape[1], i.e. the
OUTPUT channels).
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "engine", "fixtures")
torch.manual_seed(20240601)


def f32(t):
    """float32-representable float64 tensor."""
    return t.float().double()


def flat(t):
    """Values rounded to float32, written with the 9 significant digits that round-trip."""
    return [float(f"{v:.9g}") for v in t.detach().float().reshape(-1).tolist()]


def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous()


# (name, kind, batch, in_ch, H, W, out_ch, (kh, kw), stride, padding, output_padding)
CASES = [
    ("conv_k4s2p1", "conv", 2, 3, 8, 8, 4, (4, 4), 2, 1, 0),
    ("conv_k3s1p1", "conv", 2, 3, 5, 5, 2, (3, 3), 1, 1, 0),
    ("conv_k1s1p0", "conv", 1, 3, 4, 4, 5, (1, 1), 1, 0, 0),
    ("conv_k4s2p1_c2", "conv", 1, 2, 8, 8, 2, (4, 4), 2, 1, 0),
    ("conv_k4s2p1_odd", "conv", 2, 2, 7, 5, 3, (4, 4), 2, 1, 0),
    ("conv_k3s2p0_odd", "conv", 1, 2, 7, 6, 3, (3, 3), 2, 0, 0),
    ("conv_k5s3p2", "conv", 2, 2, 8, 9, 2, (5, 5), 3, 2, 0),
    ("conv_k1s2p0", "conv", 1, 3, 5, 5, 2, (1, 1), 2, 0, 0),
    ("conv_k3x2s1p0_rect", "conv", 1, 2, 5, 4, 3, (3, 2), 1, 0, 0),
    # A single input channel (a grayscale image) runs without channel padding in conv.ts.
    ("conv_k4s2p1_c1", "conv", 2, 1, 8, 8, 3, (4, 4), 2, 1, 0),
    ("conv_k4s2p1_c1_odd", "conv", 1, 1, 7, 9, 2, (4, 4), 2, 1, 0),
    ("convT_k4s2p1", "convT", 2, 3, 4, 4, 2, (4, 4), 2, 1, 0),
    ("convT_k3s1p1", "convT", 2, 3, 5, 5, 2, (3, 3), 1, 1, 0),
    ("convT_k1s1p0", "convT", 1, 3, 4, 4, 5, (1, 1), 1, 0, 0),
    ("convT_k4s2p1_op1_odd", "convT", 2, 2, 3, 5, 3, (4, 4), 2, 1, 1),
    ("convT_k3s2p1_op1", "convT", 1, 2, 4, 3, 3, (3, 3), 2, 1, 1),
    ("convT_k5s3p2_op2", "convT", 2, 2, 3, 4, 2, (5, 5), 3, 2, 2),
    ("convT_k2s2p0", "convT", 1, 3, 3, 3, 2, (2, 2), 2, 0, 0),
    ("convT_k4s2p0_op1", "convT", 1, 2, 3, 3, 2, (4, 4), 2, 0, 1),
    # Narrow outputs (stride² x out_ch < in_ch) take conv.ts's output-side decomposition.
    ("convT_k4s2p1_narrow", "convT", 2, 6, 4, 4, 1, (4, 4), 2, 1, 0),
    ("convT_k4s2p1_op1_narrow_odd", "convT", 1, 9, 3, 5, 2, (4, 4), 2, 1, 1),
    ("convT_k5s3p2_op2_narrow", "convT", 1, 10, 3, 2, 1, (5, 5), 3, 2, 2),
    ("convT_k3x2s1p0_narrow_rect", "convT", 1, 3, 4, 3, 2, (3, 2), 1, 0, 0),
]


def conv_cases():
    out = []
    for name, kind, b, c, h, w, o, (kh, kw), s, p, op in CASES:
        x = f32(torch.randn(b, c, h, w, dtype=torch.float64)).requires_grad_(True)
        wshape = (o, c, kh, kw) if kind == "conv" else (c, o, kh, kw)
        wt = f32(torch.randn(*wshape, dtype=torch.float64)).requires_grad_(True)
        if kind == "conv":
            y = F.conv2d(x, wt, stride=s, padding=p)
        else:
            y = F.conv_transpose2d(x, wt, stride=s, padding=p, output_padding=op)
        r = f32(torch.randn_like(y))
        (y * r).sum().backward()
        out.append({
            "name": name, "kind": kind, "stride": s, "padding": p, "outputPadding": op,
            "xShape": list(nhwc(x).shape), "wShape": list(wt.shape), "yShape": list(nhwc(y).shape),
            "x": flat(nhwc(x)), "w": flat(wt), "r": flat(nhwc(r)), "y": flat(nhwc(y)),
            "gx": flat(nhwc(x.grad)), "gw": flat(wt.grad),
        })
    return out


def stats(t):
    t = t.detach().double().reshape(-1)
    return {"n": t.numel(), "min": t.min().item(), "max": t.max().item(),
            "mean": t.mean().item(), "std": t.std(unbiased=False).item()}


def init_cases():
    torch.manual_seed(20240602)  # its own stream: adding conv cases leaves these draws alone
    layers = [
        ("dense", {"inFeatures": 256, "outFeatures": 2048}, torch.nn.Linear(256, 2048)),
        ("conv2d", {"inChannels": 32, "outChannels": 64, "kernel": 4}, torch.nn.Conv2d(32, 64, 4)),
        ("convTranspose2d", {"inChannels": 16, "outChannels": 64, "kernel": 4},
         torch.nn.ConvTranspose2d(16, 64, 4)),
    ]
    out = []
    for kind, args, layer in layers:
        fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(layer.weight)
        out.append({"kind": kind, "args": args, "weightShape": list(layer.weight.shape),
                    "bound": 1 / math.sqrt(fan_in), "weight": stats(layer.weight),
                    "bias": stats(layer.bias)})
    return out


def dump(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as fh:
        json.dump(obj, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    assert torch.__version__.startswith("1.13"), torch.__version__
    dump("conv.json", {"generator": "tools/golden/engine_conv.py", "torch": torch.__version__,
                       "cases": conv_cases()})
    dump("init.json", {"generator": "tools/golden/engine_conv.py", "torch": torch.__version__,
                       "layers": init_cases()})
