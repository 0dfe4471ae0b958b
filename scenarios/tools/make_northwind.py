#!/usr/bin/env python3
"""Writes scenarios/northwind/people.csv and links.csv: the org chart and communication links of
"Northwind Software", a fictional about 150-person B2B software company (the bundled example).

Deterministic (fixed seed); run from the repository root:  python3 scenarios/tools/make_northwind.py
"""
import csv
import random
from pathlib import Path

rng = random.Random(20261126)
out = Path(__file__).resolve().parent.parent / "northwind"
people = []  # (id, unit, role)
links = []   # (source, target, channel, direction)


def person(pid, unit, role):
    people.append((pid, unit, role))
    return pid


def link(a, b, channel, direction="both"):
    links.append((a, b, channel, direction))


community = person("community", "external", "community")

# Management: CEO, CTO, CPO meet weekly with the unit heads.
execs = [person(x, "management", "executive") for x in ("ceo", "cto", "cpo")]

# Development: a head, two architects and nine product teams of a lead and eight developers.
head_dev = person("head-dev", "development", "head")
architects = [person(f"architect-{i}", "development", "team_lead") for i in (1, 2)]
teams = []
for t in range(1, 10):
    lead = person(f"dev-t{t}-lead", "development", "team_lead")
    devs = [person(f"dev-t{t}-{m}", "development", "developer") for m in range(1, 9)]
    teams.append((lead, devs))
    for i, d in enumerate(devs):
        link(lead, d, "standup")                     # daily stand-up
        for e in devs[i + 1:]:
            link(d, e, "team_chat")                  # the team's chat channel
        link(lead, d, "team_chat")
    link(head_dev, lead, "leads_sync")               # weekly leads sync
for a in architects:
    link(head_dev, a, "leads_sync")
    for lead, _ in teams:
        link(a, lead, "leads_sync")

# Product: a head, six product managers (each owns the backlog of one or two teams), two designers.
head_product = person("head-product", "product", "head")
pms = [person(f"pm-{i}", "product", "product_manager") for i in range(1, 7)]
designers = [person(f"designer-{i}", "product", "designer") for i in (1, 2)]
for pm in pms + designers:
    link(head_product, pm, "team_chat")
for i, (lead, devs) in enumerate(teams):
    pm = pms[i % len(pms)]
    link(pm, lead, "backlog")                        # sprint planning / refinement
for d in designers:
    for lead, _ in rng.sample(teams, 3):
        link(d, lead, "chat")

# Marketing: a head, the community manager, four marketers.
head_marketing = person("head-marketing", "marketing", "head")
cm = person("community-manager", "marketing", "community_manager")
marketers = [person(f"marketing-{i}", "marketing", "marketer") for i in range(1, 5)]
for m in [cm] + marketers:
    link(head_marketing, m, "team_chat")
link(community, cm, "community_watch")               # the manager reads the community
link(cm, pms[0], "email")                            # today's internal reach: two PMs by e-mail
link(cm, pms[1], "email")

# Support: a head, two shift leads and eighteen agents; agents answer customers in the community.
head_support = person("head-support", "support", "head")
support_leads = [person(f"support-lead-{i}", "support", "support_lead") for i in (1, 2)]
agents = [person(f"support-{i}", "support", "support_agent") for i in range(1, 19)]
for i, a in enumerate(agents):
    lead = support_leads[i % 2]
    link(lead, a, "team_chat")
    if i % 4 == 0:
        link(community, a, "community_watch")        # a quarter of the agents watch the forum
for sl in support_leads:
    link(head_support, sl, "team_chat")
    for pm in pms[:3]:
        link(sl, pm, "ticket_escalation")            # escalated tickets land with PMs

# Sales and customer success: a head and fourteen account managers.
head_sales = person("head-sales", "sales", "head")
sales = [person(f"sales-{i}", "sales", "account_manager") for i in range(1, 15)]
for s in sales:
    link(head_sales, s, "team_chat")

# Operations (finance, HR, IT): a head and seven people.
head_ops = person("head-ops", "operations", "head")
ops = [person(f"ops-{i}", "operations", "operations") for i in range(1, 8)]
for o in ops:
    link(head_ops, o, "team_chat")

# Weekly management meeting: executives and every head.
heads = [head_dev, head_product, head_marketing, head_support, head_sales, head_ops]
for i, e in enumerate(execs):
    for f in execs[i + 1:]:
        link(e, f, "management_meeting")
    for h in heads:
        link(e, h, "management_meeting")

# Informal ties: each employee has on average 1.5 direct-message contacts outside their own team.
employees = [p for p in people if p[1] != "external"]
group = {}
for lead, devs in teams:
    for p in [lead] + devs:
        group[p] = lead
have = set()
while len(have) < int(1.5 * len(employees) / 2):
    a, b = rng.sample(employees, 2)
    ga, gb = group.get(a[0], a[1]), group.get(b[0], b[1])
    if ga == gb or (a[0], b[0]) in have or (b[0], a[0]) in have:
        continue
    have.add((a[0], b[0]))
    link(a[0], b[0], "chat")

with open(out / "people.csv", "w", newline="") as f:
    f.write("# Northwind Software: everybody, one row per person (and the external community).\n")
    f.write("# Written by scenarios/tools/make_northwind.py.\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "unit", "role"])
    w.writerows(people)
with open(out / "links.csv", "w", newline="") as f:
    f.write("# Northwind Software: who talks to whom over which channel. direction: both (default) or forward.\n")
    f.write("# Written by scenarios/tools/make_northwind.py.\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["source", "target", "channel", "direction"])
    w.writerows(links)
print(f"{len(people)} people, {len(links)} links")
