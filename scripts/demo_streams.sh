#!/usr/bin/env bash
# demo_streams.sh -- the chain and maritime parts of `make demo`, on data
# kpwatch generates itself (no download): a Bitcoin chain with laundering
# scenarios traced to the exchanges they reach, and AIS tracks with
# ship-to-ship transfers, dark activity and DPRK port calls detected and
# scored against the generator's ground truth.
set -eu
KPW=${1:-build/kpwatch}
T=$(mktemp -d /tmp/kpw-demo.XXXXXX); trap 'rm -rf "$T"' EXIT

echo
echo "== stolen bitcoin: a generated chain with 3 laundering scenarios =="
"$KPW" -q sim chain --out "$T/chain" --scenarios 3 > /dev/null
"$KPW" -q chain index --out "$T/chain/idx" "$T/chain/blocks" | python3 -c "
import json,sys; d=json.loads(sys.stdin.read())
print('indexed %d blocks, %d transactions, %d addresses (%.0f bytes/tx)' % (d['blocks'], d['txs'], d['addresses'], d['bytes_per_tx']))"
python3 - "$KPW" "$T/chain" <<'PY'
import json, subprocess, sys
kpw, d = sys.argv[1], sys.argv[2]
truth = json.load(open(d + '/truth.json'))
for sc in truth['scenarios']:
    args = [kpw, '-q', 'chain', 'trace', '--index', d + '/idx', '--tags', d + '/tags.csv', '--method', 'haircut']
    for s in sc['seeds']: args += ['--from', s]
    out = [json.loads(l) for l in subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()]
    exp = {k: v for k, v in sc['expect']['haircut/to-miner'].items() if v}
    got = {f['detail']['service']: f['detail']['amount_sat'] for f in out}
    print('%-18s theft %.4f BTC ->' % (sc['name'], out[0]['detail']['seed_sat'] / 1e8 if out else 0),
          ', '.join('%s %.4f BTC' % (k, v / 1e8) for k, v in sorted(got.items())),
          '(= ground truth)' if got == exp else '(ground truth %s)' % exp)
    if out and out[0]['detail']['deposits'][0].get('path_summary'):
        p = out[0]['detail']['deposits'][0]
        print('   e.g. %s: %d hops, %s' % (p['address'], p['hops'], json.dumps(p['path_summary'])[:150]))
PY

echo
echo "== ship-to-ship transfers and dark activity: generated AIS with ground truth =="
"$KPW" -q sim ais --out "$T/ais" --scenarios 14 > /dev/null
"$KPW" -q ais detect "$T/ais/tracks.nmea" > "$T/ais/findings.jsonl"
python3 - "$T/ais/findings.jsonl" <<'PY'
import json, sys, collections
fs = [json.loads(l) for l in open(sys.argv[1])]
c = collections.Counter(f['kind'] for f in fs)
print('findings:', ', '.join('%s %d' % kv for kv in sorted(c.items())))
for f in fs:
    if f['kind'] in ('encounter', 'dark_port_call', 'identity_change'):
        print('  %-15s %s %s' % (f['kind'], ' '.join(f['subjects']), f['explain'][:90]))
        c[f['kind'] + '_shown'] = 1
PY
"$KPW" sim ais --score --truth "$T/ais/truth.json" "$T/ais/findings.jsonl" | grep -E "^(kind|encounter|dark_rendezvous|port_call|dark_port_call|identity_change|total) "
