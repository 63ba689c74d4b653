#!/usr/bin/env bash
# `kpwatch sim chain`: generate small chains (plain and --shuffle, small
# --file-size so several blk files are written) and check them:
#  - `kpwatch chain block` reads every file, every merkle_ok is true, the
#    heights are 0..N-1 exactly once, each block's prev is the hash of the
#    block below (height 0: 32 zero bytes), times are 1700000000 + 600*height;
#  - an independent Python parser of the blk files: framing, txids, witness
#    commitment, every input spends an earlier unspent output, no value is
#    created, each coinbase pays exactly 50 BTC + the block's fees;
#  - truth.json is consistent with the chain and tags.csv: counts, seeds,
#    deposits (their addresses carry the exchange's tag), paths, coinjoins
#    (whirlpool: 5 equal outputs, inputs in [d, d+110000]), 10 method/fee
#    keys per scenario, conservation (fifo/lifo/tiho/haircut <= seed total,
#    each <= poison), the methods differ somewhere;
#  - a second tracer (Python, from docs/taint-methods.md) recomputes every
#    expected amount; `kpwatch chain trace` over `kpwatch chain index` of the
#    shuffled chain must give the same amounts (skipped if not built);
#  - the same seed gives the same bytes; --shuffle writes out of order.
set -u
bin=$1
command -v python3 >/dev/null || { echo "SKIP: sim_chain needs python3"; exit 0; }
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
tmp=$(mktemp -d /tmp/kpw-sim-chain.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$bin" --quiet sim chain --out "$tmp/a" --seed 42 --txs 30000 --scenarios 7 --file-size 2000000 > "$tmp/a.sum"; rc=$?
check "sim chain: exit 0" '[ $rc = 0 ]'
check "sim chain: summary line" 'grep -Eq "^\{\"blocks\":[0-9]+,\"txs\":[0-9]+,\"files\":[0-9]+,\"bytes\":[0-9]+\}$" "$tmp/a.sum"'
check "sim chain: several blk files with --file-size" '[ -f "$tmp/a/blocks/blk00001.dat" ]'
"$bin" chain block --addresses "$tmp"/a/blocks/blk*.dat > "$tmp/a.jsonl"; rc=$?
check "chain block reads every file: exit 0" '[ $rc = 0 ]'

cat > "$tmp/check.py" <<'EOF'
import hashlib, json, struct, sys, glob, csv, os
d, jl = sys.argv[1], sys.argv[2]
errs = []
def err(m):
    if len(errs) < 20: errs.append(m)
def h256d(b): return hashlib.sha256(hashlib.sha256(b).digest()).digest()
def hx(h): return h[::-1].hex()

# 1. chain block output: merkle, heights, links, times
L = [json.loads(l) for l in open(jl)]
byh = {}
for x in L:
    if not x["merkle_ok"]: err("merkle_ok false at %s" % x["hash"])
    if x["height"] in byh: err("height %s twice" % x["height"])
    byh[x["height"]] = x
N = len(L)
if sorted(byh) != list(range(N)): err("heights are not 0..N-1")
for h in range(N):
    x = byh.get(h)
    if not x: continue
    want = "0" * 64 if h == 0 else byh.get(h - 1, {}).get("hash")
    if x["prev"] != want: err("prev of %d does not link" % h)
    if x["time"] != 1700000000 + 600 * h: err("time of %d" % h)
print("chain block: %d blocks, merkle/heights/links/times checked" % N)

# 2. independent parse of the blk files
def var(b, o):
    c = b[o]
    if c < 0xfd: return c, o + 1
    if c == 0xfd: return struct.unpack_from("<H", b, o + 1)[0], o + 3
    if c == 0xfe: return struct.unpack_from("<I", b, o + 1)[0], o + 5
    return struct.unpack_from("<Q", b, o + 1)[0], o + 9
def parse_tx(b, o):
    s = o
    o += 4
    sw = b[o] == 0 and b[o + 1] == 1
    if sw: o += 2
    a = o
    n, o = var(b, o); ins = []
    for _ in range(n):
        prev = b[o:o + 32]; vout = struct.unpack_from("<I", b, o + 32)[0]; o += 36
        l, o = var(b, o); o += l + 4
        ins.append((prev, vout))
    m, o = var(b, o); outs = []
    for _ in range(m):
        v = struct.unpack_from("<q", b, o)[0]; o += 8
        l, o = var(b, o); outs.append((v, b[o:o + l])); o += l
    z = o
    wit = []
    if sw:
        for _ in range(n):
            k, o = var(b, o); items = []
            for _ in range(k):
                l, o = var(b, o); items.append(b[o:o + l]); o += l
            wit.append(items)
    o += 4
    txid = h256d(b[s:s + 4] + b[a:z] + b[o - 4:o])
    return dict(txid=txid, wtxid=h256d(b[s:o]), sw=sw, ins=ins, outs=outs, wit=wit), o
blocks = {}
for f in sorted(glob.glob(os.path.join(d, "blocks", "blk*.dat"))):
    b = open(f, "rb").read(); o = 0
    while o < len(b):
        if b[o:o + 4] != bytes.fromhex("f9beb4d9"): err("bad magic %s@%d" % (f, o)); break
        ln = struct.unpack_from("<I", b, o + 4)[0]; blk = b[o + 8:o + 8 + ln]; o += 8 + ln
        n, p = var(blk, 80); txs = []
        for _ in range(n):
            t, p = parse_tx(blk, p); txs.append(t)
        if p != len(blk): err("trailing bytes in block")
        blocks[h256d(blk[:80])] = (blk[4:36], txs)
# order by following prev links from the zero hash
nxt = {prev: h for h, (prev, _) in blocks.items()}
order = []; cur = bytes(32)
while cur in nxt: cur = nxt[cur]; order.append(cur)
if len(order) != N or len(blocks) != N: err("python parse: %d blocks linked of %d" % (len(order), len(blocks)))
utxo = {}; ntx = 0; segwit = 0; wdiff = 0; txids = set()
def merkle(hs):
    while len(hs) > 1:
        if len(hs) % 2: hs = hs + [hs[-1]]
        hs = [h256d(hs[i] + hs[i + 1]) for i in range(0, len(hs), 2)]
    return hs[0]
for h in order:
    _, txs = blocks[h]
    fees = 0
    for k, t in enumerate(txs):
        ntx += 1; txids.add(hx(t["txid"]))
        if k == 0:
            for j, (v, _) in enumerate(t["outs"]): utxo[(t["txid"], j)] = v
            continue
        vin = 0
        for i in t["ins"]:
            if i not in utxo: err("input %s:%d unknown or spent" % (hx(i[0]), i[1])); continue
            vin += utxo.pop(i)
        vout = sum(v for v, _ in t["outs"])
        if vout > vin: err("tx %s creates value" % hx(t["txid"]))
        fees += vin - vout
        if t["sw"]: segwit += 1; wdiff += t["txid"] != t["wtxid"]
        for j, (v, _) in enumerate(t["outs"]): utxo[(t["txid"], j)] = v
    cb = txs[0]
    if sum(v for v, _ in cb["outs"]) != 50 * 10**8 + fees: err("coinbase value wrong")
    wr = merkle([bytes(32)] + [t["wtxid"] for t in txs[1:]])
    com = h256d(wr + cb["wit"][0][0])
    if not any(s[:6] == bytes.fromhex("6a24aa21a9ed") and s[6:38] == com for _, s in cb["outs"]):
        err("witness commitment wrong")
print("python parse: %d txs, %d segwit (%d with wtxid != txid), spends/values/coinbases/commitments checked" % (ntx, segwit, wdiff))
if segwit == 0 or wdiff != segwit: err("segwit txs missing or wtxid == txid")

# 3. truth.json and tags.csv
T = json.load(open(os.path.join(d, "truth.json")))
tags = {r["address"]: r for r in csv.DictReader(open(os.path.join(d, "tags.csv")))}
cats = {r["category"] for r in tags.values()}
if not {"exchange", "perpetrator", "mixing_service"} <= cats: err("tags.csv categories %s" % cats)
if not any(r["actor"] == "Lazarus Group" for r in tags.values()): err("no Lazarus Group tag")
if T["blocks"] != N or T["txs"] != ntx: err("truth counts %s/%s vs %d/%d" % (T["blocks"], T["txs"], N, ntx))
addr = {}
for x in L:
    for tid, outs in zip(x["txids"], x["addresses"]): addr[tid] = outs
txmap = {}
for h in order:
    for t in blocks[h][1]: txmap[hx(t["txid"])] = t
keys = ["%s/%s" % (m, p) for m in ("poison", "haircut", "fifo", "lifo", "tiho") for p in ("to-miner", "pro-rata")]
differ = 0
for s in T["scenarios"]:
    nm = s["name"]
    seedsum = 0
    for op in s["seeds"]:
        tid, v = op.split(":"); v = int(v)
        if tid not in txmap: err("%s: seed tx missing" % nm); continue
        seedsum += txmap[tid]["outs"][v][0]
        a = addr[tid][v]
        if tags.get(a, {}).get("actor") != "Lazarus Group": err("%s: seed not a thief address" % nm)
    if sorted(s["expect"]) != sorted(keys): err("%s: expect keys" % nm)
    for k in keys:
        tot = sum(s["expect"][k].values())
        if not k.startswith("poison") and tot > seedsum: err("%s: %s exceeds seed total" % (nm, k))
        for ex, v in s["expect"][k].items():
            if v > s["expect"]["poison/" + k.split("/")[1]][ex]: err("%s: %s above poison at %s" % (nm, k, ex))
    if len({json.dumps(v, sort_keys=True) for v in s["expect"].values()}) > 2: differ += 1
    reached = {e for v in s["expect"].values() for e, x in v.items() if x > 0}
    if not reached: err("%s: no exchange reached" % nm)
    for dp in s["deposits"]:
        tid, v = dp["outpoint"].split(":"); v = int(v)
        if tid not in addr: err("%s: deposit tx missing" % nm); continue
        tg = tags.get(addr[tid][v])
        if not tg or tg["label"] != dp["exchange"] or tg["category"] != "exchange": err("%s: deposit not at %s" % (nm, dp["exchange"]))
        if not dp["path"] or dp["path"][-1] != tid or any(p not in txmap for p in dp["path"]): err("%s: deposit path" % nm)
    for cj in s["coinjoins"]:
        if cj not in T["coinjoins"]: err("%s: coinjoin not in the top-level list" % nm)
kinds = set()
for cj in T["coinjoins"]:
    t = txmap.get(cj["txid"])
    if not t: err("coinjoin tx missing"); continue
    kinds.add(cj["kind"])
    if cj["kind"] == "whirlpool":
        vals = {v for v, _ in t["outs"]}
        if len(t["ins"]) != 5 or len(t["outs"]) != 5 or len(vals) != 1: err("whirlpool shape")
    if cj["kind"] == "wasabi1" and len(t["ins"]) < 10: err("wasabi1 has < 10 inputs")
if not {"whirlpool", "wasabi1", "wasabi2", "joinmarket"} <= kinds: err("coinjoin kinds %s" % kinds)
if differ < 3: err("methods differ in only %d scenarios" % differ)
print("truth: %d scenarios, %d with methods differing, %d coinjoins" % (len(T["scenarios"]), differ, len(T["coinjoins"])))

# 4. the expected amounts, recomputed by a second tracer written from
#    docs/taint-methods.md (Python, integer arithmetic), over the whole chain
def desc(x): return sorted(range(len(x)), key=lambda i: (-x[i], i))
def haircut(T, V, w, F):
    u = [w_ * T // V for w_ in w]; f = F * T // V; R = T - sum(u) - f
    for j in desc(w):
        if R > 0 and u[j] < w[j]: u[j] += 1; R -= 1
    return u, f + R
def kernel(meth, pol, v, t, w):
    V, W, T = sum(v), sum(w), sum(t); F = V - W
    if T == 0: return [0] * len(w), 0
    if meth == "poison": return list(w), F
    if meth == "haircut": return haircut(T, V, w, F)
    v, t, f = list(v), list(t), 0
    if pol == "pro-rata" and F > 0:
        phi = [F * x // V for x in v]; rem = F - sum(phi)
        for i in desc(v):
            if rem > 0 and phi[i] < v[i]: phi[i] += 1; rem -= 1
        for i in range(len(v)):
            dfee = phi[i] * t[i] // v[i]; f += dfee; t[i] -= dfee; v[i] -= phi[i]
    n = len(v)
    order = {"fifo": list(range(n)), "lifo": list(range(n))[::-1],
             "tiho": [i for i in range(n) if t[i] > 0] + [i for i in range(n) if t[i] == 0]}[meth]
    runs = []
    for i in order: runs += [[t[i], True], [v[i] - t[i], False]]
    sinks = desc(w) if meth == "tiho" else list(range(len(w)))
    caps = [w[j] for j in sinks] + ([F] if pol == "to-miner" else [])
    got = []; r = 0
    for cap in caps:
        g = 0
        while cap > 0 and r < len(runs):
            k = min(cap, runs[r][0])
            if runs[r][1]: g += k
            runs[r][0] -= k; cap -= k
            if runs[r][0] == 0: r += 1
        got.append(g)
    u = [0] * len(w)
    for q, j in enumerate(sinks): u[j] = got[q]
    return u, (got[-1] if pol == "to-miner" else f)
exlabel = {a: r["label"] for a, r in tags.items() if r["category"] == "exchange"}
value = {}
for h in order:
    for t in blocks[h][1]:
        for j, (v, _) in enumerate(t["outs"]): value[(t["txid"], j)] = v
mism = 0
for s in T["scenarios"]:
    for k in keys:
        meth, pol = k.split("/")
        taint = {}
        for op in s["seeds"]:
            tid, j = op.split(":"); taint[(bytes.fromhex(tid)[::-1], int(j))] = value[(bytes.fromhex(tid)[::-1], int(j))]
        got = {}
        for h in order:
            txs = blocks[h][1]; fee_t = 0
            for t in txs[1:]:
                tt = [taint.get(i, 0) for i in t["ins"]]
                if not any(tt): continue
                w = [v for v, _ in t["outs"]]
                u, f = kernel(meth, pol, [value[i] for i in t["ins"]], tt, w)
                if pol == "to-miner": fee_t += f
                ads = addr[hx(t["txid"])]
                for j, x in enumerate(u):
                    if not x: continue
                    if ads[j] in exlabel: got[exlabel[ads[j]]] = got.get(exlabel[ads[j]], 0) + x
                    else: taint[(t["txid"], j)] = x
            if fee_t:
                cb = txs[0]; w = [v for v, _ in cb["outs"]]
                u = list(w) if meth == "poison" else haircut(fee_t, sum(w), w, 0)[0]
                for j, x in enumerate(u):
                    if x: taint[(cb["txid"], j)] = x
        want = {e: x for e, x in s["expect"][k].items() if x}
        if got != want:
            mism += 1; err("%s %s: python tracer %s, truth %s" % (s["name"], k, got, want))
print("second tracer: %d scenario x method/fee results, %d differ from truth.json" % (len(T["scenarios"]) * 10, mism))
for e in errs: print("  " + e)
sys.exit(1 if errs else 0)
EOF
check "chain, blk files and truth are consistent" 'python3 "$tmp/check.py" "$tmp/a" "$tmp/a.jsonl"'

"$bin" --quiet sim chain --out "$tmp/b" --seed 42 --txs 30000 --scenarios 7 --file-size 2000000 > /dev/null
check "same seed: identical blk files, tags and truth" 'cat "$tmp"/a/blocks/* | cmp -s - <(cat "$tmp"/b/blocks/*) && cmp -s "$tmp/a/truth.json" "$tmp/b/truth.json" && cmp -s "$tmp/a/tags.csv" "$tmp/b/tags.csv"'
"$bin" --quiet sim chain --out "$tmp/c" --seed 43 --txs 30000 --scenarios 7 > /dev/null
check "another seed: different chain" '! cmp -s "$tmp/a/truth.json" "$tmp/c/truth.json"'

"$bin" --quiet sim chain --out "$tmp/s" --seed 42 --txs 30000 --scenarios 7 --shuffle > /dev/null; rc=$?
"$bin" chain block --addresses "$tmp"/s/blocks/blk*.dat > "$tmp/s.jsonl"
check "--shuffle: out of chain order on disk" '[ $rc = 0 ] && python3 -c "import json,sys; h=[json.loads(l)[\"height\"] for l in open(sys.argv[1])]; sys.exit(0 if h != sorted(h) else 1)" "$tmp/s.jsonl"'
check "--shuffle: the same blocks and truth as without it" \
  'cmp -s "$tmp/a/truth.json" "$tmp/s/truth.json" && cmp -s <(cut -d, -f1 "$tmp/a.jsonl" | sort) <(cut -d, -f1 "$tmp/s.jsonl" | sort)'
check "--shuffle: still a valid chain with consistent truth" 'python3 "$tmp/check.py" "$tmp/s" "$tmp/s.jsonl" >/dev/null'

# Cross-check with the engine: index the shuffled chain and run
# `kpwatch chain trace` for every scenario, method and fee policy; the
# amounts per exchange must equal truth.json (lib/chain/taint.c and the
# generator's tracer are written separately from docs/taint-methods.md).
if "$bin" chain trace --help >/dev/null 2>&1 && "$bin" chain index --help >/dev/null 2>&1; then
  "$bin" --quiet chain index --out "$tmp/si" "$tmp/s/blocks" > /dev/null; rc=$?
  cat > "$tmp/cmp.py" <<'EOF2'
import json, subprocess, sys
bin, d, idx = sys.argv[1], sys.argv[2], sys.argv[3]
T = json.load(open(d + "/truth.json"))
bad = n = 0
for s in T["scenarios"]:
    for k, want in s["expect"].items():
        m, f = k.split("/")
        args = [bin, "--quiet", "chain", "trace", "--index", idx, "--tags", d + "/tags.csv", "--method", m, "--fee", f]
        for x in s["seeds"]: args += ["--from", x]
        out = subprocess.run(args, capture_output=True, text=True)
        got = {}
        for l in out.stdout.splitlines():
            j = json.loads(l)
            if j.get("kind") == "taint_reach": got[j["detail"]["service"]] = j["detail"]["amount_sat"]
        n += 1
        if out.returncode or got != {e: v for e, v in want.items() if v}:
            bad += 1
            if bad <= 10: print("  %s %s: chain trace %s, truth %s" % (s["name"], k, got, want))
print("chain trace vs truth.json: %d results compared, %d differ" % (n, bad))
sys.exit(1 if bad or n == 0 else 0)
EOF2
  check "chain trace (lib/chain/taint.c) agrees with truth.json for every scenario x method/fee" \
    '[ $rc = 0 ] && python3 "$tmp/cmp.py" "$bin" "$tmp/s" "$tmp/si"'
else
  echo "SKIP: chain trace cross-check (chain index/trace not built)"
fi

"$bin" sim chain --seed 1 > /dev/null 2>&1; rc=$?
check "missing --out: exit 2" '[ $rc = 2 ]'
"$bin" sim chain --out "$tmp/x" --txs abc > /dev/null 2>&1; rc=$?
check "bad --txs: exit 2" '[ $rc = 2 ]'
"$bin" --quiet sim chain --out /proc/kpw-no/x > /dev/null 2> "$tmp/e"; rc=$?
check "unwritable --out: exit 4 naming the path" '[ $rc = 4 ] && grep -q "/proc/kpw-no" "$tmp/e"'
exit $fail
