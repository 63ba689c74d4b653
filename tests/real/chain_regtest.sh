#!/usr/bin/env bash
# chain_regtest.sh -- a chain framed with the regtest magic (as a regtest
# node or another generator writes it) and tags in regtest address forms
# (m/n..., 2..., bcrt1...): the index records the network, prints regtest
# addresses, and traces reach the exchanges with the same satoshis as the
# mainnet-framed chain's ground truth. Needs no shared data.
# Usage: tests/real/chain_regtest.sh build/kpwatch
set -u
KPW=${1:-build/kpwatch}
T=$(mktemp -d /tmp/kpw-regtest.XXXXXX); trap 'rm -rf "$T"' EXIT
"$KPW" -q sim chain --out "$T/s" --scenarios 3 > /dev/null || { echo "FAIL: sim chain"; exit 1; }
python3 - "$T/s" <<'PY'
import glob, hashlib, os, sys
d = sys.argv[1]
os.makedirs(d + '/rt', exist_ok=True)
for f in sorted(glob.glob(d + '/blocks/blk*.dat')):
    b = bytearray(open(f, 'rb').read()); i = 0
    while i + 8 <= len(b):
        assert b[i:i+4] == bytes.fromhex('f9beb4d9')
        b[i:i+4] = bytes.fromhex('fabfb5da')
        i += 8 + int.from_bytes(b[i+4:i+8], 'little')
    open(d + '/rt/' + os.path.basename(f), 'wb').write(b)
A = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
def b58d(s):
    n = 0
    for c in s: n = n * 58 + A.index(c)
    raw = n.to_bytes(25, 'big'); return raw[:-4]
def b58e(p):
    p = p + hashlib.sha256(hashlib.sha256(p).digest()).digest()[:4]
    n = int.from_bytes(p, 'big'); s = ''
    while n: n, r = divmod(n, 58); s = A[r] + s
    return '1' * (len(p) - len(p.lstrip(b'\0'))) + s
C = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
def pm(v):
    g = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]; c = 1
    for x in v:
        b = c >> 25; c = (c & 0x1ffffff) << 5 ^ x
        for i in range(5): c ^= g[i] if (b >> i) & 1 else 0
    return c
def hx(h): return [ord(x) >> 5 for x in h] + [0] + [ord(x) & 31 for x in h]
def rehrp(a, hrp):
    data = [C.index(c) for c in a[a.rindex('1') + 1:]][:-6]
    # the original's checksum constant: bech32 (1) or bech32m (0x2bc830a3)
    k = 1 if pm(hx('bc') + [C.index(c) for c in a[3:]]) == 1 else 0x2bc830a3
    chk = pm(hx(hrp) + data + [0] * 6) ^ k
    return hrp + '1' + ''.join(C[x] for x in data) + ''.join(C[(chk >> 5 * (5 - i)) & 31] for i in range(6))
out = []
for line in open(d + '/tags.csv'):
    f = line.rstrip('\n').split(',')
    a = f[0]
    if a.startswith('bc1'): f[0] = rehrp(a, 'bcrt')
    elif a[0] in '13':
        p = b58d(a); f[0] = b58e(bytes([0x6f if p[0] == 0 else 0xc4]) + p[1:])
    out.append(','.join(f))
open(d + '/tags_rt.csv', 'w').write('\n'.join(out) + '\n')
PY
"$KPW" -q chain index --out "$T/s/idx" "$T/s/rt" > /dev/null || { echo "FAIL: index regtest"; exit 1; }
grep -q '"network":"regtest"' "$T/s/idx/META" && echo "ok: META network regtest" || { echo "FAIL: network not recorded"; exit 1; }
python3 - "$KPW" "$T/s" <<'PY'
import json, subprocess, sys
kpw, d = sys.argv[1], sys.argv[2]
truth = json.load(open(d + '/truth.json')); bad = 0; n = 0
for sc in truth['scenarios']:
    for key in ('haircut/to-miner', 'fifo/pro-rata', 'poison/to-miner'):
        m, fee = key.split('/')
        args = [kpw, '-q', 'chain', 'trace', '--index', d + '/idx', '--tags', d + '/tags_rt.csv', '--method', m, '--fee', fee]
        for s in sc['seeds']: args += ['--from', s]
        out = [json.loads(l) for l in subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()]
        got = {f['detail']['service']: f['detail']['amount_sat'] for f in out}
        exp = {k: v for k, v in sc['expect'][key].items() if v}
        n += 1
        if got != exp: bad += 1; print('MISMATCH', sc['name'], key, exp, got)
        for f in out:
            for dep in f['detail']['deposits']:
                if not (dep['address'].startswith(('bcrt1', 'm', 'n', '2'))):
                    bad += 1; print('not a regtest address:', dep['address'])
print('%s: regtest chain, %d traces equal to ground truth, addresses printed in regtest form' % ('ok' if not bad else 'FAIL', n - bad))
sys.exit(1 if bad else 0)
PY
