"""The EMA Workbench adapter: its experiments are the uncertain run's worlds, and a small
exploration with PRIM on top runs end to end (20 scenarios × 2 policies)."""

import math
import warnings

import numpy as np
import pytest

import permeate

ema_workbench = pytest.importorskip("ema_workbench")
from ema_workbench import Scenario, perform_experiments  # noqa: E402
from ema_workbench.analysis import prim  # noqa: E402

from permeate import ema  # noqa: E402

SEED = 11
REPLICATIONS = 10  # per design point and experiment: 40 experiments take a few seconds


def test_an_experiment_is_a_world_of_the_uncertain_run(acme_uncertain):
    """Known answer from the binary itself: feeding world w's factor values (worlds.csv) to the
    model as an EMA scenario gives exactly world w's per-point median T and reached share in
    the uncertain run's summary.csv. This holds the adapter to stripping `[uncertain]`, to the
    factor → path mapping (a factor with two paths) and to `scale` (value × the scenario's).

    Broken versions tried: a `scale` factor applied as `set` (processing medians 0.97 h instead
    of 3.9 h: fails); only the first path of a multi-path factor applied (fails); `[uncertain]`
    kept in the copy (every experiment is 200 worlds pooled: fails)."""
    worlds = 2
    uncertain = permeate.run(acme_uncertain, replications=REPLICATIONS, worlds=worlds, seed=SEED)
    m = ema.model(acme_uncertain, replications=REPLICATIONS, seed=SEED)
    ids = ema.names(acme_uncertain)
    table = uncertain.summary_table
    point_ids = ids["points"]
    for world in range(worlds):
        values = uncertain.worlds.loc[uncertain.worlds["world"] == world].iloc[0]
        scenario = Scenario(f"world{world}", **{ident: float(values[f]) for f, ident in ids["uncertainties"].items()})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, outcomes = perform_experiments(m, scenarios=[scenario])
        rows = table.loc[table["world"] == world]
        assert len(rows) == len(point_ids)
        for row in rows.itertuples():
            ident = point_ids[row.point]
            assert outcomes[f"reached_share_{ident}"][0] == row.reached_share
            median = outcomes[f"t80_median_hours_{ident}"][0]
            if math.isnan(row.t80_median_hours):
                assert math.isnan(median)
            else:
                assert median == row.t80_median_hours


def test_uncertainties_levers_and_outcomes(acme_uncertain):
    facts = permeate.check(acme_uncertain)
    factors = facts["study"]["uncertain"]["factors"]
    m = ema.model(acme_uncertain, levers={"involvement.fraction": (0.0, 0.5), "community_manager.mandate": [False, True]})
    by_name = {u.name: u for u in m.uncertainties}
    assert len(by_name) == len(factors)
    assert (by_name["channels_email_transmit"].lower_bound, by_name["channels_email_transmit"].upper_bound) == (0.6, 1.0)
    assert (by_name["processing_speed"].lower_bound, by_name["processing_speed"].upper_bound) == (0.5, 2.0)
    # beta(mean 0.7, sd 0.1) → its central 99%: a = 14, b = 6, quantiles ≈ 0.43 and 0.91.
    beta = by_name["roles_developer_notice"]
    assert 0.40 < beta.lower_bound < 0.46 and 0.89 < beta.upper_bound < 0.93
    assert sorted(lever.name for lever in m.levers) == ["community_manager_mandate", "involvement_fraction"]
    points = [p["name"] for p in facts["study"]["points"]]
    assert len(m.outcomes) == 2 * len(points)
    assert "reached_share_mandate_involvement_30" in [o.name for o in m.outcomes]


def test_perform_experiments_and_prim_on_reached_share(acme_uncertain):
    """20 scenarios × 2 policies (one lever) and PRIM on "the baseline reaches 95% of the
    developers in fewer than half of the replications". At threshold 0.95 (set for every
    experiment) the reached share varies between worlds, so both classes occur."""
    np.random.seed(SEED)  # EMA Workbench's Latin hypercube draws from NumPy's global generator
    m = ema.model(
        acme_uncertain,
        levers={"involvement.fraction": (0.0, 0.5)},
        replications=REPLICATIONS,
        seed=SEED,
        set={"target.threshold": 0.95},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        experiments, outcomes = perform_experiments(m, scenarios=20, policies=2)
    assert len(experiments) == 40
    inputs = [u.name for u in m.uncertainties] + [lever.name for lever in m.levers]
    assert set(inputs) <= set(experiments.columns)
    assert experiments["policy"].nunique() == 2 and experiments["scenario"].nunique() == 20
    assert {o.name for o in m.outcomes} == set(outcomes)
    assert all(v.shape == (40,) for v in outcomes.values())
    reached = outcomes["reached_share_baseline"]
    assert ((0 <= reached) & (reached <= 1)).all()

    y = reached < 0.5
    assert 0 < y.sum() < len(y), "both classes must occur for PRIM"
    x = experiments[inputs]
    alg = prim.Prim(x, y, threshold=0.5)
    box = alg.find_box()
    assert box is not None
    limits = box.box_lims[-1]
    assert list(limits.columns) == inputs and len(limits) == 2
    assert 0 < box.coverage <= 1 and 0 < box.density <= 1
