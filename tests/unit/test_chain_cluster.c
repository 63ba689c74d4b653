/*
** test_chain_cluster.c -- unit tests of the CoinJoin detectors
** (lib/chain/coinjoin.c) and common-input clustering (lib/chain/cluster.c):
** synthetic transactions for every detector, positive and near-miss, the
** 5x5 Whirlpool that BlockSci's rule misses, union-find results and merge
** txids on a small hand-made chain, the collapse guard with and without
** force, the CoinJoin filter switch, save/load, freshness and bad columns.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "kpw/cluster.h"

#define NA KPW_CLUSTER_NONE
#define MAXIO 64

/* A synthetic transaction: arrays owned by the struct. */
typedef struct stx {
  uint32_t n_in, n_out;
  uint64_t iv[MAXIO], ov[MAXIO];
  uint32_t ia[MAXIO], oa[MAXIO];
} stx;

static void add_in(stx *t, uint64_t v, uint32_t a) { t->iv[t->n_in] = v; t->ia[t->n_in++] = a; }
static void add_out(stx *t, uint64_t v, uint32_t a) { t->ov[t->n_out] = v; t->oa[t->n_out++] = a; }
static kpw_cj_tx view(const stx *t) { return (kpw_cj_tx){t->n_in, t->n_out, t->iv, t->ia, t->ov, t->oa}; }
static bool is(const stx *t, kpw_cj_kind k) { kpw_cj_tx v = view(t); return kpw_coinjoin_is(&v, k, NULL); }
static kpw_cj_kind detect(const stx *t) { kpw_cj_tx v = view(t); return kpw_coinjoin_detect(&v, NULL); }

/* A Whirlpool mix of n at pool d: n_new new entrants pay d + fee. */
static stx whirlpool(uint32_t n, uint64_t d, uint32_t n_new) {
  stx t = {0};
  for (uint32_t i = 0; i < n; i++) add_in(&t, i < n_new ? d + 1000 + 37 * i : d, 100 + i);
  for (uint32_t i = 0; i < n; i++) add_out(&t, d, 200 + i);
  return t;
}

static void test_whirlpool(void **state) {
  (void)state;
  static const uint64_t pools[] = {100000, 1000000, 5000000, 50000000};
  for (int p = 0; p < 4; p++)
    for (uint32_t n = 5; n <= 8; n++)
      for (uint32_t nn = 1; nn <= 4; nn++) {
        stx t = whirlpool(n, pools[p], nn);
        assert_true(is(&t, KPW_CJ_WHIRLPOOL));
        assert_int_equal(detect(&t), KPW_CJ_WHIRLPOOL);
      }
  /* The gap: BlockSci's rule wants (5+1)/2 = 3 equal outputs, a 5x5 mix
  ** has 5, so every 5x5 Whirlpool passes it unflagged. */
  for (int p = 0; p < 4; p++) {
    stx t = whirlpool(5, pools[p], 2);
    assert_false(is(&t, KPW_CJ_BLOCKSCI));
    assert_true(is(&t, KPW_CJ_WHIRLPOOL));
  }
  /* Max fee: an input at exactly d + 110,000 is accepted, one more is not. */
  stx t = whirlpool(5, 1000000, 1);
  t.iv[0] = 1110000;
  assert_true(is(&t, KPW_CJ_WHIRLPOOL));
  t.iv[0] = 1110001;
  assert_false(is(&t, KPW_CJ_WHIRLPOOL));
  /* Near misses. */
  t = whirlpool(5, 1000000, 2); t.iv[3] = 999999;                 /* input below d */
  assert_false(is(&t, KPW_CJ_WHIRLPOOL));
  t = whirlpool(5, 2000000, 2);                                   /* not a pool */
  assert_false(is(&t, KPW_CJ_WHIRLPOOL));
  t = whirlpool(5, 1000000, 2); t.oa[4] = t.oa[3];                /* address reused */
  assert_false(is(&t, KPW_CJ_WHIRLPOOL));
  t = whirlpool(5, 1000000, 2); t.ov[4] = 999000;                 /* one output off */
  assert_false(is(&t, KPW_CJ_WHIRLPOOL));
  t = whirlpool(4, 1000000, 2);                                   /* too small */
  assert_false(is(&t, KPW_CJ_WHIRLPOOL));
  t = whirlpool(9, 1000000, 2);                                   /* too large */
  assert_false(is(&t, KPW_CJ_WHIRLPOOL));
  t = whirlpool(5, 1000000, 2); add_out(&t, 1000000, 300);        /* 5 in, 6 out */
  assert_false(is(&t, KPW_CJ_WHIRLPOOL));
  /* An unknown prevout does not hide the mix. */
  t = whirlpool(5, 1000000, 2); t.iv[1] = KPW_CJ_VALUE_UNKNOWN; t.ia[1] = NA;
  assert_true(is(&t, KPW_CJ_WHIRLPOOL));
}

