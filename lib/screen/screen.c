/*
** screen.c -- the screener: an index over every name of a kpw_listset and
** the query path (candidates -> name scores -> qualifiers -> hits).
**
** Build (kpw_screener_new): every name is prepared into forms (norm.c);
** forms are stored compactly (token records + one string pool; identical
** forms of one entity are kept once) and indexed under several keys per
** token: the literal token, a consonant skeleton (typo-tolerant), the
** Korean syllable fold key (Ri/Li/Lee share one key), the concatenation of
** adjacent tokens and of a whole 3-4 token name (joined names), and the
** literal token of script forms.
** The inverted index is one sorted array of (key hash, form id) turned into
** an open-addressing table of posting ranges. Identifiers go into a second
** table keyed by (identifier class, normalised value).
**
** Query (kpw_screen): keys of the query are looked up rarest first and
** summed per candidate form with an IDF weight (one contribution per query
** token); keys with very long posting lists (> COMMON_DF) only add to
** candidates already found (and only to those that can still reach the
** floor: MIN_SHARE of the query's best possible key score), so "MOHAMMED
** ALI" does not pull in thousands of names. Candidates of another schema
** are dropped. The best MAX_SCORED candidate forms are scored exactly
** (match.c), each against the query forms that share a key with it;
** per entity the best form counts, then date of birth, country, gender and
** schema adjust the score. Exact identifier matches score 1.0.
**
** The screener is immutable after build; kpw_screen allocates its scratch
** per call, so any number of threads may screen at once.
*/
#include "kpw/screen.h"
#include "kpw/util.h"
#include "screen/screen_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double KPW_DEFAULT_THRESHOLD = 0.81;

#define COMMON_DF 600        /* postings longer than this only boost */
#define MIN_SHARE 0.45      /* of the query's best possible key score */
#define MAX_SCORED 50       /* candidate forms scored exactly per query */
#define ACC_CAP 2048         /* accumulator slots per query (power of 2) */
#define MAX_QFORMS 12        /* query forms over all query names */
#define MAX_ENT_HITS 256

/* A stored name form. */
typedef struct sform {
  uint32_t ent;          /* entity index in the listset */
  uint16_t name;         /* index in entity->names */
  uint8_t ntok;
  uint8_t script;        /* KS_* of a script form, 0 ASCII */
  uint8_t korean;
  uint8_t name_script;   /* KS_* of the name's own script (0 Latin) */
  uint8_t weak;
  uint8_t schema;         /* the entity's kpw_schema, for early filtering */
  uint32_t tok;          /* first token in toks[] */
} sform;

typedef struct stok {
  uint32_t str;          /* offset in pool */
  uint8_t len, flags;
  uint16_t kkey;
  float w;
} stok;

typedef struct idrec { uint64_t h; uint32_t ent; uint32_t ident; } idrec;

struct kpw_screener {
  const kpw_listset *ls;
  size_t n_ent;
  sform *forms; uint32_t n_forms, cap_forms;
  stok *toks; uint32_t n_toks, cap_toks;
  char *pool; size_t n_pool, cap_pool;
  /* inverted index */
  uint64_t *khash; uint32_t *koff, *kcnt; size_t kcap;   /* kcap power of 2 */
  uint32_t *post; size_t n_post;
  double log_n;
  /* identifiers, sorted by h */
  idrec *ids; size_t n_ids;
};

/* ------------------------------------------------------------ hashing */

static uint64_t mix64(uint64_t h) {
  h ^= h >> 33; h *= 0xff51afd7ed558ccdull; h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull; h ^= h >> 33;
  return h | 1;          /* never 0: 0 marks an empty slot */
}

static uint64_t hash_bytes(char type, const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  h ^= (unsigned char)type; h *= 1099511628211ull;
  for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ull; }
  return mix64(h);
}

/* ------------------------------------------------------------ keys */

/* Consonant skeleton: letters folded into phonetic classes, vowels and
** h/w/y dropped, repeats collapsed; digit look-alikes read as letters. */
static size_t skeleton(const char *s, size_t n, char *out, size_t cap) {
  size_t o = 0;
  char last = 0;
  for (size_t i = 0; i < n && o + 1 < cap; i++) {
    char c = s[i], k;
    switch (c) {
    case '0': c = 'o'; break; case '1': c = 'i'; break; case '3': c = 'e'; break;
    case '4': c = 'a'; break; case '5': c = 's'; break; case '9': c = 'g'; break;
    default: break;
    }
    switch (c) {
    case 'b': case 'p': k = 'p'; break;
    case 'c': case 'k': case 'q': case 'g': k = 'k'; break;
    case 'd': case 't': k = 't'; break;
    case 's': case 'z': case 'x': k = 's'; break;
    case 'f': case 'v': k = 'f'; break;
    case 'j': k = 'j'; break;
    case 'l': case 'r': k = 'r'; break;
    case 'm': case 'n': k = 'n'; break;
    default: k = 0; break;     /* vowels, h, w, y, other */
    }
    if (!k) continue;
    if (k == last) continue;
    out[o++] = k; last = k;
  }
  out[o] = 0;
  return o;
}

