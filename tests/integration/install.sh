#!/usr/bin/env bash
# install.sh — the operations kit: `make install DESTDIR=... PREFIX=/usr`
# lays out the tree (release binary, schemas, maps, console, wharf(1), the
# systemd unit and its user); the installed binary finds its installed data
# with no WHARF_* variable, also when the tree is moved elsewhere (its serve
# answers with the moved tree's console files); the man
# page renders without warnings and has every `wharf help` text, the same;
# the unit passes systemd-analyze verify; `wharf serve` tells a stand-in for
# systemd's NOTIFY_SOCKET (a real AF_UNIX datagram socket) READY=1,
# WATCHDOG=1, RELOADING=1 and STOPPING=1; `make uninstall` removes it all.
# The binary is build/wharf (the release build `make check` has already
# made): the one `make install` copies, and the one systemd would run; it
# runs its core, build/wharf-core, installed as libexec/wharf-core.
. "$(dirname "$0")/lib.bash" "$@"
echo "TAP version 13"

root=$tmp/root
usr=$root/usr
if make -s install DESTDIR="$root" PREFIX=/usr > "$tmp/make.log" 2>&1; then ok "make install DESTDIR PREFIX=/usr"; else no "make install" "$tmp/make.log"; fi
bin=$usr/bin/wharf
[ -x "$bin" ] && cmp -s "$bin" build/wharf && ok "the release binary is usr/bin/wharf" || no "no usr/bin/wharf (or not build/wharf)"
[ -x "$usr/libexec/wharf-core" ] && cmp -s "$usr/libexec/wharf-core" build/wharf-core &&
  ok "the program's core is usr/libexec/wharf-core" || no "no usr/libexec/wharf-core (or not build/wharf-core)"