/* Wasabi 1: 30 inputs, 12 x ~0.1 BTC, 10 change outputs and a coordinator fee. */
static stx wasabi1(void) {
  stx t = {0};
  for (uint32_t i = 0; i < 30; i++) add_in(&t, 5000000 + 123457 * i, 1000 + i);
  for (uint32_t i = 0; i < 12; i++) add_out(&t, 10020000, 2000 + i);
  for (uint32_t i = 0; i < 10; i++) add_out(&t, 731000 + 9173 * i, 3000 + i);
  add_out(&t, 360000, 4000);
  return t;
}

static void test_wasabi1(void **state) {
  (void)state;
  stx t = wasabi1();
  assert_true(is(&t, KPW_CJ_WASABI1));
  assert_int_equal(detect(&t), KPW_CJ_WASABI1);
  assert_false(is(&t, KPW_CJ_WASABI2));        /* one denomination only */
  /* 0.095 and 0.105 BTC are inside the +-5% window; 0.2 BTC is not. */
  t = wasabi1(); for (int i = 0; i < 12; i++) t.ov[i] = 9500000;
  assert_true(is(&t, KPW_CJ_WASABI1));
  t = wasabi1(); for (int i = 0; i < 12; i++) t.ov[i] = 10500000;
  assert_true(is(&t, KPW_CJ_WASABI1));
  t = wasabi1(); for (int i = 0; i < 12; i++) t.ov[i] = 20000000;
  assert_false(is(&t, KPW_CJ_WASABI1));
  /* 9 inputs. */
  t = wasabi1(); t.n_in = 9;
  assert_false(is(&t, KPW_CJ_WASABI1));
  /* One address owns 4 of 30 inputs (> 10%). */
  t = wasabi1(); for (int i = 0; i < 4; i++) t.ia[i] = 1000;
  assert_false(is(&t, KPW_CJ_WASABI1));
  /* Only 2 outputs at the denomination. */
  t = wasabi1(); for (int i = 2; i < 12; i++) t.ov[i] = 5555000 + i;
  assert_false(is(&t, KPW_CJ_WASABI1));
  /* A reused output address. */
  t = wasabi1(); t.oa[5] = t.oa[6];
  assert_false(is(&t, KPW_CJ_WASABI1));
  /* Too much change: 12 denominations among 30 outputs. */
  t = wasabi1(); for (int i = 0; i < 7; i++) add_out(&t, 1234567 + i, 5000 + i);
  assert_false(is(&t, KPW_CJ_WASABI1));
}

/* Wasabi 2: 40 inputs; denominations 5M x4, 2M x3, 1M x5, 500k x2; 6 change; a fee. */
static stx wasabi2(void) {
  stx t = {0};
  for (uint32_t i = 0; i < 40; i++) add_in(&t, 700000 + 31337 * i, 1000 + i);
  uint32_t a = 2000;
  for (int i = 0; i < 4; i++) add_out(&t, 5000000, a++);
  for (int i = 0; i < 3; i++) add_out(&t, 2000000, a++);
  for (int i = 0; i < 5; i++) add_out(&t, 1000000, a++);
  for (int i = 0; i < 2; i++) add_out(&t, 500000, a++);
  for (int i = 0; i < 6; i++) add_out(&t, 81234 + 1111 * i, a++);
  add_out(&t, 93000, a++);
  return t;
}

