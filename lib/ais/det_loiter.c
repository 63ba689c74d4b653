/*
** det_loiter.c -- `loitering`: a vessel below loiter_max_sog_kn for
** >= loiter_min_hours (GFW: 2 kn, 4 h), at >= loiter_min_shore_nm from
** shore (mean position) when a shore model is given; without one the
** finding is kept and its detail says the distance is unknown.
**
** Speed of a fix: its SOG, else the speed implied by the previous position
** (so feeds without SOG work). A run is the stretch of consecutive slow
** fixes; it ends at a fast fix or when positions are more than
** gap_min_hours apart (loitering while dark is not observed: ais_gap and
** dark_rendezvous cover that). Per vessel: the last position and one run's
** sums, O(1).
*/
#include <math.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include "kpw/aisdetect.h"
#include "ais/geo.h"

typedef struct loit_vessel {
  int64_t t;                       /* last position, KPW_TIME_NONE: none */
  double lat, lon;
  /* the open run (n == 0: none) */
  int64_t t0, t1;
  uint32_t n;
  geo_mean pos;
  double sum_kn, max_kn;
  const char *src0, *src1; uint64_t line0, line1;
} loit_vessel;

typedef struct loit_state {
  kpw_ais_params p;
  loit_vessel *v; uint32_t cap_v;
  uint64_t near_shore;             /* runs dropped for being near shore */
} loit_state;

static void run_close(loit_state *s, const kpw_ais_ctx *c, loit_vessel *v, uint32_t vid) {
  double hours = (double)(v->t1 - v->t0) / 3.6e9;
  if (v->n >= 2 && hours >= s->p.loiter_min_hours) {
    double lat, lon; geo_mean_get(&v->pos, &lat, &lon);
    double shore = kpw_ais_shore(c, lat, lon);
    if (!isnan(shore) && shore < s->p.loiter_min_shore_nm) { s->near_shore++; v->n = 0; return; }
    double mean_kn = v->sum_kn / v->n;
    double score = 0.4 + 0.3 * fmin(1.0, (hours - s->p.loiter_min_hours) / fmax(s->p.loiter_min_hours, 1e-9))
                   + (isnan(shore) ? 0.0 : 0.2);
    char explain[256];
    if (isnan(shore))
      snprintf(explain, sizeof explain, "below %.3g kn (mean %.1f) for %.1f h; distance from shore unknown",
               s->p.loiter_max_sog_kn, mean_kn, hours);
    else
      snprintf(explain, sizeof explain, "below %.3g kn (mean %.1f) for %.1f h, %.0f nm from shore",
               s->p.loiter_max_sog_kn, mean_kn, hours, shore);
    kpw_buf d; kpw_buf_init(&d);
    kpw_buf_puts(&d, "{"); kpw_json_key(&d, "hours"); kpw_json_num(&d, hours);
    kpw_buf_putc(&d, ','); kpw_json_key(&d, "fixes"); kpw_json_int(&d, v->n);
    kpw_buf_putc(&d, ','); kpw_json_key(&d, "mean_sog_kn"); kpw_json_num(&d, mean_kn);
    kpw_buf_putc(&d, ','); kpw_json_key(&d, "max_sog_kn"); kpw_json_num(&d, v->max_kn);
    kpw_buf_putc(&d, ','); kpw_json_key(&d, "shore_nm");
    if (isnan(shore)) kpw_buf_puts(&d, "null"); else kpw_json_num(&d, shore);
    if (isnan(shore)) {
      kpw_buf_putc(&d, ','); kpw_json_key(&d, "shore_note");
      kpw_json_str(&d, "distance from shore unknown (no shore model); not filtered");
    }
    kpw_buf_putc(&d, '}');
    const char *subj[1] = { c->subject(c->drv, vid) };
    kpw_evidence ev[2] = {
      { v->src0 ? v->src0 : "-", v->line0, 0, "start" }, { v->src1 ? v->src1 : "-", v->line1, 0, "end" },
    };
    kpw_finding f = {
      .kind = "loitering", .subjects = subj, .n_subjects = 1, .start_us = v->t0, .end_us = v->t1,
      .has_place = true, .lat = lat, .lon = lon, .score = score, .explain = explain,
      .evidence = ev, .n_evidence = 2, .detail_json = d.data,
    };
    c->emit(c->emit_ctx, &f);
    kpw_buf_free(&d);
  }
  v->n = 0;
}

static void loit_fix(void *st, const kpw_ais_ctx *c, const kpw_ais_fix *f) {
  loit_state *s = st;
  if (!geo_valid(f->lat, f->lon)) return;
  s->v = geo_vessels_grow(s->v, &s->cap_v, c->vid, sizeof *s->v, offsetof(loit_vessel, t));
  loit_vessel *v = &s->v[c->vid];
  double kn = f->sog;
  if (v->t != KPW_TIME_NONE) {
    int64_t dt = f->t_us - v->t;
    if ((double)dt > s->p.gap_min_hours * 3.6e9 && v->n) run_close(s, c, v, c->vid);
    if (!isfinite(kn)) kn = geo_implied_kn(v->lat, v->lon, f->lat, f->lon, dt);
  }
  if (isfinite(kn) && kn < s->p.loiter_max_sog_kn) {
    if (!v->n) {
      v->t0 = f->t_us; v->src0 = f->source; v->line0 = f->line;
      memset(&v->pos, 0, sizeof v->pos); v->sum_kn = 0; v->max_kn = 0;
    }
    v->n++; v->t1 = f->t_us; v->src1 = f->source; v->line1 = f->line;
    geo_mean_add(&v->pos, f->lat, f->lon);
    v->sum_kn += kn;
    if (kn > v->max_kn) v->max_kn = kn;
  } else if (isfinite(kn) && v->n) {
    run_close(s, c, v, c->vid);
  }
  v->t = f->t_us; v->lat = f->lat; v->lon = f->lon;
}

static void loit_finish(void *st, const kpw_ais_ctx *c) {
  loit_state *s = st;
  for (uint32_t i = 0; i < s->cap_v; i++) if (s->v[i].n) run_close(s, c, &s->v[i], i);
}

static void loit_evict(void *st, const kpw_ais_ctx *c, uint32_t vid) {
  loit_state *s = st;
  if (vid >= s->cap_v) return;
  if (s->v[vid].n) run_close(s, c, &s->v[vid], vid);
  s->v[vid].t = KPW_TIME_NONE;
}

static void loit_free(void *st) {
  loit_state *s = st;
  if (!s) return;
  free(s->v); free(s);
}

kpw_ais_detector kpw_ais_det_loiter_new(const kpw_ais_params *p) {
  loit_state *s = kpw_xcalloc(1, sizeof *s);
  s->p = *p;
  return (kpw_ais_detector){ .name = "loitering", .state = s, .fix = loit_fix,
                             .finish = loit_finish, .free = loit_free, .evict = loit_evict };
}
