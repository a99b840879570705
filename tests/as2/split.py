#!/usr/bin/env python3
"""split.py SIGNED PART1 SIG: splits a multipart/signed MIME entity (headers,
blank line, body) into its first part's exact bytes and its signature (DER),
as research §4.7 advises (not OpenSSL's own S/MIME reader)."""
import base64
import re
import sys

data = open(sys.argv[1], "rb").read()
head, _, body = data.partition(b"\r\n\r\n")
m = re.search(rb'boundary="?([^";\r\n]+)"?', head, re.I)
b = b"--" + m.group(1)
start = body.index(b + b"\r\n") + len(b) + 2
end = body.index(b"\r\n" + b, start)
part1 = body[start:end]
start2 = end + 2 + len(b) + 2
end2 = body.index(b"\r\n" + b, start2)
sig = body[start2:end2]
sh, _, sb = sig.partition(b"\r\n\r\n")
open(sys.argv[2], "wb").write(part1)
open(sys.argv[3], "wb").write(base64.b64decode(sb) if b"base64" in sh.lower() else sb)
