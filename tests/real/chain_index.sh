#!/usr/bin/env bash
# chain_index.sh -- conformance of `kpwatch chain index` on real blocks:
# blocks1-256 (btcd testdata: mainnet heights 1..255 in blk framing) gives a
# linked chain of heights 1-255 whose unspent total equals the coinbase
# total; the same blocks written out of order, split over two runs
# (incremental), or killed (-9 via the test hook) mid-build and rerun give
# byte-identical index files; a truncated file and a corrupted merkle root
# fail with file and offset after keeping every block before them.
# Usage: tests/real/chain_index.sh build/kpwatch
set -u
KPW=${1:-build/kpwatch}
SHARED=${SHARED:-../shared}
SRC="$SHARED/data/chain/btc_blocks/blocks1-256.bz2"
pass=0; fail=0
ok() { echo "ok: $*"; pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
finish() { echo "chain_index: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
if [ ! -f "$SRC" ]; then echo "SKIP: $SRC absent (real-data chain index tests)"; finish; fi
T=$(mktemp -d /tmp/kpw-cidx.XXXXXX); trap 'rm -rf "$T"' EXIT
sums() { (cd "$1" && sha256sum META *.col addr.dat addr.runs | sha256sum | cut -c1-64); }
jget() { python3 -c "import json,sys; d=json.loads(sys.stdin.read().splitlines()[-1]); print(d$1)"; }

"$KPW" -q chain index --out "$T/a" "$SRC" > "$T/a.out" || bad "index blocks1-256 exits 0"
info=$("$KPW" chain info --index "$T/a")
[ "$(echo "$info" | jget "['first_height']")" = 1 ] && [ "$(echo "$info" | jget "['tip_height']")" = 255 ] \
  && ok "heights 1..255" || bad "heights 1..255: $info"
[ "$(echo "$info" | jget "['linked']")" = True ] && ok "every block links to the previous" || bad "linked: $info"
[ "$(echo "$info" | jget "['unspent_total']==d['coinbase_total']")" = True ] \
  && [ "$(echo "$info" | jget "['unresolved_prevouts']")" = 0 ] \
  && ok "unspent total == coinbase total ($(echo "$info" | jget "['unspent_total']") sat), all 7 inputs resolved" \
  || bad "supply: $info"
ref=$(sums "$T/a")
content() { "$KPW" chain info --index "$1" | jget "['content_sha256']"; }
cref=$(content "$T/a")

# Blocks out of order, in two files, with stale junk: same index.
python3 - "$SRC" "$T" <<'PY'
import bz2, struct, sys, random
raw = bz2.open(sys.argv[1]).read(); t = sys.argv[2]
frames = []; i = 0
while i < len(raw):
    n = struct.unpack('<I', raw[i+4:i+8])[0]; frames.append(raw[i:i+8+n]); i += 8 + n
rnd = random.Random(7); order = list(range(len(frames))); rnd.shuffle(order)
half = len(order) // 2
open(t + '/blk00000.dat', 'wb').write(b''.join(frames[k] for k in order[:half]))
open(t + '/blk00001.dat', 'wb').write(b''.join(frames[k] for k in order[half:]))
open(t + '/first100.dat', 'wb').write(b''.join(frames[:100]))
open(t + '/all.dat', 'wb').write(b''.join(frames))
# Bitcoin Core >= 28: blk files XORed with the 8-byte key in xor.dat beside them
import os
os.makedirs(t + '/xor', exist_ok=True)
key = bytes([0x5a, 0x13, 0xc7, 0x00, 0xff, 0x42, 0x9e, 0x01])
data = b''.join(frames)
open(t + '/xor/blk00000.dat', 'wb').write(bytes(b ^ key[i % 8] for i, b in enumerate(data)))
open(t + '/xor/xor.dat', 'wb').write(key)
open(t + '/trunc.dat', 'wb').write(b''.join(frames[:60]) + frames[60][:150])
# block 40 (height 41) with one byte of its coinbase changed: merkle mismatch
f = bytearray(frames[40]); f[8 + 80 + 50] ^= 1
open(t + '/badmerkle.dat', 'wb').write(b''.join(frames[:40]) + bytes(f) + b''.join(frames[41:]))
# bad magic before block 31 (height 31); a length of 0x7fffffff before block 21
open(t + '/badmagic.dat', 'wb').write(b''.join(frames[:30]) + b'\x01\x02\x03\x04' + frames[30][4:] + b''.join(frames[31:]))
open(t + '/badlen.dat', 'wb').write(b''.join(frames[:20]) + frames[20][:4] + b'\xff\xff\xff\x7f' + frames[20][8:])
PY
mkdir -p "$T/shuf" && mv "$T/blk00000.dat" "$T/blk00001.dat" "$T/shuf/"
"$KPW" -q chain index --out "$T/b" "$T/shuf" > /dev/null || bad "index shuffled blocks/ dir"
[ "$(sums "$T/b")" = "$ref" ] && ok "shuffled over two blk files: identical index" || bad "shuffled index differs"

"$KPW" -q chain index --out "$T/x" "$T/xor" > /dev/null && [ "$(content "$T/x")" = "$cref" ] \
  && ok "blocks/ directory obfuscated with xor.dat: same content" || bad "xor.dat directory"
"$KPW" -q chain index --out "$T/c" "$T/first100.dat" > /dev/null && "$KPW" -q chain index --out "$T/c" "$T/all.dat" > "$T/c.out" \
  && [ "$(content "$T/c")" = "$cref" ] && [ "$(jget "['added_blocks']" < "$T/c.out")" = 155 ] \
  && ok "incremental: 100 blocks, then all 255 (155 added): same content" || bad "incremental differs: $(cat "$T/c.out")"

# Byte identity needs the same commit points (address ids are numbered per
# commit): references built uninterrupted with the same --commit-every.
"$KPW" -q chain index --out "$T/r40" --commit-every 40 "$T/all.dat" > /dev/null
"$KPW" -q chain index --out "$T/r7" --commit-every 7 "$T/all.dat" > /dev/null
[ "$(content "$T/r40")" = "$cref" ] && [ "$(content "$T/r7")" = "$cref" ] \
  && ok "commits every 40 or 7 txs: same content as one commit" || bad "commit size changes content"
"$KPW" -q chain index --out "$T/d" --commit-every 40 --crash-after-commits 3 "$T/all.dat" > /dev/null 2>&1
rc=$?
"$KPW" -q chain index --out "$T/d" --commit-every 40 "$T/all.dat" > /dev/null \
  && [ $rc = 137 ] && [ "$(sums "$T/d")" = "$(sums "$T/r40")" ] && ok "killed after 3 commits, rerun: identical" \
  || bad "crash/resume (first rc=$rc)"
# kill -9 at arbitrary moments: every rerun must converge
for k in 1 2 3; do
  "$KPW" -q chain index --out "$T/e" --commit-every 7 "$T/all.dat" > /dev/null 2>&1 &
  pid=$!; sleep 0.0$k; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
done
"$KPW" -q chain index --out "$T/e" --commit-every 7 "$T/all.dat" > /dev/null && [ "$(sums "$T/e")" = "$(sums "$T/r7")" ] \
  && ok "kill -9 at random moments, rerun: identical" || bad "kill -9 resume differs"

"$KPW" -q chain index --out "$T/f" "$T/trunc.dat" > "$T/f.out" 2> "$T/f.err"
rc=$?
[ $rc = 3 ] && grep -q "trunc.dat" "$T/f.err" && grep -q "offset" "$T/f.err" && [ "$(jget "['tip_height']" < "$T/f.out")" = 60 ] \
  && ok "truncated file: exit 3 naming file+offset, heights 1..60 kept" || bad "truncated: rc=$rc $(cat "$T/f.err")"
"$KPW" -q chain index --out "$T/f" "$T/all.dat" > /dev/null && [ "$(content "$T/f")" = "$cref" ] \
  && ok "after the truncated file, the whole file resumes: same content" || bad "resume after truncation differs"

"$KPW" -q chain index --out "$T/g" "$T/badmerkle.dat" > "$T/g.out" 2> "$T/g.err"
rc=$?
[ $rc = 3 ] && grep -q "merkle" "$T/g.err" && grep -q "badmerkle.dat" "$T/g.err" && [ "$(jget "['tip_height']" < "$T/g.out")" = 40 ] \
  && ok "wrong merkle root: exit 3 naming file+offset, heights 1..40 kept" || bad "bad merkle: rc=$rc $(cat "$T/g.err")"
for kind in badmagic:30 badlen:20; do
  f=${kind%%:*}; h=${kind##*:}
  "$KPW" -q chain index --out "$T/$f" "$T/$f.dat" > "$T/$f.out" 2> "$T/$f.err"
  rc=$?
  [ $rc = 3 ] && grep -q "$f.dat" "$T/$f.err" && grep -q "offset" "$T/$f.err" && [ "$(jget "['tip_height']" < "$T/$f.out")" = $h ] \
    && ok "$f: exit 3 naming file+offset ($(head -c 120 "$T/$f.err")), heights 1..$h kept" || bad "$f: rc=$rc $(cat "$T/$f.err")"
done

# bitcoin-etl JSON: a bad line stops with its line number; fixed, the rerun resumes
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
txs = []
for h in range(6):
    cb = {'hash': '%064x' % (h + 1), 'block_number': h, 'block_timestamp': 1231006505 + 600 * h, 'is_coinbase': True,
          'inputs': [], 'outputs': [{'addresses': ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'], 'value': 5000000000}]}
    txs.append(cb)
    if h >= 1:
        txs.append({'hash': '%064x' % (1000 + h), 'block_number': h, 'block_timestamp': 1231006505 + 600 * h,
                    'inputs': [{'spent_transaction_hash': '%064x' % h, 'spent_output_index': 0}],
                    'outputs': [{'addresses': ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'], 'value': 4999990000}]})
lines = [json.dumps(x) for x in txs]
open(t + '/etl.json', 'w').write('\n'.join(lines) + '\n')
bad = list(lines); bad[6] = bad[6].replace('"value": 4999990000', '"value": -5')
open(t + '/etl_bad.json', 'w').write('\n'.join(bad) + '\n')
PY
"$KPW" -q chain index --out "$T/j1" "$T/etl.json" > /dev/null || bad "etl index"
"$KPW" -q chain index --out "$T/j2" "$T/etl_bad.json" > "$T/j2.out" 2> "$T/j2.err"
rc=$?
[ $rc = 3 ] && grep -q "etl_bad.json:7" "$T/j2.err" && [ "$(jget "['tip_height']" < "$T/j2.out")" = 2 ] \
  && ok "etl: bad value on line 7: exit 3 naming file:line, blocks 0..2 kept" || bad "etl bad line: rc=$rc $(cat "$T/j2.err") $(cat "$T/j2.out")"
"$KPW" -q chain index --out "$T/j2" "$T/etl.json" > /dev/null && [ "$(content "$T/j2")" = "$(content "$T/j1")" ] \
  && ok "etl: rerun with the fixed file resumes: same content" || bad "etl resume differs"
info=$("$KPW" chain info --index "$T/j1")
[ "$(echo "$info" | jget "['supply_ok']")" = True ] && [ "$(echo "$info" | jget "['fees']")" = 50000 ] \
  && ok "etl: 5 spends resolved, fees 50000 sat, supply consistent" || bad "etl info: $info"
finish
