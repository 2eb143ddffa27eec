#!/usr/bin/env python3
"""Regenerates service-model.json (a trimmed copy of botocore's Step Functions model).

    python3 -m venv /tmp/bcvenv && /tmp/bcvenv/bin/pip install botocore
    /tmp/bcvenv/bin/python fuzz/http/trim_model.py > fuzz/http/service-model.json

Keeps, for every operation, its input shape and error names, every shape reachable from an
input (without documentation), and the names of the exception shapes.
"""
import gzip
import json
import os
import sys

import botocore

base = os.path.join(os.path.dirname(botocore.__file__), "data", "stepfunctions", "2016-11-23")
path = os.path.join(base, "service-2.json")
if os.path.exists(path):
    model = json.load(open(path))
else:
    model = json.load(gzip.open(path + ".gz"))

shapes = model["shapes"]
keep = {}


def visit(name):
    if name in keep:
        return
    s = {k: v for k, v in shapes[name].items() if k not in ("documentation", "exception", "box")}
    if "members" in s:
        s["members"] = {m: {"shape": d["shape"]} for m, d in s["members"].items()}
    if "member" in s:
        s["member"] = {"shape": s["member"]["shape"]}
    for k in ("key", "value"):
        if k in s:
            s[k] = {"shape": s[k]["shape"]}
    keep[name] = s
    for d in list(s.get("members", {}).values()) + [s[k] for k in ("member", "key", "value") if k in s]:
        visit(d["shape"])


ops = {}
for name, op in sorted(model["operations"].items()):
    ops[name] = {"input": op["input"]["shape"], "errors": [e["shape"] for e in op.get("errors", [])]}
    visit(op["input"]["shape"])

out = {
    "metadata": {k: model["metadata"][k] for k in ("apiVersion", "jsonVersion", "protocol", "targetPrefix")},
    "botocore_version": botocore.__version__,
    "operations": ops,
    "exceptions": sorted(n for n, s in shapes.items() if s.get("exception")),
    "shapes": dict(sorted(keep.items())),
}
json.dump(out, sys.stdout, indent=1, sort_keys=False)
sys.stdout.write("\n")
