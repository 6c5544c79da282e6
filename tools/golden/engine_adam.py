"""Golden fixture for src/engine/adam.ts (PyTorch 1.13 reference).

Run by hand with Debian's PyTorch:  /usr/bin/python3 tools/golden/engine_adam.py
Writes test/engine/fixtures/adam.json.

For a small parameter tree (names are dotted tree paths) and three fixed gradient sets, runs
torch.optim.Adam / torch.optim.AdamW in float64 on float32-representable inputs, with
torch.nn.utils.clip_grad_norm_ applied to the raw gradients before each step where a case
asks for clipping (the usual training-loop order). Records parameters and optimizer state
(exp_avg -> m, exp_avg_sq -> v, step) after steps 1 and 3.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "engine", "fixtures")
torch.manual_seed(1234)

SHAPES = {"enc.w": [3, 4], "enc.b": [4], "dec.0": [4, 2], "dec.1": [2]}

CASES = [
    {"name": "plain", "config": {"lr": 1e-2}},
    {"name": "weight-decay", "config": {"lr": 1e-2, "weightDecay": 0.1}},
    {"name": "adamw", "config": {"lr": 1e-2, "weightDecay": 0.1, "decoupledWeightDecay": True}},
    {
        "name": "clip-active",
        "config": {"lr": 3e-2, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "clipGradNorm": 0.5},
    },
    {"name": "clip-inactive-l2", "config": {"lr": 1e-2, "weightDecay": 0.05, "clipGradNorm": 100.0}},
]


def f32(t):
    """float32-representable float64 tensor."""
    return t.float().double()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def gradient_set(scale):
    grads = {name: f32(torch.randn(shape, dtype=torch.float64) * scale) for name, shape in SHAPES.items()}
    # Edge values: an exact zero (m = v = 0, the update is eps-guarded) and a tiny gradient.
    grads["enc.b"][0] = 0.0
    grads["enc.b"][1] = f32(torch.tensor(1e-7, dtype=torch.float64))
    return grads


params0 = {name: f32(torch.randn(shape, dtype=torch.float64)) for name, shape in SHAPES.items()}
grads = [gradient_set(scale) for scale in (2.0, 0.5, 1.0)]


def run(config):
    params = {name: p.clone().requires_grad_(True) for name, p in params0.items()}
    order = list(SHAPES)
    kwargs = {
        "lr": config["lr"],
        "betas": (config.get("beta1", 0.9), config.get("beta2", 0.999)),
        "eps": config.get("eps", 1e-8),
        "weight_decay": config.get("weightDecay", 0.0),
    }
    cls = torch.optim.AdamW if config.get("decoupledWeightDecay") else torch.optim.Adam
    opt = cls([params[n] for n in order], **kwargs)
    snapshots = {}
    for step, g in enumerate(grads, start=1):
        for n in order:
            params[n].grad = g[n].clone()
        if "clipGradNorm" in config:
            torch.nn.utils.clip_grad_norm_([params[n] for n in order], config["clipGradNorm"])
        opt.step()
        if step in (1, 3):
            state = {n: opt.state[params[n]] for n in order}
            snapshots[str(step)] = {
                "params": {n: flat(params[n]) for n in order},
                "m": {n: flat(state[n]["exp_avg"]) for n in order},
                "v": {n: flat(state[n]["exp_avg_sq"]) for n in order},
                "step": float(state[order[0]]["step"]),
            }
    return snapshots


fixture = {
    "torch": torch.__version__,
    "shapes": SHAPES,
    "params": {n: flat(p) for n, p in params0.items()},
    "grads": [{n: flat(t) for n, t in g.items()} for g in grads],
    "cases": [{**case, "after": run(case["config"])} for case in CASES],
}
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "adam.json"), "w") as f:
    json.dump(fixture, f, indent=1)
print("wrote", os.path.join(OUT, "adam.json"))
