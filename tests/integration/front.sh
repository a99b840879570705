#!/usr/bin/env bash
# The wharf front (cli/front.c): `wharf edi validate|ack` run in the front,
# which links no libxml2, when the guide cache holds what the files need,
# with the very output and exit status of the core (wharf-core); a front
# with no core beside it shows which runs it served alone. A cold, stale or
# unusable cache, a code list only libxml2 reads, and every other command go
# to the core, and nothing the front held back is seen twice.
. "$(dirname "$0")/lib.bash" "$@"
echo "TAP version 13"
export WHARF_NOW=2025-01-01T00:00:00Z
core=$(dirname "$W")/wharf-core
alone=$tmp/alone/wharf          # the front without its core
mkdir -p "$tmp/alone" && cp "$W" "$alone"
files=("$G"/*.edi "$G"/bad/*)
C=$tmp/cache

# out TAG PROG ARGS...: stdout and stderr as one stream, then the exit status
out() { local tag=$1; shift; "$@" > "$tmp/$tag" 2>&1; echo "exit $?" >> "$tmp/$tag"; }
same() {  # same NAME A B
  if cmp -s "$tmp/$2" "$tmp/$3"; then ok "$1"; else diff "$tmp/$2" "$tmp/$3" > "$tmp/diff"; no "$1" "$tmp/diff"; fi
}

# cold: the front has nothing to serve from, the core runs and fills the cache
out core.validate env WHARF_GUIDE_CACHE=0 "$core" edi validate "${files[@]}"
has "the core validated the golden files" "accepted" "$tmp/core.validate"
out cold.alone env WHARF_GUIDE_CACHE="$C" "$alone" edi validate "$G/amazon-rp-850.edi"
has "a cold cache: the front alone hands over to the core ..." "cannot find the program's core" "$tmp/cold.alone"
has "... and exits 70" "^exit 70$" "$tmp/cold.alone"
hasnt "... and shows nothing it held back" "accepted|finding" "$tmp/cold.alone"
out cold.validate env WHARF_GUIDE_CACHE="$C" "$W" edi validate "${files[@]}"
same "a cold cache: the front's validate is the core's" core.validate cold.validate

# warm: the front alone serves every command it takes, as the core does
for cmd in "validate" "ack"; do
  # shellcheck disable=SC2086 # cmd is one word here
  out "core.$cmd" env WHARF_GUIDE_CACHE=0 "$core" edi $cmd "${files[@]}"
  # shellcheck disable=SC2086
  out "warm.$cmd" env WHARF_GUIDE_CACHE="$C" "$alone" edi $cmd "${files[@]}"
  same "a warm cache: the front alone runs edi $cmd on ${#files[@]} files as the core does" "core.$cmd" "warm.$cmd"
done
has "... the ack run made 997s" '^ST\*997\*' "$tmp/warm.ack"
bad=0
for f in "$G/amazon-rp-850.edi" "$G/amazon-df-850.edi" "$G/amazon-rp-856-5010.edi" "$G"/bad/*; do
  out c.json env WHARF_GUIDE_CACHE=0 "$core" edi validate --json "$f"
  out f.json env WHARF_GUIDE_CACHE="$C" "$alone" edi validate --json "$f"
  cmp -s "$tmp/c.json" "$tmp/f.json" || { bad=$((bad + 1)); diff "$tmp/c.json" "$tmp/f.json" >> "$tmp/jdiff"; }
done
[ $bad = 0 ] && ok "validate --json: the front alone gives the core's document for every file" || no "validate --json: $bad differ" "$tmp/jdiff"

# a file that cannot be read between two that can: the messages keep their order
out core.order env WHARF_GUIDE_CACHE=0 "$core" edi validate "$G/amazon-rp-850.edi" "$tmp/no-such.edi" "$G/amazon-df-850.edi"
out warm.order env WHARF_GUIDE_CACHE="$C" "$alone" edi validate "$G/amazon-rp-850.edi" "$tmp/no-such.edi" "$G/amazon-df-850.edi"
same "an unreadable file among others: the same lines in the same order, the same exit" core.order warm.order
out core.usage "$core" edi validate --nope "$G/amazon-rp-850.edi"
out warm.usage env WHARF_GUIDE_CACHE="$C" "$alone" edi validate --nope "$G/amazon-rp-850.edi"
same "a usage error: the core's message and exit" core.usage warm.usage

# a command that ends the process with exit() (gw_now on a bad WHARF_NOW): what it
# wrote before is its message (tests/integration/cli.sh caught the front losing it)
out core.now env WHARF_NOW=yesterday WHARF_GUIDE_CACHE=0 "$core" edi ack "$G/amazon-rp-850.edi"
out warm.now env WHARF_NOW=yesterday WHARF_GUIDE_CACHE="$C" "$alone" edi ack "$G/amazon-rp-850.edi"
same "a bad WHARF_NOW in the front alone: the core's message and exit" core.now warm.now
has "... which names WHARF_NOW" "WHARF_NOW 'yesterday'" "$tmp/warm.now"

# stale: a guide edited after the cache was filled is read from XML by the core
cp -r schemas "$tmp/s"
po=$G/amazon-rp-850.edi
out s.warm env WHARF_SCHEMAS="$tmp/s" WHARF_GUIDE_CACHE="$C" "$W" edi validate "$po"
out s.alone env WHARF_SCHEMAS="$tmp/s" WHARF_GUIDE_CACHE="$C" "$alone" edi validate "$po"
same "a schemas copy, warm: the front alone serves it" s.warm s.alone
# the code list of BEG01 (element 353) loses 00, the file's, in a form only libxml2 reads
sed -i 's|<codes element="353" version="004010"\([^>]*\)>|<codes element="353" version="004010"\1><!-- edited -->|' "$tmp/s/x12/codes/004010/353.xml"
sed -i 's|<code name="Original">00</code>|<code name="Original">9\&#x30;</code>|' "$tmp/s/x12/codes/004010/353.xml"
out s.core env WHARF_SCHEMAS="$tmp/s" WHARF_GUIDE_CACHE=0 "$core" edi validate "$po"
has "the edited code list drops 00: the core rejects BEG01" "BEG|353" "$tmp/s.core"
out s.alone2 env WHARF_SCHEMAS="$tmp/s" WHARF_GUIDE_CACHE="$C" "$alone" edi validate "$po"
has "an edited code list the quick reader does not take (&#x30;): the front alone hands over" "cannot find the program's core" "$tmp/s.alone2"
out s.front env WHARF_SCHEMAS="$tmp/s" WHARF_GUIDE_CACHE="$C" "$W" edi validate "$po"
same "... and the front with its core gives the core's findings" s.core s.front
out s.front2 env WHARF_SCHEMAS="$tmp/s" WHARF_GUIDE_CACHE="$C" "$W" edi validate "$po"
same "... again (such a list is never cached: the core each time)" s.core s.front2
cp schemas/x12/codes/004010/353.xml "$tmp/s/x12/codes/004010/353.xml"
echo '<!-- edited -->' >> "$tmp/s/x12/004010/850.xml"
out s.alone3 env WHARF_SCHEMAS="$tmp/s" WHARF_GUIDE_CACHE="$C" "$alone" edi validate "$po"
has "a guide file edited after it was cached: the front alone does not use the old entry" "cannot find the program's core" "$tmp/s.alone3"
out s.front3 env WHARF_SCHEMAS="$tmp/s" WHARF_GUIDE_CACHE="$C" "$W" edi validate "$po"
out s.alone4 env WHARF_SCHEMAS="$tmp/s" WHARF_GUIDE_CACHE="$C" "$alone" edi validate "$po"
same "... the core compiled it again, and then the front alone serves it" s.front3 s.alone4

# standard input, a pipe, a FIFO: the core reads them (the front could not give
# back what it read if it handed over); a cold cache showed it
rm -rf "$tmp/cold2"
out in.core sh -c "WHARF_GUIDE_CACHE=0 '$core' edi validate - < '$po'"
out in.front sh -c "WHARF_GUIDE_CACHE='$tmp/cold2' '$W' edi validate - < '$po'"
same "standard input and a cold cache: the core's findings, not an empty input" in.core in.front
has "... one 850 accepted" "1 accepted" "$tmp/in.front"
out in.alone sh -c "WHARF_GUIDE_CACHE='$C' '$alone' edi validate - < '$po'"
has "standard input, a warm cache: the front alone hands over all the same" "cannot find the program's core" "$tmp/in.alone"
mkfifo "$tmp/fifo"
(cat "$po" > "$tmp/fifo" &)
# (a front that read the FIFO and handed over would leave the core waiting for a writer)
out fifo.front timeout 60 env WHARF_GUIDE_CACHE="$tmp/cold3" "$W" edi ack "$tmp/fifo"
has "a FIFO and a cold cache: the core acknowledges what came through it" '^AK9\*A\*1\*1\*1~' "$tmp/fifo.front"

# the cache off: the core
out off.alone env WHARF_GUIDE_CACHE=0 "$alone" edi validate "$po"
has "WHARF_GUIDE_CACHE=0: the front hands over to the core" "cannot find the program's core" "$tmp/off.alone"

# the rest is the core's, with the same arguments and environment
out v.alone "$alone" version
has "wharf version: the front alone" '^wharf [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/v.alone"
out st.alone "$alone" status -w "$tmp/none"
has "wharf status: the core's (the front alone cannot)" "cannot find the program's core" "$tmp/st.alone"
out st.core "$core" status -w "$tmp/none"
out st.front "$W" status -w "$tmp/none"
same "wharf status through the front: the core's message and exit" st.core st.front
out x.core "$core" edi to-xml "$po"
out x.front env WHARF_GUIDE_CACHE="$C" "$W" edi to-xml "$po"
same "wharf edi to-xml through the front: the core's document" x.core x.front
has "... an EDI-XML document" "<interchange|<x12" "$tmp/x.front"
out h.core "$core" help edi validate
out h.front "$W" help edi validate
same "wharf help through the front: the core's text" h.core h.front
echo "1..$n"
