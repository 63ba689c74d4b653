/*
** trace.c -- forward and backward taint traces over the chain index
** (kpw_trace_run). docs/taint-methods.md is the specification: the
** per-transaction rules live in taint.c; this file visits transactions in
** chain order (reverse for backward), carries taint from outputs to the
** inputs that spend them, applies the fee policy per block, and stops at
** tagged addresses.
**
** State per tainted output: taint (sat), hop, the output it came from
** (parent) and the transaction that put the taint there (via). Invariant:
** an output's bit in `live` is set iff it carries taint that will still be
** followed (not stopped, not spent yet), so the hot loop tests one bit per
** input and touches the map only for tainted ones.
*/
#include <stdlib.h>
#include <string.h>
#include "kpw/chain.h"
#include "kpw/trace.h"

#define F_SEED 1u
#define F_STOP 2u
#define F_SPENT 4u

typedef struct entry {
  int64_t taint;
  uint32_t hop;
  uint32_t parent;     /* output the taint came from (KPW_CIDX_NONE for seeds) */
  uint32_t via;        /* transaction that moved it here */
  uint32_t flags;
} entry;

typedef struct tagref { uint32_t addr; uint32_t n; const kpw_tag *tags; } tagref;

struct kpw_trace {
  const kpw_cidx *ix;
  kpw_trace_opts o;
  kpw_trace_stats st;
  /* map: output -> entry */
  uint32_t *keys;       /* output + 1, 0 empty */
  entry *vals;
  uint64_t cap, n;
  uint8_t *live;        /* bit per output */
  /* tagged addresses of the index */
  tagref *tagmap;
  uint64_t tagcap;
  kpw_trace_hit *hits;
  size_t n_hits, cap_hits;
  kpw_trace_met *met;          /* tagged addresses passed through (not stops) */
  size_t n_met, cap_met;
  kpw_taint_scratch *scratch;
  int64_t *in_val, *in_t, *out_val, *out_t, *cb_t;
  size_t work_cap;
};

static uint64_t mix32(uint32_t k) {
  uint64_t h = (uint64_t)k * 0x9e3779b97f4a7c15ull;
  return h ^ (h >> 29);
}

static entry *map_get(const kpw_trace *t, uint32_t o) {
  if (!t->cap) return NULL;
  uint64_t i = mix32(o) & (t->cap - 1);
  while (t->keys[i]) {
    if (t->keys[i] == o + 1) return &t->vals[i];
    i = (i + 1) & (t->cap - 1);
  }
  return NULL;
}

static bool map_grow(kpw_trace *t) {
  uint64_t nc = t->cap ? t->cap * 2 : 4096;
  uint32_t *k = calloc(nc, sizeof *k);
  entry *v = malloc(nc * sizeof *v);
  if (!k || !v) { free(k); free(v); return false; }
  for (uint64_t i = 0; i < t->cap; i++) {
    if (!t->keys[i]) continue;
    uint64_t j = mix32(t->keys[i] - 1) & (nc - 1);
    while (k[j]) j = (j + 1) & (nc - 1);
    k[j] = t->keys[i];
    v[j] = t->vals[i];
  }
  free(t->keys);
  free(t->vals);
  t->keys = k;
  t->vals = v;
  t->cap = nc;
  return true;
}

/* The entry of o, created zeroed when absent (NULL when out of memory). */
static entry *map_put(kpw_trace *t, uint32_t o) {
  entry *e = map_get(t, o);
  if (e) return e;
  if ((t->n + 1) * 2 > t->cap && !map_grow(t)) return NULL;
  uint64_t i = mix32(o) & (t->cap - 1);
  while (t->keys[i]) i = (i + 1) & (t->cap - 1);
  t->keys[i] = o + 1;
  memset(&t->vals[i], 0, sizeof t->vals[i]);
  t->vals[i].parent = KPW_CIDX_NONE;
  t->vals[i].via = KPW_CIDX_NONE;
  t->n++;
  return &t->vals[i];
}

