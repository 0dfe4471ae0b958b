"""permeate's scenario discovery (``permeate discover``: PRIM with peeling, pasting and the box
chosen on the trajectory) against EMA Workbench's PRIM on the same worlds and the same cases.

The data: ACME under uncertainty with developer notice widened to uniform 0.2–0.9, so whether
the baseline reaches 80% of the developers flips between worlds (200 worlds × 30 replications).
The cases are recomputed here from ``replications.csv`` (a world is a case when more than half
its baseline replications reach), independently of the binary, and handed to EMA Workbench's
``Prim`` with the same parameters (alpha 0.05 for peeling and pasting, minimum mass 0.05,
threshold density 0.8, the original objective: the peel that leaves the highest density). On
EMA's peeling trajectory the box is chosen as permeate chooses it: the largest coverage × density
among boxes of density ≥ 0.8.

Measured (2026-12-03, ema_workbench 2.x): both find the same one-factor box, developer notice ≥
0.376 (EMA) / ≥ 0.377 (permeate: the two place a bound between the same two worlds' values
differently), with
identical coverage 0.978, density 0.882 and mass 0.765.
This is a comparison with an independent implementation, not a known answer: the known answer
(a planted box recovered) is the Rust test of ``analysis::discovery``.
"""

import json
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import permeate

ema_workbench = pytest.importorskip("ema_workbench")
from ema_workbench.analysis import prim  # noqa: E402

WIDE_NOTICE = '"roles.developer.notice" = { dist = "uniform", min = 0.2, max = 0.9 }'


def test_discover_finds_the_box_ema_workbench_finds(acme_uncertain, tmp_path):
    text = acme_uncertain.read_text()
    narrow = '"roles.developer.notice" = { dist = "beta", mean = 0.7, sd = 0.1 }'
    assert narrow in text, "the bundled scenario changed: update this test's edit"
    text = text.replace(narrow, WIDE_NOTICE).replace("replications = 100 ", "replications = 30 ")
    text = text.replace("#:schema ../docs/scenario.schema.json\n", "")
    # A copy of the scenarios folder (the scenario's CSV files are relative to it).
    folder = tmp_path / "scenarios"
    shutil.copytree(Path(acme_uncertain).parent, folder, ignore=shutil.ignore_patterns("tools"))
    scenario = folder / "prim.toml"
    scenario.write_text(text)
    out, found = tmp_path / "run", tmp_path / "discover"
    subprocess.run([permeate.binary(), "run", str(scenario), "-q", "-o", str(out)], check=True)
    subprocess.run([permeate.binary(), "discover", str(out), "-q", "-o", str(found)], check=True)
    ours = json.loads((found / "discover.json").read_text())
    box = ours["prim_box"]
    assert box is not None, ours

    worlds = pd.read_csv(out / "worlds.csv").set_index("world").sort_index()
    reps = pd.read_csv(out / "replications.csv")
    base = reps[reps["variant"] == "baseline"]
    reached = base["reached"].astype(str).str.lower().isin(["true", "1"])
    share = reached.groupby(base["world"]).mean()
    y = (share > 0.5).reindex(worlds.index).to_numpy()
    assert int(y.sum()) == ours["cases"]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alg = prim.Prim(
            worlds.reset_index(drop=True),
            y,
            threshold=0.8,
            peel_alpha=0.05,
            paste_alpha=0.05,
            mass_min=0.05,
            obj_function=prim.PRIMObjectiveFunctions.ORIGINAL,
        )
        theirs = alg.find_box()
    t = theirs.peeling_trajectory
    dense = t[t["density"] >= 0.8]
    i = int((dense["coverage"] * dense["density"]).idxmax())
    row = t.loc[i]
    for key in ["coverage", "density", "mass"]:
        assert abs(row[key] - box[key]) < 0.02, f"{key}: EMA {row[key]:.3f}, permeate {box[key]:.3f}"
    limits = theirs.box_lims[i]
    full = theirs.box_lims[0]
    restricted = [
        c for c in worlds.columns if not np.isclose(limits[c][0], full[c][0]) or not np.isclose(limits[c][1], full[c][1])
    ]
    assert restricted == [lim["name"] for lim in box["limits"]], (restricted, box["limits"])
    for lim in box["limits"]:
        span = full[lim["name"]][1] - full[lim["name"]][0]
        if lim["low"] is not None:
            assert abs(limits[lim["name"]][0] - lim["low"]) < 0.02 * span
        if lim["high"] is not None:
            assert abs(limits[lim["name"]][1] - lim["high"]) < 0.02 * span
