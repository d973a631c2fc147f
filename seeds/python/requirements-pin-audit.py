#!/usr/bin/env python3
"""CI check: every requirement must be pinned with == and carry --hash entries,
and no package may appear on the internal deny list."""
import re
import sys
from pathlib import Path

DENY = {"pycrypto", "pyyaml<5.4", "insecure-package"}
LINE = re.compile(r"^(?P<name>[A-Za-z0-9_.\-\[\],]+)\s*(?P<op>==|>=|<=|~=|>|<)?\s*(?P<ver>[^\s;\\]+)?")


def logical_lines(text):
    buf = ""
    for raw in text.splitlines():
        raw = raw.split(" #", 1)[0].rstrip()
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        buf += raw
        if buf.strip() and not buf.lstrip().startswith("#"):
            yield buf.strip()
        buf = ""


def audit(path):
    problems = []
    for line in logical_lines(Path(path).read_text()):
        if line.startswith("-"):
            continue
        m = LINE.match(line)
        if not m:
            problems.append(f"unparseable: {line}")
            continue
        name = m["name"].lower().split("[")[0]
        if m["op"] != "==":
            problems.append(f"{name}: not pinned with == ({line.split()[0]})")
        if "--hash=sha256:" not in line:
            problems.append(f"{name}: missing --hash")
        if name in DENY or f"{name}<{m['ver']}" in DENY:
            problems.append(f"{name}: on deny list")
    return problems


if __name__ == "__main__":
    issues = [p for f in (sys.argv[1:] or ["requirements-lock.txt"]) for p in audit(f)]
    print("\n".join(issues) or "requirements OK")
    sys.exit(1 if issues else 0)