static inline bool live_get(const kpw_trace *t, uint32_t o) { return t->live[o >> 3] >> (o & 7) & 1; }
static inline void live_set(kpw_trace *t, uint32_t o) { t->live[o >> 3] |= (uint8_t)(1u << (o & 7)); }
static inline void live_clr(kpw_trace *t, uint32_t o) { t->live[o >> 3] &= (uint8_t)~(1u << (o & 7)); }

static const tagref *tag_of(const kpw_trace *t, uint32_t a) {
  if (!t->tagcap || a == KPW_CIDX_NONE) return NULL;
  uint64_t i = mix32(a) & (t->tagcap - 1);
  while (t->tagmap[i].n) {
    if (t->tagmap[i].addr == a) return &t->tagmap[i];
    i = (i + 1) & (t->tagcap - 1);
  }
  return NULL;
}

size_t kpw_trace_addr_tags(const kpw_trace *t, uint32_t a, const kpw_tag **tags) {
  const tagref *r = tag_of(t, a);
  *tags = r ? r->tags : NULL;
  return r ? r->n : 0;
}

/* Map every tagged address that occurs in the index to its tags. */
static kpw_result load_tags(kpw_trace *t, const kpw_tagset *ts, kpw_error *err) {
  if (!ts) return KPW_OK;
  size_t n = kpw_tagset_naddresses(ts);
  uint64_t cap = 64;
  while (cap < n * 2 + 2) cap *= 2;
  t->tagmap = calloc(cap, sizeof *t->tagmap);
  if (!t->tagmap) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory (tags)");
  t->tagcap = cap;
  for (size_t i = 0; i < n; i++) {
    const kpw_tag *tags;
    size_t k = kpw_tagset_address(ts, i, &tags);
    uint32_t a;
    if (!k || !kpw_cidx_find_addr(t->ix, tags[0].address, &a)) continue;
    uint64_t j = mix32(a) & (cap - 1);
    while (t->tagmap[j].n && t->tagmap[j].addr != a) j = (j + 1) & (cap - 1);
    if (t->tagmap[j].n) continue;     /* same address twice (case variants) */
    t->tagmap[j].addr = a;
    t->tagmap[j].n = (uint32_t)k;
    t->tagmap[j].tags = tags;
  }
  return KPW_OK;
}

static bool work(kpw_trace *t, size_t n) {
  if (n <= t->work_cap) return true;
  size_t c = t->work_cap ? t->work_cap : 64;
  while (c < n) c *= 2;
  int64_t **arrs[] = {&t->in_val, &t->in_t, &t->out_val, &t->out_t, &t->cb_t};
  for (size_t i = 0; i < 5; i++) {
    int64_t *p = realloc(*arrs[i], c * sizeof *p);
    if (!p) return false;
    *arrs[i] = p;
  }
  t->work_cap = c;
  return true;
}

static kpw_result add_hit(kpw_trace *t, uint32_t out, uint32_t tx, int64_t amount, uint32_t hop,
                          const tagref *tr, const kpw_tag *stop, kpw_error *err) {
  if (t->n_hits == t->cap_hits) {
    size_t c = t->cap_hits ? t->cap_hits * 2 : 64;
    kpw_trace_hit *h = realloc(t->hits, c * sizeof *h);
    if (!h) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory (trace hits)");
    t->hits = h;
    t->cap_hits = c;
  }
  kpw_trace_hit *h = &t->hits[t->n_hits++];
  h->out = out;
  h->tx = tx;
  h->amount = amount;
  h->hop = hop;
  h->tags = tr ? tr->tags : NULL;
  h->n_tags = tr ? tr->n : 0;
  h->stop_tag = stop;
  t->st.reached += amount;
  return KPW_OK;
}

