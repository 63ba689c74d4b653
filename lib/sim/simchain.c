/*
** simchain.c -- `kpwatch sim chain`: a generator of valid Bitcoin blk*.dat
** files with laundering scenarios and their ground truth (see sim.h).
**
** Layout of the generator:
**   - rng: xoshiro256** seeded by splitmix64 from --seed; address payloads
**     are SHA-256 of (seed, kind, counter) so they are stable and unique;
**   - tx builder: serializes a tx (stripped form for the txid, full segwit
**     form when an input carries a witness), appends it to the block body;
**   - tracer: the ground truth. Every tx, in chain order, is looked up in a
**     map of tainted outpoints; when an input is tainted for a scenario the
**     kernel of docs/taint-methods.md is run for the 10 method/fee
**     combinations (own code, written from the spec, not lib/chain/taint.c);
**     taint reaching an exchange-tagged output is counted and not stored;
**     to-miner fee taint goes to the block's coinbase outputs;
**   - background traffic over a capped UTXO pool; scenario state machines
**     that emit their txs a few blocks apart; coinjoin builders;
**   - block assembly (coinbase with BIP-34 height and witness commitment,
**     merkle root, header) and streaming to blk files (optionally shuffled).
**
** Invariant that keeps the truth exact and cheap: coins tainted in any
** scenario never enter the background pool (scenario outputs are spent only
** by scenario code or left unspent, and a coinbase is spent only when its
** block paid no tainted fee), so the background never carries taint. The tracer does not
** rely on this -- it checks every input of every tx -- it only stays small.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kpw/sim.h"
#include "kpw/chain.h"
#include "kpw/util.h"

#define MAGIC_LE 0xd9b4bef9u
#define COIN 100000000LL
#define SUBSIDY (50 * COIN)
#define N_EX 5              /* exchanges "Exchange A".."E" */
#define EX_DEP 16           /* deposit addresses per exchange */
#define EX_HOT 2            /* hot-wallet addresses per exchange */
#define N_COMBO 10          /* 5 methods x 2 fee policies */
#define MAXIO 64            /* inputs/outputs of any tx we build */
#define SHUF_WIN 4          /* --shuffle window in blocks */
#define POOL_CAP (1u << 21) /* background UTXOs kept (2 Mi x 48 B) */
#define SC_TXS 96           /* txs per scenario, at most */
#define SC_DEPS 48          /* deposits per scenario, at most */
#define SC_PATH 32          /* path length kept per coin */

enum { T_P2PKH = 1, T_P2SH, T_P2WPKH, T_P2WSH, T_P2TR, T_OPRET };
enum { M_POISON, M_HAIRCUT, M_FIFO, M_LIFO, M_TIHO };
static const char *method_names[] = {"poison", "haircut", "fifo", "lifo", "tiho"};
static const char *policy_names[] = {"to-miner", "pro-rata"};
static const char *kind_names[KPW_SIM_KINDS] = {
  "peel_whirlpool", "consolidation", "multi_hop", "decoy", "wasabi1", "joinmarket"};

const char *kpw_sim_kind_name(unsigned kind) {
  return kind < KPW_SIM_KINDS ? kind_names[kind] : "?";
}

/* ---------------------------------------------------------------- rng */
typedef struct rng { uint64_t s[4]; } rng;
static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static void rng_init(rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = splitmix(&seed);
}
static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static inline uint64_t rnext(rng *r) {
  uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
  return res;
}
/* Uniform in [0, n), n > 0 (multiply-high; bias is negligible here). */
static inline uint64_t rbelow(rng *r, uint64_t n) {
  return (uint64_t)(((unsigned __int128)rnext(r) * n) >> 64);
}
static inline int64_t rrange(rng *r, int64_t lo, int64_t hi) { /* [lo, hi] */
  return hi <= lo ? lo : lo + (int64_t)rbelow(r, (uint64_t)(hi - lo + 1));
}
static inline double runit(rng *r) { return (double)(rnext(r) >> 11) * 0x1.0p-53; }
/* Log-uniform integer in [lo, hi]: payment sizes span many magnitudes. */
static int64_t rlog(rng *r, int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  double v = exp(log((double)lo) + runit(r) * (log((double)hi) - log((double)lo)));
  int64_t x = (int64_t)v;
  return x < lo ? lo : x > hi ? hi : x;
}

/* ---------------------------------------------------------------- types */
typedef struct addr { uint8_t type; uint8_t h[32]; int32_t tag; } addr;  /* tag -1: none */
typedef struct coin { uint8_t txid[32]; uint32_t vout; uint8_t type; int64_t value; } coin;
/* A scenario coin: a coin plus the scenario txs that led to it. */
typedef struct scoin { coin c; uint8_t plen; uint8_t path[SC_PATH]; } scoin;
typedef struct outspec { int64_t value; addr a; } outspec;

typedef struct tag { addr a; char label[40]; const char *actor, *category; int ex; } tag;

typedef struct deposit { uint8_t txid[32]; uint32_t vout; int ex; uint8_t plen; uint8_t path[SC_PATH]; } deposit;
typedef struct cjrec { uint8_t txid[32]; const char *kind; } cjrec;

typedef struct scen {
  unsigned kind;
  uint32_t start_height, next_height;
  int stage;
  bool done;
  scoin slot[12];
  uint8_t txids[SC_TXS][32]; unsigned n_tx;
  coin seeds[4]; unsigned n_seeds;
  deposit dep[SC_DEPS]; unsigned n_dep;
  cjrec cj[8]; unsigned n_cj;
  int64_t expect[N_COMBO][N_EX];
} scen;

/* Taint of one outpoint for one scenario, all 10 combinations. */
typedef struct trec { struct trec *next; uint32_t scen; int64_t t[N_COMBO]; } trec;
typedef struct tslot { uint8_t txid[32]; uint32_t vout; bool used; trec *head; } tslot;

typedef struct gen {
  kpw_sim_opts o;
  rng r;
  rng rs;                           /* --shuffle only: keeps the chain itself unchanged */
  uint64_t fresh_ctr;
  /* tags and the reused-address pool (index < n_tags_ex: exchange tags) */
  tag *tags; size_t n_tags, cap_tags;
  addr *reuse; uint32_t n_reuse;
  addr miner[4];
  addr whirl_coord, wasabi_coord;
  /* background UTXO pool and the rich clean reserve for large clean coins */
  coin *pool; size_t n_pool;
  coin *rich; size_t n_rich, cap_rich;
  coin *victim; size_t n_victim, cap_victim;
  /* block under construction */
  kpw_buf body, st, full;           /* tx bodies; stripped and full scratch */
  uint8_t (*ids)[32]; uint8_t (*wids)[32]; size_t n_ids, cap_ids;
  int64_t block_fees;
  int64_t *fee_taint;               /* [scen][combo], to-miner fee taint of this block */
  bool block_has_taint;
  bool cb_tainted;                  /* the last finished block's coinbase carries taint */
  coin cbq[100]; bool cbq_ok[100];  /* clean coinbases waiting for maturity */
  uint32_t height;
  uint8_t prev[32];
  /* tracer */
  tslot *tm; size_t tm_cap, tm_n;
  kpw_arena *arena;
  scen *sc; uint32_t n_sc;
  cjrec *cjs; size_t n_cjs, cap_cjs;
  /* output */
  FILE *f; uint32_t file_no; uint64_t file_bytes, total_bytes;
  kpw_buf win[SHUF_WIN]; unsigned n_win;
  uint64_t n_txs, n_blocks;
  char path[4096];
  kpw_error *err;
  kpw_result rc;
} gen;

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) { fprintf(stderr, "kpwatch: out of memory\n"); abort(); }
  return q;
}
#define GROW(arr, n, cap, min) do { if ((n) >= (cap)) { (cap) = (cap) ? (cap) * 2 : (min); \
  (arr) = xrealloc((arr), (cap) * sizeof *(arr)); } } while (0)

/* ---------------------------------------------------------------- addresses */
static void payload(gen *g, char kind, uint64_t ctr, uint8_t out[32]) {
  uint8_t in[17];
  memcpy(in, &g->o.seed, 8); in[8] = (uint8_t)kind; memcpy(in + 9, &ctr, 8);
  kpw_sha256(in, sizeof in, out);
}
static uint8_t pick_type(rng *r) {
  uint64_t x = rbelow(r, 100);
  return x < 30 ? T_P2PKH : x < 48 ? T_P2SH : x < 83 ? T_P2WPKH : x < 89 ? T_P2WSH : T_P2TR;
}
static addr fresh(gen *g, uint8_t type) {
  addr a = {.type = type ? type : pick_type(&g->r), .tag = -1};
  payload(g, 'F', g->fresh_ctr++, a.h);
  return a;
}
static size_t script_of(const addr *a, uint8_t *s) {
  switch (a->type) {
  case T_P2PKH: s[0] = 0x76; s[1] = 0xa9; s[2] = 20; memcpy(s + 3, a->h, 20); s[23] = 0x88; s[24] = 0xac; return 25;
  case T_P2SH: s[0] = 0xa9; s[1] = 20; memcpy(s + 2, a->h, 20); s[22] = 0x87; return 23;
  case T_P2WPKH: s[0] = 0; s[1] = 20; memcpy(s + 2, a->h, 20); return 22;
  case T_P2WSH: s[0] = 0; s[1] = 32; memcpy(s + 2, a->h, 32); return 34;
  case T_P2TR: s[0] = 0x51; s[1] = 32; memcpy(s + 2, a->h, 32); return 34;
  default: return 0;
  }
}
static int add_tag(gen *g, addr a, const char *label, const char *actor, const char *cat, int ex) {
  GROW(g->tags, g->n_tags, g->cap_tags, 256);
  tag *t = &g->tags[g->n_tags];
  memset(t, 0, sizeof *t);
  a.tag = (int32_t)g->n_tags;
  t->a = a;
  snprintf(t->label, sizeof t->label, "%s", label);
  t->actor = actor; t->category = cat; t->ex = ex;
  return (int)g->n_tags++;
}
static addr tagged(gen *g, int idx) { return g->tags[idx].a; }
/* Exchange ex's k-th deposit address (k < EX_DEP) or hot address (k >= EX_DEP). */
static addr ex_addr(gen *g, int ex, int k) { return tagged(g, ex * (EX_DEP + EX_HOT) + k); }
static addr thief(gen *g) {
  addr a = fresh(g, rbelow(&g->r, 2) ? T_P2WPKH : T_P2PKH);
  int i = add_tag(g, a, "Lazarus Group", "Lazarus Group", "perpetrator", -1);
  return tagged(g, i);
}
/* A reused address, Zipf-like: index ~ floor((N+1)^u) - 1. */
static addr reused(gen *g) {
  uint32_t i = (uint32_t)(exp(runit(&g->r) * log((double)g->n_reuse + 1.0))) - 1;
  if (i >= g->n_reuse) i = g->n_reuse - 1;
  return g->reuse[i];
}

