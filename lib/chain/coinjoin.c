/*
** coinjoin.c -- structural CoinJoin detectors (kpw_coinjoin_*), used to keep
** CoinJoin transactions out of common-input clustering (cluster.c).
**
** Each detector looks only at one transaction: input values and addresses
** (of the spent outputs), output values and addresses. The parameters are
** those GraphSense publishes for its transaction heuristics
** (graphsense-lib heuristics_service.py) and BlockSci's isCoinjoin
** (tx_identification.cpp), as summarised in docs/cmd-chain-cluster.md; the
** code is written from those descriptions.
**
** Conventions shared by the detectors (as in GraphSense): "inputs" and
** "outputs" mean those with an address; an input with an unknown prevout
** has neither value nor address and is ignored by the value checks. The
** BlockSci rule alone counts every output, as BlockSci does.
**
** Why several detectors: BlockSci's rule needs the most common output value
** to appear exactly (outputs + 1) / 2 times, so a 5-in/5-out Whirlpool mix
** (5 equal outputs, n = 3) and WabiSabi's many-denomination rounds pass it
** unflagged and would be clustered as one wallet.
*/
#include <stdlib.h>
#include <string.h>
#include "kpw/cluster.h"

/* ---------------------------------------------------------- parameters */
static const uint64_t WHIRLPOOL_POOLS[] = {100000, 1000000, 5000000, 50000000};
#define WHIRLPOOL_MIN_N 5
#define WHIRLPOOL_MAX_N 8
#define WHIRLPOOL_EPSILON_MAX 110000      /* input <= d + this (mining fee + pool fee share) */

#define WASABI1_DENOM 10000000u           /* 0.1 BTC */
#define WASABI1_EPSILON 500000u           /* +-5% */
#define WASABI1_MIN_INPUTS 10
#define WASABI1_MIN_PARTICIPANTS 3
#define WASABI1_MAX_INPUTS_PER_PARTICIPANT 7
#define WASABI1_SMALL_ROUND 20            /* below: reject clean N-way splits */
#define WASABI1_SPLIT_RESIDUAL 0.0001

#define WASABI2_MIN_INPUTS 20
#define WASABI2_MIN_OUTPUT 5000u
#define WASABI2_MIN_DENOM_COUNT 2         /* a value repeated this often is a denomination */
#define WASABI2_MIN_DENOMS 3              /* power-of-two schedule: >= 3 tiers in practice */

#define TOP_INPUT_SHARE_DEN 10            /* no address may own > 1/10 of the inputs */

#define JOINMARKET_DUST 2730u             /* outputs <= this are never the denomination */
#define JOINMARKET_MIN_PARTICIPANTS 3
#define JOINMARKET_LARGE_ROUND 50         /* inputs >= this: structure gates below */
#define JOINMARKET_MAX_INPUTS_PER_PARTICIPANT 20
#define JOINMARKET_MIN_OUTPUTS_PER_PARTICIPANT_X10 17

/* ------------------------------------------------------------- scratch */
void kpw_cj_scratch_free(kpw_cj_scratch *s) {
  if (!s) return;
  free(s->v);
  free(s->a);
  memset(s, 0, sizeof *s);
}

static uint64_t *scratch_v(kpw_cj_scratch *s, size_t n) {
  if (n > s->cap_v) {
    size_t cap = n < 64 ? 64 : n + n / 2;
    s->v = kpw_xrealloc(s->v, cap * sizeof *s->v);
    s->cap_v = cap;
  }
  return s->v;
}

static uint32_t *scratch_a(kpw_cj_scratch *s, size_t n) {
  if (n > s->cap_a) {
    size_t cap = n < 64 ? 64 : n + n / 2;
    s->a = kpw_xrealloc(s->a, cap * sizeof *s->a);
    s->cap_a = cap;
  }
  return s->a;
}

