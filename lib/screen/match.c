/*
** match.c -- similarity of tokens and names, the pairwise API
** (kpw_compare_names, kpw_name_forms).
**
** Token similarity: a weighted Damerau-Levenshtein (optimal string
** alignment) whose costs encode how names really vary: doubled letters and
** a silent 'h' are cheap, confusable letters (o/u, e/i, c/k, s/z, b/p, d/t,
** g/j, v/w, digit look-alikes 0/o 1/i ...) cost half, a transposition 0.6.
** The similarity is 1 - cost/len, then shaped so that a single slip in a
** long token stays high while short tokens with a different letter drop.
** Korean syllables in Korean-mode names compare by their fold key (equal
** key = same syllable in another romanisation); different syllables are a
** different name, so they keep at most half of their edit similarity.
**
** Name score: tokens are aligned one-to-one by an exact best-pair
** assignment (DP over subsets; greedy only beyond 8x16 tokens), word order
** free. Each pair weighs the mean of its two token weights (short, particle,
** legal-form and very common tokens weigh little, never zero). Tokens left
** without a partner cost their weight: fully when the other side also has
** leftovers (a conflict: "Daniel" vs "Donald"), partly when only one side
** has extra words (a middle name): 0.35 on the query side, 0.2 on the
** candidate side. Adjacent tokens are merged when their concatenation
** matches a token of the other side ("Vladimir Putin" / "VladimirPutin").
*/
#include "kpw/screen.h"
#include "screen/screen_int.h"

#include <math.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#define LAMBDA_Q 0.35
#define LAMBDA_C 0.20
#define CONFLICT_FACTOR 0.9

/* ------------------------------------------------------------ costs */

static bool is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* Substitution costs for ASCII bytes, built once (pthread_once) and
** read-only afterwards. */
static float SUB[128][128];
static pthread_once_t sub_once = PTHREAD_ONCE_INIT;

static void sub_init(void) {
  for (int x = 0; x < 128; x++)
    for (int y = 0; y < 128; y++) {
      float c = x == y ? 0.0f : 1.0f;
      if (x != y && is_vowel((char)x) && is_vowel((char)y)) c = 0.6f;
      SUB[x][y] = c;
    }
  /* digit look-alikes (Ig0r Sech1n) */
  static const char *const look[] = {"0o", "1i", "1l", "3e", "4a", "5s", "9g", "il",
                                     "7t", "8b", NULL};
  for (int i = 0; look[i]; i++)
    SUB[(int)look[i][0]][(int)look[i][1]] = SUB[(int)look[i][1]][(int)look[i][0]] = 0.4f;
  static const char *const conf[] = {"ck", "cs", "kq", "sz", "vw", "fv",
                                     "fp", "gj", "dt", "bp", "gk", "sx",
                                     "cz", "jy", "iy", "ou", "ei", "jz",
                                     "kx", "mn", NULL};
  for (int i = 0; conf[i]; i++)
    SUB[(int)conf[i][0]][(int)conf[i][1]] = SUB[(int)conf[i][1]][(int)conf[i][0]] = 0.5f;
}

static inline float sub_cost(char x, char y) {
  return SUB[(unsigned char)x & 127][(unsigned char)y & 127];
}

/* Cost of inserting/deleting s[i] (neighbours give doubled letters). */
static float indel_cost(const char *s, int n, int i) {
  char c = s[i];
  if ((i > 0 && s[i - 1] == c) || (i + 1 < n && s[i + 1] == c)) return 0.35f;
  if (c == 'h') return 0.5f;
  if (is_vowel(c)) return 0.8f;
  return 1.0f;
}

