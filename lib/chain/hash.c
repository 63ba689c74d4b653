/*
** hash.c -- SHA-256, double SHA-256 and HASH160 through OpenSSL (which uses
** SHA-NI where the CPU has it).
*/
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/ripemd.h>
#include <openssl/sha.h>
#include "kpw/chain.h"

/* OpenSSL 3's one-shot SHA256() fetches the digest implementation on every
** call (locks, allocation); the SHA256_Init/Update/Final context API does
** not, which more than doubles throughput on transaction-sized inputs. */
void kpw_sha256(const void *p, size_t n, uint8_t out[32]) {
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, p, n);
  SHA256_Final(out, &c);
}

void kpw_sha256d(const void *p, size_t n, uint8_t out[32]) {
  uint8_t t[32];
  kpw_sha256(p, n, t);
  kpw_sha256(t, 32, out);
}

void kpw_hash160(const void *p, size_t n, uint8_t out[20]) {
  uint8_t t[32];
  kpw_sha256(p, n, t);
  RIPEMD160_CTX c;
  RIPEMD160_Init(&c);
  RIPEMD160_Update(&c, t, 32);
  RIPEMD160_Final(out, &c);
}

void kpw_hash_hex(const uint8_t h[32], char out[65]) {
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hex[h[31 - i] >> 4];
    out[2 * i + 1] = hex[h[31 - i] & 15];
  }
  out[64] = 0;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool kpw_hex_decode(const char *s, size_t n, uint8_t *out) {
  for (size_t i = 0; i < n; i++) {
    int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);
    if (lo < 0) return false;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return true;
}

bool kpw_hash_from_hex(const char *s, size_t n, uint8_t out[32]) {
  uint8_t t[32];
  if (!s || n != 64 || !kpw_hex_decode(s, 32, t)) return false;
  for (int i = 0; i < 32; i++) out[i] = t[31 - i];      /* display order is reversed */
  return true;
}