static int cmp_u64(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return (a > b) - (a < b);
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

/* ------------------------------------------------------------- helpers */
/* Address statistics of an address list: how many are known, how many of
** those are distinct, and the largest multiplicity of one address. */
typedef struct addr_stats { uint32_t known, distinct, max_mult; } addr_stats;

static addr_stats addr_count(const uint32_t *addrs, uint32_t n, kpw_cj_scratch *s) {
  addr_stats st = {0, 0, 0};
  uint32_t *a = scratch_a(s, n);
  for (uint32_t i = 0; i < n; i++)
    if (addrs[i] != KPW_CLUSTER_NONE) a[st.known++] = addrs[i];
  qsort(a, st.known, sizeof *a, cmp_u32);
  for (uint32_t i = 0; i < st.known;) {
    uint32_t j = i + 1;
    while (j < st.known && a[j] == a[i]) j++;
    st.distinct++;
    if (j - i > st.max_mult) st.max_mult = j - i;
    i = j;
  }
  return st;
}

/* Values of the outputs that have an address, sorted ascending, in s->v;
** returns how many. With all_outputs, every output's value. */
static uint32_t out_values_sorted(const kpw_cj_tx *tx, bool all_outputs, kpw_cj_scratch *s) {
  uint64_t *v = scratch_v(s, tx->n_out);
  uint32_t n = 0;
  for (uint32_t i = 0; i < tx->n_out; i++)
    if (all_outputs || tx->out_addrs[i] != KPW_CLUSTER_NONE) v[n++] = tx->out_values[i];
  qsort(v, n, sizeof *v, cmp_u64);
  return n;
}

/* The most frequent value of sorted v[0..n) within [lo, hi]; ties go to
** the larger value (deterministic). *count = 0 when none is in range. */
static uint64_t mode_in(const uint64_t *v, uint32_t n, uint64_t lo, uint64_t hi, uint32_t *count) {
  uint64_t best = 0;
  *count = 0;
  for (uint32_t i = 0; i < n;) {
    uint32_t j = i + 1;
    while (j < n && v[j] == v[i]) j++;
    if (v[i] >= lo && v[i] <= hi && j - i >= *count) { best = v[i]; *count = j - i; }
    i = j;
  }
  return best;
}

/* True when every output that has an address has a different one, and
** *n_addressed gets how many there are. */
static bool out_addrs_distinct(const kpw_cj_tx *tx, kpw_cj_scratch *s, uint32_t *n_addressed) {
  addr_stats st = addr_count(tx->out_addrs, tx->n_out, s);
  *n_addressed = st.known;
  return st.distinct == st.known;
}

/* No single address owns more than 1/TOP_INPUT_SHARE_DEN of the inputs. */
static bool no_dominant_input(addr_stats in) {
  return (uint64_t)in.max_mult * TOP_INPUT_SHARE_DEN <= in.known;
}

/* ----------------------------------------------------------- detectors */
/* Whirlpool: 5-8 inputs and as many outputs, every output exactly one pool
** denomination d, every known input within [d, d + 110,000], all output
** addresses distinct. */
static bool is_whirlpool(const kpw_cj_tx *tx, kpw_cj_scratch *s) {
  uint32_t n = tx->n_in;
  if (n < WHIRLPOOL_MIN_N || n > WHIRLPOOL_MAX_N || tx->n_out != n) return false;
  uint64_t d = tx->out_values[0];
  bool pool = false;
  for (size_t k = 0; k < sizeof WHIRLPOOL_POOLS / sizeof WHIRLPOOL_POOLS[0]; k++)
    if (d == WHIRLPOOL_POOLS[k]) pool = true;
  if (!pool) return false;
  for (uint32_t i = 0; i < n; i++)
    if (tx->out_values[i] != d || tx->out_addrs[i] == KPW_CLUSTER_NONE) return false;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t v = tx->in_values[i];
    if (v == KPW_CJ_VALUE_UNKNOWN) continue;
    if (v < d || v > d + WHIRLPOOL_EPSILON_MAX) return false;
  }
  uint32_t na;
  return out_addrs_distinct(tx, s, &na) && na == n;
}

