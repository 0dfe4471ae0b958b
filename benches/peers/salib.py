#!/usr/bin/env python3
"""Peer comparison of permeate's Sobol indices against SALib (benches/peers/salib.sh).

Part 1 (Ishigami): runs `cargo run --release --example sobol_dump`, which prints permeate's
unit-cube Saltelli design (k = 3, N = 4096), the Ishigami outputs on it and permeate's indices
(`permeate::sensitivity::sobol`); feeds the same outputs, reordered to SALib's row order, to
`SALib.analyze.sobol.analyze(calc_second_order=False, num_resamples=1000, conf_level=0.95)`;
compares both with each other and with the known Ishigami indices; times both.

Part 2 (a permeate study, `--results DIR` of `permeate sensitivity ... -o DIR`): recomputes the
per-world outputs from replications.csv exactly as permeate does (median T per world and variant,
not reached = horizon; median paired difference with the baseline), runs SALib on them and
compares with sensitivity.csv row by row.

Agreement rule (both parts). SALib reports S ± half-width (normal approximation over its
bootstrap); permeate reports a percentile bootstrap interval [lo, hi]. An index AGREES when
  permeate's point estimate lies in SALib's interval  S_salib - conf <= S_permeate <= S_salib + conf
  AND SALib's point estimate lies in permeate's       lo <= S_salib <= hi
(with 1e-6 slack for the 6 decimals of sensitivity.csv). The verdict is PASS when every index of
both parts agrees and permeate's Ishigami intervals contain the known values; FAIL (exit 1)
otherwise. Diagnostics that are reported but do not decide the verdict: the known values inside
SALib's intervals, and a numpy transcription of permeate's estimator (to check that the inputs
were recomputed exactly and to separate the estimators' differences).
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np
from SALib.analyze import sobol as salib_sobol

ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]
SLACK = 1e-6
RESAMPLES = 1000
SALIB_SEED = 20261128
TIMED_CALLS = 5


def to_salib_order(y, n, k):
    """permeate: per base sample A, B, AB_1..AB_k  ->  SALib: A, AB_1..AB_k, B."""
    blocks = np.asarray(y, dtype=float).reshape(n, k + 2)
    return blocks[:, [0] + list(range(2, k + 2)) + [1]].ravel()


def salib_analyze(y_salib, names):
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    return salib_sobol.analyze(
        problem, y_salib, calc_second_order=False, num_resamples=RESAMPLES, conf_level=0.95, seed=SALIB_SEED
    )


def permeate_estimator(y, n, k, center=False, ddof=0):
    """numpy transcription of permeate::sensitivity::sobol's point estimates (permeate order):
    the S1 sum is centred on the mean of the A and B rows and the variance is over those 2n values
    (ddof 0). center=True centres all outputs on their overall mean first, as SALib does."""
    b = np.asarray(y, dtype=float).reshape(n, k + 2)
    if center:
        b = b - b.mean()
    a_, b_ = b[:, 0], b[:, 1]
    mean = (a_.sum() + b_.sum()) / (2 * n)
    var = (((a_ - mean) ** 2).sum() + ((b_ - mean) ** 2).sum()) / (2 * n - ddof)
    if var <= 0:
        return [0.0] * k, [0.0] * k
    s1 = [float(((b_ - mean) * (b[:, 2 + i] - a_)).sum() / n / var) for i in range(k)]
    st = [float(((a_ - b[:, 2 + i]) ** 2).sum() / (2 * n) / var) for i in range(k)]
    return s1, st


def agree(p, p_lo, p_hi, s, s_conf):
    in_salib = abs(p - s) <= s_conf + SLACK
    in_permeate = p_lo - SLACK <= s <= p_hi + SLACK
    return in_salib, in_permeate


def fmt_row(cells, widths):
    return "  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))


def table(title, header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    out = [title, fmt_row(header, widths), fmt_row(["-" * w for w in widths], widths)]
    out += [fmt_row(r, widths) for r in rows]
    return "\n".join(out)


def interval(lo, hi):
    return f"[{lo:.4f}, {hi:.4f}]"


def pm(s, conf):
    return f"{s:.4f} ± {conf:.4f}"


def compare_rows(output, names, perm, salib_res):
    """perm: list of dicts S1, S1_ci, ST, ST_ci per factor. Returns (rows, all_agree)."""
    rows, ok = [], True
    for i, name in enumerate(names):
        for which in ("S1", "ST"):
            p, (lo, hi) = perm[i][which], perm[i][which + "_ci"]
            s, conf = float(salib_res[which][i]), float(salib_res[which + "_conf"][i])
            a, b = agree(p, lo, hi, s, conf)
            ok &= a and b
            rows.append(
                [
                    output,
                    f"{name} {which}",
                    f"{p:.4f}",
                    interval(lo, hi),
                    pm(s, conf),
                    f"{p - s:+.4f}",
                    "yes" if a else "NO",
                    "yes" if b else "NO",
                    "agree" if a and b else "DISAGREE",
                ]
            )
    return rows, ok


HEADER = ["output", "index", "permeate", "permeate 95%", "SALib ± 95% half", "diff", "p∈SALib", "S∈perm", ""]


def timed_salib(y_salib, names):
    seconds, res = [], None
    for _ in range(TIMED_CALLS):
        t0 = time.perf_counter()
        res = salib_analyze(y_salib, names)
        seconds.append(time.perf_counter() - t0)
    return res, seconds


def part1(root, lines):
    print("== part 1: Ishigami, cargo run --release --example sobol_dump", flush=True)
    proc = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "sobol_dump"],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    d = json.loads(proc.stdout)
    n, k = d["n"], d["k"]
    u = np.asarray(d["design"], dtype=float)
    y = np.asarray(d["y"], dtype=float)
    assert u.shape == (n * (k + 2), k) and y.shape == (n * (k + 2),)
    # The design is what permeate says it is: AB_i = A with column i from B.
    blk = u.reshape(n, k + 2, k)
    for i in range(k):
        expect = blk[:, 0, :].copy()
        expect[:, i] = blk[:, 1, i]
        assert np.array_equal(blk[:, 2 + i, :], expect), f"AB_{i + 1} is not A with column {i + 1} from B"
    x = -math.pi + 2 * math.pi * u
    y_np = np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    max_dy = float(np.max(np.abs(y_np - y)))
    assert max_dy < 1e-9, f"Ishigami outputs differ from numpy's by {max_dy}"

    names = ["x1", "x2", "x3"]
    y_salib = to_salib_order(y, n, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res, salib_seconds = timed_salib(y_salib, names)
    perm = d["indices"]
    rows, ok = compare_rows("ishigami", names, perm, res)
    print(table(f"Ishigami, N = {n}, k = {k}, {n * (k + 2)} evaluations", HEADER, rows))

    # Known values.
    truth_rows, truth_ok = [], True
    for i, name in enumerate(names):
        for which, true in (("S1", ISHIGAMI_S1[i]), ("ST", ISHIGAMI_ST[i])):
            p, (lo, hi) = perm[i][which], perm[i][which + "_ci"]
            s, conf = float(res[which][i]), float(res[which + "_conf"][i])
            p_in = lo <= true <= hi
            s_in = abs(s - true) <= conf
            truth_ok &= p_in
            truth_rows.append(
                [
                    f"{name} {which}",
                    f"{true:.4f}",
                    f"{p:.4f}",
                    f"{p - true:+.4f}",
                    "yes" if p_in else "NO",
                    f"{s:.4f}",
                    f"{s - true:+.4f}",
                    "yes" if s_in else "no",
                ]
            )
    print()
    print(
        table(
            "Against the known Ishigami indices (a = 7, b = 0.1)",
            ["index", "known", "permeate", "error", "in perm 95%", "SALib", "error", "in SALib 95%"],
            truth_rows,
        )
    )
    # Shift check: Sobol indices do not depend on a constant added to the output.
    shift = d["shift"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res_shift = salib_analyze(to_salib_order(y + shift, n, k), names)
    perm_shift = d["indices_shifted"]
    shift_rows = []
    for i, name in enumerate(names):
        for which in ("S1", "ST"):
            p, ps = perm[i][which], perm_shift[i][which]
            lo, hi = perm[i][which + "_ci"]
            los, his = perm_shift[i][which + "_ci"]
            s, ss = float(res[which][i]), float(res_shift[which][i])
            shift_rows.append(
                [
                    f"{name} {which}",
                    f"{p:.4f}",
                    f"{ps:.4f}",
                    f"{hi - lo:.4f}",
                    f"{his - los:.4f}",
                    f"{s:.4f}",
                    f"{ss:.4f}",
                    f"{2 * float(res[which + '_conf'][i]):.4f}",
                    f"{2 * float(res_shift[which + '_conf'][i]):.4f}",
                ]
            )
    print()
    print(
        table(
            f"Shift check: the same outputs, and the outputs + {shift:g} (the indices should not change)",
            ["index", "permeate", f"+{shift:g}", "width", f"width +{shift:g}", "SALib", f"+{shift:g}",
             "width", f"width +{shift:g}"],
            shift_rows,
        )
    )
    max_shift = max(abs(perm[i][w] - perm_shift[i][w]) for i in range(k) for w in ("S1", "ST"))
    s1_np, st_np = permeate_estimator(y, n, k)
    transcription = max(
        max(abs(s1_np[i] - perm[i]["S1"]), abs(st_np[i] - perm[i]["ST"])) for i in range(k)
    )
    perm_s = d["sobol_seconds"]
    print()
    print(f"numpy transcription of permeate's estimator vs permeate: max |diff| = {transcription:.1e}")
    print(
        f"wall time of one analysis ({RESAMPLES} bootstrap resamples, N = {n}, k = {k}), {TIMED_CALLS} calls each:\n"
        f"  permeate::sensitivity::sobol   median {np.median(perm_s) * 1e3:8.1f} ms   (min {min(perm_s) * 1e3:.1f})\n"
        f"  SALib.analyze.sobol.analyze    median {np.median(salib_seconds) * 1e3:8.1f} ms   (min {min(salib_seconds) * 1e3:.1f})"
    )
    lines.append(("part 1 (Ishigami): permeate and SALib agree on all 6 indices", ok))
    lines.append(("part 1 (Ishigami): permeate's 95% intervals contain the known values", truth_ok))
    return {
        "max_shift": max_shift,
        "n": n,
        "permeate_ms": float(np.median(perm_s) * 1e3),
        "salib_ms": float(np.median(salib_seconds) * 1e3),
        "transcription": transcription,
    }


def quantile_sorted(v, p):
    """permeate::stats::quantile_sorted (linear interpolation), bit for bit."""
    h = (len(v) - 1) * p
    lo = math.floor(h)
    frac = h - lo
    a = v[lo]
    return a if frac == 0.0 else a + frac * (v[lo + 1] - a)


def part2(results_dir, lines):
    print(f"\n== part 2: permeate study in {results_dir}", flush=True)
    with open(os.path.join(results_dir, "summary.json")) as f:
        horizon = float(json.load(f)["horizon_hours"])
    with open(os.path.join(results_dir, "sensitivity.json")) as f:
        sens = json.load(f)
    assert sens["method"] == "sobol", "part 2 needs a Sobol study"
    n = int(sens["samples"])
    names = [fi["factor"] for fi in sens["outputs"][0]["factors"]]
    k = len(names)
    worlds = n * (k + 2)
    assert sens["worlds"] == worlds, f"{sens['worlds']} worlds, expected N(k+2) = {worlds}"
    reps = int(sens["replications"])

    # replications.csv -> per variant a worlds x reps array; "not reached" = horizon. The engine's
    # times are f32, printed in their shortest form: parse as f32 to get permeate's exact values.
    t = {}
    with open(os.path.join(results_dir, "replications.csv"), newline="") as f:
        for r in csv.DictReader(f):
            v = r["variant"]
            if v not in t:
                t[v] = np.full((worlds, reps), np.nan)
            val = float(np.float32(r["t_threshold"])) if r["reached"] == "true" else horizon
            t[v][int(r["world"]), int(r["replication"])] = val
    variants = list(t)
    assert not any(np.isnan(a).any() for a in t.values()), "replications.csv is incomplete"
    base = variants[0]

    def medians(a):
        return [quantile_sorted(sorted(row), 0.5) for row in a]

    ys = {}
    for o in sens["outputs"]:
        v = o["variant"]
        if o["decision"]:
            ys[o["output"]] = medians(t[v] - t[base])
        else:
            ys[o["output"]] = medians(t[v])

    perm_rows = {}
    with open(os.path.join(results_dir, "sensitivity.csv"), newline="") as f:
        for r in csv.DictReader(f):
            perm_rows.setdefault(r["output"], []).append(
                {
                    "factor": r["factor"],
                    "S1": float(r["S1"]),
                    "S1_ci": [float(r["S1_lo"]), float(r["S1_hi"])],
                    "ST": float(r["ST"]),
                    "ST_ci": [float(r["ST_lo"]), float(r["ST_hi"])],
                }
            )

    rows, ok, worst_transcription, n_idx, n_agree = [], True, 0.0, 0, 0
    diag = []
    widths = {"S1": [], "ST": []}
    for output, y in ys.items():
        perm = perm_rows[output]
        assert [p["factor"] for p in perm] == names
        s1_np, st_np = permeate_estimator(y, n, k)
        worst_transcription = max(
            worst_transcription, *(abs(s1_np[i] - perm[i]["S1"]) for i in range(k)),
            *(abs(st_np[i] - perm[i]["ST"]) for i in range(k))
        )
        y = np.asarray(y)
        if np.ptp(y) == 0.0:
            # SALib divides by Y.std() = 0; permeate reports 0 with interval [0, 0].
            const_ok = all(p[w] == 0.0 for p in perm for w in ("S1", "ST"))
            ok &= const_ok
            n_idx += 2 * k
            n_agree += 2 * k if const_ok else 0
            rows.append([output, "(constant)", "0", "", "n/a", "", "", "", "agree" if const_ok else "DISAGREE"])
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = salib_analyze(to_salib_order(y, n, k), names)
        for i in range(k):
            for which in ("S1", "ST"):
                half = float(res[which + "_conf"][i])
                if half > 0:
                    lo, hi = perm[i][which + "_ci"]
                    widths[which].append((hi - lo) / (2 * half))
        r, o_ok = compare_rows(output, names, perm, res)
        ok &= o_ok
        n_idx += len(r)
        n_agree += sum(1 for x in r if x[-1] == "agree")
        rows += r
        # Diagnostic: the two estimators' conventions on the same Y (point estimates only).
        s1_c, st_c = permeate_estimator(y, n, k, center=True, ddof=0)
        diag.append(
            (
                output,
                float(np.mean(y)),
                float(np.std(y, ddof=1)),
                max(abs(s1_np[i] - float(res["S1"][i])) for i in range(k)),
                max(abs(s1_c[i] - float(res["S1"][i])) for i in range(k)),
                max(abs(st_np[i] - float(res["ST"][i])) for i in range(k)),
            )
        )
    print(table(f"permeate study: N = {n}, k = {k}, {worlds} worlds, {reps} replications per world", HEADER, rows))
    print(f"\n{n_agree} of {n_idx} indices agree")
    print(f"numpy transcription of permeate's estimator on the recomputed outputs vs sensitivity.csv: "
          f"max |diff| = {worst_transcription:.1e} (csv has 6 decimals)")
    print("\nwhere the point estimates differ (max over factors):")
    print(
        table(
            "",
            ["output", "mean Y", "sd Y", "|ΔS1| permeate-SALib", "|ΔS1| if permeate centred Y", "|ΔST|"],
            [[o, f"{m:.1f}", f"{s:.1f}", f"{a:.4f}", f"{b:.1e}", f"{c:.4f}"] for o, m, s, a, b, c in diag],
        )
    )
    print(
        "\nwidth of permeate's 95% interval / width of SALib's (2 x half-width), median over indices: "
        f"S1 {np.median(widths['S1']):.2f}, ST {np.median(widths['ST']):.2f}"
    )
    lines.append((f"part 2 (permeate study): outputs recomputed exactly (max |diff| {worst_transcription:.1e})",
                  worst_transcription < 5e-6))
    lines.append((f"part 2 (permeate study): permeate and SALib agree on all {n_idx} indices", ok))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", help="results folder of `permeate sensitivity ... -o DIR` (part 2)")
    ap.add_argument("--skip-ishigami", action="store_true", help="only part 2")
    args = ap.parse_args()
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    print(f"SALib {version('SALib')}, numpy {np.__version__}, Python {sys.version.split()[0]}")
    lines = []
    if not args.skip_ishigami:
        part1(root, lines)
    if args.results:
        part2(args.results, lines)
    print("\n== verdict")
    for text, good in lines:
        print(f"  {'PASS' if good else 'FAIL'}  {text}")
    passed = bool(lines) and all(g for _, g in lines)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
