/*
** det_rendezvous.c -- `dark_rendezvous`: two vessels dark at the same time
** (gaps overlapping by >= rdv_overlap_hours) whose last positions before
** and first positions after are both close: a meeting may have happened
** unseen (RadianceFleet's "dark-dark" Phase C, docs/domain/maritime.md).
** Tier by the larger of the two distances: 1 (< 5 nm, score 0.8),
** 2 (5-15 nm, 0.5), 3 (15-rdv_max_nm, 0.3).
**
** How: each vessel's last position is kept; when a vessel reappears after
** >= rdv_overlap_hours, its closed gap is compared with the closed gaps
** kept from other vessels near its off position (grid of cells >=
** rdv_max_nm, geo.h), then kept itself. A pair is thus found exactly once,
** when the later of the two gaps closes: one symmetric event per pair of
** gaps. Closed gaps are kept for idle_hours (a gap that closes later can
** overlap them only if it began before they ended; longer gaps are lost
** with vessel eviction anyway), purged hourly by the tick.
*/
#include <math.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include "kpw/aisdetect.h"
#include "ais/geo.h"

typedef struct rdv_vessel {
  int64_t t;
  double lat, lon;
  const char *src; uint64_t line;
} rdv_vessel;

typedef struct rdv_gap {
  int64_t t0, t1;
  double lat0, lon0, lat1, lon1;
  const char *src0, *src1; uint64_t line0, line1;
  char subject[48];               /* a copy: the vessel may be evicted before a match */
  uint32_t vid;
  uint64_t cell;
  int64_t next;                   /* next gap in the same cell, -1 */
} rdv_gap;

typedef struct rdv_state {
  kpw_ais_params p;
  rdv_vessel *v; uint32_t cap_v;
  geo_grid grid;
  rdv_gap *g; size_t n_g, cap_g;
  /* open addressing: cell key -> head gap index + 1 */
  uint64_t *ck; int64_t *chead; size_t cap_c, n_c;
  int64_t next_purge;
} rdv_state;

