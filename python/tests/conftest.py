"""Shared paths for the tests of the permeate Python package.

The tests use the binary the installed wheel ships (or ``PERMEATE_BINARY``), and the bundled
scenarios of the repository they are in.
"""

import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"

# EMA Workbench warns at import about optional parallel back-ends it cannot find.
warnings.filterwarnings("ignore", message="ipyparallel not installed")


@pytest.fixture
def acme():
    return SCENARIOS / "acme.toml"


@pytest.fixture
def acme_uncertain():
    return SCENARIOS / "acme-uncertain.toml"
