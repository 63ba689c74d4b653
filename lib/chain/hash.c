/*
** hash.c -- SHA-256, double SHA-256 and HASH160 through OpenSSL (which uses
** SHA-NI where the CPU has it). The low-level SHA256_* calls avoid EVP's
** per-call context allocation, which dominates on transaction-sized inputs.
*/
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/ripemd.h>
#include <openssl/sha.h>
#include "kpw/chain.h"

void kpw_sha256(const void *p, size_t n, uint8_t out[32]) {
  SHA256(p, n, out);
}

void kpw_sha256d(const void *p, size_t n, uint8_t out[32]) {
  uint8_t t[32];
  SHA256(p, n, t);
  SHA256(t, 32, out);
}

void kpw_hash160(const void *p, size_t n, uint8_t out[20]) {
  uint8_t t[32];
  SHA256(p, n, t);
  RIPEMD160(t, 32, out);
}

void kpw_hash_hex(const uint8_t h[32], char out[65]) {
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hex[h[31 - i] >> 4];
    out[2 * i + 1] = hex[h[31 - i] & 15];
  }
  out[64] = 0;
}
