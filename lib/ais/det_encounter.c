/*
** det_encounter.c -- `encounter`: two vessels alongside each other at low
** speed for a long time (ship-to-ship transfer), sanctions mode of
** docs/domain/maritime.md recommendation 3: within enc_max_dist_m for
** >= enc_min_hours, both below enc_max_sog_kn, at any distance from shore.
**
** How (and where it departs from GFW's pipe-encounters on purpose):
**  - Every vessel is resampled on one time grid of enc_step_min minutes
**    aligned to the epoch (so to UTC midnight), with NO per-day partition:
**    a run continues across midnight. A grid point is made when the fix
**    after it arrives, by interpolating between the bracketing fixes when
**    they are at most enc_interp_hours apart (longitude the short way round,
**    so tracks crossing +-180 are right). Only points below enc_max_sog_kn
**    (interpolated SOG, else the speed implied by the two fixes) are kept.
**  - Grid points go into the bucket of their grid time. When the watermark
**    passes T + enc_interp_hours no more points for T can come (for input
**    late by at most lag_hours), the bucket is processed: points are sorted
**    by cell of a lat/lon grid whose cells are >= enc_max_dist_m (geo.h) and
**    each point is compared with the points of its 3x3 cells.
**  - A pair is keyed by the unordered pair of vessels: one run per pair, so
**    ONE symmetric event (subjects in id order; every figure computed
**    symmetrically). The run survives up to enc_miss_steps missing steps.
**  - Memory: a ring of buckets covering lag + interp (points of slow vessels
**    only), per-vessel last fix, and the open pair runs.
*/
#include <math.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include "kpw/aisdetect.h"
#include "ais/geo.h"

typedef struct enc_vessel {
  int64_t t;                 /* KPW_TIME_NONE: no position yet */
  double lat, lon, sog;
} enc_vessel;

typedef struct enc_point {
  double lat, lon;
  const char *src; uint64_t line;    /* the fix that closed the interval */
  uint32_t vid; float kn;
} enc_point;

typedef struct enc_bucket { int64_t k; enc_point *pt; size_t n, cap; } enc_bucket;

typedef struct pair_run {
  uint64_t key;                       /* lo vid << 32 | hi vid */
  int64_t k0, k1;
  uint32_t n;
  double sum_d, min_d, max_d;
  geo_mean pos;
  float max_kn[2];                    /* [0] lo vid, [1] hi vid */
  const char *src0[2], *src1[2]; uint64_t line0[2], line1[2];
} pair_run;

typedef struct sort_ent { uint64_t key; uint32_t i; } sort_ent;

