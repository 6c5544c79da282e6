#!/usr/bin/env bash
# The stick-breaking VAE against a Gaussian VAE (issue 16, direction 5): the same MLP, data,
# truncation level (z), steps and seed; the stick-breaking prior GEM(5) with a Kumaraswamy
# posterior (Nalisnick & Smyth 2017) chooses how many of the z sticks to use. Reports the
# active dimensions of each (mean KL over 0.01 nats, in the posterior's own family), MIG
# (disentanglement_lib), held-out reconstruction error, and writes a traversal of each.
#
#   STEPS=3000 Z=20 bash examples/stick-breaking.sh
#
# Each run goes to OUT/<prior>; about 5 minutes per run on an idle 2-core machine.
set -euo pipefail
STEPS=${STEPS:-3000}
Z=${Z:-20}
SEED=${SEED:-0}
OUT=${OUT:-runs/stick-breaking}

for prior in normal stick-breaking; do
  run="$OUT/$prior"
  if [ -f "$run/checkpoint.safetensors" ]; then
    # Resume a run cut short; one already at STEPS is only evaluated.
    grep -q "\"step\":$STEPS[,}]" "$run/log.jsonl" ||
      npx disentangle train --resume "$run" --steps "$STEPS" --no-progress
  else
    echo '{"dataOptions": {"size": 32}}' > "$OUT.json"
    npx disentangle train --config "$OUT.json" --model vae --data sprites --arch mlp-chen \
      --prior "$prior" --z "$Z" --steps "$STEPS" --seed "$SEED" --out "$run" --no-progress
  fi
  echo "== $prior"
  npx disentangle eval "$run" --metrics active-dims,mig-dlib,reconstruction --no-progress
  npx disentangle traverse "$run" --out "$run/traversal.png"
  npx disentangle reconstruct "$run" --out "$run/reconstructions.png"
done
