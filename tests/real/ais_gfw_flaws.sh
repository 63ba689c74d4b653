#!/usr/bin/env bash
# ais_gfw_flaws.sh -- the three flaws of Global Fishing Watch's encounter
# pipeline, each shown on a track where GFW's behaviour (reproduced by
# `ais encounters --gfw-compat`) fails and the default `ais detect` does not:
#   1. UTC midnight: a 3 h alongside 22:30-01:30 is cut into two days, each
#      piece shorter than 2 h, so GFW makes no 2 h encounter; detect: one.
#   2. asymmetry: on GFW's own "real" series GFW reports 441910000->563418000
#      for 07:40-20:10 but the reverse for 07:40-10:10; detect: one event.
#   3. antimeridian: fixes off the grid on both sides of 180 deg make GFW's
#      linear longitude interpolation land half a world away, which breaks
#      the 2 h run; detect interpolates the short way: one event.
# Usage: tests/real/ais_gfw_flaws.sh build/kpwatch
set -u
KPW=${1:-build/kpwatch}
SHARED=${SHARED:-../shared}
T=$(mktemp -d /tmp/kpw-gfwflaws.XXXXXX); trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { echo "ok: $*"; pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
python3 - "$T" <<'PY'
import math, sys, datetime as dt
t = sys.argv[1]
def w(name, rows):
    with open('%s/%s.csv' % (t, name), 'w') as f:
        f.write('vessel_id,timestamp,lat,lon,speed\n')
        for r in sorted(rows, key=lambda r: (r[1], r[0])):
            f.write('%s,%s,%.6f,%.6f,%.2f\n' % r)
def iso(s): return dt.datetime.utcfromtimestamp(s).strftime('%Y-%m-%dT%H:%M:%SZ')
# 1. midnight: 2018-02-16 22:30 to 2018-02-17 01:30, fixes every 5 min, 150 m apart, 0.5 kn
t0 = int(dt.datetime(2018, 2, 16, 22, 30, tzinfo=dt.timezone.utc).timestamp())
rows = []
for k in range(0, 37):
    s = t0 + 300 * k
    lat = 31.2 + k * 0.00007
    rows.append(('441000001', iso(s), lat, 124.1, 0.5))
    rows.append(('441000002', iso(s), lat + 0.00135, 124.1, 0.5))
w('midnight', rows)
# 3. antimeridian: 2 h 40 min drifting east across 180 at 0.4 kn, 150 m apart; fixes every
#    20 min, the two vessels 10 min apart, so each crossing pair of fixes is interpolated
t0 = int(dt.datetime(2018, 6, 1, 10, 5, tzinfo=dt.timezone.utc).timestamp())
rows = []
for k in range(0, 9):
    for v, off, dlat in (('563000001', 0, 0.0), ('563000002', 600, 0.00135)):
        s = t0 + 1200 * k + off
        lon = 179.996 + (s - t0) / 1200.0 * 0.001
        if lon > 180: lon -= 360
        rows.append((v, iso(s), 53.3 + dlat, lon, 0.4))
w('dateline', rows)
PY
enc() { "$KPW" -q ais encounters --gfw-compat --resample-min 10 --max-gap-min 70 --search-km 1.0 --max-dist-km 0.5 --min-duration-min "$2" "$1"; }
det() { "$KPW" -q ais detect --only encounter --no-shore --no-ports "$@"; }
n() { grep -c . || true; }

g=$(enc "$T/midnight.csv" 120 | n); d=$(det "$T/midnight.csv" | n)
g30=$(enc "$T/midnight.csv" 30 | python3 -c "import json,sys; print(sorted(set((r['start_time'][:10]) for r in map(json.loads, sys.stdin))))")
[ "$g" = 0 ] && [ "$d" = 1 ] && ok "midnight: GFW none of >= 2 h (pieces by day: $g30), detect 1 event 22:30-01:30" \
  || bad "midnight: GFW $g, detect $d"

if [ -f "$SHARED/data/maritime/gfw_encounters_test_tracks.csv" ]; then
  python3 - "$SHARED/data/maritime/gfw_encounters_test_tracks.csv" "$T/real.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r['series'] == 'real']
with open(sys.argv[2], 'w') as f:
    f.write('vessel_id,timestamp,lat,lon,speed\n')
    for r in rows: f.write('%s,%s,%s,%s,%s\n' % (r['vessel_id'], r['timestamp_utc'], r['lat'], r['lon'], r['speed_knots']))
PY
  asym=$(enc "$T/real.csv" 30 | python3 -c "
import json,sys
rs=[json.loads(l) for l in sys.stdin]
print(' | '.join('%s->%s %s-%s' % (r['vessel_1_seg_id'], r['vessel_2_seg_id'], r['start_time'][11:16], r['end_time'][11:16]) for r in rs))")
  dn=$(det --enc-hours 0.5 --lag-hours 48 "$T/real.csv" | n)
  case "$asym" in *" | "*) g2=2;; *) g2=1;; esac
  [ "$g2" = 2 ] && [ "$dn" = 1 ] && ok "asymmetry: GFW two directed records ($asym); detect 1 symmetric event" \
    || bad "asymmetry: GFW '$asym', detect $dn"
else
  echo "SKIP: asymmetry check (GFW real series absent)"
fi

g=$(enc "$T/dateline.csv" 120 | n); d=$(det "$T/dateline.csv" | n)
[ "$g" = 0 ] && [ "$d" = 1 ] && ok "antimeridian: GFW none of >= 2 h (linear lon interpolation breaks the run), detect 1 event" \
  || bad "antimeridian: GFW $g, detect $d"
echo "ais_gfw_flaws: $pass passed, $fail failed"
[ $fail = 0 ]
