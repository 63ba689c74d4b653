/*
** fuzz_translit.c -- libFuzzer target for kpw_translit_forms(): any bytes
** (NUL-terminated copy) must give well-formed forms (lower-case ASCII
** letters/digits and single spaces, within KPW_TRANSLIT_FORM_CAP), never
** crash or read out of bounds.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "screen/translit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 8192) return 0;
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = 0;
  char f[KPW_TRANSLIT_MAX_FORMS][KPW_TRANSLIT_FORM_CAP];
  size_t n = kpw_translit_forms(s, f, KPW_TRANSLIT_MAX_FORMS);
  if (n > KPW_TRANSLIT_MAX_FORMS) abort();
  for (size_t i = 0; i < n; i++) {
    size_t l = strnlen(f[i], KPW_TRANSLIT_FORM_CAP);
    if (l == 0 || l >= KPW_TRANSLIT_FORM_CAP) abort();
    if (f[i][0] == ' ' || f[i][l - 1] == ' ') abort();
    for (size_t j = 0; j < l; j++) {
      char c = f[i][j];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ')) abort();
      if (c == ' ' && f[i][j + 1] == ' ') abort();
    }
  }
  if (size >= 4) {   /* the syllable API on arbitrary code points */
    unsigned cp = (unsigned)data[0] << 16 | (unsigned)data[1] << 8 | data[2];
    char b[8];
    if (kpw_hangul_syllable(cp, data[3] % 4, data[3] & 4, b) > 7) abort();
  }
  free(s);
  return 0;
}
