"""Copies a spec program, training on a deterministic part of its training
split: `train = SOURCE` becomes `let (part, rest) = split(SOURCE, FRACTION,
seed = 0)` and `train = part`, so a suite run stays within its time budget
(FRACTION 1 keeps the whole split). `test=F` evaluates on a part of the
test split the same way. Further `OLD::NEW` arguments replace text (e.g.
narrower layers); each must match, so a changed spec program fails the
test loudly.

usage: subset.py SRC DST FRACTION [test=F] [OLD::NEW ...]"""
import re
import sys

src, dst, fraction = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(src).read()


def take_part(text, split, part, fraction):
    text, count = re.subn(
        r"^(\s*)%s = (idx\(.*\))$" % split,
        r"\1let (%s, %s_rest) = split(\2, %s, seed = 0)\n\1%s = %s"
        % (part, part, fraction, split, part), text, flags=re.M)
    if count != 1:
        sys.exit("subset.py: expected one `%s = idx(...)` line in %s"
                 % (split, src))
    return text


if float(fraction) != 1:
    text = take_part(text, "train", "train_part", fraction)
for argument in sys.argv[4:]:
    if argument.startswith("test="):
        text = take_part(text, "test", "test_part", argument[5:])
        continue
    old, new = argument.split("::", 1)
    if old not in text:
        sys.exit("subset.py: %r not in %s" % (old, src))
    text = text.replace(old, new)
open(dst, "w").write(text)
