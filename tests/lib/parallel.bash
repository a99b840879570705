# Runs commands a few at a time and prints their outputs whole and in the
# order they were started, so a tier run in parallel reads like one run in
# sequence. Sourced by tests/run.sh and tests/golden/run.sh.
#   par_init [N]      N at once (default: TEST_JOBS, else the number of CPUs)
#   par_spawn CMD...  runs CMD in the background, stdout and stderr kept
#   par_wait          waits for all and prints what is left
# Each command runs in a subshell: it must not rely on variables it sets.
# par_init, par_spawn and par_wait must run in the same shell (a shell waits
# only for its own children): to pipe the outputs, wrap all three in one
# ( ... ) or < <( ... ).
par_init() {
  PAR_N=${1:-${TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}}
  [ "$PAR_N" -ge 1 ] 2>/dev/null || PAR_N=1
  PAR_DIR=$(mktemp -d)
  par_next=0 par_count=0 par_pids=()
}

par_flush() {  # prints the outputs that are complete, in order
  while [ "$par_next" -lt "$par_count" ] && [ -f "$PAR_DIR/$par_next.done" ]; do
    cat "$PAR_DIR/$par_next.out"
    par_next=$((par_next + 1))
  done
}

par_spawn() {
  local live=() p
  while :; do
    live=()
    for p in "${par_pids[@]}"; do kill -0 "$p" 2>/dev/null && live+=("$p"); done
    par_pids=("${live[@]}")
    [ "${#par_pids[@]}" -lt "$PAR_N" ] && break
    wait -n "${par_pids[@]}" 2>/dev/null
    par_flush
  done
  local k=$par_count
  par_count=$((k + 1))
  ( "$@" > "$PAR_DIR/$k.out" 2>&1; : > "$PAR_DIR/$k.done" ) &
  par_pids+=("$!")
}

par_wait() {
  local p
  for p in "${par_pids[@]}"; do wait "$p" 2>/dev/null; done
  par_pids=()
  par_flush
  rm -rf "$PAR_DIR"
}
