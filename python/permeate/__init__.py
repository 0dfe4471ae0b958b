"""permeate from Python: run a scenario and get its results as pandas DataFrames.

The package calls the ``permeate`` binary that the wheel ships (installed into the environment's
scripts folder); nothing is simulated in Python. Every number is the binary's, byte for byte::

    import permeate
    res = permeate.run("scenarios/acme.toml", set={"involvement.fraction": 0.2}, replications=200)
    res.summary["variants"][0]["t_threshold"]["median"]   # hours
    res.summary_table                                       # summary.csv as a DataFrame

Errors: invalid input (the binary's exit status 2) raises :class:`InvalidInputError`, a
``ValueError`` whose message is the binary's message; any other failure (exit status 1) raises
:class:`PermeateError`, a ``RuntimeError``.

The EMA Workbench adapter is :mod:`permeate.ema`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sysconfig
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

__all__ = [
    "InvalidInputError",
    "PermeateError",
    "PermeateWarning",
    "RunResult",
    "binary",
    "check",
    "run",
    "toml_value",
]

#: Exit status of the binary for invalid input (scenario, CSV, arguments).
EXIT_INVALID_INPUT = 2
#: Environment variable that names the binary to use instead of the bundled one.
BINARY_ENV = "PERMEATE_BINARY"

PathLike = Union[str, os.PathLike]


class InvalidInputError(ValueError):
    """The binary refused its input (exit status 2): the message names file, line or key."""

    def __init__(self, message: str, command: list[str]):
        super().__init__(message)
        #: The binary's message (stderr), e.g. ``error: invalid argument: --set ...``.
        self.message = message
        #: The command line that was run.
        self.command = command


class PermeateError(RuntimeError):
    """The binary failed for another reason (exit status 1, or it could not be run)."""

    def __init__(self, message: str, command: Optional[list[str]] = None, returncode: Optional[int] = None):
        super().__init__(message)
        #: The binary's message (stderr) or why it could not be run.
        self.message = message
        #: The command line that was run (``None`` if the binary was not found).
        self.command = command
        #: The exit status (``None`` if the binary did not run).
        self.returncode = returncode


class PermeateWarning(UserWarning):
    """A warning the binary printed on stderr during a successful command."""


def binary() -> str:
    """The path of the ``permeate`` executable this package uses.

    In order: the environment variable ``PERMEATE_BINARY``; the one the wheel installed into this
    interpreter's scripts folder (or the user scripts folder of ``pip install --user``); the first
    ``permeate`` on ``PATH``. Raises :class:`PermeateError` if there is none.
    """
    explicit = os.environ.get(BINARY_ENV)
    if explicit:
        return explicit
    exe = "permeate.exe" if os.name == "nt" else "permeate"
    folders = [sysconfig.get_path("scripts")]
    try:
        folders.append(sysconfig.get_path("scripts", sysconfig.get_preferred_scheme("user")))
    except (KeyError, AttributeError):  # no user scheme on this platform
        pass
    for folder in folders:
        if folder:
            candidate = Path(folder) / exe
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    found = shutil.which("permeate")
    if found:
        return found
    raise PermeateError(
        "the permeate binary was not found: install the permeate wheel (pip install permeate-*.whl) "
        f"or set {BINARY_ENV} to the path of a permeate executable"
    )


def toml_value(value: Any) -> str:
    """``value`` written as a TOML value for ``--set PATH=VALUE``.

    ``bool`` → ``true``/``false``; integers and floats as numbers (``inf``/``nan`` as TOML's);
    ``str`` → a quoted TOML string (so ``"scheduled"`` stays the string ``scheduled``); lists
    → arrays; mappings → inline tables (``{"dist": "fixed", "value": 4}`` →
    ``{ dist = "fixed", value = 4 }``). NumPy scalars count as the Python value they hold.
    """
    if hasattr(value, "item") and not isinstance(value, (str, bytes)) and callable(value.item):
        try:
            value = value.item()  # a NumPy scalar (EMA Workbench passes those)
        except (TypeError, ValueError):
            pass
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)  # shortest round-trip form, valid TOML (0.2, 1e-05, 3.0)
    if isinstance(value, str):
        # A JSON string is a valid TOML basic string (same escapes, \uXXXX included).
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as a TOML value for --set")


def _set_args(set: Optional[Mapping[str, Any]]) -> list[str]:
    args: list[str] = []
    for path, value in (set or {}).items():
        args += ["--set", f"{path}={toml_value(value)}"]
    return args


def _names(variants: Union[None, str, Iterable[str]]) -> list[str]:
    if variants is None:
        return []
    if isinstance(variants, str):
        return [variants]
    return list(variants)


def _call(args: list[str]) -> str:
    """Runs the binary with ``args``; returns its stdout or raises by exit status."""
    command = [binary(), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace")
    except OSError as err:
        raise PermeateError(f"could not run {command[0]}: {err}", command) from err
    message = done.stderr.strip()
    if done.returncode == EXIT_INVALID_INPUT:
        raise InvalidInputError(message, command)
    if done.returncode != 0:
        raise PermeateError(message or f"permeate exited with status {done.returncode}", command, done.returncode)
    if message:
        warnings.warn(message, PermeateWarning, stacklevel=3)
    return done.stdout


def _read_csv(path: Path):
    """A result CSV as a DataFrame: only an empty field is missing (a point named "NA" stays)."""
    import pandas as pd

    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    if "world" in frame.columns:
        frame["world"] = frame["world"].astype("Int64")  # empty on pooled rows
    return frame


@dataclass(frozen=True)
class RunResult:
    """What ``permeate run`` wrote, loaded.

    ``summary`` is ``summary.json`` (a dict; hours); ``replications`` is ``replications.csv``
    (one row per variant, [world,] replication: ``t_threshold`` in hours, NaN where not
    reached); ``summary_table`` is ``summary.csv`` (one tidy row per design point, and per
    point and world with ``[uncertain]``; columns in docs/toolbox.md); ``curve`` is
    ``curve.csv`` (share of the target processed over ``hours``); ``worlds`` is
    ``worlds.csv`` (``world`` and one column per uncertain factor) or ``None`` for a run without
    worlds. ``out`` is the results folder if one was kept (``out=``), else ``None``.
    """

    summary: dict
    replications: Any
    summary_table: Any
    curve: Any
    worlds: Any
    out: Optional[Path]
    command: list[str] = field(repr=False)

    def __repr__(self) -> str:
        points = ", ".join(v["name"] for v in self.summary.get("variants", []))
        return f"RunResult({self.summary.get('scenario')!r}: {points}; out={self.out})"


def run(
    scenario: PathLike,
    set: Optional[Mapping[str, Any]] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    worlds: Optional[int] = None,
    variants: Union[None, str, Iterable[str]] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
) -> RunResult:
    """Runs ``permeate run SCENARIO`` and returns its results.

    ``set`` maps dotted paths to values (each becomes ``--set PATH=VALUE``, written by
    :func:`toml_value`), e.g. ``{"involvement.fraction": 0.2, "community_manager.mandate": True}``;
    the run records them in ``summary["command_line_set"]``. ``replications`` (``-n``),
    ``seed`` (``--seed``), ``worlds`` (``--worlds``, with ``[uncertain]``), ``variants`` (a name
    or names: ``--variant``; the baseline always runs), ``threads`` (``-j``; results do not
    depend on it). ``out``: the results folder to write and keep (with ``report.html`` and
    charts); by default a temporary folder that is removed once the files are loaded.
    """
    args = ["run", os.fspath(scenario), *_set_args(set)]
    if replications is not None:
        args += ["-n", str(int(replications))]
    if seed is not None:
        args += ["--seed", str(int(seed))]
    if worlds is not None:
        args += ["--worlds", str(int(worlds))]
    for name in _names(variants):
        args += ["--variant", name]
    if threads is not None:
        args += ["-j", str(int(threads))]
    if out is not None:
        return _run_into(args, Path(out), keep=True)
    with tempfile.TemporaryDirectory(prefix="permeate-") as tmp:
        return _run_into(args, Path(tmp) / "results", keep=False)


def _run_into(args: list[str], folder: Path, keep: bool) -> RunResult:
    args = [*args, "-o", os.fspath(folder), "-q", "--json"]
    summary = json.loads(_call(args))
    worlds_csv = folder / "worlds.csv"
    return RunResult(
        summary=summary,
        replications=_read_csv(folder / "replications.csv"),
        summary_table=_read_csv(folder / "summary.csv"),
        curve=_read_csv(folder / "curve.csv"),
        worlds=_read_csv(worlds_csv) if worlds_csv.is_file() else None,
        out=folder if keep else None,
        command=[binary(), *args],
    )


def run_summary(scenario: PathLike, args: Iterable[str] = ()) -> dict:
    """``permeate run SCENARIO ARGS... --json`` into a temporary folder: only ``summary.json``.

    The cheap path for many runs (the EMA adapter): no DataFrames are built.
    """
    with tempfile.TemporaryDirectory(prefix="permeate-") as tmp:
        out = os.fspath(Path(tmp) / "results")
        return json.loads(_call(["run", os.fspath(scenario), *args, "-o", out, "-q", "--json"]))


def check(scenario: PathLike, set: Optional[Mapping[str, Any]] = None) -> dict:
    """``permeate check SCENARIO --json``: the scenario's facts as a dict.

    Keys: ``schema_version``, ``valid``, ``file``, ``warnings``, ``memory_estimate_bytes`` and
    ``study`` (design ``points``, ``assumptions``, ``uncertain`` factors and worlds, …; see
    docs/toolbox.md). Invalid input raises :class:`InvalidInputError`.
    """
    return json.loads(_call(["check", os.fspath(scenario), *_set_args(set), "--json"]))