/* Weighted OSA distance between ASCII strings; three rolling rows. Stops
** early and returns a value >= cutoff once every path costs more. */
static double edit_cost_cut(const char *a, int la, const char *b, int lb,
                            float cutoff) {
  enum { M = 2 * KN_TOKMAX + 2 };
  float r0[M], r1[M], r2[M], ia[M], ib[M];
  float *pp = r0, *pr = r1, *cu = r2;      /* row i-2, i-1, i */
  if (la > M - 2) la = M - 2;
  if (lb > M - 2) lb = M - 2;
  pthread_once(&sub_once, sub_init);
  for (int i = 0; i < la; i++) ia[i] = indel_cost(a, la, i);
  for (int j = 0; j < lb; j++) ib[j] = indel_cost(b, lb, j);
  pr[0] = 0;
  for (int j = 1; j <= lb; j++) pr[j] = pr[j - 1] + ib[j - 1];
  if ((float)abs(la - lb) * 0.35f > cutoff) return cutoff + 1;
  for (int i = 1; i <= la; i++) {
    cu[0] = pr[0] + ia[i - 1];
    float rowmin = cu[0];
    for (int j = 1; j <= lb; j++) {
      float v = pr[j - 1] + sub_cost(a[i - 1], b[j - 1]);
      float x = pr[j] + ia[i - 1];
      if (x < v) v = x;
      x = cu[j - 1] + ib[j - 1];
      if (x < v) v = x;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        x = pp[j - 2] + 0.6f;
        if (x < v) v = x;
      }
      cu[j] = v;
      if (v < rowmin) rowmin = v;
    }
    /* a later transposition can reach back one row only */
    if (rowmin > cutoff + 0.6f && i > 1) return cutoff + 1;
    float *t = pp; pp = pr; pr = cu; cu = t;
  }
  return pr[lb];
}

/* Cost beyond which shaped_sim is negligible (< ~0.2). */
static float cost_cutoff(int la, int lb) {
  int L = la > lb ? la : lb;
  float budget = L <= 3 ? 0.6f : L <= 5 ? 1.0f : L <= 8 ? 1.2f : L <= 12 ? 1.6f : 2.0f;
  return budget + 1.0f;
}

/* Edit similarity shaped by length: sim = 1 - cost/len, and tokens whose
** cost exceeds a length-dependent budget fall off faster. */
static double shaped_sim(double cost, int la, int lb) {
  int L = la > lb ? la : lb;
  if (L == 0) return 0;
  double s = 1.0 - cost / L;
  if (s < 0) s = 0;
  double budget = L <= 3 ? 0.6 : L <= 5 ? 1.0 : L <= 8 ? 1.2 : L <= 12 ? 1.6 : 2.0;
  if (cost > budget) s *= exp(-1.5 * (cost - budget));
  return s;
}

/* Codepoint edit similarity for same-script tokens (unit costs). */
static double cp_sim(const char *a, int la, const char *b, int lb) {
  int32_t ca[KN_TOKMAX], cb[KN_TOKMAX];
  int na = 0, nb = 0;
  for (int i = 0; i < la && na < KN_TOKMAX;) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)a + i, la - i, &c);
    if (k <= 0) { i++; continue; }
    ca[na++] = c; i += (int)k;
  }
  for (int i = 0; i < lb && nb < KN_TOKMAX;) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)b + i, lb - i, &c);
    if (k <= 0) { i++; continue; }
    cb[nb++] = c; i += (int)k;
  }
  double d[KN_TOKMAX + 1][KN_TOKMAX + 1];
  for (int i = 0; i <= na; i++) d[i][0] = i;
  for (int j = 0; j <= nb; j++) d[0][j] = j;
  for (int i = 1; i <= na; i++)
    for (int j = 1; j <= nb; j++) {
      double v = d[i - 1][j - 1] + (ca[i - 1] == cb[j - 1] ? 0 : 1);
      if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && ca[i - 1] == cb[j - 2] && ca[i - 2] == cb[j - 1] &&
          d[i - 2][j - 2] + 0.6 < v)
        v = d[i - 2][j - 2] + 0.6;
      d[i][j] = v;
    }
  return shaped_sim(d[na][nb], na, nb);
}

