/*
** fuzz_pacs008.c -- libFuzzer target for the ISO 20022 pacs.008 parser
** (lib/payments/pacs.c) and format detection, through the public
** kpw_payments_read_mem. Each delivered party is walked so that every
** pointer the parser hands out is read.
*/
#include <stdint.h>
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
  kpw_payments_read_mem(data, size, "fuzz", on_payment, &sum, &err);
  return 0;
}
