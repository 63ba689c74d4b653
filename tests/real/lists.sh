#!/usr/bin/env bash
# tests/real/lists.sh -- real-data conformance of the list loaders (lib/lists)
# against ../shared/data/screening. Usage: bash tests/real/lists.sh BUILD/kpwatch
# (run from the repo root). Prints one line per check; exits non-zero if any
# check fails; prints "SKIP: reason" and exits 0 when the data is absent.
#
# Entity-level checks need every loaded entity, which no CLI command prints,
# so a small dump program is compiled against the libkpw.a next to the given
# kpwatch binary (with the sanitizers when that library was built with them).
set -u
bin=${1:?usage: lists.sh path/to/kpwatch}
data=../shared/data/screening
if [ ! -d "$data" ]; then echo "SKIP: $data is absent (real-data checks need the shared data)"; exit 0; fi
lib=$(dirname "$bin")/libkpw.a
if [ ! -f "$lib" ]; then echo "SKIP: $lib not built"; exit 0; fi

tmp=$(mktemp -d /tmp/kpw_lists_real.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {  # check NAME CONDITION-RESULT(0/1) DETAIL
  if [ "$2" -eq 0 ]; then echo "ok   - $1 ($3)"; else echo "FAIL - $1 ($3)"; fails=$((fails+1)); fi
}
eq() { [ "$1" = "$2" ]; echo $?; }

cat > "$tmp/dump.c" <<'EOF'
/* dump.c -- loads list files and prints one line per entity (and a summary
** line per list, and the load time and peak RSS on stderr). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "kpw/lists.h"
static const char *KIND[] = { "imo", "mmsi", "crypto", "passport", "national", "callsign", "bic", "other" };
int main(int argc, char **argv) {
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    if (kpw_list_load(ls, argv[i], NULL, &err) != KPW_OK) {
      char buf[1024];
      printf("ERROR\t%s\n", kpw_error_format(&err, buf, sizeof buf));
      rc = 3;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  fprintf(stderr, "load_seconds=%.3f cpu_seconds=%.3f maxrss_mb=%ld\n",
          (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, cpu, ru.ru_maxrss / 1024);
  for (size_t i = 0; i < kpw_listset_nlists(ls); i++) {
    const kpw_listinfo *li = kpw_listset_list(ls, i);
    printf("LIST\t%s\t%s\t%s\t%u\n", li->name, li->format, li->date ? li->date : "-", li->n_entities);
  }
  for (size_t i = 0; i < kpw_listset_count(ls); i++) {
    const kpw_entity *e = kpw_listset_get(ls, i);
    printf("E\t%s\t%s\t%s\t%s\t%s\t", e->id, e->list, kpw_schema_name(e->schema),
           e->programs ? e->programs : "", e->names[0].text);
    for (uint32_t k = 0; k < e->n_ids; k++)
      printf("%s%s=%s=%s=%d", k ? "," : "", KIND[e->ids[k].kind], e->ids[k].value,
             e->ids[k].label ? e->ids[k].label : "",
             e->ids[k].kind == KPW_ID_IMO ? kpw_imo_check(e->ids[k].value) : 0);
    printf("\t");
    for (uint32_t k = 0; k < e->n_countries; k++) printf("%s%s", k ? "," : "", e->countries[k]);
    printf("\t%u\n", e->n_names);
  }
  kpw_listset_free(ls);
  return rc;
}
EOF
san=""
if nm "$lib" 2>/dev/null | grep -q __asan_report; then san="-fsanitize=address,undefined"; fi
PKGS="expat libutf8proc sqlite3 libmicrohttpd libcurl libcrypto libzstd"
if ! cc -std=c17 -D_GNU_SOURCE -O1 $san -Iinclude -o "$tmp/dump" "$tmp/dump.c" "$lib" \
     $(pkg-config --libs $PKGS) -lbz2 -lpthread -lm 2> "$tmp/cc.err"; then
  echo "FAIL - cannot build the dump helper: $(head -3 "$tmp/cc.err")"; exit 1
fi

# ---------------------------------------------------------------- UN
"$tmp/dump" "$data/un/un_consolidated_2026-02-27.xml" > "$tmp/un.txt" 2> "$tmp/un.err"
check "UN loads" "$(eq "$(grep -c '^ERROR' "$tmp/un.txt")" 0)" "$(cat "$tmp/un.err")"
n_ind=$(awk -F'\t' '$1=="E" && $4=="Person"' "$tmp/un.txt" | wc -l)
n_ent=$(awk -F'\t' '$1=="E" && $4=="Organization"' "$tmp/un.txt" | wc -l)
check "UN 730 individuals" "$(eq "$n_ind" 730)" "got $n_ind"
check "UN 273 entities" "$(eq "$n_ent" 273)" "got $n_ent"
check "UN list date" "$(eq "$(awk -F'\t' '$1=="LIST"{print $4}' "$tmp/un.txt")" 2026-02-27)" "dateGenerated"
n_kp=$(awk -F'\t' '$1=="E" && $5 ~ /(^|; )DPRK($|;)/' "$tmp/un.txt" | wc -l)
n_kpi=$(awk -F'\t' '$1=="E" && $2 ~ /^UN:KPi\./' "$tmp/un.txt" | wc -l)
n_kpe=$(awk -F'\t' '$1=="E" && $2 ~ /^UN:KPe\./' "$tmp/un.txt" | wc -l)
check "UN DPRK records 155 = 80 KPi + 75 KPe" "$(eq "$n_kp/$n_kpi/$n_kpe" 155/80/75)" "got $n_kp/$n_kpi/$n_kpe"
awk -F'\t' '$1=="E"{n=split($7,a,","); for(i=1;i<=n;i++){split(a[i],f,"="); if(f[1]=="imo") print $2, f[2], f[4]}}' "$tmp/un.txt" > "$tmp/un_imo.txt"
n_imo=$(wc -l < "$tmp/un_imo.txt")
n_comp=$(awk '{d=$2; split("8 6 4 2 9 7",w," "); s=0; for(i=1;i<=6;i++) s+=substr(d,i,1)*w[i]; if ((11-s%11)%10==substr(d,7,1)+0) c++} END{print c+0}' "$tmp/un_imo.txt")
check "UN 16 IMO numbers from COMMENTS1, all valid company numbers" "$(eq "$n_imo/$n_comp" 16/16)" "$n_imo found, $n_comp company-valid"
n=$(grep -P '^E\tUN:KPi.033\t' "$tmp/un.txt" | grep -c 'passport=381310014')
check "UN KPi.033 passport 381310014" "$(eq "$n" 1)" "RI WON HO"

# ---------------------------------------------------------------- OFAC advanced (bz2)
"$tmp/dump" "$data/ofac/sdn_advanced.xml.bz2" > "$tmp/ofac.txt" 2> "$tmp/ofac.err"
perf=$(cat "$tmp/ofac.err")
check "OFAC advanced .xml.bz2 loads" "$(eq "$(grep -c '^ERROR' "$tmp/ofac.txt")" 0)" "$perf"
secs=$(sed -n 's/.*load_seconds=\([0-9.]*\).*/\1/p' "$tmp/ofac.err")
rss=$(sed -n 's/.*maxrss_mb=\([0-9]*\).*/\1/p' "$tmp/ofac.err")
rss_max=150; [ -n "$san" ] && rss_max=1024   # ASan's shadow memory and quarantine
check "OFAC load peak RSS <= $rss_max MB (loader share of the 300 MB budget)" "$( [ "${rss:-99999}" -le $rss_max ]; echo $?)" "${rss} MB"
cpu=$(sed -n 's/.*cpu_seconds=\([0-9.]*\).*/\1/p' "$tmp/ofac.err")
# The issue's budget is 3 s wall on an idle 2-core machine (bzip2 on one
# core, parsing on the other). Wall time depends on what else runs, so the
# check bounds CPU time (both threads); the wall figure is printed as info.
echo "info - OFAC .xml.bz2 load: ${secs} s wall, ${cpu} s CPU (both threads), ${rss} MB peak RSS"
cpu_max=6; [ -n "$san" ] && cpu_max=40   # sanitizer builds run several times slower
check "OFAC load CPU time <= $cpu_max s (both threads)" "$(awk -v s="${cpu:-99}" -v m="$cpu_max" 'BEGIN{exit !(s <= m)}'; echo $?)" "${cpu} s"
n=$(grep -c '^E' "$tmp/ofac.txt")
check "OFAC 18,367 profiles" "$(eq "$n" 18367)" "got $n"
check "OFAC list date" "$(eq "$(awk -F'\t' '$1=="LIST"{print $4}' "$tmp/ofac.txt")" 2025-11-19)" "DateOfIssue"
awk -F'\t' '$1=="E" && $5 ~ /(^|; )DPRK/' "$tmp/ofac.txt" > "$tmp/dprk.txt"
d_all=$(wc -l < "$tmp/dprk.txt")
d_split=$(awk -F'\t' '{c[$4]++} END{printf "%d/%d/%d/%d", c["Person"], c["Organization"], c["Vessel"], c["Aircraft"]}' "$tmp/dprk.txt")
check "OFAC 538 DPRK-program profiles" "$(eq "$d_all" 538)" "got $d_all"
check "OFAC DPRK split 193 persons/224 entities/105 vessels/16 aircraft" "$(eq "$d_split" 193/224/105/16)" "got $d_split"
n_vimo=$(awk -F'\t' '{n=split($7,a,","); for(i=1;i<=n;i++){split(a[i],f,"="); if(f[1]=="imo" && f[3]=="Vessel Registration Identification") print f[2]}}' "$tmp/dprk.txt" | sort -u | wc -l)
check "OFAC 114 distinct DPRK vessel IMO numbers" "$(eq "$n_vimo" 114)" "got $n_vimo"
missing=0
while IFS=$'\t' read -r addr cur pid rest; do
  [ "$addr" = address ] && continue
  want=$addr
  case "$addr" in 0x*|0X*) want=$(printf '%s' "$addr" | tr 'A-F' 'a-f');; bc1*|BC1*) want=$(printf '%s' "$addr" | tr 'A-Z' 'a-z');; esac
  if ! grep -P "^E\tOFAC:$pid\t" "$tmp/ofac.txt" | grep -qF "crypto=$want="; then
    missing=$((missing+1)); echo "     missing $addr ($cur) on OFAC:$pid"
  fi
