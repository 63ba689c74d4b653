/*
** taint.c -- the per-transaction taint kernel of `kpwatch chain trace`
** (API in include/kpw/taint.h). It implements docs/taint-methods.md, which
** is the specification; `kpwatch sim chain` recomputes the same rules with
** separate code, so any change here must follow a change of that page.
**
** Which spec section each function implements:
**   kpw_taint_forward    "One transaction": the T = 0 rule, conservation
**                        and bounds; "poison"; "haircut" (pro rata, then
**                        the remainder rule); "fifo, lifo, tiho" (dirty-
**                        first runs, the order table, both fee policies).
**     fwd_haircut        "haircut"
**     fwd_ordered        "fifo, lifo, tiho" incl. "Fee policy for the
**                        order-based methods" (to-miner sink, pro-rata
**                        shares phi_i and dirty fee shares)
**   kpw_taint_backward   "A trace (backward)": per-input marked satoshis
**                        for each method (haircut formula, poison rule,
**                        the forward pour read in reverse).
**   kpw_taint_spread     "The fee's taint", to-miner: f spread over the
**                        coinbase outputs by the haircut rule.
**   remainder_pass       the shared remainder rule ("one satoshi at a time
**                        in descending value order, ties: lower index,
**                        never more than the room left").
**
** Readings taken where the page leaves a choice:
**  - pro-rata: phi_i in "its taint shrinks by floor(phi_i*t_i/v_i) and its
**    value by phi_i" is the input's final share, remainder satoshi
**    included; otherwise the runs would not total exactly W as required.
**  - tiho under pro-rata: "tainted" means the input's t_i > 0 before the
**    fee is paid (the table is stated on t_i). The other reading gives the
**    same result: the dirty fee floor(phi_i t_i / v_i) reaches t_i only
**    when phi_i = v_i, and then the input's run is empty.
**  - backward tiho: the input order of tiho depends on which inputs are
**    tainted, which backward does not know; with every input taken as
**    tainted, or every one as clean, the order is serialization order, so
**    backward tiho uses serialization order for inputs and descending value
**    for outputs. Backward fifo/lifo/tiho under pro-rata first take each
**    input's (taint-independent) fee share phi_i out of its run.
**  - backward haircut: "remainder to the largest input" is the forward
**    remainder rule (one satoshi each in descending value order).
**  - the cap of the remainder rule ("capped at its value") and "what still
**    remains goes to f" never take effect in forward haircut, pro-rata fee
**    shares or backward haircut (see remainder_pass); they matter only in
**    kpw_taint_spread when cb_taint already holds taint.
**  - backward poison: "a transaction with a marked output" means one with
**    sum u_j > 0.
**
** Invariants: every amount is in [0, INT64_MAX]; products are taken in
** unsigned 128-bit integers; loops are O(n + m) except the sorts
** (heapsort, O(k log k), no allocation), run only for tiho outputs and
** when a remainder is left over.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kpw/taint.h"

__extension__ typedef unsigned __int128 u128;

/* Sort key: a value and its index; "before" is descending value, ties by
** lower index -- a total order, so the result does not depend on the sort. */
typedef struct tkey {
  int64_t v;
  uint32_t i;
} tkey;

struct kpw_taint_scratch {
  size_t cap;          /* every array below holds cap elements */
  tkey *keys;          /* sorted order for remainders and tiho outputs */
  uint32_t *in_ord;    /* input pour order */
  uint32_t *out_ord;   /* output pour order */
  int64_t *dirty;      /* per input: dirty satoshis in its run (forward) */
  int64_t *clean;      /* per input: clean satoshis; backward: run length */
  int64_t *phi;        /* per input: pro-rata fee share */
  char err[200];
};

/* ------------------------------------------------------------ names */

static const char *const METHOD_NAMES[] = {"poison", "haircut", "fifo", "lifo", "tiho"};
static const char *const POLICY_NAMES[] = {"to-miner", "pro-rata"};

/* Index of s in names[0..n) (any case), or -1. */
static int name_index(const char *const *names, size_t n, const char *s) {
  for (size_t k = 0; s && k < n; k++)
    if (strcasecmp(s, names[k]) == 0) return (int)k;
  return -1;
}