typedef struct qkey { uint64_t h; float w; uint8_t tok; } qkey;

/* Keys of one form. tokbase numbers the form's tokens for the one-
** contribution-per-token rule. Returns the number written. */
static size_t form_keys(const kn_form *f, uint8_t tokbase, qkey *out, size_t cap,
                        bool variant) {
  size_t n = 0;
  for (int i = 0; i < f->n; i++) {
    const kn_tok *t = &f->t[i];
    uint8_t tk = (uint8_t)(tokbase + i);
    if (f->script) {
      if (n < cap) out[n++] = (qkey){hash_bytes('S', t->s, t->len), 1.0f, tk};
      continue;
    }
    if (n < cap) out[n++] = (qkey){hash_bytes('L', t->s, t->len), 1.0f, tk};
    if (t->kkey && n < cap)
      out[n++] = (qkey){hash_bytes('K', (const char *)&t->kkey, 2), 0.9f, tk};
    /* further romanisations of one query name already are spelling
    ** variants: literal and Korean keys suffice for them */
    if (variant) continue;
    if (t->len >= 4 && !(t->flags & KT_NUM)) {
      char sk[KN_TOKMAX + 1];
      size_t sl = skeleton(t->s, t->len, sk, sizeof sk);
      if (sl >= 2 && n < cap) out[n++] = (qkey){hash_bytes('P', sk, sl), 0.7f, tk};
    }
    if (i + 1 < f->n && t->len + f->t[i + 1].len <= KN_TOKMAX) {
      char cat[KN_TOKMAX];
      memcpy(cat, t->s, t->len);
      memcpy(cat + t->len, f->t[i + 1].s, f->t[i + 1].len);
      /* a joined-name key covers both tokens: its own token slot (32+i)
      ** and twice the weight */
      if (n < cap)
        out[n++] = (qkey){hash_bytes('L', cat, t->len + f->t[i + 1].len), 1.8f,
                          (uint8_t)(32 + tokbase + i)};
    }
  }
  /* the whole name written as one word ("KimJongUn"): the concatenation
  ** of all tokens of a 3-4 token form, counted for the first token */
  if (!f->script && !variant && f->n >= 3 && f->n <= 4 && n < cap) {
    char cat[KN_TOKMAX * 2];
    size_t cl = 0;
    bool fits = true;
    for (int i = 0; i < f->n && fits; i++) {
      if (cl + f->t[i].len > sizeof cat) fits = false;
      else { memcpy(cat + cl, f->t[i].s, f->t[i].len); cl += f->t[i].len; }
    }
    if (fits) out[n++] = (qkey){hash_bytes('L', cat, cl), 1.8f, (uint8_t)(32 + tokbase)};
  }
  return n;
}

/* ------------------------------------------------------------ build */

typedef struct kpair { uint64_t h; uint32_t form; } kpair;

static int cmp_kpair(const void *a, const void *b) {
  const kpair *x = a, *y = b;
  if (x->h != y->h) return x->h < y->h ? -1 : 1;
  return (x->form > y->form) - (x->form < y->form);
}

static int cmp_idrec(const void *a, const void *b) {
  const idrec *x = a, *y = b;
  if (x->h != y->h) return x->h < y->h ? -1 : 1;
  return (x->ent > y->ent) - (x->ent < y->ent);
}

static void *grow(void *p, uint32_t *cap, size_t need, size_t sz) {
  if (need <= *cap) return p;
  size_t nc = *cap ? *cap : 1024;
  while (nc < need) nc *= 2;
  p = kpw_xrealloc(p, nc * sz);
  *cap = (uint32_t)nc;
  return p;
}

/* Identifier class for the id table: documents share one class. */
static char id_class(kpw_id_kind k) {
  switch (k) {
  case KPW_ID_IMO: return 'I';
  case KPW_ID_MMSI: return 'M';
  case KPW_ID_CRYPTO: return 'C';
  case KPW_ID_CALLSIGN: return 'S';
  case KPW_ID_BIC: return 'B';
  default: return 'D';
  }
}