done < "$data/crypto/dprk_sdn_crypto_addresses.tsv"
rows=$(($(wc -l < "$data/crypto/dprk_sdn_crypto_addresses.tsv") - 1))
check "OFAC: all $rows DPRK crypto addresses on their profile" "$(eq "$missing" 0)" "$missing missing"
check "OFAC Lazarus Group (27307) has 8 addresses" \
  "$(eq "$(grep -P '^E\tOFAC:27307\t' "$tmp/ofac.txt" | grep -o 'crypto=' | wc -l)" 8)" "profile 27307"
kp_people=$(awk -F'\t' '$4=="Person" && $8 ~ /(^|,)kp(,|$)/' "$tmp/dprk.txt" | wc -l)
check "OFAC DPRK persons with nationality kp resolved (>= 90)" "$( [ "$kp_people" -ge 90 ]; echo $?)" "got $kp_people"

# ---------------------------------------------------------------- OFAC legacy CSV
"$tmp/dump" "$data/ofac/legacy_csv_2021-07/sdn.csv" > "$tmp/leg.txt" 2> "$tmp/leg.err"
n=$(grep -c '^E' "$tmp/leg.txt")
check "OFAC legacy CSV 8,976 rows (+alt/add/comments)" "$(eq "$n/$(grep -c '^ERROR' "$tmp/leg.txt")" 8976/0)" "got $n; $(cat "$tmp/leg.err")"
n=$(grep -P '^E\tOFAC:17069\t' "$tmp/leg.txt" | grep -c 'imo=7937317')
check "OFAC legacy: CHONG CHON GANG IMO 7937317 from remarks" "$(eq "$n" 1)" "OFAC:17069"
n=$(grep -P '^E\tOFAC:25308\t' "$tmp/leg.txt" | grep -o 'crypto=' | wc -l)
check "OFAC legacy: YAN Xiaobing's 6 XBT addresses" "$(eq "$n" 6)" "got $n"
"$tmp/dump" "$data/ofac/legacy_csv_small/sdn.csv" > "$tmp/legs.txt" 2>/dev/null
n=$(grep -c '^E' "$tmp/legs.txt")
check "OFAC legacy small set" "$(eq "$n/$(grep -c '^ERROR' "$tmp/legs.txt")" 17/0)" "got $n"

