/*
** fuzz_tagpack.c -- libFuzzer target for the address-tag loaders: the
** input is parsed as a GraphSense TagPack (the YAML-subset parser), then
** again with format detection (TagPack, address list or CSV). Every load
** ends in KPW_OK or a located KPW_EINPUT; a failed load adds nothing; every
** stored tag is found again by its own address.
*/
#include <stdint.h>
#include <string.h>
#include "kpw/tags.h"

static void check_set(const kpw_tagset *ts) {
  size_t total = 0;
  for (size_t i = 0; i < kpw_tagset_naddresses(ts); i++) {
    const kpw_tag *t, *u;
    size_t n = kpw_tagset_address(ts, i, &t);
    if (n == 0 || !t || !t->address) __builtin_trap();
    if (kpw_tagset_find(ts, t->address, &u) != n || u != t) __builtin_trap();
    for (size_t k = 0; k < n; k++) (void)kpw_tag_is_cashout(&t[k], NULL);
    total += n;
  }
  if (total != kpw_tagset_count(ts)) __builtin_trap();
}

static void run(const uint8_t *data, size_t size, kpw_tag_format fmt, const char *name) {
  kpw_tagset *ts = kpw_tagset_new();
  kpw_error e;
  kpw_result rc = kpw_tagset_load_buffer(ts, data, size, name, fmt, &e);
  if (rc != KPW_OK && rc != KPW_EINPUT && rc != KPW_ENOMEM) __builtin_trap();
  if (rc == KPW_EINPUT && (e.line == 0 || e.msg[0] == 0)) {
    /* CSV reader errors may carry no line only for an empty input */
    if (size != 0 && fmt == KPW_TAGS_TAGPACK) __builtin_trap();
  }
  if (rc != KPW_OK && (kpw_tagset_count(ts) != 0 || kpw_tagset_nfiles(ts) != 0)) __builtin_trap();
  check_set(ts);
  kpw_tagset_free(ts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  run(data, size, KPW_TAGS_TAGPACK, "fuzz.yaml");
  run(data, size, KPW_TAGS_AUTO, "sanctioned_addresses_XBT.txt");
  return 0;
}
