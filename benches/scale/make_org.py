#!/usr/bin/env python3
"""Writes a large synthetic organisation for the scale test: N people (developers in teams of 10,
with leads, heads and the community) and about 5·N two-way links (each person: a team clique
share, plus random ties). Usage: make_org.py N OUT_DIR"""
import random
import sys
from pathlib import Path

n = int(sys.argv[1])
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(1)
with open(out / "people.csv", "w") as f:
    f.write("id,unit,role\ncommunity,external,community\n")
    f.writelines(f"p{i},u{i // 1000},{'team_lead' if i % 10 == 0 else 'developer'}\n" for i in range(n - 1))
m = 5 * n
with open(out / "links.csv", "w") as f:
    f.write("source,target,channel\n")
    rows = []
    for i in range(n - 1):
        # 3 links inside the team of 10 (ring within the team) ...
        base = i - i % 10
        for d in (1, 2, 3):
            j = base + (i % 10 + d) % 10
            if j < n - 1 and j != i:
                rows.append(f"p{i},p{j},team\n")
        # ... and 2 random ties anywhere.
        for _ in range(2):
            j = rng.randrange(n - 1)
            if j != i:
                rows.append(f"p{i},p{j},chat\n")
        if len(rows) > 100000:
            f.writelines(rows)
            rows = []
    for i in range(0, n - 1, 100):
        rows.append(f"community,p{i},feed\n")
    f.writelines(rows)
(out / "scenario.toml").write_text(f'''# Scale test: {n} people, about {m} two-way links (benches/scale/run.sh)
name = "scale-{n}"
seed = 1
replications = 20
horizon_hours = 2000
[organisation]
people = "people.csv"
links = "links.csv"
[channels.team]
delay = {{ dist = "lognormal", median = 2.0, sigma = 1.0 }}
transmit = 0.6
[channels.chat]
delay = {{ dist = "exponential", mean = 8.0 }}
transmit = 0.3
[channels.feed]
delay = {{ dist = "exponential", mean = 24.0 }}
[roles.developer]
notice = 0.8
processing = {{ dist = "gamma", shape = 2.0, scale = 1.5 }}
window = {{ dist = "lognormal", median = 40.0, sigma = 0.5 }}
[roles.team_lead]
notice = 0.9
window = {{ dist = "lognormal", median = 80.0, sigma = 0.5 }}
[source]
id = "community"
[target]
role = "developer"
''')
