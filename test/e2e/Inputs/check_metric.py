"""Exits 0 iff metric KEY of a --metrics-json FILE passes the bound, printing
it either way: check_metric.py FILE KEY '>=' 0.88 (or '<'). A dotted KEY
reaches into an object (test_metrics.iou)."""
import json
import sys

path, key, op, bound = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
value = json.load(open(path))
for part in key.split("."):
    value = value[part]
ok = value >= bound if op == ">=" else value < bound
print(f"{key} = {value:.6g} ({'meets' if ok else 'FAILS'} {op} {bound:g})")
sys.exit(0 if ok else 1)