static void test_wasabi2(void **state) {
  (void)state;
  stx t = wasabi2();
  assert_true(is(&t, KPW_CJ_WASABI2));
  assert_int_equal(detect(&t), KPW_CJ_WASABI2);
  /* BlockSci's rule wants 11 copies of one value: it misses WabiSabi. */
  assert_false(is(&t, KPW_CJ_BLOCKSCI));
  t = wasabi2(); t.ov[20] = 4999;                              /* an output under 5,000 sat */
  assert_false(is(&t, KPW_CJ_WASABI2));
  t = wasabi2(); t.n_in = 19;                                   /* 19 inputs */
  assert_false(is(&t, KPW_CJ_WASABI2));
  t = wasabi2(); for (int i = 0; i < 5; i++) t.ia[i] = 1000;   /* 5 of 40 inputs one address */
  assert_false(is(&t, KPW_CJ_WASABI2));
  t = wasabi2(); t.oa[3] = t.oa[2];                             /* reused output address */
  assert_false(is(&t, KPW_CJ_WASABI2));
  /* Only two denominations (a 2-tier batch payout). */
  t = wasabi2(); for (int i = 7; i < 14; i++) t.ov[i] = 2000000;
  assert_false(is(&t, KPW_CJ_WASABI2));
  /* Mostly change: 14 denomination outputs of 40. */
  t = wasabi2(); for (int i = 0; i < 19; i++) add_out(&t, 300001 + 17 * i, 6000 + i);
  assert_false(is(&t, KPW_CJ_WASABI2));
}

/* JoinMarket: 4 participants, 7 inputs from 5 addresses, 4 x 0.025 BTC + 3 change. */
static stx joinmarket(void) {
  stx t = {0};
  static const uint32_t ia[] = {10, 11, 11, 12, 13, 13, 14};
  for (int i = 0; i < 7; i++) add_in(&t, 1000000 + 1000 * i, ia[i]);
  for (int i = 0; i < 4; i++) add_out(&t, 2500000, 20 + i);
  add_out(&t, 412345, 30); add_out(&t, 987654, 31); add_out(&t, 55555, 32);
  return t;
}

static void test_joinmarket(void **state) {
  (void)state;
  stx t = joinmarket();
  assert_true(is(&t, KPW_CJ_JOINMARKET));
  assert_int_equal(detect(&t), KPW_CJ_JOINMARKET);
  /* No change output: not JoinMarket (every maker gets change). */
  t = joinmarket(); t.n_out = 4;
  assert_false(is(&t, KPW_CJ_JOINMARKET));
  /* A batch payout: 3 equal outputs + change, both inputs from one address. */
  stx b = {0};
  add_in(&b, 9000000, 50); add_in(&b, 4000000, 50);
  add_out(&b, 3000000, 60); add_out(&b, 3000000, 61); add_out(&b, 3000000, 62);
  add_out(&b, 3990000, 63);
  assert_false(is(&b, KPW_CJ_JOINMARKET));
  assert_false(is(&b, KPW_CJ_BLOCKSCI));
  assert_int_equal(detect(&b), KPW_CJ_NONE);
  /* Dust never counts as the denomination. */
  stx d = {0};
  add_in(&d, 100000, 1); add_in(&d, 100000, 2); add_in(&d, 100000, 3);
  add_out(&d, 2730, 4); add_out(&d, 2730, 5); add_out(&d, 2730, 6); add_out(&d, 150000, 7);
  assert_false(is(&d, KPW_CJ_JOINMARKET));
  /* Only 2 participants. */
  t = joinmarket(); t.ov[2] = 777777; t.ov[3] = 888888;
  assert_false(is(&t, KPW_CJ_JOINMARKET));
  /* Large round with 60 inputs and 3 participants: > 20 inputs each. */
  stx l = {0};
  for (uint32_t i = 0; i < 60; i++) add_in(&l, 50000, 100 + i);
  for (int i = 0; i < 3; i++) add_out(&l, 1000000, 200 + i);
  add_out(&l, 12345, 300); add_out(&l, 23456, 301);
  assert_false(is(&l, KPW_CJ_JOINMARKET));
}

