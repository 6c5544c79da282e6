"""Fixtures for the triplet VAE's metric losses (src/objectives/triplet-margin-loss.ts and
triplet-infonce.ts): per-triplet losses and gradients computed by PyTorch 1.13 itself, the
margin loss with torch.nn.TripletMarginWithDistanceLoss and InfoNCE as one
torch.nn.functional.cross_entropy per anchor over its query's candidates, built with
explicit loops; the divergences are the squared Euclidean distance of the masked means
(torch.nn.functional.pairwise_distance) and the symmetric KL of
torch.distributions.kl_divergence, each weighted by the triplet's query mask.

Run from the repository root: /usr/bin/python3 tools/golden/objectives_metric_losses.py
"""
import json

import torch
from torch.distributions import Normal, kl_divergence

torch.manual_seed(7)
T, Z, Q = 7, 4, 2
QUERY = [0, 1, 0, 0, 1, 1, 0]
MASKS = torch.tensor([[1.0, 0.7, 0.0, 0.2], [0.0, 0.3, 1.2, 0.9]], dtype=torch.float64)


def posterior():
    return {
        "mu": torch.randn(T, Z, dtype=torch.float64),
        "logvar": 0.5 * torch.randn(T, Z, dtype=torch.float64),
    }


def distance(name, a_mu, a_lv, b_mu, b_lv, mask):
    """d_m between posteriors a and b (broadcast), summed over the last axis."""
    if name == "mean-squared":
        w = mask.sqrt()
        return torch.nn.functional.pairwise_distance(w * a_mu, w * b_mu, eps=0.0) ** 2
    p = Normal(a_mu, (0.5 * a_lv).exp())
    q = Normal(b_mu, (0.5 * b_lv).exp())
    return (mask * (kl_divergence(p, q) + kl_divergence(q, p))).sum(-1)


def leaves(triplet):
    return {role: {k: v.clone().requires_grad_(True) for k, v in triplet[role].items()} for role in triplet}


def grads(triplet):
    return {
        f"{role}.{k}": (torch.zeros_like(v) if v.grad is None else v.grad).tolist()
        for role in triplet
        for k, v in triplet[role].items()
    }


def record(setting, divergence, stored, per, x):
    """One fixture case: the per-triplet losses and the gradient of their mean."""
    per = torch.stack(per)
    per.mean().backward()
    return {
        **setting,
        "divergence": divergence,
        "posteriors": stored,
        "perTriplet": per.tolist(),
        "gradOfMean": grads(x),
    }


cases = []
for divergence in ["mean-squared", "symmetric-kl"]:
    base = {role: posterior() for role in ["anchor", "positive", "negative"]}
    stored = {role: {k: v.tolist() for k, v in base[role].items()} for role in base}
    # Margin loss: the hinge as TripletMarginWithDistanceLoss computes it, on whole triplets
    # (the mask travels with the inputs, one triplet at a time).
    for margin in [0.0, 1.5]:
        x = leaves(base)
        per = []
        for t in range(T):
            m = MASKS[QUERY[t]]
            loss_fn = torch.nn.TripletMarginWithDistanceLoss(
                distance_function=lambda u, v: distance(
                    divergence, u[..., :Z], u[..., Z:], v[..., :Z], v[..., Z:], m
                ),
                margin=margin,
                reduction="none",
            )
            cat = lambda role: torch.cat([x[role]["mu"][t : t + 1], x[role]["logvar"][t : t + 1]], -1)
            per.append(loss_fn(cat("anchor"), cat("positive"), cat("negative"))[0])
        cases.append(record({"loss": "margin", "margin": margin}, divergence, stored, per, x))
    # InfoNCE: for each anchor, a cross-entropy over its query's candidates (every positive and
    # negative of a triplet under the same query), the target being its own positive.
    for temperature in [1.0, 0.4]:
        x = leaves(base)
        per = []
        for t in range(T):
            m = MASKS[QUERY[t]]
            logits, target = [], None
            for role in ["positive", "negative"]:
                for c in range(T):
                    if QUERY[c] != QUERY[t]:
                        continue
                    if role == "positive" and c == t:
                        target = len(logits)
                    d = distance(
                        divergence,
                        x["anchor"]["mu"][t],
                        x["anchor"]["logvar"][t],
                        x[role]["mu"][c],
                        x[role]["logvar"][c],
                        m,
                    )
                    logits.append(-d / temperature)
            per.append(
                torch.nn.functional.cross_entropy(
                    torch.stack(logits).unsqueeze(0), torch.tensor([target])
                )
            )
        cases.append(
            record({"loss": "infonce", "temperature": temperature}, divergence, stored, per, x)
        )

out = {"query": QUERY, "masks": MASKS.tolist(), "cases": cases}
path = "test/objectives/fixtures/metric-losses.json"
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {path}: {len(cases)} cases")
