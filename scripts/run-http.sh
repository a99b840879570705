#!/bin/sh
# The HTTP side of `make run`: the sample workspace gets an <http> listener on
# loopback (port WHARF_RUN_PORT, default 8080) and a first user, "admin", an
# operator whose password is made here and printed once (only its argon2id hash
# is kept; `wharf users passwd admin` sets another). The web console and the
# JSON API are served there.
# Usage: scripts/run-http.sh WHARF WORKSPACE
set -eu
w=$1 ws=$2 port=${WHARF_RUN_PORT:-8080}
if ! grep -q '<http ' "$ws/wharf.xml"; then
  # <http> comes right before the partners (config.xsd's order)
  sed -i "0,/^  <partner /s##  <!-- make run: the HTTP API on loopback (\`wharf help serve\`) -->\n  <http listen=\"127.0.0.1:$port\"/>\n\n&#" "$ws/wharf.xml"
fi
url=$(sed -n 's#.*<http listen="\([^"]*\)".*#http://\1/#p' "$ws/wharf.xml" | head -1)
if "$w" users list -w "$ws" | grep -q '^admin '; then
  who="user admin (its password was printed when it was made; \`$w users passwd admin -w $ws\` sets another)"
else
  pw=$(head -c 15 /dev/urandom | base64 | tr '+/' '-_')
  printf '%s\n' "$pw" | "$w" users add admin --role operator -w "$ws" > /dev/null
  who="user admin, password $pw (shown this once)"
fi
cat <<MSG

run: \`$w serve -w $ws\` answers at $url (loopback only): the web console at
${url}console/ and the JSON API under ${url}api/v1/. Log in as
  $who
e.g.  curl -c jar -d name=admin -d password=... ${url}api/v1/login
      curl -b jar ${url}api/v1/orders
MSG