static uint64_t mix64(uint64_t x) {
  x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

static size_t cell_find(const rdv_state *s, uint64_t key) {
  size_t m = s->cap_c - 1, i = mix64(key) & m;
  while (s->chead[i] && s->ck[i] != key) i = (i + 1) & m;
  return i;
}

/* Rebuild the cell index over the kept gaps (after growth or a purge). */
static void cells_rebuild(rdv_state *s, size_t cap) {
  free(s->ck); free(s->chead);
  s->cap_c = cap; s->n_c = 0;
  s->ck = kpw_xcalloc(cap, sizeof *s->ck);
  s->chead = kpw_xcalloc(cap, sizeof *s->chead);
  for (size_t i = 0; i < s->n_g; i++) {
    size_t c = cell_find(s, s->g[i].cell);
    if (!s->chead[c]) { s->ck[c] = s->g[i].cell; s->n_c++; s->g[i].next = -1; }
    else s->g[i].next = s->chead[c] - 1;
    s->chead[c] = (int64_t)i + 1;
  }
}

static void emit_pair(rdv_state *s, const kpw_ais_ctx *c, const rdv_gap *a, const rdv_gap *b,
                      double d_off, double d_on, double overlap_h) {
  if (strcmp(a->subject, b->subject) > 0) { const rdv_gap *t = a; a = b; b = t; }
  double dmax = fmax(d_off, d_on);
  int tier = dmax < 5 ? 1 : dmax < 15 ? 2 : 3;
  double score = tier == 1 ? 0.8 : tier == 2 ? 0.5 : 0.3;
  geo_mean m = {0};
  geo_mean_add(&m, a->lat0, a->lon0); geo_mean_add(&m, b->lat0, b->lon0);
  geo_mean_add(&m, a->lat1, a->lon1); geo_mean_add(&m, b->lat1, b->lon1);
  double lat, lon; geo_mean_get(&m, &lat, &lon);
  char explain[256];
  snprintf(explain, sizeof explain,
           "both dark %.1f h at the same time; %.1f nm apart before, %.1f nm after (tier %d)",
           overlap_h, d_off, d_on, tier);
  kpw_buf d; kpw_buf_init(&d);
  kpw_buf_puts(&d, "{"); kpw_json_key(&d, "tier"); kpw_json_int(&d, tier);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "overlap_hours"); kpw_json_num(&d, overlap_h);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "off_distance_nm"); kpw_json_num(&d, d_off);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "on_distance_nm"); kpw_json_num(&d, d_on);
  kpw_buf_putc(&d, ','); kpw_json_key(&d, "gaps"); kpw_buf_putc(&d, '[');
  const rdv_gap *gs[2] = { a, b };
  for (int i = 0; i < 2; i++) {
    const rdv_gap *g = gs[i];
    char t0[32], t1[32]; kpw_time_format(g->t0, t0); kpw_time_format(g->t1, t1);
    if (i) kpw_buf_putc(&d, ',');
    kpw_buf_putc(&d, '{'); kpw_json_key(&d, "subject"); kpw_json_str(&d, g->subject);
    kpw_buf_putc(&d, ','); kpw_json_key(&d, "off_time"); kpw_json_str(&d, t0);
    kpw_buf_putc(&d, ','); kpw_json_key(&d, "on_time"); kpw_json_str(&d, t1);
    kpw_buf_putc(&d, ','); kpw_json_key(&d, "hours"); kpw_json_num(&d, (double)(g->t1 - g->t0) / 3.6e9);
    kpw_buf_putc(&d, ','); kpw_json_key(&d, "off"); kpw_buf_putc(&d, '[');
    kpw_json_num(&d, g->lat0); kpw_buf_putc(&d, ','); kpw_json_num(&d, g->lon0); kpw_buf_puts(&d, "]");
    kpw_buf_putc(&d, ','); kpw_json_key(&d, "on"); kpw_buf_putc(&d, '[');
    kpw_json_num(&d, g->lat1); kpw_buf_putc(&d, ','); kpw_json_num(&d, g->lon1); kpw_buf_puts(&d, "]}");
  }
  kpw_buf_puts(&d, "]}");
  const char *subj[2] = { a->subject, b->subject };
  kpw_evidence ev[4] = {
    { a->src0 ? a->src0 : "-", a->line0, 0, "off" }, { a->src1 ? a->src1 : "-", a->line1, 0, "on" },
    { b->src0 ? b->src0 : "-", b->line0, 0, "off" }, { b->src1 ? b->src1 : "-", b->line1, 0, "on" },
  };
  kpw_finding f = {
    .kind = "dark_rendezvous", .subjects = subj, .n_subjects = 2,
    .start_us = a->t0 > b->t0 ? a->t0 : b->t0, .end_us = a->t1 < b->t1 ? a->t1 : b->t1,
    .has_place = true, .lat = lat, .lon = lon, .score = score, .explain = explain,
    .evidence = ev, .n_evidence = 4, .detail_json = d.data,
  };
  c->emit(c->emit_ctx, &f);
  kpw_buf_free(&d);
}

