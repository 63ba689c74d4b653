/*
** test_chain_taint.c -- unit tests of the taint kernel (lib/chain/taint.c)
** against docs/taint-methods.md.
**
**  - hand-computed examples (worked out on paper from the spec text, the
**    satoshi queues written in the comments) for every method x fee policy,
**    the remainder rules with ties, zero-value outputs and inputs, m = 0,
**    no taint, full taint; backward examples; the fee spread;
**  - a property test over 120,000 random transactions (deterministic
**    splitmix64): conservation, bounds, poison, T = 0, full taint, haircut
**    floor/floor+1, both haircut policies equal, backward sums and bounds,
**    the haircut backward formula, forward/backward duality for fifo/lifo,
**    and -- for the small-valued half -- equality with a naive satoshi-by-
**    satoshi oracle written here from the spec text;
**  - a transaction with 100,000 inputs and 100,000 outputs.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "kpw/taint.h"

#define NM 5
#define NP 2
static const kpw_taint_method METHODS[NM] = {KPW_TAINT_POISON, KPW_TAINT_HAIRCUT, KPW_TAINT_FIFO,
                                             KPW_TAINT_LIFO, KPW_TAINT_TIHO};
static const kpw_fee_policy POLICIES[NP] = {KPW_FEE_TO_MINER, KPW_FEE_PRO_RATA};

static int64_t sum64(const int64_t *a, uint32_t k) {
  int64_t s = 0;
  for (uint32_t i = 0; i < k; i++) s += a[i];
  return s;
}

/* Runs forward and compares with the expected output taints and fee. */
static void expect_fwd(kpw_taint_scratch *s, kpw_taint_method me, kpw_fee_policy po,
                       const int64_t *v, const int64_t *t, uint32_t n,
                       const int64_t *w, uint32_t m, const int64_t *u_exp, int64_t f_exp) {
  int64_t u[16], f = -1;
  assert_true(m <= 16);
  assert_int_equal(kpw_taint_forward(s, me, po, v, t, n, w, m, u, &f), KPW_OK);
  for (uint32_t j = 0; j < m; j++) {
    if (u[j] != u_exp[j])
      fail_msg("%s/%s: output %u taint %lld, expected %lld", kpw_taint_method_name(me),
               kpw_fee_policy_name(po), j, (long long)u[j], (long long)u_exp[j]);
  }
  if (f != f_exp)
    fail_msg("%s/%s: fee taint %lld, expected %lld", kpw_taint_method_name(me),
             kpw_fee_policy_name(po), (long long)f, (long long)f_exp);
}

static void expect_bwd(kpw_taint_scratch *s, kpw_taint_method me, kpw_fee_policy po,
                       const int64_t *v, uint32_t n, const int64_t *w, const int64_t *mk,
                       uint32_t m, const int64_t *t_exp) {
  int64_t t[16];
  assert_true(n <= 16);
  assert_int_equal(kpw_taint_backward(s, me, po, v, n, w, mk, m, t), KPW_OK);
  for (uint32_t i = 0; i < n; i++)
    if (t[i] != t_exp[i])
      fail_msg("backward %s/%s: input %u marked %lld, expected %lld", kpw_taint_method_name(me),
               kpw_fee_policy_name(po), i, (long long)t[i], (long long)t_exp[i]);
}

/* ------------------------------------------------------------ names */

static void test_names(void **state) {
  (void)state;
  kpw_taint_method m = KPW_TAINT_POISON;
  kpw_fee_policy p = KPW_FEE_TO_MINER;
  for (int k = 0; k < NM; k++) {
    assert_true(kpw_taint_method_parse(kpw_taint_method_name(METHODS[k]), &m));
    assert_int_equal(m, METHODS[k]);
  }
  assert_string_equal(kpw_taint_method_name(KPW_TAINT_TIHO), "tiho");
  assert_true(kpw_taint_method_parse("FIFO", &m));
  assert_int_equal(m, KPW_TAINT_FIFO);
  assert_false(kpw_taint_method_parse("fifo ", &m));
  assert_false(kpw_taint_method_parse("", &m));
  assert_false(kpw_taint_method_parse(NULL, &m));
  assert_int_equal(m, KPW_TAINT_FIFO);
  assert_string_equal(kpw_taint_method_name((kpw_taint_method)9), "unknown");
  assert_true(kpw_fee_policy_parse("pro-rata", &p));
  assert_int_equal(p, KPW_FEE_PRO_RATA);
  assert_true(kpw_fee_policy_parse("to-miner", &p));
  assert_int_equal(p, KPW_FEE_TO_MINER);
  assert_false(kpw_fee_policy_parse("to_miner", &p));
  assert_string_equal(kpw_fee_policy_name(KPW_FEE_PRO_RATA), "pro-rata");
  assert_string_equal(kpw_fee_policy_name((kpw_fee_policy)5), "unknown");
}

/* ------------------------------------------------------------ bad input */

