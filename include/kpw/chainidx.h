/*
** chainidx.h -- the Bitcoin chain index: a directory of fixed-width column
** files, built by `kpwatch chain index` and memory-mapped by readers
** (`chain cluster`, `chain trace`). docs/chain-index.md is the format.
**
** Numbering. Blocks, transactions, outputs, inputs and addresses are
** numbered densely from 0 in chain order (block height, then position in the
** block; outputs and inputs in transaction order). A transaction's outputs are
** [first_out, next tx's first_out) and its inputs [first_in, next first_in).
** A coinbase transaction has no inputs in the index. Numbers are u32: one
** index holds at most 4,294,967,294 outputs (the whole chain had ~3.2 G in
** 2025); the builder refuses to grow past that with a clear error.
**
** Addresses. Every output script with an address (P2PK counted as its
** P2PKH address, as BlockSci does) gets an address id on first sight; bare
** multisig scripts get one id per distinct script; OP_RETURN and other
** nonstandard scripts have none (KPW_CIDX_NONE). bitcoin-etl input keeps the
** export's address strings.
**
** Crash safety. Columns are append-only; the file META holds the committed
** counts and is replaced atomically (write, fsync, rename) after the columns
** are synced. A reader sees exactly the committed prefix; a builder that
** starts after a crash truncates every column back to it and goes on.
*/
#ifndef KPW_CHAINIDX_H
#define KPW_CHAINIDX_H

#include "kpw/kpw.h"
#include "kpw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KPW_CIDX_NONE UINT32_MAX   /* no address / unknown prevout */

/* ------------------------------------------------------------- building */
typedef struct kpw_cidx_build_opts {
  /* Progress callback (may be NULL): called about once a second with
  ** what has been done so far. */
  void (*progress)(void *ctx, const char *phase, uint64_t done, uint64_t total);
  void *progress_ctx;
  /* Commit (sync columns, write META) after this many new transactions;
  ** 0 = default (2,000,000). A crash loses at most one batch of work. */
  uint64_t commit_every_txs;
  /* Bytes of RAM for each external sort before it spills runs to disk;
  ** 0 = default (256 MiB). */
  size_t sort_mem;
  /* Test hook: stop (exit(137), as if killed) after this many commits;
  ** 0 = never. */
  uint64_t crash_after_commits;
} kpw_cidx_build_opts;

typedef struct kpw_cidx_build_stats {
  uint64_t blocks_added, txs_added, blocks_skipped_known, blocks_stale;
  uint64_t unresolved_prevouts;   /* inputs spending outputs not in the index */
  uint64_t merkle_bad;            /* blocks whose merkle root did not check */
  int64_t first_height, last_height;
} kpw_cidx_build_stats;

/* Index every input (blk*.dat files or directories of them, raw blocks,
** .bz2/.zst of either, or bitcoin-etl JSON lines of transactions) into
** dir, creating it or extending what it holds. Blocks already indexed are
** skipped, so rerunning after a crash or with a grown blocks/ directory
** resumes. Blocks are put in chain order by their headers; blocks off the
** best chain are skipped and counted. */
kpw_result kpw_cidx_build(const char *dir, const char *const *inputs, size_t n_inputs,
                          const kpw_cidx_build_opts *opts, kpw_cidx_build_stats *stats,
                          kpw_error *err);

/* -------------------------------------------------------------- reading */
typedef struct kpw_cidx kpw_cidx;

kpw_result kpw_cidx_open(const char *dir, kpw_cidx **out, kpw_error *err);
void kpw_cidx_close(kpw_cidx *ix);

typedef struct kpw_cidx_counts {
  uint32_t blocks, txs, outs, ins, addrs;
  int64_t first_height;          /* height of block 0 of the index */
  uint64_t unresolved_prevouts;
} kpw_cidx_counts;
void kpw_cidx_get_counts(const kpw_cidx *ix, kpw_cidx_counts *c);

typedef struct kpw_cidx_block {
  const uint8_t *hash;           /* 32 bytes, internal order; all zero when unknown (etl) */
  int64_t height;
  uint32_t time;                 /* unix seconds */
  uint32_t first_tx, n_txs;
} kpw_cidx_block;
void kpw_cidx_get_block(const kpw_cidx *ix, uint32_t b, kpw_cidx_block *out);
/* The previous-block hash the header of block b names (32 bytes). */
const uint8_t *kpw_cidx_block_prev(const kpw_cidx *ix, uint32_t b);
uint32_t kpw_cidx_tx_block(const kpw_cidx *ix, uint32_t tx);   /* block number of tx */

/* Column access. The arrays are the mapped files; n = the count. Each tx
** has first_in/first_out; tx_first_in(ix)[tx + 1] exists for every tx
** (a sentinel entry equal to the total). */
const uint8_t *kpw_cidx_txids(const kpw_cidx *ix);        /* 32 B per tx */
const uint32_t *kpw_cidx_tx_first_in(const kpw_cidx *ix);  /* txs + 1 entries */
const uint32_t *kpw_cidx_tx_first_out(const kpw_cidx *ix); /* txs + 1 entries */
/* Output values in satoshis. The column holds 4 bytes per output; values
** of 0xFFFFFFFF sat (42.9 BTC) and more read 0xFFFFFFFF there and their
** true value comes from a side table: use kpw_cidx_out_value. */
uint64_t kpw_cidx_out_value(const kpw_cidx *ix, uint32_t o);
const uint32_t *kpw_cidx_out_values32(const kpw_cidx *ix);
const uint32_t *kpw_cidx_out_addrs(const kpw_cidx *ix);    /* address id or NONE */
const uint32_t *kpw_cidx_in_prevouts(const kpw_cidx *ix);  /* output number or NONE */

/* The transaction that created output o (binary search). */
uint32_t kpw_cidx_out_tx(const kpw_cidx *ix, uint32_t o);
/* The transaction that holds input i (binary search). */
uint32_t kpw_cidx_in_tx(const kpw_cidx *ix, uint32_t i);
/* Transaction by txid (internal byte order); false if absent. */
bool kpw_cidx_find_txid(const kpw_cidx *ix, const uint8_t txid[32], uint32_t *tx);
/* Address string of an address id ("" and false if none). */
bool kpw_cidx_addr_string(const kpw_cidx *ix, uint32_t a, char *out, size_t cap);
/* Address id of an address string (mainnet base58/bech32, or the text an
** etl export used); false if absent. */
bool kpw_cidx_find_addr(const kpw_cidx *ix, const char *addr, uint32_t *a);

/* Parse "txid:vout" (display-order hex) into an output number. */
bool kpw_cidx_parse_outpoint(const kpw_cidx *ix, const char *s, uint32_t *out_no);

#ifdef __cplusplus
}
#endif
#endif
