/*
** chain.h -- Bitcoin: hashes, addresses (base58check, bech32, bech32m),
** output scripts, transactions and blocks, and a reader of Bitcoin Core
** blk*.dat files (magic/length framing, xor.dat obfuscation) or raw blocks.
**
** Parsing is zero-copy and bounded: a parsed block points into the caller's
** buffer (scripts, witness) and into an arena (tx and input/output arrays);
** every length and count is checked against the bytes that remain.
** Hashes are kept in internal byte order (as hashed); printed hex is the
** usual reversed form (kpw_hash_hex).
*/
#ifndef KPW_CHAIN_H
#define KPW_CHAIN_H

#include "kpw/kpw.h"
#include "kpw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- hashes */
void kpw_sha256(const void *p, size_t n, uint8_t out[32]);
void kpw_sha256d(const void *p, size_t n, uint8_t out[32]);
void kpw_hash160(const void *p, size_t n, uint8_t out[20]);   /* RIPEMD160(SHA256) */
/* 64 hex chars of the hash reversed (txid / block hash display order). */
void kpw_hash_hex(const uint8_t h[32], char out[65]);
/* The inverse: exactly 64 hex digits (either case, display order) into a
** hash in internal order; false on anything else. */
bool kpw_hash_from_hex(const char *s, size_t n, uint8_t out[32]);
/* 2*n hex digits (either case) into n bytes in the same order; false on a
** non-hex character. */
bool kpw_hex_decode(const char *s, size_t n, uint8_t *out);

/* ---------------------------------------------------------------- addresses */
/* Base58Check of version byte(s) + payload. Returns the length written
** (excluding NUL) or 0 if cap is too small. */
size_t kpw_base58check_encode(const uint8_t *data, size_t n, char *out, size_t cap);
/* Decode and verify the checksum; writes the versioned payload. */
bool kpw_base58check_decode(const char *s, uint8_t *out, size_t cap, size_t *n);
/* Segwit address (BIP-173 bech32 for v0, BIP-350 bech32m for v1+). */
bool kpw_segwit_encode(const char *hrp, int witver, const uint8_t *prog, size_t n,
                       char *out, size_t cap);
bool kpw_segwit_decode(const char *hrp, const char *addr, int *witver,
                       uint8_t *prog, size_t *n);

typedef enum kpw_script_type {
  KPW_SCRIPT_NONSTANDARD = 0,
  KPW_SCRIPT_P2PK,          /* address: P2PKH of hash160(pubkey) */
  KPW_SCRIPT_P2PKH,
  KPW_SCRIPT_P2SH,
  KPW_SCRIPT_P2WPKH,
  KPW_SCRIPT_P2WSH,
  KPW_SCRIPT_P2TR,
  KPW_SCRIPT_WITNESS_UNKNOWN, /* other witness versions: bech32m address */
  KPW_SCRIPT_MULTISIG,      /* bare m-of-n: no address of its own */
  KPW_SCRIPT_OP_RETURN      /* null data: no address */
} kpw_script_type;

const char *kpw_script_type_name(kpw_script_type t); /* "p2pkh", ... */
/* Classify an output script and write its mainnet address into addr
** ("" when the type has none). */
kpw_script_type kpw_script_address(const uint8_t *script, size_t n,
                                   char *addr, size_t cap);

/* ---------------------------------------------------------------- blocks */
typedef struct kpw_btc_in {
  const uint8_t *prev_txid;    /* 32 bytes, internal order */
  uint32_t prev_vout;
  const uint8_t *script; uint32_t script_len;
  uint32_t sequence;
  uint32_t n_witness;          /* witness stack items */
} kpw_btc_in;

typedef struct kpw_btc_out {
  int64_t value;               /* satoshis */
  const uint8_t *script; uint32_t script_len;
} kpw_btc_out;

typedef struct kpw_btc_tx {
  uint8_t txid[32], wtxid[32];
  int32_t version;
  uint32_t locktime;
  bool segwit;
  kpw_btc_in *ins; uint32_t n_ins;
  kpw_btc_out *outs; uint32_t n_outs;
  uint32_t size;               /* serialized bytes, witness included */
  uint64_t offset;             /* byte offset of the tx within the block */
} kpw_btc_tx;

typedef struct kpw_btc_block {
  uint8_t hash[32], prev[32], merkle[32];
  int32_t version;
  uint32_t time, bits, nonce;
  int64_t height;              /* from the BIP-34 coinbase, -1 when absent */
  bool merkle_ok;              /* computed txid merkle root == header's */
  kpw_btc_tx *txs; uint32_t n_txs;
  uint32_t size;
} kpw_btc_block;

/* Parse one serialized block (no magic/length prefix). Arrays live in
** arena; scripts point into p, which must outlive the block. Trailing bytes
** after the last transaction are an error. */
kpw_result kpw_btc_block_parse(const uint8_t *p, size_t n, kpw_arena *arena,
                               const char *source, uint64_t offset,
                               kpw_btc_block *out, kpw_error *err);

/* Reader of blocks from a file: blk*.dat framing (network magic + length),
** a raw block, or either compressed (.bz2/.zst); applies the xor.dat key
** found beside a blk file (Bitcoin Core >= 28). */
typedef struct kpw_blk_reader kpw_blk_reader;
kpw_result kpw_blk_open(const char *path, kpw_blk_reader **out, kpw_error *err);
/* Next block's bytes (valid until the next call) and its file offset.
** KPW_DONE at end. */
kpw_result kpw_blk_next(kpw_blk_reader *r, const uint8_t **block, size_t *n,
                        uint64_t *offset, kpw_error *err);
void kpw_blk_close(kpw_blk_reader *r);
/* The network whose magic framed the last block read: KPW_NET_MAIN,
** TESTNET3, TESTNET4, SIGNET, REGTEST; -1 for a raw (unframed) block. */
enum { KPW_NET_MAIN = 0, KPW_NET_TESTNET3, KPW_NET_TESTNET4, KPW_NET_SIGNET, KPW_NET_REGTEST };
int kpw_blk_network(const kpw_blk_reader *r);

#ifdef __cplusplus
}
#endif
#endif