static void test_errors(void **state) {
  (void)state;
  kpw_taint_scratch *s = kpw_taint_scratch_new();
  assert_non_null(s);
  int64_t v[2] = {5, 5}, t[2] = {1, 1}, w[2] = {4, 4}, u[2] = {77, 77}, f = 77;
  /* negative fee */
  int64_t wbig[2] = {6, 5};
  assert_int_equal(kpw_taint_forward(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, t, 2, wbig, 2, u, &f),
                   KPW_EINPUT);
  assert_non_null(strstr(kpw_taint_scratch_error(s), "negative fee"));
  assert_int_equal(u[0], 77);   /* untouched on failure */
  assert_int_equal(f, 77);
  /* taint > value, negative taint, negative values */
  int64_t tbad[2] = {1, 6};
  assert_int_equal(kpw_taint_forward(s, KPW_TAINT_HAIRCUT, KPW_FEE_TO_MINER, v, tbad, 2, w, 2, u, &f),
                   KPW_EINPUT);
  assert_non_null(strstr(kpw_taint_scratch_error(s), "input 1"));
  int64_t tneg[2] = {-1, 0};
  assert_int_equal(kpw_taint_forward(s, KPW_TAINT_HAIRCUT, KPW_FEE_TO_MINER, v, tneg, 2, w, 2, u, &f),
                   KPW_EINPUT);
  int64_t vneg[2] = {-5, 20};
  assert_int_equal(kpw_taint_forward(s, KPW_TAINT_POISON, KPW_FEE_TO_MINER, vneg, t, 2, w, 2, u, &f),
                   KPW_EINPUT);
  int64_t wneg[2] = {-1, 4};
  assert_int_equal(kpw_taint_forward(s, KPW_TAINT_LIFO, KPW_FEE_PRO_RATA, v, t, 2, wneg, 2, u, &f),
                   KPW_EINPUT);
  assert_non_null(strstr(kpw_taint_scratch_error(s), "output 0"));
  /* overflowing sums */
  int64_t vhuge[2] = {INT64_MAX, 1}, thuge[2] = {0, 0};
  assert_int_equal(kpw_taint_forward(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, vhuge, thuge, 2, w, 2, u, &f),
                   KPW_EINPUT);
  /* usage */
  assert_int_equal(kpw_taint_forward(s, (kpw_taint_method)7, KPW_FEE_TO_MINER, v, t, 2, w, 2, u, &f),
                   KPW_EUSAGE);
  assert_int_equal(kpw_taint_forward(s, KPW_TAINT_FIFO, (kpw_fee_policy)3, v, t, 2, w, 2, u, &f),
                   KPW_EUSAGE);
  assert_int_equal(kpw_taint_forward(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, t, 2, w, 2, u, NULL),
                   KPW_EUSAGE);
  assert_int_equal(kpw_taint_forward(NULL, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, t, 2, w, 2, u, &f),
                   KPW_EUSAGE);
  /* backward: marked > value, negative fee */
  int64_t mk[2] = {5, 0}, im[2];
  assert_int_equal(kpw_taint_backward(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, 2, w, mk, 2, im),
                   KPW_EINPUT);
  assert_non_null(strstr(kpw_taint_scratch_error(s), "marked"));
  int64_t mk2[2] = {1, 0};
  assert_int_equal(kpw_taint_backward(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, 2, wbig, mk2, 2, im),
                   KPW_EINPUT);
  /* spread: negative amount, taint above value */
  int64_t cbv[2] = {3, 4}, cbt[2] = {4, 0}, un;
  assert_int_equal(kpw_taint_spread(s, -1, cbv, 2, cbt, &un), KPW_EINPUT);
  assert_int_equal(kpw_taint_spread(s, 1, cbv, 2, cbt, &un), KPW_EINPUT);
  /* and a good call clears the message */
  assert_int_equal(kpw_taint_forward(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, t, 2, w, 2, u, &f),
                   KPW_OK);
  assert_string_equal(kpw_taint_scratch_error(s), "");
  kpw_taint_scratch_free(s);
  kpw_taint_scratch_free(NULL);
}

/* ------------------------------------------------------------ hand examples */

/* Example C: v = [4, 5, 3], t = [0, 2, 3] (V = 12, T = 5); w = [4, 6, 0]
** (W = 10, F = 2); output 2 is a zero-value (OP_RETURN) output. */
static void test_example_c(void **state) {
  (void)state;
  kpw_taint_scratch *s = kpw_taint_scratch_new();
  const int64_t v[] = {4, 5, 3}, t[] = {0, 2, 3}, w[] = {4, 6, 0};
  /* poison: u = w, f = F */
  for (int p = 0; p < NP; p++)
    expect_fwd(s, KPW_TAINT_POISON, POLICIES[p], v, t, 3, w, 3, (int64_t[]){4, 6, 0}, 2);
  /* haircut: floor(4*5/12) = 1, floor(6*5/12) = 2, 0; f = floor(2*5/12) = 0;
  ** R = 2 -> outputs by value: 1 (6), 0 (4) -> [2, 3, 0], f = 0. */
  for (int p = 0; p < NP; p++)
    expect_fwd(s, KPW_TAINT_HAIRCUT, POLICIES[p], v, t, 3, w, 3, (int64_t[]){2, 3, 0}, 0);
  /* to-miner, runs CCCC | DDCCC | DDD.
  ** fifo: CCCC DDCCC DDD; out0 CCCC 0, out1 DDCCCD 3, fee DD 2. */
  expect_fwd(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, t, 3, w, 3, (int64_t[]){0, 3, 0}, 2);
  /* lifo: DDD DDCCC CCCC; out0 DDDD 4, out1 DCCCCC 1, fee CC 0. */
  expect_fwd(s, KPW_TAINT_LIFO, KPW_FEE_TO_MINER, v, t, 3, w, 3, (int64_t[]){4, 1, 0}, 0);
  /* tiho: inputs 1, 2 (tainted) then 0: DDCCC DDD CCCC; outputs 1, 0, 2:
  ** out1 DDCCCD 3, out0 DDCC 2, fee CC 0. */
  expect_fwd(s, KPW_TAINT_TIHO, KPW_FEE_TO_MINER, v, t, 3, w, 3, (int64_t[]){2, 3, 0}, 0);
  /* pro-rata: phi = floor(2*[4,5,3]/12) = [0,0,0], remainder 2 to inputs by
  ** value: 1 (5), 0 (4) -> phi = [1,1,0]; dirty fee floor(1*0/4) = 0,
  ** floor(1*2/5) = 0 -> f = 0; runs CCC | DDCC | DDD (total 10 = W).
  ** fifo: CCC DDCC DDD; out0 CCCD 1, out1 DCCDDD 4. */
  expect_fwd(s, KPW_TAINT_FIFO, KPW_FEE_PRO_RATA, v, t, 3, w, 3, (int64_t[]){1, 4, 0}, 0);
  /* lifo: DDD DDCC CCC; out0 DDDD 4, out1 DCCCCC 1. */
  expect_fwd(s, KPW_TAINT_LIFO, KPW_FEE_PRO_RATA, v, t, 3, w, 3, (int64_t[]){4, 1, 0}, 0);
  /* tiho: DDCC DDD CCC; out1 DDCCDD 4, out0 DCCC 1. */
  expect_fwd(s, KPW_TAINT_TIHO, KPW_FEE_PRO_RATA, v, t, 3, w, 3, (int64_t[]){1, 4, 0}, 0);
  kpw_taint_scratch_free(s);
}