static uint64_t id_hash(kpw_id_kind k, const char *v) {
  return hash_bytes(id_class(k), v, strlen(v));
}

static uint64_t form_sig(const kn_form *f) {
  uint64_t h = (uint64_t)f->script * 31 + f->korean;
  for (int i = 0; i < f->n; i++)
    h = h * 1000003u ^ hash_bytes('L', f->t[i].s, f->t[i].len);
  return h;
}

kpw_result kpw_screener_new(const kpw_listset *ls, kpw_screener **out,
                            kpw_error *err) {
  if (!ls || !out)
    return kpw_error_set(err, KPW_EUSAGE, "screener", 0, 0, "no list set");
  *out = NULL;
  kpw_screener *s = kpw_xcalloc(1, sizeof *s);
  s->ls = ls;
  s->n_ent = kpw_listset_count(ls);
  if (s->n_ent > UINT32_MAX / 2) {
    free(s);
    return kpw_error_set(err, KPW_ENOMEM, "screener", 0, 0, "too many entities");
  }
  kpair *pairs = NULL;
  size_t n_pairs = 0, cap_pairs = 0;
  size_t cap_ids = 0;
  kn_name *nm = kpw_xmalloc(sizeof *nm);
  for (size_t e = 0; e < s->n_ent; e++) {
    const kpw_entity *ent = kpw_listset_get(ls, e);
    uint64_t sigs[64];
    int nsig = 0;
    for (uint32_t ni = 0; ni < ent->n_names && ni < 65535; ni++) {
      const kpw_name *name = &ent->names[ni];
      if (!name->text) continue;
      if (kn_prepare(name->text, nm) == 0) continue;
      for (int fi = 0; fi < nm->n; fi++) {
        const kn_form *f = &nm->f[fi];
        uint64_t sig = form_sig(f);
        bool dup = false;
        for (int k = 0; k < nsig; k++) if (sigs[k] == sig) dup = true;
        if (dup) continue;
        if (nsig < 64) sigs[nsig++] = sig;
        s->forms = grow(s->forms, &s->cap_forms, s->n_forms + 1, sizeof *s->forms);
        s->toks = grow(s->toks, &s->cap_toks, (size_t)s->n_toks + f->n, sizeof *s->toks);
        uint32_t fid = s->n_forms++;
        sform *sf = &s->forms[fid];
        sf->ent = (uint32_t)e; sf->name = (uint16_t)ni; sf->ntok = f->n;
        sf->script = f->script; sf->korean = f->korean;
        sf->name_script = (uint8_t)nm->script; sf->weak = name->weak;
        sf->schema = (uint8_t)ent->schema; sf->tok = s->n_toks;
        for (int k = 0; k < f->n; k++) {
          const kn_tok *t = &f->t[k];
          if (s->n_pool + t->len + 1 > s->cap_pool) {
            size_t nc = s->cap_pool ? s->cap_pool * 2 : 1 << 20;
            while (nc < s->n_pool + t->len + 1) nc *= 2;
            s->pool = kpw_xrealloc(s->pool, nc);
            s->cap_pool = nc;
          }
          stok *st = &s->toks[s->n_toks++];
          st->str = (uint32_t)s->n_pool; st->len = t->len; st->flags = t->flags;
          st->kkey = t->kkey; st->w = t->w;
          memcpy(s->pool + s->n_pool, t->s, t->len);
          s->pool[s->n_pool + t->len] = 0;
          s->n_pool += t->len + 1;
        }
        qkey keys[KN_MAXTOK * 5];
        size_t nk = form_keys(f, 0, keys, sizeof keys / sizeof keys[0], false);
        if (n_pairs + nk > cap_pairs) {
          cap_pairs = cap_pairs ? cap_pairs * 2 : 1 << 16;
          while (cap_pairs < n_pairs + nk) cap_pairs *= 2;
          pairs = kpw_xrealloc(pairs, cap_pairs * sizeof *pairs);
        }
        for (size_t k = 0; k < nk; k++) pairs[n_pairs++] = (kpair){keys[k].h, fid};
      }
    }
    for (uint32_t ii = 0; ii < ent->n_ids; ii++) {
      const kpw_ident *id = &ent->ids[ii];
      if (!id->value || !id->value[0]) continue;
      if (s->n_ids + 1 > cap_ids) {
        cap_ids = cap_ids ? cap_ids * 2 : 1024;
        s->ids = kpw_xrealloc(s->ids, cap_ids * sizeof *s->ids);
      }
      char norm[256];
      const char *v = id->value;
      if (id->kind == KPW_ID_CRYPTO) {
        if (kpw_crypto_normalize(id->value, norm, sizeof norm)) v = norm;
      }
      s->ids[s->n_ids++] = (idrec){id_hash(id->kind, v), (uint32_t)e, ii};
    }
  }
  free(nm);
  /* postings */
  if (n_pairs) qsort(pairs, n_pairs, sizeof *pairs, cmp_kpair);
  size_t nuniq = 0, w = 0;
  for (size_t i = 0; i < n_pairs; i++) {
    if (w > 0 && pairs[w - 1].h == pairs[i].h && pairs[w - 1].form == pairs[i].form) continue;
    if (w == 0 || pairs[w - 1].h != pairs[i].h) nuniq++;
    pairs[w++] = pairs[i];
  }
  n_pairs = w;
  s->kcap = 1024;
  while (s->kcap < nuniq * 2) s->kcap *= 2;
  s->khash = kpw_xcalloc(s->kcap, sizeof *s->khash);
  s->koff = kpw_xmalloc(s->kcap * sizeof *s->koff);
  s->kcnt = kpw_xmalloc(s->kcap * sizeof *s->kcnt);
  s->post = kpw_xmalloc((n_pairs ? n_pairs : 1) * sizeof *s->post);
  s->n_post = n_pairs;
  for (size_t i = 0; i < n_pairs;) {
    size_t j = i;
    while (j < n_pairs && pairs[j].h == pairs[i].h) { s->post[j] = pairs[j].form; j++; }
    size_t slot = pairs[i].h & (s->kcap - 1);
    while (s->khash[slot]) slot = (slot + 1) & (s->kcap - 1);
    s->khash[slot] = pairs[i].h;
    s->koff[slot] = (uint32_t)i;
    s->kcnt[slot] = (uint32_t)(j - i);
    i = j;
  }
  free(pairs);
  if (s->n_ids) qsort(s->ids, s->n_ids, sizeof *s->ids, cmp_idrec);
  s->log_n = log((double)(s->n_forms + 1));
  *out = s;
  return KPW_OK;
}

