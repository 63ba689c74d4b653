/*
** text.c -- AIS six-bit text fields (ITU-R M.1371 table 47) as gpsd
** renders them: each 6-bit value v maps to "@A..Z[\]^_ !\"#..?"; the text
** ends at the first '@' (the standard's padding character) and trailing
** spaces and '@' are then trimmed. Fields running past the payload read
** as 0 bits, i.e. '@', so a short message ends its text early.
*/
#include <string.h>
#include "ais/ais_bits.h"

static const char sixbit_chars[65] =
    "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

/* One character: a 64-bit load when inside the payload (see types.c). */
static inline unsigned six(const ais_bits *b, size_t start) {
  if (start + 6 > b->nbits) return ais_u(b, start, 6);
  unsigned hi = b->data[start >> 3], lo = b->data[(start >> 3) + 1];
  return ((hi << 8 | lo) >> (10 - (start & 7))) & 63;
}

/* Invariant: writes at most nbits/6 characters plus the NUL. */
void ais_text(const ais_bits *b, size_t start, unsigned nbits, char *out) {
  unsigned n = nbits / 6, i = 0;
  for (; i < n; i++) {
    char c = sixbit_chars[six(b, start + 6 * (size_t)i)];
    if (c == '@') break;
    out[i] = c;
  }
  while (i > 0 && (out[i - 1] == ' ' || out[i - 1] == '@')) i--;
  out[i] = '\0';
}
