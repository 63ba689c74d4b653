#!/usr/bin/env bash
# tests/real/screen_quality.sh -- real-data quality checks of the matcher and
# screener (lib/screen) at the default threshold, through the CLI:
#   1. name pairs (nomenklatura name_bench, 826 rows) via `compare --pairs`:
#      F1 >= 0.82 (OpenSanctions logic-v2: 0.790);
#   2. UN persons with typos (yente positives_un_treated) screened with name,
#      date of birth and nationality against UN + full OFAC SDN: the UN entry
#      is the best hit for >= 99.5% and a match for >= 99%;
#   3. 50,000 synthetic non-listed persons (negatives_global) against UN + SDN:
#      <= 5 matches per 10,000 (the first 10,000 with a sanitizer build).
# Usage: bash tests/real/screen_quality.sh BUILD/kpwatch  (from the repo root).
# Prints one line per check; exits non-zero if one fails; prints "SKIP: ..."
# and exits 0 when ../shared/data is absent. Needs python3 for CSV/XML/JSON.
set -u
bin=${1:?usage: screen_quality.sh path/to/kpwatch}
data=../shared/data/screening
if [ ! -d "$data" ]; then echo "SKIP: $data is absent (real-data checks need the shared data)"; exit 0; fi
if ! command -v python3 >/dev/null; then echo "SKIP: python3 not installed"; exit 0; fi
exec python3 - "$bin" "$data" <<'EOF'
import csv, io, json, os, re, subprocess, sys, tempfile, unicodedata
import xml.etree.ElementTree as ET
kpw, data = sys.argv[1], sys.argv[2]
fails = 0
def check(name, ok, detail):
    global fails
    print('%s - %s (%s)' % ('ok  ' if ok else 'FAIL', name, detail))
    fails += 0 if ok else 1

# 1. name pairs
src = os.path.join(data, 'eval/nomenklatura/name_bench_cases.csv')
p = subprocess.run([kpw, 'compare', '--pairs', src], capture_output=True)
rows = list(csv.DictReader(io.StringIO(p.stdout.decode(errors='replace'))))
if p.returncode != 0 or len(rows) != 826:
    check('name bench F1', False, 'compare --pairs exit %d, %d rows' % (p.returncode, len(rows)))
else:
    tp = fp = fn = 0
    for r in rows:
        t = r['is_match'].strip().lower() == 'true'
        m = r['match'].strip().lower() in ('true', '1', 'yes')
        tp += t and m; fp += m and not t; fn += t and not m
    pr = tp / max(1, tp + fp); rc = tp / max(1, tp + fn); f1 = 2 * pr * rc / max(1e-9, pr + rc)
    check('name bench F1 >= 0.82', f1 >= 0.82, 'P=%.3f R=%.3f F1=%.3f' % (pr, rc, f1))

un = os.path.join(data, 'un/un_consolidated_2026-02-27.xml')
sdn = os.path.join(data, 'ofac/sdn_advanced.xml.bz2')
bench = os.path.join(data, 'eval/yente/candidate_generation_benchmark')
def screen(rows):
    t = tempfile.NamedTemporaryFile('w', suffix='.csv', delete=False, newline='')
    w = csv.writer(t); w.writerow(['id', 'name', 'schema', 'birth_date', 'country'])
    for r in rows: w.writerow(r)
    t.close()
    p = subprocess.run([kpw, 'screen', '-l', un, '-l', sdn, '--limit', '3', t.name], capture_output=True)
    os.unlink(t.name)
    out = {}
    for line in p.stdout.decode(errors='replace').splitlines():
        if line.startswith('{'):
            o = json.loads(line); out[str(o.get('id'))] = o.get('matches', [])
    return p.returncode, out

# 2. UN recall (persons still on this UN list, keyed by their untreated name)
def key(s):
    s = unicodedata.normalize('NFKD', s).encode('ascii', 'ignore').decode().lower()
    return ' '.join(sorted(re.findall(r'[a-z0-9]+', s)))
idx = {}
for ind in ET.parse(un).getroot().iter('INDIVIDUAL'):
    ref = (ind.findtext('REFERENCE_NUMBER') or '').strip()
    names = [' '.join(x for x in (ind.findtext(t) or '' for t in ('FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME')) if x)]
    names += [a.findtext('ALIAS_NAME') or '' for a in ind.iter('INDIVIDUAL_ALIAS')]
    for n in names:
        if n: idx.setdefault(key(n), set()).add(ref)
treated = list(csv.DictReader(open(os.path.join(bench, 'positives_un_treated.csv'), encoding='utf-8')))
orig = list(csv.DictReader(open(os.path.join(bench, 'positives_un_untreated.csv'), encoding='utf-8')))
cases = [(i, idx[key(o['full_name'])]) for i, o in enumerate(orig) if idx.get(key(o['full_name']))]
rc, res = screen([[str(i), treated[i]['full_name'], 'Person', treated[i]['date_of_birth'], treated[i]['nationality']] for i, _ in cases])
best = matched = 0
for i, refs in cases:
    top = res.get(str(i), [])[:1]
    hit = [m for m in top if any(r in str(m.get('entity_id', '')) for r in refs)]
    best += bool(hit); matched += any(m.get('match') for m in hit)
n = max(1, len(cases))
check('UN typos: best hit is the UN entry >= 99.5%', rc == 0 and best / n >= 0.995, '%d/%d = %.4f' % (best, len(cases), best / n))
check('UN typos: matched >= 99%', rc == 0 and matched / n >= 0.99, '%d/%d = %.4f' % (matched, len(cases), matched / n))

# 3. false positives
neg = list(csv.DictReader(open(os.path.join(bench, 'negatives_global.csv'), encoding='utf-8')))
if 'asan' in kpw:          # sanitizer build: the first 10,000 keep the run short
    neg = neg[:10000]
rc, res = screen([[str(i), r['full_name'], 'Person', r['date_of_birth'], r['nationality']] for i, r in enumerate(neg)])
hits = sum(1 for ms in res.values() if any(m.get('match') for m in ms))
per10k = hits * 10000 / max(1, len(neg))
check('negatives: <= 5 matches per 10k', rc == 0 and len(res) == len(neg) and per10k <= 5, '%d/%d = %.1f per 10k' % (hits, len(neg), per10k))
sys.exit(1 if fails else 0)
EOF
