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
