#!/usr/bin/env bash
# bench/chain.sh -- chain figures for `make bench` (issue: Bitcoin index and
# trace). Generates a 10 M-transaction chain with `kpwatch sim chain`
# (KPW_BENCH_TXS to change), then prints, one line each:
#   sim chain     time and size of the generated blk files
#   chain index   wall time, peak RSS, bytes on disk per transaction
#   chain trace   a forward haircut trace over 6 months of blocks (26,280)
#                 from five coinbases at height 2,000: wall time, peak RSS
#   chain cluster wall time, peak RSS
# and the blk parse speed beside `openssl dgst -sha256` on one blk file.
# Needs ~5 GB free in $TMPDIR (or /tmp). Figures, not pass/fail.
set -u
bin=$1
N=${KPW_BENCH_TXS:-10000000}
T=$(mktemp -d "${TMPDIR:-/tmp}/kpw-bench-chain.XXXXXX"); trap 'rm -rf "$T"' EXIT
now() { date +%s.%N; }
el() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
t0=$(now); "$bin" -q sim chain --out "$T/sim" --txs "$N" > "$T/sim.json" || { echo "chain bench: sim failed"; exit 0; }; t1=$(now)
echo "sim chain: $N txs, $(du -sm "$T/sim/blocks" | cut -f1) MB of blk files in $(el $t0 $t1) s"
t0=$(now); /usr/bin/time -f '%M' -o "$T/rss" "$bin" -q chain index --out "$T/idx" "$T/sim/blocks" > "$T/idx.json"; t1=$(now)
python3 - "$T/idx.json" "$(tail -1 "$T/rss")" "$(el $t0 $t1)" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print("chain index: %d txs, %d outputs, %d inputs, %d addresses in %s s, peak RSS %.0f MB, %.1f bytes/tx on disk   (goal <= 100 B/tx, <= 2048 MB)"
      % (d['txs'], d['outs'], d['ins'], d['addresses'], sys.argv[3], int(sys.argv[2]) / 1024, d['bytes_per_tx']))
PY
python3 - "$T/idx" > "$T/seeds.txt" <<'PY'
import struct, sys
d = sys.argv[1]
b = open(d + '/blocks.col', 'rb'); b.seek(2000 * 88); r = b.read(88)
first_tx = struct.unpack('<I', r[76:80])[0]
tx = open(d + '/txid.col', 'rb')
for k in range(1, 6):
    tx.seek((first_tx + k) * 32); print(tx.read(32)[::-1].hex() + ':0')
PY
for m in haircut poison fifo; do
  t0=$(now); /usr/bin/time -f '%M' -o "$T/rss" "$bin" -q chain trace --index "$T/idx" --tags "$T/sim/tags.csv" \
    --from "$T/seeds.txt" --method $m --until-height 28280 --summary --max-paths 10 > "$T/trace.json"; t1=$(now)
  tail -1 "$T/trace.json" | python3 -c "
import json,sys; s=json.loads(sys.stdin.read())['summary']
print('chain trace (%s, forward, 6 months = heights 2000-28280): %s s, peak RSS %.0f MB, %d txs visited, %d tainted   (goal <= 10 s)' % ('$m', '$(el $t0 $t1)', $(tail -1 "$T/rss")/1024, s['txs_visited'], s['txs_tainted']))"
done
t0=$(now); /usr/bin/time -f '%M' -o "$T/rss" "$bin" -q chain cluster --index "$T/idx" --stats > "$T/cl.json"; t1=$(now)
echo "chain cluster: $(tail -1 "$T/cl.json" | cut -c1-120) in $(el $t0 $t1) s, peak RSS $(($(tail -1 "$T/rss") / 1024)) MB"
f=$(ls "$T/sim/blocks"/blk*.dat | head -1)
t0=$(now); openssl dgst -sha256 "$f" > /dev/null; t1=$(now); sha=$(el $t0 $t1)
t0=$(now); "$bin" chain block "$f" > /dev/null; t1=$(now)
sz=$(stat -c %s "$f")
awk -v s="$sz" -v a="$sha" -v b="$(el $t0 $t1)" 'BEGIN{printf "chain block on %d MB: %.0f MB/s vs openssl dgst -sha256 %.0f MB/s (%.0f%%)   (goal >= 40%%)\n", s/1e6, s/1e6/b, s/1e6/a, 100*a/b}'
