"""Exits 0 iff metric KEY of --metrics-json file A beats file B's by at least
MARGIN (higher is better; with --lower, lower is better), printing both:
check_better.py A.json B.json KEY MARGIN [--lower]."""
import json
import sys

a_path, b_path, key, margin = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
lower = "--lower" in sys.argv[5:]
a, b = json.load(open(a_path))[key], json.load(open(b_path))[key]
gain = (b - a) if lower else (a - b)
ok = gain >= margin
print(f"{key}: {a:.6g} vs baseline {b:.6g}, {'lower' if lower else 'higher'} by "
      f"{gain:.4g} ({'meets' if ok else 'FAILS'} the margin {margin:g})")
sys.exit(0 if ok else 1)
