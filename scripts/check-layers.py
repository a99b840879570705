#!/usr/bin/env python3
"""check-layers: the include rules of ../shared/DESIGN.md ("Layers and folders"),
checked on the sources, so a dependency that points up fails `make check`.

What it checks, in every .c and .h under edi/, mappings/, gateway/ and cli/
(not tests/: a test may reach into anything):

  1. layers: a file includes only its own room and lower ones (ROOMS below);
     rooms of the same rank are siblings and may not include each other;
     a file in a room with no rank is an error (give the new room a rank);
  2. libraries: an external library's headers are included, and its functions
     and macros used (through another header too), only in the files that own
     it (LIBRARIES below), apart from the EXCEPTIONS, which are counted;
  3. cycles: no include cycle joins files of different rooms.

Each problem is one line, file:line: what. Exit 0 clean, 1 problems, 2 usage.
Usage: scripts/check-layers.py [--root DIR] [--allow-stale] [--except FILE:LIB]...
  --root DIR        check another tree (tests/layers/ has fixture trees)
  --allow-stale     an exception that matches nothing is not an error (fixtures)
  --except FILE:LIB one more exception, for this run only (fixtures: the
                    tree's own list is empty once the flows are done)
"""
import os
import re
import sys

# Rooms, lowest first. Same rank: siblings, which may not include each other.
# net/, secret/ and api/ are not there yet: their ranks follow DESIGN.md's table
# (transport/ and erp/ use net/ and secret/; api/ uses everything in gateway/).
ROOMS = [
    ("edi/", 0),
    ("mappings/", 1),
    ("gateway/store/", 2),
    ("gateway/core/", 3),
    ("gateway/docs/", 4),
    ("gateway/net/", 4.5),
    ("gateway/secret/", 4.5),
    ("gateway/transport/", 5),
    ("gateway/erp/", 5),
    ("gateway/flow/", 6),
    ("gateway/api/", 6.5),
    ("cli/", 7),
]

# Each external library: the headers that are its own, the names it exports,
# and its owners (a path ending in / owns its whole folder).
LIBRARIES = {
    "libxml2": {
        "header": r"^(libxml|libxslt|libexslt)/",
        "names": r"\b(xml[A-Z]\w*|xslt[A-Z]\w*|exslt[A-Z]\w*|XML_[A-Z]\w*|XSLT_[A-Z]\w*|BAD_CAST)\b",
        "owners": ["edi/exml.c", "edi/exml.h", "edi/guide_xml.c", "edi/guide.h",
                   "mappings/", "gateway/docs/",
                   "gateway/core/config.c"],  # it reads wharf.xml against config.xsd
    },
    "SQLite": {
        "header": r"^sqlite3(ext)?\.h$",
        "names": r"\b(sqlite3_\w+|SQLITE_[A-Z]\w*)\b",
        "owners": ["gateway/store/"],
    },
    "libcurl": {
        "header": r"^curl/",
        "names": r"\b(curl_\w+|CURL[A-Z]*_\w+)\b",
        "owners": ["gateway/net/"],
    },
    "zlib": {
        "header": r"^zlib\.h$",
        "names": r"\b(inflate(Init|End)?|deflate(Init|End|Bound)?|compress2|compressBound|uncompress2?|z_stream|Z_(OK|STREAM_END|NEED_DICT|NO_FLUSH|FINISH|DEFAULT_COMPRESSION|BEST_[A-Z]+|[A-Z]*_ERROR))\b",
        "owners": ["gateway/net/cms.c"],   # CompressedData (RFC 3274): OpenSSL on Debian has no zlib
    },
    "libmicrohttpd": {
        "header": r"^microhttpd\.h$",
        "names": r"\b(MHD_\w+)\b",
        "owners": ["gateway/net/"],
    },
    "libsodium": {
        "header": r"^sodium(\.h$|/)",
        "names": r"\b(sodium_\w+|randombytes_\w+|crypto_(secretbox|box|sign|pwhash|aead|kdf|generichash)\w*)\b",
        "owners": ["gateway/secret/"],
    },
}

# Files allowed to use a library they do not own, for now. Each says why; the
# list only shrinks (an entry that matches nothing is an error). None today:
# the flows, the ERP exchange and `wharf map` read, build and map documents
# through gateway/docs/ (cdoc.h, mapdoc.h) and mappings/ (map_run_bytes).
# Fixtures add theirs with --except.
EXCEPTIONS = {}