bool kpw_taint_method_parse(const char *s, kpw_taint_method *out) {
  int k = name_index(METHOD_NAMES, sizeof METHOD_NAMES / sizeof METHOD_NAMES[0], s);
  if (k >= 0 && out) *out = (kpw_taint_method)k;
  return k >= 0;
}

const char *kpw_taint_method_name(kpw_taint_method m) {
  return (unsigned)m < sizeof METHOD_NAMES / sizeof METHOD_NAMES[0] ? METHOD_NAMES[m] : "unknown";
}

bool kpw_fee_policy_parse(const char *s, kpw_fee_policy *out) {
  int k = name_index(POLICY_NAMES, sizeof POLICY_NAMES / sizeof POLICY_NAMES[0], s);
  if (k >= 0 && out) *out = (kpw_fee_policy)k;
  return k >= 0;
}

const char *kpw_fee_policy_name(kpw_fee_policy p) {
  return (unsigned)p < sizeof POLICY_NAMES / sizeof POLICY_NAMES[0] ? POLICY_NAMES[p] : "unknown";
}

/* ------------------------------------------------------------ scratch */

kpw_taint_scratch *kpw_taint_scratch_new(void) {
  return calloc(1, sizeof(kpw_taint_scratch));
}

void kpw_taint_scratch_free(kpw_taint_scratch *s) {
  if (!s) return;
  free(s->keys);
  free(s->in_ord);
  free(s->out_ord);
  free(s->dirty);
  free(s->clean);
  free(s->phi);
  free(s);
}

const char *kpw_taint_scratch_error(const kpw_taint_scratch *s) {
  return s ? s->err : "no scratch";
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static kpw_result fail(kpw_taint_scratch *s, kpw_result code, const char *fmt, ...) {
  if (s) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
  }
  return code;
}

/* Grow every array to hold k elements. Growth doubles, so a trace
** reallocates O(log max-tx-size) times in all. */
static kpw_result grow(kpw_taint_scratch *s, size_t k) {
  if (k <= s->cap) return KPW_OK;
  size_t c = s->cap ? s->cap : 64;
  while (c < k) c *= 2;
  void *p;
#define GROW(field)                                            \
  p = realloc(s->field, c * sizeof *s->field);                 \
  if (!p) return fail(s, KPW_ENOMEM, "taint scratch: out of memory for %zu entries", c); \
  s->field = p;
  GROW(keys) GROW(in_ord) GROW(out_ord) GROW(dirty) GROW(clean) GROW(phi)
#undef GROW
  s->cap = c;
  return KPW_OK;
}

/* ------------------------------------------------------------ arithmetic */

/* floor(a * b / c) for a, b >= 0, c > 0; the caller guarantees the result
** fits (it is at most a when b <= c, or at most b when a <= c). */
static int64_t muldiv(int64_t a, int64_t b, int64_t c) {
  return (int64_t)((u128)(uint64_t)a * (u128)(uint64_t)b / (u128)(uint64_t)c);
}

/* Sum of k non-negative amounts into *sum; false on a negative amount (its
** index in *bad) or on int64 overflow (*bad = k). */
static bool sum_amounts(const int64_t *a, uint32_t k, int64_t *sum, uint32_t *bad) {
  int64_t t = 0;
  for (uint32_t i = 0; i < k; i++) {
    if (a[i] < 0) { *bad = i; return false; }
    if (__builtin_add_overflow(t, a[i], &t)) { *bad = k; return false; }
  }
  *sum = t;
  return true;
}

/* ------------------------------------------------------------ sorting */

static inline bool before(const tkey *a, const tkey *b) {
  return a->v > b->v || (a->v == b->v && a->i < b->i);
}

static void sift(tkey *k, size_t root, size_t n) {
  for (;;) {
    size_t c = 2 * root + 1;
    if (c >= n) return;
    if (c + 1 < n && before(&k[c], &k[c + 1])) c++;   /* the later of the two */
    if (!before(&k[root], &k[c])) return;
    tkey t = k[root]; k[root] = k[c]; k[c] = t;
    root = c;
  }
}

