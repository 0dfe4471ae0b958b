"""Side by side: permeate, NEXTNet and EoN on the SIR case, one thread (issue 24, item 3).

The case is compare.py's supercritical regime: continuous-time SIR on
networkx.watts_strogatz_graph(10_000, 10, 0.1, seed=1), transmission Exp(tau = 0.5/h) per link,
recovery Exp(gamma = 0.25/h), one infected node (node 0), T80 = the time the 8,000th node is
infected. The graph is built once and written once, as permeate input (people.csv, links.csv,
scenario.toml) and as a NEXTNet adjacency list (graph.adj: "node neighbour neighbour ...",
1-based, every undirected edge once), under out/nextnet/. NEXTNet's reading of the file is
checked: the network it writes back (`-g`) must have exactly the graph's edges.

What each tool runs, all on one core, all of them to the end of the epidemic:

  permeate  `permeate run scenario.toml -n R -j 1` (R and 10R replications, best of --repeat):
            raw = t(R)/R, differenced = (t(10R) - t(R)) / 9R (the cost of one more replication
            in the CLI, without start-up, loading and writing). permeate's pass runs until its
            queue is empty (or every node is processed), not only to T80: T80 is read off the pass.
            Also, if built, examples/sir_time on the same scenario: the engine pass alone
            (run_replication in a loop, no CLI): wall = best of its 10 rounds, CPU differenced
            between two run lengths.
  NEXTNet   the `nextnet` command-line tool, next-reaction algorithm (`-a next`, its fastest and
            recommended one), SIR (`-s SIR=1`), one process per replication (the CLI simulates
            one epidemic per call), no event output (`-w x`). Its CLI can stop only at a time
            (`-t`), not at a number of infected nodes, so it runs each epidemic to its end, like
            permeate and EoN. raw = mean wall (and CPU) time of one process; load = the same
            for the same command with `-t 0`, run right after each full one (start the process,
            read and build the network, set up the simulation, stop before the first
            transmission); sim = raw - load, the cost of one more replication. Two settings of
            its edge handling are timed (edges_concurrent true = its default, false) and the
            faster by CPU is NEXTNet's number in each round.
  EoN       EoN.fast_SIR in this Python process (as compare.py), R_EoN replications.

Rounds alternate the order of the tools; the load average (os.getloadavg, and `uptime`) is
recorded before and after every round. Agreement of NEXTNet with permeate is checked on
--agree replications with event output: T80 distributions (two-sample KS) and the reached
fraction (Fisher).

Usage (normally through nextnet.sh):
    python nextnet.py --nextnet /path/to/nextnet --permeate ../../target/release/permeate
        [--rounds 3] [--reps-permeate 200] [--reps-nextnet 100] [--reps-eon 40] [--agree 300]
"""

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from importlib.metadata import version

import networkx as nx
from scipy import stats

import compare

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(compare.OUT, "nextnet")
TAU = 0.5
THRESHOLD = 0.8
SETTINGS = [("edges_concurrent=1", ["-s", "edges_concurrent=1"]),
            ("edges_concurrent=0", ["-s", "edges_concurrent=0"])]


def write_adjacency(G, path):
    """NEXTNet's empirical(file) format: 1-based node, then its neighbours; each undirected edge
    once (undirected=true adds both directions; listing an edge twice would make it double)."""
    out = {v: [] for v in G.nodes()}
    for u, v in G.edges():
        out[min(u, v)].append(max(u, v))
    with open(path, "w") as f:
        for v in sorted(out):
            f.write(" ".join([str(v + 1)] + [str(w + 1) for w in out[v]]) + "\n")


def check_nextnet_graph(binary, adj, G):
    """Has NEXTNet write the network it read (`-g`) and compares its edges with G's."""
    back = os.path.join(FOLDER, "graph-nextnet.adj")
    run = subprocess.run([binary, "-n", f"empirical({adj})", "-p", f"exponential({TAU})",
                          "-r", f"exponential({compare.GAMMA})", "-s", "SIR=1", "-i", "1",
                          "-t", "0", "-w", "x", "-g", back, "-o", os.devnull],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"nextnet -g failed: {run.stderr.strip()[:500]}")
    edges = set()
    with open(back) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split()
            try:
                u = int(fields[0])
            except ValueError:
                continue  # a header line
            for w in fields[1:]:
                edges.add((min(u, int(w)) - 1, max(u, int(w)) - 1))
    want = {(min(u, v), max(u, v)) for u, v in G.edges()}
    if edges != want:
        raise RuntimeError(f"NEXTNet read {len(edges)} edges, the graph has {len(want)} "
                           f"({len(edges ^ want)} differ)")
    return len(edges)


