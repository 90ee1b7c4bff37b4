#!/usr/bin/env python3
"""Open every policykg export with the tool a user would use.

Usage: export_check.py POLICYKG STORE OUT_DIR

GraphML with networkx and igraph (node and edge counts, weights, labels
equal to what `policykg report` says), CSV with Python's csv module, and
every RDF syntax with rdflib (the same number of triples or quads as the
store). Exits 1 on any disagreement.
"""

import csv
import json
import os
import subprocess
import sys

import igraph
import networkx as nx
import rdflib

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def run(policykg, store, *args):
    return subprocess.run([policykg, *args, "--store", store], check=True, capture_output=True, text=True).stdout


def count(policykg, store, sparql):
    out = run(policykg, store, "query", "--format", "json", sparql)
    return int(json.loads(out)["results"]["bindings"][0]["n"]["value"])


def main():
    policykg, store, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    report = json.loads(run(policykg, store, "report", "--format", "json"))
    units = {u["unit"].removeprefix("https://w3id.org/policykg/id/"): u for u in report["units"]}
    edges = report["network"]["edges"]

    # GraphML: the co-responsibility network.
    path = os.path.join(out, "co.graphml")
    run(policykg, store, "export", "graphml", "--out", path)
    g = nx.read_graphml(path)
    check(g.number_of_nodes() == len(units), f"networkx nodes {g.number_of_nodes()} != {len(units)}")
    check(g.number_of_edges() == edges, f"networkx edges {g.number_of_edges()} != {edges}")
    for node, data in g.nodes(data=True):
        u = units[node]
        check(data["label"] == u["label"], f"label of {node}: {data['label']} != {u['label']}")
        check(data["items"] == u["items"], f"items of {node}")
        check(abs(data["betweenness"] - u["betweenness"]) < 1e-12, f"betweenness of {node}")
    strength = dict(g.degree(weight="weight"))
    for node, s in strength.items():
        check(abs(s - units[node]["strength"]) < 1e-9, f"strength from weights of {node}: {s}")
    h = igraph.Graph.Read_GraphML(path)
    check(h.vcount() == len(units) and h.ecount() == edges, f"igraph {h.vcount()} nodes, {h.ecount()} edges")
    check(sorted(h.vs["label"]) == sorted(u["label"] for u in units.values()), "igraph labels")
    check(abs(sum(h.es["weight"]) - sum(u["strength"] for u in units.values()) / 2) < 1e-9, "igraph weights")

    # GraphML: two-mode and yEd flavours.
    path = os.path.join(out, "two.graphml")
    run(policykg, store, "export", "graphml", "--network", "two-mode", "--out", path)
    b = nx.read_graphml(path)
    assignments = list(csv.DictReader(open(_csv(policykg, store, out, "assignments"), encoding="utf-8")))
    items = {n for n, d in b.nodes(data=True) if d["type"] == "item"}
    check(b.number_of_edges() == len(assignments), f"two-mode edges {b.number_of_edges()} != {len(assignments)}")
    check(nx.is_bipartite(b), "two-mode graph is bipartite")
    check(all(b.nodes[n]["bipartite"] in (0, 1) for n in b), "bipartite attribute")
    check(igraph.Graph.Read_GraphML(path).ecount() == len(assignments), "igraph two-mode edges")
    path = os.path.join(out, "yed.graphml")
    run(policykg, store, "export", "graphml", "--yed", "--out", path)
    check(nx.read_graphml(path).number_of_edges() == edges, "yEd flavour reads in networkx")

    # CSV.
    nodes = list(csv.DictReader(open(_csv(policykg, store, out, "nodes"), encoding="utf-8")))
    check(len(nodes) == len(units), "nodes.csv rows")
    check(list(nodes[0])[:2] == ["Id", "Label"], "nodes.csv starts with Id,Label")
    edge_rows = list(csv.DictReader(open(_csv(policykg, store, out, "edges"), encoding="utf-8")))
    check(len(edge_rows) == edges, "edges.csv rows")
    check(list(edge_rows[0])[:4] == ["Source", "Target", "Type", "Weight"], "edges.csv header")
    check(abs(sum(float(r["Weight"]) for r in edge_rows) - sum(u["strength"] for u in units.values()) / 2) < 1e-9, "edges.csv weights")
    item_rows = list(csv.DictReader(open(_csv(policykg, store, out, "items"), encoding="utf-8")))
    check(len(item_rows) >= len(items), f"items.csv has {len(item_rows)} rows for {len(items)} annotated items")
    run(policykg, store, "export", "csv", "--excel", "--out", os.path.join(out, "excel"))
    with open(os.path.join(out, "excel", "nodes.csv"), "rb") as f:
        check(f.read(3) == b"\xef\xbb\xbf", "--excel writes a byte-order mark")

    # RDF in every syntax.
    quads = count(policykg, store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    triples = count(policykg, store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    for ext, fmt, dataset in [("ttl", "turtle", False), ("nt", "nt", False), ("rdf", "xml", False),
                              ("nq", "nquads", True), ("trig", "trig", True), ("jsonld", "json-ld", True)]:
        path = os.path.join(out, f"store.{ext}")
        run(policykg, store, "export", "rdf", "--out", path)
        graph = rdflib.Dataset() if dataset else rdflib.Graph()
        graph.parse(path, format=fmt)
        got = len(list(graph.quads((None, None, None, None)))) if dataset else len(graph)
        want = quads if dataset else triples
        check(got == want, f"rdflib reads {got} from store.{ext}, the store has {want}")

    print(f"export check: GraphML (networkx, igraph, yEd), CSV and 6 RDF syntaxes (rdflib) on {len(units)} units, {edges} links, {quads} quads")
    for f in failures:
        print("MISMATCH", f)
    return 1 if failures else 0


def _csv(policykg, store, out, table):
    directory = os.path.join(out, "csv")
    if not os.path.exists(os.path.join(directory, f"{table}.csv")):
        run(policykg, store, "export", "csv", "--out", directory)
    return os.path.join(directory, f"{table}.csv")


if __name__ == "__main__":
    sys.exit(main())