/* Fill s->keys with (val[i], i) and sort them into "before" order:
** descending value, ties by lower index. Heapsort: O(k log k), in place. */
static void sort_desc(kpw_taint_scratch *s, const int64_t *val, uint32_t k) {
  tkey *key = s->keys;
  for (uint32_t i = 0; i < k; i++) key[i] = (tkey){val[i], i};
  for (size_t r = k / 2; r-- > 0;) sift(key, r, k);
  for (size_t e = k; e > 1; e--) {
    tkey t = key[0]; key[0] = key[e - 1]; key[e - 1] = t;
    sift(key, 0, e - 1);
  }
}

/* The remainder rule: add rem one satoshi at a time to the k targets in
** descending val order (ties: lower index), skipping any whose have[] has
** reached val[] (no room); one pass. Returns what is left over. Leaves
** s->keys sorted for a caller that wants a further pass.
** Why one pass suffices in the kernel: rem is the sum of the dropped
** fractional parts, so rem <= the number of targets with a non-zero
** fractional part, and every such target has floor < exact <= val, i.e.
** room for one more; so the "what still remains" case of the spec never
** arises there, and a second round-robin pass could never run. */
static int64_t remainder_pass(kpw_taint_scratch *s, const int64_t *val, int64_t *have,
                              uint32_t k, int64_t rem) {
  if (rem <= 0 || k == 0) return rem;
  sort_desc(s, val, k);
  for (uint32_t q = 0; q < k && rem > 0; q++) {
    uint32_t j = s->keys[q].i;
    if (have[j] < val[j]) { have[j]++; rem--; }
  }
  return rem;
}

/* ------------------------------------------------------------ validation */

/* Checks the transaction and computes V, W, T (T only when in_taint). */
static kpw_result check_tx(kpw_taint_scratch *s, const int64_t *in_val, const int64_t *in_taint,
                           uint32_t n, const int64_t *out_val, uint32_t m,
                           int64_t *V, int64_t *W, int64_t *T) {
  uint32_t bad;
  if (!sum_amounts(in_val, n, V, &bad))
    return bad < n ? fail(s, KPW_EINPUT, "input %u: negative value %lld", bad, (long long)in_val[bad])
                   : fail(s, KPW_EINPUT, "input values overflow a 64-bit sum");
  if (!sum_amounts(out_val, m, W, &bad))
    return bad < m ? fail(s, KPW_EINPUT, "output %u: negative value %lld", bad, (long long)out_val[bad])
                   : fail(s, KPW_EINPUT, "output values overflow a 64-bit sum");
  if (*W > *V)
    return fail(s, KPW_EINPUT, "outputs (%lld) exceed inputs (%lld): negative fee",
                (long long)*W, (long long)*V);
  if (in_taint) {
    int64_t t = 0;
    for (uint32_t i = 0; i < n; i++) {
      if (in_taint[i] < 0 || in_taint[i] > in_val[i])
        return fail(s, KPW_EINPUT, "input %u: taint %lld outside [0, value %lld]", i,
                    (long long)in_taint[i], (long long)in_val[i]);
      t += in_taint[i];   /* cannot overflow: t <= V */
    }
    *T = t;
  }
  return KPW_OK;
}

/* ------------------------------------------------------------ forward */

/* "haircut": pro rata, then the remainder rule; the same under both fee
** policies. Needs T > 0 (so V > 0). */
static void fwd_haircut(kpw_taint_scratch *s, int64_t V, int64_t F, int64_t T,
                        const int64_t *out_val, uint32_t m, int64_t *out_taint, int64_t *fee) {
  int64_t sum = 0;
  for (uint32_t j = 0; j < m; j++) {
    out_taint[j] = muldiv(out_val[j], T, V);
    sum += out_taint[j];
  }
  int64_t f = muldiv(F, T, V);
  /* 0 <= R < m + 1 (m + 1 floors, each dropping less than 1). */
  int64_t R = T - sum - f;
  /* What the outputs cannot take goes to the fee (see remainder_pass for
  ** why this is always 0; if it were not, every output would be full and
  ** f = T - W <= F still holds). */
  f += remainder_pass(s, out_val, out_taint, m, R);
  *fee = f;
}

