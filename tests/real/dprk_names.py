#!/usr/bin/env python3
"""DPRK-person name checks on the real lists (issue 2, acceptance "DPRK persons"):
 1. every alias of a DPRK-programme person in the UN XML and the OFAC list that spells the same
    name (Latin in any romanisation, Hangul, Han, Cyrillic) matches the record's primary name
    (kpwatch compare --pairs, default threshold) in >= 95% of cases;
 2. pairs of different listed people of one list who share a surname stay below the threshold
    in >= 95% of cases.
Aliases that are a different name altogether (a pseudonym, a Chinese or western alias) are listed
in dprk_alias_different.txt beside this script, with the reason; they are left out of check 1.
Usage: dprk_names.py KPWATCH [--show]"""
import csv, io, json, os, subprocess, sys, xml.etree.ElementTree as ET
from itertools import combinations

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = os.path.join(root, '..', 'shared', 'data', 'screening')
un_path = os.path.join(data, 'un', 'un_consolidated_2026-02-27.xml')
ofac_path = os.path.join(data, 'ofac', 'sdn_advanced_dprk_extract.jsonl')
if not (os.path.exists(un_path) and os.path.exists(ofac_path)):
    print('SKIP: dprk_names needs %s and %s' % (un_path, ofac_path)); sys.exit(0)
kpw = sys.argv[1]
show = '--show' in sys.argv

different = set()
for line in open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'dprk_alias_different.txt'), encoding='utf-8'):
    line = line.split('#', 1)[0].strip()
    if line:
        rid, alias = line.split('|', 1)
        different.add((rid.strip(), alias.strip()))

people = []  # (record id, list, primary, [aliases], surname)
for ind in ET.parse(un_path).getroot().iter('INDIVIDUAL'):
    if (ind.findtext('UN_LIST_TYPE') or '').strip() != 'DPRK':
        continue
    parts = [(ind.findtext(t) or '').strip() for t in ('FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME')]
    primary = ' '.join(p for p in parts if p)
    aliases = [(a.findtext('ALIAS_NAME') or '').strip() for a in ind.iter('INDIVIDUAL_ALIAS')]
    orig = (ind.findtext('NAME_ORIGINAL_SCRIPT') or '').strip()
    aliases = [a for a in aliases + [orig] if a]
    people.append(('UN:' + ind.findtext('REFERENCE_NUMBER').strip(), 'UN', primary, aliases, parts[0].lower()))
for line in open(ofac_path, encoding='utf-8'):
    r = json.loads(line)
    if r['party'] != 'Individual':
        continue
    names = r['names']
    latin_primary = [n for n in names if n['primary'] and n['script'] and n['script'][0] == 'Latin']
    if not latin_primary:
        continue
    primary = ' '.join(latin_primary[0]['parts'])
    aliases = [' '.join(n['parts']) for n in names if n is not latin_primary[0]]
    caps = [t for t in primary.split() if t.isupper() and len(t) > 1]
    surname = (caps[0] if caps else primary.split()[0]).lower()
    people.append(('OFAC:' + r['profile_id'], 'OFAC', primary, aliases, surname))

def compare(pairs):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(['name1', 'name2', 'schema'])
    for a, b in pairs:
        w.writerow([a, b, 'Person'])
    p = subprocess.run([kpw, 'compare', '--pairs', '-'], input=buf.getvalue().encode(), capture_output=True)
    if p.returncode != 0:
        print('FAIL: compare --pairs exited %d: %s' % (p.returncode, p.stderr.decode()[-300:])); sys.exit(1)
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode())))
    return [(float(r['score']), r['match'] == 'true') for r in rows]

alias_pairs, alias_ids = [], []
for rid, lst, primary, aliases, _ in people:
    for a in aliases:
        if (rid, a) in different or a == primary:
            continue
        alias_pairs.append((a, primary)); alias_ids.append(rid)
res = compare(alias_pairs)
ok1 = sum(m for _, m in res)
rate1 = ok1 / max(1, len(res))
if show:
    for (a, p), rid, (s, m) in zip(alias_pairs, alias_ids, res):
        if not m: print('  alias miss %-12s %.3f  %s | %s' % (rid, s, a, p))

sur_pairs, sur_ids = [], []
for lst in ('UN', 'OFAC'):
    group = [p for p in people if p[1] == lst]
    for x, y in combinations(group, 2):
        if x[4] == y[4] and x[2].lower() != y[2].lower():
            sur_pairs.append((x[2], y[2])); sur_ids.append((x[0], y[0]))
res2 = compare(sur_pairs)
ok2 = sum(not m for _, m in res2)
rate2 = ok2 / max(1, len(res2))
if show:
    for (a, b), ids, (s, m) in zip(sur_pairs, sur_ids, res2):
        if m: print('  surname clash %s %.3f  %s | %s' % (ids, s, a, b))
print('DPRK aliases matching their primary name: %d/%d = %.3f (goal >= 0.95); '
      'same-surname different people below threshold: %d/%d = %.3f (goal >= 0.95)'
      % (ok1, len(res), rate1, ok2, len(res2), rate2))
sys.exit(0 if rate1 >= 0.95 and rate2 >= 0.95 else 1)
