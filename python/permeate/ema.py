"""An EMA Workbench model of a permeate scenario.

::

    from ema_workbench import perform_experiments
    from permeate import ema

    m = ema.model("scenarios/acme-uncertain.toml",
                  levers={"involvement.fraction": (0.0, 0.5)}, replications=50)
    experiments, outcomes = perform_experiments(m, scenarios=100, policies=4)

- **Uncertainties** are the scenario's ``[uncertain]`` factors, read from
  ``permeate check SCENARIO --json`` (``study.uncertain.factors``): ``uniform``, ``triangular``
  and ``loguniform`` as a :class:`RealParameter` over ``[min, max]``; ``beta`` over its central
  99% interval (``ranges=`` overrides any factor's range); ``choice`` as a
  :class:`CategoricalParameter` of its values (EMA samples them evenly: the weights are not
  used).
- **Levers** are dotted paths with a range you give: a tuple ``(low, high)`` is a
  :class:`RealParameter` (an :class:`IntegerParameter` when both are ints), a list is a
  :class:`CategoricalParameter` (``[False, True]`` a :class:`BooleanParameter`).
- **Outcomes** per design point (baseline, variants, sweep points): ``t80_median_hours_<point>``
  (NaN where the median falls among replications that did not reach the threshold: "never") and
  ``reached_share_<point>``. Parameter and outcome names are Python identifiers made from the
  paths, factor and point names (``channels.email.transmit`` → ``channels_email_transmit``,
  ``involvement 30%`` → ``involvement_30``); :func:`names` gives the mapping.

Each experiment is one plain ``permeate run`` (one world): the ``[uncertain]`` table is left out
and every factor and lever is applied to the baseline with ``--set``; a ``scale`` factor as the
scenario's value times the factor (exactly what a world of the uncertain run does). ``--set`` on
a path that an ``[uncertain]`` factor drives is accepted by the binary but has no effect (the
world's value wins), so the ``[uncertain]`` table must go: the adapter writes a copy of the
scenario without it (``tomllib`` reads, ``tomli_w`` writes: a well-kept writer of the same data
rather than a hand-made one), beside the original so that its relative paths (CSV files) still
hold, as a hidden file removed after each run. Every experiment uses the same seed, so
experiments differ by their inputs only (common random numbers).
"""

from __future__ import annotations

import math
import os
import re
import tomllib
import uuid
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import tomli_w
from ema_workbench import (
    BooleanParameter,
    CategoricalParameter,
    IntegerParameter,
    Model,
    RealParameter,
    ScalarOutcome,
)

from . import InvalidInputError, PathLike, _names, _set_args, check, run_summary

__all__ = ["model", "names", "outcomes", "uncertainties", "levers", "identifier"]

#: Central probability of a ``beta`` factor's range: its 0.5% to 99.5% quantiles.
BETA_RANGE_PROBABILITY = 0.99
#: The threshold share whose time is called T80 (outcome names use ``t80`` then).
T80_SHARE = 0.8


def identifier(name: str) -> str:
    """A Python identifier for a path, factor or point name (EMA Workbench 3 requires them)."""
    text = re.sub(r"\W+", "_", name).strip("_") or "x"
    return "_" + text if text[0].isdigit() else text