typedef struct enc_state {
  kpw_ais_params p;
  int64_t step_us, interp_us;
  int miss;
  geo_grid grid;
  enc_vessel *v; uint32_t cap_v;
  enc_bucket *ring; int64_t nring;
  int64_t next_k;                     /* first bucket not processed yet; INT64_MIN before the first fix */
  pair_run *runs; size_t n_runs, cap_runs;
  uint32_t *idx; size_t cap_idx;      /* open addressing over runs: run index + 1 */
  sort_ent *se; size_t cap_se;
  uint64_t late_points;
} enc_state;

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static uint64_t mix64(uint64_t x) {
  x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

/* ---------------------------------------------------------- pair table */
static size_t idx_find(const enc_state *s, uint64_t key) {
  size_t m = s->cap_idx - 1, i = mix64(key) & m;
  while (s->idx[i] && s->runs[s->idx[i] - 1].key != key) i = (i + 1) & m;
  return i;
}

static void idx_rebuild(enc_state *s, size_t cap) {
  free(s->idx);
  s->cap_idx = cap;
  s->idx = kpw_xcalloc(cap, sizeof *s->idx);
  for (size_t r = 0; r < s->n_runs; r++) s->idx[idx_find(s, s->runs[r].key)] = (uint32_t)r + 1;
}

static pair_run *run_get(enc_state *s, uint64_t key, bool *fresh) {
  size_t i = idx_find(s, key);
  if (s->idx[i]) { *fresh = false; return &s->runs[s->idx[i] - 1]; }
  *fresh = true;
  if (s->n_runs == s->cap_runs) {
    s->cap_runs = s->cap_runs ? s->cap_runs * 2 : 256;
    s->runs = kpw_xrealloc(s->runs, sizeof *s->runs * s->cap_runs);
  }
  if ((s->n_runs + 1) * 2 > s->cap_idx) {
    idx_rebuild(s, s->cap_idx * 2);
    i = idx_find(s, key);
  }
  pair_run *r = &s->runs[s->n_runs];
  memset(r, 0, sizeof *r);
  r->key = key;
  s->idx[i] = (uint32_t)++s->n_runs;
  return r;
}

/* Remove run r (swap with the last; backward-shift deletion in the index). */
static void run_remove(enc_state *s, size_t r) {
  size_t m = s->cap_idx - 1, i = idx_find(s, s->runs[r].key);
  size_t j = i;
  for (;;) {
    s->idx[i] = 0;
    for (;;) {
      j = (j + 1) & m;
      if (!s->idx[j]) goto shifted;
      size_t home = mix64(s->runs[s->idx[j] - 1].key) & m;
      bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!between) break;
    }
    s->idx[i] = s->idx[j];
    i = j;
  }
shifted:
  if (r != s->n_runs - 1) {
    s->runs[r] = s->runs[s->n_runs - 1];
    s->idx[idx_find(s, s->runs[r].key)] = (uint32_t)r + 1;
  }
  s->n_runs--;
}

/* ---------------------------------------------------------- emission */
static void run_emit(enc_state *s, const kpw_ais_ctx *c, const pair_run *r) {
  /* Each grid point stands for the step around it: a pair alongside for
  ** exactly 2 h between two grid points spans only 11 steps of 10 min, so
  ** the duration tested is (points) x step, not (points - 1) x step. */
  double hours = (double)((r->k1 - r->k0 + 1) * s->step_us) / 3.6e9;
  if (r->n < 2 || hours < s->p.enc_min_hours) return;
  uint32_t va = (uint32_t)(r->key >> 32), vb = (uint32_t)r->key;
  const char *sa = c->subject(c->drv, va), *sb = c->subject(c->drv, vb);
  int a = 0, b = 1;                   /* subjects in id order: symmetric output */
  if (strcmp(sa, sb) > 0) { const char *t = sa; sa = sb; sb = t; a = 1; b = 0; }
  const char *subj[2] = { sa, sb };
  double mean_d = r->sum_d / r->n, lat, lon;
  geo_mean_get(&r->pos, &lat, &lon);
  double shore = kpw_ais_shore(c, lat, lon);
  double f_h = fmin(1.0, (hours - s->p.enc_min_hours) / fmax(s->p.enc_min_hours, 1e-9));
  double f_d = s->p.enc_max_dist_m > 0 ? 1.0 - fmin(1.0, mean_d / s->p.enc_max_dist_m) : 0;
  double score = 0.5 + 0.25 * f_h + 0.25 * f_d;
  char explain[256];
  snprintf(explain, sizeof explain, "alongside %.0f m (mean) for %.1f h, both < %.3g kn",
           mean_d, hours, s->p.enc_max_sog_kn);
  if (!isnan(shore)) {
    size_t l = strlen(explain);
    snprintf(explain + l, sizeof explain - l, ", %.0f nm from shore", shore);
  }
  kpw_buf d; kpw_buf_init(&d);
  kpw_buf_puts(&d, "{"); kpw_json_key(&d, "mode"); kpw_json_str(&d, "sts");
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "hours"); kpw_json_num(&d, hours);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "points"); kpw_json_int(&d, r->n);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "step_min"); kpw_json_num(&d, s->p.enc_step_min);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "distance_m"); kpw_json_num(&d, mean_d);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "min_distance_m"); kpw_json_num(&d, r->min_d);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "max_distance_m"); kpw_json_num(&d, r->max_d);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "max_sog_kn");
  kpw_buf_putc(&d, '['); kpw_json_num(&d, r->max_kn[a]); kpw_buf_putc(&d, ',');
  kpw_json_num(&d, r->max_kn[b]); kpw_buf_putc(&d, ']');
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "shore_nm");
  if (isnan(shore)) kpw_buf_puts(&d, "null"); else kpw_json_num(&d, shore);
  kpw_buf_putc(&d, '}');
  kpw_evidence ev[4] = {
    { r->src0[a], r->line0[a], 0, "start" }, { r->src0[b], r->line0[b], 0, "start" },
    { r->src1[a], r->line1[a], 0, "end" }, { r->src1[b], r->line1[b], 0, "end" },
  };
  for (int i = 0; i < 4; i++) if (!ev[i].source) ev[i].source = "-";
  kpw_finding f = {
    .kind = "encounter", .subjects = subj, .n_subjects = 2,
    .start_us = r->k0 * s->step_us, .end_us = r->k1 * s->step_us,
    .has_place = true, .lat = lat, .lon = lon, .score = score, .explain = explain,
    .evidence = ev, .n_evidence = 4, .detail_json = d.data,
  };
  c->emit(c->emit_ctx, &f);
  kpw_buf_free(&d);
}