/* ---------------------------------------------------------------- serialization */
static void put_u32(kpw_buf *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  kpw_buf_put(b, x, 4);
}
static void put_u64(kpw_buf *b, uint64_t v) {
  put_u32(b, (uint32_t)v); put_u32(b, (uint32_t)(v >> 32));
}
static void put_var(kpw_buf *b, uint64_t v) {
  uint8_t x[9];
  if (v < 0xfd) { x[0] = (uint8_t)v; kpw_buf_put(b, x, 1); }
  else if (v <= 0xffff) { x[0] = 0xfd; x[1] = (uint8_t)v; x[2] = (uint8_t)(v >> 8); kpw_buf_put(b, x, 3); }
  else { x[0] = 0xfe; kpw_buf_put(b, x, 1); put_u32(b, (uint32_t)v); }
}
static void put_rand(gen *g, kpw_buf *b, size_t n, uint8_t first) {
  uint8_t x[80];
  for (size_t i = 0; i < n; i += 8) { uint64_t v = rnext(&g->r); memcpy(x + i, &v, 8); }
  x[0] = first;
  kpw_buf_put(b, x, n);
}
static void put_push_rand(gen *g, kpw_buf *b, size_t n, uint8_t first) {
  put_var(b, n); put_rand(g, b, n, first);
}
static bool has_witness(uint8_t t) { return t == T_P2SH || t == T_P2WPKH || t == T_P2WSH || t == T_P2TR; }

/* Dummy scriptSig for spending a coin of type t (no signatures are checked). */
static void put_scriptsig(gen *g, kpw_buf *b, uint8_t t) {
  if (t == T_P2PKH) {
    put_var(b, 1 + 72 + 1 + 33);
    put_push_rand(g, b, 72, 0x30); put_push_rand(g, b, 33, 0x02);
  } else if (t == T_P2SH) {   /* P2SH-P2WPKH: push of the witness program */
    uint8_t s[24] = {23, 22, 0, 20};
    for (int i = 4; i < 24; i++) s[i] = (uint8_t)rnext(&g->r);
    kpw_buf_put(b, s, 24);
  } else {
    put_var(b, 0);
  }
}
static void put_witness(gen *g, kpw_buf *b, uint8_t t) {
  switch (t) {
  case T_P2SH: case T_P2WPKH:
    put_var(b, 2); put_push_rand(g, b, 72, 0x30); put_push_rand(g, b, 33, 0x03); break;
  case T_P2WSH: {   /* 1-of-1 bare multisig witness script */
    put_var(b, 3); put_var(b, 0); put_push_rand(g, b, 72, 0x30);
    uint8_t ws[38] = {37, 0x51, 33};
    for (int i = 3; i < 36; i++) ws[i] = (uint8_t)rnext(&g->r);
    ws[3] = 0x02; ws[36] = 0x51; ws[37] = 0xae;
    kpw_buf_put(b, ws, 38);
    break;
  }
  case T_P2TR: put_var(b, 1); put_push_rand(g, b, 64, 0x5a); break;
  default: put_var(b, 0);
  }
}

