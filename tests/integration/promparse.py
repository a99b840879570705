#!/usr/bin/env python3
"""promparse: a strict reader of the Prometheus text exposition format
0.0.4, for tests/integration/metrics.sh (no Prometheus tool is needed).

Reads standard input; exit 0 when it is well formed, else 1 with each
problem on standard error as "line N: what". Checks: the input is UTF-8 and
ends with a newline; "# HELP name text" and "# TYPE name type" at most once
per family, TYPE before the family's samples, a known type; a family's
samples together (not interleaved with another's); metric and label names;
label values quoted with only \\\\, \\" and \\n escapes; each label once; the
value a float (or NaN, +Inf, -Inf), an optional integer timestamp; no
series twice. Prints the number of families and samples."""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}


def family_of(name, types):
    if name in types:
        return name
    for fam, t in types.items():
        for s in SUFFIXES.get(t, ()):
            if name == fam + s:
                return fam
    return name


def parse_labels(text, i, lineno, problems):
    """Labels from text[i] == '{' on; returns (dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if text[i:i + 1] == "}":
            return labels, i + 1
        m = re.compile(LABEL).match(text, i)
        if not m:
            raise ValueError("a label name at column %d" % (i + 1))
        name = m.group(0)
        i = m.end()
        if text[i:i + 2] != '="':
            raise ValueError('="" after label %s' % name)
        i += 2
        value = []
        while True:
            if i >= len(text):
                raise ValueError("label %s's value is not closed" % name)
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ValueError("label %s: escape \\%s is not one of \\\\ \\\" \\n" % (name, nxt))
                value.append({"n": "\n"}.get(nxt, nxt))
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise ValueError("a raw newline in label %s" % name)
            else:
                value.append(c)
                i += 1
        if name in labels:
            raise ValueError("label %s twice" % name)
        labels[name] = "".join(value)
        if text[i:i + 1] == ",":
            i += 1
        elif text[i:i + 1] != "}":
            raise ValueError("',' or '}' after label %s" % name)


def main():
    raw = sys.stdin.buffer.read()
    problems = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        print("not UTF-8: %s" % e, file=sys.stderr)
        return 1
    if text and not text.endswith("\n"):
        problems.append("line %d: the last line has no newline" % (text.count("\n") + 1))
    helps, types, seen, done_families = set(), {}, set(), set()
    current = None
    samples = 0
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        try:
            if line.startswith("#"):
                parts = line.split(" ", 3)
                if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                    name = parts[2]
                    if not re.fullmatch(NAME, name):
                        raise ValueError("bad metric name %r" % name)
                    if parts[1] == "HELP":
                        if name in helps:
                            raise ValueError("HELP for %s twice" % name)
                        helps.add(name)
                        if re.search(r"\\[^\\n]", parts[3] if len(parts) > 3 else ""):
                            raise ValueError("HELP %s: an escape other than \\\\ or \\n" % name)
                    else:
                        if name in types:
                            raise ValueError("TYPE for %s twice" % name)
                        t = parts[3] if len(parts) > 3 else ""
                        if t not in TYPES:
                            raise ValueError("TYPE %s: unknown type %r" % (name, t))
                        if any(family_of(s[0], {name: t}) == name for s in seen):
                            raise ValueError("TYPE %s after its samples" % name)
                        types[name] = t
                continue
            if line.strip() == "":
                continue
            m = re.compile(NAME).match(line)
            if not m:
                raise ValueError("a metric name first")
            name = m.group(0)
            i = m.end()
            labels = {}
            if line[i:i + 1] == "{":
                labels, i = parse_labels(line, i, lineno, problems)
            rest = line[i:].split()
            if not line[i:i + 1] == " " or len(rest) not in (1, 2):
                raise ValueError("' value [timestamp]' after the name and labels")
            if rest[0] not in ("NaN", "+Inf", "-Inf"):
                float(rest[0])
            if len(rest) == 2:
                int(rest[1])
            fam = family_of(name, types)
            if fam != current:
                if fam in done_families:
                    raise ValueError("family %s's samples are not together" % fam)
                if current is not None:
                    done_families.add(current)
                current = fam
            key = (name, tuple(sorted(labels.items())))
            if key in seen:
                raise ValueError("series %s%s twice" % (name, labels))
            seen.add(key)
            samples += 1
        except ValueError as e:
            problems.append("line %d: %s: %s" % (lineno, e, line[:120]))
    for p in problems:
        print(p, file=sys.stderr)
    print("%d families, %d samples" % (len(types), samples))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