double kn_tok_sim(const kn_tok *a, const kn_tok *b, bool kor) {
  if (a->len == b->len && memcmp(a->s, b->s, a->len) == 0) return 1.0;
  if (kor && (a->flags & KT_KOR) && (b->flags & KT_KOR)) {
    if (a->kkey && a->kkey == b->kkey) return 0.97;
    /* lists without breves write both o/eo and u/eu; "chul" for chol is
    ** common in South Korean spellings: same consonants, o<->u vowel */
    if (a->kkey && b->kkey && (a->kkey & ~0x01F0u) == (b->kkey & ~0x01F0u)) {
      unsigned va = (a->kkey >> 4) & 31u, vb = (b->kkey >> 4) & 31u;
      /* O=5 U=13 YO=8 YU=14 WO=11 */
      if ((va == 5 && vb == 13) || (va == 13 && vb == 5) ||
          (va == 8 && vb == 14) || (va == 14 && vb == 8) ||
          (va == 11 && vb == 5) || (va == 5 && vb == 11)) return 0.8;
    }
    double s = shaped_sim(edit_cost_cut(a->s, a->len, b->s, b->len,
                                        cost_cutoff(a->len, b->len)), a->len, b->len);
    return 0.5 * s;
  }
  if ((a->flags & KT_INIT) || (b->flags & KT_INIT)) {
    const kn_tok *i = (a->flags & KT_INIT) ? a : b, *o = (i == a) ? b : a;
    if (o->flags & KT_INIT) return 0;        /* different initials */
    return (o->len > 0 && o->s[0] == i->s[0]) ? 0.9 : 0.0;
  }
  if ((a->flags & KT_NUM) || (b->flags & KT_NUM)) return 0;
  return shaped_sim(edit_cost_cut(a->s, a->len, b->s, b->len,
                                  cost_cutoff(a->len, b->len)), a->len, b->len);
}

static double tok_sim_form(const kn_form *fa, const kn_tok *a,
                           const kn_form *fb, const kn_tok *b) {
  if (fa->script || fb->script) {
    if (a->len == b->len && memcmp(a->s, b->s, a->len) == 0) return 1.0;
    if ((a->flags & KT_KOR) || (b->flags & KT_KOR)) return 0;  /* syllable/char */
    return cp_sim(a->s, a->len, b->s, b->len);
  }
  return kn_tok_sim(a, b, fa->korean && fb->korean);
}

/* ------------------------------------------------------- assignment */

typedef struct align {
  int pair_of_a[KN_MAXTOK];   /* index in b or -1 */
  double sim[KN_MAXTOK];      /* sim of a's pair */
  double score;
} align;

/* Maximise sum sim*pw over one-to-one pairs. */
static void assign(const double sim[KN_MAXTOK][KN_MAXTOK],
                   const double pw[KN_MAXTOK][KN_MAXTOK], int n, int m,
                   align *al) {
  for (int i = 0; i < n; i++) { al->pair_of_a[i] = -1; al->sim[i] = 0; }
  if (n == 0 || m == 0) return;
  if (m <= 8 && n <= 16) {
    /* dp over rows i and the set of used b columns */
    enum { S = 256 };
    static const double NEG = -1e9;
    double dp[KN_MAXTOK + 1][S];
    unsigned char ch[KN_MAXTOK + 1][S];      /* choice: 0 = skip, j+1 */
    int full = 1 << m;
    for (int s = 0; s < full; s++) dp[n][s] = 0;
    for (int i = n - 1; i >= 0; i--) {
      for (int s = 0; s < full; s++) {
        double best = dp[i + 1][s];
        unsigned char c = 0;
        for (int j = 0; j < m; j++) {
          if (s & (1 << j)) continue;
          double v = sim[i][j] * pw[i][j];
          if (v <= 0) continue;
          v += dp[i + 1][s | (1 << j)];
          if (v > best + 1e-12) { best = v; c = (unsigned char)(j + 1); }
        }
        dp[i][s] = best; ch[i][s] = c;
      }
    }
    (void)NEG;
    int s = 0;
    for (int i = 0; i < n; i++) {
      int c = ch[i][s];
      if (c) { al->pair_of_a[i] = c - 1; al->sim[i] = sim[i][c - 1]; s |= 1 << (c - 1); }
    }
    return;
  }
  /* greedy by value */
  bool ua[KN_MAXTOK] = {0}, ub[KN_MAXTOK] = {0};
  for (;;) {
    double best = 0; int bi = -1, bj = -1;
    for (int i = 0; i < n; i++) if (!ua[i])
      for (int j = 0; j < m; j++) if (!ub[j]) {
        double v = sim[i][j] * pw[i][j];
        if (v > best) { best = v; bi = i; bj = j; }
      }
    if (bi < 0) break;
    ua[bi] = ub[bj] = true;
    al->pair_of_a[bi] = bj; al->sim[bi] = sim[bi][bj];
  }
}