/* ---------------------------------------------------------------- taint map */
static inline size_t tm_hash(const uint8_t *txid, uint32_t vout) {
  uint64_t h; memcpy(&h, txid, 8);
  return (size_t)((h ^ (vout * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull >> 17);
}
static tslot *tm_find(gen *g, const uint8_t *txid, uint32_t vout, bool create) {
  if (create && (g->tm_n + 1) * 2 > g->tm_cap) {
    size_t oc = g->tm_cap; tslot *old = g->tm;
    g->tm_cap = oc ? oc * 2 : 1024;
    g->tm = calloc(g->tm_cap, sizeof *g->tm);
    if (!g->tm) abort();
    for (size_t i = 0; i < oc; i++) if (old[i].used) {
      size_t k = tm_hash(old[i].txid, old[i].vout) & (g->tm_cap - 1);
      while (g->tm[k].used) k = (k + 1) & (g->tm_cap - 1);
      g->tm[k] = old[i];
    }
    free(old);
  }
  if (!g->tm_cap) return NULL;
  size_t k = tm_hash(txid, vout) & (g->tm_cap - 1);
  for (;;) {
    tslot *s = &g->tm[k];
    if (!s->used) {
      if (!create) return NULL;
      s->used = true; memcpy(s->txid, txid, 32); s->vout = vout; s->head = NULL; g->tm_n++;
      return s;
    }
    if (s->vout == vout && !memcmp(s->txid, txid, 32)) return s;
    k = (k + 1) & (g->tm_cap - 1);
  }
}
static void tm_set(gen *g, const uint8_t *txid, uint32_t vout, uint32_t sc, int combo, int64_t v) {
  tslot *s = tm_find(g, txid, vout, true);
  trec *r = s->head;
  while (r && r->scen != sc) r = r->next;
  if (!r) {
    r = kpw_arena_calloc(g->arena, sizeof *r);
    r->scen = sc; r->next = s->head; s->head = r;
  }
  r->t[combo] = v;
}

/* ---------------------------------------------------------------- the kernel
** docs/taint-methods.md, "One transaction". v/t: inputs, w: outputs; fills
** u and *f. Integer satoshis, products in 128 bits, floor division. */
static int64_t muldiv(int64_t a, int64_t b, int64_t c) {
  return c ? (int64_t)((unsigned __int128)(uint64_t)a * (uint64_t)b / (uint64_t)c) : 0;
}
/* Indices 0..n-1 sorted by descending value, ties by lower index (stable). */
static void desc_order(const int64_t *x, unsigned n, unsigned *ord) {
  for (unsigned i = 0; i < n; i++) {
    unsigned j = i;
    while (j > 0 && x[ord[j - 1]] < x[i]) { ord[j] = ord[j - 1]; j--; }
    ord[j] = i;
  }
}
/* Spread taint T over values w[] by the haircut rule with total value V and
** an optional fee sink F (f may be NULL when F == 0). */
static void haircut(int64_t T, int64_t V, const int64_t *w, unsigned m, int64_t F,
                    int64_t *u, int64_t *f) {
  int64_t sum = 0, fee = muldiv(F, T, V);
  for (unsigned j = 0; j < m; j++) { u[j] = muldiv(w[j], T, V); sum += u[j]; }
  int64_t R = T - sum - fee;
  unsigned ord[MAXIO];
  desc_order(w, m, ord);
  for (unsigned k = 0; k < m && R > 0; k++)
    if (u[ord[k]] < w[ord[k]]) { u[ord[k]]++; R--; }
  fee += R;
  if (f) *f = fee;
}
static void kernel(int method, int policy, unsigned n, const int64_t *v0, const int64_t *t0,
                   unsigned m, const int64_t *w, int64_t *u, int64_t *f) {
  int64_t V = 0, W = 0, T = 0;
  for (unsigned i = 0; i < n; i++) { V += v0[i]; T += t0[i]; }
  for (unsigned j = 0; j < m; j++) W += w[j];
  int64_t F = V - W;
  *f = 0;
  for (unsigned j = 0; j < m; j++) u[j] = 0;
  if (T == 0) return;
  if (method == M_POISON) {
    for (unsigned j = 0; j < m; j++) u[j] = w[j];
    *f = F;
    return;
  }
  if (method == M_HAIRCUT) { haircut(T, V, w, m, F, u, f); return; }
  int64_t v[MAXIO], t[MAXIO];
  for (unsigned i = 0; i < n; i++) { v[i] = v0[i]; t[i] = t0[i]; }
  bool fee_sink = policy == 0;
  if (!fee_sink && F > 0) {
    int64_t phi[MAXIO], sum = 0;
    for (unsigned i = 0; i < n; i++) { phi[i] = muldiv(F, v[i], V); sum += phi[i]; }
    int64_t rem = F - sum;
    unsigned ord[MAXIO];
    desc_order(v, n, ord);
    for (int pass = 0; rem > 0 && pass < 4; pass++)
      for (unsigned k = 0; k < n && rem > 0; k++)
        if (phi[ord[k]] < v[ord[k]]) { phi[ord[k]]++; rem--; }
    for (unsigned i = 0; i < n; i++) {
      int64_t dirty = muldiv(phi[i], t[i], v[i]);
      t[i] -= dirty; v[i] -= phi[i]; *f += dirty;
    }
  }
  /* input order */
  unsigned in_ord[MAXIO], k = 0;
  if (method == M_FIFO) for (unsigned i = 0; i < n; i++) in_ord[k++] = i;
  else if (method == M_LIFO) for (unsigned i = n; i-- > 0;) in_ord[k++] = i;
  else {
    for (unsigned i = 0; i < n; i++) if (t[i] > 0) in_ord[k++] = i;
    for (unsigned i = 0; i < n; i++) if (t[i] == 0) in_ord[k++] = i;
  }
  /* output order */
  unsigned out_ord[MAXIO];
  if (method == M_TIHO) desc_order(w, m, out_ord);
  else for (unsigned j = 0; j < m; j++) out_ord[j] = j;
  /* runs: dirty first, then clean, per input in order */
  int64_t run[2 * MAXIO]; bool dirty[2 * MAXIO]; unsigned nr = 0;
  for (unsigned q = 0; q < n; q++) {
    unsigned i = in_ord[q];
    run[nr] = t[i]; dirty[nr++] = true;
    run[nr] = v[i] - t[i]; dirty[nr++] = false;
  }
  unsigned r = 0;
  for (unsigned s = 0; s < m + (fee_sink ? 1u : 0u); s++) {
    int64_t need = s < m ? w[out_ord[s]] : F, got = 0;
    while (need > 0 && r < nr) {
      int64_t take = run[r] < need ? run[r] : need;
      if (dirty[r]) got += take;
      run[r] -= take; need -= take;
      if (run[r] == 0) r++;
    }
    if (s < m) u[out_ord[s]] = got; else *f = got;
  }
}

/* Trace one non-coinbase tx: inputs (coins), outputs (values, tags). */
static void trace_tx(gen *g, const uint8_t txid[32], const coin *ins, unsigned n,
                     const outspec *outs, unsigned m) {
  if (!g->tm_n) return;
  const trec *hit[MAXIO]; bool any = false;
  for (unsigned i = 0; i < n; i++) {
    tslot *s = tm_find(g, ins[i].txid, ins[i].vout, false);
    hit[i] = s ? s->head : NULL;
    any |= hit[i] != NULL;
  }
  if (!any) return;
  int64_t v[MAXIO], w[MAXIO], t[MAXIO], u[MAXIO], f;
  for (unsigned i = 0; i < n; i++) v[i] = ins[i].value;
  for (unsigned j = 0; j < m; j++) w[j] = outs[j].value;
  /* every scenario present on some input, each traced on its own */
  for (unsigned i = 0; i < n; i++) {
    for (const trec *rec = hit[i]; rec; rec = rec->next) {
      uint32_t sc = rec->scen;
      bool seen = false;   /* handled at an earlier input already? */
      for (unsigned p = 0; p < i && !seen; p++)
        for (const trec *q = hit[p]; q; q = q->next) if (q->scen == sc) { seen = true; break; }
      if (seen) continue;
      for (int c = 0; c < N_COMBO; c++) {
        for (unsigned k = 0; k < n; k++) {
          t[k] = 0;
          for (const trec *q = hit[k]; q; q = q->next) if (q->scen == sc) { t[k] = q->t[c]; break; }
        }
        kernel(c / 2, c % 2, n, v, t, m, w, u, &f);
        for (unsigned j = 0; j < m; j++) {
          if (!u[j]) continue;
          int tg = outs[j].a.tag;
          int ex = tg >= 0 ? g->tags[tg].ex : -1;
          if (ex >= 0) g->sc[sc].expect[c][ex] += u[j];
          else tm_set(g, txid, j, sc, c, u[j]);
        }
        if (c % 2 == 0 && f > 0) { g->fee_taint[sc * N_COMBO + c] += f; g->block_has_taint = true; }
      }
    }
  }
}

/* ---------------------------------------------------------------- tx builder */
static void push_id(gen *g, const uint8_t id[32], const uint8_t wid[32]) {
  if (g->n_ids >= g->cap_ids) {
    g->cap_ids = g->cap_ids ? g->cap_ids * 2 : 1024;
    g->ids = xrealloc(g->ids, g->cap_ids * 32);
    g->wids = xrealloc(g->wids, g->cap_ids * 32);
  }
  memcpy(g->ids[g->n_ids], id, 32); memcpy(g->wids[g->n_ids], wid, 32); g->n_ids++;
}
/* Serialize and append a tx; trace it; write its txid. Caller guarantees
** sum(ins) >= sum(outs), n, m in 1..MAXIO. */
static void emit_tx(gen *g, const coin *ins, unsigned n, const outspec *outs, unsigned m,
                    uint8_t txid[32]) {
  kpw_buf *st = &g->st;
  kpw_buf_reset(st);
  bool sw = false;
  put_u32(st, 2);
  size_t io_start = st->len;
  put_var(st, n);
  int64_t V = 0, W = 0;
  for (unsigned i = 0; i < n; i++) {
    kpw_buf_put(st, ins[i].txid, 32); put_u32(st, ins[i].vout);
    put_scriptsig(g, st, ins[i].type);
    put_u32(st, 0xfffffffdu);
    sw |= has_witness(ins[i].type);
    V += ins[i].value;
  }
  put_var(st, m);
  for (unsigned j = 0; j < m; j++) {
    uint8_t s[40]; size_t sl = script_of(&outs[j].a, s);
    put_u64(st, (uint64_t)outs[j].value); put_var(st, sl); kpw_buf_put(st, s, sl);
    W += outs[j].value;
  }
  size_t io_end = st->len;
  put_u32(st, 0);
  kpw_sha256d(st->data, st->len, txid);
  if (!sw) {
    kpw_buf_put(&g->body, st->data, st->len);
    push_id(g, txid, txid);
  } else {
    kpw_buf *fb = &g->full;
    kpw_buf_reset(fb);
    kpw_buf_put(fb, st->data, 4);
    kpw_buf_put(fb, "\x00\x01", 2);
    kpw_buf_put(fb, st->data + io_start, io_end - io_start);
    for (unsigned i = 0; i < n; i++) put_witness(g, fb, ins[i].type);
    put_u32(fb, 0);
    uint8_t wid[32];
    kpw_sha256d(fb->data, fb->len, wid);
    kpw_buf_put(&g->body, fb->data, fb->len);
    push_id(g, txid, wid);
  }
  g->block_fees += V - W;
  g->n_txs++;
  trace_tx(g, txid, ins, n, outs, m);
}
static coin coin_of(const uint8_t txid[32], uint32_t vout, const outspec *o) {
  coin c; memcpy(c.txid, txid, 32); c.vout = vout; c.type = o->a.type; c.value = o->value;
  return c;
}
static int64_t fee_for(gen *g, unsigned n, unsigned m) {
  return rrange(&g->r, 2, 30) * (11 + 68 * (int64_t)n + 33 * (int64_t)m);
}

/* ---------------------------------------------------------------- pools */
static void pool_add(gen *g, coin c) {
  if (c.value < 1000) return;            /* dust stays unspent */
  if (g->n_pool < POOL_CAP) g->pool[g->n_pool++] = c;
  else g->pool[rbelow(&g->r, POOL_CAP)] = c;   /* the evicted coin stays unspent */
}
static coin pool_take(gen *g, size_t i) {
  coin c = g->pool[i];
  g->pool[i] = g->pool[--g->n_pool];
  return c;
}
static void rich_add(gen *g, coin c) { GROW(g->rich, g->n_rich, g->cap_rich, 64); g->rich[g->n_rich++] = c; }
/* A clean coin worth at least min: a random pool coin if one of a few
** probes is big enough, else split off the rich reserve (a clean tx). */
static coin get_clean(gen *g, int64_t min, int64_t max) {
  for (int p = 0; p < 48 && g->n_pool; p++) {
    size_t i = rbelow(&g->r, g->n_pool);
    if (g->pool[i].value >= min && g->pool[i].value <= max) return pool_take(g, i);
  }
  /* largest reserve coins first, as many as needed */
  int64_t want = rrange(&g->r, min, min + (max - min) / 4);
  coin src[MAXIO]; unsigned n = 0; int64_t V = 0;
  while (n < 16 && g->n_rich && V < want + 1000000) {
    size_t best = 0;
    for (size_t i = 1; i < g->n_rich; i++) if (g->rich[i].value > g->rich[best].value) best = i;
    src[n] = g->rich[best]; V += src[n++].value;
    g->rich[best] = g->rich[--g->n_rich];
  }
  /* then pool coins (the reserve is refilled by every clean coinbase, so
  ** this is a safety net) */
  while (n < MAXIO && g->n_pool && V < want + 1000000) { src[n] = pool_take(g, rbelow(&g->r, g->n_pool)); V += src[n++].value; }
  if (V < want + 1000000) want = V / 2;   /* nothing left: a smaller coin, still valid */
  outspec o[2] = {{want, fresh(g, 0)}, {0, fresh(g, T_P2WPKH)}};
  o[1].value = V - want - fee_for(g, n, 2);
  uint8_t id[32];
  emit_tx(g, src, n, o, 2, id);
  rich_add(g, coin_of(id, 1, &o[1]));
  return coin_of(id, 0, &o[0]);
}

/* ---------------------------------------------------------------- background */
static void background_tx(gen *g) {
  uint64_t x = rbelow(&g->r, 100);
  unsigned n = x < 70 ? 1 : x < 88 ? 2 : x < 98 ? (unsigned)rrange(&g->r, 3, 5) : (unsigned)rrange(&g->r, 6, 20);
  x = rbelow(&g->r, 100);
  unsigned m = x < 70 ? 2 : x < 85 ? 1 : (unsigned)rrange(&g->r, 3, 20);
  if (n > g->n_pool) n = (unsigned)g->n_pool;
  if (n == 0) return;
  coin in[MAXIO]; int64_t V = 0;
  for (unsigned i = 0; i < n; i++) { in[i] = pool_take(g, rbelow(&g->r, g->n_pool)); V += in[i].value; }
  /* a wallet holding only dust consolidates: add coins until it can pay */
  while (V < 20000 && n < 20 && g->n_pool) { in[n] = pool_take(g, rbelow(&g->r, g->n_pool)); V += in[n++].value; }
  int64_t fee = rrange(&g->r, 1, 20) * (11 + 68 * (int64_t)n + 33 * (int64_t)m);
  if (V - fee < 546 * (int64_t)m + 5000) { m = 1; if (fee > V / 2) fee = V / 2; }
  int64_t avail = V - fee;
  /* no output under 10,000 sat unless the coins cannot do better: fewer
  ** outputs rather than dust (dust would only be consolidated again) */
  if (m > 1 && avail < 20000 * (int64_t)m) m = avail / 20000 > 1 ? (unsigned)(avail / 20000) : 1;
  outspec o[MAXIO];
  for (unsigned j = 0; j < m; j++) {
    int64_t val;
    if (j + 1 == m) val = avail;
    else {
      /* a payment is a share of what the inputs hold (2% to 95%, log-
      ** uniform), batch payouts a share of an even split: values do not
      ** shrink to dust as coins are split over and over */
      int64_t each = avail / (int64_t)(m - j);
      val = m > 2 ? (int64_t)((double)each * (0.5 + 0.5 * runit(&g->r)))
                  : (int64_t)((double)avail * exp(log(0.02) + runit(&g->r) * (log(0.95) - log(0.02))));
      if (val < 10000) val = 10000;
      if (rbelow(&g->r, 100) < 40) {   /* round amounts: two significant digits */
        int64_t p = 1; while (val / p >= 100) p *= 10;
        if (val / p * p > 0) val = val / p * p;
      }
      if (val > avail - 10000 * (int64_t)(m - j - 1)) val = avail - 10000 * (int64_t)(m - j - 1);
      if (val < 1) val = 1;
    }
    o[j].value = val;
    avail -= val;
    o[j].a = rbelow(&g->r, 100) < 60 ? reused(g) : fresh(g, 0);
  }
  uint8_t id[32];
  emit_tx(g, in, n, o, m, id);
  for (unsigned j = 0; j < m; j++) pool_add(g, coin_of(id, j, &o[j]));
}

/* ---------------------------------------------------------------- coinjoins
** Each builder takes the tainted (scenario) participants' coins, finds
** clean participants, emits the tx and reports, per participant index, the
** vout of its mix output (and of its change, -1 when none). Clean outputs go
** back to the pool only for background coinjoins (tainted==0). */
static void shuffle_u(gen *g, unsigned *a, unsigned n) {
  for (unsigned i = n; i > 1; i--) { unsigned j = (unsigned)rbelow(&g->r, i); unsigned t = a[i - 1]; a[i - 1] = a[j]; a[j] = t; }
}
static void record_cj(gen *g, const uint8_t id[32], const char *kind, scen *s) {
  GROW(g->cjs, g->n_cjs, g->cap_cjs, 64);
  memcpy(g->cjs[g->n_cjs].txid, id, 32); g->cjs[g->n_cjs++].kind = kind;
  if (s && s->n_cj < 8) { memcpy(s->cj[s->n_cj].txid, id, 32); s->cj[s->n_cj++].kind = kind; }
}
/* Whirlpool: 5 in / 5 out, every output d, inputs in [d, d+110000]. Clean
** participants get a premix coin from a clean tx0 (pays the coordinator). */
static void whirlpool(gen *g, const coin *tainted, unsigned nt, int64_t d, scen *s,
                      uint8_t id[32], int *mix_vout, coin *oc) {
  coin in[5]; unsigned ord[5] = {0, 1, 2, 3, 4};
  for (unsigned i = 0; i < nt; i++) in[i] = tainted[i];
  for (unsigned i = nt; i < 5; i++) {
    coin c = get_clean(g, d + 2000000, d * 3);
    int64_t x = rrange(&g->r, 1000, 110000);
    outspec o[3] = {{d + x, fresh(g, T_P2WPKH)}, {d / 20, g->whirl_coord}, {0, fresh(g, T_P2WPKH)}};
    o[2].value = c.value - o[0].value - o[1].value - fee_for(g, 1, 3);
    uint8_t tid[32];
    emit_tx(g, &c, 1, o, 3, tid);
    in[i] = coin_of(tid, 0, &o[0]);
    pool_add(g, coin_of(tid, 2, &o[2]));  /* the tx0 change is clean either way */
  }
  shuffle_u(g, ord, 5);
  coin sin[5]; outspec o[5];
  for (unsigned k = 0; k < 5; k++) { sin[k] = in[ord[k]]; o[k].value = d; o[k].a = fresh(g, T_P2WPKH); }
  emit_tx(g, sin, 5, o, 5, id);
  /* participant p (in ord position k) owns output vout perm[p] */
  unsigned outp[5] = {0, 1, 2, 3, 4};
  shuffle_u(g, outp, 5);
  for (unsigned k = 0; k < 5; k++) mix_vout[ord[k]] = (int)outp[k];
  record_cj(g, id, "whirlpool", s);
  for (unsigned k = 0; k < 5; k++) oc[k] = coin_of(id, k, &o[k]);
  if (!s) for (unsigned k = 0; k < 5; k++) pool_add(g, oc[k]);
}
/* Wasabi 1: >= 10 inputs, equal ~0.1 BTC outputs, a coordinator fee output,
** change outputs. Participants: the tainted coins (one each) + clean. */
static void wasabi1(gen *g, const coin *tainted, unsigned nt, scen *s, uint8_t id[32],
                    int *mix_vout, int *chg_vout, coin *oc) {
  unsigned P = (unsigned)rrange(&g->r, 12, 16);
  int64_t d = 10000000 - rrange(&g->r, 0, 300000);
  int64_t cfee = d * 3 / 100000 * P;   /* 0.003% x anonymity set, per participant */
  coin in[MAXIO]; unsigned ni = 0;
  int64_t pv[24];
  for (unsigned p = 0; p < P; p++) {
    pv[p] = 0;
    unsigned k = p < nt ? 1 : (rbelow(&g->r, 4) ? 1 : 2);
    for (unsigned q = 0; q < k; q++) {
      coin c = p < nt ? tainted[p] : k == 1 ? get_clean(g, d + 200000, d * 3)
                                            : get_clean(g, d / 2 + 100000, d * 2);
      in[ni++] = c; pv[p] += c.value;
    }
  }
  unsigned ord[MAXIO];
  for (unsigned i = 0; i < ni; i++) ord[i] = i;
  shuffle_u(g, ord, ni);
  coin sin[MAXIO];
  for (unsigned i = 0; i < ni; i++) sin[i] = in[ord[i]];
  outspec o[MAXIO]; unsigned m = 0;
  for (unsigned p = 0; p < P; p++) { mix_vout[p] = (int)m; o[m].value = d; o[m++].a = fresh(g, T_P2WPKH); }
  o[m].value = cfee * P; o[m++].a = g->wasabi_coord;
  for (unsigned p = 0; p < P; p++) {
    int64_t ch = pv[p] - d - cfee - 15000;
    chg_vout[p] = -1;
    if (ch >= 5000) { chg_vout[p] = (int)m; o[m].value = ch; o[m++].a = fresh(g, T_P2WPKH); }
  }
  emit_tx(g, sin, ni, o, m, id);
  record_cj(g, id, "wasabi1", s);
  for (unsigned j = 0; j < m; j++) oc[j] = coin_of(id, j, &o[j]);
  if (!s) for (unsigned j = 0; j < m; j++) if (o[j].a.tag < 0) pool_add(g, coin_of(id, j, &o[j]));
}
/* JoinMarket: a taker (participant 0) and 3-5 makers; equal outputs of the
** taker's amount, a change per participant; the taker pays maker fees. */
static void joinmarket(gen *g, const coin *taker, scen *s, int64_t d, uint8_t id[32],
                       int *mix_vout, int *chg_vout, coin *oc) {
  unsigned M = (unsigned)rrange(&g->r, 3, 5), P = M + 1;
  coin in[8]; int64_t cj[8];
  in[0] = taker ? *taker : get_clean(g, d + 1000000, d * 2);
  int64_t fees = 0;
  for (unsigned p = 1; p < P; p++) {
    in[p] = get_clean(g, d + 200000, d * 3);
    cj[p] = rrange(&g->r, 250, 5000); fees += cj[p];
  }
  int64_t miner = fee_for(g, P, 2 * P);
  unsigned ord[8];
  for (unsigned i = 0; i < P; i++) ord[i] = i;
  shuffle_u(g, ord, P);
  coin sin[8];
  for (unsigned i = 0; i < P; i++) sin[i] = in[ord[i]];
  outspec o[16]; unsigned m = 0;
  unsigned eo[8];
  for (unsigned i = 0; i < P; i++) eo[i] = i;
  shuffle_u(g, eo, P);
  for (unsigned k = 0; k < P; k++) { mix_vout[eo[k]] = (int)m; o[m].value = d; o[m++].a = fresh(g, T_P2WPKH); }
  for (unsigned p = 0; p < P; p++) {
    int64_t ch = p == 0 ? in[0].value - d - fees - miner : in[p].value - d + cj[p];
    chg_vout[p] = -1;
    if (ch >= 1000) { chg_vout[p] = (int)m; o[m].value = ch; o[m++].a = fresh(g, T_P2WPKH); }
  }
  emit_tx(g, sin, P, o, m, id);
  record_cj(g, id, "joinmarket", s);
  for (unsigned j = 0; j < m; j++) oc[j] = coin_of(id, j, &o[j]);
  if (!s) for (unsigned j = 0; j < m; j++) pool_add(g, coin_of(id, j, &o[j]));
}
/* Wasabi 2 (background only): many inputs, outputs of a few standard
** denominations, change. */
static void wasabi2(gen *g, uint8_t id[32]) {
  static const int64_t den[] = {5000000, 10000000, 20000000, 50000000, 100000000};
  unsigned n = (unsigned)rrange(&g->r, 20, 40);
  coin in[MAXIO]; outspec o[MAXIO]; unsigned m = 0; int64_t left = 0;
  for (unsigned i = 0; i < n; i++) { in[i] = get_clean(g, 6000000, 300000000); left += in[i].value; }
  left -= fee_for(g, n, 40);
  while (m < 40 && left > 0) {
    int64_t dv = den[rbelow(&g->r, 5)];
    if (dv > left) { o[m].value = left; o[m++].a = fresh(g, T_P2TR); left = 0; break; }
    o[m].value = dv; o[m++].a = fresh(g, T_P2TR); left -= dv;
  }
  if (left > 0) o[m - 1].value += left;
  emit_tx(g, in, n, o, m, id);
  record_cj(g, id, "wasabi2", NULL);
  for (unsigned j = 0; j < m; j++) pool_add(g, coin_of(id, j, &o[j]));
}

/* ---------------------------------------------------------------- scenarios */
static unsigned scen_index(gen *g, scen *s) { return (unsigned)(s - g->sc); }
/* Emit a scenario tx: inputs are scenario coins (clean ones have plen 0).
** Deposits (outputs to exchange addresses) are recorded with their path;
** res[j] gets output j as a scenario coin. */
static void stx(gen *g, scen *s, const scoin *ins, unsigned n, const outspec *o, unsigned m, scoin *res) {
  coin c[MAXIO]; const scoin *longest = NULL;
  for (unsigned i = 0; i < n; i++) {
    c[i] = ins[i].c;
    if (ins[i].plen && (!longest || ins[i].plen > longest->plen)) longest = &ins[i];
  }
  uint8_t id[32];
  emit_tx(g, c, n, o, m, id);
  unsigned ti = s->n_tx < SC_TXS ? s->n_tx++ : SC_TXS - 1;
  memcpy(s->txids[ti], id, 32);
  scoin base = {.plen = 0};
  if (longest) base = *longest;
  if (base.plen < SC_PATH) base.path[base.plen++] = (uint8_t)ti;
  for (unsigned j = 0; j < m; j++) {
    scoin r = base; r.c = coin_of(id, j, &o[j]);
    if (res) res[j] = r;
    int tg = o[j].a.tag;
    if (tg >= 0 && g->tags[tg].ex >= 0 && s->n_dep < SC_DEPS) {
      deposit *dp = &s->dep[s->n_dep++];
      memcpy(dp->txid, id, 32); dp->vout = j; dp->ex = g->tags[tg].ex;
      dp->plen = base.plen; memcpy(dp->path, base.path, SC_PATH);
    }
  }
}
static scoin sclean(coin c) { scoin s = {.c = c, .plen = 0}; return s; }
static addr dep_addr(gen *g, int ex) { return ex_addr(g, ex, (int)rbelow(&g->r, EX_DEP)); }
/* 1-in/2-out hop: `part` to `to`, the change continues at a fresh address. */
static void hop(gen *g, scen *s, scoin *c, int64_t part, addr to, scoin *out_part) {
  outspec o[2] = {{part, to}, {0, fresh(g, 0)}};
  o[1].value = c->c.value - part - fee_for(g, 1, 2);
  scoin r[2];
  stx(g, s, c, 1, o, 2, r);
  if (out_part) *out_part = r[0];
  *c = r[1];
}
/* Split c into k outputs with distinct, unequal shares going to `to[]`. */
static void split(gen *g, scen *s, scoin *c, unsigned k, const addr *to, scoin *res) {
  outspec o[8]; int64_t avail = c->c.value - fee_for(g, 1, k), w[8], tw = 0;
  for (unsigned j = 0; j < k; j++) { w[j] = rrange(&g->r, 10, 60) + 7 * (int64_t)j; tw += w[j]; }
  int64_t left = avail;
  for (unsigned j = 0; j < k; j++) {
    o[j].a = to[j];
    o[j].value = j + 1 == k ? left : muldiv(avail, w[j], tw);
    left -= o[j].value;
  }
  stx(g, s, c, 1, o, k, res);
}

/* One stage of a scenario; returns false when the scenario is finished. */
static bool scen_step(gen *g, scen *s) {
  scoin *A = &s->slot[0], *B = &s->slot[1], *X = &s->slot[3], *Y = &s->slot[4], *Z = &s->slot[5];
  int st = s->stage++;
  unsigned si = scen_index(g, s);
  int e0 = (int)(si % N_EX), e1 = (e0 + 1) % N_EX, e2 = (e0 + 2) % N_EX, e3 = (e0 + 3) % N_EX;
  if (st == 0) {   /* theft: three victim coins -> three thief addresses */
    scoin in[3]; int64_t V = 0;
    for (unsigned i = 0; i < 3; i++) { in[i] = sclean(g->victim[--g->n_victim]); V += in[i].c.value; }
    V -= fee_for(g, 3, 3);
    outspec o[3] = {{V * 55 / 100 - rrange(&g->r, 0, 999999), thief(g)},
                    {V * 30 / 100 + rrange(&g->r, 0, 999999), thief(g)}, {0, thief(g)}};
    o[2].value = V - o[0].value - o[1].value;
    scoin r[3];
    stx(g, s, in, 3, o, 3, r);
    for (unsigned j = 0; j < 3; j++) { s->slot[j] = r[j]; s->seeds[s->n_seeds++] = r[j].c; }
    /* seeds start with taint = value, for every scenario-combination */
    for (unsigned j = 0; j < 3; j++)
      for (int c = 0; c < N_COMBO; c++) tm_set(g, r[j].c.txid, r[j].c.vout, si, c, r[j].c.value);
    return true;
  }
  switch (s->kind) {
  case 0:   /* peel chain -> whirlpool -> splits -> deposits */
    if (st <= 5) {   /* peel: odd hops to an exchange, even to a fresh address */
      int64_t part = A->c.value / 100 * rrange(&g->r, 1, 4) + rrange(&g->r, 0, 99999);
      hop(g, s, A, part, st % 2 ? dep_addr(g, (e0 + st) % N_EX) : fresh(g, 0), NULL);
      return true;
    }
    if (st == 6) {   /* tx0: two premix coins, coordinator fee, change */
      int64_t d = 50000000;
      outspec o[4] = {{d + rrange(&g->r, 20000, 110000), fresh(g, T_P2WPKH)},
                      {d + rrange(&g->r, 20000, 110000), fresh(g, T_P2WPKH)},
                      {1750000, g->whirl_coord}, {0, fresh(g, 0)}};
      o[3].value = A->c.value - o[0].value - o[1].value - o[2].value - fee_for(g, 1, 4);
      scoin r[4];
      stx(g, s, A, 1, o, 4, r);
      *X = r[0]; *Y = r[1]; *A = r[3];
      return true;
    }
    if (st == 7 || st == 8) {   /* one tainted premix per mix */
      scoin *p = st == 7 ? X : Y;
      uint8_t id[32]; int mv[5]; coin oc[5];
      whirlpool(g, &p->c, 1, 50000000, s, id, mv, oc);
      /* the mix is a scenario tx: record it and move the thief's coin on */
      unsigned ti = s->n_tx < SC_TXS ? s->n_tx++ : SC_TXS - 1;
      memcpy(s->txids[ti], id, 32);
      p->c = oc[mv[0]];
      if (p->plen < SC_PATH) p->path[p->plen++] = (uint8_t)ti;
      return true;
    }
    if (st == 9) {   /* postmix splits: part to an exchange, rest to a fresh address */
      addr to1[2] = {dep_addr(g, e1), fresh(g, T_P2WPKH)}, to2[2] = {dep_addr(g, e2), fresh(g, T_P2TR)};
      scoin r1[2], r2[2];
      split(g, s, X, 2, to1, r1); split(g, s, Y, 2, to2, r2);
      *X = r1[1]; *Y = r2[1];
      return true;
    }
    if (st == 10) {   /* the two remainders merged into one deposit */
      scoin in[2] = {*X, *Y};
      outspec o = {X->c.value + Y->c.value - fee_for(g, 2, 1), dep_addr(g, e0)};
      stx(g, s, in, 2, &o, 1, NULL);
      return true;
    }
    if (st == 11) {   /* the peel chain's change: three unequal deposits */
      addr to[3] = {dep_addr(g, e0), dep_addr(g, e1), dep_addr(g, e2)};
      split(g, s, A, 3, to, NULL);
      hop(g, s, B, B->c.value / 3, fresh(g, 0), NULL);
      return true;
    }
    if (st == 12) { hop(g, s, B, B->c.value / 2, dep_addr(g, e3), NULL); return false; }
    return false;
  case 1:   /* consolidation of tainted with clean coins, unequal outputs */
    if (st == 1) {
      scoin in[3] = {sclean(get_clean(g, A->c.value / 3, A->c.value)), *A,
                     sclean(get_clean(g, A->c.value / 5, A->c.value))};
      int64_t V = in[0].c.value + in[1].c.value + in[2].c.value - fee_for(g, 3, 3);
      outspec o[3] = {{V * 47 / 100, fresh(g, 0)}, {V * 9 / 100, fresh(g, 0)}, {0, fresh(g, 0)}};
      o[2].value = V - o[0].value - o[1].value;
      scoin r[3];
      stx(g, s, in, 3, o, 3, r);
      *X = r[0]; *Y = r[1]; *Z = r[2];
      return true;
    }
    if (st == 2) {
      hop(g, s, X, X->c.value / 4, dep_addr(g, e0), NULL);
      outspec o = {Y->c.value - fee_for(g, 1, 1), dep_addr(g, e1)};
      stx(g, s, Y, 1, &o, 1, NULL);
      return true;
    }
    if (st == 3) {   /* a second merge: Z with the thief's second coin */
      scoin in[2] = {*Z, *B};
      int64_t V = Z->c.value + B->c.value - fee_for(g, 2, 2);
      outspec o[2] = {{V * 2 / 3, dep_addr(g, e2)}, {0, fresh(g, 0)}};
      o[1].value = V - o[0].value;
      stx(g, s, in, 2, o, 2, NULL);
      return true;
    }
    if (st == 4) { hop(g, s, X, X->c.value / 2, dep_addr(g, e0), NULL); return false; }
    return false;
  case 2:   /* the same deposit address reached at several hops */
    if (st <= 6) {
      addr dep = ex_addr(g, e0, (int)(si % EX_DEP));
      if (st == 4) {   /* one hop also spends a clean coin (placed first) */
        scoin in[2] = {sclean(get_clean(g, A->c.value / 8, A->c.value / 2)), *A};
        int64_t V = in[0].c.value + in[1].c.value - fee_for(g, 2, 2);
        outspec o[2] = {{in[0].c.value / 2 + A->c.value / 10, dep}, {0, fresh(g, 0)}};
        o[1].value = V - o[0].value;
        scoin r[2];
        stx(g, s, in, 2, o, 2, r);
        *A = r[1];
        return true;
      }
      hop(g, s, A, A->c.value / 10 + rrange(&g->r, 0, 999999), dep, NULL);
      if (st == 2) hop(g, s, B, B->c.value / 2, fresh(g, 0), NULL);
      return true;
    }
    if (st == 7) {
      outspec o = {A->c.value - fee_for(g, 1, 1), dep_addr(g, e1)};
      stx(g, s, A, 1, &o, 1, NULL);
      outspec o2 = {B->c.value - fee_for(g, 1, 1), dep_addr(g, e2)};
      stx(g, s, B, 1, &o2, 1, NULL);
      return false;
    }
    return false;
  case 3:   /* a decoy branch that never reaches an exchange */
    if (st == 1) {
      addr to[2] = {fresh(g, 0), fresh(g, 0)};
      scoin r[2];
      split(g, s, A, 2, to, r);
      *X = r[0]; *Y = r[1];   /* X main, Y decoy */
      return true;
    }
    if (st <= 5) {
      hop(g, s, Y, Y->c.value / 3, fresh(g, 0), NULL);   /* decoy: fresh addresses only */
      if (st == 2) hop(g, s, X, X->c.value / 5, fresh(g, T_P2TR), NULL);
      if (st == 3) {   /* main branch merged with a clean coin, deposit larger than X */
        scoin in[2] = {*X, sclean(get_clean(g, X->c.value / 2, X->c.value * 2))};
        int64_t V = in[0].c.value + in[1].c.value - fee_for(g, 2, 2);
        outspec o[2] = {{X->c.value + in[1].c.value / 3, dep_addr(g, e1)}, {0, fresh(g, 0)}};
        o[1].value = V - o[0].value;
        scoin r[2];
        stx(g, s, in, 2, o, 2, r);
        *X = r[1];
      }
      if (st == 4) { addr to[2] = {dep_addr(g, e2), dep_addr(g, e0)}; split(g, s, X, 2, to, NULL); }
      if (st == 5) hop(g, s, B, B->c.value / 3, fresh(g, 0), NULL);
      return st < 5;
    }
    return false;
  case 4:   /* through a Wasabi 1 coinjoin */
    if (st == 1) {
      outspec o[3] = {{rrange(&g->r, 12000000, 18000000), fresh(g, T_P2WPKH)},
                      {rrange(&g->r, 25000000, 30000000), fresh(g, T_P2WPKH)}, {0, fresh(g, 0)}};
      o[2].value = A->c.value - o[0].value - o[1].value - fee_for(g, 1, 3);
      scoin r[3];
      stx(g, s, A, 1, o, 3, r);
      *X = r[0]; *Y = r[1]; *A = r[2];
      return true;
    }
    if (st == 2) {
      coin t[2] = {X->c, Y->c}, oc[MAXIO];
      uint8_t id[32]; int mv[24], cv[24];
      wasabi1(g, t, 2, s, id, mv, cv, oc);
      unsigned ti = s->n_tx < SC_TXS ? s->n_tx++ : SC_TXS - 1;
      memcpy(s->txids[ti], id, 32);
      scoin base = X->plen >= Y->plen ? *X : *Y;
      if (base.plen < SC_PATH) base.path[base.plen++] = (uint8_t)ti;
      /* X, Y: the thief's two mix outputs; Z: the second coin's change */
      *X = base; X->c = oc[mv[0]];
      *Y = base; Y->c = oc[mv[1]];
      *Z = base; Z->c.value = 0;
      if (cv[1] >= 0) Z->c = oc[cv[1]];
      return true;
    }
    if (st == 3) {
      outspec o = {X->c.value - fee_for(g, 1, 1), dep_addr(g, e0)};
      stx(g, s, X, 1, &o, 1, NULL);
      addr to[2] = {dep_addr(g, e1), fresh(g, 0)};
      split(g, s, Y, 2, to, NULL);
      if (Z->c.value > 100000) { outspec oz = {Z->c.value - fee_for(g, 1, 1), dep_addr(g, e2)}; stx(g, s, Z, 1, &oz, 1, NULL); }
      return true;
    }
    if (st == 4) { hop(g, s, A, A->c.value / 6, dep_addr(g, e3), NULL); return false; }
    return false;
  case 5:   /* through a JoinMarket coinjoin, as the taker */
    if (st == 1) {
      hop(g, s, A, A->c.value / 2, fresh(g, 0), X);   /* X: the taker's coin */
      return true;
    }
    if (st == 2) {
      int64_t d = X->c.value / 3 - rrange(&g->r, 0, 999999);
      coin oc[16];
      uint8_t id[32]; int mv[8], cv[8];
      joinmarket(g, &X->c, s, d, id, mv, cv, oc);
      unsigned ti = s->n_tx < SC_TXS ? s->n_tx++ : SC_TXS - 1;
      memcpy(s->txids[ti], id, 32);
      if (X->plen < SC_PATH) X->path[X->plen++] = (uint8_t)ti;
      *Y = *X;
      X->c = oc[mv[0]];
      Y->c.value = 0;
      if (cv[0] >= 0) Y->c = oc[cv[0]];
      return true;
    }
    if (st == 3) {
      outspec o = {X->c.value - fee_for(g, 1, 1), dep_addr(g, e1)};
      stx(g, s, X, 1, &o, 1, NULL);
      if (Y->c.value > 100000) hop(g, s, Y, Y->c.value / 3, dep_addr(g, e2), NULL);
      return true;
    }
    if (st == 4) {
      if (Y->c.value > 100000) { outspec o = {Y->c.value - fee_for(g, 1, 1), dep_addr(g, e0)}; stx(g, s, Y, 1, &o, 1, NULL); }
      hop(g, s, A, A->c.value / 7, dep_addr(g, e3), NULL);
      return false;
    }
    return false;
  }
  return false;
}

/* ---------------------------------------------------------------- blocks */
static void merkle(uint8_t (*h)[32], size_t n, uint8_t out[32]) {
  while (n > 1) {
    size_t m = 0;
    for (size_t i = 0; i < n; i += 2) {
      uint8_t pair[64];
      memcpy(pair, h[i], 32);
      memcpy(pair + 32, h[i + 1 < n ? i + 1 : i], 32);
      kpw_sha256d(pair, 64, h[m++]);
    }
    n = m;
  }
  memcpy(out, h[0], 32);
}

static kpw_result open_next_file(gen *g) {
  if (g->f && fclose(g->f) != 0)
    return kpw_error_set(g->err, KPW_EIO, g->path, 0, 0, "write failed: %s", strerror(errno));
  snprintf(g->path, sizeof g->path, "%s/blocks/blk%05u.dat", g->o.out_dir, g->file_no++);
  g->f = fopen(g->path, "wb");
  if (!g->f) return kpw_error_set(g->err, KPW_EIO, g->path, 0, 0, "cannot create: %s", strerror(errno));
  setvbuf(g->f, NULL, _IOFBF, 1 << 20);
  g->file_bytes = 0;
  return KPW_OK;
}
static kpw_result write_frame(gen *g, const kpw_buf *b) {
  if (!g->f || (g->file_bytes > 0 && g->file_bytes + 8 + b->len > g->o.file_size)) {
    kpw_result rc = open_next_file(g);
    if (rc) return rc;
  }
  uint8_t fr[8] = {0xf9, 0xbe, 0xb4, 0xd9, (uint8_t)b->len, (uint8_t)(b->len >> 8),
                   (uint8_t)(b->len >> 16), (uint8_t)(b->len >> 24)};
  if (fwrite(fr, 1, 8, g->f) != 8 || fwrite(b->data, 1, b->len, g->f) != b->len)
    return kpw_error_set(g->err, KPW_EIO, g->path, 0, g->file_bytes, "write failed: %s", strerror(errno));
  g->file_bytes += 8 + b->len; g->total_bytes += 8 + b->len;
  return KPW_OK;
}
/* --shuffle: a full window goes out reversed or with neighbours swapped. */
static kpw_result flush_window(gen *g) {
  unsigned ord[SHUF_WIN], n = g->n_win;
  bool rev = rbelow(&g->rs, 2);
  for (unsigned i = 0; i < n; i++) ord[i] = rev ? n - 1 - i : (i ^ 1u) < n ? (i ^ 1u) : i;
  for (unsigned i = 0; i < n; i++) {
    kpw_result rc = write_frame(g, &g->win[ord[i]]);
    if (rc) return rc;
  }
  g->n_win = 0;
  return KPW_OK;
}

static void begin_block(gen *g) {
  kpw_buf_reset(&g->body);
  g->n_ids = 0;
  uint8_t z[32] = {0};
  push_id(g, z, z);   /* slot 0: the coinbase, filled at the end */
  g->block_fees = 0;
}

/* Coinbase (BIP-34 height, witness commitment), merkle root, header. */
static kpw_result finish_block(gen *g, kpw_buf *blk, addr payee) {
  uint8_t (*scratch)[32] = xrealloc(NULL, g->n_ids * 32);
  memset(g->wids[0], 0, 32);
  memcpy(scratch, g->wids, g->n_ids * 32);
  uint8_t wroot[32], commit[64] = {0}, cmt[32];
  merkle(scratch, g->n_ids, wroot);
  memcpy(commit, wroot, 32);
  kpw_sha256d(commit, 64, cmt);

  kpw_buf *st = &g->st;
  kpw_buf_reset(st);
  put_u32(st, 2);
  size_t io = st->len;
  put_var(st, 1);
  uint8_t zero[32] = {0};
  kpw_buf_put(st, zero, 32); put_u32(st, 0xffffffffu);
  /* scriptSig: minimal little-endian height push (sign bit kept clear),
  ** an extra nonce and a tag */
  uint8_t hb[5]; unsigned hl = 0; uint32_t h = g->height;
  do { hb[hl++] = (uint8_t)h; h >>= 8; } while (h);
  if (hb[hl - 1] & 0x80) hb[hl++] = 0;
  uint8_t ss[40]; unsigned sl = 0;
  ss[sl++] = (uint8_t)hl; memcpy(ss + sl, hb, hl); sl += hl;
  ss[sl++] = 4; uint64_t nonce = rnext(&g->r); memcpy(ss + sl, &nonce, 4); sl += 4;
  ss[sl++] = 8; memcpy(ss + sl, "/kpwsim/", 8); sl += 8;
  put_var(st, sl); kpw_buf_put(st, ss, sl);
  put_u32(st, 0xffffffffu);
  outspec o[2] = {{SUBSIDY + g->block_fees, payee}, {0, {.type = T_OPRET, .tag = -1}}};
  put_var(st, 2);
  uint8_t s[40]; size_t sn = script_of(&o[0].a, s);
  put_u64(st, (uint64_t)o[0].value); put_var(st, sn); kpw_buf_put(st, s, sn);
  uint8_t op[38] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
  memcpy(op + 6, cmt, 32);
  put_u64(st, 0); put_var(st, 38); kpw_buf_put(st, op, 38);
  size_t io_end = st->len;
  put_u32(st, 0);
  uint8_t cbid[32];
  kpw_sha256d(st->data, st->len, cbid);
  memcpy(g->ids[0], cbid, 32);
  kpw_buf *fb = &g->full;
  kpw_buf_reset(fb);
  kpw_buf_put(fb, st->data, 4); kpw_buf_put(fb, "\x00\x01", 2);
  kpw_buf_put(fb, st->data + io, io_end - io);
  put_var(fb, 1); put_var(fb, 32); kpw_buf_put(fb, zero, 32);   /* witness reserved value */
  put_u32(fb, 0);

  /* to-miner fee taint of this block: onto the coinbase outputs */
  g->cb_tainted = g->block_has_taint;
  if (g->block_has_taint) {
    int64_t w[2] = {o[0].value, o[1].value}, u[2];
    for (uint32_t sc = 0; sc < g->n_sc; sc++)
      for (int c = 0; c < N_COMBO; c += 2) {
        int64_t f = g->fee_taint[sc * N_COMBO + c];
        if (!f) continue;
        if (c / 2 == M_POISON) { u[0] = w[0]; u[1] = w[1]; }
        else haircut(f, w[0] + w[1], w, 2, 0, u, NULL);
        for (unsigned j = 0; j < 2; j++) if (u[j]) tm_set(g, cbid, j, sc, c, u[j]);
        g->fee_taint[sc * N_COMBO + c] = 0;
      }
    g->block_has_taint = false;
  }

  memcpy(scratch, g->ids, g->n_ids * 32);
  uint8_t root[32];
  merkle(scratch, g->n_ids, root);
  free(scratch);

  kpw_buf_reset(blk);
  put_u32(blk, 0x20000000u);
  kpw_buf_put(blk, g->prev, 32);
  kpw_buf_put(blk, root, 32);
  put_u32(blk, 1700000000u + 600u * g->height);
  put_u32(blk, 0x207fffffu);
  put_u32(blk, 0);
  kpw_sha256d(blk->data, 80, g->prev);   /* this block's hash: the next one's prev */
  put_var(blk, g->n_ids);
  kpw_buf_put(blk, fb->data, fb->len);
  kpw_buf_put(blk, g->body.data, g->body.len);
  g->n_txs++;
  g->n_blocks++;
  if (blk->len > 4000000u)
    return kpw_error_set(g->err, KPW_EINTERNAL, "sim", 0, 0, "block %u too large", g->height);
  return KPW_OK;
}

/* ---------------------------------------------------------------- truth */
static void put_outpoint(kpw_buf *b, const uint8_t txid[32], uint32_t vout) {
  char hex[65];
  kpw_hash_hex(txid, hex);
  kpw_buf_printf(b, "\"%s:%u\"", hex, vout);
}
static void put_txid(kpw_buf *b, const uint8_t txid[32]) {
  char hex[65];
  kpw_hash_hex(txid, hex);
  kpw_buf_printf(b, "\"%s\"", hex);
}
static const char *ex_label(gen *g, int ex) { return g->tags[ex * (EX_DEP + EX_HOT)].label; }

static kpw_result write_file(gen *g, const char *name, const kpw_buf *b) {
  char p[4200];
  snprintf(p, sizeof p, "%s/%s", g->o.out_dir, name);
  FILE *f = fopen(p, "wb");
  if (!f) return kpw_error_set(g->err, KPW_EIO, p, 0, 0, "cannot create: %s", strerror(errno));
  bool ok = fwrite(b->data, 1, b->len, f) == b->len;
  ok &= fclose(f) == 0;
  if (!ok) return kpw_error_set(g->err, KPW_EIO, p, 0, 0, "write failed: %s", strerror(errno));
  return KPW_OK;
}

static kpw_result write_truth(gen *g) {
  kpw_buf b; kpw_buf_init(&b);
  kpw_buf_puts(&b, "{\"seed\":"); kpw_json_int(&b, (int64_t)g->o.seed);
  kpw_buf_puts(&b, ",\"blocks\":"); kpw_json_int(&b, (int64_t)g->n_blocks);
  kpw_buf_puts(&b, ",\"txs\":"); kpw_json_int(&b, (int64_t)g->n_txs);
  kpw_buf_puts(&b, ",\"scenarios\":[");
  for (uint32_t i = 0; i < g->n_sc; i++) {
    scen *s = &g->sc[i];
    if (i) kpw_buf_putc(&b, ',');
    kpw_buf_puts(&b, "\n{\"name\":"); kpw_buf_printf(&b, "\"%s_%u\"", kind_names[s->kind], i);
    kpw_buf_puts(&b, ",\"kind\":"); kpw_json_str(&b, kind_names[s->kind]);
    kpw_buf_puts(&b, ",\"seeds\":[");
    for (unsigned k = 0; k < s->n_seeds; k++) { if (k) kpw_buf_putc(&b, ','); put_outpoint(&b, s->seeds[k].txid, s->seeds[k].vout); }
    kpw_buf_puts(&b, "],\"start_height\":"); kpw_json_int(&b, s->start_height);
    /* exchanges shown: every one reached under any combination or deposited to */
    bool shown[N_EX] = {false};
    for (int c = 0; c < N_COMBO; c++) for (int e = 0; e < N_EX; e++) if (s->expect[c][e]) shown[e] = true;
    for (unsigned k = 0; k < s->n_dep; k++) shown[s->dep[k].ex] = true;
    kpw_buf_puts(&b, ",\"expect\":{");
    for (int c = 0; c < N_COMBO; c++) {
      if (c) kpw_buf_putc(&b, ',');
      kpw_buf_printf(&b, "\"%s/%s\":{", method_names[c / 2], policy_names[c % 2]);
      bool first = true;
      for (int e = 0; e < N_EX; e++) {
        if (!shown[e]) continue;
        if (!first) kpw_buf_putc(&b, ',');
        first = false;
        kpw_json_key(&b, ex_label(g, e)); kpw_json_int(&b, s->expect[c][e]);
      }
      kpw_buf_putc(&b, '}');
    }
    kpw_buf_puts(&b, "},\"deposits\":[");
    for (unsigned k = 0; k < s->n_dep; k++) {
      deposit *d = &s->dep[k];
      if (k) kpw_buf_putc(&b, ',');
      kpw_buf_puts(&b, "{\"outpoint\":"); put_outpoint(&b, d->txid, d->vout);
      kpw_buf_puts(&b, ",\"exchange\":"); kpw_json_str(&b, ex_label(g, d->ex));
      kpw_buf_puts(&b, ",\"path\":[");
      for (unsigned q = 0; q < d->plen; q++) { if (q) kpw_buf_putc(&b, ','); put_txid(&b, s->txids[d->path[q]]); }
      kpw_buf_puts(&b, "]}");
    }
    kpw_buf_puts(&b, "],\"coinjoins\":[");
    for (unsigned k = 0; k < s->n_cj; k++) {
      if (k) kpw_buf_putc(&b, ',');
      kpw_buf_puts(&b, "{\"txid\":"); put_txid(&b, s->cj[k].txid);
      kpw_buf_puts(&b, ",\"kind\":"); kpw_json_str(&b, s->cj[k].kind); kpw_buf_putc(&b, '}');
    }
    kpw_buf_puts(&b, "],\"txids\":[");
    for (unsigned k = 0; k < s->n_tx; k++) { if (k) kpw_buf_putc(&b, ','); put_txid(&b, s->txids[k]); }
    kpw_buf_puts(&b, "]}");
  }
  kpw_buf_puts(&b, "],\n\"coinjoins\":[");
  for (size_t k = 0; k < g->n_cjs; k++) {
    if (k) kpw_buf_puts(&b, ",\n");
    kpw_buf_puts(&b, "{\"txid\":"); put_txid(&b, g->cjs[k].txid);
    kpw_buf_puts(&b, ",\"kind\":"); kpw_json_str(&b, g->cjs[k].kind); kpw_buf_putc(&b, '}');
  }
  kpw_buf_puts(&b, "]}\n");
  kpw_result rc = write_file(g, "truth.json", &b);
  kpw_buf_free(&b);
  return rc;
}

static kpw_result write_tags(gen *g) {
  kpw_buf b; kpw_buf_init(&b);
  kpw_buf_puts(&b, "address,label,actor,category\n");
  for (size_t i = 0; i < g->n_tags; i++) {
    tag *t = &g->tags[i];
    uint8_t s[40]; char a[128];
    size_t n = script_of(&t->a, s);
    kpw_script_address(s, n, a, sizeof a);
    kpw_csv_field(&b, a); kpw_buf_putc(&b, ',');
    kpw_csv_field(&b, t->label); kpw_buf_putc(&b, ',');
    kpw_csv_field(&b, t->actor); kpw_buf_putc(&b, ',');
    kpw_csv_field(&b, t->category); kpw_buf_putc(&b, '\n');
  }
  kpw_result rc = write_file(g, "tags.csv", &b);
  kpw_buf_free(&b);
  return rc;
}

/* ---------------------------------------------------------------- driver */
static kpw_result mkdir_p(gen *g, const char *p) {
  if (mkdir(p, 0777) != 0 && errno != EEXIST)
    return kpw_error_set(g->err, KPW_EIO, p, 0, 0, "cannot create directory: %s", strerror(errno));
  return KPW_OK;
}

static void setup_tags(gen *g) {
  static const char *exn[N_EX] = {"Exchange A", "Exchange B", "Exchange C", "Exchange D", "Exchange E"};
  uint64_t ctr = 0;
  for (int e = 0; e < N_EX; e++)
    for (int k = 0; k < EX_DEP + EX_HOT; k++) {
      addr a = {.type = pick_type(&g->r), .tag = -1};
      payload(g, 'X', ctr++, a.h);
      add_tag(g, a, exn[e], exn[e], "exchange", e);
    }
  addr a = {.type = T_P2WPKH, .tag = -1};
  payload(g, 'M', 1, a.h);
  g->whirl_coord = tagged(g, add_tag(g, a, "Whirlpool coordinator", "Samourai Whirlpool", "mixing_service", -1));
  payload(g, 'M', 2, a.h);
  g->wasabi_coord = tagged(g, add_tag(g, a, "Wasabi coordinator", "zkSNACKs", "mixing_service", -1));
  for (int i = 0; i < 4; i++) { g->miner[i] = (addr){.type = T_P2WPKH, .tag = -1}; payload(g, 'P', (uint64_t)i, g->miner[i].h); }
}

static void setup_reuse(gen *g, uint64_t txs) {
  /* the most reused addresses are the exchanges' (Zipf head), then services
  ** and users; the pool grows with the chain so reuse stays realistic */
  g->n_reuse = (uint32_t)(txs / 20 < 5000 ? 5000 : txs / 20 > 2000000 ? 2000000 : txs / 20);
  g->reuse = xrealloc(NULL, g->n_reuse * sizeof *g->reuse);
  uint32_t n_ex = N_EX * (EX_DEP + EX_HOT);
  for (uint32_t i = 0; i < g->n_reuse; i++) {
    if (i < n_ex) { g->reuse[i] = g->tags[i].a; continue; }
    g->reuse[i] = (addr){.type = pick_type(&g->r), .tag = -1};
    payload(g, 'R', i, g->reuse[i].h);
  }
}

kpw_result kpw_sim_chain(const kpw_sim_opts *opts, kpw_sim_summary *sum, kpw_error *err) {
  if (!opts || !opts->out_dir || !*opts->out_dir)
    return kpw_error_set(err, KPW_EUSAGE, "sim", 0, 0, "no output directory");
  if (opts->scenarios > 10000)
    return kpw_error_set(err, KPW_EUSAGE, "sim", 0, 0, "at most 10000 scenarios");
  gen *g = calloc(1, sizeof *g);
  if (!g) return kpw_error_set(err, KPW_ENOMEM, "sim", 0, 0, "out of memory");
  g->o = *opts;
  if (!g->o.file_size) g->o.file_size = 128u << 20;
  g->err = err;
  rng_init(&g->r, g->o.seed ^ 0x6b7077617463686bull);
  rng_init(&g->rs, g->o.seed ^ 0x73687566666c6521ull);
  kpw_buf_init(&g->body); kpw_buf_init(&g->st); kpw_buf_init(&g->full);
  for (int i = 0; i < SHUF_WIN; i++) kpw_buf_init(&g->win[i]);
  g->arena = kpw_arena_new(0);
  g->pool = xrealloc(NULL, POOL_CAP * sizeof *g->pool);
  kpw_result rc = mkdir_p(g, g->o.out_dir);
  char p[4200];
  snprintf(p, sizeof p, "%s/blocks", g->o.out_dir);
  if (!rc) rc = mkdir_p(g, p);

  uint32_t S = g->o.scenarios;
  g->n_sc = S;
  g->sc = calloc(S ? S : 1, sizeof *g->sc);
  g->fee_taint = calloc((size_t)(S ? S : 1) * N_COMBO, sizeof *g->fee_taint);
  if (!g->sc || !g->fee_taint) abort();
  setup_tags(g);
  setup_reuse(g, g->o.txs);

  /* Plan. Coinbases of heights < W are spendable, released 100 blocks
  ** later (coinbase maturity): [0,3S) fund the thefts, [3S, 3S+R) the
  ** clean reserve, the rest the background pool. A later coinbase is
  ** spent (reserve, then pool) only when its block carried no fee taint. */
  uint32_t R = 20 + 6 * S, W = 3 * S + R + 40, base = 100 + W;
  for (uint32_t i = 0; i < S; i++) {
    scen *s = &g->sc[i];
    s->kind = i % KPW_SIM_KINDS;
    s->start_height = s->next_height = base + 10 + 3 * i;
  }
  uint64_t min_blocks = base + 10 + 3 * (uint64_t)S + 60;
  uint64_t target_blocks = g->o.txs / 190 > min_blocks ? g->o.txs / 190 : min_blocks;
  uint64_t bg_blocks = target_blocks - (100 + 3 * (uint64_t)S + R);   /* blocks with a pool to spend */
  uint64_t bg_per = g->o.txs > target_blocks ? (g->o.txs - target_blocks) / bg_blocks : 0;
  uint64_t period = 200;
  coin *cb_coin = xrealloc(NULL, W * sizeof *cb_coin);
  g->cap_victim = 3 * (size_t)S + 1; g->victim = xrealloc(NULL, g->cap_victim * sizeof *g->victim);
  kpw_buf blk; kpw_buf_init(&blk);

  for (g->height = 0; !rc; g->height++) {
    uint32_t h = g->height;
    bool all_done = true;
    for (uint32_t i = 0; i < S; i++) all_done &= g->sc[i].done;
    if (h >= min_blocks && all_done && g->n_txs >= g->o.txs) break;
    begin_block(g);
    if (h >= 100 && h - 100 < W) {   /* release a matured warm-up coinbase */
      coin c = cb_coin[h - 100];
      uint32_t k = h - 100;
      if (k < 3 * S) g->victim[g->n_victim++] = c;
      else if (k < 3 * S + R) rich_add(g, c);
      else pool_add(g, c);
    }
    if (h >= 100 && g->cbq_ok[h % 100]) {   /* a clean coinbase matured */
      if (g->n_rich < 64) rich_add(g, g->cbq[h % 100]);
      else pool_add(g, g->cbq[h % 100]);
      g->cbq_ok[h % 100] = false;
    }
    uint64_t nbg = h >= 100 ? bg_per : 0;
    if (g->n_txs + nbg > g->o.txs) nbg = g->o.txs > g->n_txs ? g->o.txs - g->n_txs : 0;
    if (h > base && h < base + 10) nbg /= 4;   /* room for the pool to grow */
    for (uint64_t k = 0; k < nbg / 2 && g->n_pool; k++) background_tx(g);
    if (h >= base && g->n_rich) {   /* background coinjoins, clean */
      uint8_t id[32]; int mv[MAXIO], cv[MAXIO]; coin oc[MAXIO];
      uint64_t ph = (h - base) % period;
      if (ph == 1) whirlpool(g, NULL, 0, 5000000, NULL, id, mv, oc);
      if (ph == 3) wasabi1(g, NULL, 0, NULL, id, mv, cv, oc);
      if (ph == 5) joinmarket(g, NULL, NULL, rlog(&g->r, 1000000, 200000000), id, mv, cv, oc);
      if (ph == 7) wasabi2(g, id);
    }
    for (uint32_t i = 0; i < S; i++) {
      scen *s = &g->sc[i];
      if (s->done || h < s->next_height) continue;
      if (!scen_step(g, s)) s->done = true;
      s->next_height = h + (uint32_t)rrange(&g->r, 1, 3);
    }
    for (uint64_t k = nbg / 2; k < nbg && g->n_pool; k++) background_tx(g);
    /* the coinbases that will be stolen pay an exchange's hot wallet */
    addr payee = h < 3 * S ? ex_addr(g, (int)((h / 3) % N_EX), EX_DEP + (int)(h % EX_HOT)) : g->miner[h % 4];
    kpw_buf *out = g->o.shuffle ? &g->win[g->n_win++] : &blk;
    rc = finish_block(g, out, payee);
    if (rc) break;
    coin cbc;
    memcpy(cbc.txid, g->ids[0], 32);
    cbc.vout = 0; cbc.type = payee.type; cbc.value = SUBSIDY + g->block_fees;
    if (h < W) cb_coin[h] = cbc;
    else if (!g->cb_tainted) { g->cbq[h % 100] = cbc; g->cbq_ok[h % 100] = true; }
    if (!g->o.shuffle) rc = write_frame(g, &blk);
    else if (g->n_win == SHUF_WIN) rc = flush_window(g);
    if (g->o.progress && h % 500 == 499) g->o.progress(g->o.progress_ctx, g->n_blocks, g->n_txs, g->total_bytes);
  }
  if (!rc && g->n_win) rc = flush_window(g);
  if (g->f) {
    if (fclose(g->f) != 0 && !rc)
      rc = kpw_error_set(err, KPW_EIO, g->path, 0, 0, "write failed: %s", strerror(errno));
    g->f = NULL;
  }
  if (!rc) rc = write_tags(g);
  if (!rc) rc = write_truth(g);
  if (sum) { sum->blocks = g->n_blocks; sum->txs = g->n_txs; sum->files = g->file_no; sum->bytes = g->total_bytes; }

  kpw_buf_free(&blk);
  free(cb_coin);
  kpw_buf_free(&g->body); kpw_buf_free(&g->st); kpw_buf_free(&g->full);
  for (int i = 0; i < SHUF_WIN; i++) kpw_buf_free(&g->win[i]);
  kpw_arena_free(g->arena);
  free(g->pool); free(g->rich); free(g->victim); free(g->tags); free(g->reuse);
  free(g->ids); free(g->wids); free(g->tm); free(g->sc); free(g->fee_taint); free(g->cjs);
  free(g);
  return rc;
}