/* "fifo, lifo, tiho": each input is a run of dirty then clean satoshis, the
** runs are queued in the method's input order and poured into the outputs
** in its output order. Needs T > 0. */
static kpw_result fwd_ordered(kpw_taint_scratch *s, kpw_taint_method method, kpw_fee_policy policy,
                              const int64_t *in_val, const int64_t *in_taint, uint32_t n,
                              int64_t V, int64_t F, int64_t T,
                              const int64_t *out_val, uint32_t m,
                              int64_t *out_taint, int64_t *fee) {
  int64_t *d = s->dirty, *c = s->clean;
  int64_t f = 0;
  if (policy == KPW_FEE_PRO_RATA) {
    /* Every input pays phi_i = floor(F v_i / V), the remainder by the
    ** remainder rule; then its dirty fee floor(phi_i t_i / v_i). */
    int64_t *phi = s->phi, sum = 0;
    for (uint32_t i = 0; i < n; i++) {
      phi[i] = muldiv(F, in_val[i], V);
      sum += phi[i];
    }
    if (remainder_pass(s, in_val, phi, n, F - sum) != 0)
      return fail(s, KPW_EINTERNAL, "pro-rata fee remainder could not be placed");
    for (uint32_t i = 0; i < n; i++) {
      int64_t df = phi[i] ? muldiv(phi[i], in_taint[i], in_val[i]) : 0;
      d[i] = in_taint[i] - df;
      c[i] = in_val[i] - phi[i] - d[i];   /* >= 0: phi - df <= v - t */
      f += df;
    }
  } else {
    for (uint32_t i = 0; i < n; i++) {
      d[i] = in_taint[i];
      c[i] = in_val[i] - in_taint[i];
    }
  }

  /* Input order. */
  uint32_t *io = s->in_ord, k = 0;
  if (method == KPW_TAINT_FIFO) {
    for (uint32_t i = 0; i < n; i++) io[i] = i;
  } else if (method == KPW_TAINT_LIFO) {
    for (uint32_t i = 0; i < n; i++) io[i] = n - 1 - i;
  } else {   /* tiho: t_i > 0 first (as given, before any fee), then clean */
    for (uint32_t i = 0; i < n; i++) if (in_taint[i] > 0) io[k++] = i;
    for (uint32_t i = 0; i < n; i++) if (in_taint[i] == 0) io[k++] = i;
  }
  /* Output order. */
  uint32_t *oo = s->out_ord;
  if (method == KPW_TAINT_TIHO) {
    sort_desc(s, out_val, m);
    for (uint32_t q = 0; q < m; q++) oo[q] = s->keys[q].i;
  } else {
    for (uint32_t j = 0; j < m; j++) oo[j] = j;
  }

  /* Pour. Each step loads an input, empties a part of it or fills an
  ** output, so the loop is O(n + m). The queue holds V (to-miner) or
  ** exactly W (pro-rata) satoshis, never fewer than the outputs take. */
  uint32_t next = 0;
  int64_t rd = 0, rc = 0, sum = 0;
  for (uint32_t q = 0; q < m; q++) {
    uint32_t j = oo[q];
    int64_t need = out_val[j], got = 0;
    while (need > 0) {
      if (rd == 0 && rc == 0) {
        if (next >= n) return fail(s, KPW_EINTERNAL, "taint pour ran out of input");
        rd = d[io[next]];
        rc = c[io[next]];
        next++;
      } else if (rd > 0) {
        int64_t x = rd < need ? rd : need;
        rd -= x; need -= x; got += x;
      } else {
        int64_t x = rc < need ? rc : need;
        rc -= x; need -= x;
      }
    }
    out_taint[j] = got;
    sum += got;
  }
  /* to-miner: the fee sink takes the last F satoshis of the queue, i.e.
  ** everything the outputs left, so its dirty count is T - sum u_j.
  ** pro-rata: f is the sum of the dirty fee shares, and sum u_j = T - f. */
  *fee = policy == KPW_FEE_TO_MINER ? T - sum : f;
  return KPW_OK;
}