void kpw_screener_free(kpw_screener *s) {
  if (!s) return;
  free(s->forms); free(s->toks); free(s->pool);
  free(s->khash); free(s->koff); free(s->kcnt); free(s->post);
  free(s->ids);
  free(s);
}

static const uint32_t *postings(const kpw_screener *s, uint64_t h, uint32_t *cnt) {
  size_t slot = h & (s->kcap - 1);
  while (s->khash[slot]) {
    if (s->khash[slot] == h) { *cnt = s->kcnt[slot]; return s->post + s->koff[slot]; }
    slot = (slot + 1) & (s->kcap - 1);
  }
  *cnt = 0;
  return NULL;
}

/* Rebuild a kn_form view of a stored form (tokens point into the pool). */
static void load_form(const kpw_screener *s, uint32_t fid, kn_form *f) {
  const sform *sf = &s->forms[fid];
  f->n = sf->ntok; f->script = sf->script; f->korean = sf->korean; f->used = 0;
  for (int k = 0; k < sf->ntok; k++) {
    const stok *st = &s->toks[sf->tok + k];
    f->t[k].s = s->pool + st->str; f->t[k].len = st->len;
    f->t[k].flags = st->flags; f->t[k].kkey = st->kkey; f->t[k].w = st->w;
  }
}

/* ------------------------------------------------------------ query */

typedef struct acc {
  uint32_t form; float score; float last; uint16_t tok; uint16_t used;
  uint16_t fmask;          /* query forms whose keys reached this form */
} acc;

typedef struct ehit {
  uint32_t ent;
  double name, score;
  int qname;              /* index of the query name, -1 for id hits */
  int eform;              /* stored form id of the best name, -1 for id hits */
  int ident;              /* identifier index for id hits, else -1 */
  char ex[200];           /* id hits only */
} ehit;

static acc *acc_find(acc *a, uint16_t *live, size_t *nlive, uint32_t form,
                     bool create) {
  size_t slot = (form * 2654435761u) & (ACC_CAP - 1);
  for (size_t probe = 0; probe < ACC_CAP; probe++) {
    if (!a[slot].used) {
      if (!create) return NULL;
      a[slot].used = 1; a[slot].form = form; a[slot].score = 0;
      a[slot].last = 0; a[slot].tok = 0xFFFF; a[slot].fmask = 0;
      live[(*nlive)++] = (uint16_t)slot;
      return &a[slot];
    }
    if (a[slot].form == form) return &a[slot];
    slot = (slot + 1) & (ACC_CAP - 1);
  }
  return NULL;
}

