#!/usr/bin/env bash
# make bench: prints kpwatch's speed and memory figures on the real lists in
# ../shared/data (skips what it cannot find). Figures, not pass/fail: the
# acceptance goals are printed beside them for reference.
set -u
bin=$1
bench_match=${2:-}
S=../shared/data/screening
UN=$S/un/un_consolidated_2026-02-27.xml
SDN=$S/ofac/sdn_advanced.xml.bz2
NEG=$S/eval/yente/candidate_generation_benchmark
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; [ -n "${srv:-}" ] && kill $srv 2>/dev/null' EXIT
if [ ! -f "$UN" ] || [ ! -f "$SDN" ]; then echo "SKIP: bench needs $UN and $SDN"; exit 0; fi
now() { date +%s.%N; }
echo "kpwatch bench on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"

# 1. list load (UN XML + full OFAC SDN .xml.bz2) and resident memory
printf 'id,name,schema,birth_date,country\n' > "$tmp/empty.csv"
for i in 1 2 3; do
  t0=$(now); /usr/bin/time -f '%M' -o "$tmp/rss" "$bin" screen -l "$UN" -l "$SDN" "$tmp/empty.csv" >/dev/null; t1=$(now)
  awk -v a="$t0" -v b="$t1" -v r="$(cat "$tmp/rss")" "BEGIN{print b-a, r}" >> "$tmp/load"
done
sort -n "$tmp/load" | sed -n 2p | awk '{printf "load UN+SDN(.bz2): median %.2f s, peak RSS %.0f MB   (goal <= 3 s, <= 300 MB)\n", $1, $2/1024}'
t0=$(now); "$bin" screen -l "$SDN" "$tmp/empty.csv" >/dev/null; t1=$(now)
echo "load SDN .xml.bz2 alone: $(awk -v a="$t0" -v b="$t1" "BEGIN{printf \"%.2f\", b-a}") s"

# 2. batch screening throughput (100,000 synthetic persons with DOB + nationality)
if [ -f "$NEG/negatives_global.csv" ]; then
  { cat "$NEG/negatives_global.csv"; tail -n +2 "$NEG/negatives_us.csv"; } > "$tmp/q.csv"
  n=$(($(wc -l < "$tmp/q.csv") - 1))
  t0=$(now); /usr/bin/time -f '%M' -o "$tmp/rss2" "$bin" screen -l "$UN" -l "$SDN" "$tmp/q.csv" > "$tmp/out.jsonl"; t1=$(now)
  load=$(sort -n "$tmp/load" | sed -n 2p | cut -d' ' -f1)
  echo "$n $t0 $t1 $load $(cat "$tmp/rss2")" | awk '{d=$3-$2-$4; printf "batch screen: %d queries in %.2f s (load excluded) = %.0f queries/s on 2 threads, peak RSS %.0f MB   (goal >= 20000 q/s)\n", $1, d, $1/d, $5/1024}'
fi

# 2b. matcher alone, thread CPU time (stable on a busy machine)
if [ -n "$bench_match" ] && [ -x "$bench_match" ] && [ -f "$NEG/negatives_global.csv" ]; then
  "$bench_match" -l "$UN" -l "$SDN" "$NEG/negatives_global.csv" "$S/eval/nomenklatura/name_bench_cases.csv" 2>&1 | sed 's/^/bench_match: /'
fi

# 3. compare --pairs
if [ -f "$S/eval/nomenklatura/name_bench_cases.csv" ]; then
  for i in $(seq 20); do tail -n +2 "$S/eval/nomenklatura/name_bench_cases.csv"; done | { echo "case_group,schema,name1,name2,is_match,quality,category,notes"; cat; } > "$tmp/pairs.csv"
  n=$(($(wc -l < "$tmp/pairs.csv") - 1))
  t0=$(now); "$bin" compare --pairs "$tmp/pairs.csv" > /dev/null; t1=$(now)
  echo "$n $t0 $t1" | awk '{printf "compare --pairs: %d pairs in %.3f s = %.1f us/pair\n", $1, $3-$2, ($3-$2)*1e6/$1}'
fi

# 4. HTTP GET /search latency at 8 concurrent clients
if command -v wrk >/dev/null; then
  port=$((20000 + RANDOM % 20000))
  "$bin" serve --listen 127.0.0.1:$port -l "$UN" -l "$SDN" >/dev/null 2>&1 & srv=$!
  for i in $(seq 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  cat > "$tmp/s.lua" <<'LUA'
names = {"Kim%20Jong%20Un","Ri%20Pyong%20Chol","Choe%20Son%20Hui","Korea%20Kwangson%20Banking","John%20Smith","Maria%20Garcia","Pak%20Jong%20Chon","Lazarus%20Group"}
i = 0
request = function() i = i + 1; return wrk.format("GET", "/search?schema=Person&name=" .. names[(i % #names) + 1]) end
LUA
  wrk -t2 -c8 -d10s --latency -s "$tmp/s.lua" "http://127.0.0.1:$port" > "$tmp/wrk" 2>&1
  p50=$(awk '$1=="50%"{print $2}' "$tmp/wrk"); p99=$(awk '$1=="99%"{print $2}' "$tmp/wrk")
  rps=$(awk '/Requests\/sec/{print $2}' "$tmp/wrk")
  echo "GET /search (wrk -t2 -c8 -d10s): p50 $p50, p99 $p99, $rps req/s   (goal p50 <= 1 ms, p99 <= 5 ms)"
  kill $srv 2>/dev/null; wait $srv 2>/dev/null; srv=
fi