kpw_result kpw_taint_forward(kpw_taint_scratch *s, kpw_taint_method method,
                             kpw_fee_policy policy,
                             const int64_t *in_val, const int64_t *in_taint, uint32_t n,
                             const int64_t *out_val, uint32_t m,
                             int64_t *out_taint, int64_t *fee_taint) {
  if (!s) return KPW_EUSAGE;
  s->err[0] = '\0';
  if (!fee_taint || (n && (!in_val || !in_taint)) || (m && (!out_val || !out_taint)))
    return fail(s, KPW_EUSAGE, "taint forward: NULL argument");
  if ((unsigned)method > KPW_TAINT_TIHO || (unsigned)policy > KPW_FEE_PRO_RATA)
    return fail(s, KPW_EUSAGE, "taint forward: unknown method %d or fee policy %d",
                (int)method, (int)policy);
  int64_t V, W, T;
  kpw_result r = check_tx(s, in_val, in_taint, n, out_val, m, &V, &W, &T);
  if (r != KPW_OK) return r;
  size_t need = n > m ? n : m;
  if ((r = grow(s, need)) != KPW_OK) return r;
  int64_t F = V - W;

  if (T == 0) {   /* left alone */
    for (uint32_t j = 0; j < m; j++) out_taint[j] = 0;
    *fee_taint = 0;
    return KPW_OK;
  }
  switch (method) {
  case KPW_TAINT_POISON:
    for (uint32_t j = 0; j < m; j++) out_taint[j] = out_val[j];
    *fee_taint = F;
    return KPW_OK;
  case KPW_TAINT_HAIRCUT:
    fwd_haircut(s, V, F, T, out_val, m, out_taint, fee_taint);
    return KPW_OK;
  default:
    return fwd_ordered(s, method, policy, in_val, in_taint, n, V, F, T, out_val, m,
                       out_taint, fee_taint);
  }
}

/* ------------------------------------------------------------ backward */

kpw_result kpw_taint_backward(kpw_taint_scratch *s, kpw_taint_method method,
                              kpw_fee_policy policy,
                              const int64_t *in_val, uint32_t n,
                              const int64_t *out_val, const int64_t *out_marked, uint32_t m,
                              int64_t *in_marked) {
  if (!s) return KPW_EUSAGE;
  s->err[0] = '\0';
  if ((n && (!in_val || !in_marked)) || (m && (!out_val || !out_marked)))
    return fail(s, KPW_EUSAGE, "taint backward: NULL argument");
  if ((unsigned)method > KPW_TAINT_TIHO || (unsigned)policy > KPW_FEE_PRO_RATA)
    return fail(s, KPW_EUSAGE, "taint backward: unknown method %d or fee policy %d",
                (int)method, (int)policy);
  int64_t V, W, U = 0;
  kpw_result r = check_tx(s, in_val, NULL, n, out_val, m, &V, &W, NULL);
  if (r != KPW_OK) return r;
  for (uint32_t j = 0; j < m; j++) {
    if (out_marked[j] < 0 || out_marked[j] > out_val[j])
      return fail(s, KPW_EINPUT, "output %u: marked %lld outside [0, value %lld]", j,
                  (long long)out_marked[j], (long long)out_val[j]);
    U += out_marked[j];   /* <= W */
  }
  size_t need = n > m ? n : m;
  if ((r = grow(s, need)) != KPW_OK) return r;
  for (uint32_t i = 0; i < n; i++) in_marked[i] = 0;
  if (U == 0) return KPW_OK;
  int64_t F = V - W;

  if (method == KPW_TAINT_POISON) {
    for (uint32_t i = 0; i < n; i++) in_marked[i] = in_val[i];
    return KPW_OK;
  }
  if (method == KPW_TAINT_HAIRCUT) {
    /* t_i = floor(v_i U / V), remainder by the remainder rule; U <= V. */
    int64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
      in_marked[i] = muldiv(in_val[i], U, V);
      sum += in_marked[i];
    }
    if (remainder_pass(s, in_val, in_marked, n, U - sum) != 0)
      return fail(s, KPW_EINTERNAL, "backward haircut remainder could not be placed");
    return KPW_OK;
  }

  /* Order-based: the forward pour, with input runs of v_i (to-miner) or
  ** v_i - phi_i (pro-rata; phi_i does not depend on taint), read the other
  ** way: each output's first u_j satoshis are credited to the inputs they
  ** came from. */
  int64_t *run = s->clean;
  if (policy == KPW_FEE_PRO_RATA) {
    int64_t *phi = s->phi, sum = 0;
    for (uint32_t i = 0; i < n; i++) {
      phi[i] = muldiv(F, in_val[i], V);
      sum += phi[i];
    }
    if (remainder_pass(s, in_val, phi, n, F - sum) != 0)
      return fail(s, KPW_EINTERNAL, "pro-rata fee remainder could not be placed");
    for (uint32_t i = 0; i < n; i++) run[i] = in_val[i] - phi[i];
  } else {
    for (uint32_t i = 0; i < n; i++) run[i] = in_val[i];
  }
  uint32_t *io = s->in_ord, *oo = s->out_ord;
  for (uint32_t i = 0; i < n; i++) io[i] = method == KPW_TAINT_LIFO ? n - 1 - i : i;
  if (method == KPW_TAINT_TIHO) {
    sort_desc(s, out_val, m);
    for (uint32_t q = 0; q < m; q++) oo[q] = s->keys[q].i;
  } else {
    for (uint32_t j = 0; j < m; j++) oo[j] = j;
  }
  uint32_t next = 0, cur = 0;
  int64_t left = 0;   /* satoshis left in input cur's run */
  for (uint32_t q = 0; q < m; q++) {
    uint32_t j = oo[q];
    int64_t mk = out_marked[j], plain = out_val[j] - out_marked[j];
    while (mk > 0 || plain > 0) {
      if (left == 0) {
        if (next >= n) return fail(s, KPW_EINTERNAL, "taint pour ran out of input");
        cur = io[next++];
        left = run[cur];
      } else if (mk > 0) {
        int64_t x = left < mk ? left : mk;
        in_marked[cur] += x; left -= x; mk -= x;
      } else {
        int64_t x = left < plain ? left : plain;
        left -= x; plain -= x;
      }
    }
  }
  return KPW_OK;
}

