#!/usr/bin/env bash
# Runs each cmocka unit-test program given; prints a closing tally line.
set -u
pass=0; fail=0
for t in "$@"; do
  if "$t"; then pass=$((pass+1)); else echo "FAIL: $t"; fail=$((fail+1)); fi
done
echo "unit: $pass passed, $fail failed"
[ -n "${TALLY:-}" ] && echo "$pass $fail" >> "$TALLY"
[ "$fail" -eq 0 ]
