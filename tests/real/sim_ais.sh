#!/usr/bin/env bash
# `kpwatch sim ais`: generate scenarios (NMEA and CSV from one seed) and check:
#  - the same seed gives the same bytes, another seed other bytes;
#  - every NMEA line: tag block \s:sim,c:<unix>*hh\ and sentence checksums,
#    fill bits (0 for 28-char types 1/3, 2 on the last fragment of type 5),
#    fragments paired by sequence id;
#  - an independent Python AIVDM decoder (and gpsdecode when installed) turns
#    the NMEA into exactly the CSV rows: same fixes, order, coordinates,
#    speeds, courses, headings, and the identities of type 5;
#  - truth.json is consistent with the CSV: encounters alongside < 500 m with
#    both < 1 kn, gaps really silent, >= 6 h and bounded by fixes, no other
#    silence >= 1 h in any track, rendezvous tiers from the real distances,
#    port calls within 3 km, dark port calls (>= 12 h, ends < 30 km), identity
#    changes visible in the data, negatives really close (anchorage crowd,
#    trawlers at ~3 kn, passing at speed), the antimeridian encounter crosses
#    180 deg and UTC midnight;
#  - the scorer on hand-made findings gives the expected counts, and bad
#    findings give exit 3 with the file and line;
#  - --positions streams N lines in time order (speed printed).
set -u
bin=$1
command -v python3 >/dev/null || { echo "SKIP: sim_ais needs python3"; exit 0; }
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
tmp=$(mktemp -d /tmp/kpw-sim-ais.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$bin" --quiet sim ais --out "$tmp/n" --seed 11 --scenarios 28 --background 12 > "$tmp/n.sum"; rc=$?
check "sim ais nmea: exit 0" '[ $rc = 0 ]'
check "sim ais: summary line" 'grep -Eq "^\{\"vessels\":[0-9]+,\"fixes\":[0-9]+,\"lines\":[0-9]+,\"bytes\":[0-9]+,\"expect\":[0-9]+,\"negatives\":[0-9]+\}$" "$tmp/n.sum"'
"$bin" --quiet sim ais --out "$tmp/c" --seed 11 --scenarios 28 --background 12 --format csv > /dev/null; rc=$?
check "sim ais csv: exit 0" '[ $rc = 0 ]'
"$bin" --quiet sim ais --out "$tmp/n2" --seed 11 --scenarios 28 --background 12 > /dev/null
"$bin" --quiet sim ais --out "$tmp/n3" --seed 12 --scenarios 28 --background 12 > /dev/null
check "same seed, same tracks" 'cmp -s "$tmp/n/tracks.nmea" "$tmp/n2/tracks.nmea"'
check "same seed, same truth" 'cmp -s "$tmp/n/truth.json" "$tmp/n2/truth.json"'
check "another seed, other tracks" '! cmp -s "$tmp/n/tracks.nmea" "$tmp/n3/tracks.nmea"'
check "truth.json is JSON" 'python3 -m json.tool "$tmp/n/truth.json" > /dev/null'
"$bin" --quiet sim ais --out "$tmp/x" > /dev/null 2>&1 --format xml; rc=$?
check "bad --format: exit 2" '[ $rc = 2 ]'

gd=""
if command -v gpsdecode > /dev/null; then
  gpsdecode < "$tmp/n/tracks.nmea" > "$tmp/gpsd.jsonl"
  gd="$tmp/gpsd.jsonl"
else
  echo "note: gpsdecode not installed (apt-get install gpsd-clients): cross-check skipped"
fi

cat > "$tmp/check.py" <<'EOF'
import json, math, re, sys, csv, datetime, collections
nmea, csvp, truthp, gd = sys.argv[1:5]
errs = []
def err(m):
    if len(errs) < 25: errs.append(m)
def ok(name, cond):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond: errs.append(name)

# ---- 1. NMEA framing and an independent decoder
def xor(s):
    c = 0
    for ch in s: c ^= ord(ch)
    return c
rx = re.compile(r'^\\(s:sim,c:(\d+))\*([0-9A-F]{2})\\!(AIVDM,(\d),(\d),(\d?),([AB]),([0-9:;<=>?@A-W`a-w]+),(\d))\*([0-9A-F]{2})$')
def unarmor(p):
    bits = []
    for ch in p:
        v = ord(ch) - 48
        if v > 40: v -= 8
        bits.extend((v >> (5 - i)) & 1 for i in range(6))
    return bits
def u(b, s, n):
    v = 0
    for i in range(n): v = (v << 1) | b[s + i]
    return v
def sgn(b, s, n):
    v = u(b, s, n)
    return v - (1 << n) if v >> (n - 1) else v
def txt(b, s, n):
    out = ""
    for i in range(n):
        c = u(b, s + 6 * i, 6)
        out += chr(c + 64 if c < 32 else c)
    return out.rstrip("@ ")
msgs = []; pend = None; bad = 0; nl = 0
for line in open(nmea):
    nl += 1
    m = rx.match(line.rstrip("\n"))
    if not m: bad += 1; err("line %d: malformed %r" % (nl, line[:60])); continue
    tag, tcs, sen = m.group(1), m.group(3), m.group(4)
    if int(tcs, 16) != xor(tag): bad += 1; err("line %d: tag block checksum" % nl)
    if int(m.group(11), 16) != xor(sen): bad += 1; err("line %d: sentence checksum" % nl)
    t = int(m.group(2)); nf, fi, seq, pay, fill = int(m.group(5)), int(m.group(6)), m.group(7), m.group(9), int(m.group(10))
    if nf == 1:
        if len(pay) != 28 or fill != 0 or seq: bad += 1; err("line %d: type 1/3 length/fill" % nl)
        msgs.append((t, unarmor(pay)))
    elif fi == 1:
        pend = (t, seq, pay, fill)
        if fill != 0: bad += 1
    else:
        if not pend or pend[1] != seq or pend[0] != t: bad += 1; err("line %d: fragment 2 without its fragment 1" % nl); continue
        if fill != 2 or len(pend[2]) + len(pay) != 71: bad += 1; err("line %d: type 5 length/fill" % nl)
        b = unarmor(pend[2] + pay); msgs.append((t, b[:len(b) - fill])); pend = None
ok("nmea: %d lines, tag blocks, checksums, fill bits, fragments" % nl, bad == 0)

dec = []
for t, b in msgs:
    ty = u(b, 0, 6)
    if ty in (1, 3):
        dec.append(dict(t=t, type=ty, mmsi=u(b, 8, 30), status=u(b, 38, 4), speed=u(b, 50, 10) / 10,
                        lon=sgn(b, 61, 28) / 600000, lat=sgn(b, 89, 27) / 600000, course=u(b, 116, 12) / 10,
                        heading=u(b, 128, 9), second=u(b, 137, 6)))
    elif ty == 5:
        dec.append(dict(t=t, type=5, mmsi=u(b, 8, 30), imo=u(b, 40, 30), callsign=txt(b, 70, 7), shipname=txt(b, 112, 20)))
    else: err("unexpected type %d" % ty)

# ---- 2. CSV rows against the decoded NMEA
rows = []
for r in csv.DictReader(open(csvp)):
    r["t"] = int(datetime.datetime.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())
    for k in ("lat", "lon", "speed", "course"): r[k] = float(r[k])
    r["mmsi"] = int(r["mmsi"]); r["heading"] = int(r["heading"])
    rows.append(r)
pos = [d for d in dec if d["type"] != 5]
same = len(pos) == len(rows)
mism = 0
ident = {}
di = 0
for d in dec:
    if d["type"] == 5: ident[d["mmsi"]] = d; continue
    if di >= len(rows): break
    r = rows[di]; di += 1
    if (r["mmsi"], r["t"]) != (d["mmsi"], d["t"]) or abs(r["lat"] - d["lat"]) > 2e-6 or abs(r["lon"] - d["lon"]) > 2e-6 \
       or abs(r["speed"] - d["speed"]) > 1e-9 or abs(r["course"] - d["course"]) > 1e-9 or r["heading"] != d["heading"] \
       or d["second"] != d["t"] % 60:
        mism += 1; err("row %d differs: %s vs %s" % (di, r, d))
ok("csv == decoded nmea: %d fixes, same order and values" % len(rows), same and mism == 0)
# each type 5 carries the identity of the CSV row it was sent with (t - 1)
truth = json.load(open(truthp))
shared = set()
for s in truth["scenarios"]:
    if s["kind"] == "mmsi_shared": shared |= {int(v[5:]) for v in s["vessels"]}
at = collections.defaultdict(list)
for r in rows: at[(r["mmsi"], r["t"])].append(r)
bad5 = n5 = 0
for d in dec:
    if d["type"] != 5: continue
    n5 += 1
    cand = at.get((d["mmsi"], d["t"] - 1), [])
    if not any(r["name"] == d["shipname"] and r["callsign"] == d["callsign"] and (r["imo"] or "0") == str(d["imo"]).zfill(7 if d["imo"] else 1) for r in cand):
        bad5 += 1; err("type 5 %s has no matching csv row %s" % (d, cand[:1]))
ok("%d type 5 messages carry the csv identity (name, imo, call sign)" % n5, bad5 == 0 and n5 > 0)

if gd != "":
    G = [json.loads(l) for l in open(gd)]
    gp = [g for g in G if g["type"] in (1, 3)]
    g5 = [g for g in G if g["type"] == 5]
    n5 = sum(1 for d in dec if d["type"] == 5)
    ok("gpsdecode decodes every message (%d positions, %d type 5)" % (len(gp), len(g5)), len(gp) == len(pos) and len(g5) == n5)
    gm = 0
    for g, d in zip(gp, pos):
        if g["mmsi"] != d["mmsi"] or abs(g["lat"] - d["lat"]) > 1e-6 or abs(g["lon"] - d["lon"]) > 1e-6 \
           or abs(g["speed"] - d["speed"]) > 1e-9 or abs(g["course"] - d["course"]) > 1e-9 or g["heading"] != d["heading"]:
            gm += 1; err("gpsdecode differs: %s vs %s" % (g, d))
    d5 = [d for d in dec if d["type"] == 5]
    for g, d in zip(g5, d5):
        if g["mmsi"] != d["mmsi"] or g["imo"] != d["imo"] or g["shipname"] != d["shipname"] or g["callsign"] != d["callsign"]:
            gm += 1; err("gpsdecode type 5 differs: %s vs %s" % (g, d))
    ok("gpsdecode fields == independent decoder", gm == 0)

# ---- 3. truth against the CSV tracks
R = 6371008.8
def hav(a, b, c, d):
    p = math.radians
    h = math.sin(p(c - a) / 2) ** 2 + math.cos(p(a)) * math.cos(p(c)) * math.sin(p(d - b) / 2) ** 2
    return 2 * R * math.asin(min(1, math.sqrt(h)))
def iso(s): return int(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())
tr = collections.defaultdict(list)
for r in rows: tr[r["mmsi"]].append(r)
def interp(track, t):
    for a, b in zip(track, track[1:]):
        if a["t"] <= t <= b["t"]:
            if b["t"] - a["t"] > 3600: return None
            f = (t - a["t"]) / max(1, b["t"] - a["t"])
            dl = b["lon"] - a["lon"]
            if dl > 180: dl -= 360
            if dl < -180: dl += 360
            lo = a["lon"] + f * dl
            if lo > 180: lo -= 360
            if lo < -180: lo += 360
            return a["lat"] + f * (b["lat"] - a["lat"]), lo
    return None
def m(s): return int(s[5:])
planned = collections.defaultdict(list)
kinds = collections.Counter()
for s in truth["scenarios"]:
    for e in s["expect"]:
        kinds[e["kind"]] += 0 if e.get("optional") else 1
        S, E = iso(e["start"]), iso(e["end"])
        subj = [m(x) for x in e["subjects"]]
        if e["kind"] == "encounter":
            A, B = tr[subj[0]], tr[subj[1]]
            worst, slow, n, lons = 0, True, 0, []
            for r in A:
                if S <= r["t"] <= E:
                    p = interp(B, r["t"])
                    if p: worst = max(worst, hav(r["lat"], r["lon"], p[0], p[1])); n += 1; lons.append(r["lon"])
            for r in A + B:
                if S <= r["t"] <= E and r["speed"] >= 1.0: slow = False
            ok("%s: encounter alongside %d m (< 500) over %d fixes, both < 1 kn, %.1f h" % (s["name"], worst, n, (E - S) / 3600),
               n >= 10 and worst < 500 and slow and E - S >= 2 * 3600)
            if s["kind"] == "antimeridian_midnight":
                ok("%s: the encounter crosses 180 deg and UTC midnight" % s["name"],
                   any(l > 179 for l in lons) and any(l < -179 for l in lons) and S // 86400 != E // 86400)
        elif e["kind"] in ("ais_gap", "dark_port_call"):
            T = tr[subj[0]]
            inside = [r for r in T if S < r["t"] < E]
            ends = [r for r in T if r["t"] in (S, E)]
            okk = not inside and len(ends) >= 2 and E - S >= 6 * 3600
            if e["kind"] == "dark_port_call":
                a = [r for r in T if r["t"] == S][0]; b = [r for r in T if r["t"] == E][0]
                da = hav(a["lat"], a["lon"], e["port_lat"], e["port_lon"]); db = hav(b["lat"], b["lon"], e["port_lat"], e["port_lon"])
                okk = okk and E - S >= 12 * 3600 and da < 30000 and db < 30000
                ok("%s: dark port call %.1f h, ends %.1f / %.1f km from %s" % (s["name"], (E - S) / 3600, da / 1e3, db / 1e3, e["port"]), okk)
            else:
                ok("%s: ais_gap %.1f h, silent, bounded by fixes" % (s["name"], (E - S) / 3600), okk)
            if okk: planned[subj[0]].append((S, E))
        elif e["kind"] == "dark_rendezvous":
            if e.get("optional"): continue
            A, B = tr[subj[0]], tr[subj[1]]
            def last_before(T, t): return max((r for r in T if r["t"] <= t), key=lambda r: r["t"])
            gaps = []
            for T in (A, B):
                big = [(a, b) for a, b in zip(T, T[1:]) if b["t"] - a["t"] >= 6 * 3600]
                gaps.append(big[0] if big else None)
            if None in gaps: ok("%s: both dark" % s["name"], False); continue
            (a1, b1), (a2, b2) = gaps
            ov = min(b1["t"], b2["t"]) - max(a1["t"], a2["t"])
            d0 = hav(a1["lat"], a1["lon"], a2["lat"], a2["lon"]) / 1852; d1 = hav(b1["lat"], b1["lon"], b2["lat"], b2["lon"]) / 1852
            dm = max(d0, d1)
            tier = "<5nm" if dm < 5 else "5-15nm" if dm < 15 else "15-50nm"
            want = {"dark_rendezvous_near": "<5nm", "dark_rendezvous_mid": "5-15nm", "dark_rendezvous_far": "15-50nm"}[s["kind"]]
            ok("%s: both dark >= 6 h, overlap %.1f h, ends %.1f / %.1f nm apart (tier %s)" % (s["name"], ov / 3600, d0, d1, tier),
               ov >= 4 * 3600 and tier == want and ("max tier " + tier) in e["note"])
        elif e["kind"] == "port_call":
            T = tr[subj[0]]
            a = [r for r in T if r["t"] == S]
            d = hav(a[0]["lat"], a[0]["lon"], e["port_lat"], e["port_lon"]) if a else 1e9
            stay = [r for r in T if S <= r["t"] < E]   # E: first fix beyond 4 km (exit)
            far = max(hav(r["lat"], r["lon"], e["port_lat"], e["port_lon"]) for r in stay) if stay else 1e9
            if not e.get("optional"):
                ok("%s: port call at %s, enters %.2f km, %.1f h, stays within 4 km" % (s["name"], e["port"], d / 1e3, (E - S) / 3600, ),
                   d < 3000 and far <= 4000 and E - S >= 12 * 3600)
        elif e["kind"] == "identity_change":
            T = tr[subj[0]]
            if s["kind"] == "mmsi_shared":
                jumps = sum(1 for a, b in zip(T, T[1:]) if hav(a["lat"], a["lon"], b["lat"], b["lon"]) / 1852 / max(1, b["t"] - a["t"]) * 3600 > 50)
                names = {r["name"] for r in T}
                ok("%s: one MMSI, two hulls (%d impossible jumps, names %s)" % (s["name"], jumps, sorted(names)), jumps > 10 and len(names) == 2)
            else:
                before = {(r["name"], r["imo"], r["callsign"]) for r in T if r["t"] < S - 900}
                after = {(r["name"], r["imo"], r["callsign"]) for r in T if r["t"] > E + 900}
                ok("%s: identity %s -> %s" % (s["name"], sorted(before), sorted(after)), len(before) == 1 and len(after) == 1 and before != after)
    for e in s["negatives"]:
        S, E = iso(e["start"]), iso(e["end"])
        subj = [m(x) for x in e["subjects"]]
        if e["kind"] == "encounter":
            A, B = tr[subj[0]], tr[subj[1]]
            dmin = 1e9
            for t in range(S, E + 1, 10):   # both interpolated on a 10 s grid
                p, q = interp(A, t), interp(B, t)
                if p and q: dmin = min(dmin, hav(p[0], p[1], q[0], q[1]))
            sp = [r["speed"] for r in A + B if S <= r["t"] <= E]
            kind = s["kind"]
            if kind == "pair_trawlers": cond = dmin < 500 and 2.5 <= sum(sp) / len(sp) <= 3.6
            elif kind == "passing": cond = dmin < 600 and min(sp) > 10
            else: cond = dmin < 500 and max(sp) < 1
            ok("%s: negative encounter really close (%d m, speeds %.1f-%.1f kn)" % (s["name"], dmin, min(sp), max(sp)), cond)
# no unplanned silence >= 1 h (background and scenarios), the shared MMSI aside
un = 0
for mm, T in tr.items():
    if mm in shared: continue
    for a, b in zip(T, T[1:]):
        if b["t"] - a["t"] >= 3600 and not any(S <= a["t"] and b["t"] <= E for S, E in planned[mm]):
            un += 1; err("unplanned silence %d s for %d at %d" % (b["t"] - a["t"], mm, a["t"]))
ok("no unplanned silence >= 1 h in %d tracks" % len(tr), un == 0)
def imo_ok(s): return len(s) == 7 and sum(int(s[i]) * (7 - i) for i in range(6)) % 10 == int(s[6])
owners = collections.defaultdict(set)
for r in rows:
    if r["imo"]: owners[r["imo"]].add(r["mmsi"])
ok("IMO numbers: valid check digits, each used by one MMSI (%d IMOs)" % len(owners),
   all(imo_ok(i) for i in owners) and all(len(v) == 1 for v in owners.values()))
bg = [int(x[5:]) for x in truth["background"]]
ok("background: %d vessels at 8-15 kn" % len(bg), bg and all(7.8 <= r["speed"] <= 15.2 for b in bg for r in tr[b]))
ok("every scenario kind present", len({s["kind"] for s in truth["scenarios"]}) == 14)
for k in errs[:25]: print("   ", k)
sys.exit(1 if errs else 0)
EOF
python3 "$tmp/check.py" "$tmp/n/tracks.nmea" "$tmp/c/tracks.csv" "$tmp/n/truth.json" "$gd" || fail=1

# ---- scorer on hand-made findings
cat > "$tmp/mkfind.py" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
out = open(sys.argv[2], "w")
exp = [e for s in t["scenarios"] for e in s["expect"] if not e.get("optional")]
opt = [e for s in t["scenarios"] for e in s["expect"] if e.get("optional")]
neg = [e for s in t["scenarios"] for e in s["negatives"]]
def w(e, **kw):
    f = {"kind": e["kind"], "subjects": list(reversed(e["subjects"])) + ["imo:9187629"], "start": e["start"], "end": e["end"],
         "score": 0.9, "explain": "", "evidence": [], "detail": {}}
    f.update(kw); out.write(json.dumps(f) + "\n")
# every expected event but the first encounter; the second one twice
enc = [i for i, e in enumerate(exp) if e["kind"] == "encounter"]
for i, e in enumerate(exp):
    if i == enc[0]: continue
    w(e)
    if i == enc[1]: w(e)
w(exp[enc[0]], start="2001-01-01T00:00:00Z", end="2001-01-01T05:00:00Z")   # right pair, wrong time: FP
w(opt[0])                                  # optional: ignored
negs = [e for e in neg if e["kind"] == "encounter"][:3]
for e in negs: w(e)                        # 3 negatives hit: FP
w({"kind": "spoofing", "subjects": ["mmsi:123456789"], "start": "2018-02-15T00:00:00Z", "end": "2018-02-15T01:00:00Z"})
n_enc = len(enc)
print(json.dumps({"n_exp": len(exp), "n_enc": n_enc}))
EOF
meta=$(python3 "$tmp/mkfind.py" "$tmp/n/truth.json" "$tmp/f.jsonl")
"$bin" sim ais --score --truth "$tmp/n/truth.json" "$tmp/f.jsonl" > "$tmp/score.txt"; rc=$?
check "score: exit 0" '[ $rc = 0 ]'
tail -1 "$tmp/score.txt" > "$tmp/score.json"
cat > "$tmp/verify.py" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); meta = json.loads(sys.argv[2])
k, tot = s["kinds"], s["total"]
e = k["encounter"]
good = (e["expected"] == meta["n_enc"] and e["tp"] == meta["n_enc"] - 1 and e["duplicates"] == 1 and e["fp"] == 4
        and e["negatives_hit"] == 3 and abs(e["recall"] - (meta["n_enc"] - 1) / meta["n_enc"]) < 1e-4
        and abs(e["precision"] - meta["n_enc"] / (meta["n_enc"] + 4)) < 1e-4
        and k["spoofing"]["fp"] == 1 and k["spoofing"]["expected"] == 0 and k["spoofing"]["recall"] is None
        and tot["expected"] == meta["n_exp"] and tot["tp"] == meta["n_exp"] - 1 and tot["ignored"] == 1
        and all(v["recall"] == 1 for n, v in k.items() if n not in ("encounter", "spoofing") and v["expected"]))
print(("ok   " if good else "FAIL ") + "scorer counts: encounter %s; total %s" % (e, tot))
sys.exit(0 if good else 1)
EOF
python3 "$tmp/verify.py" "$tmp/score.json" "$meta" || fail=1
check "score: missed event listed" 'grep -q "^# missed: encounter" "$tmp/score.txt"'
check "score: negative hit listed" 'grep -q "matches a negative of" "$tmp/score.txt"'
printf '{"kind":"encounter","subjects":[]}\n{"kind": oops}\n' > "$tmp/bad.jsonl"
"$bin" sim ais --score --truth "$tmp/n/truth.json" "$tmp/bad.jsonl" > /dev/null 2> "$tmp/bad.err"; rc=$?
check "score: bad findings line -> exit 3 naming file:line" '[ $rc = 3 ] && grep -q "bad.jsonl:2" "$tmp/bad.err"'
python3 -c 'print("{\"kind\":\"" + "x" * 2000000 + "\"}")' > "$tmp/long.jsonl"
"$bin" sim ais --score --truth "$tmp/n/truth.json" "$tmp/long.jsonl" > /dev/null 2> "$tmp/long.err"; rc=$?
check "score: a 2 MB line -> exit 3 (bounded line buffer)" '[ $rc = 3 ] && grep -q "long.jsonl:1" "$tmp/long.err"'
"$bin" sim ais --score --truth "$tmp/f.jsonl" "$tmp/f.jsonl" > /dev/null 2>&1; rc=$?
check "score: a non-truth file -> exit 3" '[ $rc = 3 ]'

# ---- --positions
n=3000000
start=$(date +%s.%N)
"$bin" --quiet sim ais --positions $n --out "$tmp/p" > "$tmp/p.sum"; rc=$?
end=$(date +%s.%N)
check "positions: exit 0" '[ $rc = 0 ]'
lines=$(wc -l < "$tmp/p/positions.csv")
check "positions: $n lines + header" '[ "$lines" = $((n + 1)) ]'
check "positions: timestamps non-decreasing" 'cut -d, -f2 "$tmp/p/positions.csv" | tail -n +2 | sort -c 2>/dev/null'
check "positions: 10 columns per row" '[ "$(awk -F, "NF!=10" "$tmp/p/positions.csv" | wc -l)" = 0 ]'
echo "positions: $n lines in $(python3 -c "print('%.2f s, %.1f M lines/s' % ($end - $start, $n / ($end - $start) / 1e6))")"
"$bin" --quiet sim ais --positions 1000 --out - 2>/dev/null | head -3 > "$tmp/p3"
check "positions: --out - streams to stdout" '[ "$(head -1 "$tmp/p3")" = "mmsi,timestamp,lat,lon,speed,course,heading,imo,name,callsign" ]'

[ $fail = 0 ] && echo "sim_ais: all checks passed"
exit $fail