/* Example D: v = [10, 10, 5], t = [10, 4, 0] (V = 25, T = 14);
** w = [3, 7, 7] (W = 17, F = 8): equal-value inputs and outputs (ties). */
static void test_example_d(void **state) {
  (void)state;
  kpw_taint_scratch *s = kpw_taint_scratch_new();
  const int64_t v[] = {10, 10, 5}, t[] = {10, 4, 0}, w[] = {3, 7, 7};
  for (int p = 0; p < NP; p++)
    expect_fwd(s, KPW_TAINT_POISON, POLICIES[p], v, t, 3, w, 3, (int64_t[]){3, 7, 7}, 8);
  /* haircut: floor(42/25)=1, floor(98/25)=3, 3, f = floor(112/25) = 4;
  ** R = 3 -> outputs 1, 2 (tie: lower index first), 0 -> [2,4,4], f = 4. */
  for (int p = 0; p < NP; p++)
    expect_fwd(s, KPW_TAINT_HAIRCUT, POLICIES[p], v, t, 3, w, 3, (int64_t[]){2, 4, 4}, 4);
  /* to-miner runs D10 | D4 C6 | C5.
  ** fifo: out0 DDD 3, out1 D7 7, out2 D4 CCC 4, fee C8 0. */
  expect_fwd(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, t, 3, w, 3, (int64_t[]){3, 7, 4}, 0);
  /* lifo: C5 D4C6 D10; out0 CCC 0, out1 CC DDDD C 4, out2 CCCCC DD 2,
  ** fee D8 8. */
  expect_fwd(s, KPW_TAINT_LIFO, KPW_FEE_TO_MINER, v, t, 3, w, 3, (int64_t[]){0, 4, 2}, 8);
  /* tiho: queue as fifo; outputs 1, 2, 0: out1 D7, out2 D3 D4 7, out0 CCC,
  ** fee C8. */
  expect_fwd(s, KPW_TAINT_TIHO, KPW_FEE_TO_MINER, v, t, 3, w, 3, (int64_t[]){0, 7, 7}, 0);
  /* pro-rata: phi = floor(8*[10,10,5]/25) = [3,3,1], remainder 1 to input 0
  ** (tie with input 1: lower index) -> [4,3,1]; dirty fee floor(4*10/10) = 4,
  ** floor(3*4/10) = 1, 0 -> f = 5; runs D6 | D3 C4 | C4 (17 = W).
  ** fifo: out0 DDD 3, out1 DDD DDD C 6, out2 C7 0. */
  expect_fwd(s, KPW_TAINT_FIFO, KPW_FEE_PRO_RATA, v, t, 3, w, 3, (int64_t[]){3, 6, 0}, 5);
  /* lifo: C4 D3C4 D6; out0 CCC 0, out1 C DDD CCC 3, out2 C D6 6. */
  expect_fwd(s, KPW_TAINT_LIFO, KPW_FEE_PRO_RATA, v, t, 3, w, 3, (int64_t[]){0, 3, 6}, 5);
  /* tiho: queue as fifo, outputs 1, 2, 0: out1 D7 7, out2 DD C5 2, out0 0. */
  expect_fwd(s, KPW_TAINT_TIHO, KPW_FEE_PRO_RATA, v, t, 3, w, 3, (int64_t[]){0, 7, 2}, 5);
  kpw_taint_scratch_free(s);
}

