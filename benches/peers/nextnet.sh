#!/usr/bin/env bash
# Side by side, one thread: permeate, NEXTNet and EoN on the SIR case (issue 24). Not part of
# `cargo test`. Run from anywhere:
#   NEXTNET_BIN=/path/to/nextnet bash benches/peers/nextnet.sh [nextnet.py options]
#   NEXTNET_SRC=/path/to/NEXTNet bash benches/peers/nextnet.sh     # uses $NEXTNET_SRC/build/nextnet
# e.g. ... nextnet.sh --rounds 3 --reps-nextnet 100 --reps-eon 40
# NEXTNet (github.com/oist/NEXTNet) is not built here: install its release binary or build it
# as its README says, then point NEXTNET_BIN (or NEXTNET_SRC) at it.
# Results: printed, and written to benches/peers/out/nextnet/report.md.
set -euo pipefail

PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PEERS/../.." && pwd)"
VENV="$PEERS/.venv"

# 1. NEXTNet's command-line tool.
if [ -z "${NEXTNET_BIN:-}" ] && [ -n "${NEXTNET_SRC:-}" ]; then
    NEXTNET_BIN="$NEXTNET_SRC/build/nextnet"
fi
if [ -z "${NEXTNET_BIN:-}" ] || [ ! -x "$NEXTNET_BIN" ]; then
    echo "nextnet.sh: no NEXTNet binary: set NEXTNET_BIN to its \`nextnet\` tool, or NEXTNET_SRC to" >&2
    echo "a NEXTNet checkout built as its README says (binary in build/nextnet)." >&2
    exit 2
fi
if [ -z "${NEXTNET_VERSION:-}" ]; then
    src="${NEXTNET_SRC:-$(dirname "$(dirname "$NEXTNET_BIN")")}"
    NEXTNET_VERSION="$(git -C "$src" describe --tags --match "v*" --always 2>/dev/null || echo unknown)"
fi
export NEXTNET_VERSION

# 2. Python side: the venv of run.sh (EoN and friends; made once, reused after).
. "$PEERS/venv.sh"
peer_venv "$VENV" "$PEERS/requirements.txt" "EoN, networkx, numpy, scipy"

# 3. permeate and the engine-only timer (examples/sir_time), release build.
echo "== cargo build --release --bin permeate --example sir_time"
(cd "$ROOT" && cargo build --release --bin permeate --example sir_time)

# 4. The comparison.
cd "$PEERS"
"$VENV/bin/python" nextnet.py --nextnet "$NEXTNET_BIN" --permeate "$ROOT/target/release/permeate" \
    --sir-time "$ROOT/target/release/examples/sir_time" "$@"
