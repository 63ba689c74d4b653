/*
** address.h -- internal interface of the address codecs in lib/chain/
** (base58.c, bech32.c), shared with script.c and the unit/fuzz tests.
** The public entry points are in include/kpw/chain.h; these are the raw
** layers under them (plain base58 without checksum, bech32/bech32m strings
** with any HRP and 5-bit data).
*/
#ifndef KPW_CHAIN_ADDRESS_H
#define KPW_CHAIN_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps that bound every buffer in the codecs (no allocation anywhere). */
#define KPW_BASE58_MAX_BYTES 128   /* payload bytes we encode/decode */
#define KPW_BASE58_MAX_CHARS 176   /* ceil(128 * log(256)/log(58)) + 1 */
#define KPW_BECH32_MAX_LEN 90      /* BIP-173 overall string limit */
#define KPW_SEGWIT_MAX_PROG 40     /* witness program bytes (BIP-141) */
/* Enough for any address kpw_script_address writes, NUL included:
** the longest is a 40-byte witness program: 2+1+1+64+6 = 74 chars. */
#define KPW_BTC_ADDR_CAP 91

/* Plain base58 (Bitcoin alphabet). Returns the length written (NUL added)
** or 0 when n > KPW_BASE58_MAX_BYTES or cap is too small (an empty input
** encodes to "" and also returns 0; callers check n). */
size_t kpw_base58_encode(const uint8_t *data, size_t n, char *out, size_t cap);
/* Decode len chars of s; false on a non-alphabet char, len over the cap or
** an output over cap. Leading '1's become leading zero bytes. */
bool kpw_base58_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *n);

typedef enum kpw_bech32_enc {
  KPW_BECH32_NONE = 0,
  KPW_BECH32 = 1,   /* BIP-173 checksum constant 1 */
  KPW_BECH32M = 2   /* BIP-350 checksum constant 0x2bc830a3 */
} kpw_bech32_enc;

/* Encode hrp + '1' + data5 (values 0..31) + checksum, lower case.
** Returns the length (NUL added) or 0 when the hrp is invalid (empty, chars
** outside 33..126, upper case), a data value is > 31, the result exceeds
** 90 chars or cap. */
size_t kpw_bech32_encode(const char *hrp, const uint8_t *data5, size_t n,
                         kpw_bech32_enc enc, char *out, size_t cap);
/* Decode a bech32/bech32m string under the BIP-173 rules (<= 90 chars,
** chars 33..126, not mixed case, last '1' separates a non-empty HRP from
** >= 6 data chars). Writes the lower-cased HRP (hrpcap >= 84 always
** suffices) and the data without checksum (datacap >= 84 suffices).
** Returns which checksum matched, or KPW_BECH32_NONE. */
kpw_bech32_enc kpw_bech32_decode(const char *s, char *hrp, size_t hrpcap,
                                 uint8_t *data5, size_t datacap, size_t *n);

#endif
