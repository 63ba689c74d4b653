/*
** fuzz_csv.c -- libFuzzer target for the CSV reader: records are read until
** the end or a clean error; field counts and lengths stay within the caps.
*/
#include <stdint.h>
#include <stdio.h>
#include "kpw/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!size) return 0;
  FILE *f = fmemopen((void *)data, size, "rb");
  if (!f) return 0;
  kpw_csv *c;
  kpw_error e;
  kpw_csv_open(f, "fuzz.csv", ',', &c, &e);
  const char **fl;
  size_t n;
  kpw_result rc;
  while ((rc = kpw_csv_next(c, &fl, &n, &e)) == KPW_OK) {
    if (n == 0 || n > 4096) __builtin_trap();
    kpw_buf b;
    kpw_buf_init(&b);
    for (size_t i = 0; i < n; i++) kpw_csv_field(&b, fl[i]);
    kpw_buf_free(&b);
  }
  if (rc != KPW_DONE && rc != KPW_EINPUT && rc != KPW_ENOMEM) __builtin_trap();
  kpw_csv_close(c);
  fclose(f);
  return 0;
}
