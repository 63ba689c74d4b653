/*
** addrkey.h -- internal: the binary address key of the chain index.
**
** An address is stored and compared as a short key: one kind byte, then
** the payload. Every script form of one address gives the same key (P2PK
** and P2PKH of the same key hash are one address), and kpw_addrkey_format
** turns a key back into the address string users know.
**   P2PKH/P2SH/P2WPKH: kind + 20 bytes; P2WSH/P2TR: kind + 32 bytes;
**   other witness versions: kind + version + program (2..40 bytes);
**   bare multisig: kind + hash160(script), printed "multisig:<hex>";
**   text (an address string from a bitcoin-etl export that is not a mainnet
**   address, e.g. "nonstandard123"): kind + the bytes (<= 200), longer text
**   is kind TEXT_HASH + sha256(text).
*/
#ifndef KPW_CHAIN_ADDRKEY_H
#define KPW_CHAIN_ADDRKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KPW_ADDR_KEY_MAX 202
#define KPW_ADDR_TEXT_MAX 200

enum {
  KPW_AK_P2PKH = 1, KPW_AK_P2SH = 2, KPW_AK_P2WPKH = 3, KPW_AK_P2WSH = 4,
  KPW_AK_P2TR = 5, KPW_AK_WITNESS = 6, KPW_AK_MULTISIG = 7, KPW_AK_TEXT = 8,
  KPW_AK_TEXT_HASH = 9
};

/* Key of an output script; 0 when the script has no address. */
size_t kpw_script_key(const uint8_t *script, size_t n, uint8_t key[KPW_ADDR_KEY_MAX]);
/* Key of an address string: base58check P2PKH/P2SH of mainnet (versions
** 0/5) or testnet/signet/regtest (0x6f/0xc4) and bech32/bech32m of any of
** those networks ("bc", "tb", "bcrt") become binary keys — keys do not
** depend on the network, so a regtest tag finds its output — "multisig:<hex40>" its key,
** anything else (1..any bytes) a text key. 0 for an empty string. */
size_t kpw_addrkey_parse(const char *s, size_t n, uint8_t key[KPW_ADDR_KEY_MAX]);
/* The address string of a key in the network net (KPW_NET_* of chain.h;
** testnet3/4 and signet share "tb"); false when cap is too small or the
** key is malformed. */
bool kpw_addrkey_format(const uint8_t *key, size_t n, int net, char *out, size_t cap);

#endif