static void test_blocksci(void **state) {
  (void)state;
  /* 3 distinct input addresses, 5 outputs: 3 equal + 2 change. */
  stx t = {0};
  add_in(&t, 400000, 1); add_in(&t, 500000, 2); add_in(&t, 600000, 3);
  add_out(&t, 300000, 11); add_out(&t, 300000, 12); add_out(&t, 300000, 13);
  add_out(&t, 123456, 14); add_out(&t, 234567, 15);
  assert_true(is(&t, KPW_CJ_BLOCKSCI));
  /* Only 2 distinct input addresses for n = 3. */
  stx u = t; u.ia[2] = 1;
  assert_false(is(&u, KPW_CJ_BLOCKSCI));
  /* 546-sat spam outputs are excluded. */
  u = t; u.ov[0] = u.ov[1] = u.ov[2] = 546;
  assert_false(is(&u, KPW_CJ_BLOCKSCI));
  u = t; u.ov[0] = u.ov[1] = u.ov[2] = 2730;
  assert_false(is(&u, KPW_CJ_BLOCKSCI));
  /* 4 equal outputs of 5: the count must be exactly (5+1)/2. */
  u = t; u.ov[3] = 300000;
  assert_false(is(&u, KPW_CJ_BLOCKSCI));
  /* A 2-output payment with equal outputs is no CoinJoin by any rule. */
  stx p = {0};
  add_in(&p, 700000, 1); add_in(&p, 800000, 2);
  add_out(&p, 700000, 3); add_out(&p, 700000, 4);
  for (int k = 1; k < KPW_CJ_KINDS; k++) assert_false(is(&p, (kpw_cj_kind)k));
  assert_int_equal(detect(&p), KPW_CJ_NONE);
  /* Single input: none. */
  stx s = {0};
  add_in(&s, 1000000, 1);
  for (int i = 0; i < 5; i++) add_out(&s, 100000, 10 + i);
  assert_int_equal(detect(&s), KPW_CJ_NONE);
  assert_string_equal(kpw_cj_kind_name(KPW_CJ_WHIRLPOOL), "whirlpool");
  assert_string_equal(kpw_cj_kind_name(KPW_CJ_NONE), "none");
}

/* ----------------------------------------------------------- chain */
/* A growing synthetic index: txs appended with inputs spending earlier
** outputs and outputs paying address ids. */
typedef struct chain {
  uint32_t n_txs, n_outs, n_ins, n_addrs;
  uint32_t first_in[64], first_out[64];
  uint64_t out_val[256];
  uint32_t out_adr[256], in_prev[256];
} chain;

static void chain_init(chain *c, uint32_t n_addrs) {
  memset(c, 0, sizeof *c);
  c->n_addrs = n_addrs;
}

/* Append a tx spending outputs prev[0..ni) and paying (val, adr) pairs;
** returns the tx number. Its outputs are first_out[tx] + k. */
static uint32_t chain_tx(chain *c, const uint32_t *prev, uint32_t ni, const uint64_t *val,
                         const uint32_t *adr, uint32_t no) {
  uint32_t t = c->n_txs++;
  c->first_in[t] = c->n_ins;
  c->first_out[t] = c->n_outs;
  for (uint32_t i = 0; i < ni; i++) c->in_prev[c->n_ins++] = prev[i];
  for (uint32_t i = 0; i < no; i++) { c->out_val[c->n_outs] = val[i]; c->out_adr[c->n_outs++] = adr[i]; }
  c->first_in[t + 1] = c->n_ins;
  c->first_out[t + 1] = c->n_outs;
  return t;
}

/* A coinbase paying 50 BTC to address a; returns its output number. */
static uint32_t coinbase(chain *c, uint32_t a) {
  uint64_t v = 5000000000u;
  uint32_t t = chain_tx(c, NULL, 0, &v, &a, 1);
  return c->first_out[t];
}

static kpw_cluster_src src_of(const chain *c) {
  return (kpw_cluster_src){.n_txs = c->n_txs, .n_outs = c->n_outs, .n_ins = c->n_ins, .n_addrs = c->n_addrs,
                           .tx_first_in = c->first_in, .tx_first_out = c->first_out,
                           .out_values = c->out_val, .out_addrs = c->out_adr, .in_prevouts = c->in_prev};
}