def _unique(names: Iterable[str]) -> dict[str, str]:
    """name → identifier, with ``_2``, ``_3`` … where two names make the same identifier."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    for name in names:
        base = identifier(name)
        ident, n = base, 1
        while ident in taken:
            n += 1
            ident = f"{base}_{n}"
        taken.add(ident)
        result[name] = ident
    return result


def _beta_range(mean: float, sd: float) -> tuple[float, float]:
    from scipy.stats import beta

    k = mean * (1.0 - mean) / (sd * sd) - 1.0
    tail = (1.0 - BETA_RANGE_PROBABILITY) / 2.0
    low, high = beta.ppf([tail, 1.0 - tail], mean * k, (1.0 - mean) * k)
    return float(low), float(high)


def _factors(facts: dict) -> list[dict]:
    uncertain = facts["study"].get("uncertain")
    return list(uncertain["factors"]) if uncertain else []


def _factor_parameter(ident: str, factor: dict, ranges: Mapping[str, Sequence[float]]):
    name = factor["name"]
    dist = factor["dist"]
    if name in ranges:
        low, high = ranges[name]
    elif dist["dist"] in ("uniform", "triangular", "loguniform"):
        low, high = dist["min"], dist["max"]
    elif dist["dist"] == "beta":
        low, high = _beta_range(dist["mean"], dist["sd"])
    elif dist["dist"] == "choice":
        return CategoricalParameter(ident, list(dist["values"]))
    else:
        raise ValueError(f"uncertain factor {name!r}: no range known for dist = {dist['dist']!r}; pass ranges={{{name!r}: (low, high)}}")
    if not low < high:
        raise ValueError(f"uncertain factor {name!r}: its range [{low}, {high}] is a single value; give a wider one with ranges=")
    return RealParameter(ident, float(low), float(high))


def _lever_parameter(ident: str, path: str, spec: Any):
    if isinstance(spec, tuple) and len(spec) == 2:
        low, high = spec
        if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool) and not isinstance(high, bool):
            return IntegerParameter(ident, low, high)
        return RealParameter(ident, float(low), float(high))
    if isinstance(spec, list) and spec:
        if sorted(spec) == [False, True] and all(isinstance(v, bool) for v in spec):
            return BooleanParameter(ident)
        return CategoricalParameter(ident, spec)
    raise ValueError(f"lever {path!r}: give a range as a tuple (low, high) or the values as a list, got {spec!r}")


def _lookup(document: Any, path: str) -> Any:
    """The value at a dotted path of the parsed scenario (list indices as numbers)."""
    node = document
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(path)
    return node


class _Experiment:
    """The function of the EMA model: one ``permeate run`` per experiment (picklable)."""

    def __init__(
        self, scenario: Path, document: dict, inputs: dict, outcome_points: dict, run_args: list[str], fixed: dict
    ):
        self.scenario = scenario
        self.fixed = fixed  # path → value set in every experiment
        self.document = document
        self.inputs = inputs  # identifier → ("set", [paths]) or ("scale", [(path, base)])
        self.outcome_points = outcome_points  # point name → identifier
        self.run_args = run_args

    def sets(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The ``--set`` paths and values of one experiment."""
        result: dict[str, Any] = dict(self.fixed)
        for ident, value in values.items():
            if ident not in self.inputs:
                raise ValueError(f"unknown model input {ident!r} (inputs: {', '.join(self.inputs)})")
            if hasattr(value, "item"):
                value = value.item()
            mode, targets = self.inputs[ident]
            if mode == "scale":
                for path, base in targets:
                    result[path] = base * value
            else:
                for path in targets:
                    result[path] = value
        return result

    def __call__(self, **values: Any) -> dict[str, float]:
        copy = self.scenario.with_name(f".{self.scenario.stem}.ema-{os.getpid()}-{uuid.uuid4().hex[:8]}.toml")
        copy.write_text(tomli_w.dumps(self.document), encoding="utf-8")
        try:
            summary = run_summary(copy, [*_set_args(self.sets(values)), *self.run_args])
        finally:
            copy.unlink(missing_ok=True)
        result: dict[str, float] = {}
        for point in summary["variants"]:
            ident = self.outcome_points[point["name"]]
            median = point["t_threshold"]["median"]
            result[f"{self.t_prefix}_median_hours_{ident}"] = math.nan if median is None else float(median)
            result[f"reached_share_{ident}"] = float(point["reached_fraction"])
        return result

    t_prefix = "t80"


def names(scenario: PathLike, levers: Optional[Mapping[str, Any]] = None, variants=None) -> dict[str, dict[str, str]]:
    """The identifiers the model uses: ``{"uncertainties": {factor: id}, "levers": {path: id},
    "points": {point: id}}``."""
    facts = check(scenario)
    return _names_of(facts, levers or {}, _points(facts, variants))


def _points(facts: dict, variants) -> list[str]:
    points = [p["name"] for p in facts["study"]["points"]]
    chosen = _names(variants)
    if not chosen:
        return points
    reference = facts["study"].get("reference") or 0
    keep = {points[0], points[reference] if isinstance(reference, int) else reference, *chosen}
    return [p for p in points if p in keep]


def _names_of(facts: dict, levers: Mapping[str, Any], points: list[str]) -> dict[str, dict[str, str]]:
    factor_names = [f["name"] for f in _factors(facts)]
    inputs = _unique([*factor_names, *levers])
    return {
        "uncertainties": {n: inputs[n] for n in factor_names},
        "levers": {p: inputs[p] for p in levers},
        "points": _unique(points),
    }


