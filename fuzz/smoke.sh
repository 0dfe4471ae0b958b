#!/usr/bin/env bash
# A short smoke run of every fuzz target (default 20 s each), for CI. Needs the nightly toolchain;
# installs cargo-fuzz when missing. Setting up (no nightly, no network, build failure) only warns
# and skips: that is the machine's problem, not the code's. A crash, timeout or out-of-memory
# found by a target fails the script. Every step is bounded by `timeout`, so it cannot hang.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SMOKE_SECONDS:-20}"
skip() { echo "fuzz smoke: skipped: $*" >&2; exit 0; }
rustup toolchain list 2>/dev/null | grep -q '^nightly' || skip "no nightly toolchain (rustup toolchain install nightly)"
if ! command -v cargo-fuzz >/dev/null; then
  timeout 600 cargo install cargo-fuzz --locked >/dev/null 2>&1 || skip "cannot install cargo-fuzz"
fi
timeout 900 cargo +nightly fuzz build >/dev/null 2>&1 || skip "cannot build the fuzz targets"
status=0
for target in scenario_loader csv_readers observations import_readers posterior_reader; do
  work="$(mktemp -d)"
  echo "fuzz smoke: $target for ${seconds} s" >&2
  if ! timeout $((seconds + 120)) cargo +nightly fuzz run "$target" "$work" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 >"$work.log" 2>&1; then
    echo "fuzz smoke: $target FAILED; the end of its log:" >&2
    tail -40 "$work.log" >&2
    status=1
  else
    grep -E '^#[0-9]+[[:space:]]+DONE' "$work.log" >&2 || true
  fi
  rm -rf "$work" "$work.log"
done
exit $status
