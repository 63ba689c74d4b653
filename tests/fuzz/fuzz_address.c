/*
** fuzz_address.c -- libFuzzer target for the Bitcoin address codecs and
** the output-script classifier (lib/chain/base58.c, bech32.c, script.c).
**
** The input is used three ways: as a string for kpw_base58check_decode,
** kpw_segwit_decode ("bc" and "tb") and the raw bech32 decoder, and as
** script bytes for kpw_script_address. Invariants checked (trap on failure):
** whatever decodes re-encodes to the same string (base58 exactly, bech32
** case-folded to lower case); every address the classifier writes decodes
** back to the hash/program found in the script; types without an address
** write ""; and the input bytes, encoded as base58check, segwit and bech32,
** decode back to themselves.
*/
#include <stdint.h>
#include <string.h>
#include "kpw/chain.h"
#include "chain/address.h"

static void check_string(const char *s) {
  uint8_t buf[KPW_BASE58_MAX_BYTES];
  size_t n;
  char out[512];
  if (kpw_base58check_decode(s, buf, sizeof buf, &n)) {
    if (!kpw_base58check_encode(buf, n, out, sizeof out) || strcmp(out, s)) __builtin_trap();
  }
  size_t l = strlen(s);
  char low[512];
  for (size_t i = 0; i <= l && i < sizeof low; i++)
    low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
  static const char *hrps[] = {"bc", "tb"};
  for (int h = 0; h < 2; h++) {
    int ver;
    uint8_t prog[KPW_SEGWIT_MAX_PROG];
    if (kpw_segwit_decode(hrps[h], s, &ver, prog, &n)) {
      if (ver < 0 || ver > 16 || n < 2 || n > 40) __builtin_trap();
      if (!kpw_segwit_encode(hrps[h], ver, prog, n, out, sizeof out) || strcmp(out, low)) __builtin_trap();
    }
  }
  char hrp[KPW_BECH32_MAX_LEN + 1];
  uint8_t d[KPW_BECH32_MAX_LEN];
  kpw_bech32_enc enc = kpw_bech32_decode(s, hrp, sizeof hrp, d, sizeof d, &n);
  if (enc != KPW_BECH32_NONE) {
    if (kpw_bech32_encode(hrp, d, n, enc, out, sizeof out) != l || strcmp(out, low)) __builtin_trap();
  }
}

static void check_script(const uint8_t *s, size_t n) {
  char a[KPW_BTC_ADDR_CAP];
  kpw_script_type t = kpw_script_address(s, n, a, sizeof a);
  uint8_t buf[KPW_BASE58_MAX_BYTES];
  size_t m;
  switch (t) {
  case KPW_SCRIPT_P2PKH:
  case KPW_SCRIPT_P2SH:
  case KPW_SCRIPT_P2PK: {
    if (!kpw_base58check_decode(a, buf, sizeof buf, &m) || m != 21) __builtin_trap();
    if (buf[0] != (t == KPW_SCRIPT_P2SH ? 5 : 0)) __builtin_trap();
    if (t == KPW_SCRIPT_P2PKH && memcmp(buf + 1, s + 3, 20)) __builtin_trap();
    if (t == KPW_SCRIPT_P2SH && memcmp(buf + 1, s + 2, 20)) __builtin_trap();
    if (t == KPW_SCRIPT_P2PK) {
      uint8_t h[20];
      kpw_hash160(s + 1, n - 2, h);
      if (memcmp(buf + 1, h, 20)) __builtin_trap();
    }
    break;
  }
  case KPW_SCRIPT_P2WPKH:
  case KPW_SCRIPT_P2WSH:
  case KPW_SCRIPT_P2TR:
  case KPW_SCRIPT_WITNESS_UNKNOWN: {
    int ver;
    if (!kpw_segwit_decode("bc", a, &ver, buf, &m)) __builtin_trap();
    if (m != n - 2 || memcmp(buf, s + 2, m) || ver != (s[0] ? s[0] - 0x50 : 0)) __builtin_trap();
    break;
  }
  default:
    if (a[0]) __builtin_trap();
  }
  if (strlen(kpw_script_type_name(t)) == 0) __builtin_trap();
}

/* Encoders the other way round: random checksums almost never match, so
** also encode the bytes and require the decoders to give them back. */
static void check_encode(const uint8_t *d, size_t size) {
  char out[512];
  uint8_t buf[KPW_BASE58_MAX_BYTES];
  size_t n, pn = size < 100 ? size : 100;
  if (kpw_base58check_encode(d, pn, out, sizeof out)) {
    if (!kpw_base58check_decode(out, buf, sizeof buf, &n) || n != pn || memcmp(buf, d, n)) __builtin_trap();
  } else if (pn + 4 <= KPW_BASE58_MAX_BYTES) __builtin_trap();
  if (size < 1) return;
  int ver = d[0] % 17;
  size_t plen = size - 1 < 48 ? size - 1 : 48;
  if (kpw_segwit_encode((d[0] & 0x80) ? "tb" : "bc", ver, d + 1, plen, out, sizeof out)) {
    int v2;
    if (!kpw_segwit_decode((d[0] & 0x80) ? "TB" : "bc", out, &v2, buf, &n) || v2 != ver || n != plen ||
        memcmp(buf, d + 1, n)) __builtin_trap();
    if (strlen(out) > KPW_BTC_ADDR_CAP - 1 && !(d[0] & 0x80)) __builtin_trap();
  }
  /* Raw bech32: data values taken mod 32 under a fixed HRP. */
  uint8_t d5[KPW_BECH32_MAX_LEN], r5[KPW_BECH32_MAX_LEN];
  size_t n5 = size - 1 < 80 ? size - 1 : 80;
  for (size_t i = 0; i < n5; i++) d5[i] = d[1 + i] & 31;
  kpw_bech32_enc enc = (d[0] & 1) ? KPW_BECH32M : KPW_BECH32;
  char hrp[KPW_BECH32_MAX_LEN + 1];
  if (kpw_bech32_encode("a", d5, n5, enc, out, sizeof out)) {
    if (kpw_bech32_decode(out, hrp, sizeof hrp, r5, sizeof r5, &n) != enc || n != n5 ||
        memcmp(r5, d5, n) || strcmp(hrp, "a")) __builtin_trap();
  } else if (1 + 1 + n5 + 6 <= KPW_BECH32_MAX_LEN) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char s[512];
  size_t l = size < sizeof s - 1 ? size : sizeof s - 1;
  memcpy(s, data, l);
  s[l] = 0; /* an embedded NUL just ends the string early */
  check_string(s);
  check_script(data, size);
  check_encode(data, size);
  return 0;
}
