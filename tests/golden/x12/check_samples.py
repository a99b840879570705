#!/usr/bin/env python3
"""Dev tool: sanity checks for the golden X12 samples (not part of the build).

For every good sample (*.edi beside this script) it checks:
  - the ISA is exactly 106 bytes up to and including its segment terminator,
    with the fixed-width fields in place, ISA11 "U" for 00401 and "^" for 00501;
  - every segment ends with "~" followed by a newline;
  - GS08 agrees with ISA12, ST/SE counts and control numbers, GE01/GE02,
    IEA01/IEA02;
  - GS1 check digits of SSCCs (MAN*GM, with the "00" AI) and of UPC/EAN/GTIN
    identifiers (qualifiers UP, EN, UK) wherever they appear;
  - 810 invoices: TDS01 (implied cents) equals the sum of IT102*IT104 plus
    SAC charges minus SAC allowances.
For bad/ it checks that each envelope-level defect file fails with exactly the
expected problem, and that the files whose defect lies inside the transaction
set pass every envelope check (they must be otherwise valid).

Usage: python3 check_samples.py [-v]     exit 0 when everything holds.
"""
import glob
import os
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))


def gs1_ok(digits):
    if not digits.isdigit():
        return False
    total = 0
    for i, d in enumerate(reversed(digits[:-1])):
        total += int(d) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10 == int(digits[-1])


def check(data):
    """Return a list of problems (strings) found in one interchange file."""
    problems = []
    if len(data) == 0:
        return ["empty file"]
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return ["not ASCII"]
    if not text.startswith("ISA"):
        return ["does not start with ISA"]
    term = text.find("~")
    if term != 105:
        problems.append("ISA length %d, want 106" % (term + 1))
        return problems
    isa = text[:105].split("*")
    if len(isa) != 17:
        problems.append("ISA has %d elements, want 16" % (len(isa) - 1))
        return problems
    widths = [3, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1]
    for i, (f, w) in enumerate(zip(isa, widths)):
        if len(f) != w:
            problems.append("ISA%02d width %d, want %d" % (i, len(f), w))
    version = isa[12]
    want_rep = {"00401": "U", "00501": "^"}.get(version)
    if want_rep is None:
        problems.append("ISA12 %r unexpected" % version)
    elif isa[11] != want_rep:
        problems.append("ISA11 %r, want %r for %s" % (isa[11], want_rep, version))
    comp_sep = isa[16]

    if not text.endswith("~\n"):
        problems.append("file does not end with '~' and a newline (truncated?)")
    body = text[:-2] if text.endswith("~\n") else text
    raw_segs = body.split("~\n")
    for n, s in enumerate(raw_segs, 1):
        if "~" in s or "\n" in s:
            problems.append("segment %d: terminator not followed by newline" % n)
    segs = [s.split("*") for s in raw_segs]

    groups = 0
    gs = None
    sets_in_group = 0
    st = None
    st_count = 0
    set_segs = []
    saw_iea = False
    for seg in segs:
        sid = seg[0]
        if st is not None:
            st_count += 1
            set_segs.append(seg)
        if sid == "ISA":
            continue
        elif sid == "GS":
            if gs is not None:
                problems.append("GS %s inside an open group" % seg[6])
            gs = seg
            groups += 1
            sets_in_group = 0
            if len(seg) < 9 or seg[8][:5] != version:
                problems.append("GS08 %r does not match ISA12 %r" % (seg[8] if len(seg) > 8 else None, version))
        elif sid == "ST":
            if st is not None:
                problems.append("ST %s inside an open set" % seg[2])
            st = seg
            st_count = 1
            set_segs = [seg]
            sets_in_group += 1
        elif sid == "SE":
            if st is None:
                problems.append("SE without ST")
                continue
            if seg[1] != str(st_count):
                problems.append("SE01 %s, counted %d segments in set %s" % (seg[1], st_count, st[2]))
            if seg[2] != st[2]:
                problems.append("SE02 %s does not match ST02 %s" % (seg[2], st[2]))
            problems += check_set(st[1], set_segs, comp_sep)
            st = None
        elif sid == "GE":
            if gs is None:
                problems.append("GE without GS")
                continue
            if seg[1] != str(sets_in_group):
                problems.append("GE01 %s, counted %d sets in group %s" % (seg[1], sets_in_group, gs[6]))
            if seg[2] != gs[6]:
                problems.append("GE02 %s does not match GS06 %s" % (seg[2], gs[6]))
            gs = None
        elif sid == "IEA":
            saw_iea = True
            if seg[1] != str(groups):
                problems.append("IEA01 %s, counted %d groups" % (seg[1], groups))
            if seg[2] != isa[13]:
                problems.append("IEA02 %s does not match ISA13 %s" % (seg[2], isa[13]))
    if st is not None:
        problems.append("set %s has no SE" % st[2])
    if gs is not None:
        problems.append("group %s has no GE" % gs[6])
    if not saw_iea:
        problems.append("no IEA")
    return problems


