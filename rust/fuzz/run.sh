#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), two at a time (2 cores), starting
# from the committed seed corpora. Needs a nightly toolchain and `cargo install cargo-fuzz`.
#
#   rust/fuzz/run.sh [SECONDS]
#
# New inputs go to rust/fuzz/work/ (not committed); crashes to rust/fuzz/artifacts/.
# Prints each target's executions and whether it crashed; exits non-zero on a crash.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
targets=(parse_json load_memdb mappings)

cargo +nightly fuzz build "${targets[@]}" >/dev/null 2>&1 || cargo +nightly fuzz build

run() {
  local target=$1
  mkdir -p "work/$target" "artifacts/$target"
  cp -n corpus/"$target"/* "work/$target/" 2>/dev/null || true
  cargo +nightly fuzz run "$target" "work/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=4096 \
    -artifact_prefix="artifacts/$target/" >"work/$target.log" 2>&1
  local status=$?
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "work/$target.log" | grep -o '[0-9]*$')
  echo "$target: ${runs:-?} inputs in ${seconds}s, exit $status$( [ $status -ne 0 ] && echo ' CRASH: see work/'"$target"'.log')"
  return $status
}

failed=0
pids=()
for target in "${targets[@]}"; do
  run "$target" &
  pids+=($!)
  # Two at a time on two cores.
  if [ ${#pids[@]} -ge 2 ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit $failed
