/*
** bech32.c -- bech32 (BIP-173) and bech32m (BIP-350) strings, and segwit
** addresses on top of them, written from the BIPs.
**
** A string is HRP '1' DATA CHECKSUM, where DATA and the 6-char CHECKSUM are
** 5-bit values in the charset below. The checksum is a BCH code over
** GF(32): polymod(expand(hrp) || data || checksum) equals 1 for bech32 and
** 0x2bc830a3 for bech32m. A segwit address carries the witness version as
** the first data value and the program, regrouped 8->5 bits, after it;
** version 0 must use bech32 and versions 1..16 bech32m.
**
** Invariants: strings are at most 90 chars, programs 2..40 bytes, so every
** buffer is a fixed stack array; nothing allocates.
*/
#include <string.h>
#include "kpw/chain.h"
#include "chain/address.h"

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
#define CONST_BECH32 1u
#define CONST_BECH32M 0x2bc830a3u

/* Reverse charset, value+1 (0 = not in the charset); upper case included,
** the case rules are checked separately. */
static int8_t rev(unsigned char c) {
  static const int8_t R[128] = {
    ['q'] = 1, ['p'] = 2, ['z'] = 3, ['r'] = 4, ['y'] = 5, ['9'] = 6, ['x'] = 7, ['8'] = 8,
    ['g'] = 9, ['f'] = 10, ['2'] = 11, ['t'] = 12, ['v'] = 13, ['d'] = 14, ['w'] = 15, ['0'] = 16,
    ['s'] = 17, ['3'] = 18, ['j'] = 19, ['n'] = 20, ['5'] = 21, ['4'] = 22, ['k'] = 23, ['h'] = 24,
    ['c'] = 25, ['e'] = 26, ['6'] = 27, ['m'] = 28, ['u'] = 29, ['a'] = 30, ['7'] = 31, ['l'] = 32,
    ['Q'] = 1, ['P'] = 2, ['Z'] = 3, ['R'] = 4, ['Y'] = 5, ['X'] = 7,
    ['G'] = 9, ['F'] = 10, ['T'] = 12, ['V'] = 13, ['D'] = 14, ['W'] = 15,
    ['S'] = 17, ['J'] = 19, ['N'] = 20, ['K'] = 23, ['H'] = 24,
    ['C'] = 25, ['E'] = 26, ['M'] = 28, ['U'] = 29, ['A'] = 30, ['L'] = 32,
  };
  return c < 128 ? R[c] : 0;
}

/* One step of the BCH checksum: shift in a 5-bit value and reduce by the
** generator. GEN[b] is the xor of the BIP-173 generator constants selected
** by the 5 bits b shifted out (G0=0x3b6a57b2 ... G4=0x2a1462b3), so the step
** costs one table load instead of five tests. */
static const uint32_t GEN[32] = {
  0x00000000u, 0x3b6a57b2u, 0x26508e6du, 0x1d3ad9dfu,
  0x1ea119fau, 0x25cb4e48u, 0x38f19797u, 0x039bc025u,
  0x3d4233ddu, 0x0628646fu, 0x1b12bdb0u, 0x2078ea02u,
  0x23e32a27u, 0x18897d95u, 0x05b3a44au, 0x3ed9f3f8u,
  0x2a1462b3u, 0x117e3501u, 0x0c44ecdeu, 0x372ebb6cu,
  0x34b57b49u, 0x0fdf2cfbu, 0x12e5f524u, 0x298fa296u,
  0x1756516eu, 0x2c3c06dcu, 0x3106df03u, 0x0a6c88b1u,
  0x09f74894u, 0x329d1f26u, 0x2fa7c6f9u, 0x14cd914bu,
};

static uint32_t polymod_step(uint32_t chk, uint8_t v) {
  return ((chk & 0x1ffffffu) << 5 ^ v) ^ GEN[chk >> 25];
}

/* Checksum state after the expanded HRP (high bits, 0, low bits). hrp is
** already lower case. */
static uint32_t hrp_state(const char *hrp, size_t hl) {
  uint32_t chk = 1;
  for (size_t i = 0; i < hl; i++) chk = polymod_step(chk, (uint8_t)((unsigned char)hrp[i] >> 5));
  chk = polymod_step(chk, 0);
  for (size_t i = 0; i < hl; i++) chk = polymod_step(chk, (uint8_t)(hrp[i] & 31));
  return chk;
}

