/*
** cluster.h -- common-input address clustering over the chain index
** (`kpwatch chain cluster`), and the CoinJoin detectors that keep CoinJoin
** transactions out of it. docs/cmd-chain-cluster.md is the user-facing
** description, with every heuristic's parameters and sources.
**
** Heuristic. All input addresses of a non-coinbase transaction belong to one
** entity (multi-input / common-input ownership), unless the transaction is a
** CoinJoin. No change heuristic is applied (GraphSense's choice; BlockSci's
** change heuristics produced superclusters).
**
** Collapse guard. A merge that would join two clusters that both hold more
** than collapse_limit addresses is refused (and recorded, so the CLI can
** report it as a `cluster_merge` finding) unless force is set.
**
** Explainability. Every union that joins two clusters records, on the root
** address of the absorbed cluster, the transaction that caused it; so the
** txids that built any cluster can be listed (cluster size - 1 of them).
**
** The clustering reads plain column arrays (kpw_cluster_src), the layout of
** the chain index (chainidx.h), so it can be tested without an index and a
** reader only needs the files it writes: cluster.col, size.col, merge.col,
** refused.col and cluster.json (the commit marker) in the index directory.
*/
#ifndef KPW_CLUSTER_H
#define KPW_CLUSTER_H

#include "kpw/kpw.h"
#include "kpw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KPW_CLUSTER_NONE UINT32_MAX            /* == KPW_CIDX_NONE */
#define KPW_CJ_VALUE_UNKNOWN UINT64_MAX        /* input whose prevout is unknown */
#define KPW_CLUSTER_DEFAULT_COLLAPSE 10000u

/* ------------------------------------------------------------- CoinJoin */
typedef enum kpw_cj_kind {
  KPW_CJ_NONE = 0,
  KPW_CJ_WHIRLPOOL,    /* Samourai Whirlpool mix (5-8 x pool denomination) */
  KPW_CJ_WASABI1,      /* Wasabi 1.x ZeroLink (~0.1 BTC denomination) */
  KPW_CJ_WASABI2,      /* Wasabi 2.x WabiSabi (many denominations) */
  KPW_CJ_JOINMARKET,   /* JoinMarket (one denomination + change) */
  KPW_CJ_BLOCKSCI,     /* BlockSci / GraphSense generic equal-output rule */
  KPW_CJ_KINDS
} kpw_cj_kind;

/* A transaction as the detectors see it. Inputs whose prevout is not in the
** index have value KPW_CJ_VALUE_UNKNOWN and address KPW_CLUSTER_NONE;
** outputs without an address (OP_RETURN, nonstandard) have address
** KPW_CLUSTER_NONE. */
typedef struct kpw_cj_tx {
  uint32_t n_in, n_out;
  const uint64_t *in_values;
  const uint32_t *in_addrs;
  const uint64_t *out_values;
  const uint32_t *out_addrs;
} kpw_cj_tx;

/* Reusable work space of the detectors (sorted copies of values and
** addresses); zero-initialise, free with kpw_cj_scratch_free. */
typedef struct kpw_cj_scratch {
  uint64_t *v; uint32_t *a;
  size_t cap_v, cap_a;
} kpw_cj_scratch;
void kpw_cj_scratch_free(kpw_cj_scratch *s);

/* One detector: true when tx has the structure of that kind. s may be
** NULL (a temporary scratch is used). */
bool kpw_coinjoin_is(const kpw_cj_tx *tx, kpw_cj_kind kind, kpw_cj_scratch *s);
/* The first kind that matches, in the order whirlpool, wasabi2, wasabi1,
** joinmarket, blocksci; KPW_CJ_NONE when none does. */
kpw_cj_kind kpw_coinjoin_detect(const kpw_cj_tx *tx, kpw_cj_scratch *s);
/* "none", "whirlpool", "wasabi1", "wasabi2", "joinmarket", "blocksci". */
const char *kpw_cj_kind_name(kpw_cj_kind k);

