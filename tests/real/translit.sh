#!/usr/bin/env bash
# tests/real/translit.sh KPWATCH -- real-data conformance of the romanisers
# (lib/screen/translit*.c) through `kpwatch compare --forms NAME`.
#
# For every name in a non-Latin script (Korean/Hangul, Chinese, Cyrillic) of
# the OFAC DPRK-program extract, a hit is a comparable form that equals,
# spaces removed, the record's Latin primary name or one of its Latin
# aliases (case-folded, apostrophes removed, punctuation dropped). Entity
# names are mostly translations ("Golden Triangle Bank" / 金三角银行), so
# the thresholds apply to persons; entity figures are printed for the record.
# Also checks the Hangul/Han/Cyrillic rows of Watchman's cross-script pairs.
# Prints SKIP and exits 0 when ../shared/data is absent.
set -u
bin=${1:?usage: translit.sh KPWATCH}
data=../shared/data/screening
ext=$data/ofac/sdn_advanced_dprk_extract.jsonl
pairs=$data/eval/watchman/cross_script_pairs.csv
if [ ! -d ../shared/data ]; then echo "SKIP: ../shared/data absent"; exit 0; fi
if [ ! -r "$ext" ]; then echo "SKIP: $ext absent"; exit 0; fi
if ! "$bin" compare --forms "김정은" >/dev/null 2>&1; then
  echo "FAIL: $bin compare --forms does not run"; exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# JSONL -> TSV: profile, party, script, primary(1/0), full name. The extract
