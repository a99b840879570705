#!/usr/bin/env bash
# Integration tests of the wharf command line: exit codes, standard input,
# options, error messages. Usage: cli.sh WHARF_BINARY. Prints ok/not ok lines.
set -u
W=${1:-build/san/wharf}
cd "$(dirname "$0")/../.." || exit 2
G=tests/golden/x12
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

t() {  # t NAME WANT_EXIT PATTERN -- command...: exit status and a pattern in stdout+stderr
  local name=$1 want=$2 pat=$3
  shift 4
  n=$((n + 1))
  "$@" > "$tmp/out" 2>&1
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "not ok $n - $name: exit $got, want $want"; sed 's/^/#   /' "$tmp/out" | head -10
  elif [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/out"; then
    echo "not ok $n - $name: output lacks /$pat/"; sed 's/^/#   /' "$tmp/out" | head -10
  else
    echo "ok $n - $name"
  fi
}

t "no arguments is a usage error" 2 "usage: wharf" -- "$W"
t "help" 0 "edi validate" -- "$W" help
t "help for one command" 0 "--guide G" -- "$W" help edi validate
t "help for an unknown topic" 2 "no help for" -- "$W" help nonsense
t "help on character sets" 0 "outbound-charset" -- "$W" help charset
t "unknown command" 2 "unknown command 'frobnicate'" -- "$W" frobnicate
t "unknown edi command" 2 "unknown command 'edi frob'" -- "$W" edi frob
t "version" 0 "^wharf [0-9]" -- "$W" --version
t "validate: missing FILE" 2 "FILE is missing" -- "$W" edi validate
t "validate: unknown option" 2 "unknown option '--frob'" -- "$W" edi validate --frob x
t "validate: file that does not exist" 2 "cannot open" -- "$W" edi validate "$tmp/none.edi"
# several files: each as if alone, the worst exit status, an unreadable one does not stop the rest
t "validate: several files, one with findings" 1 "amazon-df-850.edi: .*0 findings" -- \
  "$W" edi validate "$G/bad/$(ls "$G/bad" | head -1)" "$G/amazon-df-850.edi"
t "validate: several files, one unreadable: the others still checked" 2 "amazon-rp-850.edi: .*0 findings" -- \
  "$W" edi validate "$tmp/none.edi" "$G/amazon-rp-850.edi"
t "validate: --json takes one FILE" 2 "--json takes one FILE" -- \
  "$W" edi validate --json "$G/amazon-rp-850.edi" "$G/amazon-df-850.edi"
t "parse: several files, each after its name" 0 "==> .*amazon-df-850.edi <==" -- \
  "$W" edi parse "$G/amazon-rp-850.edi" "$G/amazon-df-850.edi"
t "ack: several files, an acknowledgment each" 0 "(ISA.*){2}" -- \
  sh -c '"$0" edi ack "$1" "$2" | tr -d "\n"' "$W" "$G/amazon-rp-850.edi" "$G/amazon-df-850.edi"
t "validate: valid file" 0 "1 accepted, 0 rejected, 0 findings" -- "$W" edi validate $G/amazon-rp-850.edi
t "validate: findings exit 1" 1 "AK403=8" -- "$W" edi validate $G/bad/bad-date.edi
t "validate: unknown guide" 2 "no guide partners/nobody/850" -- "$W" edi validate --guide partners/nobody/850 $G/amazon-rp-850.edi
t "validate: guide may not leave schemas" 2 "may not leave" -- "$W" edi validate --guide ../etc/passwd $G/amazon-rp-850.edi
t "validate: partner guide by name" 0 "0 findings" -- "$W" edi validate --guide partners/amazon-rp/850 $G/amazon-rp-850.edi
t "validate: DF guide rejects an RP order" 1 "element-code-not-allowed" -- "$W" edi validate --guide partners/amazon-df/850 $G/amazon-rp-850.edi
t "validate: guide for another set" 1 "does not match guide" -- "$W" edi validate --guide x12/004010/855 $G/amazon-rp-850.edi
t "validate --json: valid" 0 '"valid": true' -- "$W" edi validate --json $G/amazon-rp-850.edi
t "validate --json: findings" 1 '"x12_element_error": "8"' -- "$W" edi validate --json $G/bad/bad-date.edi
t "validate from stdin" 1 "^-: set 850 0001 segment 2" -- bash -c "$W edi validate - < $G/bad/bad-date.edi"
t "validate: empty stdin" 1 "no interchange" -- bash -c "$W edi validate - < /dev/null"
t "ack: 997 on stdout" 1 "^AK5\*R\*5~" -- "$W" edi ack $G/bad/bad-date.edi
t "ack: accepted exits 0" 0 "^AK9\*A\*1\*1\*1~" -- "$W" edi ack $G/amazon-rp-850.edi
t "ack: forced 999" 0 "^ST\*999\*" -- "$W" edi ack --type 999 $G/amazon-rp-850.edi
t "ack: TA1 only" 0 "^TA1\*000004721\*240315\*0712\*A\*000~" -- "$W" edi ack --type TA1 $G/amazon-rp-850.edi
t "ack: bad --type" 2 "must be 997, 999 or TA1" -- "$W" edi ack --type 998 $G/amazon-rp-850.edi
t "ack: bad WHARF_NOW" 2 "WHARF_NOW" -- env WHARF_NOW=yesterday "$W" edi ack $G/amazon-rp-850.edi
t "ack: WHARF_CONTROL_START" 0 "^GS\*FA\*.*\*41\*X\*004010~" -- env WHARF_CONTROL_START=41 "$W" edi ack $G/amazon-rp-850.edi
t "parse: positions" 0 "^ +4 +173 +2 +BEG\*00\*NE" -- "$W" edi parse $G/amazon-rp-850.edi
t "parse: envelope problem exits 1" 1 "SE01 says 12 segments" -- "$W" edi parse $G/bad/se01-count.edi
# a file cut before its GE: the listing ends without one (its pending GE
# line was never made: nothing to write, and no NULL to fwrite)
t "parse: a file cut before its GE" 1 "ST\*850" -- "$W" edi parse $G/bad/truncated.edi
n=$((n + 1))
if grep -q "runtime error\|AddressSanitizer" "$tmp/out"; then echo "not ok $n - parse of a file cut before its GE: a sanitizer report"; grep -m3 "runtime error\|AddressSanitizer" "$tmp/out" | sed 's/^/#   /'
else echo "ok $n - parse of a file cut before its GE: no sanitizer report"; fi
t "to-xml: loops from the guide" 0 '<loop id="PO1">' -- "$W" edi to-xml $G/amazon-rp-850.edi
t "from-xml: not XML" 1 "not well-formed" -- bash -c "echo 'ISA*' | $W edi from-xml -"
t "from-xml: wrong root" 1 "root element must be <x12>" -- bash -c "echo '<a/>' | $W edi from-xml -"
"$W" edi to-xml $G/amazon-rp-856-5010.edi > "$tmp/856.xml"
t "from-xml: 5010 with repetitions and composites" 0 "^MAN\*GM\*00006141410000002016~" -- "$W" edi from-xml "$tmp/856.xml"

# ---- maps ---------------------------------------------------------------------
M=mappings
t "map list names the Amazon maps" 0 "amazon-df/order-ack-to-855" -- "$W" map list
t "map run: RP 850 to a canonical order" 0 "<po-number>4Z32PABC</po-number>" -- "$W" map run amazon-rp/850-to-order $G/amazon-rp-850.edi
t "map run: --xml keeps the XML of an X12 output" 0 "<transaction set=\"855\"" -- "$W" map run --xml amazon-rp/order-ack-to-855 $M/amazon-rp/order-ack-to-855.tests/partial.input.xml
t "map run: 855 out as X12" 0 "^ACK\*IB\*4\*EA" -- "$W" map run amazon-rp/order-ack-to-855 $M/amazon-rp/order-ack-to-855.tests/partial.input.xml
t "map run: a refused input exits 1 with map file and line" 1 "850-to-order.xsl:[0-9]+: PO1 line 2: unit 'DZ'" -- "$W" map run amazon-rp/850-to-order $M/amazon-rp/850-to-order.tests/unknown-unit.input.edi
t "map run: unknown map" 2 "no map 'nobody/x'" -- "$W" map run nobody/x $G/amazon-rp-850.edi
t "map run: input that is nothing" 1 "neither X12, JSON nor XML" -- bash -c "echo 'hello' | $W map run amazon-rp/850-to-order -"
t "map run: bad --param" 2 "--param takes name=value" -- "$W" map run --param novalue amazon-rp/850-to-order $G/amazon-rp-850.edi
t "map check: compiles" 0 "amazon-rp/850-to-order: compiles" -- "$W" map check amazon-rp/850-to-order