SCAN = ["edi", "mappings", "gateway", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def room_of(path):
    for prefix, rank in ROOMS:
        if path.startswith(prefix):
            return prefix, rank
    return None, None


def owns(owners, path):
    return any(path.startswith(o) if o.endswith("/") else path == o for o in owners)


def strip_code(text):
    """The text with comments and string and character literals blanked
    (newlines kept, so line numbers stay right)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def main(argv):
    root, allow_stale = ".", False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--root" and args:
            root = args.pop(0)
        elif a == "--allow-stale":
            allow_stale = True
        elif a == "--except" and args and ":" in args[0]:
            f, lib = args.pop(0).rsplit(":", 1)
            EXCEPTIONS[(f, lib)] = "given with --except"
        else:
            print(next(l for l in __doc__.splitlines() if l.startswith("Usage:")), file=sys.stderr)
            return 2

    files = []
    for top in SCAN:
        for d, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                if name.endswith((".c", ".h")):
                    files.append(os.path.relpath(os.path.join(d, name), root))
    files.sort()
    known = set(files)
    problems = []
    used_exceptions = set()
    edges = {}          # file -> [(target, line)]
    n_includes = 0

    for f in files:
        room, rank = room_of(f)
        if room is None:
            problems.append(f"{f}:1: no layer for {os.path.dirname(f)}/: give it a rank in ROOMS (scripts/check-layers.py)")
            continue
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        edges[f] = []
        for lineno, line in enumerate(text.splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            n_includes += 1
            kind, target = m.groups()
            if kind == "<":
                for lib, spec in LIBRARIES.items():
                    if re.search(spec["header"], target) and not owns(spec["owners"], f):
                        if (f, lib) in EXCEPTIONS:
                            used_exceptions.add((f, lib))
                        else:
                            problems.append(f"{f}:{lineno}: includes <{target}>, but {lib} belongs to {', '.join(spec['owners'])}")
                continue
            if target not in known:
                local = os.path.normpath(os.path.join(os.path.dirname(f), target))
                if local in known:
                    target = local
                else:
                    continue  # the compiler reports a missing header
            edges[f].append((target, lineno))
            troom, trank = room_of(target)
            if troom is None or troom == room:
                continue
            if trank > rank:
                problems.append(f"{f}:{lineno}: {room} (layer {rank:g}) includes \"{target}\" from {troom} (layer {trank:g}), a higher layer")
            elif trank == rank:
                problems.append(f"{f}:{lineno}: {room} includes \"{target}\" from its sibling {troom}: siblings may not include each other")

        code = strip_code(text)
        for lib, spec in LIBRARIES.items():
            if owns(spec["owners"], f):
                continue
            names = re.compile(spec["names"])
            hits = [(i, m.group(0)) for i, l in enumerate(code.splitlines(), 1) for m in names.finditer(l)]
            if not hits:
                continue
            if (f, lib) in EXCEPTIONS:
                used_exceptions.add((f, lib))
                continue
            lineno, name = hits[0]
            more = f" (and {len(hits) - 1} more uses)" if len(hits) > 1 else ""
            problems.append(f"{f}:{lineno}: uses {name}{more}, but {lib} belongs to {', '.join(spec['owners'])}")

    # include cycles that join rooms: strongly connected components (Tarjan)
    index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]

    def connect(v):
        work = [(v, iter(edges.get(v, [])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w, _ in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(edges.get(w, []))))
                    advanced = True
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                sccs.append(comp)

    for f in sorted(edges):
        if f not in index:
            connect(f)
    for comp in sccs:
        rooms = {room_of(f)[0] for f in comp}
        if len(comp) < 2 or len(rooms) < 2:
            continue
        members = set(comp)
        start = min(comp)
        # one cycle through start, by breadth-first search back to it
        prev, queue, seen = {}, [start], {start}
        found = None
        while queue and not found:
            v = queue.pop(0)
            for w, line in edges.get(v, []):
                if w not in members:
                    continue
                if w == start:
                    found = (v, line)
                    break
                if w not in seen:
                    seen.add(w)
                    prev[w] = (v, line)
                    queue.append(w)
        path, (v, line) = [], found
        path.append(f"{v}:{line}")
        while v != start:
            v, line = prev[v]
            path.append(f"{v}:{line}")
        path.reverse()
        problems.append(f"{start}:1: include cycle across {', '.join(sorted(rooms))}: {' -> '.join(path)} -> {start}")

    if not allow_stale:
        for (f, lib), why in sorted(EXCEPTIONS.items()):
            if (f, lib) not in used_exceptions:
                problems.append(f"scripts/check-layers.py:1: exception for {f} ({lib}) matches nothing: remove it from EXCEPTIONS")

    for p in problems:
        print(p)
    exc = sorted(used_exceptions)
    print(f"check-layers: {len(files)} files, {n_includes} includes; {len(exc)} exceptions remain "
          f"({', '.join(f for f, _ in exc) or 'none'})")
    if problems:
        print(f"check-layers: {len(problems)} problems")
        return 1
    print("check-layers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