/* Haircut remainder ties; a tx with no outputs; no taint; full taint. */
static void test_edge_cases(void **state) {
  (void)state;
  kpw_taint_scratch *s = kpw_taint_scratch_new();
  /* v = [12], t = [5], w = [2, 5, 5], F = 0: floor(10/12)=0, floor(25/12)=2,
  ** 2; R = 1 -> output 1 (tie 5/5, lower index) -> [0, 3, 2]. */
  {
    const int64_t v[] = {12}, t[] = {5}, w[] = {2, 5, 5};
    for (int p = 0; p < NP; p++)
      expect_fwd(s, KPW_TAINT_HAIRCUT, POLICIES[p], v, t, 1, w, 3, (int64_t[]){0, 3, 2}, 0);
    /* T = 7: floors 1, 2, 2; R = 2 -> outputs 1 and 2 -> [1, 3, 3]. */
    const int64_t t7[] = {7};
    expect_fwd(s, KPW_TAINT_HAIRCUT, KPW_FEE_TO_MINER, v, t7, 1, w, 3, (int64_t[]){1, 3, 3}, 0);
  }
  /* Zero-value outputs first in serialization order and tied with each
  ** other: v = [10], t = [9], w = [0, 0, 3, 3, 3] (F = 1): floors 0,0,2,2,2,
  ** f = floor(9/10) = 0, R = 3 -> outputs 2, 3, 4 -> [0,0,3,3,3]. */
  {
    const int64_t v[] = {10}, t[] = {9}, w[] = {0, 0, 3, 3, 3};
    expect_fwd(s, KPW_TAINT_HAIRCUT, KPW_FEE_PRO_RATA, v, t, 1, w, 5, (int64_t[]){0, 0, 3, 3, 3}, 0);
    /* fifo: D9 C1 -> zero outputs take nothing; 3,3,3 dirty; fee C. */
    expect_fwd(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, t, 1, w, 5, (int64_t[]){0, 0, 3, 3, 3}, 0);
    /* tiho outputs 2, 3, 4, 0, 1 -> the same. */
    expect_fwd(s, KPW_TAINT_TIHO, KPW_FEE_TO_MINER, v, t, 1, w, 5, (int64_t[]){0, 0, 3, 3, 3}, 0);
    /* pro-rata: phi = 1, dirty fee floor(1*9/10) = 0; run D9 -> all dirty. */
    expect_fwd(s, KPW_TAINT_FIFO, KPW_FEE_PRO_RATA, v, t, 1, w, 5, (int64_t[]){0, 0, 3, 3, 3}, 0);
  }
  /* No outputs: everything is fee, f = T under every method. */
  {
    const int64_t v[] = {7, 3}, t[] = {2, 3};
    int64_t dummy = 0;
    for (int k = 1; k < NM; k++)
      for (int p = 0; p < NP; p++) expect_fwd(s, METHODS[k], POLICIES[p], v, t, 2, &dummy, 0, NULL, 5);
    expect_fwd(s, KPW_TAINT_POISON, KPW_FEE_TO_MINER, v, t, 2, &dummy, 0, NULL, 10);
  }
  /* No taint: left alone, even poison. Full taint: u = w, f = F. */
  {
    const int64_t v[] = {6, 9, 1}, t0[] = {0, 0, 0}, tf[] = {6, 9, 1}, w[] = {5, 0, 7};
    for (int k = 0; k < NM; k++)
      for (int p = 0; p < NP; p++) {
        expect_fwd(s, METHODS[k], POLICIES[p], v, t0, 3, w, 3, (int64_t[]){0, 0, 0}, 0);
        expect_fwd(s, METHODS[k], POLICIES[p], v, tf, 3, w, 3, (int64_t[]){5, 0, 7}, 4);
      }
  }
  /* Pro-rata remainder skips a zero-value input and ties by index:
  ** v = [0, 3, 3], t = [0, 3, 0], w = [2] (F = 4): phi = floor(4*3/6) = 2,
  ** 2 -> remainder 0; dirty fee floor(2*3/3) = 2 -> f = 2; runs -, D1, C1;
  ** fifo: out0 DC -> 1; lifo: CD -> 1; tiho: DC -> 1. */
  {
    const int64_t v[] = {0, 3, 3}, t[] = {0, 3, 0}, w[] = {2};
    expect_fwd(s, KPW_TAINT_FIFO, KPW_FEE_PRO_RATA, v, t, 3, w, 1, (int64_t[]){1}, 2);
    expect_fwd(s, KPW_TAINT_LIFO, KPW_FEE_PRO_RATA, v, t, 3, w, 1, (int64_t[]){1}, 2);
    /* F = 3 (w = [3]): phi = floor(3*3/6) = 1, 1; remainder 1 -> input 1
    ** (tie 3/3, lower index; input 0 has no room) -> phi = [0, 2, 1];
    ** dirty fee floor(2*3/3) = 2, 0 -> f = 2; runs D1 | C2. fifo: D C C 1. */
    const int64_t w3[] = {3};
    expect_fwd(s, KPW_TAINT_FIFO, KPW_FEE_PRO_RATA, v, t, 3, w3, 1, (int64_t[]){1}, 2);
    /* lifo: C2 D1 -> out0 CCD 1, f = 2. */
    expect_fwd(s, KPW_TAINT_LIFO, KPW_FEE_PRO_RATA, v, t, 3, w3, 1, (int64_t[]){1}, 2);
    /* to-miner fifo: runs - | DDD | CCC, out0 DDD 3, fee CCC 0;
    ** lifo: CCC DDD -> out0 0, fee 3. */
    expect_fwd(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, t, 3, w3, 1, (int64_t[]){3}, 0);
    expect_fwd(s, KPW_TAINT_LIFO, KPW_FEE_TO_MINER, v, t, 3, w3, 1, (int64_t[]){0}, 3);
  }
  /* tiho input order: clean inputs keep serialization order after the
  ** tainted ones. v = [2, 2, 2, 2], t = [0, 1, 0, 2], w = [1, 3, 3] (F = 1):
  ** queue (to-miner) DC | DD | CC | CC; outputs 1, 2 (tie), 0:
  ** out1 DCD 2, out2 DCC 1, out0 C 0, fee C 0. */
  {
    const int64_t v[] = {2, 2, 2, 2}, t[] = {0, 1, 0, 2}, w[] = {1, 3, 3};
    expect_fwd(s, KPW_TAINT_TIHO, KPW_FEE_TO_MINER, v, t, 4, w, 3, (int64_t[]){0, 2, 1}, 0);
  }
  kpw_taint_scratch_free(s);
}

