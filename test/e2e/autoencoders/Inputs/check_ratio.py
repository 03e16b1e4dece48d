"""Exits 0 iff metric A of a --metrics-json FILE is at most FACTOR times
metric B (dotted keys reach into objects): check_ratio.py FILE A B FACTOR."""
import json
import sys

path, a_key, b_key, factor = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])


def lookup(key):
    value = json.load(open(path))
    for part in key.split("."):
        value = value[part]
    return value


a, b = lookup(a_key), lookup(b_key)
ok = a <= factor * b
print(f"{a_key} = {a:.6g}, {b_key} = {b:.6g}: ratio {a / b:.3f} "
      f"({'meets' if ok else 'FAILS'} <= {factor:g})")
sys.exit(0 if ok else 1)