static void test_cluster_basic(void **state) {
  (void)state;
  chain c;
  chain_init(&c, 10);
  uint32_t o[10];
  for (uint32_t a = 0; a < 8; a++) o[a] = coinbase(&c, a);   /* txs 0..7 */
  /* tx 8: addresses 3 and 5 co-spend -> {3,5}; pays address 8. */
  uint64_t v = 100;
  uint32_t a8 = 8, a9 = 9;
  uint32_t p1[] = {o[3], o[5]};
  chain_tx(&c, p1, 2, &v, &a8, 1);
  /* tx 9: 5, 6 and 5 again -> {3,5,6}. */
  uint32_t p2[] = {o[5], o[6], o[5]};
  chain_tx(&c, p2, 3, &v, &a9, 1);
  /* tx 10: an unknown prevout beside address 1: nothing to join. */
  uint32_t p3[] = {NA, o[1]};
  chain_tx(&c, p3, 2, &v, &a9, 1);
  /* tx 11: a 5x5 Whirlpool over addresses 0,1,2,4,7: must not merge them. */
  uint32_t p4[] = {o[0], o[1], o[2], o[4], o[7]};
  uint64_t wv[5] = {1000000, 1000000, 1000000, 1000000, 1000000};
  uint32_t wa[5] = {8, 9, 0, 1, 2};
  for (int i = 0; i < 5; i++) c.out_val[o[(int[]){0, 1, 2, 4, 7}[i]]] = 1000000 + 500 * i;
  chain_tx(&c, p4, 5, wv, wa, 5);
  /* tx 12: 8 and 9 co-spend (outputs of txs 8 and 9) -> {8,9}. */
  uint32_t p5[] = {c.first_out[8], c.first_out[9]};
  chain_tx(&c, p5, 2, &v, &a8, 1);
  /* tx 13: address 9 and 6 -> {3,5,6,8,9}. */
  uint32_t p6[] = {c.first_out[10], o[6]};
  chain_tx(&c, p6, 2, &v, &a8, 1);

  kpw_cluster_src s = src_of(&c);
  kpw_clustering *r;
  kpw_error err;
  assert_int_equal(kpw_cluster_compute(&s, NULL, &r, &err), KPW_OK);
  assert_int_equal(r->n_addrs, 10);
  /* {0} {1} {2} {3,5,6,8,9} {4} {7}: 6 clusters, the largest 5. */
  assert_int_equal(r->n_clusters, 6);
  assert_int_equal(r->largest, 5);
  assert_int_equal(r->coinjoins[KPW_CJ_WHIRLPOOL], 1);
  assert_int_equal(r->multi_input_txs, 5);   /* txs 8, 9, 11, 12, 13 */
  assert_int_equal(r->merges, 4);
  /* Ids in order of smallest member: 0->0, 1->1, 2->2, 3->3, 4->4, 7->5. */
  static const uint32_t want[10] = {0, 1, 2, 3, 4, 3, 3, 5, 3, 3};
  for (int a = 0; a < 10; a++) assert_int_equal(kpw_cluster_of(r, (uint32_t)a), want[a]);
  assert_int_equal(kpw_cluster_of(r, 10), NA);
  assert_int_equal(r->size[3], 5);
  assert_int_equal(r->largest_id, 3);
  /* Merge txids: one per absorbed root, size - 1 in the cluster, and each
  ** one of the txs that joined something. */
  uint32_t nm = 0;
  for (int a = 0; a < 10; a++) {
    if (r->merge_tx[a] == NA) continue;
    nm++;
    assert_int_equal(r->cluster[a], 3);
    uint32_t t = r->merge_tx[a];
    assert_true(t == 8 || t == 9 || t == 12 || t == 13);
  }
  assert_int_equal(nm, 4);
  /* 5 joined 3 in tx 8 (equal sizes: the smaller id, 3, stays root). */
  assert_int_equal(r->merge_tx[5], 8);
  assert_int_equal(r->merge_tx[6], 9);
  assert_int_equal(r->merge_tx[9], 12);
  kpw_buf b;
  kpw_buf_init(&b);
  kpw_cluster_stats_json(r, &b);
  kpw_buf_putc(&b, 0);
  assert_non_null(strstr(b.data, "{\"addresses\":10,\"clusters\":6,\"largest\":5,"));
  assert_non_null(strstr(b.data, "\"whirlpool\":1"));
  kpw_buf_free(&b);
  kpw_cluster_free(r);

  /* Without the CoinJoin filter the Whirlpool joins 0,1,2,4,7. */
  kpw_cluster_opts o2 = {.no_coinjoin_filter = true};
  assert_int_equal(kpw_cluster_compute(&s, &o2, &r, &err), KPW_OK);
  assert_int_equal(r->n_clusters, 2);
  assert_int_equal(r->largest, 5);
  assert_int_equal(r->coinjoins[KPW_CJ_WHIRLPOOL], 0);
  kpw_cluster_free(r);
}

