#!/usr/bin/env bash
# Decoder likelihoods side by side (issue 16, direction 3, "sharper reconstructions"): the
# same VAE (same architecture, z, batch, steps and seed) with each likelihood of the registry
# on Extended Yale B (24x24 grey faces) and on the built-in colored-shapes (32x32 RGB; MNIST
# is not on the offline machine these were run on). For each run: held-out reconstructions
# (PNG), a latent traversal (PNG) and `eval --metrics reconstruction` (held-out MSE and PSNR of
# the mean image, held-out ELBO, log p(x|z) and KL per image).
#
#   ROOT=../shared/datasets/extended-yale-b-cropped-24 STEPS=1500 SEEDS="0" bash examples/likelihoods.sh
#
# Each run goes to OUT/<dataset>/<option>-seed<seed>. A run folder that already holds a
# checkpoint is continued up to STEPS, not retrained (delete the folder to start again).
set -euo pipefail
ROOT=${ROOT:-../shared/datasets/extended-yale-b-cropped-24}
STEPS=${STEPS:-1500}
OUT=${OUT:-runs/likelihoods}
SEEDS=${SEEDS:-0}
DATASETS=${DATASETS:-yale-b colored-shapes}
OPTIONS=${OPTIONS:-bernoulli gaussian-learned gaussian-pixel laplace-pixel logistic-mixture perceptual}

likelihood_flags() {
  case "$1" in
    bernoulli) echo "--likelihood bernoulli" ;;
    gaussian-learned) echo "--likelihood gaussian --gaussian-variance learned" ;;
    gaussian-pixel) echo "--likelihood gaussian --gaussian-variance learned-pixel" ;;
    laplace-pixel) echo "--likelihood laplace --laplace-scale learned-pixel" ;;
    logistic-mixture) echo "--likelihood discretised-logistic --mixture-components 5" ;;
    perceptual) echo "--likelihood perceptual --feature-variance 0.1 --pixel-variance 0.1" ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
}

data_flags() {
  case "$1" in
    yale-b) echo "--data yale-b --root $ROOT" ;;
    colored-shapes) echo "--data colored-shapes" ;;
    *) echo "unknown dataset $1" >&2; exit 1 ;;
  esac
}

for seed in $SEEDS; do for data in $DATASETS; do for option in $OPTIONS; do
  run="$OUT/$data/$option-seed$seed"
  if [ -f "$run/checkpoint.safetensors" ]; then
    npx disentangle train --resume "$run" --steps "$STEPS" --no-progress
  else
    # shellcheck disable=SC2046
    npx disentangle train --model vae $(data_flags "$data") $(likelihood_flags "$option") \
      --z 10 --batch 64 --steps "$STEPS" --seed "$seed" --no-progress --out "$run"
  fi
  echo "== $data $option seed $seed"
  npx disentangle reconstruct "$run" --n 32 --out "$run/reconstructions.png"
  npx disentangle traverse "$run" --rows 500 --out "$run/traversal.png"
  npx disentangle eval "$run" --metrics reconstruction --num-images 1000 --no-progress
done; done; done
