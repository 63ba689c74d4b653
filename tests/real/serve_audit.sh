#!/usr/bin/env bash
# kpwatch serve with a store: every /search and /match request is written to
# the audit log (query, list versions, result), and the log verifies.
# Uses the project's own fixture list, so it runs without ../shared/data.
set -u
bin=$1
command -v curl >/dev/null && command -v python3 >/dev/null || { echo "SKIP: serve_audit needs curl and python3"; exit 0; }
tmp=$(mktemp -d); trap 'kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
db=$tmp/a.db
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
"$bin" --quiet --db "$db" lists load tests/fixtures/lists/inhouse.csv > /dev/null
port=$((21000 + RANDOM % 20000))
"$bin" --db "$db" serve --listen 127.0.0.1:$port 2> "$tmp/err" & srv=$!
for i in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
for n in "Ri%20Chol%20Nam" "Kim%20Chol%20Su" "John%20Smith"; do curl -sf "http://127.0.0.1:$port/search?name=$n" > /dev/null; done
curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"queries":{"a":{"schema":"Person","properties":{"name":["Pak Hyon Sil"]}},"b":{"schema":"Vessel","properties":{"imoNumber":["8705963"]}}}}' \
  "http://127.0.0.1:$port/match" > /dev/null
curl -s "http://127.0.0.1:$port/search" > /dev/null          # 400: not a screening, not audited
kill -TERM $srv; wait $srv; rc=$?
check "serve exits 0 on SIGTERM" '[ $rc = 0 ]'
check "serve reports the rows written" 'grep -q "4 requests written to the audit log" "$tmp/err"'
rows=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('select count(*) from audit').fetchone()[0])" "$db")
check "4 audit rows (3 searches, 1 match)" '[ "$rows" = 4 ]'
q=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('select query||lists||result from audit where query like ? ', ('%/match%',)).fetchone()[0])" "$db")
check "the /match row holds the body, the list version and the result" 'case "$q" in *Pak\ Hyon\ Sil*inhouse*CSV:V1*) true;; *) false;; esac'
"$bin" --db "$db" lists verify > /dev/null 2>&1
check "the audit chain verifies" '[ $? = 0 ]'
exit $fail
