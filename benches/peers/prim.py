"""PRIM of permeate against EMA Workbench's PRIM on the same data (issue 21). Not part of cargo test.

Run by prim.sh (which builds examples/prim_dump and sets up the venv):
    python prim.py --dump target/release/examples/prim_dump [--results results/acme-uncertain] [--out DIR]

Data sets: synthetic worlds with a known box (uniform factors on [0, 1], numpy seed per set), with
and without 10% label noise, one with a single deciding factor, and the real worlds of
results/acme-uncertain (case: a variant reaches the threshold in more than half of the world's
replications, as `permeate discover` and the decision section count it).

Both tools get the same rows. permeate: `permeate::analysis::discovery::prim` through
examples/prim_dump (peeling alpha 0.05, min mass 0.05, the box of the peeling trajectory with the
largest coverage x density among those with density >= 0.8, then pasting). EMA Workbench:
`Prim(x, y, threshold=0.8, peel_alpha=0.05, mass_min=0.05)` (objective LENIENT1, paste_alpha 0.05),
three boxes:
  EMA find_box : what `find_box()` returns: peeled until no peel improves its objective (or the
                 mass would fall below mass_min), then pasted;
  EMA rule     : the same peeling trajectory (`Prim._peel`), the box picked by permeate's rule
                 (largest coverage x density among density >= 0.8), then EMA's own pasting
                 (`Prim._paste`) from there; this is the like-for-like comparison;
  transcribed  : permeate's peeling and choice transcribed here (see transcribed_peeling), as
                 permeate breaks ties and as EMA does, to show where the tools part;
  EMA rule/np  : that box before pasting (shown only when pasting changed it);
  EMA orig rule: as EMA rule, but with obj_function=ORIGINAL (each peel maximises the density
                 left, Friedman and Fisher's original objective, which is permeate's); EMA then
                 peels down to mass_min, permeate stops when no peel raises the density.
Bounds: EMA's are quantile midpoints between two data values, permeate's are data values; a
factor is listed when the box cuts more than 2% of its range (permeate's RESTRICTED rule, applied
to both). Exit status 0 unless a tool fails; the agreement is read off the table (docs/validation.md).
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

import ema_workbench
from ema_workbench.analysis import prim as ema_prim

RESTRICTED = 0.02


def synthetic():
    """(name, x DataFrame, y bool array, known box {factor: (low, high)}, note)."""
    out = []

    def uniform(seed, n, k):
        rng = np.random.default_rng(seed)
        return rng, pd.DataFrame(rng.random((n, k)), columns=[f"x{i + 1}" for i in range(k)])

    rng, x = uniform(1, 1000, 4)
    y = ((x.x1 >= 0.62) & (x.x3 <= 0.4)).to_numpy()
    out.append(("box2d", x, y, {"x1": (0.62, None), "x3": (None, 0.4)}, "1000 worlds, 4 factors, no noise"))

    rng, x = uniform(2, 1000, 4)
    y = ((x.x1 >= 0.62) & (x.x3 <= 0.4)).to_numpy()
    flip = rng.random(len(y)) < 0.10
    out.append(("box2d-noise", x, y != flip, {"x1": (0.62, None), "x3": (None, 0.4)},
                "1000 worlds, 4 factors, 10% of labels flipped"))

    rng, x = uniform(3, 1000, 3)
    y = (x.x2 >= 0.55).to_numpy()
    out.append(("one-factor", x, y, {"x2": (0.55, None)}, "1000 worlds, 3 factors, no noise"))

    rng, x = uniform(4, 1000, 5)
    y = ((x.x2 >= 0.55) & (x.x4 >= 0.3) & (x.x5 <= 0.8)).to_numpy()
    flip = rng.random(len(y)) < 0.10
    out.append(("box3d-noise", x, y != flip, {"x2": (0.55, None), "x4": (0.3, None), "x5": (None, 0.8)},
                "1000 worlds, 5 factors, 3 bounds, 10% of labels flipped"))
    return out


def acme(results):
    """The real worlds of a permeate run with [uncertain]. Case per world: a variant reaches the
    threshold in more than half of the world's replications (one data set per variant whose case
    share is within permeate's MIN_CASE_SHARE [5%, 95%]), and, since in acme-uncertain every
    variant reaches in nearly all worlds, also: the baseline's median T in the world is below
    the median of the worlds' medians ("a fast world"; never counts as slowest)."""
    worlds = pd.read_csv(os.path.join(results, "worlds.csv")).sort_values("world")
    x = worlds.drop(columns=["world"]).astype(float).reset_index(drop=True)
    reps = pd.read_csv(os.path.join(results, "replications.csv"))
    reps["reached"] = reps["reached"].astype(str).str.lower() == "true"
    out = []
    for variant, g in reps.groupby("variant", sort=False):
        share = g.groupby("world")["reached"].mean().reindex(worlds["world"]).to_numpy()
        y = share > 0.5
        if 0.05 <= y.mean() <= 0.95:
            out.append((f"acme-uncertain: {variant}", x, y, None,
                        f"{len(x)} worlds of {results}, case: '{variant}' reaches in > half of the replications"))
        else:
            print(f"(acme-uncertain: '{variant}' reaches in > half of the replications in "
                  f"{100 * y.mean():.1f}% of the worlds: no flip, not compared)")
    base = reps[reps.variant == reps.variant.iloc[0]].copy()
    base["t"] = np.where(base["reached"], base["t_threshold"], np.inf)
    med = base.groupby("world")["t"].median().reindex(worlds["world"]).to_numpy()
    y = med < np.median(med)
    out.append((f"acme-uncertain: fast {base.variant.iloc[0]}", x, y, None,
                f"{len(x)} worlds of {results}, case: '{base.variant.iloc[0]}''s median T in the world "
                f"< the median over worlds ({np.median(med):.1f} h)"))
    return out