static void acc_add(acc *x, uint16_t tok, float v, uint8_t qform) {
  x->fmask |= (uint16_t)(1u << qform);
  if (x->tok == tok) {
    if (v > x->last) { x->score += v - x->last; x->last = v; }
  } else { x->score += v; x->tok = tok; x->last = v; }
}

typedef struct lkey { const uint32_t *p; uint32_t n; float w; uint16_t tok; uint8_t qform; } lkey;

static int cmp_lkey(const void *a, const void *b) {
  const lkey *x = a, *y = b;
  return (x->n > y->n) - (x->n < y->n);
}

static int cmp_acc_desc(const void *a, const void *b) {
  const acc *x = a, *y = b;
  if (x->score != y->score) return x->score < y->score ? 1 : -1;
  return (x->form > y->form) - (x->form < y->form);
}

static bool bsearch_u32(const uint32_t *p, uint32_t n, uint32_t v) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (p[mid] < v) lo = mid + 1; else hi = mid;
  }
  return lo < n && p[lo] == v;
}

/* Qualifier adjustments; appends to ex. */
static double qualifiers(const kpw_entity *e, const kpw_query *q,
                         const kpw_date *qd, bool have_qd, const char *qc,
                         char *ex, size_t cap) {
  double adj = 0;
  char dummy[8] = "";
  if (!ex) { ex = dummy; cap = 0; }
  size_t u = strlen(ex);
  if (have_qd && e->n_birth_dates) {
    double best = -1e9;
    const char *why = "";
    for (uint32_t i = 0; i < e->n_birth_dates; i++) {
      kpw_date d;
      if (!e->birth_dates[i] || !kpw_date_parse(e->birth_dates[i], &d)) continue;
      double v;
      const char *w;
      int dy = abs(d.year - qd->year);
      if (dy == 0) {
        /* Same year. A different month or day is typical of transcription
        ** slips, so it is not held against the name; an exact full date
        ** confirms it. Partial dates that agree so far count as "year =". */
        bool mk = d.month && qd->month, dk = d.day && qd->day;
        if (mk && dk && d.month == qd->month && d.day == qd->day) { v = 0.06; w = "dob ="; }
        else if (mk && d.month != qd->month) { v = 0.03; w = "dob year = month !="; }
        else if (dk && d.day != qd->day) { v = 0.03; w = "dob year = day !="; }
        else { v = 0.03; w = "dob year ="; }
      } else if (dy == 1) { v = -0.05; w = "dob year ~1"; }
      else { v = -0.20; w = "dob year !="; }
      if (v > best) { best = v; why = w; }
    }
    if (best > -1e9) {
      adj += best;
      if (u + 2 < cap) u += (size_t)snprintf(ex + u, cap - u, "; %s", why);
      if (u >= cap && cap) u = cap - 1;
    }
  }
  if (qc && e->n_countries) {
    bool hit = false;
    for (uint32_t i = 0; i < e->n_countries; i++)
      if (e->countries[i] && strcmp(e->countries[i], qc) == 0) hit = true;
    if (u + 2 < cap)
      u += (size_t)snprintf(ex + u, cap - u, "; country %s %s", qc, hit ? "=" : "!=");
    if (u >= cap && cap) u = cap - 1;
    adj += hit ? 0.02 : -0.10;
  }
  if (q->gender && e->gender && q->gender != e->gender) {
    adj -= 0.15;
    if (u + 2 < cap) u += (size_t)snprintf(ex + u, cap - u, "; gender !=");
  }
  return adj;
}

static bool schema_compatible(kpw_schema q, kpw_schema e) {
  if (q == KPW_SCHEMA_ANY || e == KPW_SCHEMA_ANY) return true;
  return q == e;
}

static int cmp_ehit(const void *a, const void *b) {
  const ehit *x = a, *y = b;
  if (x->score != y->score) return x->score < y->score ? 1 : -1;
  return (x->ent > y->ent) - (x->ent < y->ent);
}

static ehit *ehit_get(ehit *h, size_t *n, uint32_t ent) {
  for (size_t i = 0; i < *n; i++) if (h[i].ent == ent) return &h[i];
  if (*n >= MAX_ENT_HITS) return NULL;
  ehit *x = &h[(*n)++];
  memset(x, 0, sizeof *x);
  x->ent = ent; x->qname = -1; x->eform = -1; x->ident = -1; x->score = -1;
  return x;
}

