#!/usr/bin/env python3
"""Check policykg's network measures against networkx (and igraph).

Usage: networkx_check.py POLICYKG STORE [extra report args...]

Reads the units' measures from `policykg report --format json` and rebuilds
the co-responsibility graph independently from the `assignments` named query
(units linked when they share an item, weight = shared items), applying the
same selection (--key-tasks-only, --without-collectives, --document). Then
checks that every measure agrees with networkx (and igraph) to 1e-6. Exits 1
on any disagreement.
"""

import csv
import io
import json
import math
import subprocess
import sys

import networkx as nx

TOL = 1e-6


def run(policykg, store, *args):
    return subprocess.run(
        [policykg, *args, "--store", store], check=True, capture_output=True, text=True
    ).stdout


def main():
    policykg, store, *extra = sys.argv[1:]
    report = json.loads(run(policykg, store, "report", "--format", "json", *extra))
    units = {u["unit"]: u for u in report["units"]}
    rows = csv.DictReader(io.StringIO(run(policykg, store, "query", "--format", "csv", "--name", "assignments")))
    document = extra[extra.index("--document") + 1] if "--document" in extra else None
    items = {}
    for row in rows:
        if "--key-tasks-only" in extra and row["item_kind"] != "key-task":
            continue
        if document is not None and row["document"] != document:
            continue
        if row["unit"] in units:
            items.setdefault((row["document"], row["item_order"]), set()).add(row["unit"])
    G = nx.Graph()
    G.add_nodes_from(sorted(units))
    for members in items.values():
        members = sorted(members)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                w = G[a][b]["weight"] + 1 if G.has_edge(a, b) else 1.0
                G.add_edge(a, b, weight=w, distance=1.0 / w)

    expected = {
        "degree": dict(G.degree()),
        "strength": dict(G.degree(weight="weight")),
        "betweenness": nx.betweenness_centrality(G),
        "betweenness_weighted": nx.betweenness_centrality(G, weight="distance"),
        "closeness": nx.closeness_centrality(G),
        "eigenvector": nx.eigenvector_centrality(G, weight="weight", max_iter=10000, tol=1e-12),
        "pagerank": nx.pagerank(G, alpha=0.85, weight="weight", tol=1e-12, max_iter=10000),
        "clustering": nx.clustering(G),
        "core": nx.core_number(G),
        "constraint": nx.constraint(G, weight="weight"),
        # Passing `nodes` selects networkx's per-node definition (Burt 1992:
        # m_jq = w_jq / max_k w_jk). Without it networkx 3.6 takes a sparse
        # matrix path that divides by the maximum of q's row instead of j's
        # and disagrees with its own per-node code on weighted graphs.
        "effective_size": nx.effective_size(G, nodes=list(G), weight="weight"),
    }
    failures = []
    for measure, values in expected.items():
        for unit, want in values.items():
            got = units[unit][measure]
            if got is None and isinstance(want, float) and math.isnan(want):
                continue
            if got is None or abs(float(got) - float(want)) > TOL:
                failures.append(f"{measure} of {units[unit]['label']}: policykg {got}, networkx {want}")

    net = report["network"]
    communities = {}
    for unit, u in units.items():
        communities.setdefault(u["community"], set()).add(unit)
    figures = {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "density": nx.density(G),
        "components": nx.number_connected_components(G),
        "average_clustering": nx.average_clustering(G),
        "modularity": nx.community.modularity(G, communities.values(), weight="weight"),
    }
    for name, want in figures.items():
        if abs(float(net[name]) - float(want)) > TOL:
            failures.append(f"network {name}: policykg {net[name]}, networkx {want}")

    try:
        import igraph as ig
    except ImportError:
        ig = None
    if ig is not None:
        names = sorted(units)
        index = {n: i for i, n in enumerate(names)}
        edges = [(index[a], index[b]) for a, b in G.edges()]
        weights = [G[a][b]["weight"] for a, b in G.edges()]
        h = ig.Graph(n=len(names), edges=edges)
        n = len(names)
        scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
        for name, bet in zip(names, h.betweenness()):
            if abs(units[name]["betweenness"] - bet * scale) > TOL:
                failures.append(f"igraph betweenness of {units[name]['label']}: {bet * scale}")
        for name, pr in zip(names, h.pagerank(weights=weights, damping=0.85)):
            if abs(units[name]["pagerank"] - pr) > TOL:
                failures.append(f"igraph pagerank of {units[name]['label']}: {pr}")
        for name, cc in zip(names, h.transitivity_local_undirected(mode="zero")):
            if abs(units[name]["clustering"] - cc) > TOL:
                failures.append(f"igraph clustering of {units[name]['label']}: {cc}")

    louvain = nx.community.louvain_communities(G, weight="weight", seed=1)
    print(
        f"networkx check: {G.number_of_nodes()} units, {G.number_of_edges()} links, "
        f"{sum(len(v) for v in expected.values())} unit measures"
        + (" (+ igraph)" if ig is not None else "")
        + f"; modularity {figures['modularity']:.4f} (networkx louvain seed=1: "
        f"{nx.community.modularity(G, louvain, weight='weight'):.4f})"
    )
    for f in failures:
        print("MISMATCH", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
