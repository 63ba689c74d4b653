/*
** block.c -- Bitcoin block and transaction parser (kpw_btc_block_parse).
**
** Parses the 80-byte header and every transaction, legacy or segwit (BIP-144
** marker 0x00, flag 0x01), computes txid (SHA-256d of the non-witness
** serialization), wtxid (of the full serialization), recomputes the txid
** merkle root (odd levels duplicate their last node) and reads the BIP-34
** height from the coinbase.
**
** Invariants: the parser is zero-copy (scripts point into the caller's
** buffer) and bounded: every read is checked against the bytes that remain
** before it happens, varints must be canonical, and every count is capped by
** the smallest possible encoding of its elements in the remaining bytes, so
** arena use is at most a small constant times the input size whatever the
** varints claim. Hashing never copies: a legacy tx is one contiguous span,
** a segwit tx's txid is fed to SHA-256 in three pieces (version, in/out
** span, locktime).
*/
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include "kpw/chain.h"

/* Core's MAX_SIZE for any serialized vector (32 MiB). */
#define MAX_VEC 0x02000000u
/* Smallest encodings: a tx (version, 2 empty counts, locktime), an input
** (outpoint, empty script, sequence), an output (value, empty script). */
#define MIN_TX_BYTES 10u
#define MIN_IN_BYTES 41u
#define MIN_OUT_BYTES 9u

typedef struct cur {
  const uint8_t *p, *end, *base;
  const char *source;
  uint64_t offset;   /* file offset of base */
  kpw_error *err;
} cur;

static kpw_result fail(cur *c, const uint8_t *at, const char *what) {
  kpw_result r = kpw_error_set(c->err, KPW_EINPUT, c->source, 0,
                               c->offset + (uint64_t)(at - c->base),
                               "bad block: %s", what);
  if (c->err && at < c->end)
    kpw_error_excerpt(c->err, at, (size_t)(c->end - at) < 16 ? (size_t)(c->end - at) : 16);
  return r;
}

static kpw_result fail_trunc(cur *c, const uint8_t *at, const char *what) {
  char m[96];
  snprintf(m, sizeof m, "truncated %s", what);
  return fail(c, at, m);
}

static inline uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t rd64(const uint8_t *p) {
  return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Canonical CompactSize, at most MAX_VEC. Returns false on truncation or a
** non-minimal or oversize encoding (the error is set). */
static inline bool varint(cur *c, uint64_t *v, const char *what) {
  const uint8_t *s = c->p;
  if (s >= c->end) { fail_trunc(c, s, what); return false; }
  uint8_t b = *s;
  if (b < 0xfd) { *v = b; c->p = s + 1; return true; }
  size_t w = b == 0xfd ? 2 : b == 0xfe ? 4 : 8;
  if ((size_t)(c->end - s) < 1 + w) { fail_trunc(c, s, what); return false; }
  uint64_t x = w == 2 ? (uint64_t)(s[1] | s[2] << 8) : w == 4 ? rd32(s + 1) : rd64(s + 1);
  uint64_t min = w == 2 ? 0xfd : w == 4 ? 0x10000 : 0x100000000ull;
  if (x < min) { fail(c, s, "non-canonical varint"); return false; }
  if (x > MAX_VEC) { fail(c, s, "varint over 32 MiB"); return false; }
  *v = x;
  c->p = s + 1 + w;
  return true;
}

/* A count of elements each taking at least min_bytes: capped by what is left. */
static inline bool count(cur *c, uint64_t *v, size_t min_bytes, const char *what) {
  const uint8_t *s = c->p;
  if (!varint(c, v, what)) return false;
  if (*v > (uint64_t)(c->end - c->p) / min_bytes) {
    char m[96];
    snprintf(m, sizeof m, "%s %llu does not fit in the bytes left (truncated or corrupt)",
             what, (unsigned long long)*v);
    fail(c, s, m);
    return false;
  }
  return true;
}

/* A byte string: length then bytes, all within the buffer. */
static inline bool bytes(cur *c, const uint8_t **b, uint32_t *n, const char *what) {
  const uint8_t *s = c->p;
  uint64_t len;
  if (!varint(c, &len, what)) return false;
  if (len > (uint64_t)(c->end - c->p)) {
    char m[96];
    snprintf(m, sizeof m, "%s of %llu bytes runs past the end (truncated or corrupt)",
             what, (unsigned long long)len);
    fail(c, s, m);
    return false;
  }
  *b = c->p;
  *n = (uint32_t)len;
  c->p += len;
  return true;
}

/* OpenSSL 3's one-shot SHA256() fetches an EVP method per call (locks,
** malloc, name lookups), which costs more than hashing a typical tx; the
** low-level context API hashes with no allocation. */
static inline void sha256_2nd(const uint8_t t[32], uint8_t out[32]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, t, 32);
  SHA256_Final(out, &ctx);
}