/* Normalise a query identifier into out; false if empty. */
static bool norm_query_id(const kpw_ident *id, char *out, size_t cap) {
  if (!id->value) return false;
  if (id->kind == KPW_ID_CRYPTO) return kpw_crypto_normalize(id->value, out, cap);
  if (id->kind == KPW_ID_IMO || id->kind == KPW_ID_MMSI) {
    size_t o = 0;
    for (const char *p = id->value; *p && o + 1 < cap; p++)
      if (*p >= '0' && *p <= '9') out[o++] = *p;
    out[o] = 0;
    if (id->kind == KPW_ID_IMO && o >= 5 && o < 7 && cap > 8) {
      memmove(out + (7 - o), out, o + 1);
      memset(out, '0', 7 - o);
      o = 7;
    }
    return o > 0;
  }
  kpw_id_normalize(id->value, out, cap);
  return out[0] != 0;
}

static const char *id_kind_name(kpw_id_kind k) {
  switch (k) {
  case KPW_ID_IMO: return "imo";
  case KPW_ID_MMSI: return "mmsi";
  case KPW_ID_CRYPTO: return "crypto";
  case KPW_ID_PASSPORT: return "passport";
  case KPW_ID_NATIONAL: return "national id";
  case KPW_ID_CALLSIGN: return "call sign";
  case KPW_ID_BIC: return "bic";
  default: return "id";
  }
}