/* Two clusters of 4 built by txs, then one tx that would join them. */
static void collapse_chain(chain *c) {
  chain_init(c, 9);
  uint32_t o[9];
  for (uint32_t a = 0; a < 9; a++) o[a] = coinbase(c, a);
  uint64_t v = 1;
  uint32_t dst = 8;
  uint32_t p1[] = {o[0], o[1], o[2], o[3]};
  chain_tx(c, p1, 4, &v, &dst, 1);   /* tx 9 */
  uint32_t p2[] = {o[4], o[5], o[6], o[7]};
  chain_tx(c, p2, 4, &v, &dst, 1);   /* tx 10 */
  uint32_t p3[] = {c->first_out[9], o[2], o[6]};
  chain_tx(c, p3, 3, &v, &dst, 1);   /* tx 11: 8 + {0..3} + {4..7} */
}

static void test_collapse_guard(void **state) {
  (void)state;
  chain c;
  collapse_chain(&c);
  kpw_cluster_src s = src_of(&c);
  kpw_clustering *r;
  kpw_error err;
  kpw_cluster_opts o = {.collapse_limit = 3};
  assert_int_equal(kpw_cluster_compute(&s, &o, &r, &err), KPW_OK);
  /* tx 11 joins its distinct input addresses {2,6,8} as (2,6), (2,8):
  ** {0..3} (4) meets {4..7} (4), both > 3 -> refused; then 8 joins {0..3}. */
  assert_int_equal(r->refused, 1);
  assert_int_equal(r->forced, 0);
  assert_int_equal(r->n_clusters, 2);
  assert_int_equal(r->largest, 5);
  assert_int_equal(r->n_refusals, 1);
  assert_int_equal(r->refusals[0].tx, 11);
  assert_int_equal(r->refusals[0].size_a, 4);
  assert_int_equal(r->refusals[0].size_b, 4);
  assert_int_equal(r->refusals[0].forced, 0);
  assert_int_equal(r->collapse_limit, 3);
  kpw_cluster_free(r);
  /* Forced: merged, still recorded. */
  o.force = true;
  assert_int_equal(kpw_cluster_compute(&s, &o, &r, &err), KPW_OK);
  assert_int_equal(r->refused, 0);
  assert_int_equal(r->forced, 1);
  assert_int_equal(r->n_clusters, 1);
  assert_int_equal(r->largest, 9);
  assert_int_equal(r->refusals[0].forced, 1);
  kpw_cluster_free(r);
  /* Limit 4: clusters of 4 and 4 are not both > 4: merged. */
  o = (kpw_cluster_opts){.collapse_limit = 4};
  assert_int_equal(kpw_cluster_compute(&s, &o, &r, &err), KPW_OK);
  assert_int_equal(r->refused, 0);
  assert_int_equal(r->n_clusters, 1);
  kpw_cluster_free(r);
  /* Default limit 10,000. */
  assert_int_equal(kpw_cluster_compute(&s, NULL, &r, &err), KPW_OK);
  assert_int_equal(r->collapse_limit, KPW_CLUSTER_DEFAULT_COLLAPSE);
  assert_int_equal(r->n_clusters, 1);
  kpw_cluster_free(r);
}

static void touch(const char *path) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("x", f);
  fclose(f);
}

