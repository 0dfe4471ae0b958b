#!/usr/bin/env bash
# Self-test of the Slurm path on a REAL single-node Slurm cluster started on this machine:
#
#   1. installs slurm-wlm and munge with apt-get if they are missing (Debian/Ubuntu, as root);
#   2. writes its own munge key and slurm.conf into a fresh temporary folder (nothing in /etc is
#      read or changed: SLURM_CONF points into the folder, munged gets its own socket and key);
#   3. starts munged, slurmctld and slurmd (in the foreground, as background children of this
#      script, so it knows their process ids) and waits for the node to be idle;
#   4. submits deploy/slurm/permeate-array.sbatch as an array of $SELFTEST_SHARDS tasks for a
#      bundled scenario with variants, and deploy/slurm/merge.sbatch with
#      --dependency=afterok:<array job>, exactly as docs/cluster.md tells a user to;
#   5. waits for both (bounded), runs the same study once outside Slurm, and compares the merged
#      folder with it byte for byte (diff -r, every file);
#   6. on exit, whatever happened: cancels its jobs, stops exactly the daemons it started (by
#      process id) and removes its temporary folder.
#
# Exit 0 only if all of that held; 1 if the test failed; 2 if it could not be set up.
#
#   bash deploy/slurm/selftest.sh            # after cargo build --release
#
# Settings (environment):
#   PERMEATE               the binary [default: target/release/permeate in this repository]
#   SELFTEST_SCENARIO      [default: scenarios/acme.toml]    SELFTEST_SHARDS        [default: 4]
#   SELFTEST_REPLICATIONS  [default: 200]                    SELFTEST_TIMEOUT       [default: 600 s, all in]
#   SELFTEST_PORT          first port tried for slurmctld; slurmd gets the next free one [default: 16817]
#   SELFTEST_KEEP=1        keep the temporary folder (config, logs, results) for a look afterwards
set -euo pipefail

started=$SECONDS
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

PERMEATE=${PERMEATE:-$root/target/release/permeate}
scenario=${SELFTEST_SCENARIO:-$root/scenarios/acme.toml}
shards=${SELFTEST_SHARDS:-4}
reps=${SELFTEST_REPLICATIONS:-200}
timeout=${SELFTEST_TIMEOUT:-600}

say() { echo "selftest: $*"; }
setup_fail() { echo "selftest: cannot run: $*" >&2; exit 2; }
fail() { echo "selftest: FAILED: $*" >&2; exit 1; }

# ---- preconditions ------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || setup_fail "needs root (slurmd starts jobs as their user; munged and slurmd run as root here)"
[ -x "$PERMEATE" ] || setup_fail "no permeate binary at $PERMEATE (cargo build --release, or set PERMEATE)"
PERMEATE=$(cd "$(dirname "$PERMEATE")" && pwd)/$(basename "$PERMEATE")
[ -f "$scenario" ] || setup_fail "no scenario $scenario"
scenario=$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")
case $shards in '' | *[!0-9]* | 0) setup_fail "SELFTEST_SHARDS must be a whole number >= 1" ;; esac

missing=0
for tool in munged munge slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
  command -v "$tool" >/dev/null 2>&1 || missing=1
done
if [ "$missing" = 1 ]; then
  say "installing slurm-wlm and munge with apt-get"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge
fi
say "$(slurmctld -V), $(munged -V 2>&1 | head -n1)"

# ---- the temporary cluster folder ---------------------------------------------------------------
tmp=$(mktemp -d /tmp/permeate-slurm-selftest.XXXXXX)
pids=()     # the daemons this script started, in start order
jobs_to_cancel=()

