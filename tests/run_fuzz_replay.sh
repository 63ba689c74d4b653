#!/usr/bin/env bash
# Replays each fuzz target's corpus (tests/fuzz/corpus/<target>/) through the
# target linked with a plain driver: every input must run without a crash or
# sanitizer report.
set -u
dir=$1
pass=0; fail=0
for t in "$dir"/fuzz_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  corpus=tests/fuzz/corpus/$name
  if "$t" "$corpus"; then pass=$((pass+1)); else echo "FAIL: $name"; fail=$((fail+1)); fi
done
echo "fuzz-replay: $pass passed, $fail failed"
[ -n "${TALLY:-}" ] && echo "$pass $fail" >> "$TALLY"
[ "$fail" -eq 0 ]
