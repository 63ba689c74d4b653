#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.c as a libFuzzer binary with ASan+UBSan into
# build/fuzz/. Run one with, e.g.:
#   build/fuzz/fuzz_un_xml -max_total_time=600 tests/fuzz/corpus/fuzz_un_xml
set -euo pipefail
mkdir -p build/fuzz build/fuzz/obj
PKGS="expat libutf8proc sqlite3 libmicrohttpd libcurl libcrypto libzstd"
CFLAGS="-std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined -Iinclude -Ilib -Ibuild/gen $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lbz2 -lpthread -lm"
make -s build/gen/unihan_kor.h
objs=()
for f in lib/*/*.c; do
  o=build/fuzz/obj/$(echo "$f" | tr / _).o
  clang $CFLAGS -c "$f" -o "$o"
  objs+=("$o")
done
for t in tests/fuzz/fuzz_*.c; do
  n=$(basename "$t" .c)
  clang $CFLAGS -fsanitize=fuzzer "$t" "${objs[@]}" $LIBS -o "build/fuzz/$n"
  echo "built build/fuzz/$n"
done
