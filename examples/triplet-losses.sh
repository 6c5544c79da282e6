#!/usr/bin/env bash
# The triplet VAE's three triplet losses side by side (issue 16, direction 4): the Bernoulli
# triplet likelihood of Karaletsos et al. 2016, the triplet margin loss and InfoNCE, each in
# the same supervised-term slot over the same masked divergence, on Extended Yale B with the
# same architecture, triplets, λ and steps, over SEEDS. Held-out subjects 35-39; accuracy on 1000
# held-out triplets per query, then a t-SNE map of the azimuth subspace of each run.
#
#   ROOT=../shared/datasets/extended-yale-b-cropped-24 STEPS=2000 SEEDS="0 1 2" bash examples/triplet-losses.sh
#
# Each run goes to OUT/<loss>-seed<seed>; about 4 minutes per run on 2 cores at 2000 steps.
#
# A run folder that already holds a checkpoint is continued up to STEPS, not retrained
# (delete the run's folder to start again).
set -euo pipefail
ROOT=${ROOT:-../shared/datasets/extended-yale-b-cropped-24}
STEPS=${STEPS:-2000}
OUT=${OUT:-runs/triplet-losses}
LOSSES=${LOSSES:-likelihood margin infonce}
SEEDS=${SEEDS:-0}

for seed in $SEEDS; do for loss in $LOSSES; do
  run="$OUT/$loss-seed$seed"
  if [ -f "$run/checkpoint.safetensors" ]; then
    npx disentangle train --resume "$run" --steps "$STEPS"
  else
    npx disentangle train --model triplet-vae --data yale-b --root "$ROOT" \
      --queries identity,azimuth,elevation --hold-out identity=35,36,37,38,39 --z 16 \
      --steps "$STEPS" --seed "$seed" --triplet-loss "$loss" --out "$run"
  fi
  echo "== $loss seed $seed"
  npx disentangle eval "$run" --metrics triplet --triplets-per-query 1000
  npx disentangle map "$run" --query azimuth --points 1000 --out "$run/map-azimuth.png"
done; done
