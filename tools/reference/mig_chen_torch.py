"""MIG, Chen et al.'s protocol, in PyTorch: the reference timing for `migChen` (src/metrics/mig.ts).

Follows `estimate_entropies` / `mutual_info_metric_shapes` of Chen et al.'s code
(github.com/rtqichen/beta-tcvae, disentanglement_metrics.py), on the CPU: one sample of
q(z|x) per grid point; H(z_j) from `samples` of them against the mixture of all N posteriors,
H(z_j | v_k = v) the same within the rows with v_k = v; MI = H(z_j) - mean_v H(z_j | v_k = v),
normalised by log(factor size); MIG = mean over the scored factors of the gap between the
two largest (clamped) MIs.

Input: posterior means and log-variances [N, D] (.npy, rows in row-major grid order, last
factor fastest) and the grid's factor sizes. `--make-synthetic` writes a seeded synthetic
input of dSprites' size instead (the input of the timing in the closing note), plus the
factor-index grid [N, K] for `disentangle metrics --factors`.

Run with Debian's torch 1.13:
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/reference/mig_chen_torch.py \
      --make-synthetic scratch/mig-speed
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/reference/mig_chen_torch.py \
      --means scratch/mig-speed/means.npy --logvars scratch/mig-speed/logvars.npy \
      --sizes 3,6,40,32,32 --include 1,2,3,4 --threads 2
and compare with
  npx disentangle --threads 2 metrics --codes scratch/mig-speed/means.npy \
      --logvars scratch/mig-speed/logvars.npy --factors scratch/mig-speed/factors.npy \
      --metrics mig-chen --include 1,2,3,4 --json
"""

import argparse
import math
import os
import time

import numpy as np
import torch


def make_synthetic(out_dir, sizes, dims, seed):
    """Means follow one factor each on the first len(sizes) dims (plus noise); others are noise."""
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(*[np.arange(s) for s in sizes], indexing="ij"), -1).reshape(-1, len(sizes))
    n = grid.shape[0]
    means = rng.normal(0.0, 1.0, (n, dims)).astype(np.float32)
    for k, s in enumerate(sizes[:dims]):
        means[:, k] = (grid[:, k] / max(1, s - 1) * 4 - 2 + 0.2 * rng.normal(size=n)).astype(np.float32)
    logvars = rng.uniform(-4.0, 0.0, (n, dims)).astype(np.float32)
    np.save(os.path.join(out_dir, "means.npy"), means)
    np.save(os.path.join(out_dir, "logvars.npy"), logvars)
    np.save(os.path.join(out_dir, "factors.npy"), grid.astype(np.int32))
    print(f"wrote {n} x {dims} posteriors and the {n} x {len(sizes)} grid to {out_dir}")


def log_density(z, mu, logvar):
    return -0.5 * (math.log(2 * math.pi) + logvar + (z - mu) ** 2 * torch.exp(-logvar))


def estimate_entropies(samples, mu, logvar, n_samples, batch):
    """samples [K, M] (one per mixture row), mu/logvar [M, K]: -E log q(z_j) per dim j."""
    take = torch.randperm(samples.size(1))[:n_samples]
    samples = samples[:, take]
    k, s = samples.shape
    m = mu.size(0)
    entropies = torch.zeros(k, dtype=torch.float64)
    for start in range(0, s, batch):
        z = samples[:, start : start + batch]  # [K, b]
        logq = log_density(z.view(1, k, -1), mu.view(m, k, 1), logvar.view(m, k, 1))  # [M, K, b]
        entropies -= (torch.logsumexp(logq, dim=0) - math.log(m)).double().sum(1)
    return entropies / s


def mig_chen(mu, logvar, sizes, include, n_samples, batch, seed):
    torch.manual_seed(seed)
    n, k = mu.shape
    samples = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    shape = list(sizes) + [k]
    samples_grid, mu_grid, lv_grid = (t.view(*shape) for t in (samples, mu, logvar))
    t0 = time.perf_counter()
    marginal = estimate_entropies(samples.t(), mu, logvar, n_samples, batch)
    print(f"marginal: {time.perf_counter() - t0:.1f} s", flush=True)
    mis, normalisers = [], []
    for f in include:
        t1 = time.perf_counter()
        cond = torch.zeros(k, dtype=torch.float64)
        for v in range(sizes[f]):
            pick = lambda t: t.select(f, v).reshape(-1, k)  # noqa: E731
            cond += estimate_entropies(pick(samples_grid).t(), pick(mu_grid), pick(lv_grid), n_samples, batch) / sizes[f]
        mis.append(marginal - cond)
        normalisers.append(math.log(sizes[f]))
        print(f"factor {f} ({sizes[f]} values): {time.perf_counter() - t1:.1f} s", flush=True)
    mi = torch.stack(mis).clamp(min=0)
    top = torch.sort(mi, dim=1, descending=True)[0]
    gaps = (top[:, 0] - top[:, 1]) / torch.tensor(normalisers, dtype=torch.float64)
    return gaps.mean().item(), mi


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--make-synthetic", metavar="DIR")
    p.add_argument("--means")
    p.add_argument("--logvars")
    p.add_argument("--sizes", default="3,6,40,32,32")
    p.add_argument("--dims", type=int, default=10, help="--make-synthetic: latent dims")
    p.add_argument("--include", help="factor indices to score (default all)")
    p.add_argument("--samples", type=int, default=10000)
    p.add_argument("--batch", type=int, default=10, help="samples per step (Chen et al.: 10)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    if a.make_synthetic:
        make_synthetic(a.make_synthetic, sizes, a.dims, a.seed)
        return
    torch.set_num_threads(a.threads)
    mu = torch.from_numpy(np.load(a.means)).float()
    logvar = torch.from_numpy(np.load(a.logvars)).float()
    include = [int(s) for s in a.include.split(",")] if a.include else list(range(len(sizes)))
    t0 = time.perf_counter()
    mig, mi = mig_chen(mu, logvar, sizes, include, a.samples, a.batch, a.seed)
    print(f"MIG (Chen et al.) = {mig:.4f}; total {time.perf_counter() - t0:.1f} s on {a.threads} threads")
    print("MI [factor][dim] (nats):", np.round(mi.numpy(), 4).tolist())


if __name__ == "__main__":
    main()
