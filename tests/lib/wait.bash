# Sourced by tests/integration/lib.bash, and by the integration scripts
# that do not source it (after their cd to the checkout):
#   wait_for SECONDS COMMAND...
#       runs COMMAND (its output dropped) every 0.1 s until it succeeds
#       (0), or until SECONDS of wall time have passed (1). For what
#       another process does in its own time (a daemon's log line, a file,
#       a port): a deadline far past the usual, since a loaded machine
#       (make check runs scripts side by side) can be many times slower;
#       it ends as soon as the condition holds.
wait_for() {
  local end=$((SECONDS + $1))
  until "${@:2}" > /dev/null 2>&1; do
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.1
  done
}