/* A tagged address the taint passed through: one entry per address, with
** the total taint it received and the first output and hop. */
static kpw_result add_met(kpw_trace *t, const tagref *tr, uint32_t o, int64_t amount, uint32_t hop, kpw_error *err) {
  for (size_t i = 0; i < t->n_met; i++)
    if (t->met[i].addr == tr->addr) { t->met[i].amount += amount; return KPW_OK; }
  if (t->n_met == t->cap_met) {
    size_t c = t->cap_met ? t->cap_met * 2 : 16;
    if (c > 4096) return KPW_OK;          /* bounded: the first 4096 addresses */
    kpw_trace_met *m = realloc(t->met, c * sizeof *m);
    if (!m) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory");
    t->met = m;
    t->cap_met = c;
  }
  kpw_trace_met *m = &t->met[t->n_met++];
  m->addr = tr->addr;
  m->first_out = o;
  m->hop = hop;
  m->amount = amount;
  m->tags = tr->tags;
  m->n_tags = tr->n;
  return KPW_OK;
}

size_t kpw_trace_met_tags(const kpw_trace *t, const kpw_trace_met **met) {
  *met = t->met;
  return t->n_met;
}

/* The tag that stops a forward trace at address a, or NULL. */
static const kpw_tag *cashout_tag(const kpw_trace *t, const tagref *tr) {
  if (!tr) return NULL;
  for (uint32_t i = 0; i < tr->n; i++)
    if (kpw_tag_is_cashout(&tr->tags[i], t->o.stop_categories)) return &tr->tags[i];
  return NULL;
}

/* Put taint on output o of tx (forward). */
static kpw_result taint_output(kpw_trace *t, uint32_t o, uint32_t tx, uint32_t via, int64_t amount,
                               uint32_t hop, uint32_t parent, kpw_error *err) {
  if (amount <= 0) return KPW_OK;
  if (amount < t->o.min_taint) { t->st.dropped_small += amount; return KPW_OK; }
  if (t->o.max_hops && hop > t->o.max_hops) { t->st.hop_limited += amount; return KPW_OK; }
  const uint32_t *oa = kpw_cidx_out_addrs(t->ix);
  const tagref *tr = tag_of(t, oa[o]);
  const kpw_tag *stop = cashout_tag(t, tr);
  entry *e = map_put(t, o);
  if (!e) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory (tainted outputs)");
  /* A seed is fully tainted already (an address seed's later outputs, e.g.
  ** change back to the thief's address): taint arriving there is part of it. */
  if (e->flags & F_SEED) { t->st.seed_amount -= amount < e->taint ? amount : e->taint; return KPW_OK; }
  e->taint += amount;
  e->hop = e->hop && e->hop < hop ? e->hop : hop;
  if (e->parent == KPW_CIDX_NONE) { e->parent = parent; e->via = via; }
  t->st.outputs_tainted++;
  if (stop) {
    e->flags |= F_STOP;
    return add_hit(t, o, tx, amount, hop, tr, stop, err);
  }
  if (tr) {
    kpw_result r = add_met(t, tr, o, amount, hop, err);
    if (r) return r;
  }
  live_set(t, o);
  return KPW_OK;
}

static kpw_result flush_fees(kpw_trace *t, uint32_t block, int64_t fee, uint32_t hop, uint32_t parent,
                             uint32_t via, kpw_error *err) {
  if (fee <= 0) return KPW_OK;
  kpw_cidx_block b;
  kpw_cidx_get_block(t->ix, block, &b);
  const uint32_t *fo = kpw_cidx_tx_first_out(t->ix);
  uint32_t cb = b.first_tx, m = fo[cb + 1] - fo[cb];
  if (!work(t, m + 1)) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory");
  for (uint32_t j = 0; j < m; j++) { t->out_val[j] = (int64_t)kpw_cidx_out_value(t->ix, fo[cb] + j); t->cb_t[j] = 0; }
  int64_t unplaced = 0;
  if (t->o.method == KPW_TAINT_POISON) {
    for (uint32_t j = 0; j < m; j++) t->cb_t[j] = t->out_val[j];
  } else {
    kpw_result r = kpw_taint_spread(t->scratch, fee, t->out_val, m, t->cb_t, &unplaced);
    if (r) return kpw_error_set(err, r, NULL, 0, 0, "fee spread: %s", kpw_taint_scratch_error(t->scratch));
  }
  t->st.to_miners += fee - unplaced;
  t->st.to_fees += unplaced;     /* a coinbase that claimed less than the fees */
  for (uint32_t j = 0; j < m; j++) {
    kpw_result r = taint_output(t, fo[cb] + j, cb, via, t->cb_t[j], hop, parent, err);
    if (r) return r;
  }
  return KPW_OK;
}

