#!/usr/bin/env python3
"""The same job done the way an analyst would without policykg.

Usage: python_way.py PLAN_DIR OUT_DIR

Regex parse of every plan's （责任单位：…） lists, an rdflib graph of items and
units, a Turtle serialisation, networkx centralities of the
co-responsibility network (degree, betweenness, eigenvector, PageRank) and a
GraphML export. Prints the number of triples.
"""

import glob
import os
import re
import sys

import networkx as nx
import rdflib

LIST = re.compile(r"（责任单位：([^）]*)）")
ITEM = re.compile(r"^(\d+\.|（[一二三四五六七八九十]+）)\s*([^。\n]*)。", re.M)


def main():
    plan_dir, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    pkg = rdflib.Namespace("https://w3id.org/policykg/ontology#")
    g = rdflib.Graph()
    net = nx.Graph()
    for path in sorted(glob.glob(os.path.join(plan_dir, "*.md"))):
        doc = os.path.basename(path)[:-3]
        text = open(path, encoding="utf-8").read()
        for k, line in enumerate(text.splitlines()):
            m, units = ITEM.match(line), LIST.search(line)
            if not (m and units):
                continue
            item = rdflib.URIRef(f"https://w3id.org/policykg/id/plan/{doc}/item/{k}")
            g.add((item, rdflib.RDF.type, pkg.ActionItem))
            g.add((item, rdflib.DCTERMS.title, rdflib.Literal(m.group(2), lang="zh")))
            names = units.group(1).split("、")
            for pos, name in enumerate(names, 1):
                unit = rdflib.URIRef(f"https://w3id.org/policykg/id/unit/{name}")
                a = rdflib.URIRef(f"{item}/assignment/{pos}")
                g.add((item, pkg.hasAssignment, a))
                g.add((a, pkg.unit, unit))
                g.add((a, pkg.position, rdflib.Literal(pos)))
                g.add((unit, rdflib.SKOS.prefLabel, rdflib.Literal(name, lang="zh")))
            for i, x in enumerate(names):
                for y in names[i + 1:]:
                    w = net[x][y]["weight"] + 1 if net.has_edge(x, y) else 1
                    net.add_edge(x, y, weight=w)
    g.serialize(os.path.join(out, "plans.ttl"), format="turtle")
    measures = {
        "degree": dict(net.degree(weight="weight")),
        "betweenness": nx.betweenness_centrality(net),
        "eigenvector": nx.eigenvector_centrality(net, weight="weight", max_iter=1000),
        "pagerank": nx.pagerank(net, weight="weight"),
    }
    for name, values in measures.items():
        nx.set_node_attributes(net, values, name)
    nx.write_graphml(net, os.path.join(out, "network.graphml"))
    print(len(g))


if __name__ == "__main__":
    main()