def nextnet_cmd(binary, adj, extra, seed, tmax=None):
    cmd = [binary, "-n", f"empirical({adj})", "-a", "next", "-p", f"exponential({TAU})",
           "-r", f"exponential({compare.GAMMA})", "-s", "SIR=1", *extra, "-i", "1",
           "-z", str(seed), "-w", "x", "-o", os.devnull]
    if tmax is not None:
        cmd += ["-t", str(tmax)]
    return cmd


def timed(cmd):
    """Runs cmd; returns (wall seconds, CPU seconds = user + system of the child). Raises on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` exited {run.returncode}: {run.stderr.decode()[:500]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_nextnet(binary, adj, extra, reps, seed0):
    """One `nextnet` process per replication, each followed by the same command with `-t 0`
    (interleaved, so that a change in the machine's load hits both alike). Returns, for the full
    runs and for the `-t 0` runs, (mean wall, mean CPU) seconds and the median wall."""
    runs = {"raw": ([], []), "load": ([], [])}
    for r in range(reps):
        for kind, tmax in (("raw", None), ("load", 0)):
            wall, cpu = timed(nextnet_cmd(binary, adj, extra, seed0 + r, tmax))
            runs[kind][0].append(wall)
            runs[kind][1].append(cpu)
    return {kind: ((statistics.mean(w), statistics.mean(c)), statistics.median(w)) for kind, (w, c) in runs.items()}


def time_permeate(binary, scenario, reps, seed, out_dir, repeat):
    """`permeate run -j 1`: the best wall and the best CPU seconds of `repeat` runs."""
    cmd = [binary, "run", scenario, "-n", str(reps), "--seed", str(seed), "-o", out_dir, "-q", "-j", "1"]
    best_wall = best_cpu = math.inf
    for _ in range(repeat):
        if os.path.exists(out_dir):
            shutil.rmtree(out_dir)
        wall, cpu = timed(cmd)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def nextnet_t80(binary, adj, reps, seed0, k):
    """T_k of NEXTNet's epidemics (None where fewer than k nodes were ever infected), from the
    event output."""
    out = []
    for r in range(reps):
        cmd = nextnet_cmd(binary, adj, [], 10_000_000 + seed0 + r)
        cmd[cmd.index("-w") + 1] = "e"
        cmd[cmd.index("-o") + 1] = "-"
        run = subprocess.run(cmd, capture_output=True, text=True, check=True)
        t = None
        for line in run.stdout.splitlines():
            if line.startswith("#") or line.startswith("time"):
                continue
            fields = line.split("\t")
            if fields[3] in ("infection", "outside_infection") and float(fields[6]) >= k:
                t = float(fields[0])
                break
        out.append(t)
    return out


def time_sir_time(example, scenario, reps):
    """examples/sir_time, the engine pass alone: (best wall seconds per replication of its 10
    rounds of reps, CPU seconds per replication). The CPU figure is differenced between a run
    with reps and one with reps/5 (each runs reps/10 warm-up and 10 * reps timed replications),
    which removes loading and compiling; it is less sensitive to other load than the wall time."""
    def one(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run = subprocess.run([example, scenario, str(n)], capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run.returncode != 0:
            raise RuntimeError(f"sir_time failed: {run.stderr.strip()[:500]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return float(run.stdout.split()[0]) / 1000, cpu, n // 10 + 10 * n
    small = max(10, reps // 5)
    _, cpu_small, n_small = one(small)
    wall, cpu, n = one(reps)
    return wall, (cpu - cpu_small) / (n - n_small)


def uptime():
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average %.2f, %.2f, %.2f" % os.getloadavg()


def ms(x):
    return "-" if x is None else f"{x * 1000:.3g} ms"


def wc(pair):
    """(wall, CPU) seconds as "wall ms (CPU ms)"."""
    return "-" if pair is None else f"{ms(pair[0])} ({pair[1] * 1000:.3g})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nextnet", required=True, help="the nextnet binary")
    ap.add_argument("--permeate", default=os.path.join(HERE, "..", "..", "target", "release", "permeate"))
    ap.add_argument("--sir-time", default=os.path.join(HERE, "..", "..", "target", "release", "examples", "sir_time"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps-permeate", type=int, default=200, help="R (and 10R) for permeate")
    ap.add_argument("--reps-nextnet", type=int, default=100, help="processes per NEXTNet timing")
    ap.add_argument("--reps-eon", type=int, default=40)
    ap.add_argument("--agree", type=int, default=300, help="NEXTNet replications for the agreement check")
    ap.add_argument("--repeat", type=int, default=3, help="permeate timings: best of this many runs")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    nextnet = os.path.abspath(args.nextnet)
    permeate = os.path.abspath(args.permeate)
    sir_time = os.path.abspath(args.sir_time)
    have_sir_time = os.access(sir_time, os.X_OK)
    os.makedirs(FOLDER, exist_ok=True)
    G = nx.watts_strogatz_graph(compare.N_NODES, compare.K_NEIGHBOURS, compare.REWIRING, seed=compare.GRAPH_SEED)
    k = math.ceil(THRESHOLD * compare.N_NODES)
    reps = args.reps_permeate
    description = "SIR on Watts-Strogatz(10000, 10, 0.1): tau 0.5/h, gamma 0.25/h, T80 of all nodes"
    compare.write_permeate_input(G, FOLDER, "supercritical", description, TAU, THRESHOLD, args.seed, reps)
    scenario = os.path.join(FOLDER, "scenario.toml")
    adj = os.path.join(FOLDER, "graph.adj")
    write_adjacency(G, adj)
    n_edges = check_nextnet_graph(nextnet, adj, G)
    versions = (f"EoN {version('EoN')}, networkx {version('networkx')}, numpy {version('numpy')}, "
                f"Python {sys.version.split()[0]}; NEXTNet {os.environ.get('NEXTNET_VERSION', '(version not given)')}")
    print(f"graph: {compare.N_NODES} nodes, {n_edges} edges, read identically by NEXTNet; {versions}")

    # Agreement: NEXTNet's T80 against permeate's (10R replications), and the reached fraction.
    perm, _ = compare.run_permeate(permeate, scenario, 10 * reps, args.seed, 1,
                                   os.path.join(FOLDER, "permeate-agree"), 1)
    nn = nextnet_t80(nextnet, adj, args.agree, args.seed, k)
    p_stats, p_times = compare.describe(perm)
    n_stats, n_times = compare.describe(nn)
    fisher = stats.fisher_exact([[n_stats["reached"], n_stats["n"] - n_stats["reached"]],
                                 [p_stats["reached"], p_stats["n"] - p_stats["reached"]]]).pvalue
    ks = stats.ks_2samp(n_times, p_times)
    agree = fisher >= compare.ALPHA and ks.pvalue >= compare.ALPHA
    print(f"agreement: reached NEXTNet {n_stats['frac']:.3f} (R={args.agree}), permeate {p_stats['frac']:.3f} "
          f"(R={10 * reps}), Fisher p {fisher:.3g}; median T80 {n_stats.get('median', 0):.3g} / "
          f"{p_stats.get('median', 0):.3g} h; KS D {ks.statistic:.3g} p {ks.pvalue:.3g}: "
          f"{'PASS' if agree else 'FAIL'}")

    def do_permeate(r):
        w1, c1 = time_permeate(permeate, scenario, reps, args.seed, os.path.join(FOLDER, "permeate"), args.repeat)
        w10, c10 = time_permeate(permeate, scenario, 10 * reps, args.seed, os.path.join(FOLDER, "permeate-10x"), args.repeat)
        r["p"] = dict(raw=(w1 / reps, c1 / reps), diff=((w10 - w1) / (9 * reps), (c10 - c1) / (9 * reps)))
        if have_sir_time:
            r["p_engine"] = time_sir_time(sir_time, scenario, 500)
            r["p_engine_cpu"] = r["p_engine"][1]
            r["p_engine"] = r["p_engine"][0]

    def do_nextnet(r):
        for name, extra in SETTINGS:
            t = time_nextnet(nextnet, adj, extra, args.reps_nextnet, args.seed)
            (raw, raw_med), (load, load_med) = t["raw"], t["load"]
            r["n"][name] = dict(raw=raw, load=load, sim=(raw[0] - load[0], raw[1] - load[1]),
                                raw_med=raw_med, load_med=load_med)

    def do_eon(r):
        wall, cpu = time.perf_counter(), time.process_time()
        compare.run_eon(G, TAU, k, args.reps_eon, args.seed + 1000 * len(rounds), 1)
        r["eon"] = ((time.perf_counter() - wall) / args.reps_eon, (time.process_time() - cpu) / args.reps_eon)

    steps = [("permeate", do_permeate), ("NEXTNet", do_nextnet), ("EoN", do_eon)]
    rounds = []
    for i in range(args.rounds):
        r = {"n": {}, "p_engine": None, "p_engine_cpu": None, "before": uptime(), "load_before": os.getloadavg()[0]}
        order = steps[i % 3:] + steps[:i % 3]
        r["order"] = ", ".join(name for name, _ in order)
        for _, step in order:
            step(r)
        r["after"], r["load_after"] = uptime(), os.getloadavg()[0]
        r["best"] = min(r["n"], key=lambda s: r["n"][s]["sim"][1])
        rounds.append(r)
        nb, p = r["n"][r["best"]], r["p"]
        print(f"round {i + 1} ({r['order']}): load {r['load_before']:.2f} -> {r['load_after']:.2f}; "
              f"permeate raw {wc(p['raw'])}, differenced {wc(p['diff'])}, engine {ms(r['p_engine'])} ({ms(r['p_engine_cpu'])} CPU); "
              f"NEXTNet ({r['best']}) process {wc(nb['raw'])}, load {wc(nb['load'])}, sim {wc(nb['sim'])}; "
              f"EoN {wc(r['eon'])}", flush=True)

    def x(a, b):
        return "-" if a is None or b is None or b <= 0 else f"{a / b:.3g}x"

    def eng(r):
        return "-" if r["p_engine"] is None else f"{ms(r['p_engine'])} ({r['p_engine_cpu'] * 1000:.3g})"

    def xs(a, b):
        return f"{x(a[0], b[0])} ({x(a[1], b[1])})"

    lines = ["# permeate, NEXTNet and EoN side by side: SIR on a Watts-Strogatz graph, one thread", "",
             f"Graph: `networkx.watts_strogatz_graph(10000, 10, 0.1, seed=1)`, {n_edges} edges, one file "
             f"each for permeate (links.csv) and NEXTNet (graph.adj, read back identically); source node 0; "
             f"tau {TAU}/h, gamma {compare.GAMMA}/h; every tool runs each epidemic to its end. {versions}.", "",
             f"Agreement (NEXTNet {args.agree} replications against permeate {10 * reps}): reached 80% "
             f"{n_stats['frac']:.3f} / {p_stats['frac']:.3f} (Fisher p {fisher:.3g}); median T80 "
             f"{n_stats.get('median', 0):.3g} / {p_stats.get('median', 0):.3g} h; KS D {ks.statistic:.3g}, "
             f"p {ks.pvalue:.3g}: **{'PASS' if agree else 'FAIL'}**.", "",
             "Times per replication, wall (CPU = user + system in brackets). permeate: `permeate run -j 1`, "
             f"raw = t(R)/R, differenced = (t(10R) - t(R))/9R, R = {reps}, best of {args.repeat}; engine = "
             "examples/sir_time (the pass alone: wall = best of 10 rounds of 500; CPU = differenced "
             "between 5,050 and 1,010 replications). NEXTNet: the `nextnet` CLI, one "
             f"process per replication, mean of {args.reps_nextnet}; load = the same with `-t 0` (run after each); sim = "
             f"process - load. EoN: `EoN.fast_SIR`, {args.reps_eon} replications.", "",
             "| round (order) | load avg before / after | permeate raw | permeate differenced | permeate engine | "
             "NEXTNet process | NEXTNet load (`-t 0`) | NEXTNet sim | EoN |",
             "|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rounds):
        nb, p = r["n"][r["best"]], r["p"]
        lines.append(
            f"| {i + 1} ({r['order']}) | {r['load_before']:.2f} / {r['load_after']:.2f} | {wc(p['raw'])} | "
            f"{wc(p['diff'])} | {eng(r)} | {wc(nb['raw'])} | {wc(nb['load'])} | {wc(nb['sim'])} | "
            f"{wc(r['eon'])} |")
    lines += ["", f"Ratios, wall (CPU). NEXTNet's setting: the faster by CPU in each round.", "",
              "| round | NEXTNet setting | NEXTNet process / permeate raw (CLI, all costs) | "
              "NEXTNet sim / permeate differenced (one more replication) | NEXTNet sim / permeate engine | "
              "EoN / permeate differenced | EoN / permeate engine |",
              "|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rounds):
        nb, p, e, ec = r["n"][r["best"]], r["p"], r["p_engine"], r["p_engine_cpu"]
        lines.append(
            f"| {i + 1} | {r['best']} | {xs(nb['raw'], p['raw'])} | {xs(nb['sim'], p['diff'])} | "
            f"{x(nb['sim'][0], e)} ({x(nb['sim'][1], ec)}) | {xs(r['eon'], p['diff'])} | "
            f"{x(r['eon'][0], e)} ({x(r['eon'][1], ec)}) |")
    lines += ["", "NEXTNet, both settings (mean wall (mean CPU); median wall of the processes in brackets after):", "",
              "| round | setting | process | `-t 0` (load) | sim |", "|---|---|---|---|---|"]
    for i, r in enumerate(rounds):
        for name, v in r["n"].items():
            lines.append(f"| {i + 1} | {name} | {wc(v['raw'])}, median {ms(v['raw_med'])} | "
                         f"{wc(v['load'])}, median {ms(v['load_med'])} | {wc(v['sim'])} |")
    lines += ["", "`uptime` before and after each round:", ""]
    for i, r in enumerate(rounds):
        lines.append(f"- round {i + 1}: `{r['before']}` / `{r['after']}`")
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    with open(os.path.join(FOLDER, "report.md"), "w") as f:
        f.write(report)
    print(f"written: {os.path.join(FOLDER, 'report.md')}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
