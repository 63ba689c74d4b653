#!/usr/bin/env bash
# `kpwatch chain cluster` on every 2009 Bitcoin transaction: the tables in
# ../shared/data/chain/btc_2009_tables are converted to bitcoin-etl JSON by
# tests/real/btc2009_to_etl.py (which also clusters them independently in
# Python), indexed with `chain index`, then clustered. Asserts the oracle
# figures (29,972 clusters, largest 320) and the Python union-find agree,
# that the saved result is reused and invalidated, --address (members,
# merges with txids), the collapse guard (refusals, findings, --force), the
# CoinJoin filter switch, and exit codes.
set -u
bin=$1
D=../shared/data/chain/btc_2009_tables
[ -d "$D" ] || { echo "SKIP: chain_cluster needs $D"; exit 0; }
command -v python3 >/dev/null || { echo "SKIP: chain_cluster needs python3"; exit 0; }
here=$(cd "$(dirname "$0")" && pwd)
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
tmp=$(mktemp -d /tmp/kpw-chain-cluster.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# jq-like field access without jq: field FILE KEY [LINE]
field() { python3 -c 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; print(L[int(sys.argv[3]) if len(sys.argv)>3 else -1][sys.argv[2]])' "$@"; }

python3 "$here/btc2009_to_etl.py" "$D" "$tmp/tx.json" --oracle > "$tmp/oracle.json"; rc=$?
check "conversion: exit 0, 32,709 transactions" '[ $rc = 0 ] && [ "$(wc -l < "$tmp/tx.json")" = 32709 ]'
check "independent Python union-find: 29,972 clusters, largest 320" \
  '[ "$(field "$tmp/oracle.json" clusters)" = 29972 ] && [ "$(field "$tmp/oracle.json" largest)" = 320 ]'

"$bin" chain index --out "$tmp/idx" "$tmp/tx.json" > "$tmp/index.out" 2> "$tmp/index.err"; rc=$?
check "chain index: exit 0" '[ $rc = 0 ]'
[ $rc = 0 ] || { cat "$tmp/index.err"; exit 1; }

t0=$(date +%s.%N)
"$bin" chain cluster --index "$tmp/idx" --stats > "$tmp/s1.json" 2> "$tmp/s1.err"; rc=$?
t1=$(date +%s.%N)
check "chain cluster --stats: exit 0, exactly one JSON line" '[ $rc = 0 ] && [ "$(wc -l < "$tmp/s1.json")" = 1 ]'
check "stats start with addresses, clusters, largest" 'grep -q "^{\"addresses\":[0-9]*,\"clusters\":[0-9]*,\"largest\":[0-9]*," "$tmp/s1.json"'
check "29,972 clusters, largest 320" \
  '[ "$(field "$tmp/s1.json" clusters)" = 29972 ] && [ "$(field "$tmp/s1.json" largest)" = 320 ]'
check "same address count as the Python oracle ($(field "$tmp/oracle.json" addresses))" \
  '[ "$(field "$tmp/s1.json" addresses)" = "$(field "$tmp/oracle.json" addresses)" ]'
check "no 2009 transaction looks like a CoinJoin" '[ "$(field "$tmp/s1.json" coinjoin_txs)" = 0 ]'
check "saved: cluster.json, cluster.col, size.col, merge.col, refused.col; computed" \
  'for f in cluster.json cluster.col size.col merge.col refused.col; do [ -f "$tmp/idx/$f" ] || exit 1; done; grep -q "computed and saved" "$tmp/s1.err"'
echo "     time: $(python3 -c "print('%.2f' % ($t1 - $t0))") s for chain cluster (compute + save)"

"$bin" chain cluster --index "$tmp/idx" --stats > "$tmp/s2.json" 2> "$tmp/s2.err"; rc=$?
check "second run reuses the saved result, same line" '[ $rc = 0 ] && cmp -s "$tmp/s1.json" "$tmp/s2.json" && grep -q "reused" "$tmp/s2.err"'

# --address: a member of the largest cluster (from the Python oracle).
big=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["largest_members"][0])' "$tmp/oracle.json")
"$bin" chain cluster --index "$tmp/idx" --address "$big" --address 1NoSuchAddressXXXXXXXXXXXXXXXXXXX > "$tmp/a.json" 2>/dev/null; rc=$?
check "--address $big: exit 0, 2 lines" '[ $rc = 0 ] && [ "$(wc -l < "$tmp/a.json")" = 2 ]'
check "largest cluster: size 320, members as in the Python oracle, 319 merges with txids of multi-input txs in chain order" 'python3 - "$tmp/a.json" "$tmp/oracle.json" "$tmp/tx.json" <<'"'"'EOF'"'"'
import json, re, sys
a = json.loads(open(sys.argv[1]).readline())
o = json.load(open(sys.argv[2]))
multi = {}
for l in open(sys.argv[3]):
    t = json.loads(l)
    if len({x["addresses"][0] for x in t["inputs"]}) >= 2:
        multi[t["hash"]] = t["block_number"]
m = a["merges"]
ok = a["found"] and a["size"] == 320 and sorted(a["members"]) == o["largest_members"] and not a["members_truncated"]
ok = ok and a["merges_total"] == 319 and len(m) == 319
ok = ok and all(re.fullmatch("[0-9a-f]{64}", x["tx"]) and multi.get(x["tx"]) == x["height"] for x in m)
ok = ok and [x["height"] for x in m] == sorted(x["height"] for x in m)
ok = ok and all(x["address"] in a["members"] for x in m)
sys.exit(0 if ok else 1)
EOF'
check "unknown address: found false" 'sed -n 2p "$tmp/a.json" | grep -q "\"found\":false"'
"$bin" chain cluster --index "$tmp/idx" --address "$big" --members-limit 10 > "$tmp/a10.json" 2>/dev/null
check "--members-limit 10: 10 members, truncated, the 10 earliest merges" 'python3 - "$tmp/a10.json" "$tmp/a.json" <<'"'"'EOF'"'"'
import json, sys
a = json.loads(open(sys.argv[1]).readline()); full = json.loads(open(sys.argv[2]).readline())
sys.exit(0 if len(a["members"]) == 10 and a["members_truncated"] and a["merges"] == full["merges"][:10] else 1)
EOF'

# Collapse guard: with a limit of 5 addresses, merges of two clusters both > 5 are refused.
"$bin" chain cluster --index "$tmp/idx" --collapse-limit 5 --findings --stats > "$tmp/c5.json" 2> "$tmp/c5.err"; rc=$?
check "--collapse-limit 5: refusals, clusters = 29,972 + refused, findings match" 'python3 - "$tmp/c5.json" <<'"'"'EOF'"'"'
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
s = L[-1]; f = L[:-1]
ok = s["refused"] > 0 and s["clusters"] == 29972 + s["refused"] and s["largest"] <= 320 and s["collapse_limit"] == 5
ok = ok and len(f) == s["refused"] and all(x["kind"] == "cluster_merge" and len(x["subjects"]) == 3 and
    x["subjects"][0].startswith("btc:") and x["subjects"][2].startswith("tx:") and
    min(x["detail"]["cluster_sizes"]) > 5 and x["detail"]["action"] == "refused" for x in f)
sys.exit(0 if ok else 1)
EOF'
echo "     collapse-limit 5: $(field "$tmp/c5.json" refused) merges refused, $(field "$tmp/c5.json" clusters) clusters"
"$bin" chain cluster --index "$tmp/idx" --collapse-limit 5 --force --findings --stats > "$tmp/f5.json" 2>/dev/null
check "--force: the default figures, every hit reported as forced" 'python3 - "$tmp/f5.json" <<'"'"'EOF'"'"'
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
s = L[-1]
ok = s["clusters"] == 29972 and s["largest"] == 320 and s["forced"] > 0 and s["refused"] == 0
ok = ok and len(L) - 1 == s["forced"] and all(x["detail"]["action"] == "forced" for x in L[:-1])
sys.exit(0 if ok else 1)
EOF'
"$bin" chain cluster --index "$tmp/idx" --no-coinjoin-filter --stats > "$tmp/nf.json" 2>/dev/null
check "--no-coinjoin-filter: same figures, coinjoin_filter false" \
  '[ "$(field "$tmp/nf.json" clusters)" = 29972 ] && [ "$(field "$tmp/nf.json" coinjoin_filter)" = False ]'

# Invalidation: an index newer than the clustering, or a damaged column.
"$bin" chain cluster --index "$tmp/idx" --stats > /dev/null 2>&1
sleep 0.05; touch "$tmp/idx/META"
"$bin" chain cluster --index "$tmp/idx" --stats > "$tmp/s3.json" 2> "$tmp/s3.err"
check "index META newer: recomputed, same figures" 'grep -q "computed and saved" "$tmp/s3.err" && cmp -s "$tmp/s1.json" "$tmp/s3.json"'
truncate -s 100 "$tmp/idx/cluster.col"
"$bin" chain cluster --index "$tmp/idx" --stats > "$tmp/s4.json" 2> "$tmp/s4.err"; rc=$?
check "truncated cluster.col: noted, recomputed, exit 0" '[ $rc = 0 ] && grep -q "unusable" "$tmp/s4.err" && cmp -s "$tmp/s1.json" "$tmp/s4.json"'
"$bin" chain cluster --index "$tmp/idx" --stats --rebuild > "$tmp/s5.json" 2> "$tmp/s5.err"
check "--rebuild: recomputed" 'grep -q "computed and saved" "$tmp/s5.err" && cmp -s "$tmp/s1.json" "$tmp/s5.json"'

# Exit codes.
"$bin" chain cluster --stats > /dev/null 2>&1; rc=$?
check "no --index: exit 2" '[ $rc = 2 ]'
"$bin" chain cluster --index "$tmp/idx" --collapse-limit x > /dev/null 2>&1; rc=$?
check "bad --collapse-limit: exit 2" '[ $rc = 2 ]'
"$bin" chain cluster --index "$tmp/idx" --bogus > /dev/null 2>&1; rc=$?
check "unknown option: exit 2" '[ $rc = 2 ]'
"$bin" chain cluster --index "$tmp/nonexistent" > /dev/null 2> "$tmp/ne.err"; rc=$?
check "missing index: exit 3 or 4 with a message" '{ [ $rc = 3 ] || [ $rc = 4 ]; } && [ -s "$tmp/ne.err" ]'
"$bin" chain cluster --help > "$tmp/help.txt"; rc=$?
check "--help: exit 0, names every option" '[ $rc = 0 ] && for o in --index --stats --address --findings --force --collapse-limit --no-coinjoin-filter --members-limit --rebuild; do grep -q -- "$o" "$tmp/help.txt" || exit 1; done'
exit $fail