static void test_backward_examples(void **state) {
  (void)state;
  kpw_taint_scratch *s = kpw_taint_scratch_new();
  /* Example D's transaction: v = [10, 10, 5], w = [3, 7, 7], F = 8. */
  const int64_t v[] = {10, 10, 5}, w[] = {3, 7, 7};
  const int64_t all[] = {3, 7, 7}, some[] = {1, 0, 2}, none[] = {0, 0, 0};
  /* to-miner positions: in0 [0,10) in1 [10,20) in2 [20,25); fifo outputs
  ** out0 [0,3) out1 [3,10) out2 [10,17). */
  expect_bwd(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, 3, w, all, 3, (int64_t[]){10, 7, 0});
  /* marked [0,1) and [10,12) */
  expect_bwd(s, KPW_TAINT_FIFO, KPW_FEE_TO_MINER, v, 3, w, some, 3, (int64_t[]){1, 2, 0});
  /* lifo: in2 [0,5) in1 [5,15) in0 [15,25); marked [0,1) [10,12). */
  expect_bwd(s, KPW_TAINT_LIFO, KPW_FEE_TO_MINER, v, 3, w, some, 3, (int64_t[]){0, 2, 1});
  expect_bwd(s, KPW_TAINT_LIFO, KPW_FEE_TO_MINER, v, 3, w, all, 3, (int64_t[]){2, 10, 5});
  /* tiho: inputs in order, outputs 1 [0,7) 2 [7,14) 0 [14,17);
  ** marked [7,9) and [14,15). */
  expect_bwd(s, KPW_TAINT_TIHO, KPW_FEE_TO_MINER, v, 3, w, some, 3, (int64_t[]){2, 1, 0});
  /* pro-rata: phi = [4,3,1], runs 6, 7, 4 (17 = W): fully marked outputs
  ** take every remaining run. */
  expect_bwd(s, KPW_TAINT_FIFO, KPW_FEE_PRO_RATA, v, 3, w, all, 3, (int64_t[]){6, 7, 4});
  expect_bwd(s, KPW_TAINT_LIFO, KPW_FEE_PRO_RATA, v, 3, w, all, 3, (int64_t[]){6, 7, 4});
  expect_bwd(s, KPW_TAINT_TIHO, KPW_FEE_PRO_RATA, v, 3, w, all, 3, (int64_t[]){6, 7, 4});
  /* fifo pro-rata: in0 [0,6) in1 [6,13) in2 [13,17); marked [0,1) [10,12). */
  expect_bwd(s, KPW_TAINT_FIFO, KPW_FEE_PRO_RATA, v, 3, w, some, 3, (int64_t[]){1, 2, 0});
  /* lifo pro-rata: in2 [0,4) in1 [4,11) in0 [11,17); out2 [10,17) marked. */
  expect_bwd(s, KPW_TAINT_LIFO, KPW_FEE_PRO_RATA, v, 3, w, (int64_t[]){0, 0, 7}, 3,
             (int64_t[]){6, 1, 0});
  /* haircut: U = 17: floor(170/25) = 6, 6, floor(85/25) = 3; R = 2 ->
  ** inputs 0, 1 -> [7, 7, 3]. U = 3: floor(30/25) = 1, 1, 0; R = 1 -> [2,1,0]. */
  for (int p = 0; p < NP; p++) {
    expect_bwd(s, KPW_TAINT_HAIRCUT, POLICIES[p], v, 3, w, all, 3, (int64_t[]){7, 7, 3});
    expect_bwd(s, KPW_TAINT_HAIRCUT, POLICIES[p], v, 3, w, some, 3, (int64_t[]){2, 1, 0});
  }
  /* poison: any marked output marks every input fully. */
  expect_bwd(s, KPW_TAINT_POISON, KPW_FEE_TO_MINER, v, 3, w, (int64_t[]){0, 1, 0}, 3,
             (int64_t[]){10, 10, 5});
  for (int k = 0; k < NM; k++)
    for (int p = 0; p < NP; p++)
      expect_bwd(s, METHODS[k], POLICIES[p], v, 3, w, none, 3, (int64_t[]){0, 0, 0});
  kpw_taint_scratch_free(s);
}

static void test_spread(void **state) {
  (void)state;
  kpw_taint_scratch *s = kpw_taint_scratch_new();
  int64_t un = -1;
  /* 7 over [5, 5, 2]: floor(35/12) = 2, 2, floor(14/12) = 1; R = 2 ->
  ** outputs 0, 1 (tie, lower index) -> [3, 3, 1]. */
  {
    const int64_t cb[] = {5, 5, 2};
    int64_t ct[] = {0, 0, 0};
    assert_int_equal(kpw_taint_spread(s, 7, cb, 3, ct, &un), KPW_OK);
    assert_int_equal(ct[0], 3); assert_int_equal(ct[1], 3); assert_int_equal(ct[2], 1);
    assert_int_equal(un, 0);
    /* adds: another 5 -> floors 2, 2, 0 -> [5, 5, 1]; R = 1 -> output 2 (the
    ** only one with room) -> [5, 5, 2], full. */
    assert_int_equal(kpw_taint_spread(s, 5, cb, 3, ct, &un), KPW_OK);
    assert_int_equal(ct[0], 5); assert_int_equal(ct[1], 5); assert_int_equal(ct[2], 2);
    assert_int_equal(un, 0);
    /* full: nothing more fits */
    assert_int_equal(kpw_taint_spread(s, 4, cb, 3, ct, &un), KPW_OK);
    assert_int_equal(un, 4);
  }
  /* amount above the coinbase value: capped, the excess returned. */
  {
    const int64_t cb[] = {2, 0};
    int64_t ct[] = {0, 0};
    assert_int_equal(kpw_taint_spread(s, 5, cb, 2, ct, &un), KPW_OK);
    assert_int_equal(ct[0], 2); assert_int_equal(ct[1], 0); assert_int_equal(un, 3);
  }
  /* no coinbase outputs / zero amount */
  assert_int_equal(kpw_taint_spread(s, 9, NULL, 0, NULL, &un), KPW_OK);
  assert_int_equal(un, 9);
  {
    const int64_t cb[] = {1, 1};
    int64_t ct[] = {1, 0};
    assert_int_equal(kpw_taint_spread(s, 0, cb, 2, ct, &un), KPW_OK);
    assert_int_equal(un, 0); assert_int_equal(ct[1], 0);
    /* 1 over [1, 1] with output 0 full: floors 0, 0; R = 1 -> output 1. */
    assert_int_equal(kpw_taint_spread(s, 1, cb, 2, ct, &un), KPW_OK);
    assert_int_equal(ct[0], 1); assert_int_equal(ct[1], 1); assert_int_equal(un, 0);
  }
  kpw_taint_scratch_free(s);
}

