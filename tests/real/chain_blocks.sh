#!/usr/bin/env bash
# `kpwatch chain block` on the real blocks in ../shared/data/chain/btc_blocks:
# every block parses with merkle_ok, heights match the file names, the
# blocks1-256 file is a linked chain of 255 blocks from genesis, xor.dat
# obfuscation and a truncated copy behave, and txids agree with bitcoinjs-lib
# (installed from npm into a temp dir; that part skips visibly without it).
set -u
bin=$1
D=../shared/data/chain/btc_blocks
[ -d "$D" ] || { echo "SKIP: chain_blocks needs $D"; exit 0; }
command -v python3 >/dev/null || { echo "SKIP: chain_blocks needs python3"; exit 0; }
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
tmp=$(mktemp -d /tmp/kpw-chain-real.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

files=()
for f in "$D"/*; do case "$f" in *LICENSE*) continue;; esac; files+=("$f"); done
for f in "${files[@]}"; do
  n=$(basename "$f")
  "$bin" chain block "$f" > "$tmp/$n.jsonl"; rc=$?
  check "$n: exit 0" '[ $rc = 0 ]'
  check "$n: every merkle_ok true" \
    'python3 -c "import json,sys; L=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if L and all(x[\"merkle_ok\"] and x[\"tx_count\"]==len(x[\"txids\"]) for x in L) else 1)" "$tmp/$n.jsonl"'
  h=$(printf '%s\n' "$n" | sed -n 's/^block\([0-9]*\)\..*/\1/p; s/^\([0-9]*\)\.dat.*/\1/p')
  # BIP-34 heights are in the coinbase from block 227,931 on.
  if [ -n "$h" ] && [ "$h" -ge 227931 ]; then
    check "$n: height $h" 'grep -q "\"height\":$h," "$tmp/$n.jsonl"'
  fi
done

chain=$tmp/blocks1-256.bz2.jsonl
check "blocks1-256: 255 blocks linked from genesis, heights null (version 1)" 'python3 - "$chain" <<'"'"'EOF'"'"'
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
ok = len(L) == 255 and L[0]["prev"] == "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
ok = ok and all(L[i]["prev"] == L[i - 1]["hash"] for i in range(1, len(L)))
ok = ok and all(x["height"] is None for x in L)
ok = ok and L[0]["hash"] == "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"
sys.exit(0 if ok else 1)
EOF'

# xor.dat: an obfuscated copy beside its key gives the same output.
mkdir -p "$tmp/xor"
bzip2 -dc "$D/blocks1-256.bz2" > "$tmp/plain.dat"
python3 - "$tmp/plain.dat" "$tmp/xor" <<'EOF'
import sys
key = bytes([0x3a, 0x91, 0x07, 0xee, 0x55, 0x00, 0xc4, 0x18])
d = open(sys.argv[1], 'rb').read()
open(sys.argv[2] + '/xor.dat', 'wb').write(key)
open(sys.argv[2] + '/blk00000.dat', 'wb').write(bytes(b ^ key[i & 7] for i, b in enumerate(d)) + bytes(4096))
EOF
"$bin" chain block "$tmp/xor/blk00000.dat" > "$tmp/xor.jsonl"; rc=$?
check "xor.dat obfuscated blk file (with zero padding): exit 0, same blocks as plain" '[ $rc = 0 ] && cmp -s "$tmp/xor.jsonl" "$chain"'

# Truncated: the blocks before the cut are printed, then exit 3 naming file and offset.
sz=$(stat -c %s "$tmp/plain.dat")
head -c $((sz - 100)) "$tmp/plain.dat" > "$tmp/cut.dat"
"$bin" chain block "$tmp/cut.dat" > "$tmp/cut.jsonl" 2> "$tmp/cut.err"; rc=$?
check "truncated blk file: exit 3, 254 blocks printed, error names file and offset" \
  '[ $rc = 3 ] && [ "$(wc -l < "$tmp/cut.jsonl")" = 254 ] && grep -q "cut.dat.*offset [0-9]" "$tmp/cut.err"'
# Bad magic at the 101st frame: 100 blocks printed, then the frame's offset.
off=$(python3 - "$tmp/plain.dat" "$tmp/badm.dat" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read()); o = 0
for _ in range(100): o += 8 + struct.unpack_from('<I', d, o + 4)[0]
d[o] ^= 0xff; open(sys.argv[2], 'wb').write(d); print(o)
EOF
)
"$bin" chain block "$tmp/badm.dat" > "$tmp/badm.jsonl" 2> "$tmp/badm.err"; rc=$?
check "bad magic at byte $off: exit 3, 100 blocks printed, offset named" \
  '[ $rc = 3 ] && [ "$(wc -l < "$tmp/badm.jsonl")" = 100 ] && grep -q "badm.dat.*offset $off" "$tmp/badm.err"'

# Independent oracle: bitcoinjs-lib txids and block hashes.
if command -v node >/dev/null && command -v npm >/dev/null &&
   (cd "$tmp" && npm init -y >/dev/null 2>&1 && timeout 300 npm install bitcoinjs-lib@6 >/dev/null 2>&1); then
  cat > "$tmp/ids.js" <<'EOF'
const bj = require('bitcoinjs-lib'), fs = require('fs');
const b = fs.readFileSync(process.argv[2]);
const out = [];
// Address of an output as bitcoinjs-lib sees it; P2PK as the P2PKH of its key
// (kpwatch's rule); "?" when bitcoinjs has no address (null or bc1p accepted).
const addr = (s) => {
  try { return bj.address.fromOutputScript(s); } catch (e) {}
  try { return bj.payments.p2pkh({pubkey: bj.payments.p2pk({output: s}).pubkey}).address; } catch (e) {}
  return '?';
};
const one = (buf) => { const k = bj.Block.fromBuffer(buf);
  out.push(JSON.stringify({hash: k.getId(), txids: k.transactions.map(t => t.getId()),
    addresses: k.transactions.map(t => t.outs.map(o => addr(o.script)))})); };
if (b.readUInt32LE(0) === 0xd9b4bef9) {
  for (let o = 0; o + 8 <= b.length; ) { const l = b.readUInt32LE(o + 4); one(b.subarray(o + 8, o + 8 + l)); o += 8 + l; }
} else one(b);
console.log(out.join('\n'));
EOF
  for f in "${files[@]}"; do
    n=$(basename "$f")
    case "$f" in *.bz2) bzip2 -dc "$f" > "$tmp/in.bin";; *) cp "$f" "$tmp/in.bin";; esac
    (cd "$tmp" && node ids.js in.bin) > "$tmp/$n.js.jsonl" 2>/dev/null
    "$bin" chain block --addresses "$f" > "$tmp/$n.addr.jsonl"
    check "$n: hash, txids and output addresses agree with bitcoinjs-lib" 'python3 - "$tmp/$n.addr.jsonl" "$tmp/$n.js.jsonl" <<'"'"'EOF'"'"'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
def same(x, y):
    if y == "?": return x is None or x.startswith("bc1p")
    return x == y
ok = len(a) == len(b) and all(x["hash"] == y["hash"] and x["txids"] == y["txids"] and
    len(x["addresses"]) == len(y["addresses"]) and
    all(len(p) == len(q) and all(same(u, v) for u, v in zip(p, q)) for p, q in zip(x["addresses"], y["addresses"]))
    for x, y in zip(a, b))
sys.exit(0 if ok else 1)
EOF'
  done
else
  echo "SKIP: bitcoinjs-lib comparison (node/npm missing or npm install failed)"
fi
exit $fail