static inline void sha256d_span(const uint8_t *p, size_t n, uint8_t out[32]) {
  SHA256_CTX ctx;
  uint8_t t[32];
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, p, n);
  SHA256_Final(t, &ctx);
  sha256_2nd(t, out);
}

static kpw_result parse_tx(cur *c, kpw_arena *arena, kpw_btc_tx *tx) {
  const uint8_t *start = c->p;
  if (c->end - c->p < 4) return fail(c, c->p, "truncated transaction version");
  tx->version = (int32_t)rd32(c->p);
  c->p += 4;
  tx->segwit = c->end - c->p >= 2 && c->p[0] == 0 && c->p[1] == 1;
  if (tx->segwit) c->p += 2;
  const uint8_t *body = c->p;
  uint64_t n;
  if (!count(c, &n, MIN_IN_BYTES, "input count")) return KPW_EINPUT;
  tx->n_ins = (uint32_t)n;
  tx->ins = n ? kpw_arena_alloc(arena, n * sizeof *tx->ins) : NULL;
  for (uint32_t i = 0; i < tx->n_ins; i++) {
    kpw_btc_in *in = &tx->ins[i];
    if (c->end - c->p < 36) return fail(c, c->p, "truncated outpoint");
    in->prev_txid = c->p;
    in->prev_vout = rd32(c->p + 32);
    c->p += 36;
    if (!bytes(c, &in->script, &in->script_len, "input script")) return KPW_EINPUT;
    if (c->end - c->p < 4) return fail(c, c->p, "truncated sequence");
    in->sequence = rd32(c->p);
    c->p += 4;
    in->n_witness = 0;
  }
  if (!count(c, &n, MIN_OUT_BYTES, "output count")) return KPW_EINPUT;
  tx->n_outs = (uint32_t)n;
  tx->outs = n ? kpw_arena_alloc(arena, n * sizeof *tx->outs) : NULL;
  for (uint32_t i = 0; i < tx->n_outs; i++) {
    kpw_btc_out *o = &tx->outs[i];
    if (c->end - c->p < 8) return fail(c, c->p, "truncated output value");
    o->value = (int64_t)rd64(c->p);
    c->p += 8;
    if (!bytes(c, &o->script, &o->script_len, "output script")) return KPW_EINPUT;
  }
  const uint8_t *body_end = c->p;
  if (tx->segwit) {
    /* One witness stack per input; items are byte strings (min 1 byte each). */
    for (uint32_t i = 0; i < tx->n_ins; i++) {
      if (!count(c, &n, 1, "witness item count")) return KPW_EINPUT;
      tx->ins[i].n_witness = (uint32_t)n;
      for (uint64_t k = 0; k < n; k++) {
        const uint8_t *b;
        uint32_t bl;
        if (!bytes(c, &b, &bl, "witness item")) return KPW_EINPUT;
      }
    }
  }
  if (c->end - c->p < 4) return fail(c, c->p, "truncated locktime");
  const uint8_t *lock = c->p;
  tx->locktime = rd32(lock);
  c->p += 4;
  tx->size = (uint32_t)(c->p - start);
  tx->offset = (uint64_t)(start - c->base);
  if (tx->segwit) {
    SHA256_CTX ctx;
    uint8_t t[32];
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, start, 4);
    SHA256_Update(&ctx, body, (size_t)(body_end - body));
    SHA256_Update(&ctx, lock, 4);
    SHA256_Final(t, &ctx);
    sha256_2nd(t, tx->txid);
    sha256d_span(start, tx->size, tx->wtxid);
  } else {
    sha256d_span(start, tx->size, tx->txid);
    memcpy(tx->wtxid, tx->txid, 32);
  }
  return KPW_OK;
}

