/*
** fuzz_names.c -- libFuzzer target for the name matcher (lib/screen): the
** input is split at the first NUL or newline into two names that go through
** kpw_compare_names (normalisation, Korean syllable parsing, romanisation,
** alignment, explanation) and kpw_name_forms. Scores must stay in [0,1] and
** explanations inside their buffers.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kpw/screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *buf = malloc(size + 2);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = 0; buf[size + 1] = 0;
  char *a = buf, *b = buf + size;      /* b: empty unless a separator */
  for (size_t i = 0; i < size; i++)
    if (buf[i] == '\n' || buf[i] == 0) { buf[i] = 0; b = buf + i + 1; break; }
  char ex[256];
  double s = kpw_compare_names(KPW_SCHEMA_ANY, a, b, ex, sizeof ex);
  if (!(s >= 0.0 && s <= 1.0) || strlen(ex) >= sizeof ex) abort();
  s = kpw_compare_names(KPW_SCHEMA_PERSON, b, a, ex, 7);
  if (!(s >= 0.0 && s <= 1.0) || strlen(ex) >= 7) abort();
  char forms[300];
  kpw_name_forms(a, forms, sizeof forms);
  if (strlen(forms) >= sizeof forms) abort();
  kpw_name_forms(b, forms, 5);
  if (strlen(forms) >= 5) abort();
  free(buf);
  return 0;
}