# holds one profile per line; names are objects {"type":..,"primary":..,
# "script":[..],"parts":[..]} (only \" appears as an escape).
awk '
{
  line = $0; gsub(/\\"/, "", line)
  pid = line; sub(/^.*"profile_id": "/, "", pid); sub(/".*$/, "", pid)
  party = line; sub(/^.*"party": "/, "", party); sub(/".*$/, "", party)
  n = split(line, ch, /\{"type": /)
  for (i = 2; i <= n; i++) {
    c = ch[i]
    prim = (c ~ /"primary": true/) ? 1 : 0
    sc = c; if (!sub(/^.*"script": \["/, "", sc)) continue; sub(/".*$/, "", sc)
    parts = c; if (!sub(/^.*"parts": \[/, "", parts)) continue; sub(/\].*$/, "", parts)
    gsub(/", "/, " ", parts); gsub(/"/, "", parts)
    printf "%s\t%s\t%s\t%d\t%s\n", pid, party, sc, prim, parts
  }
}' "$ext" > "$tmp/names.tsv"

fold() { tr 'A-Z' 'a-z' | sed "s/[’ʼ'\`]//g; s/[^a-z0-9]//g"; }

declare -A tot hit
misses=0
while IFS=$'\t' read -r pid party sc prim name; do
  case "$sc" in
    Korean|Hangul) k=korean ;; Chinese*) k=han ;; Cyrillic) k=cyrillic ;; *) continue ;;
  esac
  key="$k/$party"
  tot[$key]=$(( ${tot[$key]:-0} + 1 ))
  "$bin" compare --forms "$name" | sed 's/ | /\n/g' | tr -d ' ' > "$tmp/forms"
  awk -F'\t' -v p="$pid" '$1 == p && $3 == "Latin" { print $5 }' "$tmp/names.tsv" |
    while read -r l; do printf '%s\n' "$l" | fold; done > "$tmp/latin"
  if grep -qxFf "$tmp/latin" "$tmp/forms" 2>/dev/null; then
    hit[$key]=$(( ${hit[$key]:-0} + 1 ))
  elif [ "$party" = Individual ]; then
    echo "miss: $pid $sc '$name' -> $(tr '\n' ' ' < "$tmp/forms")| latin: $(tr '\n' ' ' < "$tmp/latin")"
    misses=$((misses + 1))
  fi
done < "$tmp/names.tsv"

rc=0
check() {  # key min_percent
  local t=${tot[$1]:-0} h=${hit[$1]:-0}
  if [ "$t" -eq 0 ]; then echo "FAIL: $1: no names found"; rc=1; return; fi
  local pct=$(( 100 * h / t ))
  if [ "$pct" -ge "$2" ]; then echo "ok: $1 names with a form equal to a list Latin name: $h/$t (min $2%)"
  else echo "FAIL: $1: $h/$t < $2%"; rc=1; fi
}
check korean/Individual 95
check han/Individual 80
check cyrillic/Individual 95
for k in korean/Entity han/Entity cyrillic/Entity; do
  echo "info: $k (mostly translated names): ${hit[$k]:-0}/${tot[$k]:-0}"
done

# EU DPRK regulation annexes: persons whose name/alias lists hold a Hangul
# spelling next to Latin ones ("KIM Yong Chol", "김영철; KIM Yong-Chol; ...").
eu=$data/eu/eu_2017-1509_dprk_journal.csv
if [ -r "$eu" ]; then
  # CSV (quoted fields, "" escapes, no embedded newlines) -> schema TAB name; alias
  LC_ALL=C awk '
  function parse(line,   i, c, n, f, q) {
    n = 1; f = ""; q = 0
    for (i = 1; i <= length(line); i++) {
      c = substr(line, i, 1)
      if (q) {
        if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { f = f c; i++ } else q = 0 }
        else f = f c
      } else if (c == "\"") q = 1
      else if (c == ",") { fld[n++] = f; f = "" }
      else f = f c
    }
    fld[n] = f
    return n
  }
  NR > 1 { parse($0); if (fld[8] == "Person") print fld[9] ";" fld[10] }' "$eu" > "$tmp/eu.txt"
  et=0; eh=0
  while IFS= read -r row; do
    IFS=';' read -ra items <<< "$row"
    : > "$tmp/eulat"; kor=()
    for it in "${items[@]}"; do
      it=$(printf '%s' "$it" | sed 's/^ *//; s/ *$//')
      [ -n "$it" ] || continue
      if printf '%s' "$it" | LC_ALL=C grep -q $'[\xea-\xed]'; then kor+=("$it")
      else printf '%s\n' "$it" | fold >> "$tmp/eulat"; fi
    done
    for k in "${kor[@]}"; do
      et=$((et + 1))
      if "$bin" compare --forms "$k" | sed 's/ | /\n/g' | tr -d ' ' | grep -qxFf "$tmp/eulat"; then eh=$((eh + 1))
      else echo "miss: EU '$k' -> $("$bin" compare --forms "$k") | latin: $(tr '\n' ' ' < "$tmp/eulat")"; fi
    done
  done < "$tmp/eu.txt"
  if [ "$et" -gt 0 ] && [ $(( 100 * eh / et )) -ge 80 ]; then
    echo "ok: EU persons, Hangul names with a form equal to a listed Latin spelling: $eh/$et (min 80%)"
  else echo "FAIL: EU persons Hangul names: $eh/$et < 80%"; rc=1; fi
fi

# Watchman cross-script pairs: Hangul, Han and Cyrillic rows.
if [ -r "$pairs" ]; then
  ph=0; pt=0
  while IFS=, read -r q want _rest; do
    case "$q" in ''|\#*) continue ;; esac
    printf '%s' "$q" | LC_ALL=C grep -qP '\xea|\xeb|\xec|\xed|\xe4|\xe5|\xe6|\xe7|\xe8|\xe9|\xd0|\xd1' || continue
    pt=$((pt + 1))
    w=$(printf '%s' "$want" | fold)
    if "$bin" compare --forms "$q" | sed 's/ | /\n/g' | tr -d ' ' | grep -qxF "$w"; then ph=$((ph + 1))
    else echo "miss: cross-script '$q' -> '$want': $("$bin" compare --forms "$q")"; fi
  done < "$pairs"
  if [ "$ph" -ge 9 ]; then echo "ok: cross-script pairs (Hangul/Han/Cyrillic) exact form: $ph/$pt (min 9)"
  else echo "FAIL: cross-script pairs: $ph/$pt < 9"; rc=1; fi
fi
exit $rc