/* Residual of the best N-way split of the output total into copies of the
** most frequent output value: a clean split (<= 0.01%) is a batch payout,
** not a mix of several people's change. */
static bool clean_split(const uint64_t *v, uint32_t n) {
  uint32_t c;
  uint64_t m = mode_in(v, n, 1, UINT64_MAX, &c);
  if (!c) return false;
  double tot = 0;
  for (uint32_t i = 0; i < n; i++) tot += (double)v[i];
  if (tot <= 0) return false;
  double k = (double)(uint64_t)(tot / (double)m + 0.5);
  if (k <= 0) return false;
  double r = tot - k * (double)m;
  if (r < 0) r = -r;
  return r / tot <= WASABI1_SPLIT_RESIDUAL;
}

/* Wasabi 1.x: >= 10 inputs, no dominant input address, a denomination
** within 0.1 BTC +-5% paid n >= 3 times to distinct addresses, n at least
** (outputs - 1) / 2 (one coordinator fee output besides denominations and
** change), n <= distinct input addresses <= 7 n. */
static bool is_wasabi1(const kpw_cj_tx *tx, kpw_cj_scratch *s) {
  addr_stats in = addr_count(tx->in_addrs, tx->n_in, s);
  if (in.known < WASABI1_MIN_INPUTS || !no_dominant_input(in)) return false;
  uint32_t no;
  if (!out_addrs_distinct(tx, s, &no)) return false;
  uint32_t nv = out_values_sorted(tx, false, s);
  uint32_t n;
  mode_in(s->v, nv, WASABI1_DENOM - WASABI1_EPSILON, WASABI1_DENOM + WASABI1_EPSILON, &n);
  if (n < WASABI1_MIN_PARTICIPANTS) return false;
  if (2 * (uint64_t)n + 1 < nv) return false;                 /* n >= (outs - 1) / 2 */
  if (in.distinct < n || in.distinct > (uint64_t)WASABI1_MAX_INPUTS_PER_PARTICIPANT * n) return false;
  if (in.known < WASABI1_SMALL_ROUND && clean_split(s->v, nv)) return false;
  return true;
}

/* Wasabi 2.x (WabiSabi): >= 20 inputs, no dominant input address, every
** output >= 5,000 sat to a distinct address; values paid >= 2 times are
** denominations; denomination outputs are at least (outputs - 1) / 2;
** GraphSense's precision filters: >= 3 distinct denominations and at least
** one output that is not a denomination (fee or change). */
static bool is_wasabi2(const kpw_cj_tx *tx, kpw_cj_scratch *s) {
  addr_stats in = addr_count(tx->in_addrs, tx->n_in, s);
  if (in.known < WASABI2_MIN_INPUTS || !no_dominant_input(in)) return false;
  uint32_t no;
  if (!out_addrs_distinct(tx, s, &no) || no == 0) return false;
  uint32_t nv = out_values_sorted(tx, false, s);
  if (s->v[0] < WASABI2_MIN_OUTPUT) return false;            /* sorted: the smallest */
  uint32_t n_denom_out = 0, n_denoms = 0;
  for (uint32_t i = 0; i < nv;) {
    uint32_t j = i + 1;
    while (j < nv && s->v[j] == s->v[i]) j++;
    if (j - i >= WASABI2_MIN_DENOM_COUNT) { n_denoms++; n_denom_out += j - i; }
    i = j;
  }
  if (2 * (uint64_t)n_denom_out + 1 < nv) return false;
  if (n_denom_out == nv || n_denoms < WASABI2_MIN_DENOMS) return false;
  return true;
}

