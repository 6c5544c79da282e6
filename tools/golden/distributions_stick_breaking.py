"""Fixtures for the stick-breaking VAE's distributions (src/distributions/gamma-functions.ts,
kumaraswamy.ts, beta.ts, kl/kumaraswamy-beta.ts): SciPy 1.10 / PyTorch 1.13 in float64.

- log Gamma and digamma at points from 0.01 to 500 (scipy.special.gammaln, digamma);
- Kumaraswamy log densities and means from torch.distributions.Kumaraswamy, Beta log
  densities from torch.distributions.Beta;
- KL(Kumaraswamy(a, b) || Beta(alpha, beta)) by adaptive quadrature of q log(q / p)
  (scipy.integrate.quad), and the Nalisnick & Smyth series in float64 cut after 10 terms
  (what a plain cut gives) and summed to 10^6 terms plus the integral tail beyond (the
  reference the module's 100 terms + tail are checked against; it agrees with the
  quadrature wherever that converges).

Run from the repository root: /usr/bin/python3 tools/golden/distributions_stick_breaking.py
"""
import json
import math

import numpy as np
import torch
from scipy import integrate, special
from torch.distributions import Beta, Kumaraswamy

POINTS = [0.01, 0.1, 0.37, 1.0, 2.5, 7.0, 30.0, 500.0]
CASES = [  # a, b, alpha, beta
    (1.0, 5.0, 1.0, 5.0),
    (0.5, 0.5, 1.0, 5.0),
    (2.0, 3.0, 1.0, 5.0),
    (1.5, 10.0, 1.0, 3.0),
    (3.0, 0.8, 1.0, 5.0),
    (0.8, 2.0, 1.0, 1.0),
    (5.0, 1.5, 1.0, 8.0),
    (2.0, 3.0, 2.0, 2.0),
    (10.0, 1.0, 1.0, 5.0),
    (8.0, 0.3, 1.0, 5.0),
]


def series_kl(a, b, alpha, beta, terms, tail=False):
    m = np.arange(1, terms + 1, dtype=np.float64)
    log_b_terms = special.gammaln(m / a) + special.gammaln(b) - special.gammaln(m / a + b)
    series = np.sum(np.exp(log_b_terms) / (m + a * b))
    if tail:  # ∫_{M+1/2}^∞ Γ(b) (x/a)^(-b) / x dx, the terms' asymptote
        series += math.gamma(b) * a**b * (terms + 0.5) ** (-b) / b
    return (
        (a - alpha) / a * (-np.euler_gamma - special.digamma(b) - 1 / b)
        + math.log(a * b)
        + special.betaln(alpha, beta)
        - (b - 1) / b
        + (beta - 1) * b * series
    )


def quad_kl(a, b, alpha, beta):
    q = Kumaraswamy(torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64))
    p = Beta(torch.tensor(alpha, dtype=torch.float64), torch.tensor(beta, dtype=torch.float64))

    def integrand(x):
        t = torch.tensor(x, dtype=torch.float64)
        lq = q.log_prob(t).item()
        if lq == -math.inf:
            return 0.0
        return math.exp(lq) * (lq - p.log_prob(t).item())

    value, _ = integrate.quad(integrand, 0, 1, limit=500, points=[1e-6, 1e-3, 0.5, 1 - 1e-3])
    return value


def main():
    xs = [0.05, 0.3, 0.5, 0.8, 0.97]
    out = {
        "points": POINTS,
        "gammaln": [float(special.gammaln(x)) for x in POINTS],
        "digamma": [float(special.digamma(x)) for x in POINTS],
        "density": [],
        "kl": [],
    }
    for a, b, alpha, beta in CASES:
        q = Kumaraswamy(torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64))
        p = Beta(torch.tensor(alpha, dtype=torch.float64), torch.tensor(beta, dtype=torch.float64))
        t = torch.tensor(xs, dtype=torch.float64)
        out["density"].append(
            {
                "a": a, "b": b, "alpha": alpha, "beta": beta, "x": xs,
                "kumaraswamy": q.log_prob(t).tolist(),
                "kumaraswamyMean": q.mean.item(),
                "betaLogDensity": p.log_prob(t).tolist(),
            }
        )
        out["kl"].append(
            {
                "a": a, "b": b, "alpha": alpha, "beta": beta,
                "quadrature": quad_kl(a, b, alpha, beta),
                "series10": float(series_kl(a, b, alpha, beta, 10)),
                "exact": float(series_kl(a, b, alpha, beta, 10**6, tail=True)),
            }
        )
    with open("test/distributions/fixtures/stick-breaking.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for row in out["kl"]:
        print(row)


if __name__ == "__main__":
    main()
