"""Copies a spec program, training on a deterministic part of its training
split: `train = SOURCE` becomes `let (part, rest) = split(SOURCE, FRACTION,
seed = 0)` and `train = part`, so a suite run stays within its time budget.
Further `OLD::NEW` arguments replace text (e.g. narrower layers); each must
match, so a changed spec program fails the test loudly.

usage: subset.py SRC DST FRACTION [OLD::NEW ...]"""
import re
import sys

src, dst, fraction = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(src).read()
text, count = re.subn(r"^(\s*)train = (idx\(.*\))$",
                      r"\1let (part, rest) = split(\2, %s, seed = 0)\n\1train = part"
                      % fraction, text, flags=re.M)
if count != 1:
    sys.exit("subset.py: expected one `train = idx(...)` line in " + src)
for replacement in sys.argv[4:]:
    old, new = replacement.split("::", 1)
    if old not in text:
        sys.exit("subset.py: %r not in %s" % (old, src))
    text = text.replace(old, new)
open(dst, "w").write(text)
