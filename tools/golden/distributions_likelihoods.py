"""Fixtures for the decoder likelihoods (src/distributions/likelihoods/): log p(x|z) per
example and its gradients, computed by PyTorch 1.13 in float64.

- gaussian / laplace with a per-pixel learned scale: torch.distributions.Normal / Laplace
  log_prob summed over pixels, and the gradients of the batch sum in the means and the
  per-pixel log-scales;
- the discretised logistic mixture (PixelCNN++, Salimans et al. 2017, eq. 2) written directly
  from the formula in float64: log(sigmoid(a) - sigmoid(b)) for interior bins (as
  sigmoid(-b) - sigmoid(-a) when b > 0, so the tails keep their digits), log sigmoid(a)
  at x = 0, log(1 - sigmoid(b)) at x = 1, a shared mixture indicator per pixel (logsumexp over
  components of log softmax + sum over channels); per-example values, gradients in the decoder
  outputs, and the mixture's mean as the sum over the 256 levels of v p(v).

Run from the repository root: /usr/bin/python3 tools/golden/distributions_likelihoods.py
"""
import json

import torch
from torch.distributions import Laplace, Normal

torch.manual_seed(16)
B, H, W, C = 2, 2, 3, 2


def scale_case(family):
    mean = torch.rand(B, H, W, C, dtype=torch.float64).requires_grad_(True)
    x = torch.rand(B, H, W, C, dtype=torch.float64)
    logscale = (0.8 * torch.randn(H, W, C, dtype=torch.float64)).requires_grad_(True)
    if family == "gaussian":
        dist = Normal(mean, (0.5 * logscale).exp())  # logscale is the log-variance
    else:
        dist = Laplace(mean, logscale.exp())
    per = dist.log_prob(x).sum((1, 2, 3))
    per.sum().backward()
    return {
        "shape": [B, H, W, C],
        "mean": mean.detach().flatten().tolist(),
        "x": x.flatten().tolist(),
        "logscale": logscale.detach().flatten().tolist(),
        "logProb": per.tolist(),
        "gradMean": mean.grad.flatten().tolist(),
        "gradLogscale": logscale.grad.flatten().tolist(),
    }


def logistic_case(K, channels):
    half = 0.5 / 255
    shape = [B, H, W, channels]
    levels = torch.randint(0, 256, shape)
    levels.view(-1)[0] = 0
    levels.view(-1)[1] = 255
    levels.view(-1)[2] = 0
    levels.view(-1)[3] = 255
    x = levels.double() / 255
    logits = torch.randn(B, H, W, K, dtype=torch.float64)
    means = 0.5 + 0.6 * torch.randn(B, H, W, K, channels, dtype=torch.float64)
    log_scales = -2.5 + torch.randn(B, H, W, K, channels, dtype=torch.float64)
    # Below PixelCNN++'s floor of -7, near its value: the floor must apply.
    means[0, 0, 0, 0, 0] = x[0, 0, 0, 0] + 0.001
    log_scales[0, 0, 0, 0, 0] = -9.0
    out = torch.cat(
        [logits, means.flatten(3), log_scales.flatten(3)], dim=-1
    ).requires_grad_(True)
    lg, mu, ls = torch.split(out, [K, K * channels, K * channels], dim=-1)
    mu = mu.reshape(B, H, W, K, channels)
    ls = torch.clamp(ls.reshape(B, H, W, K, channels), min=-7.0)
    xe = x.unsqueeze(3)
    inv = torch.exp(-ls)
    a = (xe + half - mu) * inv
    b = (xe - half - mu) * inv
    # sigmoid(a) - sigmoid(b) = sigmoid(-b) - sigmoid(-a): take the form whose terms are not
    # both near 1, so float64 keeps the difference's digits in the tails.
    # (The swap picks its arguments with torch.where, so no branch's gradient is NaN.)
    upper_arg = torch.where(b > 0, -b, a)
    lower_arg = torch.where(b > 0, -a, b)
    interior = torch.log(torch.sigmoid(upper_arg) - torch.sigmoid(lower_arg))
    lower_edge = torch.nn.functional.logsigmoid(a)  # log sigmoid(a)
    upper_edge = torch.nn.functional.logsigmoid(-b)  # log(1 - sigmoid(b))
    per_channel = torch.where(xe < half, lower_edge, torch.where(xe > 1 - half, upper_edge, interior))
    per_pixel = torch.logsumexp(per_channel.sum(-1) + torch.log_softmax(lg, -1), -1)
    per = per_pixel.sum((1, 2))
    per.sum().backward()
    # The discretised distribution's mean, bin by bin: sum over the 256 levels of v p(v).
    values = torch.arange(256, dtype=torch.float64) / 255
    upper = torch.sigmoid((values + half - mu.unsqueeze(-1)) / ls.exp().unsqueeze(-1))
    lower = torch.sigmoid((values - half - mu.unsqueeze(-1)) / ls.exp().unsqueeze(-1))
    upper[..., -1] = 1.0
    lower[..., 0] = 0.0
    component_means = ((upper - lower) * values).sum(-1)
    weights = torch.softmax(lg, -1).unsqueeze(-1)
    mixture_mean = (weights * component_means).sum(3)
    return {
        "components": K,
        "shape": shape,
        "out": out.detach().flatten().tolist(),
        "x": x.flatten().tolist(),
        "logProb": per.tolist(),
        "gradOut": out.grad.flatten().tolist(),
        "mean": mixture_mean.detach().flatten().tolist(),
    }


fixture = {
    "gaussianPerPixel": scale_case("gaussian"),
    "laplacePerPixel": scale_case("laplace"),
    "discretisedLogistic": [logistic_case(1, 1), logistic_case(3, 2), logistic_case(4, 3)],
}
with open("test/distributions/fixtures/likelihoods.json", "w") as f:
    json.dump(fixture, f)
print("wrote test/distributions/fixtures/likelihoods.json")