/* JoinMarket: the most frequent output value above dust (2,730 sat) is the
** denomination, paid n times; n >= outputs / 2; 3 <= n <= distinct input
** addresses; output addresses distinct; at least one output is not the
** denomination (change); inputs >= 50: <= 20 inputs and >= 1.7 outputs
** per participant. */
static bool is_joinmarket(const kpw_cj_tx *tx, kpw_cj_scratch *s) {
  addr_stats in = addr_count(tx->in_addrs, tx->n_in, s);
  if (in.known == 0) return false;
  uint32_t no;
  if (!out_addrs_distinct(tx, s, &no) || no == 0) return false;
  uint32_t nv = out_values_sorted(tx, false, s);
  uint32_t n;
  uint64_t d = mode_in(s->v, nv, JOINMARKET_DUST + 1, UINT64_MAX, &n);
  if (2 * (uint64_t)n < nv) return false;
  if (n < JOINMARKET_MIN_PARTICIPANTS || n > in.distinct) return false;
  bool change = false;
  for (uint32_t i = 0; i < nv; i++)
    if (s->v[i] != d) change = true;
  if (!change) return false;
  if (in.known >= JOINMARKET_LARGE_ROUND) {
    if (in.known > (uint64_t)JOINMARKET_MAX_INPUTS_PER_PARTICIPANT * n) return false;
    if ((uint64_t)nv * 10 < (uint64_t)JOINMARKET_MIN_OUTPUTS_PER_PARTICIPANT_X10 * n) return false;
  }
  return true;
}

/* BlockSci / GraphSense ingest: >= 2 inputs, >= 3 outputs, n = (outputs +
** 1) / 2; the most common output value appears exactly n times and is not
** 546 or 2,730 sat (dust-sized spam); >= n distinct input addresses. */
static bool is_blocksci(const kpw_cj_tx *tx, kpw_cj_scratch *s) {
  if (tx->n_in < 2 || tx->n_out < 3) return false;
  uint32_t n = (tx->n_out + 1) / 2;
  uint32_t nv = out_values_sorted(tx, true, s);
  uint32_t c;
  uint64_t d = mode_in(s->v, nv, 0, UINT64_MAX, &c);
  if (c != n || d == 546 || d == 2730) return false;
  addr_stats in = addr_count(tx->in_addrs, tx->n_in, s);
  return in.distinct >= n;
}

bool kpw_coinjoin_is(const kpw_cj_tx *tx, kpw_cj_kind kind, kpw_cj_scratch *s) {
  kpw_cj_scratch tmp = {0};
  kpw_cj_scratch *sc = s ? s : &tmp;
  bool r = false;
  /* Every rule needs >= 3 outputs and >= 2 inputs: the common 1-2 output
  ** payment never pays for a sort. */
  if (tx->n_out >= 3 && tx->n_in >= 2) {
    switch (kind) {
      case KPW_CJ_WHIRLPOOL: r = is_whirlpool(tx, sc); break;
      case KPW_CJ_WASABI1: r = is_wasabi1(tx, sc); break;
      case KPW_CJ_WASABI2: r = is_wasabi2(tx, sc); break;
      case KPW_CJ_JOINMARKET: r = is_joinmarket(tx, sc); break;
      case KPW_CJ_BLOCKSCI: r = is_blocksci(tx, sc); break;
      default: r = false;
    }
  }
  if (!s) kpw_cj_scratch_free(&tmp);
  return r;
}

kpw_cj_kind kpw_coinjoin_detect(const kpw_cj_tx *tx, kpw_cj_scratch *s) {
  static const kpw_cj_kind order[] = {KPW_CJ_WHIRLPOOL, KPW_CJ_WASABI2, KPW_CJ_WASABI1,
                                      KPW_CJ_JOINMARKET, KPW_CJ_BLOCKSCI};
  if (tx->n_out < 3 || tx->n_in < 2) return KPW_CJ_NONE;
  kpw_cj_scratch tmp = {0};
  kpw_cj_scratch *sc = s ? s : &tmp;
  kpw_cj_kind r = KPW_CJ_NONE;
  for (size_t i = 0; i < sizeof order / sizeof order[0] && r == KPW_CJ_NONE; i++)
    if (kpw_coinjoin_is(tx, order[i], sc)) r = order[i];
  if (!s) kpw_cj_scratch_free(&tmp);
  return r;
}

const char *kpw_cj_kind_name(kpw_cj_kind k) {
  switch (k) {
    case KPW_CJ_WHIRLPOOL: return "whirlpool";
    case KPW_CJ_WASABI1: return "wasabi1";
    case KPW_CJ_WASABI2: return "wasabi2";
    case KPW_CJ_JOINMARKET: return "joinmarket";
    case KPW_CJ_BLOCKSCI: return "blocksci";
    default: return "none";
  }
}
