/*
** taint.h -- the per-transaction taint kernel of `kpwatch chain trace`:
** five methods (poison, haircut, fifo, lifo, tiho) x two fee policies
** (to-miner, pro-rata), forward (input taint -> output taint) and backward
** (marked output satoshis -> the input satoshis that funded them).
**
** The rules are specified, exactly, in docs/taint-methods.md; this API only
** computes one transaction at a time. The trace itself (seeds, chain order,
** stops, hop limits) lives with its caller.
**
** All amounts are integer satoshis (int64_t, never negative); no floating
** point. Every call is O((n+m) log(n+m)) at worst and allocates nothing
** once the caller's scratch has grown to the largest transaction seen.
*/
#ifndef KPW_TAINT_H
#define KPW_TAINT_H

#include "kpw/kpw.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kpw_taint_method {
  KPW_TAINT_POISON = 0,
  KPW_TAINT_HAIRCUT,
  KPW_TAINT_FIFO,
  KPW_TAINT_LIFO,
  KPW_TAINT_TIHO
} kpw_taint_method;

typedef enum kpw_fee_policy {
  KPW_FEE_TO_MINER = 0,   /* the default */
  KPW_FEE_PRO_RATA
} kpw_fee_policy;

/* Names as on the command line: "poison", "haircut", "fifo", "lifo",
** "tiho"; "to-miner", "pro-rata". parse is case-insensitive and returns
** false (leaving *out alone) on anything else; name gives "unknown" for a
** value outside the enum. */
bool kpw_taint_method_parse(const char *s, kpw_taint_method *out);
const char *kpw_taint_method_name(kpw_taint_method m);
bool kpw_fee_policy_parse(const char *s, kpw_fee_policy *out);
const char *kpw_fee_policy_name(kpw_fee_policy p);

/* Caller-owned workspace, reused across calls: it grows to the largest
** transaction seen and is freed by kpw_taint_scratch_free, so the trace's
** hot loop does not allocate per transaction. Not shared between threads.
** kpw_taint_scratch_new returns NULL when out of memory. */
typedef struct kpw_taint_scratch kpw_taint_scratch;
kpw_taint_scratch *kpw_taint_scratch_new(void);
void kpw_taint_scratch_free(kpw_taint_scratch *s);
/* The message of the last failed call on s ("input 3: taint 7 exceeds
** value 5"), "" after a successful one. Valid until the next call. */
const char *kpw_taint_scratch_error(const kpw_taint_scratch *s);

/* Forward kernel. in_val[n], in_taint[n] (0 <= t_i <= v_i), out_val[m]
** (W = sum out_val <= V = sum in_val) -> out_taint[m] and *fee_taint.
** Returns KPW_OK; KPW_EINPUT when a value or taint is negative, a taint
** exceeds its value, a sum overflows int64_t, or the outputs exceed the
** inputs (negative fee); KPW_EUSAGE for a NULL pointer or an unknown
** method/policy; KPW_ENOMEM when the scratch cannot grow. On failure the
** outputs are left untouched and kpw_taint_scratch_error says why.
** Guarantees on KPW_OK (tested): sum out_taint + fee_taint == T for every
** method but poison, 0 <= out_taint[j] <= out_val[j], 0 <= fee_taint <= F. */
kpw_result kpw_taint_forward(kpw_taint_scratch *s, kpw_taint_method method,
                             kpw_fee_policy policy,
                             const int64_t *in_val, const int64_t *in_taint, uint32_t n,
                             const int64_t *out_val, uint32_t m,
                             int64_t *out_taint, int64_t *fee_taint);

/* Backward kernel (docs/taint-methods.md, "A trace (backward)"):
** out_marked[m] (0 <= u_j <= w_j, the marked satoshis being the first u_j of
** output j) -> in_marked[n], the satoshis of each input that the method's
** forward allocation places into marked output satoshis. Same errors as
** kpw_taint_forward. Except for poison, sum in_marked == sum out_marked and
** 0 <= in_marked[i] <= in_val[i]. */
kpw_result kpw_taint_backward(kpw_taint_scratch *s, kpw_taint_method method,
                              kpw_fee_policy policy,
                              const int64_t *in_val, uint32_t n,
                              const int64_t *out_val, const int64_t *out_marked, uint32_t m,
                              int64_t *in_marked);

/* The to-miner fee rule: spread `amount` of fee taint over a block's
** coinbase outputs cb_val[m] by the haircut rule (pro rata to output
** value, remainder one satoshi at a time in descending value order, ties
** to the lower index), ADDING into cb_taint[m]. An output never exceeds its
** value: the spread is capped at cb_val[j] - cb_taint[j], and what cannot
** be placed (only when amount exceeds the room left) is returned in
** *unplaced. Call it once per block with the block's summed fee taint and
** cb_taint zeroed for the exact haircut result; for poison the caller
** instead sets cb_taint = cb_val. Errors as kpw_taint_forward (a negative
** amount or value is KPW_EINPUT). */
kpw_result kpw_taint_spread(kpw_taint_scratch *s, int64_t amount,
                            const int64_t *cb_val, uint32_t m, int64_t *cb_taint,
                            int64_t *unplaced);

#ifdef __cplusplus
}
#endif
#endif
