#!/usr/bin/env bash
# Install the Debian packages kpwatch needs to build, test and benchmark.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail
pkgs=(build-essential pkg-config clang libclang-rt-14-dev
      libexpat1-dev libutf8proc-dev libsqlite3-dev libmicrohttpd-dev
      libcurl4-openssl-dev libssl-dev libbz2-dev libzstd-dev libcmocka-dev
      unicode-data bzip2 curl wrk hyperfine valgrind gpsd-clients)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Coastline for `ais detect` distance from shore (lib/ais/shore.c): Natural Earth 1:10m land as
# TopoJSON from the npm package world-atlas 2.0.2 (ISC; data public domain), 3 MB, read from
# $(npm root -g)/world-atlas/land-10m.json at run time (never fetched by kpwatch itself).
SUDO_NPM=""; [ "$(id -u)" -ne 0 ] && SUDO_NPM="sudo"
command -v npm >/dev/null 2>&1 || { $SUDO_NPM apt-get install -y -qq --no-install-recommends npm >/dev/null || true; }
if command -v npm >/dev/null 2>&1 && [ ! -f "$(npm root -g)/world-atlas/land-10m.json" ]; then
  $SUDO_NPM npm install -g --no-audit --no-fund world-atlas@2.0.2 >/dev/null || echo "setup: world-atlas not installed; distance from shore will be unknown" >&2
fi
# World ports for `ais detect` (pairs in a port's anchorage are not encounters): the npm package
# sea-ports 0.0.9 (MIT; 1,610 ports with UN/LOCODE and coordinates), lib/ports.json, 1 MB.
if command -v npm >/dev/null 2>&1 && [ ! -f "$(npm root -g)/sea-ports/lib/ports.json" ]; then
  $SUDO_NPM npm install -g --no-audit --no-fund sea-ports@0.0.9 >/dev/null || echo "setup: sea-ports not installed; port anchorages will not be recognised" >&2
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
