#!/usr/bin/env bash
# ais_detect_sim.sh -- `kpwatch ais detect` scored against `kpwatch sim ais`
# ground truth (STS pairs with and without gaps, dark rendezvous in three
# tiers, DPRK port calls and dark port calls, identity swaps; hard
# negatives: anchorage crowds, pair trawlers, bunkering in port, passing
# ships, an encounter across the antimeridian and UTC midnight). For three
# seeds, as NMEA and as CSV: encounter and dark_rendezvous recall 1.0 and
# precision >= 0.9; every port call, dark port call and identity change
# found. The CSV is also checked grouped by vessel (out of time order).
# Needs no shared data (the coastline and ports from scripts/setup.sh
# are used when installed).
# Usage: tests/real/ais_detect_sim.sh build/kpwatch
set -u
KPW=${1:-build/kpwatch}
T=$(mktemp -d /tmp/kpw-aissim.XXXXXX); trap 'rm -rf "$T"' EXIT
fail=0
for seed in 1 2 3; do
  for fmt in nmea csv grouped; do
    d="$T/s$seed$fmt"
    "$KPW" -q sim ais --out "$d" --seed $seed --scenarios 28 --format ${fmt/grouped/csv} > /dev/null || { echo "FAIL: sim ais"; exit 1; }
    if [ $fmt = grouped ]; then    # the same CSV grouped by vessel: detect must sort it
      { head -1 "$d/tracks.csv"; tail -n +2 "$d/tracks.csv" | sort -t, -k1,1 -s; } > "$d/g" && mv "$d/g" "$d/tracks.csv"
    fi
    "$KPW" -q ais detect "$d"/tracks.* > "$d/f.jsonl" || { echo "FAIL: ais detect seed $seed $fmt"; fail=1; continue; }
    "$KPW" -q sim ais --score --truth "$d/truth.json" "$d/f.jsonl" > "$d/score.txt"
    python3 - "$d/score.txt" "$seed" "$fmt" <<'PY' || fail=1
import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])['kinds']
bad = []
for k in ('encounter', 'dark_rendezvous'):
    r = s[k]
    if r['recall'] != 1.0 or (r['precision'] is not None and r['precision'] < 0.9):
        bad.append('%s recall %s precision %s' % (k, r['recall'], r['precision']))
for k in ('port_call', 'dark_port_call', 'identity_change', 'ais_gap'):
    if s[k]['expected'] and s[k]['recall'] != 1.0:
        bad.append('%s recall %s' % (k, s[k]['recall']))
line = ', '.join('%s %d/%d P=%s' % (k, s[k]['tp'], s[k]['expected'], s[k]['precision'])
                 for k in ('encounter', 'dark_rendezvous', 'port_call', 'dark_port_call', 'identity_change', 'ais_gap'))
print('%s seed %s %s: %s' % ('FAIL' if bad else 'ok', sys.argv[2], sys.argv[3], '; '.join(bad) if bad else line))
sys.exit(1 if bad else 0)
PY
  done
done
exit $fail