def check_set(set_id, segs, comp_sep):
    problems = []
    for seg in segs:
        sid = seg[0]
        if sid == "MAN" and len(seg) > 2 and seg[1] == "GM":
            v = seg[2]
            if len(v) != 20 or not v.startswith("00") or not gs1_ok(v[2:]):
                problems.append("MAN*GM %s is not AI 00 + a valid SSCC-18" % v)
        if sid in ("PO1", "LIN", "IT1", "ACK"):
            start = {"PO1": 6, "IT1": 6, "LIN": 2, "ACK": 7}[sid]
            for q in range(start, len(seg) - 1, 2):
                if seg[q] in ("UP", "EN", "UK") and not gs1_ok(seg[q + 1]):
                    problems.append("%s %s*%s: bad GS1 check digit" % (sid, seg[q], seg[q + 1]))
    if set_id == "810":
        total = Decimal(0)
        tds = None
        for seg in segs:
            if seg[0] == "IT1":
                total += Decimal(seg[2]) * Decimal(seg[4])
            elif seg[0] == "SAC" and len(seg) > 5 and seg[5]:
                amt = Decimal(seg[5]) / 100
                total += amt if seg[1] == "C" else -amt
            elif seg[0] == "TDS":
                tds = Decimal(seg[1]) / 100
        if tds != total:
            problems.append("TDS %s does not equal the lines and charges %s" % (tds, total))
    return problems


# Envelope-level defects: (file, a substring the single expected problem must contain).
BAD_ENVELOPE = {
    "se01-count.edi": "SE01",
    "se02-mismatch.edi": "SE02",
    "ge01-count.edi": "GE01",
    "iea02-mismatch.edi": "IEA02",
    "isa-short.edi": "ISA length",
    "empty.edi": "empty file",
    "garbage.bin": None,  # any failure
    # a partner-guide defect (SSCC without its AI): the base envelope is clean,
    # the SSCC check here catches it
    "sscc-no-ai-5010.edi": "MAN*GM",
}
# Defects inside a transaction set: the envelope must be clean.
BAD_CONTENT = ["missing-mandatory.edi", "bad-date.edi", "too-long.edi", "unknown-segment.edi",
               "non-numeric.edi", "wrong-order.edi", "amazon-df-850-no-beg03.edi",
               "amazon-df-850-no-lines.edi"]


def main():
    verbose = "-v" in sys.argv
    failed = 0
    good = sorted(glob.glob(os.path.join(HERE, "*.edi")))
    for path in good:
        probs = check(open(path, "rb").read())
        name = os.path.basename(path)
        if probs:
            failed += 1
            print("FAIL %s" % name)
            for p in probs:
                print("     %s" % p)
        elif verbose:
            print("ok   %s" % name)

    bad_dir = os.path.join(HERE, "bad")
    for name, want in sorted(BAD_ENVELOPE.items()):
        path = os.path.join(bad_dir, name)
        if not os.path.exists(path):
            failed += 1
            print("FAIL bad/%s missing" % name)
            continue
        probs = check(open(path, "rb").read())
        if not probs or (want is not None and (len(probs) != 1 or want not in probs[0])):
            failed += 1
            print("FAIL bad/%s: want exactly one problem with %r, got %r" % (name, want, probs))
        elif verbose:
            print("ok   bad/%s -> %s" % (name, probs[0]))
    for name in BAD_CONTENT:
        path = os.path.join(bad_dir, name)
        probs = check(open(path, "rb").read())
        if probs:
            failed += 1
            print("FAIL bad/%s: envelope should be clean, got %r" % (name, probs))
        elif verbose:
            print("ok   bad/%s (envelope clean)" % name)
    path = os.path.join(bad_dir, "truncated.edi")
    probs = check(open(path, "rb").read())
    if not any("no SE" in p for p in probs):
        failed += 1
        print("FAIL bad/truncated.edi: want a missing SE, got %r" % probs)
    elif verbose:
        print("ok   bad/truncated.edi -> %s" % "; ".join(probs))
    listed = set(BAD_ENVELOPE) | set(BAD_CONTENT) | {"truncated.edi"}
    for extra in sorted(set(os.listdir(bad_dir)) - listed):
        print("note bad/%s is not known to this checker" % extra)

    print("%d good samples, %d bad files: %s" % (len(good), len(listed),
                                                 "all checks pass" if not failed else "%d failures" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
