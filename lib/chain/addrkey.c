/*
** addrkey.c -- address strings <-> the chain index's binary address keys
** (see addrkey.h). Parsing accepts exactly what formatting produces, so a
** key round-trips through its string.
*/
#include <stdio.h>
#include <string.h>
#include "kpw/chain.h"
#include "chain/address.h"
#include "chain/addrkey.h"

static size_t text_key(const char *s, size_t n, uint8_t key[KPW_ADDR_KEY_MAX]) {
  if (n <= KPW_ADDR_TEXT_MAX) {
    key[0] = KPW_AK_TEXT;
    memcpy(key + 1, s, n);
    return 1 + n;
  }
  key[0] = KPW_AK_TEXT_HASH;
  kpw_sha256(s, n, key + 1);
  return 33;
}

size_t kpw_addrkey_parse(const char *s, size_t n, uint8_t key[KPW_ADDR_KEY_MAX]) {
  if (!n) return 0;
  char tmp[KPW_BECH32_MAX_LEN + 2];
  if (n >= 26 && n <= 35) {                 /* base58check P2PKH / P2SH */
    memcpy(tmp, s, n);
    tmp[n] = 0;
    uint8_t b[32];
    size_t bn;
    if (kpw_base58check_decode(tmp, b, sizeof b, &bn) && bn == 21 &&
        (b[0] == 0 || b[0] == 5 || b[0] == 0x6f || b[0] == 0xc4)) {
      key[0] = b[0] == 0 || b[0] == 0x6f ? KPW_AK_P2PKH : KPW_AK_P2SH;
      memcpy(key + 1, b + 1, 20);
      return 21;
    }
  }
  const char *hrp = NULL;
  if (n >= 14 && n <= KPW_BECH32_MAX_LEN) {
    char lo[5];
    for (int i = 0; i < 5; i++) lo[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    if (!memcmp(lo, "bc1", 3)) hrp = "bc";
    else if (!memcmp(lo, "tb1", 3)) hrp = "tb";
    else if (!memcmp(lo, "bcrt1", 5)) hrp = "bcrt";
  }
  if (hrp) {
    memcpy(tmp, s, n);
    tmp[n] = 0;
    int v;
    uint8_t prog[KPW_SEGWIT_MAX_PROG];
    size_t pn;
    if (kpw_segwit_decode(hrp, tmp, &v, prog, &pn)) {
      if (v == 0 && pn == 20) { key[0] = KPW_AK_P2WPKH; memcpy(key + 1, prog, 20); return 21; }
      if (v == 0 && pn == 32) { key[0] = KPW_AK_P2WSH; memcpy(key + 1, prog, 32); return 33; }
      if (v == 1 && pn == 32) { key[0] = KPW_AK_P2TR; memcpy(key + 1, prog, 32); return 33; }
      if (v >= 1) { key[0] = KPW_AK_WITNESS; key[1] = (uint8_t)v; memcpy(key + 2, prog, pn); return 2 + pn; }
    }
  }
  if (n == 9 + 40 && !memcmp(s, "multisig:", 9) && kpw_hex_decode(s + 9, 20, key + 1)) {
    key[0] = KPW_AK_MULTISIG;
    return 21;
  }
  return text_key(s, n, key);
}

static void base58_of(uint8_t ver, const uint8_t *h, char *out, size_t cap, bool *ok) {
  uint8_t b[21];
  b[0] = ver;
  memcpy(b + 1, h, 20);
  *ok = kpw_base58check_encode(b, 21, out, cap) > 0;
}

bool kpw_addrkey_format(const uint8_t *key, size_t n, int net, char *out, size_t cap) {
  bool ok = false;
  bool test = net > KPW_NET_MAIN;
  const char *hrp = net == KPW_NET_REGTEST ? "bcrt" : test ? "tb" : "bc";
  uint8_t v_pkh = test ? 0x6f : 0x00, v_sh = test ? 0xc4 : 0x05;
  if (!cap) return false;
  out[0] = 0;
  if (n < 1) return false;
  static const char hx[] = "0123456789abcdef";
  switch (key[0]) {
  case KPW_AK_P2PKH: if (n == 21) base58_of(v_pkh, key + 1, out, cap, &ok); break;
  case KPW_AK_P2SH: if (n == 21) base58_of(v_sh, key + 1, out, cap, &ok); break;
  case KPW_AK_P2WPKH: if (n == 21) ok = kpw_segwit_encode(hrp, 0, key + 1, 20, out, cap); break;
  case KPW_AK_P2WSH: if (n == 33) ok = kpw_segwit_encode(hrp, 0, key + 1, 32, out, cap); break;
  case KPW_AK_P2TR: if (n == 33) ok = kpw_segwit_encode(hrp, 1, key + 1, 32, out, cap); break;
  case KPW_AK_WITNESS: if (n >= 4) ok = kpw_segwit_encode(hrp, key[1], key + 2, n - 2, out, cap); break;
  case KPW_AK_MULTISIG:
    if (n == 21 && cap >= 50) {
      memcpy(out, "multisig:", 9);
      for (size_t i = 0; i < 20; i++) { out[9 + 2 * i] = hx[key[1 + i] >> 4]; out[10 + 2 * i] = hx[key[1 + i] & 15]; }
      out[49] = 0;
      ok = true;
    }
    break;
  case KPW_AK_TEXT:
    if (n - 1 < cap) { memcpy(out, key + 1, n - 1); out[n - 1] = 0; ok = true; }
    break;
  case KPW_AK_TEXT_HASH:
    if (n == 33 && cap >= 12 + 64 + 1) {
      memcpy(out, "text-sha256:", 12);
      for (size_t i = 0; i < 32; i++) { out[12 + 2 * i] = hx[key[1 + i] >> 4]; out[13 + 2 * i] = hx[key[1 + i] & 15]; }
      out[76] = 0;
      ok = true;
    }
    break;
  default: break;
  }
  if (!ok) out[0] = 0;
  return ok;
}