static void test_save_load(void **state) {
  (void)state;
  char dir[] = "/tmp/kpw-cluster-test.XXXXXX";
  assert_non_null(mkdtemp(dir));
  char meta[256], path[256];
  snprintf(meta, sizeof meta, "%s/META", dir);
  touch(meta);
  struct timespec ts = {0, 20 * 1000 * 1000};
  nanosleep(&ts, NULL);
  chain c;
  collapse_chain(&c);
  kpw_cluster_src s = src_of(&c);
  kpw_cluster_opts o = {.collapse_limit = 3};
  kpw_clustering *r, *l;
  kpw_error err;
  assert_int_equal(kpw_cluster_load(dir, &l, &err), KPW_ENOTFOUND);
  assert_false(kpw_cluster_is_fresh(dir, c.n_txs, c.n_addrs, &o));
  assert_int_equal(kpw_cluster_compute(&s, &o, &r, &err), KPW_OK);
  assert_int_equal(kpw_cluster_save(r, dir, &err), KPW_OK);
  assert_true(kpw_cluster_is_fresh(dir, c.n_txs, c.n_addrs, &o));
  /* Other settings or counts: stale. */
  kpw_cluster_opts o2 = o;
  o2.force = true;
  assert_false(kpw_cluster_is_fresh(dir, c.n_txs, c.n_addrs, &o2));
  o2 = o; o2.no_coinjoin_filter = true;
  assert_false(kpw_cluster_is_fresh(dir, c.n_txs, c.n_addrs, &o2));
  assert_false(kpw_cluster_is_fresh(dir, c.n_txs, c.n_addrs, NULL));   /* limit 10,000 */
  assert_false(kpw_cluster_is_fresh(dir, c.n_txs + 1, c.n_addrs, &o));
  assert_int_equal(kpw_cluster_load(dir, &l, &err), KPW_OK);
  assert_int_equal(l->n_addrs, r->n_addrs);
  assert_int_equal(l->n_clusters, r->n_clusters);
  assert_int_equal(l->largest, r->largest);
  assert_int_equal(l->largest_id, r->largest_id);
  assert_int_equal(l->refused, 1);
  assert_int_equal(l->n_refusals, 1);
  assert_int_equal(l->collapse_limit, 3);
  assert_memory_equal(l->cluster, r->cluster, 4 * r->n_addrs);
  assert_memory_equal(l->merge_tx, r->merge_tx, 4 * r->n_addrs);
  assert_memory_equal(l->size, r->size, 4 * r->n_clusters);
  assert_memory_equal(l->refusals, r->refusals, sizeof *r->refusals);
  kpw_buf b1, b2;
  kpw_buf_init(&b1);
  kpw_buf_init(&b2);
  kpw_cluster_stats_json(r, &b1);
  kpw_cluster_stats_json(l, &b2);
  assert_int_equal(b1.len, b2.len);
  assert_memory_equal(b1.data, b2.data, b1.len);
  kpw_buf_free(&b1);
  kpw_buf_free(&b2);
  kpw_cluster_free(l);
  /* The index changed after the clustering: stale. */
  nanosleep(&ts, NULL);
  touch(meta);
  assert_false(kpw_cluster_is_fresh(dir, c.n_txs, c.n_addrs, &o));
  /* A column from another generation (an interrupted save) is refused. */
  uint64_t gen = r->gen;
  r->gen = gen + 1;
  kpw_clustering copy = *r;
  copy.priv_ = NULL;
  snprintf(path, sizeof path, "%s/cluster.json.keep", dir);
  char pj[256];
  snprintf(pj, sizeof pj, "%s/cluster.json", dir);
  assert_int_equal(rename(pj, path), 0);
  assert_int_equal(kpw_cluster_save(&copy, dir, &err), KPW_OK);
  assert_int_equal(rename(path, pj), 0);       /* old json, new columns */
  assert_int_equal(kpw_cluster_load(dir, &l, &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "generation"));
  /* A truncated column. */
  assert_int_equal(kpw_cluster_save(&copy, dir, &err), KPW_OK);
  snprintf(path, sizeof path, "%s/cluster.col", dir);
  assert_int_equal(truncate(path, 20), 0);
  assert_int_equal(kpw_cluster_load(dir, &l, &err), KPW_EINPUT);
  assert_non_null(strstr(err.source, "cluster.col"));
  /* Garbage cluster.json. */
  FILE *f = fopen(pj, "w");
  fputs("{\"gen\":", f);
  fclose(f);
  assert_int_equal(kpw_cluster_load(dir, &l, &err), KPW_EINPUT);
  kpw_cluster_free(r);
  static const char *const names[] = {"META", "cluster.json", "cluster.col", "size.col",
                                      "merge.col", "refused.col"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    unlink(path);
  }
  assert_int_equal(rmdir(dir), 0);
}