/* ------------------------------------------------------ merging */

/* Copy src into dst merging tokens i and i+1 (ASCII forms only). */
static void form_copy_merge(kn_form *dst, const kn_form *src, int mi) {
  dst->n = 0; dst->used = 0; dst->script = src->script; dst->korean = 0;
  for (int i = 0; i < src->n && dst->n < KN_MAXTOK; i++) {
    char tmp[2 * KN_TOKMAX + 2];
    size_t l = src->t[i].len;
    memcpy(tmp, src->t[i].s, l);
    if (i == mi && i + 1 < src->n && l + src->t[i + 1].len <= KN_TOKMAX) {
      memcpy(tmp + l, src->t[i + 1].s, src->t[i + 1].len);
      l += src->t[i + 1].len;
      i++;
    }
    if (dst->used + l + 1 > KN_FORMBUF) break;
    char *p = dst->buf + dst->used;
    memcpy(p, tmp, l); p[l] = 0; dst->used += l + 1;
    kn_tok *t = &dst->t[dst->n++];
    t->s = p; t->len = (uint8_t)l; t->kkey = 0;
    if (l == src->t[i].len && p == dst->buf + dst->used - l - 1 && (i == 0 || i != mi + 1)) {
      t->flags = src->t[i].flags & (uint8_t)~KT_KOR; t->w = src->t[i].w;
      if (src->t[i].flags & KT_KOR) t->w = l >= 4 ? 1.0f : l == 3 ? 0.8f : 0.55f;
    } else {
      t->flags = 0; t->w = 1.0f;
    }
  }
}

/* Find an adjacent pair in x whose concatenation matches a token of y
** clearly better than either part. Returns the index or -1. */
static int find_merge(const kn_form *x, const kn_form *y) {
  if (x->script || y->script || x->n < 2) return -1;
  int best_i = -1; double best_gain = 0;
  for (int i = 0; i + 1 < x->n; i++) {
    size_t l1 = x->t[i].len, l2 = x->t[i + 1].len;
    if (l1 + l2 > KN_TOKMAX) continue;
    char cat[KN_TOKMAX];
    memcpy(cat, x->t[i].s, l1); memcpy(cat + l1, x->t[i + 1].s, l2);
    kn_tok c = {cat, (uint8_t)(l1 + l2), 0, 0, 1.0f};
    for (int j = 0; j < y->n; j++) {
      /* sim >= 0.8 needs nearly the same length */
      if (y->t[j].len < 4 || abs((int)(l1 + l2) - (int)y->t[j].len) > 3) continue;
      double s = kn_tok_sim(&c, &y->t[j], false);
      if (s < 0.8) continue;
      double p1 = kn_tok_sim(&x->t[i], &y->t[j], false);
      double p2 = kn_tok_sim(&x->t[i + 1], &y->t[j], false);
      double g = s - fmax(p1, p2);
      if (s >= 0.85 && g > 0.03 && g > best_gain) { best_gain = g; best_i = i; }
    }
  }
  return best_i;
}

/* ------------------------------------------------------ form score */

