#!/bin/sh
# Recovery study of the calibration (docs/validation.md): 10 synthetic data sets of 30 items
# (40 developers asked per item, observed 160 h) from known points of acme-uncertain — world i of
# 1000 drawn from the prior under seed 7000+i — each calibrated with the default settings; per
# factor, how often the posterior 90% interval contains the true value, and how often it was
# flagged informed. Not part of `cargo test` (about a minute per data set on 2 cores).
# Run from the repository root: sh benches/recovery/run.sh [THREADS]
set -eu
threads=${1:-2}
cargo build --quiet --release --example synthesize_observations
cargo build --quiet --release
work=$(mktemp -d)
for i in 0 1 2 3 4 5 6 7 8 9; do
  seed=$((7000 + i))
  ./target/release/examples/synthesize_observations scenarios/acme-uncertain.toml 30 40 160 $seed "world=$i" \
    > "$work/obs-$i.csv" 2> "$work/truth-$i.txt"
  ./target/release/permeate calibrate scenarios/acme-uncertain.toml "$work/obs-$i.csv" -o "$work/cal-$i" -q -j "$threads" 2>/dev/null
done
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
cover, informed, covered_informed, n = {}, {}, {}, 10
for i in range(n):
    truth = dict(l.strip().split("=", 1) for l in open(f"{work}/truth-{i}.txt") if "=" in l)
    cal = json.load(open(f"{work}/cal-{i}/calibration.json"))
    for f in cal["factors"]:
        x = float(truth[f["name"]])
        inside = f["posterior"]["p05"] <= x <= f["posterior"]["p95"]
        cover[f["name"]] = cover.get(f["name"], 0) + inside
        informed[f["name"]] = informed.get(f["name"], 0) + f["informed"]
        covered_informed[f["name"]] = covered_informed.get(f["name"], 0) + (inside and f["informed"])
print("| factor | true value inside the 90% interval | flagged informed | inside when informed |")
print("|---|---|---|---|")
for name in cover:
    print(f"| {name} | {cover[name]}/{n} | {informed[name]}/{n} | {covered_informed[name]}/{informed[name]} |")
PY
echo "work folder: $work"