size_t kpw_bech32_encode(const char *hrp, const uint8_t *data5, size_t n,
                         kpw_bech32_enc enc, char *out, size_t cap) {
  if (enc != KPW_BECH32 && enc != KPW_BECH32M) return 0;
  size_t hl = strnlen(hrp, KPW_BECH32_MAX_LEN + 1);
  if (hl == 0 || hl + 1 + n + 6 > KPW_BECH32_MAX_LEN || hl + 1 + n + 6 + 1 > cap) return 0;
  for (size_t i = 0; i < hl; i++) {
    unsigned char c = (unsigned char)hrp[i];
    if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) return 0;
  }
  uint32_t chk = hrp_state(hrp, hl);
  memcpy(out, hrp, hl);
  char *o = out + hl;
  *o++ = '1';
  for (size_t i = 0; i < n; i++) {
    if (data5[i] > 31) return 0;
    chk = polymod_step(chk, data5[i]);
    *o++ = CHARSET[data5[i]];
  }
  for (int i = 0; i < 6; i++) chk = polymod_step(chk, 0);
  chk ^= enc == KPW_BECH32 ? CONST_BECH32 : CONST_BECH32M;
  for (int i = 0; i < 6; i++) *o++ = CHARSET[(chk >> (5 * (5 - i))) & 31];
  *o = 0;
  return (size_t)(o - out);
}

kpw_bech32_enc kpw_bech32_decode(const char *s, char *hrp, size_t hrpcap,
                                 uint8_t *data5, size_t datacap, size_t *n) {
  size_t len = strnlen(s, KPW_BECH32_MAX_LEN + 1);
  if (len > KPW_BECH32_MAX_LEN) return KPW_BECH32_NONE;
  bool lower = false, upper = false;
  size_t sep = len; /* position of the last '1' */
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 33 || c > 126) return KPW_BECH32_NONE;
    if (c >= 'a' && c <= 'z') lower = true;
    if (c >= 'A' && c <= 'Z') upper = true;
    if (c == '1') sep = i;
  }
  if (lower && upper) return KPW_BECH32_NONE;
  if (sep == len || sep == 0 || sep + 7 > len) return KPW_BECH32_NONE;
  size_t hl = sep, dl = len - sep - 1 - 6;
  if (hl + 1 > hrpcap || dl > datacap) return KPW_BECH32_NONE;
  for (size_t i = 0; i < hl; i++) {
    unsigned char c = (unsigned char)s[i];
    hrp[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  hrp[hl] = 0;
  uint32_t chk = hrp_state(hrp, hl);
  for (size_t i = 0; i < len - sep - 1; i++) {
    int v = rev((unsigned char)s[sep + 1 + i]);
    if (!v) return KPW_BECH32_NONE;
    chk = polymod_step(chk, (uint8_t)(v - 1));
    if (i < dl) data5[i] = (uint8_t)(v - 1);
  }
  *n = dl;
  if (chk == CONST_BECH32) return KPW_BECH32;
  if (chk == CONST_BECH32M) return KPW_BECH32M;
  return KPW_BECH32_NONE;
}

/* Program length rules of BIP-141: 2..40 bytes, and 20 or 32 for v0. */
static bool prog_ok(int witver, size_t n) {
  if (witver < 0 || witver > 16 || n < 2 || n > KPW_SEGWIT_MAX_PROG) return false;
  return witver != 0 || n == 20 || n == 32;
}

bool kpw_segwit_encode(const char *hrp, int witver, const uint8_t *prog, size_t n,
                       char *out, size_t cap) {
  if (!prog_ok(witver, n)) return false;
  uint8_t d[1 + (KPW_SEGWIT_MAX_PROG * 8 + 4) / 5];
  size_t m = 0;
  d[m++] = (uint8_t)witver;
  /* Regroup 8 -> 5 bits, zero-padding the last group. */
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 8 | prog[i]) & 0xfff;
    bits += 8;
    while (bits >= 5) { bits -= 5; d[m++] = (uint8_t)((acc >> bits) & 31); }
  }
  if (bits) d[m++] = (uint8_t)((acc << (5 - bits)) & 31);
  return kpw_bech32_encode(hrp, d, m, witver == 0 ? KPW_BECH32 : KPW_BECH32M, out, cap) > 0;
}

bool kpw_segwit_decode(const char *hrp, const char *addr, int *witver,
                       uint8_t *prog, size_t *n) {
  char h[KPW_BECH32_MAX_LEN + 1];
  uint8_t d[KPW_BECH32_MAX_LEN];
  size_t dl;
  kpw_bech32_enc enc = kpw_bech32_decode(addr, h, sizeof h, d, sizeof d, &dl);
  if (enc == KPW_BECH32_NONE || dl < 1) return false;
  /* The expected HRP compares case-insensitively (h is lower case). */
  size_t hl = strlen(h);
  if (strnlen(hrp, hl + 1) != hl) return false;
  for (size_t i = 0; i < hl; i++) {
    unsigned char c = (unsigned char)hrp[i];
    if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (unsigned char)h[i]) return false;
  }
  int v = d[0];
  if (v > 16 || (v == 0) != (enc == KPW_BECH32)) return false;
  /* Regroup 5 -> 8 bits: at most 4 padding bits, and they must be zero. */
  uint8_t p[KPW_SEGWIT_MAX_PROG];
  size_t m = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 1; i < dl; i++) {
    acc = (acc << 5 | d[i]) & 0xfff; /* bits <= 7 + 5 */
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (m == sizeof p) return false;
      p[m++] = (uint8_t)((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff)) return false;
  if (!prog_ok(v, m)) return false;
  memcpy(prog, p, m);
  *witver = v;
  *n = m;
  return true;
}
