#!/usr/bin/env bash
# Scale test: a 1,000,000-person organisation with about 5,000,000 two-way links, loaded from CSV,
# 20 replications; prints wall time and peak memory (GNU time). Usage, from the repository root:
#   bash benches/scale/run.sh [PEOPLE]
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-1000000}"
out="target/scale-$n"
cargo build --release --quiet
python3 benches/scale/make_org.py "$n" "$out"
echo "check (load and validate only):"
/usr/bin/time -f "  %e s wall, peak %M KB" target/release/permeate check "$out/scenario.toml" > /dev/null
for j in 1 2; do
  echo "run, 20 replications, -j $j:"
  /usr/bin/time -f "  %e s wall, peak %M KB" target/release/permeate run "$out/scenario.toml" -q -j "$j" -o "$out/results-j$j"
done
cmp "$out/results-j1/summary.json" "$out/results-j2/summary.json" && echo "results identical for -j 1 and -j 2"
