#!/usr/bin/env bash
# tests/real/serve.sh -- real-data checks of `kpwatch serve` and of payment
# screening: starts the server on a free loopback port with the official UN
# XML, checks every endpoint with curl (shapes, status codes, JSON content
# type, limits, errors), a second server with a bearer token, the refusal to
# bind a public address without one, a clean shutdown on SIGTERM, and
# `screen --payments` over the MT103 / pacs.008 fixtures.
# Usage: tests/real/serve.sh path/to/kpwatch   (run from the repo root)
set -u
K=${1:?usage: $0 path/to/kpwatch}
case "$K" in /*) ;; *) K="$PWD/$K" ;; esac
DATA=../shared/data/screening
UN=$DATA/un/un_consolidated_2026-02-27.xml
if [ ! -d ../shared/data ]; then echo "SKIP: ../shared/data is absent"; exit 0; fi
if [ ! -f "$UN" ]; then echo "SKIP: $UN is absent"; exit 0; fi
for tool in curl python3; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 0; }
done

T=$(mktemp -d /tmp/kpw_real_serve.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fails=$((fails + 1)); }

# Start a server; sets PID and BASE. Extra args are passed through.
start() {
  local log=$T/srv$#.err
  "$K" --quiet serve --listen 127.0.0.1:0 -l "$UN" "$@" 2>"$log" &
  PID=$!
  PIDS+=("$PID")
  local i port=""
  for i in $(seq 1 600); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$')
    [ -n "$port" ] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    bad "server started ($(tr '\n' ' ' < "$log" | cut -c1-200))"
    echo "$fails check(s) failed"; exit 1
  fi
  BASE=http://127.0.0.1:$port
}

# req METHOD PATH [curl args...]: sets CODE, CTYPE and BODY (file $T/body).
req() {
  local m=$1 p=$2; shift 2
  local out
  out=$(curl -s -o "$T/body" -w '%{http_code} %{content_type}' -X "$m" "$@" "$BASE$p")
  CODE=${out%% *}; CTYPE=${out#* }
  BODY=$(cat "$T/body")
}

# jq-like check: py EXPR -> evaluates EXPR with j = the parsed body.
py() {
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/body" "$1" 2>/dev/null
}

expect() {  # expect WHAT CODE PYEXPR
  local what=$1 code=$2 expr=${3:-True}
  if [ "$CODE" = "$code" ] && [ "${CTYPE%%;*}" = "application/json" ] && py "$expr"; then
    ok "$what"
  else
    bad "$what (HTTP $CODE, $CTYPE): $(echo "$BODY" | cut -c1-160)"
  fi
}

start
req GET /healthz
expect "GET /healthz" 200 'j == {"status": "ok"}'
req GET /lists
expect "GET /lists names UN with its entities and sha256" 200 \
  'j["lists"][0]["name"] == "UN" and j["lists"][0]["entities"] > 900 and len(j["lists"][0]["sha256"]) == 64'
req GET '/search?name=KOREA%20KWANGSON%20BANKING%20CORP&schema=Organization'
expect "GET /search finds KOREA KWANGSON BANKING CORPORATION (UN:KPe.025)" 200 \
  'j["results"][0]["id"] == "UN:KPe.025" and j["results"][0]["match"] and j["total"] >= 1 and j["results"][0]["explain"]'
req GET '/search?name=Paek%20Chang%20Ho&schema=Person&dob=1964-06-18&limit=3'
expect "GET /search with dob finds PAEK CHANG-HO (UN:KPi.006)" 200 \
  'j["results"][0]["id"] == "UN:KPi.006" and j["query"]["limit"] == 3'
req GET '/search?name=Anna%20Schmidt&schema=Person'
expect "GET /search clean name has no match" 200 \
  'not any(r["match"] for r in j["results"])'
req POST /match -H 'Content-Type: application/json' --data-binary \
  '{"queries":{"q1":{"schema":"Person","properties":{"name":["Paek Chang Ho"],"birthDate":["1964-06-18"],"nationality":["kp"]}},"q2":{"schema":"Company","properties":{"name":"Korea Kwangson Banking Corp"}},"q3":{"schema":"Person","properties":{"name":["Anna Schmidt"]}}}}'
expect "POST /match answers in yente's shape" 200 \
  'set(j["responses"]) == {"q1","q2","q3"} and j["responses"]["q1"]["results"][0]["id"] == "UN:KPi.006" and j["responses"]["q1"]["results"][0]["match"] is True and j["responses"]["q1"]["total"]["relation"] == "eq" and j["responses"]["q1"]["query"]["schema"] == "Person" and j["responses"]["q2"]["results"][0]["id"] == "UN:KPe.025" and "caption" in j["responses"]["q2"]["results"][0] and "features" in j["responses"]["q2"]["results"][0] and j["limit"] == 5 and not any(r["match"] for r in j["responses"]["q3"]["results"])'
req POST /match/UN --data-binary '{"queries":{"q":{"schema":"Person","properties":{"passportNumber":["381420754"]}}}}'
expect "POST /match/UN by passport number" 200 \
  'j["responses"]["q"]["results"][0]["id"] == "UN:KPi.006"'
req POST /match/nosuchlist --data-binary '{"queries":{"q":{"schema":"Person","properties":{"name":["x"]}}}}'
expect "POST /match/{unknown dataset} is 404" 404 '"error" in j'
req GET /entities/UN:KPi.033
expect "GET /entities/UN:KPi.033" 200 \
  'j["id"] == "UN:KPi.033" and j["names"][0]["kind"] == "primary" and "script" in j["names"][0] and j["list"] == "UN"'
req GET /entities/UN%3AKPe.025
expect "GET /entities/ URL-decoded id" 200 'j["id"] == "UN:KPe.025"'
req GET /entities/UN:NOPE.1
expect "GET /entities/unknown is 404 JSON" 404 '"error" in j and "detail" in j'

# Errors
req POST /match --data-binary '{"queries":{"q1":'
expect "truncated JSON is 400" 400 'j["error"] == "invalid JSON" and "column" in j["detail"]'
printf '{"queries":{"q1":{"schema":"Person","properties":{"name":["Kim \xff Un"]}}}}' > "$T/bad.json"
req POST /match --data-binary @"$T/bad.json"
expect "invalid UTF-8 in JSON is 400" 400 '"UTF-8" in j["detail"]'
req POST /match --data-binary '{"queries":{"q1":{"schema":"Person","properties":{"name":{"x":1}}}}}'
expect "wrong shape is 400" 400 '"properties.name" in j["detail"]'
python3 -c 'import json; print(json.dumps({"queries": {"q%d" % i: {"schema": "Person", "properties": {"name": ["x"]}} for i in range(101)}}))' > "$T/many.json"
req POST /match --data-binary @"$T/many.json"
expect "101 queries is 400" 400 '"Too many queries" in j["detail"]'
head -c 2000000 /dev/zero | tr '\0' ' ' > "$T/big.json"
req POST /match --data-binary @"$T/big.json"
expect "2 MB body is 413 (Content-Length)" 413 '"error" in j'
req POST /match -H 'Transfer-Encoding: chunked' --data-binary @"$T/big.json"
expect "2 MB chunked body is 413" 413 '"error" in j'
req GET '/search?name=%ff%fe'
expect "invalid UTF-8 in query string is 400" 400 '"UTF-8" in j["detail"]'
req GET '/search?name=x&threshold=7'
expect "threshold out of range is 400" 400 '"threshold" in j["detail"]'
req GET /search
expect "search without name is 400" 400 '"error" in j'
req GET /match
expect "GET /match is 405" 405 '"error" in j'
req DELETE /lists
expect "DELETE /lists is 405" 405 '"error" in j'
req GET /nope
expect "unknown path is 404" 404 '"error" in j'

# Keep-alive: two requests on one connection.
if curl -s -v "$BASE/healthz" "$BASE/healthz" 2>&1 | grep -q 'Re-using existing connection'; then
  ok "keep-alive: second request reuses the connection"
else
  bad "keep-alive: connection was not reused"
fi

kill -TERM "$PID"; wait "$PID"; rc=$?
if [ $rc -eq 0 ]; then ok "SIGTERM: clean exit"; else bad "SIGTERM: exit $rc"; fi

# Token
start --token s3cret-token-for-tests
req GET /lists
expect "token set: /lists without token is 401" 401 '"error" in j'
req GET /lists -H 'Authorization: Bearer wrong'
expect "token set: wrong token is 401" 401 '"error" in j'
req GET /lists -H 'Authorization: Bearer s3cret-token-for-tests'
expect "token set: right token is 200" 200 'len(j["lists"]) == 1'
req POST /match -H 'Authorization: Bearer nope' --data-binary @"$T/big.json"
expect "token set: unauthenticated upload refused with 401" 401 '"error" in j'
req GET /healthz
expect "token set: /healthz stays open" 200 'j["status"] == "ok"'
kill -TERM "$PID"; wait "$PID"

out=$(KPWATCH_TOKEN= "$K" serve --listen 0.0.0.0:0 -l "$UN" 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q token; then
  ok "non-loopback without a token: refused (exit 2)"
else
  bad "non-loopback without a token: exit $rc: $out"
fi

# Payment screening (parser: lib/payments; screening: kpwatch screen).
F=tests/fixtures/payments
if "$K" screen --help 2>&1 | grep -q -- --payments; then
  out=$("$K" --quiet screen -l "$UN" --payments $F/mt103_dprk.fin 2>&1)
  if echo "$out" | grep -q 'UN:KPe.025' && echo "$out" | grep -q 'UN:KPi.006'; then
    ok "screen --payments MT103: KKBC (50K) and PAEK CHANG HO (50F) found"
  else
    bad "screen --payments MT103: $(echo "$out" | head -c 300)"
  fi
  out=$("$K" --quiet screen -l "$UN" --payments $F/pacs008_dprk.xml 2>&1)
  if echo "$out" | grep -q 'UN:KPe.025'; then
    ok "screen --payments pacs.008: KOREA KWANGSON BANKING CORP found"
  else
    bad "screen --payments pacs.008: $(echo "$out" | head -c 300)"
  fi
  out=$("$K" --quiet screen -l "$UN" --payments $F/mt103_clean.fin 2>&1); rc=$?
  if [ $rc -eq 0 ] && ! echo "$out" | grep -q '"match":true'; then
    ok "screen --payments clean MT103: no match"
  else
    bad "screen --payments clean MT103: exit $rc $(echo "$out" | head -c 300)"
  fi
  out=$("$K" --quiet screen -l "$UN" --payments $F/bad/mt103_unterminated.fin 2>&1); rc=$?
  if [ $rc -eq 3 ] && echo "$out" | grep -q 'mt103_unterminated.fin:[0-9]'; then
    ok "screen --payments unterminated MT103: exit 3 with location"
  else
    bad "screen --payments unterminated MT103: exit $rc: $out"
  fi
else
  echo "SKIP: kpwatch screen has no --payments option"
fi

if [ $fails -eq 0 ]; then echo "serve: all checks passed"; else echo "serve: $fails check(s) failed"; fi
[ $fails -eq 0 ]
