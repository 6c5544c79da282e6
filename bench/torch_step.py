"""PyTorch reference for `npm run bench`: one Adam training step of the bench nets.

Same nets as src/nn (Chen et al. 2018 MLP "mlp-chen"; Burgess et al. 2018 conv net
"conv-burgess", 64x64x1), Bernoulli likelihood on binary images, Gaussian KL to N(0, I),
Adam lr 1e-3, batch 64. Run by bench/run.ts as

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_step.py NET THREADS WARMUP ROUNDS STEPS

and prints one JSON line: {"net", "threads", "msPerStep" (best round), "msPerStepMedian", ...}.
With OPENBLAS_NUM_THREADS unset Debian's torch oversubscribes (OpenBLAS threads inside
torch's intra-op threads) and its 2-thread step is slower than its 1-thread step.
"""

import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH, LATENT = 64, 10


def nets(name):
    if name == "conv-burgess":
        encoder = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(64, 64, 4, 2, 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(1024, 256), nn.ReLU(), nn.Linear(256, 2 * LATENT),
        )
        decoder = nn.Sequential(
            nn.Linear(LATENT, 256), nn.ReLU(), nn.Linear(256, 1024), nn.ReLU(),
            nn.Unflatten(1, (64, 4, 4)),
            nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 4, 2, 1),
        )
        shape = (BATCH, 1, 64, 64)
    elif name == "mlp-chen":
        encoder = nn.Sequential(
            nn.Linear(4096, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(),
            nn.Linear(1200, 2 * LATENT),
        )
        decoder = nn.Sequential(
            nn.Linear(LATENT, 1200), nn.Tanh(), nn.Linear(1200, 1200), nn.Tanh(),
            nn.Linear(1200, 1200), nn.Tanh(), nn.Linear(1200, 4096),
        )
        shape = (BATCH, 4096)
    else:
        sys.exit(f"bench/torch_step.py: unknown net {name!r}: expected conv-burgess or mlp-chen")
    return encoder, decoder, shape


def main():
    name, threads, warmup, rounds, steps = sys.argv[1], *map(int, sys.argv[2:6])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    encoder, decoder, shape = nets(name)
    x = (torch.rand(shape) > 0.5).float()
    opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)

    def step():
        h = encoder(x)
        mu, logvar = h[:, :LATENT], h[:, LATENT:]
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = decoder(z).reshape(x.shape)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / BATCH
        kl = 0.5 * (logvar.exp() + mu**2 - 1 - logvar).sum() / BATCH
        loss = rec + kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(steps):
            loss = step()
        times.append((time.perf_counter() - t0) / steps * 1000)
    times.sort()
    print(json.dumps({
        "net": name, "threads": threads, "msPerStep": times[0],
        "msPerStepMedian": times[len(times) // 2], "rounds": rounds, "stepsPerRound": steps,
        "finalLoss": loss, "torch": torch.__version__, "blas": blas_library(),
    }))


def blas_library():
    """The BLAS this process loaded: Debian's python3-torch links libblas.so.3, which is the
    slow reference BLAS unless OpenBLAS provides it (apt-get install libopenblas0-pthread)."""
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line}
    if any("openblas" in lib for lib in libs):
        return "openblas"
    return "reference BLAS (slow: apt-get install libopenblas0-pthread)" if libs else "unknown"


if __name__ == "__main__":
    main()
