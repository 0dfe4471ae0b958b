#!/bin/sh
# Makes scenarios/acme-observed.csv: synthetic per-person observations of 30 feedback items at
# ACME, 40 developers asked per item, each item observed for 160 working hours (4 weeks), from
# this stated point of acme-uncertain's [uncertain] factors (the others at their prior median):
#
#   processing speed = 1.4            (processing takes 40% longer than estimated)
#   roles.developer.notice = 0.6      (developers take up fewer messages than the survey said)
#   channels.team_chat.transmit = 0.6
#
# Seed 20261128 (not the scenario's seed 42, so the data share no random streams with the
# calibration's simulations). Reproducible: the same command gives the same bytes.
# Run from the repository root: sh scenarios/tools/make_acme_observed.sh
set -eu
cargo run --quiet --release --example synthesize_observations -- \
  scenarios/acme-uncertain.toml 30 40 160 20261128 \
  "processing speed=1.4" "roles.developer.notice=0.6" "channels.team_chat.transmit=0.6" \
  > scenarios/acme-observed.csv
