/*
** cidx_format.h -- internal: file names and record layouts of the chain
** index directory, shared by the builder (cidx_build.c) and the reader
** (cidx_read.c). docs/chain-index.md describes the same for users.
** All integers are little-endian (the builder refuses big-endian hosts).
*/
#ifndef KPW_CHAIN_CIDX_FORMAT_H
#define KPW_CHAIN_CIDX_FORMAT_H

#include <stdint.h>

#define CIDX_FORMAT "kpwatch-chain-index"
#define CIDX_VERSION 2

#define F_META     "META"
#define F_BLOCKS   "blocks.col"    /* cidx_blockrec per block */
#define F_TXID     "txid.col"      /* 32 bytes per tx */
#define F_TXIN     "txin.col"      /* u32 first input per tx, + sentinel */
#define F_TXOUT    "txout.col"     /* u32 first output per tx, + sentinel */
#define F_OUTVAL   "outval.col"    /* u32 satoshis per output; CIDX_BIG: see outbig */
#define F_OUTBIG   "outbig.col"    /* cidx_bigval per output of >= CIDX_BIG sat, by output */
#define F_OUTADDR  "outaddr.col"   /* u32 address id per output */
#define F_INPREV   "inprev.col"    /* u32 output spent, per input */
#define F_ADDR     "addr.dat"      /* address keys in fixed-size slots, by run */
#define F_ADDRRUNS "addr.runs"     /* cidx_addrrun per run of address ids */
#define F_TXSORT   "txsort.col"    /* u32 tx numbers sorted by txid */

typedef struct cidx_blockrec {
  uint8_t hash[32], prev[32];
  int64_t height;
  uint32_t time, first_tx, n_txs, reserved;
} cidx_blockrec;                    /* 88 bytes */

/* Output values: most fit 4 bytes; 0xFFFFFFFF sat and more (>= 42.9 BTC,
** 0.3% of outputs on a realistic chain) are kept in a sorted side table. */
#define CIDX_BIG 0xFFFFFFFFu
typedef struct cidx_bigval { uint32_t out, reserved; uint64_t value; } cidx_bigval;   /* 16 bytes */

/* Addresses. Each commit numbers its new addresses in key order, so the ids
** of one commit form runs of one key kind, sorted by key: lookups binary-
** search the runs of their kind, and no per-address offset or sort column
** is needed. A run's keys sit in slots of `slot` bytes from `offset` in
** addr.dat: the key itself when every key of the run has that length,
** else a length byte and the key, zero padded (varlen). */
typedef struct cidx_addrrun {
  uint32_t first_id, count, slot;
  uint8_t varlen, kind;
  uint16_t reserved;
  uint64_t offset;
} cidx_addrrun;                     /* 24 bytes */

/* Committed counts: the content of META. */
typedef struct cidx_meta {
  uint64_t blocks, txs, outs, ins, addrs, addr_bytes, addr_runs, big;
  int64_t first_height;
  uint64_t unresolved;
  int64_t network;          /* KPW_NET_* of chain.h; 0 (mainnet) for etl input */
} cidx_meta;

#define CIDX_MAX_COUNT 4294967294u   /* u32 numbering; UINT32_MAX is NONE */

#endif
