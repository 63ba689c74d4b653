/*
** base58.c -- base58 and Base58Check (Bitcoin alphabet), written from the
** definition: the payload is a big-endian integer written in base 58, each
** leading zero byte becoming a leading '1'; Base58Check appends the first
** 4 bytes of SHA-256d(payload) before encoding.
**
** Speed matters (one call per P2PKH/P2SH/P2PK output of the chain), so the
** conversion works on limbs of 58^5 (encode) or 2^32 (decode) and consumes
** 4 input bytes / 5 input chars per step instead of one. All buffers are
** fixed-size on the stack, bounded by KPW_BASE58_MAX_BYTES/CHARS.
*/
#include <string.h>
#include "kpw/chain.h"
#include "chain/address.h"

static const char B58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
#define P5 656356768u  /* 58^5 < 2^32 */

/* Reverse map: -1 for chars outside the alphabet (0, O, I, l, non-ASCII). */
static const int8_t B58_REV[256] = {
  ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6, ['7'] = 7,
  ['8'] = 8, ['9'] = 9, ['A'] = 10, ['B'] = 11, ['C'] = 12, ['D'] = 13,
  ['E'] = 14, ['F'] = 15, ['G'] = 16, ['H'] = 17, ['J'] = 18, ['K'] = 19,
  ['L'] = 20, ['M'] = 21, ['N'] = 22, ['P'] = 23, ['Q'] = 24, ['R'] = 25,
  ['S'] = 26, ['T'] = 27, ['U'] = 28, ['V'] = 29, ['W'] = 30, ['X'] = 31,
  ['Y'] = 32, ['Z'] = 33, ['a'] = 34, ['b'] = 35, ['c'] = 36, ['d'] = 37,
  ['e'] = 38, ['f'] = 39, ['g'] = 40, ['h'] = 41, ['i'] = 42, ['j'] = 43,
  ['k'] = 44, ['m'] = 45, ['n'] = 46, ['o'] = 47, ['p'] = 48, ['q'] = 49,
  ['r'] = 50, ['s'] = 51, ['t'] = 52, ['u'] = 53, ['v'] = 54, ['w'] = 55,
  ['x'] = 56, ['y'] = 57, ['z'] = 58,
}; /* stored as value+1 so that 0 means "not in the alphabet" */

size_t kpw_base58_encode(const uint8_t *d, size_t n, char *out, size_t cap) {
  if (n > KPW_BASE58_MAX_BYTES || cap == 0) return 0;
  size_t zeros = 0;
  while (zeros < n && d[zeros] == 0) zeros++;
  /* Limbs in base 58^5, little-endian. 1024 bits / log2(58^5)=29.29 -> 35. */
  uint32_t limb[40];
  size_t nl = 0;
  size_t i = zeros;
  while (i < n) {
    /* Take up to 4 bytes so that limb * 256^k + chunk < 2^64. The first
    ** chunk takes the remainder so that later chunks are whole words. */
    size_t k = (n - i) % 4;
    if (k == 0) k = 4;
    uint64_t mul = 1, carry = 0;
    for (size_t j = 0; j < k; j++) { carry = carry << 8 | d[i + j]; mul <<= 8; }
    i += k;
    for (size_t j = 0; j < nl; j++) {
      uint64_t t = (uint64_t)limb[j] * mul + carry;
      limb[j] = (uint32_t)(t % P5);
      carry = t / P5;
    }
    while (carry) {
      limb[nl++] = (uint32_t)(carry % P5);
      carry /= P5;
    }
  }
  /* Digits, least significant first; 5 per limb except the top limb,
  ** which stops at its last non-zero digit (it is non-zero by construction). */
  char dig[KPW_BASE58_MAX_CHARS + 8];
  size_t m = 0;
  for (size_t j = 0; j < nl; j++) {
    uint32_t v = limb[j];
    for (int k = 0; k < 5; k++) {
      if (j == nl - 1 && v == 0) break;
      dig[m++] = (char)(v % 58);
      v /= 58;
    }
  }
  size_t len = zeros + m;
  if (len + 1 > cap) return 0;
  memset(out, '1', zeros);
  for (size_t j = 0; j < m; j++) out[zeros + j] = B58[(uint8_t)dig[m - 1 - j]];
  out[len] = 0;
  return len;
}

bool kpw_base58_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *n) {
  if (len > KPW_BASE58_MAX_CHARS) return false;
  size_t ones = 0;
  while (ones < len && s[ones] == '1') ones++;
  /* Limbs in base 2^32, little-endian: 176 chars * 5.86 bits < 1040 bits. */
  uint32_t limb[34];
  size_t nl = 0;
  size_t i = ones;
  while (i < len) {
    size_t k = (len - i) % 5;
    if (k == 0) k = 5;
    uint64_t mul = 1, carry = 0;
    for (size_t j = 0; j < k; j++) {
      int v = B58_REV[(uint8_t)s[i + j]];
      if (!v) return false;
      carry = carry * 58 + (uint64_t)(v - 1);
      mul *= 58;
    }
    i += k;
    for (size_t j = 0; j < nl; j++) {
      uint64_t t = (uint64_t)limb[j] * mul + carry;
      limb[j] = (uint32_t)t;
      carry = t >> 32;
    }
    if (carry) {
      if (nl == sizeof limb / sizeof limb[0]) return false; /* cannot happen under the char cap */
      limb[nl++] = (uint32_t)carry;
    }
  }
  /* Big-endian bytes of the integer, without leading zeros. */
  size_t nb = nl * 4;
  uint8_t tmp[sizeof limb];
  for (size_t j = 0; j < nl; j++) {
    uint32_t v = limb[nl - 1 - j];
    tmp[4 * j] = (uint8_t)(v >> 24); tmp[4 * j + 1] = (uint8_t)(v >> 16);
    tmp[4 * j + 2] = (uint8_t)(v >> 8); tmp[4 * j + 3] = (uint8_t)v;
  }
  size_t skip = 0;
  while (skip < nb && tmp[skip] == 0) skip++;
  size_t total = ones + (nb - skip);
  if (total > cap || total > KPW_BASE58_MAX_BYTES) return false;
  memset(out, 0, ones);
  memcpy(out + ones, tmp + skip, nb - skip);
  *n = total;
  return true;
}

size_t kpw_base58check_encode(const uint8_t *data, size_t n, char *out, size_t cap) {
  if (n + 4 > KPW_BASE58_MAX_BYTES) return 0;
  uint8_t buf[KPW_BASE58_MAX_BYTES], h[32];
  if (n) memcpy(buf, data, n);
  kpw_sha256d(data, n, h);
  memcpy(buf + n, h, 4);
  return kpw_base58_encode(buf, n + 4, out, cap);
}

bool kpw_base58check_decode(const char *s, uint8_t *out, size_t cap, size_t *n) {
  size_t len = strnlen(s, KPW_BASE58_MAX_CHARS + 1);
  uint8_t buf[KPW_BASE58_MAX_BYTES], h[32];
  size_t m;
  if (!kpw_base58_decode(s, len, buf, sizeof buf, &m) || m < 4) return false;
  kpw_sha256d(buf, m - 4, h);
  if (memcmp(h, buf + m - 4, 4) != 0 || m - 4 > cap) return false;
  memcpy(out, buf, m - 4);
  *n = m - 4;
  return true;
}
