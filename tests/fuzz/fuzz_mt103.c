/*
** fuzz_mt103.c -- libFuzzer target for the SWIFT MT parser (lib/payments/mt.c)
** through the public kpw_payments_read_mem. Inputs that do not start with '{' or
** ':' get a ':' prepended so they reach the MT path (format detection itself is covered by the
** pacs.008 target). Each delivered party is walked so that every pointer the
** parser hands out is read.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kpw/payments.h"

static bool on_payment(void *ctx, const kpw_payment *p) {
  size_t *sum = ctx;
  if (p->ref) *sum += strlen(p->ref);
  for (size_t i = 0; i < p->n_parties; i++) {
    const kpw_party *q = &p->parties[i];
    const char *f[] = {q->role, q->field, q->name, q->account, q->bic,
                       q->country, q->address, q->birth_date, q->identifier};
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
      if (f[k]) *sum += strlen(f[k]);
  }
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20)) return 0;
  size_t sum = 0;
  kpw_error err;
  if (size > 0 && (data[0] == '{' || data[0] == ':')) {
    kpw_payments_read_mem(data, size, "fuzz", on_payment, &sum, &err);
    return 0;
  }
  /* Anything else would stop at detection: prepend ':' (bare block 4). */
  uint8_t *buf = malloc(size + 1);
  if (!buf) return 0;
  buf[0] = ':';
  if (size > 0) memcpy(buf + 1, data, size);
  kpw_payments_read_mem(buf, size + 1, "fuzz", on_payment, &sum, &err);
  free(buf);
  return 0;
}
