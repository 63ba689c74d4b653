/*
** gfw.c -- GFW-compatible raw encounters (include/kpw/gfw.h): our own C
** re-implementation of the algorithm of GlobalFishingWatch/pipe-encounters
** (transforms/sort_by_time.py, resample.py, compute_adjacency.py,
** compute_encounters.py), kept step-for-step so the floating-point
** expressions, orders and tie-breaks are GFW's and results agree to 1e-6.
**
** Pipeline, per UTC day D (GFW keys every stage by (id, date)):
**  1. fixes of one vessel-day sorted by time; fixes sharing a timestamp
**     become one record: median lat, lon, speed; course = atan2(median sin,
**     median cos) in RADIANS (GFW then applies radians() again when it
**     extrapolates -- reproduced).
**  2. resample onto the grid k*resample_s (aligned to midnight): linear
**     interpolation of lat, lon (no unwrap at +-180), speed between the
**     bracketing records only if they are < max_gap_s apart; point_density
**     = round(step / max(gap, step), 2); optional extrapolation.
**  3. at each grid time, every point's neighbours within search_km,
**     nearest first (ties: lower id first), at most max_neighbours.
**  4. per vessel-day, in time order: a run per neighbour id, extended while
**     that neighbour is within max_dist_km at the vessel's grid points, and
**     closed at the first of the vessel's points where it is not; a closed
**     run with >= 2 points and duration >= min_duration_s is an encounter.
** GFW finds candidates through S2 level-12 cells and their neighbours; for
** search_km below the cell's minimum width (~1.46 km) that is exactly "all
** points within search_km", which is what we compute (lat-sorted sweep).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kpw/gfw.h"

#define DEG2RAD (3.141592653589793 / 180.0)   /* Python math.radians factor */
#define RAD2DEG (180.0 / 3.141592653589793)   /* Python math.degrees factor */
#define EARTH_RADIUS_KM 6371.0
#define MPS_TO_KNOTS 1.94384
#define VERY_SLOW 0.35

typedef struct gfix { uint32_t id; double t, lat, lon, speed, course; } gfix;

/* A resampled grid point of the current day. */
typedef struct gpt {
  uint32_t rank;              /* byte order of the vessel id */
  double t, lat, lon, speed, dens;
  uint32_t nb_off, nb_n;      /* neighbours within max_dist_km (after the cap) */
} gpt;

typedef struct nb { uint32_t pt; double d; } nb;

struct kpw_gfw {
  kpw_gfw_params p;
  kpw_arena *arena;           /* id strings */
  char **ids; uint32_t n_ids, cap_ids;
  uint32_t *hash; uint32_t hash_cap;   /* open addressing, id+1, 0 = empty */
  gfix *fx; uint64_t n_fx, cap_fx;
  uint64_t skipped, points;
  uint32_t *rank_of;          /* id -> rank; ids_by_rank[rank] -> id */
  uint32_t *id_of_rank;
};

void kpw_gfw_params_default(kpw_gfw_params *p) {
  p->resample_s = 600; p->max_gap_s = 70 * 60; p->search_km = 1.0;
  p->max_dist_km = 0.5; p->min_duration_s = 30 * 60; p->max_neighbours = 100;
  p->extrapolate = false; p->max_fixes = 20000000;
}

double kpw_gfw_distance_km(double lat1, double lon1, double lat2, double lon2) {
  double a = sin(0.5 * ((lat2 - lat1) * DEG2RAD));
  double b = sin(0.5 * ((lon2 - lon1) * DEG2RAD));
  double h = a * a + cos(lat1 * DEG2RAD) * cos(lat2 * DEG2RAD) * (b * b);
  if (h > 1) h = 1;
  return 2 * EARTH_RADIUS_KM * asin(sqrt(h));
}

double kpw_gfw_round2(double x) {
  /* glibc printf rounds the exact binary value, ties to even: Python's round */
  char buf[64];
  if (!isfinite(x) || fabs(x) > 1e15) return x;
  snprintf(buf, sizeof buf, "%.2f", x);
  return strtod(buf, NULL);
}

