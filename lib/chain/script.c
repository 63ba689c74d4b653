/*
** script.c -- classification of output scripts (scriptPubKey) and their
** mainnet address strings.
**
** Templates (exact byte patterns; anything else is nonstandard):
**   P2PKH   76 a9 14 <20> 88 ac                 -> base58check(0x00 || h)  "1..."
**   P2SH    a9 14 <20> 87                       -> base58check(0x05 || h)  "3..."
**   witness OP_v <2..40 bytes>, v = 0 or 1..16  -> bech32 (v0) / bech32m (v1+)
**           v0/20 P2WPKH, v0/32 P2WSH, v1/32 P2TR, v1+ other lengths
**           WITNESS_UNKNOWN; v0 of another length is nonstandard (unspendable)
**   P2PK    <33 or 65-byte pubkey> ac           -> P2PKH address of
**           hash160(pubkey), as BlockSci does, so that coins paid to a key and
**           to its hash cluster together
**   MULTISIG OP_m <pubkey>*n OP_n ae, 1<=m<=n<=16 -> no address ("")
**   OP_RETURN  6a ...                           -> no address ("")
** A pubkey must have a valid SEC prefix (02/03 for 33 bytes, 04/06/07 for
** 65), as in Bitcoin Core's Solver. OP_RETURN is taken on its first byte
** alone (Core also wants push-only data after it); either way the output
** is unspendable and has no address.
*/
#include <string.h>
#include "kpw/chain.h"
#include "chain/address.h"
#include "chain/addrkey.h"

const char *kpw_script_type_name(kpw_script_type t) {
  switch (t) {
  case KPW_SCRIPT_NONSTANDARD: return "nonstandard";
  case KPW_SCRIPT_P2PK: return "p2pk";
  case KPW_SCRIPT_P2PKH: return "p2pkh";
  case KPW_SCRIPT_P2SH: return "p2sh";
  case KPW_SCRIPT_P2WPKH: return "p2wpkh";
  case KPW_SCRIPT_P2WSH: return "p2wsh";
  case KPW_SCRIPT_P2TR: return "p2tr";
  case KPW_SCRIPT_WITNESS_UNKNOWN: return "witness_unknown";
  case KPW_SCRIPT_MULTISIG: return "multisig";
  case KPW_SCRIPT_OP_RETURN: return "op_return";
  }
  return "nonstandard";
}

/* Length of a pubkey push at p (push opcode + key), or 0. */
static size_t pubkey_push(const uint8_t *p, size_t avail) {
  if (avail >= 34 && p[0] == 33 && (p[1] == 2 || p[1] == 3)) return 34;
  if (avail >= 66 && p[0] == 65 && (p[1] == 4 || p[1] == 6 || p[1] == 7)) return 66;
  return 0;
}

static bool is_multisig(const uint8_t *s, size_t n) {
  if (n < 3 + 34 || s[n - 1] != 0xae) return false;
  if (s[0] < 0x51 || s[0] > 0x60 || s[n - 2] < 0x51 || s[n - 2] > 0x60) return false;
  int m = s[0] - 0x50, total = s[n - 2] - 0x50, keys = 0;
  size_t i = 1, end = n - 2;
  while (i < end) {
    size_t k = pubkey_push(s + i, end - i);
    if (!k) return false;
    i += k;
    keys++;
  }
  return keys == total && m <= total;
}

static void base58_addr(uint8_t ver, const uint8_t h[20], char *addr, size_t cap) {
  uint8_t b[21];
  b[0] = ver;
  memcpy(b + 1, h, 20);
  if (!kpw_base58check_encode(b, 21, addr, cap) && cap) addr[0] = 0;
}

