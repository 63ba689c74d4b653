#!/usr/bin/env bash
# Real-data conformance: runs every tests/real/*.sh with the kpwatch binary.
# Each script skips visibly (prints SKIP) when ../shared/data is absent.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pass=0; fail=0
for t in tests/real/*.sh; do
  [ -f "$t" ] || continue
  echo "== $t"
  if bash "$t" "$bin"; then pass=$((pass+1)); else echo "FAIL: $t"; fail=$((fail+1)); fi
done
echo "real: $pass passed, $fail failed"
[ -n "${TALLY:-}" ] && echo "$pass $fail" >> "$TALLY"
[ "$fail" -eq 0 ]