/* Python's float % (result has the sign of the divisor). */
static double pymod(double a, double b) {
  double m = fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

/* --------------------------------------------------------------- resample */
static size_t put_point(kpw_gfw_point *out, size_t cap, size_t k, double t, double lat,
                        double lon, double speed, double dens) {
  if (k < cap) { out[k].t = t; out[k].lat = lat; out[k].lon = lon; out[k].speed = speed; out[k].point_density = dens; }
  return k + 1;
}

static size_t extrapolate(const kpw_gfw_params *p, const kpw_gfw_rec *r, double beg, double end,
                          kpw_gfw_point *out, size_t cap, size_t k) {
  double t0 = r->t;
  double rads = r->course * DEG2RAD;
  double nm_s = r->speed / (60 * 60);
  double deg_lat_s = nm_s / 60;
  double dlat_dt = cos(rads) * deg_lat_s;
  double c = cos(r->lat * DEG2RAD);
  double dlon_dt = sin(rads) * deg_lat_s / (c > 0.1 ? c : 0.1);
  for (double ti = beg; ti <= end; ti += p->resample_s) {
    double dt = ti - t0;
    double lat = r->lat + dt * dlat_dt;
    double lon = r->lon + dt * dlon_dt;
    lon = pymod(lon + 180, 360) - 180;
    double m = dt > p->resample_s ? dt : p->resample_s;
    k = put_point(out, cap, k, ti, lat, lon, r->speed, kpw_gfw_round2(p->resample_s / m));
  }
  return k;
}

size_t kpw_gfw_resample(const kpw_gfw_params *p, const kpw_gfw_rec *r, size_t n,
                        kpw_gfw_point *out, size_t cap) {
  if (n == 0) return 0;
  double inc = p->resample_s;
  double day0 = floor(r[0].t / 86400.0) * 86400.0;
  double beg_dt = r[0].t - p->max_gap_s; if (beg_dt < day0) beg_dt = day0;
  double end_dt = r[n - 1].t + p->max_gap_s;
  double daymax = day0 + 86399.999999;      /* datetime.time.max */
  if (end_dt > daymax) end_dt = daymax;
  double beg_interp = ceil(r[0].t / inc) * inc;
  double end_interp = floor(r[n - 1].t / inc) * inc;
  double beg_extrap = ceil(beg_dt / inc) * inc;
  double end_extrap = floor(end_dt / inc) * inc;
  size_t k = 0;
  if (p->extrapolate) k = extrapolate(p, &r[0], beg_extrap, beg_interp - inc, out, cap, k);
  if (n >= 2) {
    size_t last = 0, cur = 1;
    for (double ti = beg_interp; ti <= end_interp; ti += inc) {
      while (cur + 1 < n && r[cur].t < ti) { last = cur; cur++; }
      double t0 = r[last].t, t1 = r[cur].t;
      double DT = t1 - t0, dt = ti - t0;
      if (DT < p->max_gap_s) {
        double mix = dt / DT;
        double m = DT > inc ? DT : inc;
        k = put_point(out, cap, k, ti,
                      r[cur].lat * mix + r[last].lat * (1 - mix),
                      r[cur].lon * mix + r[last].lon * (1 - mix),
                      r[cur].speed * mix + r[last].speed * (1 - mix),
                      kpw_gfw_round2(inc / m));
      }
    }
  }
  if (p->extrapolate) k = extrapolate(p, &r[n - 1], end_interp + inc, end_extrap, out, cap, k);
  return k;
}

/* ------------------------------------------------------------ lifecycle */
kpw_gfw *kpw_gfw_new(const kpw_gfw_params *p, kpw_error *err) {
  if (!(p->resample_s > 0) || !(p->max_gap_s > 0) || !(p->search_km > 0) ||
      !(p->max_dist_km >= 0) || !(p->min_duration_s >= 0) || p->max_neighbours < 1 ||
      p->resample_s > 86400 || p->search_km > 1000) {
    kpw_error_set(err, KPW_EUSAGE, "gfw", 0, 0,
                  "bad parameters: resample, max gap and search distance must be > 0, "
                  "neighbours >= 1");
    return NULL;
  }
  kpw_gfw *g = kpw_xcalloc(1, sizeof *g);
  g->p = *p;
  g->arena = kpw_arena_new(0);
  return g;
}

void kpw_gfw_free(kpw_gfw *g) {
  if (!g) return;
  kpw_arena_free(g->arena);
  free(g->ids); free(g->hash); free(g->fx); free(g->rank_of); free(g->id_of_rank);
  free(g);
}

void kpw_gfw_counts(const kpw_gfw *g, uint64_t *fixes, uint64_t *skipped, uint64_t *points) {
  if (fixes) *fixes = g->n_fx;
  if (skipped) *skipped = g->skipped;
  if (points) *points = g->points;
}

static uint32_t strhash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static uint32_t intern(kpw_gfw *g, const char *s) {
  if (g->n_ids * 2 >= g->hash_cap) {
    uint32_t nc = g->hash_cap ? g->hash_cap * 2 : 1024;
    uint32_t *nh = kpw_xcalloc(nc, sizeof *nh);
    for (uint32_t i = 0; i < g->n_ids; i++) {
      uint32_t j = strhash(g->ids[i]) & (nc - 1);
      while (nh[j]) j = (j + 1) & (nc - 1);
      nh[j] = i + 1;
    }
    free(g->hash); g->hash = nh; g->hash_cap = nc;
  }
  uint32_t j = strhash(s) & (g->hash_cap - 1);
  while (g->hash[j]) {
    if (strcmp(g->ids[g->hash[j] - 1], s) == 0) return g->hash[j] - 1;
    j = (j + 1) & (g->hash_cap - 1);
  }
  if (g->n_ids == g->cap_ids) {
    g->cap_ids = g->cap_ids ? g->cap_ids * 2 : 256;
    g->ids = kpw_xrealloc(g->ids, g->cap_ids * sizeof *g->ids);
  }
  g->ids[g->n_ids] = kpw_arena_strdup(g->arena, s);
  g->hash[j] = g->n_ids + 1;
  return g->n_ids++;
}

kpw_result kpw_gfw_add(kpw_gfw *g, const kpw_ais_fix *f, kpw_error *err) {
  if (!isfinite(f->lat) || !isfinite(f->lon) || fabs(f->lat) > 90 || fabs(f->lon) > 180) {
    g->skipped++;
    return KPW_OK;
  }
  if (g->n_fx >= g->p.max_fixes)
    return kpw_error_set(err, KPW_ENOMEM, f->source ? f->source : "gfw", f->line, 0,
                         "more than %llu fixes buffered (GFW mode holds whole days; "
                         "raise --max-fixes or split the input by day)",
                         (unsigned long long)g->p.max_fixes);
  char idbuf[24];
  const char *id = f->vessel_id;
  if (!id[0]) { snprintf(idbuf, sizeof idbuf, "%u", (unsigned)f->mmsi); id = idbuf; }
  if (g->n_fx == g->cap_fx) {
    g->cap_fx = g->cap_fx ? g->cap_fx * 2 : 4096;
    g->fx = kpw_xrealloc(g->fx, g->cap_fx * sizeof *g->fx);
  }
  gfix *x = &g->fx[g->n_fx++];
  x->id = intern(g, id);
  x->t = (double)f->t_us / 1e6;
  x->lat = f->lat; x->lon = f->lon; x->speed = f->sog; x->course = f->cog;
  return KPW_OK;
}

/* ------------------------------------------------------------- run */
static kpw_gfw *g_sort;   /* qsort context (single-threaded use) */

static int cmp_id_str(const void *a, const void *b) {
  return strcmp(g_sort->ids[*(const uint32_t *)a], g_sort->ids[*(const uint32_t *)b]);
}

static int cmp_fix(const void *a, const void *b) {
  const gfix *x = a, *y = b;
  double dx = floor(x->t / 86400.0), dy = floor(y->t / 86400.0);
  if (dx != dy) return dx < dy ? -1 : 1;
  uint32_t rx = g_sort->rank_of[x->id], ry = g_sort->rank_of[y->id];
  if (rx != ry) return rx < ry ? -1 : 1;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return 0;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Python's statistics.median / sort_by_time.median: sorts v in place. */
static double median(double *v, size_t n) {
  if (n > 1) qsort(v, n, sizeof *v, cmp_dbl);
  if (n % 2) return v[n / 2];
  return (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* qsort that accepts an empty (NULL) array, which qsort itself may not. */
static void sortv(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *)) {
  if (n > 1) qsort(base, n, sz, cmp);
}

typedef struct vec { void *p; size_t n, cap; } vec;
static void *vec_push(vec *v, size_t sz) {
  if (v->n == v->cap) { v->cap = v->cap ? v->cap * 2 : 64; v->p = kpw_xrealloc(v->p, v->cap * sz); }
  return (char *)v->p + sz * v->n++;
}

static gpt *g_pts;        /* qsort context for the time index */
static int cmp_pt_time(const void *a, const void *b) {
  const gpt *x = &g_pts[*(const uint32_t *)a], *y = &g_pts[*(const uint32_t *)b];
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return x->rank < y->rank ? -1 : x->rank > y->rank;
}
static int cmp_pt_lat(const void *a, const void *b) {
  const gpt *x = &g_pts[*(const uint32_t *)a], *y = &g_pts[*(const uint32_t *)b];
  if (x->lat != y->lat) return x->lat < y->lat ? -1 : 1;
  return x->rank < y->rank ? -1 : x->rank > y->rank;
}
typedef struct cand { double d; uint32_t rank, pt; } cand;
static int cmp_cand(const void *a, const void *b) {
  const cand *x = a, *y = b;
  if (x->d != y->d) return x->d < y->d ? -1 : 1;
  return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Neighbours of every point of one grid time (idx[0..m), sorted by lat). */
static void adjacency(kpw_gfw *g, gpt *pts, uint32_t *idx, size_t m, vec *nbs, vec *cands) {
  const kpw_gfw_params *p = &g->p;
  double delta = p->search_km / EARTH_RADIUS_KM;            /* radians */
  double ddeg = delta * RAD2DEG * (1 + 1e-9) + 1e-12;
  g_pts = pts;
  sortv(idx, m, sizeof *idx, cmp_pt_lat);
  for (size_t a = 0; a < m; a++) {
    gpt *q = &pts[idx[a]];
    double phimax = fabs(q->lat) + ddeg;
    double dlon = 360;
    if (phimax < 89.9) {
      double s = sin(delta) / cos(phimax * DEG2RAD);
      if (s < 1) dlon = asin(s) * RAD2DEG * (1 + 1e-9) + 1e-12;
    }
    cands->n = 0;
    /* sweep down and up from a over the lat band */
    for (int dir = -1; dir <= 1; dir += 2) {
      for (size_t b = dir < 0 ? a : a + 1;; ) {
        if (dir < 0) { if (b == 0) break; b--; }
        else if (b >= m) break;
        gpt *o = &pts[idx[b]];
        if (fabs(o->lat - q->lat) > ddeg) break;
        if (idx[b] != idx[a]) {
          double dl = fabs(o->lon - q->lon);
          if (dl > 180) dl = 360 - dl;
          if (dl <= dlon) {
            double d = kpw_gfw_distance_km(q->lat, q->lon, o->lat, o->lon);
            if (d <= p->search_km) {
              cand *c = vec_push(cands, sizeof *c);
              c->d = d; c->rank = o->rank; c->pt = idx[b];
            }
          }
        }
        if (dir > 0) b++;
      }
    }
    cand *cs = cands->p;
    if (cands->n > 1) sortv(cs, cands->n, sizeof *cs, cmp_cand);
    size_t keep = cands->n < (size_t)p->max_neighbours ? cands->n : (size_t)p->max_neighbours;
    q->nb_off = (uint32_t)nbs->n; q->nb_n = 0;
    for (size_t i = 0; i < keep; i++) {
      if (!(cs[i].d <= p->max_dist_km)) continue;
      nb *e = vec_push(nbs, sizeof *e);
      e->pt = cs[i].pt; e->d = cs[i].d;
      q->nb_n++;
    }
  }
}

typedef struct run { uint32_t nb_rank; vec ent; } run;   /* ent: struct {p1,p2,d} */
typedef struct rent { uint32_t p1, p2; double d; } rent;

/* Neumaier-compensated sum (Python >= 3.12 sum(), ~exact otherwise). */
typedef struct ksum { double s, c; } ksum;
static void ksum_add(ksum *k, double x) {
  double t = k->s + x;
  if (fabs(k->s) >= fabs(x)) k->c += (k->s - t) + x; else k->c += (x - t) + k->s;
  k->s = t;
}

static void try_encounter(kpw_gfw *g, gpt *pts, run *r, kpw_gfw_emit_fn emit, void *ctx, vec *tmp) {
  rent *e = r->ent.p;
  size_t n = r->ent.n;
  if (n < 2) return;
  double t0 = pts[e[0].p1].t, t1 = pts[e[n - 1].p1].t;
  if (t1 - t0 < g->p.min_duration_s) return;
  tmp->n = 0;
  for (size_t i = 0; i < n; i++) *(double *)vec_push(tmp, sizeof(double)) = e[i].d;
  double med_d = median(tmp->p, n);
  tmp->n = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    gpt *a = &pts[e[i].p1], *b = &pts[e[i + 1].p1];
    double dist = 1000 * kpw_gfw_distance_km(a->lat, a->lon, b->lat, b->lon);
    *(double *)vec_push(tmp, sizeof(double)) = dist / (b->t - a->t);
  }
  double med_v = median(tmp->p, n - 1) * MPS_TO_KNOTS;
  /* statistics.mean is exact then rounded: long double sums come close enough */
  long double slat = 0, scos = 0, ssin = 0;
  ksum d1 = {0, 0}, d2 = {0, 0};
  for (size_t i = 0; i < n; i++) {
    gpt *a = &pts[e[i].p1];
    slat += a->lat;
    scos += cos(a->lon * DEG2RAD);
    ssin += sin(a->lon * DEG2RAD);
    ksum_add(&d1, a->dens);
    ksum_add(&d2, pts[e[i].p2].dens);
  }
  double cos_lon = (double)(scos / n), sin_lon = (double)(ssin / n);
  kpw_gfw_encounter out;
  out.vessel_1_seg_id = g->ids[g->id_of_rank[pts[e[0].p1].rank]];
  out.vessel_2_seg_id = g->ids[g->id_of_rank[r->nb_rank]];
  out.start_time = t0; out.end_time = t1;
  out.mean_latitude = (double)(slat / n);
  out.mean_longitude = atan2(sin_lon, cos_lon) * RAD2DEG;
  out.median_distance_km = med_d;
  out.median_speed_knots = med_v;
  out.vessel_1_point_count = (int64_t)rint(d1.s + d1.c);
  out.vessel_2_point_count = (int64_t)rint(d2.s + d2.c);
  out.start_lat = pts[e[0].p1].lat; out.start_lon = pts[e[0].p1].lon;
  out.end_lat = pts[e[n - 1].p1].lat; out.end_lon = pts[e[n - 1].p1].lon;
  emit(ctx, &out);
}

/* compute_encounters for one vessel-day: points pts[a..b) in time order. */
static void encounters_of(kpw_gfw *g, gpt *pts, nb *nbs, size_t a, size_t b,
                          kpw_gfw_emit_fn emit, void *ctx, vec *runs, vec *tmp) {
  run *rs;
  runs->n = 0;
  for (size_t i = a; i <= b; i++) {
    gpt *q = i < b ? &pts[i] : NULL;     /* i == b: final flush, nothing active */
    if (q) {
      for (uint32_t k = 0; k < q->nb_n; k++) {
        nb *x = &nbs[q->nb_off + k];
        uint32_t rk = pts[x->pt].rank;
        rs = runs->p;
        size_t j = 0;
        while (j < runs->n && rs[j].nb_rank != rk) j++;
        if (j == runs->n) {
          run *nr = vec_push(runs, sizeof *nr);
          memset(nr, 0, sizeof *nr);
          nr->nb_rank = rk;
          rs = runs->p;
        }
        rent *en = vec_push(&rs[j].ent, sizeof *en);
        en->p1 = (uint32_t)i; en->p2 = x->pt; en->d = x->d;
      }
    }
    /* close runs whose neighbour is not active here, keeping insertion order */
    rs = runs->p;
    size_t w = 0;
    for (size_t j = 0; j < runs->n; j++) {
      bool active = false;
      if (q)
        for (uint32_t k = 0; k < q->nb_n && !active; k++)
          active = pts[nbs[q->nb_off + k].pt].rank == rs[j].nb_rank;
      if (active) { rs[w++] = rs[j]; continue; }
      try_encounter(g, pts, &rs[j], emit, ctx, tmp);
      free(rs[j].ent.p);
    }
    runs->n = w;
  }
}

kpw_result kpw_gfw_run(kpw_gfw *g, kpw_gfw_emit_fn emit, void *ctx, kpw_error *err) {
  /* id ranks: GFW sorts records by id (bytes) */
  g->id_of_rank = kpw_xcalloc(g->n_ids ? g->n_ids : 1, sizeof(uint32_t));
  g->rank_of = kpw_xcalloc(g->n_ids ? g->n_ids : 1, sizeof(uint32_t));
  for (uint32_t i = 0; i < g->n_ids; i++) g->id_of_rank[i] = i;
  g_sort = g;
  sortv(g->id_of_rank, g->n_ids, sizeof(uint32_t), cmp_id_str);
  for (uint32_t r = 0; r < g->n_ids; r++) g->rank_of[g->id_of_rank[r]] = r;
  sortv(g->fx, g->n_fx, sizeof *g->fx, cmp_fix);

  vec recs = {0}, pts = {0}, nbs = {0}, cands = {0}, runs = {0}, tmp = {0}, rp = {0};
  vec med = {0}, idx = {0};
  kpw_result rc = KPW_OK;
  uint64_t i = 0;
  while (i < g->n_fx) {
    double day = floor(g->fx[i].t / 86400.0);
    uint64_t dend = i;
    while (dend < g->n_fx && floor(g->fx[dend].t / 86400.0) == day) dend++;
    pts.n = 0; nbs.n = 0;
    /* 1+2: per vessel: de-duplicate, resample */
    for (uint64_t v = i; v < dend; ) {
      uint64_t vend = v;
      while (vend < dend && g->fx[vend].id == g->fx[v].id) vend++;
      recs.n = 0;
      for (uint64_t s = v; s < vend; ) {
        uint64_t send = s;
        while (send < vend && g->fx[send].t == g->fx[s].t) send++;
        kpw_gfw_rec *r = vec_push(&recs, sizeof *r);
        size_t k = send - s;
        r->t = g->fx[s].t;
        med.n = 0;
        for (uint64_t x = s; x < send; x++) *(double *)vec_push(&med, sizeof(double)) = g->fx[x].lat;
        r->lat = median(med.p, k);
        med.n = 0;
        for (uint64_t x = s; x < send; x++) *(double *)vec_push(&med, sizeof(double)) = g->fx[x].lon;
        r->lon = median(med.p, k);
        /* speed / course: NAN values are left out of the medians (GFW's None);
        ** a fix with neither is kept with speed 0 / course 0 (GFW would drop a
        ** record without speed, or without course above 0.35 kn: see docs). */
        med.n = 0;
        for (uint64_t x = s; x < send; x++)
          if (isfinite(g->fx[x].speed)) *(double *)vec_push(&med, sizeof(double)) = g->fx[x].speed;
        r->speed = med.n ? median(med.p, med.n) : 0.0;
        med.n = 0;
        for (uint64_t x = s; x < send; x++)
          if (isfinite(g->fx[x].course)) *(double *)vec_push(&med, sizeof(double)) = sin(g->fx[x].course * DEG2RAD);
        size_t nc = med.n;
        double sn = nc ? median(med.p, nc) : 0;
        med.n = 0;
        for (uint64_t x = s; x < send; x++)
          if (isfinite(g->fx[x].course)) *(double *)vec_push(&med, sizeof(double)) = cos(g->fx[x].course * DEG2RAD);
        double cs = nc ? median(med.p, nc) : 0;
        r->course = nc ? atan2(sn, cs) : 0.0;   /* radians, as GFW stores it */
        s = send;
      }
      /* resample into rp, then append as day points */
      size_t need = kpw_gfw_resample(&g->p, recs.p, recs.n, NULL, 0);
      if (need > rp.cap) { rp.cap = need; rp.p = kpw_xrealloc(rp.p, need * sizeof(kpw_gfw_point)); }
      kpw_gfw_resample(&g->p, recs.p, recs.n, rp.p, need);
      kpw_gfw_point *gp = rp.p;
      uint32_t rank = g->rank_of[g->fx[v].id];
      for (size_t k = 0; k < need; k++) {
        gpt *o = vec_push(&pts, sizeof *o);
        o->rank = rank; o->t = gp[k].t; o->lat = gp[k].lat; o->lon = gp[k].lon;
        o->speed = gp[k].speed; o->dens = gp[k].point_density; o->nb_off = 0; o->nb_n = 0;
      }
      v = vend;
    }
    g->points += pts.n;
    if (pts.n > UINT32_MAX / 2) {
      rc = kpw_error_set(err, KPW_ENOMEM, "gfw", 0, 0, "too many grid points in one day");
      break;
    }
    /* 3: adjacency per grid time */
    idx.n = 0;
    for (size_t k = 0; k < pts.n; k++) *(uint32_t *)vec_push(&idx, sizeof(uint32_t)) = (uint32_t)k;
    g_pts = pts.p;
    sortv(idx.p, idx.n, sizeof(uint32_t), cmp_pt_time);
    uint32_t *ix = idx.p;
    gpt *P = pts.p;
    for (size_t a = 0; a < idx.n; ) {
      size_t b = a;
      while (b < idx.n && P[ix[b]].t == P[ix[a]].t) b++;
      adjacency(g, P, ix + a, b - a, &nbs, &cands);
      a = b;
    }
    /* 4: encounters per vessel-day (points are grouped by vessel, time order) */
    for (size_t a = 0; a < pts.n; ) {
      size_t b = a;
      while (b < pts.n && P[b].rank == P[a].rank) b++;
      encounters_of(g, P, nbs.p, a, b, emit, ctx, &runs, &tmp);
      a = b;
    }
    i = dend;
  }
  free(recs.p); free(pts.p); free(nbs.p); free(cands.p); free(runs.p); free(tmp.p);
  free(rp.p); free(med.p); free(idx.p);
  return rc;
}

/* ------------------------------------------------------------- merge */
typedef struct mrec { const kpw_gfw_encounter *e; int64_t p1, p2; bool swap; } mrec;

static int cmp_mrec(const void *a, const void *b) {
  const mrec *x = a, *y = b;
  int c;
  /* ordered pair first (groups), then GFW's sort key */
  const char *xa = x->swap ? x->e->vessel_2_seg_id : x->e->vessel_1_seg_id;
  const char *xb = x->swap ? x->e->vessel_1_seg_id : x->e->vessel_2_seg_id;
  const char *ya = y->swap ? y->e->vessel_2_seg_id : y->e->vessel_1_seg_id;
  const char *yb = y->swap ? y->e->vessel_1_seg_id : y->e->vessel_2_seg_id;
  if ((c = strcmp(xa, ya)) != 0) return c;
  if ((c = strcmp(xb, yb)) != 0) return c;
  if (x->e->start_time != y->e->start_time) return x->e->start_time < y->e->start_time ? -1 : 1;
  if (x->e->end_time != y->e->end_time) return x->e->end_time < y->e->end_time ? -1 : 1;
  if ((c = strcmp(x->e->vessel_1_seg_id, y->e->vessel_1_seg_id)) != 0) return c;
  if ((c = strcmp(x->e->vessel_2_seg_id, y->e->vessel_2_seg_id)) != 0) return c;
  return x->e < y->e ? -1 : x->e > y->e;   /* stable */
}

static void merge_group(const mrec *r, size_t n, kpw_gfw_merged_fn emit, void *ctx, double *tmp) {
  ksum tot = {0, 0}, cs = {0, 0}, sn = {0, 0}, la = {0, 0};
  size_t si = 0, ei = 0;
  int64_t p1 = 0, p2 = 0;
  for (size_t i = 0; i < n; i++) {
    const kpw_gfw_encounter *e = r[i].e;
    double dur = e->end_time - e->start_time;
    ksum_add(&tot, dur);
    ksum_add(&cs, dur * cos(e->mean_longitude * DEG2RAD));
    ksum_add(&sn, dur * sin(e->mean_longitude * DEG2RAD));
    ksum_add(&la, dur * e->mean_latitude);
    if (e->start_time < r[si].e->start_time) si = i;     /* min(): first of ties */
    if (e->end_time > r[ei].e->end_time) ei = i;         /* max(): first of ties */
    p1 += r[i].p1; p2 += r[i].p2;
  }
  double total = tot.s + tot.c;
  if (total < 1) total = 1;
  kpw_gfw_encounter m;
  m.vessel_1_seg_id = r[0].swap ? r[0].e->vessel_2_seg_id : r[0].e->vessel_1_seg_id;
  m.vessel_2_seg_id = r[0].swap ? r[0].e->vessel_1_seg_id : r[0].e->vessel_2_seg_id;
  m.start_time = r[si].e->start_time;
  m.end_time = r[ei].e->end_time;
  m.mean_latitude = (la.s + la.c) / total;
  m.mean_longitude = atan2((sn.s + sn.c) / total, (cs.s + cs.c) / total) * RAD2DEG;
  for (size_t i = 0; i < n; i++) tmp[i] = r[i].e->median_speed_knots;
  m.median_speed_knots = median(tmp, n);
  for (size_t i = 0; i < n; i++) tmp[i] = r[i].e->median_distance_km;
  m.median_distance_km = median(tmp, n);
  m.vessel_1_point_count = p1; m.vessel_2_point_count = p2;
  m.start_lat = r[si].e->start_lat; m.start_lon = r[si].e->start_lon;
  m.end_lat = r[ei].e->end_lat; m.end_lon = r[ei].e->end_lon;
  emit(ctx, &m);
}

void kpw_gfw_merge(const kpw_gfw_encounter *raw, size_t n, double min_gap_s,
                   kpw_gfw_merged_fn emit, void *ctx) {
  if (n == 0) return;
  mrec *r = kpw_xcalloc(n, sizeof *r);
  double *tmp = kpw_xcalloc(n, sizeof *tmp);
  for (size_t i = 0; i < n; i++) {
    r[i].e = &raw[i];
    /* the key is the ordered pair; point counts follow the key's order */
    r[i].swap = strcmp(raw[i].vessel_1_seg_id, raw[i].vessel_2_seg_id) > 0;
    r[i].p1 = r[i].swap ? raw[i].vessel_2_point_count : raw[i].vessel_1_point_count;
    r[i].p2 = r[i].swap ? raw[i].vessel_1_point_count : raw[i].vessel_2_point_count;
  }
  sortv(r, n, sizeof *r, cmp_mrec);
  size_t a = 0;
  while (a < n) {
    size_t b = a;
    const char *ka = r[a].swap ? r[a].e->vessel_2_seg_id : r[a].e->vessel_1_seg_id;
    const char *kb = r[a].swap ? r[a].e->vessel_1_seg_id : r[a].e->vessel_2_seg_id;
    double end = 0;                       /* GFW starts from the epoch */
    size_t g0 = a;
    for (; b < n; b++) {
      const char *xa = r[b].swap ? r[b].e->vessel_2_seg_id : r[b].e->vessel_1_seg_id;
      const char *xb = r[b].swap ? r[b].e->vessel_1_seg_id : r[b].e->vessel_2_seg_id;
      if (strcmp(xa, ka) || strcmp(xb, kb)) break;
      if (r[b].e->start_time - end >= min_gap_s) {
        if (b > g0) merge_group(r + g0, b - g0, emit, ctx, tmp);
        g0 = b;
      }
      if (r[b].e->end_time > end) end = r[b].e->end_time;
    }
    if (b > g0) merge_group(r + g0, b - g0, emit, ctx, tmp);
    a = b;
  }
  free(r); free(tmp);
}
