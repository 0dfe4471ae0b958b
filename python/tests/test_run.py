"""permeate.run / permeate.check against the binary's own files and command line."""

import csv
import json
import math
import os
import subprocess

import pytest

import permeate

# Small sizes: every test here takes well under a second on this machine.
REPLICATIONS = 50
SEED = 7


def binary_run(scenario, out, *args):
    """The binary run directly (the reference), as a user would from the shell."""
    subprocess.run([permeate.binary(), "run", str(scenario), *args, "-o", str(out), "-q"], check=True)
    return out


def read_replications_csv(path):
    """replications.csv read with the csv module (independent of pandas)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_run_equals_the_files_of_permeate_run(acme, tmp_path):
    """`run(out=A)` writes the same bytes as `permeate run` with the same arguments, and the
    DataFrames hold exactly those files' values (read independently with the csv module).

    Broken versions tried: `-n` not passed (the row count and the bytes differ); `t_threshold`
    read with NA-sniffing off for empty fields (NaN vs "" mismatch)."""
    res = permeate.run(acme, replications=REPLICATIONS, seed=SEED, out=tmp_path / "py")
    ref = binary_run(acme, tmp_path / "cli", "-n", str(REPLICATIONS), "--seed", str(SEED))

    names = sorted(p.name for p in ref.iterdir() if p.is_file())
    assert {"summary.json", "summary.csv", "replications.csv", "curve.csv"} <= set(names)
    assert names == sorted(p.name for p in res.out.iterdir() if p.is_file())
    for name in names:
        assert (res.out / name).read_bytes() == (ref / name).read_bytes(), name

    assert res.summary == json.loads((ref / "summary.json").read_text(encoding="utf-8"))
    rows = read_replications_csv(ref / "replications.csv")
    points = [v["name"] for v in res.summary["variants"]]
    assert len(rows) == len(res.replications) == REPLICATIONS * len(points)
    for row, (_, got) in zip(rows, res.replications.iterrows()):
        assert got["variant"] == row["variant"]
        assert got["replication"] == int(row["replication"])
        assert bool(got["reached"]) == (row["reached"] == "true")
        if row["t_threshold"] == "":
            assert math.isnan(got["t_threshold"])
        else:
            assert got["t_threshold"] == float(row["t_threshold"])

    table = res.summary_table
    assert list(table["point"]) == points
    for point, row in zip(res.summary["variants"], table.itertuples()):
        assert row.reached_share == point["reached_fraction"]
        assert row.t80_median_hours == point["t_threshold"]["median"]
    assert set(res.curve["variant"]) == set(points)
    assert res.worlds is None  # no [uncertain]


def test_run_without_out_keeps_nothing(acme):
    res = permeate.run(acme, replications=5, seed=SEED)
    assert res.out is None
    assert len(res.replications) == 5 * len(res.summary["variants"])


def test_set_changes_the_numbers_and_is_recorded(acme):
    """`set={"involvement.fraction": 0.3}` on the baseline gives exactly the replications of the
    variant "involvement 30%" (which sets that one path; common random numbers), differs from
    the plain baseline, and is recorded in `summary["command_line_set"]`.

    Broken versions tried: `set` dropped (baseline equals the plain one: fails); the value
    written with `str(round(v, 1))` for 0.25 (→ 0.2: the recorded text differs)."""
    plain = permeate.run(acme, replications=REPLICATIONS, seed=SEED)
    edited = permeate.run(acme, replications=REPLICATIONS, seed=SEED, set={"involvement.fraction": 0.3})
    assert edited.summary["command_line_set"] == ["involvement.fraction=0.3"]
    assert plain.summary.get("command_line_set", []) == []

    def times(res, variant):
        rep = res.replications
        return list(rep.loc[rep["variant"] == variant, "t_threshold"])

    assert times(edited, "baseline") == times(plain, "involvement 30%")
    assert times(edited, "baseline") != times(plain, "baseline")

    quarter = permeate.run(acme, replications=5, seed=SEED, set={"involvement.fraction": 0.25})
    assert quarter.summary["command_line_set"] == ["involvement.fraction=0.25"]


def test_bad_set_raises_value_error_with_the_binarys_message(acme, tmp_path):
    cli = subprocess.run(
        [permeate.binary(), "run", str(acme), "--set", "involvement.fraction=2", "-n", "5", "-o", str(tmp_path / "x"), "-q"],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 2
    with pytest.raises(ValueError) as caught:
        permeate.run(acme, replications=5, set={"involvement.fraction": 2})
    err = caught.value
    assert isinstance(err, permeate.InvalidInputError)
    assert str(err) == cli.stderr.strip()
    assert "--set involvement.fraction=2" in str(err) and "probability" in str(err)
    with pytest.raises(permeate.InvalidInputError, match="unknown key"):
        permeate.check(acme, set={"no_such_key": 1})


def fake_binary(tmp_path, status, message):
    script = tmp_path / f"fake-{status}"
    script.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit {status}\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the binary")
def test_exit_statuses_map_to_value_and_runtime_errors(acme, tmp_path, monkeypatch):
    monkeypatch.setenv(permeate.BINARY_ENV, fake_binary(tmp_path, 1, "error: disk on fire"))
    with pytest.raises(RuntimeError, match="disk on fire") as caught:
        permeate.run(acme)
    assert not isinstance(caught.value, ValueError) and caught.value.returncode == 1
    monkeypatch.setenv(permeate.BINARY_ENV, fake_binary(tmp_path, 2, "error: bad key"))
    with pytest.raises(ValueError, match="bad key"):
        permeate.check(acme)
    monkeypatch.setenv(permeate.BINARY_ENV, str(tmp_path / "missing"))
    with pytest.raises(permeate.PermeateError, match="could not run"):
        permeate.check(acme)


def test_check_returns_the_json(acme):
    facts = permeate.check(acme, set={"involvement.fraction": 0.2})
    assert facts["valid"] is True
    assert [p["name"] for p in facts["study"]["points"]][0] == "baseline"
    assert facts["study"]["assumptions"]["involvement"]["fraction"] == 0.2


def test_worlds_are_the_drawn_factor_values(acme_uncertain):
    """`worlds` holds worlds.csv: one row per world, one column per factor (the names of
    `check`'s factor list), with the values `check --json` lists for those worlds."""
    res = permeate.run(acme_uncertain, replications=3, worlds=4, seed=SEED)
    facts = permeate.check(acme_uncertain)
    factors = [f["name"] for f in facts["study"]["uncertain"]["factors"]]
    assert list(res.worlds.columns) == ["world", *factors]
    assert list(res.worlds["world"]) == [0, 1, 2, 3]
    assert set(res.replications.columns) >= {"variant", "world", "replication", "t_threshold", "reached"}
    per_world = res.summary_table.dropna(subset=["world"])
    assert len(per_world) == 4 * len(res.summary["variants"])
    # check --json draws with the scenario's seed; run the same seed to compare values.
    same_seed = permeate.run(acme_uncertain, replications=1, worlds=4)
    expected = facts["study"]["uncertain"]["worlds"]["values"][:4]
    assert same_seed.worlds[factors].values.tolist() == expected


@pytest.mark.parametrize(
    "value, text",
    [
        (True, "true"),
        (0.2, "0.2"),
        (3, "3"),
        (1e-05, "1e-05"),
        (float("inf"), "inf"),
        ("scheduled", '"scheduled"'),
        ('say "hi"', '"say \\"hi\\""'),
        ([1, 2.5], "[1, 2.5]"),
        ({"dist": "fixed", "value": 4}, '{ "dist" = "fixed", "value" = 4 }'),
    ],
)
def test_toml_value_known_answers(value, text):
    assert permeate.toml_value(value) == text
