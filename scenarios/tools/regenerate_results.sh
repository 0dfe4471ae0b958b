#!/bin/sh
# Regenerates every committed folder in results/ from the bundled scenarios, exactly as the test
# `pipeline::committed_*_are_what_the_code_gives` re-runs them. Run from the repository root after
# any change that alters outputs (and say so in CHANGELOG.md under "results change"):
#   sh scenarios/tools/regenerate_results.sh
# The synthetic observations (scenarios/acme-observed.csv) are remade first, because they are
# drawn from acme-uncertain's model.
set -eu
cargo build --quiet --release
p=./target/release/permeate
for s in helix acme acme-costs acme-reverse acme-sweep acme-uncertain northwind; do
  $p run "scenarios/$s.toml" -q
done
$p sensitivity scenarios/acme-uncertain.toml --samples 128 -n 50 -q
sh scenarios/tools/make_acme_observed.sh
$p calibrate scenarios/acme-uncertain.toml scenarios/acme-observed.csv --budget 4000 --particles 200 -n 50 -q \
  -o results/acme-uncertain-calibration
$p run scenarios/acme-uncertain.toml --posterior results/acme-uncertain-calibration/posterior.csv -n 50 -q \
  -o results/acme-uncertain-posterior
echo "results/ regenerated"