static void explain_add(char *ex, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void explain_add(char *ex, size_t cap, size_t *used, const char *fmt, ...) {
  if (!ex || *used + 1 >= cap) return;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(ex + *used, cap - *used, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  if ((size_t)k >= cap - *used) { *used = cap - 1; ex[*used] = 0; return; }
  *used += (size_t)k;
}

static double form_score_raw(const kn_form *a, const kn_form *b, char *ex,
                             size_t cap) {
  double sim[KN_MAXTOK][KN_MAXTOK], pw[KN_MAXTOK][KN_MAXTOK];
  int n = a->n, m = b->n;
  if (n == 0 || m == 0) return 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++) {
      sim[i][j] = tok_sim_form(a, &a->t[i], b, &b->t[j]);
      pw[i][j] = 0.5 * (a->t[i].w + b->t[j].w);
    }
  align al;
  /* assign over the smaller side as columns */
  if (m <= n) assign(sim, pw, n, m, &al);
  else {
    double st[KN_MAXTOK][KN_MAXTOK], pt[KN_MAXTOK][KN_MAXTOK];
    for (int i = 0; i < n; i++)
      for (int j = 0; j < m; j++) { st[j][i] = sim[i][j]; pt[j][i] = pw[i][j]; }
    align bt;
    assign(st, pt, m, n, &bt);
    for (int i = 0; i < n; i++) { al.pair_of_a[i] = -1; al.sim[i] = 0; }
    for (int j = 0; j < m; j++)
      if (bt.pair_of_a[j] >= 0) {
        al.pair_of_a[bt.pair_of_a[j]] = j;
        al.sim[bt.pair_of_a[j]] = bt.sim[j];
      }
  }
  bool usedb[KN_MAXTOK] = {0};
  double num = 0, den = 0, ua = 0, ub = 0;
  int conflicts = 0, xa = 0, xb = 0;
  for (int i = 0; i < n; i++) {
    int j = al.pair_of_a[i];
    if (j >= 0) {
      usedb[j] = true;
      num += al.sim[i] * pw[i][j];
      den += pw[i][j];
      if (al.sim[i] < 0.5 && a->t[i].w >= 0.5f && b->t[j].w >= 0.5f) conflicts++;
    } else {
      ua += a->t[i].w;
      if (a->t[i].w >= 0.5f) xa++;
    }
  }
  for (int j = 0; j < m; j++)
    if (!usedb[j]) { ub += b->t[j].w; if (b->t[j].w >= 0.5f) xb++; }
  double conflict = fmin(ua, ub);
  conflicts += xa < xb ? xa : xb;
  /* Korean names are two to four syllables, each one meaningful: a
  ** syllable (or the surname) missing on either side is no middle name. */
  bool kor = a->korean && b->korean;
  double lq = kor ? 0.7 : LAMBDA_Q, lc = kor ? 0.6 : LAMBDA_C;
  den += conflict + lq * (ua - conflict) + lc * (ub - conflict);
  double score = den > 0 ? num / den : 0;
  /* A substantive token that differs (a different given name or family
  ** name) is evidence of a different person however long the name is. */
  for (int k = 0; k < conflicts; k++) score *= CONFLICT_FACTOR;
  if (kor) {
    /* given-name syllables keep their order (Jong Un is not Un Jong) */
    int last = -1;
    bool crossed = false;
    for (int i = 0; i < n; i++) {
      int j = al.pair_of_a[i];
      if (j < 0 || (a->t[i].flags & KT_SURN) || (b->t[j].flags & KT_SURN)) continue;
      if (j < last) crossed = true;
      last = j;
    }
    if (crossed) score *= 0.78;
  }
  if (ex && cap) {
    size_t u = strlen(ex);
    for (int i = 0; i < n; i++) {
      int j = al.pair_of_a[i];
      if (j < 0) continue;
      if (al.sim[i] >= 0.999)
        explain_add(ex, cap, &u, "%.*s=%.*s, ", (int)a->t[i].len, a->t[i].s,
                    (int)b->t[j].len, b->t[j].s);
      else
        explain_add(ex, cap, &u, "%.*s~%.*s %.2f, ", (int)a->t[i].len, a->t[i].s,
                    (int)b->t[j].len, b->t[j].s, al.sim[i]);
    }
    for (int i = 0; i < n; i++)
      if (al.pair_of_a[i] < 0)
        explain_add(ex, cap, &u, "+%.*s, ", (int)a->t[i].len, a->t[i].s);
    for (int j = 0; j < m; j++)
      if (!usedb[j])
        explain_add(ex, cap, &u, "-%.*s, ", (int)b->t[j].len, b->t[j].s);
    if (u >= 2 && ex[u - 2] == ',') ex[u - 2] = 0;
  }
  return score;
}

static bool same_concat(const kn_form *a, const kn_form *b) {
  size_t ia = 0, ib = 0;
  int ta = 0, tb = 0;
  while (ta < a->n && tb < b->n) {
    if (a->t[ta].s[ia] != b->t[tb].s[ib]) return false;
    if (++ia == a->t[ta].len) { ta++; ia = 0; }
    if (++ib == b->t[tb].len) { tb++; ib = 0; }
  }
  return ta == a->n && tb == b->n;
}

double kn_form_score(const kn_form *a, const kn_form *b, char *ex, size_t cap) {
  if (ex && cap) ex[0] = 0;
  if (a->n == 0 || b->n == 0) return 0;
  double s = form_score_raw(a, b, ex, cap);
  if (s < 0.999 && !a->script && !b->script && (a->n != b->n || a->n > 1) &&
      same_concat(a, b)) {
    /* the same letters cut into words differently (Jongun / Jong Un) */
    if (ex && cap) {
      size_t u = 0;
      ex[0] = 0;
      explain_add(ex, cap, &u, "same letters, words joined differently: ");
      for (int i = 0; i < a->n; i++)
        explain_add(ex, cap, &u, "%s%.*s", i ? " " : "", (int)a->t[i].len, a->t[i].s);
      explain_add(ex, cap, &u, " = ");
      for (int j = 0; j < b->n; j++)
        explain_add(ex, cap, &u, "%s%.*s", j ? " " : "", (int)b->t[j].len, b->t[j].s);
    }
    return 1.0;
  }
  if (s >= 0.97 || a->script || b->script) return s;
  if (s < 0.3 && a->n == b->n) return s;      /* nothing a merge could save */
  /* try merging adjacent tokens on either side */
  int ma = find_merge(a, b), mb = find_merge(b, a);
  if (ma < 0 && mb < 0) return s;
  kn_form *xa = NULL, *xb = NULL;
  kn_form fa, fb;
  if (ma >= 0) { form_copy_merge(&fa, a, ma); xa = &fa; }
  if (mb >= 0) { form_copy_merge(&fb, b, mb); xb = &fb; }
  char ex2[256] = "";
  double s2 = form_score_raw(xa ? xa : a, xb ? xb : b, ex ? ex2 : NULL, sizeof ex2);
  if (s2 > s) {
    s = s2;
    if (ex && cap) snprintf(ex, cap, "%s", ex2);
  }
  return s;
}

double kn_name_score(const kn_name *a, const kn_name *b, char *ex, size_t cap,
                     int *fa, int *fb) {
  double best = 0;
  int bi = -1, bj = -1;
  bool same_script = a->script && a->script == b->script;
  for (int i = 0; i < a->n; i++) {
    for (int j = 0; j < b->n; j++) {
      const kn_form *x = &a->f[i], *y = &b->f[j];
      if (same_script) {
        /* both written in the same non-Latin script: compare as written */
        if (!x->script || !y->script) continue;
      } else if (x->script || y->script) continue;
      double s = kn_form_score(x, y, NULL, 0);
      if (s > best + 1e-9) { best = s; bi = i; bj = j; }
    }
  }
  if (fa) *fa = bi;
  if (fb) *fb = bj;
  if (ex && cap) {
    ex[0] = 0;
    if (bi >= 0) kn_form_score(&a->f[bi], &b->f[bj], ex, cap);
  }
  return best;
}

/* ------------------------------------------------------- public API */

double kpw_compare_names(kpw_schema schema, const char *a, const char *b,
                         char *explain, size_t explain_cap) {
  kn_name na, nb;
  if (explain && explain_cap) explain[0] = 0;
  if (!a || !b) return 0;
  kn_prepare(a, &na);
  kn_prepare(b, &nb);
  char ex[256] = "";
  double s = kn_name_score(&na, &nb, ex, sizeof ex, NULL, NULL);
  (void)schema;
  if (explain && explain_cap) snprintf(explain, explain_cap, "name %.2f (%s)", s, ex);
  return s;
}

const char *kpw_name_forms(const char *name, char *out, size_t cap) {
  kn_name nn;
  size_t u = 0;
  if (!out || cap == 0) return out;
  out[0] = 0;
  if (!name) return out;
  kn_prepare(name, &nn);
  for (int i = 0; i < nn.n; i++) {
    const kn_form *f = &nn.f[i];
    if (u && u + 3 < cap) { memcpy(out + u, " | ", 3); u += 3; }
    for (int k = 0; k < f->n; k++) {
      if (k && u + 1 < cap) out[u++] = ' ';
      size_t l = f->t[k].len;
      if (u + l + 1 >= cap) { out[u] = 0; return out; }
      memcpy(out + u, f->t[k].s, l);
      u += l;
    }
  }
  out[u] = 0;
  return out;
}