/* BIP-34: the coinbase scriptSig starts with a push of the height as a
** little-endian script number. Only a direct push of 1..8 bytes is read; a
** negative number or anything else gives -1 (pre-BIP-34 coinbases hold
** arbitrary bytes, so callers only trust this for version >= 2). */
static int64_t bip34_height(const kpw_btc_tx *cb) {
  if (cb->n_ins != 1 || cb->ins[0].script_len < 1) return -1;
  const uint8_t *s = cb->ins[0].script;
  uint32_t k = s[0];
  if (k < 1 || k > 8 || k + 1 > cb->ins[0].script_len) return -1;
  if (s[k] & 0x80) return -1;  /* sign bit: negative or padded oddly */
  uint64_t h = 0;
  for (uint32_t i = 0; i < k; i++) h |= (uint64_t)s[1 + i] << (8 * i);
  return h > INT64_MAX ? -1 : (int64_t)h;
}

/* Merkle root of n >= 1 hashes, computed in place in a scratch array;
** an odd level pairs its last node with itself. */
static void merkle_root(uint8_t (*h)[32], uint32_t n, uint8_t out[32]) {
  while (n > 1) {
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i += 2) {
      uint8_t pair[64];
      memcpy(pair, h[i], 32);
      memcpy(pair + 32, h[i + 1 < n ? i + 1 : i], 32);
      sha256d_span(pair, 64, h[m++]);
    }
    n = m;
  }
  memcpy(out, h[0], 32);
}

kpw_result kpw_btc_block_parse(const uint8_t *p, size_t n, kpw_arena *arena,
                               const char *source, uint64_t offset,
                               kpw_btc_block *out, kpw_error *err) {
  cur c = {p, p + n, p, source ? source : "", offset, err};
  memset(out, 0, sizeof *out);
  out->height = -1;
  if (!p || n < 80) return fail(&c, p ? p : c.end, "truncated header (block under 80 bytes)");
  if (n > UINT32_MAX) return fail(&c, p, "block over 4 GiB");
  out->version = (int32_t)rd32(p);
  memcpy(out->prev, p + 4, 32);
  memcpy(out->merkle, p + 36, 32);
  out->time = rd32(p + 68);
  out->bits = rd32(p + 72);
  out->nonce = rd32(p + 76);
  sha256d_span(p, 80, out->hash);
  out->size = (uint32_t)n;
  c.p = p + 80;
  uint64_t nt;
  if (!count(&c, &nt, MIN_TX_BYTES, "transaction count")) return KPW_EINPUT;
  if (nt == 0) return fail(&c, p + 80, "block without transactions");
  out->n_txs = (uint32_t)nt;
  out->txs = kpw_arena_alloc(arena, nt * sizeof *out->txs);
  for (uint32_t i = 0; i < out->n_txs; i++) {
    kpw_result r = parse_tx(&c, arena, &out->txs[i]);
    if (r != KPW_OK) { out->n_txs = i; return r; }
  }
  if (c.p != c.end) return fail(&c, c.p, "trailing bytes after the last transaction");
  uint8_t (*h)[32] = kpw_arena_alloc(arena, nt * 32);
  for (uint32_t i = 0; i < out->n_txs; i++) memcpy(h[i], out->txs[i].txid, 32);
  uint8_t root[32];
  merkle_root(h, out->n_txs, root);
  out->merkle_ok = memcmp(root, out->merkle, 32) == 0;
  if (out->version >= 2) out->height = bip34_height(&out->txs[0]);
  return KPW_OK;
}