/* ------------------------------------------------------------ fee spread */

kpw_result kpw_taint_spread(kpw_taint_scratch *s, int64_t amount,
                            const int64_t *cb_val, uint32_t m, int64_t *cb_taint,
                            int64_t *unplaced) {
  if (!s) return KPW_EUSAGE;
  s->err[0] = '\0';
  if (!unplaced || (m && (!cb_val || !cb_taint)))
    return fail(s, KPW_EUSAGE, "taint spread: NULL argument");
  if (amount < 0) return fail(s, KPW_EINPUT, "fee taint %lld is negative", (long long)amount);
  int64_t Wc;
  uint32_t bad;
  if (!sum_amounts(cb_val, m, &Wc, &bad))
    return bad < m ? fail(s, KPW_EINPUT, "coinbase output %u: negative value %lld", bad,
                          (long long)cb_val[bad])
                   : fail(s, KPW_EINPUT, "coinbase output values overflow a 64-bit sum");
  for (uint32_t j = 0; j < m; j++)
    if (cb_taint[j] < 0 || cb_taint[j] > cb_val[j])
      return fail(s, KPW_EINPUT, "coinbase output %u: taint %lld outside [0, value %lld]", j,
                  (long long)cb_taint[j], (long long)cb_val[j]);
  kpw_result r = grow(s, m);
  if (r != KPW_OK) return r;
  if (amount == 0 || Wc == 0) {
    *unplaced = amount;
    return KPW_OK;
  }
  /* Pro rata, capped by the room each output has left (the cap only bites
  ** when cb_taint already held taint or amount > Wc). */
  int64_t placed = 0;
  for (uint32_t j = 0; j < m; j++) {
    int64_t share = muldiv(cb_val[j], amount, Wc);   /* <= amount */
    int64_t room = cb_val[j] - cb_taint[j];
    if (share > room) share = room;
    cb_taint[j] += share;
    placed += share;
  }
  int64_t rem = remainder_pass(s, cb_val, cb_taint, m, amount - placed);
  /* Only reachable with capped shares: fill the rest greedily, largest
  ** output first, so nothing placeable is dropped (s->keys is sorted). */
  for (uint32_t q = 0; q < m && rem > 0; q++) {
    uint32_t j = s->keys[q].i;
    int64_t room = cb_val[j] - cb_taint[j];
    int64_t x = room < rem ? room : rem;
    cb_taint[j] += x;
    rem -= x;
  }
  *unplaced = rem;
  return KPW_OK;
}