def uncertainties(scenario: PathLike, ranges: Optional[Mapping[str, Sequence[float]]] = None) -> list:
    """The scenario's ``[uncertain]`` factors as EMA Workbench parameters (see the module doc)."""
    facts = check(scenario)
    ids = _names_of(facts, {}, [])["uncertainties"]
    return [_factor_parameter(ids[f["name"]], f, ranges or {}) for f in _factors(facts)]


def levers(spec: Mapping[str, Any]) -> list:
    """Levers from ``{path: (low, high) or [values]}`` as EMA Workbench parameters."""
    ids = _unique(spec)
    return [_lever_parameter(ids[p], p, s) for p, s in spec.items()]


def outcomes(scenario: PathLike, variants=None) -> list:
    """``t80_median_hours_<point>`` and ``reached_share_<point>`` per design point."""
    facts = check(scenario)
    return _outcomes(facts, _points(facts, variants))


def _t_prefix(facts: dict) -> str:
    return "t80" if all(p["threshold"] == T80_SHARE for p in facts["study"]["points"]) else "t_threshold"


def _outcomes(facts: dict, points: list[str]) -> list:
    prefix = _t_prefix(facts)
    result = []
    for ident in _unique(points).values():
        result.append(ScalarOutcome(f"{prefix}_median_hours_{ident}"))
        result.append(ScalarOutcome(f"reached_share_{ident}"))
    return result


def model(
    scenario: PathLike,
    levers: Optional[Mapping[str, Any]] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    variants: Union[None, str, Iterable[str]] = None,
    threads: Optional[int] = None,
    ranges: Optional[Mapping[str, Sequence[float]]] = None,
    set: Optional[Mapping[str, Any]] = None,
    name: str = "permeate",
) -> Model:
    """An EMA Workbench :class:`Model` of ``scenario`` (see the module doc).

    ``levers``: ``{path: (low, high) or [values]}``; ``replications`` per design point and
    experiment (``-n``; default the scenario's); ``seed`` (default the scenario's; the same for
    every experiment); ``variants`` restricts the design points run (``--variant``); ``threads``
    (``-j``); ``ranges``: ``{factor name: (low, high)}`` overrides a factor's range; ``set``:
    ``{path: value}`` applied to every experiment (``--set``, before the factors and levers, which
    win on the same path), e.g. ``{"target.threshold": 0.95}``.
    """
    scenario = Path(scenario)
    levers = dict(levers or {})
    fixed = dict(set or {})
    facts = check(scenario, set=fixed)
    points = _points(facts, variants)
    ids = _names_of(facts, levers, points)
    with scenario.open("rb") as f:
        document = tomllib.load(f)
    document.pop("uncertain", None)

    variant_sets = [(v.get("name"), v.get("set") or {}) for v in document.get("variants", [])]
    inputs: dict[str, tuple] = {}
    for factor in _factors(facts):
        ident = ids["uncertainties"][factor["name"]]
        if factor["mode"] == "scale":
            scaled = []
            for path in factor["paths"]:
                for variant, sets in variant_sets:
                    if any(path == key or path.startswith(key + ".") for key in sets):
                        raise InvalidInputError(
                            f"uncertain factor {factor['name']!r} scales {path}, which variant {variant!r} sets: "
                            "the EMA adapter applies factors to the baseline only (--set)",
                            [],
                        )
                try:
                    base = _lookup(document, path)
                except KeyError:
                    raise InvalidInputError(
                        f"uncertain factor {factor['name']!r} scales {path}, which {scenario} does not write out: "
                        "write its value into the scenario",
                        [],
                    ) from None
                scaled.append((path, base))
            inputs[ident] = ("scale", scaled)
        else:
            inputs[ident] = ("set", list(factor["paths"]))
    for path in levers:
        inputs[ids["levers"][path]] = ("set", [path])

    run_args: list[str] = []
    if replications is not None:
        run_args += ["-n", str(int(replications))]
    if seed is not None:
        run_args += ["--seed", str(int(seed))]
    for point in _names(variants):
        run_args += ["--variant", point]
    if threads is not None:
        run_args += ["-j", str(int(threads))]

    function = _Experiment(scenario, document, inputs, ids["points"], run_args, fixed)
    function.t_prefix = _t_prefix(facts)
    m = Model(name, function=function)
    m.uncertainties = [_factor_parameter(ids["uncertainties"][f["name"]], f, ranges or {}) for f in _factors(facts)]
    m.levers = [_lever_parameter(ids["levers"][p], p, s) for p, s in levers.items()]
    m.outcomes = _outcomes(facts, points)
    return m
