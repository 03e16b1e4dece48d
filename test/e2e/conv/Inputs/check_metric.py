"""Exits 0 iff metric KEY of a --metrics-json FILE passes the bound, printing
it either way: check_metric.py FILE KEY '>=' 0.88 (or '<')."""
import json
import sys

path, key, op, bound = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
value = json.load(open(path))[key]
ok = value >= bound if op == ">=" else value < bound
print(f"{key} = {value:.6g} ({'meets' if ok else 'FAILS'} {op} {bound:g})")
sys.exit(0 if ok else 1)