# ---------------------------------------------------------------- FtM, EU fixture, in-house CSV
"$tmp/dump" "$data/opensanctions/yente_t1_entities.ftm.json" "$data/opensanctions/yente_zala_entities.ftm.json" > "$tmp/ftm.txt" 2>/dev/null
n=$(grep -c '^E' "$tmp/ftm.txt")
check "FtM samples: 6 + 17 screenable entities (relations skipped)" "$(eq "$n/$(grep -c '^ERROR' "$tmp/ftm.txt")" 23/0)" "got $n"
"$tmp/dump" tests/fixtures/eu/eu_fsf_dprk_sample.xml > "$tmp/eu.txt" 2>/dev/null
check "EU FSF fixture: 7 entities, 2 vessels" \
  "$(eq "$(grep -c '^E' "$tmp/eu.txt")/$(awk -F'\t' '$4=="Vessel"' "$tmp/eu.txt" | wc -l)" 7/2)" "tests/fixtures/eu"

# ---------------------------------------------------------------- errors through the CLI
head -c 1000000 "$data/un/un_consolidated_2026-02-27.xml" > "$tmp/un_cut.xml"
"$bin" --db "$tmp/t.db" lists load "$tmp/un_cut.xml" > /dev/null 2> "$tmp/cut.err"; rc=$?
check "truncated UN XML: exit 3 with file and line" "$( [ $rc -eq 3 ] && grep -q 'un_cut.xml:[0-9]' "$tmp/cut.err"; echo $?)" "rc=$rc: $(head -c 160 "$tmp/cut.err")"
head -c 1000000 "$data/ofac/sdn_advanced.xml.bz2" > "$tmp/sdn_cut.xml.bz2"
"$bin" --db "$tmp/t.db" lists load "$tmp/sdn_cut.xml.bz2" > /dev/null 2> "$tmp/cut2.err"; rc=$?
check "truncated SDN .bz2: exit 3" "$( [ $rc -eq 3 ]; echo $?)" "rc=$rc: $(head -c 160 "$tmp/cut2.err")"
"$bin" --db "$tmp/t.db" lists load "$data/ofac/sdn_advanced.xml.bz2" > "$tmp/load.out" 2>&1; rc=$?
check "kpwatch lists load of the SDN .bz2" "$( [ $rc -eq 0 ] && grep -q '"entities":18367' "$tmp/load.out"; echo $?)" "rc=$rc"

echo "lists: $fails failed"
[ "$fails" -eq 0 ]