/* ---------------------------------------------------------- buckets */
static int cmp_se(const void *x, const void *y) {
  const sort_ent *a = x, *b = y;
  return a->key < b->key ? -1 : a->key > b->key ? 1 : (a->i < b->i ? -1 : a->i > b->i);
}

static size_t lower_bound(const sort_ent *se, size_t n, uint64_t key) {
  size_t lo = 0, hi = n;
  while (lo < hi) { size_t mid = (lo + hi) / 2; if (se[mid].key < key) lo = mid + 1; else hi = mid; }
  return lo;
}

static void pair_hit(enc_state *s, int64_t k, const enc_point *x, const enc_point *y, double dist) {
  if (x->vid > y->vid) { const enc_point *t = x; x = y; y = t; }
  bool fresh;
  pair_run *r = run_get(s, (uint64_t)x->vid << 32 | y->vid, &fresh);
  if (fresh) {
    r->k0 = k; r->min_d = dist; r->max_d = dist;
    r->src0[0] = x->src; r->line0[0] = x->line; r->src0[1] = y->src; r->line0[1] = y->line;
  }
  r->k1 = k; r->n++;
  r->sum_d += dist;
  if (dist < r->min_d) r->min_d = dist;
  if (dist > r->max_d) r->max_d = dist;
  /* symmetric sums: a + b == b + a exactly */
  r->pos.slat += x->lat + y->lat;
  r->pos.ssin += sin(x->lon * M_PI / 180) + sin(y->lon * M_PI / 180);
  r->pos.scos += cos(x->lon * M_PI / 180) + cos(y->lon * M_PI / 180);
  r->pos.n += 2;
  if (x->kn > r->max_kn[0]) r->max_kn[0] = x->kn;
  if (y->kn > r->max_kn[1]) r->max_kn[1] = y->kn;
  r->src1[0] = x->src; r->line1[0] = x->line; r->src1[1] = y->src; r->line1[1] = y->line;
}