def transcribed_peeling(x, y, ema_ties):
    """A transcription of permeate's peeling and box choice (src/analysis/discovery.rs, `peels`
    and `prim` up to pasting), to show where the tools part. With `ema_ties` False it must give
    permeate's box whenever permeate's pasting changes nothing (checked in the table: "= Rust");
    with True, a tie in density between candidate peels goes as in EMA Workbench (fewer
    restricted factors first, then the first candidate in EMA's order: per factor upper, then
    lower) instead of to the last candidate (Rust's `max_by`). Returns (limits, quality)."""
    X = x.to_numpy()
    n, k = X.shape
    full = [[X[:, j].min(), X[:, j].max()] for j in range(k)]

    def inside(b):
        m = np.ones(n, dtype=bool)
        for j, (lo, hi) in enumerate(b):
            m &= (X[:, j] >= lo) & (X[:, j] <= hi)
        return m

    def density(b):
        m = inside(b)
        return y[m].sum() / m.sum() if m.sum() else 0.0

    def coverage(b):
        return y[inside(b)].sum() / y.sum()

    def peels(b):
        out = []
        m = inside(b)
        for j in range(k):
            v = np.sort(X[m, j])
            if len(v) < 2:
                continue
            kk = min(max(math.ceil(0.05 * len(v)), 1), len(v) - 1)
            pair = []
            above = v[kk:][v[kk:] > v[kk - 1]]
            if len(above):
                nb = [r[:] for r in b]
                nb[j][0] = above[0]
                pair.append(nb)
            top = len(v) - kk
            below = v[:top][v[:top] < v[top]]
            if len(below):
                nb = [r[:] for r in b]
                nb[j][1] = below[-1]
                pair.append(nb)
            out += pair[::-1] if ema_ties else pair
        return out

    def n_restricted(b):
        return sum((b[j][0] > full[j][0]) or (b[j][1] < full[j][1]) for j in range(k))

    b = [r[:] for r in full]
    trajectory = [b]
    while True:
        cands = [nb for nb in peels(b) if inside(nb).sum() >= 0.05 * n]
        if not cands:
            break
        d = [density(nb) for nb in cands]
        if ema_ties:
            best = max(range(len(cands)), key=lambda i: (d[i], -n_restricted(cands[i]), -i))
        else:
            best = max(range(len(cands)), key=lambda i: (d[i], i))
        if d[best] < density(b):
            break
        b = cands[best]
        trajectory.append(b)
    ok = [t for t in trajectory if density(t) >= 0.8]
    if not ok:
        return None
    scores = [coverage(t) * density(t) for t in ok]
    chosen = ok[max(range(len(ok)), key=lambda i: (scores[i], i))]
    lims = {c: (float(chosen[j][0]), float(chosen[j][1])) for j, c in enumerate(x.columns)}
    fullmap = {c: (float(full[j][0]), float(full[j][1])) for j, c in enumerate(x.columns)}
    return restricted(lims, fullmap), quality(x, y, lims)


