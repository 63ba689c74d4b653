#!/usr/bin/env bash
# Install the Debian packages kpwatch needs to build, test and benchmark.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail
pkgs=(build-essential pkg-config clang libclang-rt-14-dev
      libexpat1-dev libutf8proc-dev libsqlite3-dev libmicrohttpd-dev
      libcurl4-openssl-dev libssl-dev libbz2-dev libzstd-dev libcmocka-dev
      unicode-data bzip2 curl wrk hyperfine valgrind)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
