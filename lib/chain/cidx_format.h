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
#define CIDX_VERSION 1

#define F_META     "META"
#define F_BLOCKS   "blocks.col"    /* cidx_blockrec per block */
#define F_TXID     "txid.col"      /* 32 bytes per tx */
#define F_TXIN     "txin.col"      /* u32 first input per tx, + sentinel */
#define F_TXOUT    "txout.col"     /* u32 first output per tx, + sentinel */
#define F_OUTVAL   "outval.col"    /* u64 satoshis per output */
#define F_OUTADDR  "outaddr.col"   /* u32 address id per output */
#define F_INPREV   "inprev.col"    /* u32 output spent, per input */
#define F_ADDR     "addr.dat"      /* address keys: [u8 len][key], 8-aligned */
#define F_ADDROFF  "addr.off"      /* u32 offset of each key in 8-byte units */
#define F_TXSORT   "txsort.col"    /* u32 tx numbers sorted by txid */
#define F_ADDRSORT "addrsort.col"  /* u32 address ids sorted by key */

typedef struct cidx_blockrec {
  uint8_t hash[32], prev[32];
  int64_t height;
  uint32_t time, first_tx, n_txs, reserved;
} cidx_blockrec;                    /* 88 bytes */

/* Committed counts: the content of META. */
typedef struct cidx_meta {
  uint64_t blocks, txs, outs, ins, addrs, addr_units, commits;
  int64_t first_height;
  uint64_t unresolved;
} cidx_meta;

#define CIDX_MAX_COUNT 4294967294u   /* u32 numbering; UINT32_MAX is NONE */

#endif
