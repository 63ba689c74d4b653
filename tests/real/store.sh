#!/usr/bin/env bash
# tests/real/store.sh -- real-data checks of the store and `kpwatch lists`:
# load the official UN XML into a temporary store through the CLI, show it,
# reload it, prove the store is self-contained, refuse bad input without
# touching the store, the update paths (offline and a file:// swap), the
# append-only audit table, and the full OFAC SDN advanced XML (.bz2).
# Usage: tests/real/store.sh path/to/kpwatch   (run from the repo root)
set -u
K=${1:?usage: $0 path/to/kpwatch}
case "$K" in /*) ;; *) K="$PWD/$K" ;; esac
DATA=../shared/data/screening
UN=$DATA/un/un_consolidated_2026-02-27.xml
OFAC=$DATA/ofac/sdn_advanced.xml.bz2
[ -x "$K" ] || { echo "FAIL - $K is not an executable"; exit 1; }
if [ ! -d ../shared/data ]; then echo "SKIP: ../shared/data is absent"; exit 0; fi
if [ ! -f "$UN" ]; then echo "SKIP: $UN is absent"; exit 0; fi

T=$(mktemp -d /tmp/kpw_real_store.XXXXXX)
trap 'rm -rf "$T"' EXIT
DB=$T/store.db
fails=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
has_sqlite=0; command -v sqlite3 >/dev/null && has_sqlite=1
sql() { sqlite3 "$DB" "$@"; }

un_sha=$(sha256sum "$UN" | cut -d' ' -f1)

# 1. load
out=$("$K" --quiet --db "$DB" lists load "$UN"); rc=$?
check "lists load UN exits 0 (rc=$rc)" [ $rc -eq 0 ]
check "load prints name UN, format un-xml" grep -q '"name":"UN","format":"un-xml"' <<<"$out"
check "load counts 1003 UN entities (730 individuals + 273 entities)" grep -q '"entities":1003' <<<"$out"
check "load reports the file's SHA-256" grep -q "\"sha256\":\"$un_sha\"" <<<"$out"
check "load reports the list date 2026-02-27" grep -q '"date":"2026-02-27"' <<<"$out"

# 2. show
out=$("$K" --quiet --db "$DB" lists show); rc=$?
check "lists show exits 0 and prints one line" [ $rc -eq 0 -a "$(wc -l <<<"$out")" -eq 1 ]
check "show gives sha256 and loaded_at" grep -q "\"sha256\":\"$un_sha\".*\"loaded_at\":\"20" <<<"$out"
out=$("$K" --quiet --db "$DB" lists show --format table)
check "show --format table has a header and the UN row" \
  bash -c '[ "$(grep -c "^NAME " <<<"$1")" -eq 1 ] && grep -q "^UN .*un-xml.*1003" <<<"$1"' _ "$out"
"$K" --quiet --db "$DB" lists show NOPE >/dev/null 2>&1; rc=$?
check "show of an unknown list exits 3 (rc=$rc)" [ $rc -eq 3 ]

# 3. entity from the stored copy
out=$("$K" --quiet --db "$DB" lists show --entity UN:KPi.033); rc=$?
check "show --entity UN:KPi.033 exits 0" [ $rc -eq 0 ]
check "UN:KPi.033 is RI WON HO, DPRK, passport 381310014" \
  bash -c 'grep -q "\"RI WON HO\"" <<<"$1" && grep -q "\"programs\":\"DPRK\"" <<<"$1" && grep -q "381310014" <<<"$1"' _ "$out"
"$K" --quiet --db "$DB" lists show --entity UN:NOPE.000 >/dev/null 2>&1; rc=$?
check "show --entity of an unknown id exits 3 (rc=$rc)" [ $rc -eq 3 ]

# 4. reload: same list replaced, not duplicated
"$K" --quiet --db "$DB" lists load "$UN" >/dev/null; rc=$?
check "reload exits 0" [ $rc -eq 0 ]
check "reload keeps one UN row" [ "$("$K" --quiet --db "$DB" lists show | wc -l)" -eq 1 ]
if [ $has_sqlite -eq 1 ]; then
  check "list_history records both loads" [ "$(sql 'SELECT count(*) FROM list_history WHERE name="UN"')" -eq 2 ]
  ratio=$(sql 'SELECT data_codec || " " || length(data) || " " || data_size FROM lists WHERE name="UN"')
  read -r codec zlen rlen <<<"$ratio"
  check "stored copy is zstd-compressed ($rlen -> $zlen bytes)" [ "$codec" = zstd -a "$zlen" -lt "$rlen" ]
  check "schema version 1 recorded" [ "$(sql 'SELECT max(version) FROM schema_migrations')" -eq 1 ]
  check "journal mode is WAL" [ "$(sql 'PRAGMA journal_mode')" = wal ]
fi

# 5. self-contained: load a copy, delete it, the entity is still there
cp "$UN" "$T/copy.xml"
DB2=$T/self.db
"$K" --quiet --db "$DB2" lists load --name UNCOPY "$T/copy.xml" >/dev/null
rm -f "$T/copy.xml"
out=$("$K" --quiet --db "$DB2" lists show --entity UN:KPi.033 2>&1); rc=$?
check "entity reloads from the store after the file is gone (rc=$rc)" grep -q '"RI WON HO"' <<<"$out"

# 6. bad input: clear error with location, exit 3, store unchanged
head -c 100000 "$UN" >"$T/trunc.xml"
err=$("$K" --quiet --db "$DB" lists load "$UN" "$T/trunc.xml" 2>&1 >/dev/null); rc=$?
check "truncated XML exits 3 (rc=$rc)" [ $rc -eq 3 ]
check "error names file and line: ${err%%$'\n'*}" grep -q "trunc.xml:[0-9]" <<<"$err"
check "store unchanged after the failed load" grep -q "\"sha256\":\"$un_sha\"" <<<"$("$K" --quiet --db "$DB" lists show UN)"

# 7. update offline: fails fast with the message, lists unchanged
start=$(date +%s)
err=$("$K" --quiet --db "$DB" lists update --name UN --url-un https://kpwatch.invalid/consolidated.xml 2>&1 >/dev/null); rc=$?
el=$(( $(date +%s) - start ))
check "offline update exits 4 (rc=$rc) in ${el}s" [ $rc -eq 4 -a $el -lt 30 ]
check "offline message says 'cannot reach ...; the stored lists are unchanged'" bash -c 'grep -q "cannot reach https://kpwatch.invalid/consolidated.xml: .*the stored lists are unchanged" <<<"$1"' _ "$err"
check "store unchanged after the offline update" grep -q "\"sha256\":\"$un_sha\"" <<<"$("$K" --quiet --db "$DB" lists show UN)"

# 8. update through file://: verify and swap
sed 's#</CONSOLIDATED_LIST>#<!-- republished --></CONSOLIDATED_LIST>#' "$UN" >"$T/un_new.xml"
new_sha=$(sha256sum "$T/un_new.xml" | cut -d' ' -f1)
out=$("$K" --quiet --db "$DB" lists update --name UN --url-un "file://$T/un_new.xml"); rc=$?
check "file:// update exits 0 (rc=$rc)" [ $rc -eq 0 ]
check "update reports status updated, 1003 entities, previous 1003" \
  grep -q '"status":"updated".*"entities":1003,"previous_entities":1003' <<<"$out"
check "store now holds the new version" grep -q "\"sha256\":\"$new_sha\"" <<<"$("$K" --quiet --db "$DB" lists show UN)"
out=$("$K" --quiet --db "$DB" lists update --name UN --url-un "file://$T/un_new.xml"); rc=$?
check "same version again is reported unchanged" grep -q '"status":"unchanged"' <<<"$out"
"$K" --quiet --db "$DB" lists update --name UN --url-un "file://$T/trunc.xml" >/dev/null 2>&1; rc=$?
check "update with a broken download exits 4 (rc=$rc)" [ $rc -eq 4 ]
"$K" --quiet --db "$DB" lists update --name UN --url-un "file://$UN" --sha256-un "$(printf '0%.0s' {1..64})" >/dev/null 2>&1; rc=$?
check "update with a wrong required SHA-256 exits 4 (rc=$rc)" [ $rc -eq 4 ]
check "store still holds the verified version" grep -q "\"sha256\":\"$new_sha\"" <<<"$("$K" --quiet --db "$DB" lists show UN)"

# 9. audit log: screen --db appends, rows cannot be changed, the chain verifies
head -201 "$DATA/eval/yente/candidate_generation_benchmark/negatives_global.csv" 2>/dev/null >"$T/q.csv"
if [ -s "$T/q.csv" ]; then
  "$K" --quiet --db "$DB" screen "$T/q.csv" >/dev/null 2>&1; rc=$?
  n=$("$K" --quiet --db "$DB" lists verify | grep -o '"audit_rows":[0-9]*' | cut -d: -f2)
  check "screen --db appends one audit row per query (rc=$rc, rows=${n:-none})" [ "${n:-0}" -eq 200 ]
fi
out=$("$K" --quiet --db "$DB" lists verify); rc=$?
check "lists verify: stored copy and audit chain intact (rc=$rc)" \
  bash -c '[ $2 -eq 0 ] && grep -q "\"list\":\"UN\",\"ok\":true" <<<"$1" && grep -q "\"audit_rows\":[0-9]*,\"ok\":true" <<<"$1"' _ "$out" $rc
if [ $has_sqlite -eq 1 ]; then
  if sql "UPDATE audit SET actor='mallory'" 2>/dev/null; then bad "audit UPDATE refused"; else ok "audit UPDATE refused"; fi
  if sql "DELETE FROM audit" 2>/dev/null; then bad "audit DELETE refused"; else ok "audit DELETE refused"; fi
  sql "INSERT INTO audit(at,actor,query,lists,result,hash) VALUES('2026-01-01T00:00:00Z','t','{}','[]','{}','forged')"
  "$K" --quiet --db "$DB" lists verify >/dev/null 2>&1; rc=$?
  check "a row inserted behind kpwatch's back breaks the chain: verify exits 3 (rc=$rc)" [ $rc -eq 3 ]
fi

# 10. the full OFAC SDN advanced XML (.bz2) into the store
if [ -f "$OFAC" ]; then
  DB3=$T/ofac.db
  s0=$(date +%s.%N)
  out=$("$K" --quiet --db "$DB3" lists load "$OFAC" 2>&1); rc=$?
  s1=$(date +%s.%N)
  check "OFAC sdn_advanced.xml.bz2 loads and is stored (rc=$rc, $(awk -v a="$s0" -v b="$s1" "BEGIN{printf \"%.2f\", b-a}") s)" [ $rc -eq 0 ]
  check "OFAC holds 18367 profiles" grep -q '"entities":18367' <<<"$out"
  # update with OFAC's published checksum (the shared data keeps its text)
  CK=$DATA/ofac/sdn_advanced_checksum.txt
  if [ -f "$CK" ] && command -v bzcat >/dev/null; then
    bzcat "$OFAC" >"$T/sdn.xml"
    out=$("$K" --quiet --db "$DB3" lists update --name OFAC --url-ofac "file://$T/sdn.xml" --checksum-url-ofac "file://$PWD/$CK" 2>&1); rc=$?
    check "OFAC update verified against the published checksum file (rc=$rc)" grep -q '"status":"updated"' <<<"$out"
    printf 'SHA256(sdn_advanced.xml) = %064d\n' 0 >"$T/wrong_ck.txt"
    "$K" --quiet --db "$DB3" lists update --name OFAC --url-ofac "file://$T/sdn.xml" --checksum-url-ofac "file://$T/wrong_ck.txt" >/dev/null 2>&1; rc=$?
    check "OFAC update against a non-matching checksum exits 4 (rc=$rc)" [ $rc -eq 4 ]
    rm -f "$T/sdn.xml"
  fi
  out=$("$K" --quiet --db "$DB3" lists show --entity OFAC:27307 2>&1); rc=$?
  check "an OFAC entity reloads from the stored copy (rc=$rc)" grep -q '"id":"OFAC:27307"' <<<"$out"
fi

if [ $fails -ne 0 ]; then echo "store.sh: $fails check(s) failed"; exit 1; fi
echo "store.sh: all checks passed"
