#!/usr/bin/env bash
# Data-driven cases: each directory tests/cases/NAME/ holds
#   cmd            the kpwatch arguments, one line (word-split by the shell;
#                  $ROOT expands to the repo root, $SHARED to ../shared/data)
#   input          optional: fed to standard input
#   expected       optional: exact expected standard output
#   expected_exit  optional: expected exit code (default 0)
#   expected_err   optional: a fixed string standard error must contain
#   requires       optional: a path (relative to $SHARED) that must exist, else SKIP
# No C is needed to add a case.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(pwd)
SHARED=$ROOT/../shared/data
pass=0; fail=0; skip=0
for d in tests/cases/*/; do
  [ -f "$d/cmd" ] || continue
  name=$(basename "$d")
  if [ -f "$d/requires" ] && [ ! -e "$SHARED/$(cat "$d/requires")" ]; then
    echo "SKIP: $name (needs \$SHARED/$(cat "$d/requires"))"; skip=$((skip+1)); continue
  fi
  args=$(eval echo "$(cat "$d/cmd")")
  want_exit=0; [ -f "$d/expected_exit" ] && want_exit=$(cat "$d/expected_exit")
  if [ -f "$d/input" ]; then
    out=$(eval "\"$bin\" $(cat "$d/cmd")" < "$d/input" 2>/tmp/kpw-case-err.$$); rc=$?
  else
    out=$(eval "\"$bin\" $(cat "$d/cmd")" < /dev/null 2>/tmp/kpw-case-err.$$); rc=$?
  fi
  ok=1
  [ "$rc" = "$want_exit" ] || { echo "FAIL: $name: exit $rc, want $want_exit ($(head -c 300 /tmp/kpw-case-err.$$))"; ok=0; }
  if [ $ok = 1 ] && [ -f "$d/expected" ] && [ "$out" != "$(cat "$d/expected")" ]; then
    echo "FAIL: $name: output differs"; diff <(printf '%s\n' "$out") "$d/expected" | head -10; ok=0
  fi
  if [ $ok = 1 ] && [ -f "$d/expected_err" ] && ! grep -qF -- "$(cat "$d/expected_err")" /tmp/kpw-case-err.$$; then
    echo "FAIL: $name: stderr lacks '$(cat "$d/expected_err")': $(head -c 300 /tmp/kpw-case-err.$$)"; ok=0
  fi
  [ $ok = 1 ] && pass=$((pass+1)) || fail=$((fail+1))
  : "$args"
done
rm -f /tmp/kpw-case-err.$$
echo "cases: $pass passed, $fail failed, $skip skipped"
[ -n "${TALLY:-}" ] && echo "$pass $fail" >> "$TALLY"
[ "$fail" -eq 0 ]