/* ------------------------------------------------------------ oracle */
/* A naive satoshi-by-satoshi model of the spec, for small values only;
** deliberately written without the kernel's tricks (no sorting helper, no
** runs, round-robin remainder passes). */

#define OMAX 64      /* inputs / outputs */
#define OSAT 4096    /* satoshis in one transaction */

/* k-th target in descending val order, ties lower index (selection). */
static void o_desc_order(const int64_t *val, uint32_t k, uint32_t *ord) {
  bool used[OMAX] = {false};
  for (uint32_t q = 0; q < k; q++) {
    int best = -1;
    for (uint32_t i = 0; i < k; i++)
      if (!used[i] && (best < 0 || val[i] > val[best])) best = (int)i;
    used[best] = true;
    ord[q] = (uint32_t)best;
  }
}

/* The remainder rule read as repeated passes; returns what is left. */
static int64_t o_remainder(const int64_t *val, int64_t *have, uint32_t k, int64_t rem) {
  uint32_t ord[OMAX];
  o_desc_order(val, k, ord);
  bool progress = true;
  while (rem > 0 && progress) {
    progress = false;
    for (uint32_t q = 0; q < k && rem > 0; q++)
      if (have[ord[q]] < val[ord[q]]) { have[ord[q]]++; rem--; progress = true; }
  }
  return rem;
}

static void o_forward(kpw_taint_method me, kpw_fee_policy po, const int64_t *v, const int64_t *t,
                      uint32_t n, const int64_t *w, uint32_t m, int64_t *u, int64_t *f) {
  int64_t V = sum64(v, n), W = sum64(w, m), T = sum64(t, n), F = V - W;
  for (uint32_t j = 0; j < m; j++) u[j] = 0;
  *f = 0;
  if (T == 0) return;
  if (me == KPW_TAINT_POISON) {
    for (uint32_t j = 0; j < m; j++) u[j] = w[j];
    *f = F;
    return;
  }
  if (me == KPW_TAINT_HAIRCUT) {
    int64_t s = 0;
    for (uint32_t j = 0; j < m; j++) { u[j] = w[j] * T / V; s += u[j]; }
    *f = F * T / V;
    *f += o_remainder(w, u, m, T - s - *f);
    return;
  }
  /* each input as an explicit list of satoshis, 1 = dirty */
  static unsigned char sat[OMAX][OSAT];
  int64_t len[OMAX];
  int64_t fee_dirty = 0;
  int64_t phi[OMAX] = {0};
  if (po == KPW_FEE_PRO_RATA) {
    int64_t s = 0;
    for (uint32_t i = 0; i < n; i++) { phi[i] = F * v[i] / V; s += phi[i]; }
    assert_int_equal(o_remainder(v, phi, n, F - s), 0);
  }
  for (uint32_t i = 0; i < n; i++) {
    int64_t d = t[i], c = v[i] - t[i];
    if (po == KPW_FEE_PRO_RATA && phi[i] > 0) {
      int64_t df = phi[i] * t[i] / v[i];
      fee_dirty += df;
      d -= df;
      c -= phi[i] - df;
    }
    len[i] = d + c;
    for (int64_t x = 0; x < len[i]; x++) sat[i][x] = x < d;
  }
  uint32_t io[OMAX], oo[OMAX], k = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (me == KPW_TAINT_FIFO) io[k++] = i;
    else if (me == KPW_TAINT_LIFO) io[k++] = n - 1 - i;
    else if (t[i] > 0) io[k++] = i;
  }
  if (me == KPW_TAINT_TIHO)
    for (uint32_t i = 0; i < n; i++) if (t[i] == 0) io[k++] = i;
  if (me == KPW_TAINT_TIHO) o_desc_order(w, m, oo);
  else for (uint32_t j = 0; j < m; j++) oo[j] = j;
  static unsigned char q[OSAT];
  int64_t ql = 0;
  for (uint32_t a = 0; a < n; a++)
    for (int64_t x = 0; x < len[io[a]]; x++) q[ql++] = sat[io[a]][x];
  int64_t pos = 0;
  for (uint32_t b = 0; b < m; b++)
    for (int64_t x = 0; x < w[oo[b]]; x++) u[oo[b]] += q[pos++];
  if (po == KPW_FEE_TO_MINER) {
    assert_int_equal(ql - pos, F);
    for (; pos < ql; pos++) *f += q[pos];
  } else {
    assert_int_equal(ql, pos);
    *f = fee_dirty;
  }
}

static void o_backward(kpw_taint_method me, kpw_fee_policy po, const int64_t *v, uint32_t n,
                       const int64_t *w, const int64_t *mk, uint32_t m, int64_t *r) {
  int64_t V = sum64(v, n), W = sum64(w, m), U = sum64(mk, m), F = V - W;
  for (uint32_t i = 0; i < n; i++) r[i] = 0;
  if (U == 0) return;
  if (me == KPW_TAINT_POISON) {
    for (uint32_t i = 0; i < n; i++) r[i] = v[i];
    return;
  }
  if (me == KPW_TAINT_HAIRCUT) {
    int64_t s = 0;
    for (uint32_t i = 0; i < n; i++) { r[i] = v[i] * U / V; s += r[i]; }
    assert_int_equal(o_remainder(v, r, n, U - s), 0);
    return;
  }
  int64_t phi[OMAX] = {0};
  if (po == KPW_FEE_PRO_RATA) {
    int64_t s = 0;
    for (uint32_t i = 0; i < n; i++) { phi[i] = F * v[i] / V; s += phi[i]; }
    o_remainder(v, phi, n, F - s);
  }
  static uint32_t owner[OSAT];   /* the input each queued satoshi came from */
  int64_t ql = 0;
  for (uint32_t a = 0; a < n; a++) {
    uint32_t i = me == KPW_TAINT_LIFO ? n - 1 - a : a;
    for (int64_t x = 0; x < v[i] - phi[i]; x++) owner[ql++] = i;
  }
  uint32_t oo[OMAX];
  if (me == KPW_TAINT_TIHO) o_desc_order(w, m, oo);
  else for (uint32_t j = 0; j < m; j++) oo[j] = j;
  int64_t pos = 0;
  for (uint32_t b = 0; b < m; b++)
    for (int64_t x = 0; x < w[oo[b]]; x++, pos++)
      if (x < mk[oo[b]]) r[owner[pos]]++;
}