/* The one template matcher behind kpw_script_address and kpw_script_key:
** classifies s and points *payload at the hash, witness program or (P2PK)
** public key; *witver is the witness version of witness types. */
static kpw_script_type classify(const uint8_t *s, size_t n, const uint8_t **payload,
                                size_t *plen, int *witver) {
  *payload = NULL;
  *plen = 0;
  *witver = -1;
  if (!s) n = 0;
  if (n == 25 && s[0] == 0x76 && s[1] == 0xa9 && s[2] == 20 && s[23] == 0x88 && s[24] == 0xac) {
    *payload = s + 3; *plen = 20;
    return KPW_SCRIPT_P2PKH;
  }
  if (n == 23 && s[0] == 0xa9 && s[1] == 20 && s[22] == 0x87) {
    *payload = s + 2; *plen = 20;
    return KPW_SCRIPT_P2SH;
  }
  /* Witness program: version opcode, then one direct push of 2..40 bytes. */
  if (n >= 4 && n <= 42 && (s[0] == 0 || (s[0] >= 0x51 && s[0] <= 0x60)) && s[1] == n - 2) {
    int v = s[0] ? s[0] - 0x50 : 0;
    size_t pl = n - 2;
    kpw_script_type t;
    if (v == 0) {
      if (pl == 20) t = KPW_SCRIPT_P2WPKH;
      else if (pl == 32) t = KPW_SCRIPT_P2WSH;
      else return KPW_SCRIPT_NONSTANDARD;
    } else {
      t = v == 1 && pl == 32 ? KPW_SCRIPT_P2TR : KPW_SCRIPT_WITNESS_UNKNOWN;
    }
    *payload = s + 2; *plen = pl; *witver = v;
    return t;
  }
  if ((n == 35 || n == 67) && s[n - 1] == 0xac && pubkey_push(s, n - 1) == n - 1) {
    *payload = s + 1; *plen = n - 2;
    return KPW_SCRIPT_P2PK;
  }
  if (n >= 1 && s[0] == 0x6a) return KPW_SCRIPT_OP_RETURN;
  if (is_multisig(s, n)) return KPW_SCRIPT_MULTISIG;
  return KPW_SCRIPT_NONSTANDARD;
}

kpw_script_type kpw_script_address(const uint8_t *s, size_t n, char *addr, size_t cap) {
  if (cap) addr[0] = 0;
  const uint8_t *pl;
  size_t pn;
  int v;
  kpw_script_type t = classify(s, n, &pl, &pn, &v);
  switch (t) {
  case KPW_SCRIPT_P2PKH: base58_addr(0x00, pl, addr, cap); break;
  case KPW_SCRIPT_P2SH: base58_addr(0x05, pl, addr, cap); break;
  case KPW_SCRIPT_P2WPKH: case KPW_SCRIPT_P2WSH: case KPW_SCRIPT_P2TR:
  case KPW_SCRIPT_WITNESS_UNKNOWN:
    if (!kpw_segwit_encode("bc", v, pl, pn, addr, cap) && cap) addr[0] = 0;
    break;
  case KPW_SCRIPT_P2PK: {
    uint8_t h[20];
    kpw_hash160(pl, pn, h);
    base58_addr(0x00, h, addr, cap);
    break;
  }
  default: break;
  }
  return t;
}

size_t kpw_script_key(const uint8_t *s, size_t n, uint8_t key[KPW_ADDR_KEY_MAX]) {
  const uint8_t *pl;
  size_t pn;
  int v;
  switch (classify(s, n, &pl, &pn, &v)) {
  case KPW_SCRIPT_P2PKH: key[0] = KPW_AK_P2PKH; memcpy(key + 1, pl, 20); return 21;
  case KPW_SCRIPT_P2SH: key[0] = KPW_AK_P2SH; memcpy(key + 1, pl, 20); return 21;
  case KPW_SCRIPT_P2PK: key[0] = KPW_AK_P2PKH; kpw_hash160(pl, pn, key + 1); return 21;
  case KPW_SCRIPT_P2WPKH: key[0] = KPW_AK_P2WPKH; memcpy(key + 1, pl, 20); return 21;
  case KPW_SCRIPT_P2WSH: key[0] = KPW_AK_P2WSH; memcpy(key + 1, pl, 32); return 33;
  case KPW_SCRIPT_P2TR: key[0] = KPW_AK_P2TR; memcpy(key + 1, pl, 32); return 33;
  case KPW_SCRIPT_WITNESS_UNKNOWN:
    key[0] = KPW_AK_WITNESS; key[1] = (uint8_t)v; memcpy(key + 2, pl, pn); return 2 + pn;
  case KPW_SCRIPT_MULTISIG: key[0] = KPW_AK_MULTISIG; kpw_hash160(s, n, key + 1); return 21;
  default: return 0;
  }
}
