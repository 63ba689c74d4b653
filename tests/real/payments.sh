#!/usr/bin/env bash
# screen --payments on the project's MT103 and pacs.008 fixtures against the real UN and OFAC
# lists: the DPRK messages must raise matches, the clean ones none; bad messages exit 3.
set -u
bin=$1
S=../shared/data/screening
UN=$S/un/un_consolidated_2026-02-27.xml; SDN=$S/ofac/sdn_advanced.xml.bz2
[ -f "$UN" ] && [ -f "$SDN" ] || { echo "SKIP: payments needs $UN and $SDN"; exit 0; }
F=tests/fixtures/payments
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
for f in mt103_dprk.fin pacs008_dprk.xml; do
  out=$("$bin" screen -l "$UN" -l "$SDN" --payments "$F/$f"); rc=$?
  check "$f: exit 0" '[ $rc = 0 ]'
  check "$f: at least one party matches" '[ "$(printf "%s\n" "$out" | grep -c "\"match\":true")" -ge 1 ]'
done
for f in mt103_clean.fin pacs008_clean.xml; do
  out=$("$bin" screen -l "$UN" -l "$SDN" --payments "$F/$f"); rc=$?
  check "$f: exit 0" '[ $rc = 0 ]'
  check "$f: no party matches" '[ "$(printf "%s\n" "$out" | grep -c "\"match\":true")" = 0 ]'
  check "$f: one line per party" '[ "$(printf "%s\n" "$out" | grep -c "\"role\":")" -ge 2 ]'
done
"$bin" screen -l "$UN" --payments "$F/pacs008_dprk.xml" --fail-on-hit > /dev/null; rc=$?
check "--fail-on-hit exits 1 on a hit" '[ $rc = 1 ]'
for f in "$F"/bad/*; do
  "$bin" screen -l "$UN" --payments "$f" > /dev/null 2> /tmp/kpw-pay-err.$$; rc=$?
  check "bad $(basename "$f"): exit 3 with a location" '[ $rc = 3 ] && grep -q "[0-9]" /tmp/kpw-pay-err.$$'
done
rm -f /tmp/kpw-pay-err.$$
exit $fail
