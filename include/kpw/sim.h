/*
** sim.h -- scenario generators with ground truth. kpw_sim_chain writes a
** synthetic but valid Bitcoin chain (Bitcoin Core blk*.dat framing, linked
** headers, correct merkle roots and witness commitments, BIP-34 heights)
** with laundering scenarios woven into realistic background traffic, and
** beside it the ground truth: tags.csv (exchange, perpetrator and mixer
** addresses) and truth.json (per scenario the seeds, the deposits reached,
** the coinjoins used and, per taint method and fee policy, the exact
** satoshis reaching each exchange, computed from docs/taint-methods.md by
** a tracer of its own, independent of lib/chain/taint.c).
**
** Everything is a pure function of the options (same seed, same bytes).
** Memory is bounded: blocks are streamed to disk as they are made and the
** background UTXO pool has a fixed cap.
*/
#ifndef KPW_SIM_H
#define KPW_SIM_H

#include "kpw/kpw.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kpw_sim_opts {
  const char *out_dir;       /* created if missing; blocks/ goes inside */
  uint64_t seed;
  uint32_t scenarios;        /* laundering scenarios, kinds cycle */
  uint64_t txs;              /* target transaction count (coinbases included) */
  bool shuffle;              /* write blocks out of chain order (small windows) */
  uint64_t file_size;        /* start a new blk file past this many bytes */
  /* Called about once a second's worth of work (every 500 blocks). */
  void (*progress)(void *ctx, uint64_t blocks, uint64_t txs, uint64_t bytes);
  void *progress_ctx;
} kpw_sim_opts;

typedef struct kpw_sim_summary {
  uint64_t blocks, txs, files, bytes;
} kpw_sim_summary;

/* Names of the scenario kinds, in the order --scenarios cycles through. */
#define KPW_SIM_KINDS 6
const char *kpw_sim_kind_name(unsigned kind);

kpw_result kpw_sim_chain(const kpw_sim_opts *opts, kpw_sim_summary *sum, kpw_error *err);

#ifdef __cplusplus
}
#endif
#endif
