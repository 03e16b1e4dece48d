"""Prints the defined functions of an LLVM IR file whose attributes hold
optnone, one per line, sorted ("none" when there is none)."""
import re
import sys

text = open(sys.argv[1]).read()
groups = dict(re.findall(r"^attributes (#\d+) = \{(.*)\}$", text, re.M))
marked = []
for name, attrs in re.findall(r"^define [^@]*@([\w.]+)\(.*\)(.*)\{$", text, re.M):
    words = attrs.split()
    if "optnone" in words or any(
        "optnone" in groups.get(w, "").split() for w in words if w.startswith("#")
    ):
        marked.append(name)
print("\n".join(sorted(marked)) or "none")