/* ----------------------------------------------------------- clustering */
/* The index columns the clustering reads (chainidx.h numbering): tx t has
** inputs [tx_first_in[t], tx_first_in[t+1]) and outputs [tx_first_out[t],
** tx_first_out[t+1]); in_prevouts[i] is an output number or NONE;
** out_addrs[o] an address id < n_addrs or NONE. Inconsistent columns (an
** id out of range, decreasing offsets) are KPW_EINPUT, never a crash. */
typedef struct kpw_cluster_src {
  uint32_t n_txs, n_outs, n_ins, n_addrs;
  const uint32_t *tx_first_in, *tx_first_out;   /* n_txs + 1 entries */
  const uint64_t *out_values;                   /* or NULL: then out_value() */
  uint64_t (*out_value)(const void *ctx, uint32_t o);
  const void *value_ctx;
  const uint32_t *out_addrs;
  const uint32_t *in_prevouts;
} kpw_cluster_src;

typedef struct kpw_cluster_opts {
  uint32_t collapse_limit;   /* 0 = KPW_CLUSTER_DEFAULT_COLLAPSE */
  bool force;                /* accept merges above the limit (still recorded) */
  bool no_coinjoin_filter;   /* cluster CoinJoin inputs too */
  /* Called about once a second (may be NULL). */
  void (*progress)(void *ctx, const char *phase, uint64_t done, uint64_t total);
  void *progress_ctx;
} kpw_cluster_opts;

/* A merge of two clusters that both exceeded the collapse limit. */
typedef struct kpw_cluster_refusal {
  uint32_t tx;               /* the transaction that asked for it */
  uint32_t addr_a, addr_b;   /* the two input addresses whose clusters met */
  uint32_t size_a, size_b;   /* their cluster sizes at that moment */
  uint32_t forced;           /* 1: merged anyway (--force); 0: refused */
} kpw_cluster_refusal;

#define KPW_CLUSTER_MAX_REFUSALS 100000u   /* stored; all are counted */

typedef struct kpw_clustering {
  uint32_t n_addrs, n_clusters, largest, largest_id;
  uint32_t n_txs;                  /* index transactions covered */
  uint64_t multi_input_txs;        /* txs with >= 2 distinct input addresses */
  uint64_t coinjoins[KPW_CJ_KINDS];/* by kind; [0] unused */
  uint64_t merges;                 /* unions that joined two clusters */
  uint64_t refused, forced;        /* collapse-guard hits */
  uint32_t collapse_limit;
  bool force, coinjoin_filter;
  /* Per address: its cluster id (dense, numbered in order of each cluster's
  ** smallest address id), and the tx that merged it into another cluster
  ** when it was the root of the absorbed one (else NONE). */
  const uint32_t *cluster, *merge_tx;
  const uint32_t *size;            /* per cluster id: addresses */
  const kpw_cluster_refusal *refusals;
  uint32_t n_refusals;             /* stored (<= KPW_CLUSTER_MAX_REFUSALS) */
  uint64_t gen;                    /* generation written into every file */
  void *priv_;                     /* ownership (malloc or mmap) */
} kpw_clustering;

/* Run the clustering over src. Memory: 12 bytes per address while running. */
kpw_result kpw_cluster_compute(const kpw_cluster_src *src, const kpw_cluster_opts *opts,
                               kpw_clustering **out, kpw_error *err);
/* Write the files into dir atomically (each as NAME.tmp, fsync, rename;
** cluster.json last: a reader checks every file against its generation). */
kpw_result kpw_cluster_save(const kpw_clustering *c, const char *dir, kpw_error *err);
/* Map a saved clustering (read-only). KPW_ENOTFOUND when dir holds none. */
kpw_result kpw_cluster_load(const char *dir, kpw_clustering **out, kpw_error *err);
void kpw_cluster_free(kpw_clustering *c);

/* True when dir holds a saved clustering that is newer than the index's
** META file, covers n_txs transactions and n_addrs addresses, and was made
** with the same collapse limit, force and CoinJoin filter settings. */
bool kpw_cluster_is_fresh(const char *dir, uint32_t n_txs, uint32_t n_addrs,
                          const kpw_cluster_opts *opts);

/* Cluster id of address a, or KPW_CLUSTER_NONE when out of range. */
static inline uint32_t kpw_cluster_of(const kpw_clustering *c, uint32_t a) {
  return a < c->n_addrs ? c->cluster[a] : KPW_CLUSTER_NONE;
}

/* The stats line of `chain cluster --stats` (one JSON object, no newline):
** {"addresses","clusters","largest", then the other counts and settings}. */
void kpw_cluster_stats_json(const kpw_clustering *c, kpw_buf *b);

#ifdef __cplusplus
}
#endif
#endif