missing=""
for f in share/wharf/schemas/config.xsd share/wharf/schemas/guide.xsd share/wharf/schemas/x12/004010/850.xml \
         share/wharf/schemas/partners/amazon-rp/850.xml share/wharf/mappings/registry.xml \
         share/wharf/mappings/amazon-rp/850-to-order.xsl share/wharf/mappings/codelists \
         share/wharf/console/README.md share/man/man1/wharf.1 lib/systemd/system/wharf.service \
         lib/sysusers.d/wharf.conf; do
  [ -e "$usr/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "the tree has schemas, maps, code lists, console, man page, unit, sysusers" || no "missing:$missing"
n_schemas=$(cd schemas && find . -type f | wc -l)
n_inst=$(cd "$usr/share/wharf/schemas" && find . -type f | wc -l)
[ "$n_schemas" = "$n_inst" ] && ok "every schema file is installed ($n_inst)" || no "schemas: $n_inst installed of $n_schemas"
src=$(find "$usr/share/wharf" -name '*.[ch]' -o -name module.mk | head -3)
[ -z "$src" ] && ok "no C sources or module.mk among the installed maps" || no "installed sources: $src"
perm=$(find "$usr" \( -type f -perm /022 \) -o \( -type d -perm /022 \) | head -3)
[ -z "$perm" ] && ok "nothing installed is writable by group or others" || no "writable: $perm"
has "the unit runs the installed binary on /var/lib/wharf" '^ExecStart=/usr/bin/wharf serve -w /var/lib/wharf$' "$usr/lib/systemd/system/wharf.service"

# the installed binary, no WHARF_* variable, from a folder that is not the checkout
cd "$tmp" || exit 2
run() { env -i PATH=/usr/bin:/bin HOME="$tmp" "$@"; }
run "$bin" --version > "$tmp/out" 2>&1
has "wharf --version" '^wharf [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out"
exits "wharf init with the installed configuration schema" 0 run "$bin" init "$ws"
exits "wharf edi validate a golden 850 with the installed guides" 0 run "$bin" edi validate "$G/amazon-rp-850.edi"
has "... accepted" '1 accepted, 0 rejected, 0 findings' "$tmp/out"
exits "wharf map list with the installed registry" 0 run "$bin" map list
has "... lists the Amazon RP 850 map" '^amazon-rp/850-to-order ' "$tmp/out"
# moved: the data is found beside the binary, wherever the tree is
mkdir -p "$tmp/moved" && cp -a "$usr" "$tmp/moved/"
mv "$tmp/moved/usr/share/wharf/schemas/x12/004010/850.xml" "$tmp/850.xml"
exits "a moved tree without the 850 guide: its validate rejects the set" 1 run "$tmp/moved/usr/bin/wharf" edi validate "$G/amazon-rp-850.edi"
has "... naming the moved tree's schemas, not the checkout's" "$tmp/moved/usr/share/wharf/schemas" "$tmp/out"
cd - > /dev/null || exit 2
# the moved tree's serve (its 850 guide back) answers with its own console files
mv "$tmp/850.xml" "$tmp/moved/usr/share/wharf/schemas/x12/004010/850.xml"
echo '// moved' >> "$tmp/moved/usr/share/wharf/console/app.js"
env -i PATH=/usr/bin:/bin HOME="$tmp" "$tmp/moved/usr/bin/wharf" serve --http 127.0.0.1:0 -w "$ws" 2> "$tmp/mserve.log" & msp=$!
mport=$(port_of "$tmp/mserve.log")
if command -v curl > /dev/null; then
  curl -s "http://127.0.0.1:$mport/console/app.js" > "$tmp/app.js"
  cmp -s "$tmp/app.js" "$tmp/moved/usr/share/wharf/console/app.js" &&
    ok "serve of a moved tree serves the console from its share/wharf/console" || no "console of the moved tree" "$tmp/mserve.log"
else
  skip 1 "no curl (scripts/deps.sh --tests installs it)"
fi
kill "$msp" 2> /dev/null; wait "$msp" 2> /dev/null

# wharf(1): renders cleanly, and holds every help text as `wharf help` prints it
man=$usr/share/man/man1/wharf.1
if command -v groff > /dev/null; then
  groff -man -Tutf8 -ww -z "$man" > "$tmp/groff" 2>&1
  [ ! -s "$tmp/groff" ] && ok "groff -man renders wharf(1) without a warning" || no "groff warns" "$tmp/groff"
else
  skip 1 "no groff (scripts/deps.sh --tests installs groff-base)"
fi
# the commands of main.c's table and the topics the overview names
cmds=$(sed -n 's/^ *{"\([a-z-]*\)", gw_cmd_[a-z_]*},$/\1/p' cli/main.c)
topics=$(sed -n 's/.*"  help \([a-z][a-z-]*\) .*/\1/p' cli/help.c)
python3 - "$man" "$bin" $cmds $topics > "$tmp/man" 2>&1 <<'EOF'
import re, subprocess, sys
src, binary, want = open(sys.argv[1], encoding="ascii").read(), sys.argv[2], sys.argv[3:]
def text(roff):  # the roff of a .nf block back to the text it came from
    roff = re.sub(r"(?m)^\\&", "", roff).replace("\\e", "\x00")
    roff = re.sub(r"\\\[u([0-9A-F]{4,6})\]", lambda m: chr(int(m.group(1), 16)), roff)
    return roff.replace("\x00", "\\")
sections = dict(re.findall(r'(?ms)^\.SS "([^"]*)"\n\.nf\n(.*?)^\.fi$', src))
bad = [w for w in want if w not in sections] + ([] if len(want) >= 20 else ["(too few commands and topics read)"])
print("sections:", len(sections), "commands and topics:", len(want), "missing:", bad)
for name, body in sections.items():
    out = subprocess.run([binary, "help", *name.split()], capture_output=True, text=True)
    if out.returncode != 0 or out.stdout != text(body):
        bad.append(name)
        print("differs:", name)
overview = subprocess.run([binary, "help"], capture_output=True, text=True).stdout
desc = re.search(r"(?ms)^\.SH DESCRIPTION\n\.nf\n(.*?)^\.fi$", src)
if desc is None or text(desc.group(1)) != overview.split("\n\n", 1)[1]:
    bad.append("(overview)")
    print("differs: the overview")
sys.exit(1 if bad else 0)
EOF
[ $? = 0 ] && ok "wharf(1) has every command and topic, each text as wharf help prints it" || no "wharf(1) and wharf help differ" "$tmp/man"
has "... which is many sections" 'sections: [3-9][0-9]' "$tmp/man"
has "wharf help points to the man page" 'man wharf' <(run "$bin" help)

# the unit: systemd-analyze verify (ExecStart pointed at the DESTDIR binary)
if command -v systemd-analyze > /dev/null; then
  sed "s|^ExecStart=/usr/bin/wharf|ExecStart=$bin|" "$usr/lib/systemd/system/wharf.service" > "$tmp/wharf.service"
  MANPATH=$usr/share/man systemd-analyze verify "$tmp/wharf.service" > "$tmp/verify" 2>&1; rc=$?
  [ $rc = 0 ] && [ ! -s "$tmp/verify" ] && ok "systemd-analyze verify wharf.service: clean (its man:wharf(1) found)" || no "verify (exit $rc)" "$tmp/verify"
else
  skip 1 "no systemd-analyze (scripts/deps.sh --tests installs systemd)"
fi
missing=""
for k in 'Type=notify' 'User=wharf' 'ProtectSystem=strict' 'ReadWritePaths=/var/lib/wharf' 'PrivateTmp=yes' \
         'NoNewPrivileges=yes' 'Restart=on-failure' 'ExecReload=/bin/kill -HUP \$MAINPID' 'WatchdogSec='; do
  grep -q "^$k" "$usr/lib/systemd/system/wharf.service" || missing="$missing $k"
done
[ -z "$missing" ] && ok "the unit: notify, own user, strict, private tmp, no new privileges, restart, reload, watchdog" || no "unit lacks:$missing"

# sd_notify: a datagram socket standing in for systemd's, real wharf serve
cat > "$tmp/listen.py" <<'EOF'
import socket, sys, time
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(sys.argv[2], "w").close()
s.settimeout(20)
t0 = time.monotonic()
while True:
    try:
        m = s.recv(4096).decode()
    except socket.timeout:
        break
    print("%.2f %s" % (time.monotonic() - t0, m), flush=True)
    if m == "STOPPING=1":
        break
EOF
waitfor() {  # waitfor PATTERN FILE [N]: until FILE has N lines matching PATTERN (60 s)
  local pat=$1 file=$2 want=${3:-1}
  wait_for 60 eval '[ "$(grep -c -- "$pat" "$file")" -ge "$want" ]'
}
notify_run() {  # notify_run ADDR: listener and serve started; $lp, $sp
  rm -f "$tmp/up" "$tmp/notes"
  python3 "$tmp/listen.py" "$1" "$tmp/up" > "$tmp/notes" & lp=$!
  wait_for 60 test -e "$tmp/up"
  env -i PATH=/usr/bin:/bin HOME="$tmp" NOTIFY_SOCKET="$1" "${@:2}" "$bin" serve -w "$ws" > "$tmp/serve.log" 2>&1 & sp=$!
}
notify_run "$tmp/notify.sock" WATCHDOG_USEC=400000
waitfor 'READY=1' "$tmp/notes" && ok "serve: READY=1 on a path NOTIFY_SOCKET" || no "no READY=1" "$tmp/serve.log"
waitfor 'WATCHDOG=1' "$tmp/notes" 4 && ok "serve: WATCHDOG=1, again and again (WATCHDOG_USEC 0.4 s)" || no "no watchdog" "$tmp/notes"
kill -HUP "$sp"; waitfor 'READY=1' "$tmp/notes" 2
awk '{print $2}' "$tmp/notes" | grep -v WATCHDOG | tr '\n' ' ' > "$tmp/order"
has "serve: SIGHUP is RELOADING=1 then READY=1" '^READY=1 RELOADING=1 READY=1 $' "$tmp/order"
kill -TERM "$sp"; wait "$sp"; rc=$?; wait "$lp"
[ $rc = 0 ] && ok "serve stops on SIGTERM, exit 0" || no "serve exit $rc" "$tmp/serve.log"
tail -1 "$tmp/notes" | grep -q ' STOPPING=1$' && ok "serve: STOPPING=1 last" || no "no STOPPING=1 last" "$tmp/notes"
# half the interval: 0.4 s watchdog -> every 0.2 s: never faster (a little
# slack for the listener's clock), and mostly on time (a loaded machine may
# delay one, not the run of them)
python3 - "$tmp/notes" > "$tmp/gaps" <<'EOF'
import statistics, sys
t = [float(l.split()[0]) for l in open(sys.argv[1]) if "WATCHDOG=1" in l]
g = [b - a for a, b in zip(t, t[1:])]
print("gaps: min %.2f s, median %.2f s" % (min(g), statistics.median(g)) if g else "no gaps")
sys.exit(0 if g and min(g) >= 0.15 and statistics.median(g) <= 0.4 else 1)
EOF
[ $? = 0 ] && ok "WATCHDOG=1 at half WATCHDOG_USEC ($(cat "$tmp/gaps"))" || no "watchdog gaps" "$tmp/gaps"
# an abstract socket name, and a WATCHDOG_PID that is not serve's: no watchdog
notify_run "@wharf-test-$$" WATCHDOG_USEC=200000 WATCHDOG_PID=1
waitfor 'READY=1' "$tmp/notes" && ok "serve: READY=1 on an abstract (@) NOTIFY_SOCKET" || no "no READY=1 (abstract)" "$tmp/serve.log"
sleep 0.5; kill -TERM "$sp"; wait "$sp"; wait "$lp"
hasnt "... and no WATCHDOG=1 when WATCHDOG_PID is another process's" 'WATCHDOG' "$tmp/notes"

# uninstall: every file install wrote is gone
if make -s uninstall DESTDIR="$root" PREFIX=/usr > "$tmp/make.log" 2>&1; then ok "make uninstall"; else no "make uninstall" "$tmp/make.log"; fi
left=$(find "$root" -type f | head -3)
[ -z "$left" ] && ok "... leaves no file behind" || no "left: $left"
echo "1..$n"