size_t kpw_screen(const kpw_screener *s, const kpw_query *q, double threshold,
                  double min_score, kpw_hit *hits, size_t max_hits) {
  if (!s || !q || (!hits && max_hits)) return 0;
  /* A date of birth or a gender says the query is a person even when no
  ** schema was given: vessels and firms named like people stay out. */
  kpw_schema qschema = q->schema;
  if (qschema == KPW_SCHEMA_ANY && (q->birth_date || q->gender)) qschema = KPW_SCHEMA_PERSON;
  ehit *eh = malloc(MAX_ENT_HITS * sizeof *eh);
  if (!eh) return 0;
  size_t neh = 0;

  /* ---- identifiers: exact */
  for (size_t i = 0; i < q->n_ids && q->ids; i++) {
    char v[256];
    if (!norm_query_id(&q->ids[i], v, sizeof v)) continue;
    kpw_id_kind qk = q->ids[i].kind;
    uint64_t h = id_hash(qk, v);
    size_t lo = 0, hi = s->n_ids;
    while (lo < hi) { size_t mid = (lo + hi) / 2; if (s->ids[mid].h < h) lo = mid + 1; else hi = mid; }
    for (; lo < s->n_ids && s->ids[lo].h == h; lo++) {
      const kpw_entity *e = kpw_listset_get(s->ls, s->ids[lo].ent);
      const kpw_ident *id = &e->ids[s->ids[lo].ident];
      ehit *x = ehit_get(eh, &neh, s->ids[lo].ent);
      if (!x || x->score >= 1.0) continue;
      x->score = 1.0; x->name = 1.0; x->ident = (int)s->ids[lo].ident; x->qname = (int)i;
      snprintf(x->ex, sizeof x->ex, "%s %s = %s", id_kind_name(qk), v,
               id->label ? id->label : id_kind_name(id->kind));
    }
  }

  /* ---- names: prepare the query */
  kn_name *qn = NULL;
  size_t nq = q->names ? q->n_names : 0;
  if (nq > 4) nq = 4;
  int qf_name[MAX_QFORMS];
  const kn_form *qf[MAX_QFORMS];
  int nqf = 0, qscript[4] = {0};
  if (nq) {
    qn = malloc(nq * sizeof *qn);
    if (!qn) { free(eh); return 0; }
    for (size_t i = 0; i < nq; i++) {
      if (!q->names[i]) { qn[i].n = 0; qn[i].script = 0; continue; }
      kn_prepare(q->names[i], &qn[i]);
      qscript[i] = qn[i].script;
      for (int k = 0; k < qn[i].n && nqf < MAX_QFORMS; k++) {
        qf[nqf] = &qn[i].f[k]; qf_name[nqf] = (int)i; nqf++;
      }
    }
  }
  if (nqf > 0) {
    acc *ac = malloc(ACC_CAP * sizeof *ac);
    uint16_t *live = malloc(ACC_CAP * sizeof *live);   /* used slots */
    if (ac) memset(ac, 0, ACC_CAP * sizeof *ac);
    lkey lk[MAX_QFORMS * KN_MAXTOK * 5];
    size_t nlk = 0;
    /* best possible contribution of each query token (for the cutoff) */
    float tokmax[4 * KN_MAXTOK];
    bool tokseen[4 * KN_MAXTOK];
    memset(tokmax, 0, sizeof tokmax);
    memset(tokseen, 0, sizeof tokseen);
    if (!ac || !live) { free(ac); free(live); free(qn); free(eh); return 0; }
    for (int f = 0; f < nqf; f++) {
      qkey keys[KN_MAXTOK * 5];
      size_t nk = form_keys(qf[f], 0, keys, sizeof keys / sizeof keys[0],
                            f > 0 && qf_name[f - 1] == qf_name[f] && !qf[f]->script);
      for (size_t k = 0; k < nk; k++) {
        uint32_t cnt;
        const uint32_t *p = postings(s, keys[k].h, &cnt);
        /* token id: the same token position in different forms of one name
        ** counts once */
        bool joined = keys[k].tok >= 32;
        int ti = joined ? keys[k].tok - 32 : keys[k].tok;
        uint16_t tk = (uint16_t)((joined ? 4 * KN_MAXTOK : 0) + qf_name[f] * KN_MAXTOK + ti);
        if (!joined) tokseen[tk] = true;
        if (!p) continue;
        double idf = log((double)(s->n_forms + 1) / (cnt + 0.5));
        if (idf < 0.1) idf = 0.1;
        float tw = qf[f]->t[ti].w;
        if (joined && ti + 1 < qf[f]->n) tw = 0.5f * (tw + qf[f]->t[ti + 1].w);
        float v = (float)(idf * keys[k].w * tw);
        if (!joined && v > tokmax[tk]) tokmax[tk] = v;
        lk[nlk++] = (lkey){p, cnt, v, tk, (uint8_t)f};
      }
    }
    qsort(lk, nlk, sizeof *lk, cmp_lkey);
    size_t nacc = 0;      /* live slots; capped at half the table */
    size_t first_common = nlk;
    for (size_t k = 0; k < nlk; k++) {
      if (lk[k].n > COMMON_DF) { first_common = k; break; }
      for (uint32_t j = 0; j < lk[k].n; j++) {
        acc *x = acc_find(ac, live, &nacc, lk[k].p[j], nacc < ACC_CAP / 2);
        if (x) acc_add(x, lk[k].tok, lk[k].w, lk[k].qform);
      }
    }
    if (nacc == 0 && first_common < nlk) {
      /* only common keys: take the shortest list as the seed */
      size_t k = first_common;
      for (uint32_t j = 0; j < lk[k].n && nacc < ACC_CAP / 2; j++) {
        acc *x = acc_find(ac, live, &nacc, lk[k].p[j], true);
        if (x) acc_add(x, lk[k].tok, lk[k].w, lk[k].qform);
      }
      first_common++;
    }
    /* A candidate must carry a fair share of the query's evidence: one
    ** shared surname out of four rare tokens cannot reach the threshold.
    ** Per query name the share is taken over that name's tokens. */
    float maxacc = 0;
    for (size_t nn = 0; nn < nq; nn++) {
      float m = 0;
      for (int t = 0; t < KN_MAXTOK; t++) {
        size_t tk = nn * KN_MAXTOK + (size_t)t;
        if (!tokseen[tk]) continue;
        m += tokmax[tk] > 0 ? tokmax[tk] : (float)(0.5 * s->log_n);
      }
      if (m > maxacc) maxacc = m;
    }
    float floor_acc = (float)(MIN_SHARE * maxacc);
    /* Boost with the common keys only the candidates that can still reach
    ** the floor with everything the common keys could add. */
    if (first_common < nlk) {
      float pot[8 * KN_MAXTOK];
      memset(pot, 0, sizeof pot);
      for (size_t k = first_common; k < nlk; k++)
        if (lk[k].tok < 8 * KN_MAXTOK && lk[k].w > pot[lk[k].tok]) pot[lk[k].tok] = lk[k].w;
      float total_pot = 0;
      for (size_t t = 0; t < 8 * KN_MAXTOK; t++) total_pot += pot[t];
      size_t nviable = 0;
      for (size_t li = 0; li < nacc; li++)
        if (ac[live[li]].score + total_pot >= floor_acc) live[nviable++] = live[li];
      for (size_t k = first_common; k < nlk; k++)
        for (size_t li = 0; li < nviable; li++) {
          acc *x = &ac[live[li]];
          if (bsearch_u32(lk[k].p, lk[k].n, x->form)) acc_add(x, lk[k].tok, lk[k].w, lk[k].qform);
        }
      nacc = nviable;
    }
    /* compact and pick the best candidates */
    size_t w = 0;
    acc *cand = malloc((nacc ? nacc : 1) * sizeof *cand);
    if (!cand) { free(ac); free(live); free(qn); free(eh); return 0; }
    for (size_t li = 0; li < nacc; li++)
      if (ac[live[li]].score >= floor_acc &&
          schema_compatible(qschema, (kpw_schema)s->forms[ac[live[li]].form].schema))
        cand[w++] = ac[live[li]];
    free(ac);
    ac = cand;
    size_t take = w;
    if (take > MAX_SCORED) {
      qsort(ac, w, sizeof *ac, cmp_acc_desc);
      take = MAX_SCORED;
    }
    kn_form cf;
    for (size_t c = 0; c < take; c++) {
      uint32_t fid = ac[c].form;
      const sform *sf = &s->forms[fid];
      const kpw_entity *e = kpw_listset_get(s->ls, sf->ent);
      if (!schema_compatible(qschema, e->schema)) continue;
      load_form(s, fid, &cf);
      double best = 0;
      int bq = -1;
      for (int f = 0; f < nqf; f++) {
        if (!(ac[c].fmask & (1u << f))) continue;   /* no shared key */
        const kn_form *x = qf[f];
        int qs = qscript[qf_name[f]];
        if (qs && sf->name_script == qs) {
          if (!x->script || !cf.script) continue;   /* same script: as written */
        } else if (x->script || cf.script) continue;
        double v = kn_form_score(x, &cf, NULL, 0);
        if (v > best) { best = v; bq = f; }
      }
      if (bq < 0) continue;
      if (sf->weak) best *= 0.92;
      ehit *x = ehit_get(eh, &neh, sf->ent);
      if (!x) continue;
      if (x->ident >= 0) continue;        /* exact id already */
      if (best > x->name) { x->name = best; x->qname = bq; x->eform = (int)fid; }
    }
    free(ac);
    free(live);
  }

  /* ---- qualifiers and final scores (explanations only for the output) */
  kpw_date qd;
  bool have_qd = q->birth_date && kpw_date_parse(q->birth_date, &qd);
  const char *qc = q->country && q->country[0] ? kpw_country_code(q->country) : NULL;
  size_t keep = 0;
  for (size_t i = 0; i < neh; i++) {
    ehit *x = &eh[i];
    if (x->ident >= 0) { eh[keep++] = *x; continue; }
    if (x->eform < 0) continue;
    const kpw_entity *e = kpw_listset_get(s->ls, x->ent);
    double adj = qualifiers(e, q, &qd, have_qd, qc, NULL, 0);
    x->score = x->name + (x->name >= 0.5 ? adj : fmin(adj, 0));
    eh[keep++] = *x;
  }
  neh = keep;
  qsort(eh, neh, sizeof *eh, cmp_ehit);
  size_t out = 0;
  for (size_t i = 0; i < neh && out < max_hits; i++) {
    ehit *x = &eh[i];
    double sc = x->score > 1 ? 1 : x->score < 0 ? 0 : x->score;
    if (sc < min_score) continue;
    const kpw_entity *e = kpw_listset_get(s->ls, x->ent);
    kpw_hit *h = &hits[out++];
    h->entity = e;
    h->score = sc;
    h->match = sc >= threshold;
    if (x->ident >= 0) {
      h->matched_name = e->ids[x->ident].value;
      h->query_name = q->ids[x->qname].value;
      snprintf(h->explain, sizeof h->explain, "%s", x->ex);
    } else {
      const sform *sf = &s->forms[x->eform];
      h->matched_name = e->names[sf->name].text;
      h->query_name = q->names[qf_name[x->qname]];
      kn_form cf;
      load_form(s, (uint32_t)x->eform, &cf);
      char nx[160] = "";
      kn_form_score(qf[x->qname], &cf, nx, sizeof nx);
      char ex[256];
      snprintf(ex, sizeof ex, "name %.2f (%s)%s", x->name, nx,
               sf->weak ? " weak alias" : "");
      qualifiers(e, q, &qd, have_qd, qc, ex, sizeof ex);
      snprintf(h->explain, sizeof h->explain, "%s", ex);
    }
  }
  free(qn);
  free(eh);
  return out;
}
