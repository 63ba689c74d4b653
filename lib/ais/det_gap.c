/*
** det_gap.c -- `ais_gap`: a vessel whose consecutive positions are at
** least gap_min_hours apart (GFW pipe-gaps' naive gap, production 6 h).
** A gap of >= gap_disabling_hours whose off position (the last position
** before it) lies >= gap_disabling_nm from shore is flagged as likely
** disabling (GFW/Welch 2022: shorter gaps and gaps near shore are mostly
** reception artefacts). Without a shore model the flag is null and the
** detail says why. GFW's further satellite-reception conditions
** (positions_per_day_off, 14 satellite positions in the prior 12 h) need
** receiver types the inputs do not carry: not applied (said in detail).
**
** State: the last position per vessel (vid). A gap still open at the end
** of the input is not reported (its length is unknown).
*/
#include <math.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include "kpw/aisdetect.h"
#include "ais/geo.h"

typedef struct gap_vessel {
  int64_t t;                 /* KPW_TIME_NONE: no position yet */
  double lat, lon;
  const char *src; uint64_t line;
} gap_vessel;

typedef struct gap_state {
  kpw_ais_params p;
  gap_vessel *v; uint32_t cap_v;
} gap_state;

static void put_num_or_null(kpw_buf *d, double x) {
  if (isfinite(x)) kpw_json_num(d, x); else kpw_buf_puts(d, "null");
}

static void gap_emit(gap_state *s, const kpw_ais_ctx *c, const gap_vessel *v,
                     const kpw_ais_fix *f) {
  double hours = (double)(f->t_us - v->t) / 3.6e9;
  double dist_nm = geo_dist_m(v->lat, v->lon, f->lat, f->lon) / GEO_NM_M;
  double kn = dist_nm / hours;
  double shore = kpw_ais_shore(c, v->lat, v->lon);
  bool long_gap = hours >= s->p.gap_disabling_hours;
  /* disabling: 1 yes, 0 no, -1 unknown (no shore distance) */
  int disabling = !long_gap ? 0 : isnan(shore) ? -1 : shore >= s->p.gap_disabling_nm;
  const char *why;
  double score;
  if (!long_gap) { why = "shorter than the disabling threshold"; score = 0.3; }
  else if (disabling == 1) { why = "long and far from shore"; score = 0.7; }
  else if (disabling == 0) { why = "near shore (terrestrial reception may explain it)"; score = 0.3; }
  else { why = "distance from shore unknown (no shore model)"; score = 0.4; }
  char explain[256];
  snprintf(explain, sizeof explain, "no position for %.1f h; moved %.1f nm (%.1f kn implied)%s",
           hours, dist_nm, kn, disabling == 1 ? "; likely AIS disabling" : "");
  kpw_buf d; kpw_buf_init(&d);
  kpw_buf_puts(&d, "{"); kpw_json_key(&d, "hours"); kpw_json_num(&d, hours);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "off"); kpw_buf_putc(&d, '[');
  kpw_json_num(&d, v->lat); kpw_buf_putc(&d, ','); kpw_json_num(&d, v->lon); kpw_buf_putc(&d, ']');
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "on"); kpw_buf_putc(&d, '[');
  kpw_json_num(&d, f->lat); kpw_buf_putc(&d, ','); kpw_json_num(&d, f->lon); kpw_buf_putc(&d, ']');
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "distance_nm"); kpw_json_num(&d, dist_nm);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "implied_kn"); put_num_or_null(&d, kn);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "off_shore_nm"); put_num_or_null(&d, shore);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "disabling");
  kpw_buf_puts(&d, disabling < 0 ? "null" : disabling ? "true" : "false");
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "disabling_reason"); kpw_json_str(&d, why);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "reception_checked"); kpw_buf_puts(&d, "false");
  kpw_buf_putc(&d, '}');
  const char *subj[1] = { c->subject(c->drv, c->vid) };
  kpw_evidence ev[2] = {
    { v->src ? v->src : "-", v->line, 0, "off" }, { f->source ? f->source : "-", f->line, 0, "on" },
  };
  kpw_finding fd = {
    .kind = "ais_gap", .subjects = subj, .n_subjects = 1,
    .start_us = v->t, .end_us = f->t_us, .has_place = true, .lat = v->lat, .lon = v->lon,
    .score = score, .explain = explain, .evidence = ev, .n_evidence = 2, .detail_json = d.data,
  };
  c->emit(c->emit_ctx, &fd);
  kpw_buf_free(&d);
}

static void gap_fix(void *st, const kpw_ais_ctx *c, const kpw_ais_fix *f) {
  gap_state *s = st;
  if (!geo_valid(f->lat, f->lon)) return;
  s->v = geo_vessels_grow(s->v, &s->cap_v, c->vid, sizeof *s->v, offsetof(gap_vessel, t));
  gap_vessel *v = &s->v[c->vid];
  if (v->t != KPW_TIME_NONE && (double)(f->t_us - v->t) >= s->p.gap_min_hours * 3.6e9)
    gap_emit(s, c, v, f);
  v->t = f->t_us; v->lat = f->lat; v->lon = f->lon; v->src = f->source; v->line = f->line;
}

static void gap_evict(void *st, const kpw_ais_ctx *c, uint32_t vid) {
  gap_state *s = st;
  if (vid < s->cap_v) s->v[vid].t = KPW_TIME_NONE;
}

static void gap_free(void *st) {
  gap_state *s = st;
  if (!s) return;
  free(s->v); free(s);
}

kpw_ais_detector kpw_ais_det_gap_new(const kpw_ais_params *p) {
  gap_state *s = kpw_xcalloc(1, sizeof *s);
  s->p = *p;
  return (kpw_ais_detector){ .name = "ais_gap", .state = s, .fix = gap_fix,
                             .free = gap_free, .evict = gap_evict };
}