static kpw_result forward(kpw_trace *t, uint32_t start_tx, uint32_t end_tx, kpw_error *err) {
  const kpw_cidx *ix = t->ix;
  const uint32_t *fi = kpw_cidx_tx_first_in(ix), *fo = kpw_cidx_tx_first_out(ix);
  const uint32_t *prev = kpw_cidx_in_prevouts(ix);
  uint32_t block = kpw_cidx_tx_block(ix, start_tx);
  kpw_cidx_block b;
  kpw_cidx_get_block(ix, block, &b);
  uint64_t block_end = (uint64_t)b.first_tx + b.n_txs;
  int64_t fee_acc = 0;
  uint32_t fee_hop = 0, fee_parent = KPW_CIDX_NONE, fee_via = KPW_CIDX_NONE;
  int64_t fee_best = -1;
  kpw_result r;
  t->st.first_height = b.height;
  for (uint64_t tx = start_tx; tx <= end_tx; tx++) {
    while (tx >= block_end) {
      if ((r = flush_fees(t, block, fee_acc, fee_hop, fee_parent, fee_via, err))) return r;
      fee_acc = 0; fee_best = -1; fee_parent = fee_via = KPW_CIDX_NONE;
      block++;
      kpw_cidx_get_block(ix, block, &b);
      block_end = (uint64_t)b.first_tx + b.n_txs;
      t->st.last_height = b.height;
      if (t->o.progress && (block & 1023) == 0) t->o.progress(t->o.progress_ctx, tx - start_tx, end_tx - start_tx + 1);
    }
    t->st.txs_visited++;
    uint32_t i0 = fi[tx], i1 = fi[tx + 1];
    bool any = false;
    for (uint32_t i = i0; i < i1; i++)
      if (prev[i] != KPW_CIDX_NONE && live_get(t, prev[i])) { any = true; break; }
    if (!any) continue;
    t->st.txs_tainted++;
    uint32_t n = i1 - i0, m = fo[tx + 1] - fo[tx];
    if (!work(t, (n > m ? n : m) + 1)) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory");
    int64_t V = 0, W = 0;
    uint32_t hop = UINT32_MAX, parent = KPW_CIDX_NONE, unknown = UINT32_MAX;
    int64_t parent_taint = -1;
    for (uint32_t j = 0; j < m; j++) { t->out_val[j] = (int64_t)kpw_cidx_out_value(ix, fo[tx] + j); W += t->out_val[j]; }
    for (uint32_t i = 0; i < n; i++) {
      uint32_t p = prev[i0 + i];
      t->in_t[i] = 0;
      if (p == KPW_CIDX_NONE) { t->in_val[i] = 0; if (unknown == UINT32_MAX) unknown = i; continue; }
      t->in_val[i] = (int64_t)kpw_cidx_out_value(ix, p);
      V += t->in_val[i];
      if (!live_get(t, p)) continue;
      entry *e = map_get(t, p);
      t->in_t[i] = e->taint;
      e->flags |= F_SPENT;
      live_clr(t, p);
      if (e->hop < hop || (e->hop == hop && e->taint > parent_taint)) {
        hop = e->hop;
        parent = p;
        parent_taint = e->taint;
      }
    }
    /* Inputs outside the index: their value is unknown; credit them with
    ** what the outputs need beyond the known inputs (a zero fee). */
    if (unknown != UINT32_MAX && W > V) { t->in_val[unknown] = W - V; V = W; }
    if (W > V) {
      char hex[65];
      kpw_hash_hex(kpw_cidx_txids(ix) + tx * 32, hex);
      return kpw_error_set(err, KPW_EINPUT, NULL, 0, 0, "tx %s spends %lld sat but creates %lld: damaged index", hex,
                           (long long)V, (long long)W);
    }
    int64_t fee_t = 0;
    r = kpw_taint_forward(t->scratch, t->o.method, t->o.fee, t->in_val, t->in_t, n, t->out_val, m, t->out_t, &fee_t);
    if (r) return kpw_error_set(err, r, NULL, 0, 0, "taint kernel: %s", kpw_taint_scratch_error(t->scratch));
    hop++;
    for (uint32_t j = 0; j < m; j++)
      if ((r = taint_output(t, fo[tx] + j, (uint32_t)tx, (uint32_t)tx, t->out_t[j], hop, parent, err))) return r;
    if (fee_t > 0) {
      if (t->o.fee == KPW_FEE_TO_MINER) {
        fee_acc += fee_t;
        if (fee_best < 0 || hop < fee_hop || (hop == fee_hop && fee_t > fee_best)) {
          fee_hop = hop; fee_best = fee_t; fee_parent = parent; fee_via = (uint32_t)tx;
        }
      } else {
        t->st.to_fees += fee_t;
      }
    }
  }
  return flush_fees(t, block, fee_acc, fee_hop, fee_parent, fee_via, err);
}