/* ------------------------------------------------------------ properties */

static uint64_t rng_state;
static uint64_t rnd(void) {   /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static int64_t rnd_to(int64_t hi) {   /* uniform-ish in [0, hi] */
  return hi <= 0 ? 0 : (int64_t)(rnd() % ((uint64_t)hi + 1));
}

/* A random transaction. small: values <= 40 and few inputs/outputs (for
** the oracle); otherwise values up to 21e14 (MAX_MONEY) or tiny, and up to
** 40 inputs/outputs. Value ties, zero-value outputs and inputs, zero fees,
** clean, fully tainted and partly tainted inputs all occur often. */
static void gen_tx(bool small, int64_t *v, int64_t *t, uint32_t *n, int64_t *w, uint32_t *m) {
  uint32_t nmax = small ? 6 : 40, mmax = small ? 6 : 40;
  *n = 1 + (uint32_t)(rnd() % nmax);
  *m = (uint32_t)(rnd() % (mmax + 1));
  int64_t vmax = small ? 40 : ((rnd() & 1) ? 2100000000000000LL : 1000);
  int64_t pal[3] = {rnd_to(vmax), rnd_to(vmax), rnd_to(vmax)};   /* for ties */
  int tmode = (int)(rnd() % 6);   /* 0: clean tx, 1: full, else mixed */
  int64_t V = 0;
  for (uint32_t i = 0; i < *n; i++) {
    v[i] = (rnd() % 3 == 0) ? pal[rnd() % 3] : rnd_to(vmax);
    if (rnd() % 20 == 0) v[i] = 0;
    int r = (int)(rnd() % 4);
    t[i] = tmode == 0 ? 0 : tmode == 1 ? v[i] : r == 0 ? 0 : r == 1 ? v[i] : rnd_to(v[i]);
    V += v[i];
  }
  /* fee: zero, small, or anything up to V */
  int fr = (int)(rnd() % 4);
  int64_t F = fr == 0 ? 0 : fr == 1 ? rnd_to(V < 10 ? V : 10) : rnd_to(V);
  int64_t W = *m ? V - F : 0;
  /* split W into m parts: cut points, with repeats giving zeros and ties */
  int64_t left = W;
  for (uint32_t j = 0; j < *m; j++) {
    if (j + 1 == *m) { w[j] = left; break; }
    int r = (int)(rnd() % 5);
    w[j] = r == 0 ? 0 : r == 1 ? (left / (*m - j)) : rnd_to(left / 2 + 1 > left ? left : left / 2 + 1);
    if (w[j] > left) w[j] = left;
    left -= w[j];
  }
}

static void test_properties(void **state) {
  (void)state;
  enum { N_TX = 120000 };
  kpw_taint_scratch *s = kpw_taint_scratch_new();
  assert_non_null(s);
  rng_state = 0x6b70772d7461696eULL;   /* fixed seed: "kpw-tain" */
  int64_t v[64], t[64], w[64], u[64], uo[64], hu[NP][64], hf[NP], mk[64], im[64], io[64], one[64];
  long oracle_checked = 0, remainders = 0;
  for (long x = 0; x < N_TX; x++) {
    bool small = x % 2 == 0;
    uint32_t n, m;
    gen_tx(small, v, t, &n, w, &m);
    int64_t V = sum64(v, n), W = sum64(w, m), T = sum64(t, n), F = V - W;
    bool full = T == V;
    for (int k = 0; k < NM; k++)
      for (int p = 0; p < NP; p++) {
        kpw_taint_method me = METHODS[k];
        kpw_fee_policy po = POLICIES[p];
        int64_t f = -1;
        assert_int_equal(kpw_taint_forward(s, me, po, v, t, n, w, m, u, &f), KPW_OK);
        /* bounds */
        assert_true(f >= 0 && f <= F);
        for (uint32_t j = 0; j < m; j++) assert_true(u[j] >= 0 && u[j] <= w[j]);
        /* conservation (all but poison); T = 0 left alone */
        if (me != KPW_TAINT_POISON) assert_int_equal(sum64(u, m) + f, T);
        if (T == 0) {
          assert_int_equal(f, 0);
          for (uint32_t j = 0; j < m; j++) assert_int_equal(u[j], 0);
        } else if (me == KPW_TAINT_POISON) {
          assert_int_equal(f, F);
          for (uint32_t j = 0; j < m; j++) assert_int_equal(u[j], w[j]);
        }
        /* fully tainted inputs: every method gives u = w (and f = F) */
        if (full && V > 0) {
          for (uint32_t j = 0; j < m; j++) assert_int_equal(u[j], w[j]);
          assert_int_equal(f, F);
        }
        if (me == KPW_TAINT_HAIRCUT) {
          /* u_j is its pro-rata floor or one more; the same for both policies */
          for (uint32_t j = 0; j < m && T > 0; j++) {
            int64_t fl = (int64_t)((unsigned __int128)w[j] * (unsigned __int128)T / (unsigned __int128)V);
            assert_true(u[j] == fl || u[j] == fl + 1);
            remainders += u[j] != fl;
          }
          memcpy(hu[p], u, m * sizeof *u);
          hf[p] = f;
          if (p == 1) {
            assert_memory_equal(hu[0], hu[1], m * sizeof *u);
            assert_int_equal(hf[0], hf[1]);
          }
        }
        if (small) {
          int64_t fo = -1;
          o_forward(me, po, v, t, n, w, m, uo, &fo);
          for (uint32_t j = 0; j < m; j++)
            if (u[j] != uo[j])
              fail_msg("tx %ld %s/%s output %u: kernel %lld, oracle %lld", x,
                       kpw_taint_method_name(me), kpw_fee_policy_name(po), j, (long long)u[j],
                       (long long)uo[j]);
          assert_int_equal(f, fo);
          oracle_checked++;
        }

        /* backward with random marks: sum and bounds, and the oracle */
        for (uint32_t j = 0; j < m; j++) mk[j] = (rnd() & 1) ? rnd_to(w[j]) : 0;
        int64_t U = sum64(mk, m);
        assert_int_equal(kpw_taint_backward(s, me, po, v, n, w, mk, m, im), KPW_OK);
        for (uint32_t i = 0; i < n; i++) assert_true(im[i] >= 0 && im[i] <= v[i]);
        if (me == KPW_TAINT_POISON) {
          for (uint32_t i = 0; i < n; i++) assert_int_equal(im[i], U > 0 ? v[i] : 0);
        } else {
          assert_int_equal(sum64(im, n), U);
        }
        if (small) {
          o_backward(me, po, v, n, w, mk, m, io);
          assert_memory_equal(im, io, n * sizeof *im);
        }
        /* all outputs fully marked */
        assert_int_equal(kpw_taint_backward(s, me, po, v, n, w, w, m, im), KPW_OK);
        if (me == KPW_TAINT_HAIRCUT && W > 0) {
          /* in_marked = floor(v_i W / V) + remainder (0 or 1, by the
          ** remainder rule: descending value, ties lower index) */
          int64_t fl[64], rem = W;
          for (uint32_t i = 0; i < n; i++) {
            fl[i] = (int64_t)((unsigned __int128)v[i] * (unsigned __int128)W / (unsigned __int128)V);
            rem -= fl[i];
          }
          uint32_t ord[64];
          for (uint32_t i = 0; i < n; i++) ord[i] = i;
          for (uint32_t a = 1; a < n; a++)   /* insertion sort, value desc, index asc */
            for (uint32_t b = a; b > 0 && v[ord[b]] > v[ord[b - 1]]; b--) {
              uint32_t tmp = ord[b]; ord[b] = ord[b - 1]; ord[b - 1] = tmp;
            }
          for (uint32_t q = 0; q < n && rem > 0; q++)
            if (fl[ord[q]] < v[ord[q]]) { fl[ord[q]]++; rem--; }
          assert_int_equal(rem, 0);
          assert_memory_equal(im, fl, n * sizeof *im);
        }
        /* duality (fifo, lifo): with every output marked, the satoshis
        ** credited to input i are the output taint forward gives when only
        ** input i is tainted, fully. */
        if ((me == KPW_TAINT_FIFO || me == KPW_TAINT_LIFO) && n > 0) {
          uint32_t i = (uint32_t)(rnd() % n);
          memset(one, 0, n * sizeof *one);
          one[i] = v[i];
          assert_int_equal(kpw_taint_forward(s, me, po, v, one, n, w, m, u, &f), KPW_OK);
          assert_int_equal(sum64(u, m), im[i]);
        }
      }
  }
  print_message("taint properties: %d transactions, %ld oracle comparisons, %ld haircut "
                "remainder satoshis\n", N_TX, oracle_checked, remainders);
  assert_true(remainders > 1000);   /* the remainder rule was exercised */
  kpw_taint_scratch_free(s);
}

/* ------------------------------------------------------------ size */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_big_tx(void **state) {
  (void)state;
  enum { K = 100000 };
  int64_t *v = malloc(K * sizeof *v), *t = malloc(K * sizeof *t), *w = malloc(K * sizeof *w);
  int64_t *u = malloc(K * sizeof *u), *im = malloc(K * sizeof *im);
  assert_true(v && t && w && u && im);
  rng_state = 12345;
  int64_t V = 0;
  for (int i = 0; i < K; i++) {
    v[i] = 1 + rnd_to(100000000);
    t[i] = (i % 3 == 0) ? v[i] : (i % 3 == 1) ? 0 : rnd_to(v[i]);
    V += v[i];
  }
  int64_t F = 12345, left = V - F;
  for (int j = 0; j < K; j++) {   /* many equal values: ties for tiho */
    w[j] = j + 1 == K ? left : (j % 2 ? 5000 : rnd_to(left / (K - j)));
    left -= w[j];
  }
  kpw_taint_scratch *s = kpw_taint_scratch_new();
  double t0 = now_s();
  for (int k = 0; k < NM; k++)
    for (int p = 0; p < NP; p++) {
      int64_t f;
      assert_int_equal(kpw_taint_forward(s, METHODS[k], POLICIES[p], v, t, K, w, K, u, &f), KPW_OK);
      if (METHODS[k] != KPW_TAINT_POISON) assert_int_equal(sum64(u, K) + f, sum64(t, K));
      assert_int_equal(kpw_taint_backward(s, METHODS[k], POLICIES[p], v, K, w, w, K, im), KPW_OK);
      if (METHODS[k] != KPW_TAINT_POISON) assert_int_equal(sum64(im, K), V - F);
    }
  double dt = now_s() - t0;
  print_message("taint: 100,000 x 100,000 tx, 10 forward + 10 backward calls in %.3f s\n", dt);
  assert_true(dt < 10.0);   /* quadratic would take minutes */
  kpw_taint_scratch_free(s);
  free(v); free(t); free(w); free(u); free(im);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_example_c),
    cmocka_unit_test(test_example_d),
    cmocka_unit_test(test_edge_cases),
    cmocka_unit_test(test_backward_examples),
    cmocka_unit_test(test_spread),
    cmocka_unit_test(test_properties),
    cmocka_unit_test(test_big_tx),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