cleanup() {
  local status=$?
  set +e
  if [ "$status" != 0 ] && [ -d "$tmp" ]; then
    echo "---- diagnostics (exit status $status) ----" >&2
    # Job output, then the daemons' logs (their start-up errors, before the log is open, are in
    # log/*.out, shown when a daemon does not start; munged logs only there).
    for f in "$tmp"/work/logs/*.out "$tmp"/log/munged.out "$tmp"/log/*.log; do
      [ -f "$f" ] || continue
      echo "---- $f (last 30 lines)" >&2
      tail -n 30 "$f" >&2
    done
    [ -n "${SLURM_CONF:-}" ] && [ "${#pids[@]}" -ge 2 ] && scontrol show job 2>/dev/null | grep -E 'JobId=|JobState=|Reason=|ExitCode=' >&2
  fi
  # Our jobs first, so that no slurmstepd of ours outlives slurmd.
  if [ "${#jobs_to_cancel[@]}" -gt 0 ]; then
    scancel "${jobs_to_cancel[@]}" 2>/dev/null
    for _ in $(seq 1 20); do
      [ -z "$(squeue -h -j "$(IFS=,; echo "${jobs_to_cancel[*]}")" -o %i 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  # Then the daemons, newest first, each by the process id recorded when it was started.
  local i pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "selftest: process $pid did not stop on TERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
  done
  if [ "${SELFTEST_KEEP:-0}" = 1 ]; then
    echo "selftest: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  echo "selftest: $([ "$status" = 0 ] && echo OK || echo "exit $status") after $((SECONDS - started)) s" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# munged refuses a socket folder that not everyone can enter, and a key others can read.
chmod 711 "$tmp"
mkdir -p "$tmp"/munge/run "$tmp"/munge/etc "$tmp"/munge/lib "$tmp"/state "$tmp"/spool "$tmp"/log "$tmp"/work/logs
chmod 755 "$tmp"/munge "$tmp"/munge/run
chmod 700 "$tmp"/munge/etc "$tmp"/munge/lib
head -c 1024 /dev/urandom >"$tmp"/munge/etc/munge.key
chmod 400 "$tmp"/munge/etc/munge.key
socket=$tmp/munge/run/munge.socket

# Two free TCP ports (a port is taken if something answers on it).
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ctld_port=${SELFTEST_PORT:-16817}
while port_taken "$ctld_port"; do ctld_port=$((ctld_port + 1)); done
slurmd_port=$((ctld_port + 1))
while port_taken "$slurmd_port"; do slurmd_port=$((slurmd_port + 1)); done

# The node is this machine, under its real short host name, with its CPU count and (a little
# less than) its memory; all traffic goes over 127.0.0.1, so the name need not resolve.
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 9 / 10240))   # 90% of MemTotal, in MB

# Only this cluster: no settings of another Slurm (e.g. SBATCH_PARTITION, or SLURM_* when this
# runs inside a job of a real cluster) may leak into the commands below.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN|SQUEUE|SINFO|SCONTROL)_' || true)
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<EOF
# Written by deploy/slurm/selftest.sh: a throw-away single-node cluster.
ClusterName=permeate-selftest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
# No cgroups and no systemd needed: processes are tracked through /proc, tasks are not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# A node that registers is usable at once; finished jobs stay visible to scontrol for 10 minutes;
# a merge whose shards failed is cancelled instead of pending forever.
ReturnToService=2
MinJobAge=600
DependencyParameters=kill_invalid_depend
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=selftest Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

# ---- start the daemons --------------------------------------------------------------------------
alive_or_fail() {
  kill -0 "$1" 2>/dev/null && return 0
  cat "$tmp/log/$2.out" >&2
  setup_fail "$2 exited at start (its output above, its log below)"
}

munged -F --socket="$socket" --key-file="$tmp"/munge/etc/munge.key --pid-file="$tmp"/munge/run/munged.pid \
  --seed-file="$tmp"/munge/lib/munged.seed --log-file="$tmp"/log/munged.log >"$tmp"/log/munged.out 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -S "$socket" ] && break; sleep 0.1; done
alive_or_fail "${pids[0]}" munged
munge -S "$socket" -n | unmunge -S "$socket" >/dev/null || setup_fail "munge does not answer on $socket"

slurmctld -D -f "$SLURM_CONF" >"$tmp"/log/slurmctld.out 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.2; done
alive_or_fail "${pids[1]}" slurmctld
scontrol ping >/dev/null 2>&1 || setup_fail "slurmctld does not answer"

slurmd -D -f "$SLURM_CONF" -N "$host" >"$tmp"/log/slurmd.out 2>&1 &
pids+=($!)
state=
for _ in $(seq 1 120); do
  state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.5
done
alive_or_fail "${pids[2]}" slurmd
[ "$state" = idle ] || setup_fail "node $host is '$state', not idle, after 60 s"
say "cluster up in $((SECONDS - started)) s: node $host, $cpus CPUs, daemons ${pids[*]} (munged slurmctld slurmd)"

# ---- helpers: submit as docs/cluster.md does, wait, check -------------------------------------
work=$tmp/work
cd "$work"
for v in "$PERMEATE" "$scenario" "$work"; do
  case $v in *,*) setup_fail "a comma in '$v' cannot be passed through sbatch --export" ;; esac
done

# submit_study ARRAY OUT: the array (e.g. 1-4, or 2 for a re-run) writing OUT.shards, then the
# merge into OUT depending on it. Sets $jobid and $mergeid.
submit_study() {
  jobid=$(sbatch --parsable --array="$1" \
    --export=ALL,PERMEATE="$PERMEATE",PERMEATE_SCENARIO="$scenario",PERMEATE_SHARDS="$shards",PERMEATE_OUT="$2",PERMEATE_REPLICATIONS="$reps" \
    --output="$work/logs/shard-%A_%a.out" "$root"/deploy/slurm/permeate-array.sbatch)
  jobid=${jobid%%;*}
  jobs_to_cancel+=("$jobid")
  mergeid=$(sbatch --parsable --dependency=afterok:"$jobid" \
    --export=ALL,PERMEATE="$PERMEATE",PERMEATE_SHARDS="$shards",PERMEATE_OUT="$2" \
    --output="$work/logs/merge-%j.out" "$root"/deploy/slurm/merge.sbatch)
  mergeid=${mergeid%%;*}
  jobs_to_cancel+=("$mergeid")
  say "submitted array job $jobid (tasks $1 of $shards, $reps replications) and merge job $mergeid (afterok:$jobid)"
}

# One line per job (array task): id, task index, state, exit code.
job_states() {
  scontrol -o show job "$1" | awk '{ for (i = 1; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v[k] = substr($i, length(k) + 2) }
    print v["JobId"], "task=" v["ArrayTaskId"], v["JobState"], v["ExitCode"]; delete v }'
}

# wait_study TASKS: waits (within the overall timeout) until the array and the merge have left the
# queue, then requires TASKS array tasks and the merge to have COMPLETED with exit code 0.
wait_study() {
  while [ -n "$(squeue -h -j "$jobid,$mergeid" -o %i)" ]; do
    [ $((SECONDS - started)) -lt "$timeout" ] ||
      fail "jobs not finished after ${timeout} s: $(squeue -h -j "$jobid,$mergeid" -o '%i %T %r' | tr '\n' ';')"
    sleep 1
  done
  say "jobs finished after $((SECONDS - started)) s"
  local tasks merge_state
  tasks=$(job_states "$jobid")
  echo "$tasks" | sed 's/^/  array: /'
  [ "$(echo "$tasks" | grep -c ' COMPLETED 0:0$')" = "$1" ] || fail "not all $1 array tasks completed with exit 0"
  merge_state=$(job_states "$mergeid")
  echo "  merge: $merge_state"
  echo "$merge_state" | grep -q ' COMPLETED 0:0$' || fail "the merge job did not complete with exit 0"
  jobs_to_cancel=()
}

# same_as_single OUT: every file of OUT byte-identical to the single run's.
same_as_single() {
  [ -n "$(ls -A "$1" 2>/dev/null)" ] || fail "the merge wrote nothing into $1"
  diff -r single "$1" || fail "the merged folder $1 differs from the single run (diff above)"
  say "$1: merged from $shards Slurm shards, byte-identical to the single run ($(find single -type f | wc -l) files)"
}

# ---- 1. the study, sharded on Slurm, compared with one run outside Slurm ------------------------
submit_study 1-"$shards" sharded
wait_study "$shards"
left=$((timeout - (SECONDS - started)))
[ "$left" -gt 0 ] || fail "no time left for the single run (SELFTEST_TIMEOUT=$timeout)"
timeout "$left" "$PERMEATE" run "$scenario" -n "$reps" -o single -q || fail "the single run failed (or took over $left s)"
[ -n "$(ls -A single 2>/dev/null)" ] || fail "the single run wrote nothing"
same_as_single sharded

# ---- 2. a lost shard re-run on its own (docs/cluster.md, "When a shard fails") ------------------
lost=$(((shards + 1) / 2))
rm -rf "sharded.shards/shard-$lost-of-$shards"
mkdir again
mv sharded.shards again/
submit_study "$lost" again/sharded
wait_study 1
same_as_single again/sharded
