/*
** trace.h -- following funds through the chain index: forward from a
** theft to the cash-out points it reaches, or backward from a deposit to
** the sources that funded it. One chronological pass (reverse for
** backward) applies the per-transaction kernel of taint.h to every
** transaction that spends a tainted output; docs/taint-methods.md is the
** specification and docs/cmd-chain-trace.md the command.
**
** Memory: one bit per output of the index (which outputs carry taint) plus
** a hash map entry (16 bytes) per tainted output; nothing else grows.
*/
#ifndef KPW_TRACE_H
#define KPW_TRACE_H

#include "kpw/kpw.h"
#include "kpw/chainidx.h"
#include "kpw/taint.h"
#include "kpw/tags.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kpw_trace_opts {
  kpw_taint_method method;
  kpw_fee_policy fee;
  bool backward;
  uint32_t max_hops;                  /* 0 = unlimited */
  int64_t until_height;               /* forward: last height visited; -1 = tip */
  int64_t since_height;               /* backward: first height visited; -1 = start */
  const char *const *stop_categories; /* extra cash-out categories (NULL-terminated) or NULL */
  int64_t min_taint;                  /* taint below this many sat is dropped (0 = exact) */
  void (*progress)(void *ctx, uint64_t done, uint64_t total);
  void *progress_ctx;
} kpw_trace_opts;

/* An output where the trace stopped: a tagged cash-out point (forward),
** a tagged source, a coinbase or an output outside the index (backward). */
typedef struct kpw_trace_hit {
  uint32_t out;                /* output number (KPW_CIDX_NONE: outside the index) */
  uint32_t tx;                 /* its transaction */
  int64_t amount;              /* tainted (forward) or marked (backward) satoshis */
  uint32_t hop;
  const kpw_tag *tags; size_t n_tags;   /* tags of its address (may be 0 for coinbase/unknown) */
  const kpw_tag *stop_tag;     /* the tag that made it a stop, or NULL */
} kpw_trace_hit;

/* A tagged address the taint passed through without stopping (a mixer,
** a sanctioned wallet, the perpetrator's own addresses): forward only. */
typedef struct kpw_trace_met {
  uint32_t addr, first_out, hop;
  int64_t amount;              /* total taint it received */
  const kpw_tag *tags; size_t n_tags;
} kpw_trace_met;

typedef struct kpw_trace_stats {
  int64_t seed_amount;         /* satoshis at the seeds */
  int64_t reached;             /* at stops (sum of hit amounts) */
  int64_t to_fees;             /* pro-rata: fee taint not followed */
  int64_t to_miners;           /* to-miner: fee taint moved to coinbases */
  int64_t hop_limited;         /* not propagated past max_hops */
  int64_t dropped_small;       /* below min_taint */
  int64_t unspent;             /* still on unspent outputs at the end */
  uint64_t txs_visited, txs_tainted, outputs_tainted;
  int64_t first_height, last_height;
} kpw_trace_stats;

typedef struct kpw_trace kpw_trace;

/* Run a trace from seed outputs (output numbers; each starts with its whole
** value). tags may be NULL (then nothing stops a forward trace but the
** tip). */
kpw_result kpw_trace_run(const kpw_cidx *ix, const kpw_tagset *tags,
                         const uint32_t *seeds, size_t n_seeds,
                         const kpw_trace_opts *opts, kpw_trace **out, kpw_error *err);
void kpw_trace_free(kpw_trace *t);

const kpw_trace_stats *kpw_trace_get_stats(const kpw_trace *t);
/* Hits in the order they were found (chain order forward, reverse chain
** order backward). */
size_t kpw_trace_hits(const kpw_trace *t, const kpw_trace_hit **hits);
/* The outputs the taint passed through, following at each step the tainted
** input with the fewest hops (ties: the most taint). Forward: from the
** first output after a seed to the hit's output; backward: from the hit's
** (source) output to the seed (the deposit). Writes up to cap output
** numbers; returns the length. */
size_t kpw_trace_path(const kpw_trace *t, const kpw_trace_hit *hit, uint32_t *outs, size_t cap);
/* The transaction that moved taint onto output o: forward, the one that
** created it (for a coinbase output tainted by fees, the fee payer);
** backward, the one that spends it. KPW_CIDX_NONE when o is untouched. */
uint32_t kpw_trace_via(const kpw_trace *t, uint32_t o);
/* Tagged addresses met on the way (at most 4096, first met first). */
size_t kpw_trace_met_tags(const kpw_trace *t, const kpw_trace_met **met);
/* Taint on output o (0 when none). */
int64_t kpw_trace_taint_of(const kpw_trace *t, uint32_t o, uint32_t *hop);
/* Tags of address id a known to the trace (NULL when untagged). */
size_t kpw_trace_addr_tags(const kpw_trace *t, uint32_t a, const kpw_tag **tags);

#ifdef __cplusplus
}
#endif
#endif
