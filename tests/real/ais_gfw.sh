#!/usr/bin/env bash
# `kpwatch ais encounters --gfw-compat` against Global Fishing Watch's own
# expected raw encounters (../shared/data/maritime/gfw_encounters_*): the
# series simple, dateline, multi, real must match record for record to 1e-6
# with GFW's test parameters (10 min / 70 min / 1.0 km / 0.5 km / 30 min),
# fastsep must give none, and nerfed_multi (--max-neighbours 1) must match
# too. Same check as ../shared/tools/acceptance/maritime-gfw-compat.
set -u
bin=$1
D=../shared/data/maritime
[ -f "$D/gfw_encounters_expected.json" ] && [ -f "$D/gfw_encounters_test_tracks.csv" ] ||
  { echo "SKIP: ais_gfw needs $D/gfw_encounters_expected.json and gfw_encounters_test_tracks.csv"; exit 0; }
command -v python3 >/dev/null || { echo "SKIP: ais_gfw needs python3"; exit 0; }
tmp=$(mktemp -d /tmp/kpw-ais-gfw.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 - "$bin" "$D" "$tmp" <<'EOF'
import csv, json, os, subprocess, sys
b, d, tmp = sys.argv[1:4]
exp = json.load(open(os.path.join(d, 'gfw_encounters_expected.json')))
rows = list(csv.DictReader(open(os.path.join(d, 'gfw_encounters_test_tracks.csv'))))
fail = 0
cases = [('simple', 'simple', []), ('dateline', 'dateline', []), ('multi', 'multi', []),
         ('real', 'real', []), ('fastsep', 'fastsep', []),
         ('multi', 'nerfed_multi', ['--max-neighbours', '1'])]
for series, key, extra in cases:
    path = os.path.join(tmp, series + '.csv')
    with open(path, 'w') as f:
        f.write('vessel_id,timestamp,lat,lon,speed\n')
        for r in rows:
            if r['series'] == series:
                f.write('%s,%s,%s,%s,%s\n' % (r['vessel_id'], r['timestamp_utc'], r['lat'], r['lon'], r['speed_knots']))
    p = subprocess.run([b, 'ais', 'encounters', '--gfw-compat', '--resample-min', '10', '--max-gap-min', '70',
                        '--search-km', '1.0', '--max-dist-km', '0.5', '--min-duration-min', '30'] + extra + [path],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        print('FAIL %s: exit %d: %s' % (key, p.returncode, p.stderr.strip())); fail = 1; continue
    out = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    want = exp.get('_get_%s_expected' % key, [])
    ok, worst = 0, 0.0
    for e in want:
        for o in out:
            if set(o) != set(e) or o['vessel_1_seg_id'] != e['vessel_1_seg_id'] or o['vessel_2_seg_id'] != e['vessel_2_seg_id']:
                continue
            good = True
            for k, v in e.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    dv = abs(float(o[k]) - v); worst = max(worst, dv)
                    good &= dv <= 1e-6 * max(1, abs(v))
                else:
                    good &= str(o[k]) == str(v)
            if good: ok += 1; break
    s_ok = ok == len(want) and len(out) == len(want)
    print('%s %s: %d/%d expected records, %d output, max |diff| %.3g' % ('ok  ' if s_ok else 'FAIL', key, ok, len(want), len(out), worst))
    fail |= not s_ok
# --gfw-merge against MergeEncounters(24 h) (expected times are epoch seconds)
import datetime
def epoch(t): return datetime.datetime.strptime(t, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc).timestamp()
for series, key in [('real', 'merged'), ('dateline', 'merged_dateline')]:
    path = os.path.join(tmp, series + '.csv')
    p = subprocess.run([b, 'ais', 'encounters', '--gfw-compat', '--gfw-merge', '--merge-gap-hours', '24',
                        '--resample-min', '10', '--max-gap-min', '70', '--search-km', '1.0', '--max-dist-km', '0.5',
                        '--min-duration-min', '30', path], capture_output=True, text=True, timeout=60)
    out = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    want = exp.get('_get_%s_expected' % key, [])
    ok = 0
    for e in want:
        for o in out:
            if set(o) != set(e): continue
            good = True
            for k, v in e.items():
                ov = epoch(o[k]) if k in ('start_time', 'end_time') else o[k]
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    good &= abs(float(ov) - v) <= 1e-6 * max(1, abs(v))
                else:
                    good &= ov == v
            if good: ok += 1; break
    s_ok = p.returncode == 0 and ok == len(want) and len(out) == len(want)
    print('%s %s (--gfw-merge): %d/%d expected records, %d output' % ('ok  ' if s_ok else 'FAIL', key, ok, len(want), len(out)))
    fail |= not s_ok
sys.exit(fail)
EOF