static void test_bad_columns(void **state) {
  (void)state;
  chain c;
  collapse_chain(&c);
  kpw_cluster_src s = src_of(&c);
  kpw_clustering *r;
  kpw_error err;
  c.in_prev[1] = 999;                                   /* beyond the outputs */
  assert_int_equal(kpw_cluster_compute(&s, NULL, &r, &err), KPW_EINPUT);
  assert_null(r);
  assert_non_null(strstr(err.msg, "spends output 999"));
  collapse_chain(&c);
  c.out_adr[0] = 77;                                    /* address id too large */
  assert_int_equal(kpw_cluster_compute(&s, NULL, &r, &err), KPW_EINPUT);
  collapse_chain(&c);
  c.first_in[10] = 100;                                 /* offsets beyond the inputs */
  assert_int_equal(kpw_cluster_compute(&s, NULL, &r, &err), KPW_EINPUT);
  /* Empty index. */
  kpw_cluster_src e = {0};
  uint32_t zero = 0;
  e.tx_first_in = e.tx_first_out = &zero;
  assert_int_equal(kpw_cluster_compute(&e, NULL, &r, &err), KPW_OK);
  assert_int_equal(r->n_clusters, 0);
  assert_int_equal(r->largest, 0);
  kpw_cluster_free(r);
}

/* Random columns (offsets, prevouts, address ids, values, some valid and
** some not): every run ends in KPW_OK or KPW_EINPUT, never a crash (ASan). */
static void test_random_columns(void **state) {
  (void)state;
  uint64_t x = 0x9e3779b97f4a7c15ull;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
  for (int it = 0; it < 2000; it++) {
    chain c;
    chain_init(&c, 1 + (uint32_t)(RND() % 20));
    uint32_t nt = (uint32_t)(RND() % 40), ni = 0, no = 0;
    for (uint32_t t = 0; t <= nt; t++) {
      c.first_in[t] = ni;
      c.first_out[t] = no;
      if (t == nt) break;
      uint32_t a = (uint32_t)(RND() % 6), b = 1 + (uint32_t)(RND() % 6);
      for (uint32_t k = 0; k < a && ni < 255; k++) c.in_prev[ni++] = RND() % 8 ? (uint32_t)(RND() % (no + 3)) : NA;
      for (uint32_t k = 0; k < b && no < 255; k++) {
        c.out_val[no] = RND() % 4 ? 1000000 : RND() % 100000000;
        c.out_adr[no++] = RND() % 10 ? (uint32_t)(RND() % (c.n_addrs + (it & 1))) : NA;
      }
    }
    if (RND() % 10 == 0 && nt) c.first_in[RND() % nt] += 3;    /* break monotonicity */
    c.n_txs = nt; c.n_ins = ni; c.n_outs = no;
    kpw_cluster_src s = src_of(&c);
    kpw_clustering *r;
    kpw_error err;
    kpw_cluster_opts o = {.collapse_limit = 1 + (uint32_t)(RND() % 3), .force = RND() & 1};
    kpw_result rc = kpw_cluster_compute(&s, &o, &r, &err);
    assert_true(rc == KPW_OK || rc == KPW_EINPUT);
    if (rc != KPW_OK) continue;
    uint32_t sum = 0;
    for (uint32_t k = 0; k < r->n_clusters; k++) sum += r->size[k];
    assert_int_equal(sum, r->n_addrs);
    assert_int_equal(r->n_clusters + r->merges, r->n_addrs);
    kpw_cluster_free(r);
  }
#undef RND
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_whirlpool),
    cmocka_unit_test(test_wasabi1),
    cmocka_unit_test(test_wasabi2),
    cmocka_unit_test(test_joinmarket),
    cmocka_unit_test(test_blocksci),
    cmocka_unit_test(test_cluster_basic),
    cmocka_unit_test(test_collapse_guard),
    cmocka_unit_test(test_save_load),
    cmocka_unit_test(test_bad_columns),
    cmocka_unit_test(test_random_columns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