/* Mark input satoshis (backward). */
static kpw_result mark_source(kpw_trace *t, uint32_t p, uint32_t consumer, int64_t amount, uint32_t hop,
                              uint32_t parent, kpw_error *err) {
  if (amount <= 0) return KPW_OK;
  if (amount < t->o.min_taint) { t->st.dropped_small += amount; return KPW_OK; }
  if (p == KPW_CIDX_NONE) return add_hit(t, KPW_CIDX_NONE, consumer, amount, hop, NULL, NULL, err);
  if (t->o.max_hops && hop > t->o.max_hops) { t->st.hop_limited += amount; return KPW_OK; }
  const tagref *tr = tag_of(t, kpw_cidx_out_addrs(t->ix)[p]);
  entry *e = map_put(t, p);
  if (!e) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory (marked outputs)");
  e->taint += amount;
  e->hop = hop;
  e->parent = parent;
  e->via = consumer;
  t->st.outputs_tainted++;
  if (tr) {      /* any tagged address is a source: stop there */
    e->flags |= F_STOP;
    return add_hit(t, p, kpw_cidx_out_tx(t->ix, p), amount, hop, tr, &tr->tags[0], err);
  }
  live_set(t, p);
  return KPW_OK;
}

static kpw_result backward(kpw_trace *t, uint32_t start_tx, uint32_t end_tx, kpw_error *err) {
  const kpw_cidx *ix = t->ix;
  const uint32_t *fi = kpw_cidx_tx_first_in(ix), *fo = kpw_cidx_tx_first_out(ix);
  const uint32_t *prev = kpw_cidx_in_prevouts(ix);
  kpw_result r;
  uint32_t block = kpw_cidx_tx_block(ix, start_tx);
  kpw_cidx_block b;
  kpw_cidx_get_block(ix, block, &b);
  t->st.first_height = t->st.last_height = b.height;
  for (int64_t tx = start_tx; tx >= (int64_t)end_tx; tx--) {
    t->st.txs_visited++;
    if ((uint32_t)tx < b.first_tx) {
      block = kpw_cidx_tx_block(ix, (uint32_t)tx);
      kpw_cidx_get_block(ix, block, &b);
      t->st.last_height = b.height;
      if (t->o.progress && (block & 1023) == 0) t->o.progress(t->o.progress_ctx, start_tx - tx, start_tx - end_tx + 1);
    }
    uint32_t o0 = fo[tx], o1 = fo[tx + 1];
    bool any = false;
    for (uint32_t o = o0; o < o1; o++) if (live_get(t, o)) { any = true; break; }
    if (!any) continue;
    t->st.txs_tainted++;
    uint32_t n = fi[tx + 1] - fi[tx], m = o1 - o0;
    if (!work(t, (n > m ? n : m) + 1)) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory");
    uint32_t hop = UINT32_MAX, parent = KPW_CIDX_NONE;
    int64_t W = 0, V = 0;
    for (uint32_t j = 0; j < m; j++) {
      t->out_val[j] = (int64_t)kpw_cidx_out_value(ix, o0 + j);
      W += t->out_val[j];
      t->out_t[j] = 0;
      if (!live_get(t, o0 + j)) continue;
      entry *e = map_get(t, o0 + j);
      t->out_t[j] = e->taint;
      e->flags |= F_SPENT;
      live_clr(t, o0 + j);
      if (e->hop < hop) { hop = e->hop; parent = o0 + j; }
    }
    if (!n) {                       /* coinbase: newly mined coins */
      for (uint32_t j = 0; j < m; j++)
        if (t->out_t[j] > 0 && (r = add_hit(t, o0 + j, (uint32_t)tx, t->out_t[j], hop, NULL, NULL, err))) return r;
      continue;
    }
    uint32_t unknown = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t p = prev[fi[tx] + i];
      if (p == KPW_CIDX_NONE) { t->in_val[i] = 0; if (unknown == UINT32_MAX) unknown = i; continue; }
      t->in_val[i] = (int64_t)kpw_cidx_out_value(ix, p);
      V += t->in_val[i];
    }
    if (unknown != UINT32_MAX && W > V) { t->in_val[unknown] = W - V; V = W; }
    r = kpw_taint_backward(t->scratch, t->o.method, t->o.fee, t->in_val, n, t->out_val, t->out_t, m, t->in_t);
    if (r) return kpw_error_set(err, r, NULL, 0, 0, "taint kernel: %s", kpw_taint_scratch_error(t->scratch));
    for (uint32_t i = 0; i < n; i++)
      if ((r = mark_source(t, prev[fi[tx] + i], (uint32_t)tx, t->in_t[i], hop + 1, parent, err))) return r;
  }
  return KPW_OK;
}