static void process_bucket(enc_state *s, const kpw_ais_ctx *c, int64_t k) {
  enc_bucket *b = &s->ring[(uint64_t)k % (uint64_t)s->nring];
  size_t n = b->k == k ? b->n : 0;
  if (n >= 2) {
    if (n > s->cap_se) { s->cap_se = n * 2; s->se = kpw_xrealloc(s->se, sizeof *s->se * s->cap_se); }
    for (size_t i = 0; i < n; i++) {
      s->se[i].key = geo_grid_key(&s->grid, b->pt[i].lat, b->pt[i].lon);
      s->se[i].i = (uint32_t)i;
    }
    qsort(s->se, n, sizeof *s->se, cmp_se);
    for (size_t a = 0; a < n; a++) {
      const enc_point *x = &b->pt[s->se[a].i];
      uint64_t keys[9];
      int nk = geo_grid_neighbours(&s->grid, x->lat, x->lon, keys);
      for (int q = 0; q < nk; q++) {
        if (keys[q] < s->se[a].key) continue;      /* that cell already paired with this one */
        size_t j = keys[q] == s->se[a].key ? a + 1 : lower_bound(s->se, n, keys[q]);
        for (; j < n && s->se[j].key == keys[q]; j++) {
          const enc_point *y = &b->pt[s->se[j].i];
          if (y->vid == x->vid) continue;
          /* cheap latitude reject before the trigonometry */
          if (fabs(y->lat - x->lat) * 111194.9 > s->p.enc_max_dist_m) continue;
          double dist = geo_dist_m(x->lat, x->lon, y->lat, y->lon);
          /* a pair inside a known (non-DPRK) port's anchorage is port
          ** traffic: the point does not count (a run through it breaks) */
          if (dist <= s->p.enc_max_dist_m &&
              !(c->in_foreign_port && c->in_foreign_port(c->geo, x->lat, x->lon)))
            pair_hit(s, k, x, y, dist);
        }
      }
    }
  }
  b->n = 0; b->k = INT64_MIN;
  /* close runs that missed more than enc_miss_steps steps */
  for (size_t r = 0; r < s->n_runs;) {
    if (k - s->runs[r].k1 > s->miss) { run_emit(s, c, &s->runs[r]); run_remove(s, r); }
    else r++;
  }
}

/* Process every bucket below k_end. */
static void process_until(enc_state *s, const kpw_ais_ctx *c, int64_t k_end) {
  if (s->next_k == INT64_MIN) return;
  /* skip stretches with nothing pending (a long pause in the input) */
  if (k_end - s->next_k > s->nring + s->miss + 1 && s->n_runs == 0) {
    bool any = false;
    for (int64_t i = 0; i < s->nring; i++) if (s->ring[i].n) { any = true; break; }
    if (!any) s->next_k = k_end;
  }
  while (s->next_k < k_end) process_bucket(s, c, s->next_k++);
}

static void push_point(enc_state *s, const kpw_ais_ctx *c, int64_t k, const enc_point *pt) {
  if (k < s->next_k) { s->late_points++; return; }
  if (k - s->next_k >= s->nring) process_until(s, c, k - s->nring + 1);
  enc_bucket *b = &s->ring[(uint64_t)k % (uint64_t)s->nring];
  if (b->k != k) { b->k = k; b->n = 0; }
  if (b->n == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 64;
    b->pt = kpw_xrealloc(b->pt, sizeof *b->pt * b->cap);
  }
  b->pt[b->n++] = *pt;
}

/* ---------------------------------------------------------- callbacks */
static void enc_fix(void *st, const kpw_ais_ctx *c, const kpw_ais_fix *f) {
  enc_state *s = st;
  if (!geo_valid(f->lat, f->lon)) return;
  s->v = geo_vessels_grow(s->v, &s->cap_v, c->vid, sizeof *s->v, offsetof(enc_vessel, t));
  if (s->next_k == INT64_MIN) {
    int64_t wm = c->watermark_us != KPW_TIME_NONE ? c->watermark_us : f->t_us;
    s->next_k = floor_div(wm - s->interp_us, s->step_us);
  }
  enc_vessel *v = &s->v[c->vid];
  enc_point pt = { .src = f->source, .line = f->line, .vid = c->vid };
  int64_t k_hi = floor_div(f->t_us, s->step_us);
  if (v->t == KPW_TIME_NONE) {
    /* first position: a point only if it sits on the grid with a known SOG */
    if (k_hi * s->step_us == f->t_us && isfinite(f->sog) && f->sog <= s->p.enc_max_sog_kn) {
      pt.lat = f->lat; pt.lon = f->lon; pt.kn = (float)f->sog;
      push_point(s, c, k_hi, &pt);
    }
  } else {
    int64_t dt = f->t_us - v->t;
    if (dt > 0 && dt <= s->interp_us) {
      double implied = NAN;
      for (int64_t k = floor_div(v->t, s->step_us) + 1; k <= k_hi; k++) {
        double fr = (double)(k * s->step_us - v->t) / (double)dt;
        double kn;
        if (isfinite(v->sog) && isfinite(f->sog)) kn = v->sog + (f->sog - v->sog) * fr;
        else {
          if (isnan(implied)) implied = geo_implied_kn(v->lat, v->lon, f->lat, f->lon, dt);
          kn = implied;
        }
        if (!(kn <= s->p.enc_max_sog_kn)) continue;
        geo_interp(v->lat, v->lon, f->lat, f->lon, fr, &pt.lat, &pt.lon);
        pt.kn = (float)kn;
        push_point(s, c, k, &pt);
      }
    }
  }
  v->t = f->t_us; v->lat = f->lat; v->lon = f->lon; v->sog = f->sog;
}

