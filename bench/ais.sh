#!/usr/bin/env bash
# bench/ais.sh -- AIS figures for `make bench` (issue: AIS decoding and
# maritime detection):
#   decode   `kpwatch ais decode` vs Debian's `gpsdecode -j` on the same
#            NMEA (the shared corpora x 150), one thread each, best of 3
#   detect   a day of global AIS: 60,000,000 generated positions of 300,000
#            vessels (`kpwatch sim ais --positions`, KPW_BENCH_AIS to change)
#            through `ais detect` on 2 cores: wall time and peak RSS
# Figures, not pass/fail. Needs ~4.5 GB free in $TMPDIR (or /tmp).
set -u
bin=$1
N=${KPW_BENCH_AIS:-60000000}
M=../shared/data/maritime
T=$(mktemp -d "${TMPDIR:-/tmp}/kpw-bench-ais.XXXXXX"); trap 'rm -rf "$T"' EXIT
now() { date +%s.%N; }
el() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
if [ -f "$M/gpsd_ais-nmea.log" ]; then
  for i in $(seq 150); do cat "$M/dmaaislib_stream_example.txt" "$M/gpsd_ais-nmea.log" \
    "$M/pyais_nmea_data_sample.txt" "$M/aisdb_test_data_20211101.nm4"; done > "$T/big.nmea"
  n=$(grep -c 'VD[MO]' "$T/big.nmea")
  best() { local b=999; for i in 1 2 3; do local t0 t1; t0=$(now); "$@" < "$T/big.nmea" > /dev/null 2>&1; t1=$(now)
           b=$(awk -v a="$(el $t0 $t1)" -v b="$b" 'BEGIN{print (a<b)?a:b}'); done; echo "$b"; }
  k=$(best taskset -c 0 "$bin" ais decode -)
  if command -v gpsdecode > /dev/null; then
    g=$(best taskset -c 0 gpsdecode -j)
    awk -v n="$n" -v k="$k" -v g="$g" 'BEGIN{printf "ais decode: %d sentences, kpwatch %.2f s (%.0f k/s), gpsdecode -j %.2f s (%.0f k/s), %.1fx   (goal >= 10x)\n", n, k, n/k/1e3, g, n/g/1e3, g/k}'
  else
    awk -v n="$n" -v k="$k" 'BEGIN{printf "ais decode: %d sentences in %.2f s (%.0f k/s); gpsdecode not installed\n", n, k, n/k/1e3}'
  fi
fi
"$bin" -q sim ais --positions "$N" --out "$T" > /dev/null || { echo "ais bench: sim failed"; exit 0; }
sz=$(du -m "$T/positions.csv" | cut -f1)
t0=$(now); /usr/bin/time -f '%M' -o "$T/rss" "$bin" -q ais detect "$T/positions.csv" > "$T/f.jsonl"; t1=$(now)
awk -v n="$N" -v s="$sz" -v t="$(el $t0 $t1)" -v r="$(tail -1 "$T/rss")" -v f="$(wc -l < "$T/f.jsonl")" \
  'BEGIN{printf "ais detect: %d positions (%d MB CSV, %d vessels) in %.1f s = %.0f k fixes/s on 2 cores, peak RSS %.0f MB, %d findings   (goal <= 120 s, <= 4096 MB)\n", n, s, n/200, t, n/t/1e3, r/1024, f}'