def restricted(lims, full):
    """{factor: (low or None, high or None)} by permeate's 2% rule."""
    out = {}
    for c in full:
        lo0, hi0 = full[c]
        span = max(hi0 - lo0, sys.float_info.min)
        lo, hi = lims[c]
        low = lo if lo - lo0 > RESTRICTED * span else None
        high = hi if hi0 - hi > RESTRICTED * span else None
        if low is not None or high is not None:
            out[c] = (low, high)
    return out


def quality(x, y, lims):
    inside = np.ones(len(y), dtype=bool)
    for c, (lo, hi) in lims.items():
        inside &= (x[c] >= lo).to_numpy() & (x[c] <= hi).to_numpy()
    c = int((y & inside).sum())
    m = int(inside.sum())
    return {"coverage": c / max(int(y.sum()), 1), "density": c / max(m, 1), "mass": m / len(y)}


def lims_of(df):
    return {c: (float(df.loc[0, c]), float(df.loc[1, c])) for c in df.columns}


def run_permeate(dump, x, y, path):
    frame = x.copy()
    frame["case"] = y.astype(int)
    frame.to_csv(path, index=False, float_format="%.17g")
    start = time.perf_counter()
    res = subprocess.run([dump, path], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    doc = json.loads(res.stdout)
    b = doc["box"]
    if b is None:
        return None, doc["seconds"], wall
    limits = {l["name"]: (l["low"], l["high"]) for l in b["limits"]}
    q = {k: b[k] for k in ("coverage", "density", "mass")}
    return (limits, q), doc["seconds"], wall


def run_ema(x, y):
    full = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    # find_box as it is
    p = ema_prim.Prim(x, y, threshold=0.8, peel_alpha=0.05, mass_min=0.05)
    start = time.perf_counter()
    box = p.find_box()
    t_find = time.perf_counter() - start
    last = lims_of(box.box_lims[-1])
    found = (restricted(last, full), quality(x, y, last), len(box.box_lims) - 1)
    start = time.perf_counter()
    rule = rule_box(x, y, full, ema_prim.PRIMObjectiveFunctions.LENIENT1)
    t_rule = time.perf_counter() - start
    original = rule_box(x, y, full, ema_prim.PRIMObjectiveFunctions.ORIGINAL)
    return found, rule, original, t_find, t_rule


def rule_box(x, y, full, obj):
    """permeate's rule on EMA's peeling trajectory (objective `obj`), then EMA's pasting:
    ((limits, quality, index) before pasting, (limits, quality, pastes) after, peels)."""
    p2 = ema_prim.Prim(x, y, threshold=0.8, peel_alpha=0.05, mass_min=0.05, obj_function=obj)
    p2._update_yi_remaining(p2)
    peeled = p2._peel(ema_prim.PrimBox(p2, p2.box_init, p2.yi_remaining[:]))
    traj = peeled.peeling_trajectory
    ok = traj[traj.density >= 0.8]
    rule = None
    if len(ok):
        i = int((ok.coverage * ok.density).idxmax())
        chosen = peeled.box_lims[i]
        lims = lims_of(chosen)
        before = (restricted(lims, full), quality(x, y, lims), i)
        inside = np.ones(len(y), dtype=bool)
        for c, (lo, hi) in lims.items():
            inside &= (x[c] >= lo).to_numpy() & (x[c] <= hi).to_numpy()
        fresh = ema_prim.PrimBox(p2, p2.box_init, p2.yi_remaining[:])
        fresh.update(chosen, p2.yi_remaining[inside])
        pasted = p2._paste(fresh)
        plims = lims_of(pasted.box_lims[-1])
        rule = (before, (restricted(plims, full), quality(x, y, plims), len(pasted.box_lims) - 2), len(traj) - 1)
    return rule


def fmt_bound(b):
    lo, hi = b if b else (None, None)
    if lo is None and hi is None:
        return "–"
    return f"{'' if lo is None else f'{lo:.3f}'}…{'' if hi is None else f'{hi:.3f}'}".replace("…", " … ")


def table(name, note, factors, rows):
    """rows: (label, limits or None, quality or None, extra)."""
    lines = [f"### {name}", "", note, ""]
    head = ["box"] + list(factors) + ["coverage", "density", "mass", ""]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for label, limits, q, extra in rows:
        if limits is None:
            cells = ["no box"] * len(factors) + ["", "", ""]
        else:
            cells = [fmt_bound(limits.get(f)) for f in factors]
            cells += [f"{q['coverage']:.3f}", f"{q['density']:.3f}", f"{q['mass']:.3f}"]
        lines.append("| " + " | ".join([label] + cells + [extra]) + " |")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--results", default=None)
    ap.add_argument("--out", default="/tmp/permeate-prim-peer")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    sets = synthetic() + (acme(a.results) if a.results else [])
    report = [
        f"PRIM: permeate vs EMA Workbench {ema_workbench.__version__} (numpy {np.__version__}, "
        f"pandas {pd.__version__}, Python {sys.version.split()[0]})",
        f"load average before: {os.getloadavg()}",
        "",
    ]
    timing = ["| data set | permeate prim (s) | permeate process (s) | EMA find_box (s) | EMA rule + paste (s) |",
              "|---|---|---|---|---|"]
    for n, (name, x, y, known, note) in enumerate(sets):
        note = f"{note}; {int(y.sum())} cases of {len(y)}."
        ours, t_ours, wall_ours = run_permeate(a.dump, x, y, os.path.join(a.out, f"set{n}.csv"))
        found, rule, original, t_find, t_rule = run_ema(x, y)
        rows = []
        if known is not None:
            full = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
            kl = {c: (known[c][0] if c in known and known[c][0] is not None else full[c][0],
                      known[c][1] if c in known and known[c][1] is not None else full[c][1]) for c in x.columns}
            rows.append(("known", known, quality(x, y, kl), ""))
        rows.append(("permeate", *(ours if ours else (None, None)), ""))
        same = transcribed_peeling(x, y, ema_ties=False)
        agree = ours is not None and same is not None and same[0] == ours[0] and all(
            abs(same[1][q] - ours[1][q]) < 1e-12 for q in same[1])
        rows.append(("transcribed", *(same if same else (None, None)),
                     "= Rust (pasting changed nothing)" if agree else "differs from Rust (pasting moved it)"))
        ties = transcribed_peeling(x, y, ema_ties=True)
        rows.append(("transcribed, EMA ties", *(ties if ties else (None, None)), "ties as EMA breaks them"))
        for label, r in (("EMA rule", rule), ("EMA orig rule", original)):
            if r:
                rows.append((label, r[1][0], r[1][1], f"peel {r[0][2]} of {r[2]}, {r[1][2]} pastes"))
                if r[1][2]:
                    rows.append((label + "/np", r[0][0], r[0][1], "before pasting"))
            else:
                rows.append((label, None, None, "no box with density ≥ 0.8"))
        rows.append(("EMA find_box", found[0], found[1], f"{found[2]} steps"))
        report += table(name, note, list(x.columns), rows) + [""]
        timing.append(f"| {name} | {t_ours:.4f} | {wall_ours:.3f} | {t_find:.3f} | {t_rule:.3f} |")
    report += ["### Wall time (one run each; agreement, not speed)", ""] + timing
    report += ["", f"load average after: {os.getloadavg()}"]
    text = "\n".join(report)
    print(text)
    with open(os.path.join(a.out, "report.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