static void enc_tick(void *st, const kpw_ais_ctx *c, int64_t now_us) {
  enc_state *s = st;
  /* bucket k is complete once now >= k*step + interp */
  process_until(s, c, floor_div(now_us - s->interp_us, s->step_us) + 1);
}

static void enc_finish(void *st, const kpw_ais_ctx *c) {
  enc_state *s = st;
  if (s->next_k == INT64_MIN) return;
  int64_t last = s->next_k;
  for (int64_t i = 0; i < s->nring; i++)
    if (s->ring[i].n && s->ring[i].k >= last) last = s->ring[i].k + 1;
  process_until(s, c, last);
  while (s->n_runs) { run_emit(s, c, &s->runs[s->n_runs - 1]); run_remove(s, s->n_runs - 1); }
}

static void enc_evict(void *st, const kpw_ais_ctx *c, uint32_t vid) {
  enc_state *s = st;
  if (vid < s->cap_v) s->v[vid].t = KPW_TIME_NONE;
  /* runs of an idle vessel closed long ago (idle_hours >> miss steps); this
  ** only guards a vid being reused while a run still names it */
  for (size_t r = 0; r < s->n_runs;) {
    uint64_t key = s->runs[r].key;
    if ((uint32_t)(key >> 32) == vid || (uint32_t)key == vid) { run_emit(s, c, &s->runs[r]); run_remove(s, r); }
    else r++;
  }
}

static void enc_free(void *st) {
  enc_state *s = st;
  if (!s) return;
  for (int64_t i = 0; i < s->nring; i++) free(s->ring[i].pt);
  free(s->ring); free(s->v); free(s->runs); free(s->idx); free(s->se);
  geo_grid_free(&s->grid);
  free(s);
}

kpw_ais_detector kpw_ais_det_encounter_new(const kpw_ais_params *p) {
  enc_state *s = kpw_xcalloc(1, sizeof *s);
  s->p = *p;
  double step_min = p->enc_step_min > 0 ? p->enc_step_min : 10;
  s->step_us = (int64_t)(step_min * 6e7);
  if (s->step_us < 1000000) s->step_us = 1000000;
  s->interp_us = (int64_t)(fmax(p->enc_interp_hours, 0) * 3.6e9);
  s->miss = p->enc_miss_steps >= 0 ? p->enc_miss_steps : 0;
  geo_grid_init(&s->grid, p->enc_max_dist_m);
  int64_t span = (int64_t)(fmax(p->lag_hours, 0) * 3.6e9) + s->interp_us + 2 * 60000000LL;
  s->nring = span / s->step_us + 4;
  s->ring = kpw_xcalloc((size_t)s->nring, sizeof *s->ring);
  for (int64_t i = 0; i < s->nring; i++) s->ring[i].k = INT64_MIN;
  s->next_k = INT64_MIN;
  idx_rebuild(s, 512);
  return (kpw_ais_detector){ .name = "encounter", .state = s, .fix = enc_fix, .tick = enc_tick,
                             .finish = enc_finish, .free = enc_free, .evict = enc_evict };
}