static void gap_closed(rdv_state *s, const kpw_ais_ctx *c, const rdv_gap *g) {
  double min_overlap = s->p.rdv_overlap_hours * 3.6e9;
  uint64_t keys[9];
  int nk = geo_grid_neighbours(&s->grid, g->lat0, g->lon0, keys);
  for (int q = 0; q < nk; q++) {
    size_t ci = cell_find(s, keys[q]);
    for (int64_t i = s->chead[ci] - 1; i >= 0; i = s->g[i].next) {
      const rdv_gap *h = &s->g[i];
      if (!strcmp(h->subject, g->subject)) continue;
      int64_t lo = g->t0 > h->t0 ? g->t0 : h->t0, hi = g->t1 < h->t1 ? g->t1 : h->t1;
      if ((double)(hi - lo) < min_overlap) continue;
      double d_off = geo_dist_m(g->lat0, g->lon0, h->lat0, h->lon0) / GEO_NM_M;
      if (d_off >= s->p.rdv_max_nm) continue;
      double d_on = geo_dist_m(g->lat1, g->lon1, h->lat1, h->lon1) / GEO_NM_M;
      if (d_on >= s->p.rdv_max_nm) continue;
      emit_pair(s, c, g, h, d_off, d_on, (double)(hi - lo) / 3.6e9);
    }
  }
  /* keep it */
  if (s->n_g == s->cap_g) {
    s->cap_g = s->cap_g ? s->cap_g * 2 : 256;
    s->g = kpw_xrealloc(s->g, sizeof *s->g * s->cap_g);
  }
  rdv_gap *k = &s->g[s->n_g++];
  *k = *g;
  k->cell = geo_grid_key(&s->grid, g->lat0, g->lon0);
  if ((s->n_c + 1) * 2 > s->cap_c) { cells_rebuild(s, s->cap_c * 2); return; }
  size_t ci = cell_find(s, k->cell);
  if (!s->chead[ci]) { s->ck[ci] = k->cell; s->n_c++; k->next = -1; }
  else k->next = s->chead[ci] - 1;
  s->chead[ci] = (int64_t)s->n_g;
}

static void rdv_fix(void *st, const kpw_ais_ctx *c, const kpw_ais_fix *f) {
  rdv_state *s = st;
  if (!geo_valid(f->lat, f->lon)) return;
  s->v = geo_vessels_grow(s->v, &s->cap_v, c->vid, sizeof *s->v, offsetof(rdv_vessel, t));
  rdv_vessel *v = &s->v[c->vid];
  if (v->t != KPW_TIME_NONE && (double)(f->t_us - v->t) >= s->p.rdv_overlap_hours * 3.6e9) {
    rdv_gap g = { .t0 = v->t, .t1 = f->t_us, .lat0 = v->lat, .lon0 = v->lon,
                  .lat1 = f->lat, .lon1 = f->lon, .src0 = v->src, .src1 = f->source,
                  .line0 = v->line, .line1 = f->line, .vid = c->vid, .next = -1 };
    snprintf(g.subject, sizeof g.subject, "%s", c->subject(c->drv, c->vid));
    gap_closed(s, c, &g);
  }
  v->t = f->t_us; v->lat = f->lat; v->lon = f->lon; v->src = f->source; v->line = f->line;
}

static void rdv_tick(void *st, const kpw_ais_ctx *c, int64_t now_us) {
  rdv_state *s = st;
  if (now_us < s->next_purge) return;
  s->next_purge = now_us + 3600000000LL;
  int64_t keep = now_us - (int64_t)(s->p.idle_hours * 3.6e9);
  size_t w = 0;
  for (size_t i = 0; i < s->n_g; i++) if (s->g[i].t1 >= keep) s->g[w++] = s->g[i];
  if (w != s->n_g) { s->n_g = w; cells_rebuild(s, s->cap_c); }
}

static void rdv_evict(void *st, const kpw_ais_ctx *c, uint32_t vid) {
  rdv_state *s = st;
  if (vid < s->cap_v) s->v[vid].t = KPW_TIME_NONE;
}

static void rdv_free(void *st) {
  rdv_state *s = st;
  if (!s) return;
  free(s->v); free(s->g); free(s->ck); free(s->chead);
  geo_grid_free(&s->grid);
  free(s);
}

kpw_ais_detector kpw_ais_det_rendezvous_new(const kpw_ais_params *p) {
  rdv_state *s = kpw_xcalloc(1, sizeof *s);
  s->p = *p;
  geo_grid_init(&s->grid, fmax(p->rdv_max_nm, 0.01) * GEO_NM_M);
  cells_rebuild(s, 256);
  s->next_purge = INT64_MIN;
  return (kpw_ais_detector){ .name = "dark_rendezvous", .state = s, .fix = rdv_fix,
                             .tick = rdv_tick, .free = rdv_free, .evict = rdv_evict };
}