kpw_result kpw_trace_run(const kpw_cidx *ix, const kpw_tagset *tags, const uint32_t *seeds, size_t n_seeds,
                         const kpw_trace_opts *opts, kpw_trace **out, kpw_error *err) {
  *out = NULL;
  kpw_cidx_counts c;
  kpw_cidx_get_counts(ix, &c);
  if (!n_seeds) return kpw_error_set(err, KPW_EUSAGE, NULL, 0, 0, "no seeds to trace from");
  kpw_trace *t = calloc(1, sizeof *t);
  if (!t) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory");
  t->ix = ix;
  t->o = *opts;
  t->live = calloc((size_t)c.outs / 8 + 1, 1);
  t->scratch = kpw_taint_scratch_new();
  kpw_result r = KPW_OK;
  if (!t->live || !t->scratch) r = kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory");
  if (!r) r = load_tags(t, tags, err);
  uint32_t lo = UINT32_MAX, hi = 0;
  for (size_t i = 0; !r && i < n_seeds; i++) {
    uint32_t o = seeds[i];
    if (o >= c.outs) { r = kpw_error_set(err, KPW_EUSAGE, NULL, 0, 0, "seed output %u is outside the index", o); break; }
    entry *e = map_put(t, o);
    if (!e) { r = kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory"); break; }
    if (e->flags & F_SEED) continue;          /* the same seed twice */
    e->taint = (int64_t)kpw_cidx_out_value(ix, o);
    e->hop = 0;
    e->flags = F_SEED;
    e->via = kpw_cidx_out_tx(ix, o);
    live_set(t, o);
    t->st.seed_amount += e->taint;
    if (e->via < lo) lo = e->via;
    if (e->via > hi) hi = e->via;
  }
  if (!r && !opts->backward) {
    uint32_t end = c.txs - 1;
    if (opts->until_height >= 0) {
      /* last tx of the last block at or below until_height */
      uint32_t b = 0;
      for (uint32_t lo_b = 0, hi_b = c.blocks; lo_b < hi_b;) {
        uint32_t mid = lo_b + (hi_b - lo_b) / 2;
        kpw_cidx_block mb;
        kpw_cidx_get_block(ix, mid, &mb);
        if (mb.height <= opts->until_height) { b = mid; lo_b = mid + 1; } else hi_b = mid;
      }
      kpw_cidx_block eb;
      kpw_cidx_get_block(ix, b, &eb);
      end = eb.first_tx + eb.n_txs - 1;
    }
    if (lo + 1 <= end) r = forward(t, lo + 1, end, err);
  } else if (!r) {
    uint32_t end = 0;
    if (opts->since_height >= 0) {
      for (uint32_t b = 0; b < c.blocks; b++) {
        kpw_cidx_block eb;
        kpw_cidx_get_block(ix, b, &eb);
        if (eb.height >= opts->since_height) { end = eb.first_tx; break; }
      }
    }
    r = backward(t, hi, end, err);
  }
  if (r) { kpw_trace_free(t); return r; }
  /* what is still in flight */
  for (uint64_t i = 0; i < t->cap; i++)
    if (t->keys[i] && live_get(t, t->keys[i] - 1)) t->st.unspent += t->vals[i].taint;
  *out = t;
  return KPW_OK;
}

void kpw_trace_free(kpw_trace *t) {
  if (!t) return;
  free(t->keys);
  free(t->vals);
  free(t->live);
  free(t->tagmap);
  free(t->hits);
  free(t->met);
  kpw_taint_scratch_free(t->scratch);
  free(t->in_val); free(t->in_t); free(t->out_val); free(t->out_t); free(t->cb_t);
  free(t);
}

const kpw_trace_stats *kpw_trace_get_stats(const kpw_trace *t) { return &t->st; }

size_t kpw_trace_hits(const kpw_trace *t, const kpw_trace_hit **hits) {
  *hits = t->hits;
  return t->n_hits;
}

int64_t kpw_trace_taint_of(const kpw_trace *t, uint32_t o, uint32_t *hop) {
  const entry *e = map_get(t, o);
  if (hop) *hop = e ? e->hop : 0;
  return e ? e->taint : 0;
}

size_t kpw_trace_path(const kpw_trace *t, const kpw_trace_hit *hit, uint32_t *outs, size_t cap) {
  size_t n = 0;
  if (hit->out == KPW_CIDX_NONE) return 0;     /* backward, spent outside the index */
  /* Follow parents: forward they lead back to a seed (collected in
  ** reverse, then flipped); backward from the source to the deposit. */
  uint32_t o = hit->out;
  for (size_t guard = 0; guard < (1u << 24) && n < cap; guard++) {
    const entry *e = map_get(t, o);
    if (!e) break;
    if (!t->o.backward && (e->flags & F_SEED)) break;
    outs[n++] = o;
    if ((e->flags & F_SEED) || e->parent == KPW_CIDX_NONE) break;
    o = e->parent;
  }
  if (!t->o.backward)
    for (size_t i = 0; i < n / 2; i++) { uint32_t x = outs[i]; outs[i] = outs[n - 1 - i]; outs[n - 1 - i] = x; }
  return n;
}

uint32_t kpw_trace_via(const kpw_trace *t, uint32_t o) {
  const entry *e = map_get(t, o);
  return e ? e->via : KPW_CIDX_NONE;
}
