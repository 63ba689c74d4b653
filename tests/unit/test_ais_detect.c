/*
** test_ais_detect.c -- unit tests for the streaming driver of `ais detect`
** and its first detectors (encounter, ais_gap, dark_rendezvous, loitering)
** on synthetic fixes: an STS pair, the same across UTC midnight and across
** +-180 deg, symmetry under input order, hard negatives (passing ships,
** pair trawlers, 800 m apart), input grouped by vessel, gaps with and without a shore model, a dark
** rendezvous, loitering, and the driver's order/duplicate accounting; plus
** the geometry helpers (lib/ais/geo.c).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "kpw/aisdetect.h"
#include "ais/geo.h"

#define H 3600000000LL
#define MIN 60000000LL
/* 2018-02-16T00:00:00Z */
#define DAY0 1518739200000000LL

/* ---------------------------------------------------------- harness */
typedef struct got {
  char kind[32];
  char line[4096];            /* the finding's JSON */
  char detail[2048];
  int64_t start, end;
  double lat, lon, score;
  char s0[48], s1[48];
  size_t ns;
} got;

typedef struct sink { got g[64]; size_t n; } sink;

static void collect(void *ctx, const kpw_finding *f) {
  sink *s = ctx;
  if (s->n == 64) return;
  got *g = &s->g[s->n++];
  memset(g, 0, sizeof *g);
  snprintf(g->kind, sizeof g->kind, "%s", f->kind);
  kpw_buf b; kpw_buf_init(&b); kpw_finding_json(f, &b);
  snprintf(g->line, sizeof g->line, "%s", b.data);
  kpw_buf_free(&b);
  snprintf(g->detail, sizeof g->detail, "%s", f->detail_json ? f->detail_json : "{}");
  g->start = f->start_us; g->end = f->end_us; g->lat = f->lat; g->lon = f->lon;
  g->score = f->score; g->ns = f->n_subjects;
  if (f->n_subjects > 0) snprintf(g->s0, sizeof g->s0, "%s", f->subjects[0]);
  if (f->n_subjects > 1) snprintf(g->s1, sizeof g->s1, "%s", f->subjects[1]);
}

static size_t count_kind(const sink *s, const char *kind) {
  size_t n = 0;
  for (size_t i = 0; i < s->n; i++) n += !strcmp(s->g[i].kind, kind);
  return n;
}

static double detail_num(const got *g, const char *key) {
  char pat[64]; snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(g->detail, pat);
  return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static kpw_ais_fix mk(uint32_t mmsi, int64_t t, double lat, double lon, double sog) {
  kpw_ais_fix f;
  memset(&f, 0, sizeof f);
  f.t_us = t; f.mmsi = mmsi;
  snprintf(f.vessel_id, sizeof f.vessel_id, "%u", (unsigned)mmsi);
  f.lat = lat; f.lon = geo_norm_lon(lon); f.sog = sog; f.cog = NAN; f.heading = NAN;
  f.source = "synthetic.csv";
  f.line = (uint64_t)(t / MIN) % 100000;
  return f;
}

/* A track: from t0 for `hours`, a fix every step_min, starting at (lat, lon)
** moving east at kn (north when north is true). */
typedef struct track {
  uint32_t mmsi; int64_t t0; double hours, step_min, lat, lon, kn; bool north;
} track;

static kpw_ais_fix track_fix(const track *tr, int i) {
  double h = i * tr->step_min / 60.0;
  double dist_deg = tr->kn * h * 1852.0 / 111194.93;
  double lat = tr->lat, lon = tr->lon;
  if (tr->north) lat += dist_deg;
  else lon += dist_deg / cos(tr->lat * M_PI / 180);
  return mk(tr->mmsi, tr->t0 + (int64_t)(h * 3.6e9), lat, lon, tr->kn);
}

static int track_n(const track *tr) { return (int)floor(tr->hours * 60 / tr->step_min + 1e-9) + 1; }

/* Feed tracks interleaved in time order (ties: in the order given). */
static void feed(kpw_ais_driver *d, const track *trs, size_t n) {
  int idx[8] = {0};
  for (;;) {
    int best = -1; int64_t bt = 0;
    for (size_t k = 0; k < n; k++) {
      if (idx[k] >= track_n(&trs[k])) continue;
      kpw_ais_fix f = track_fix(&trs[k], idx[k]);
      if (best < 0 || f.t_us < bt) { best = (int)k; bt = f.t_us; }
    }
    if (best < 0) break;
    kpw_ais_fix f = track_fix(&trs[best], idx[best]++);
    kpw_ais_driver_fix(d, &f);
  }
}

static kpw_ais_driver *driver(sink *s, const char *kind, const kpw_ais_params *pp) {
  kpw_ais_params p;
  if (pp) p = *pp; else kpw_ais_params_default(&p);
  kpw_ais_driver *d = kpw_ais_driver_new(&p, collect, s);
  kpw_ais_detector det;
  assert_int_equal(kpw_ais_detector_by_name(kind, &p, &det), KPW_OK);
  kpw_ais_driver_add(d, &det);
  return d;
}

static sink *run_tracks(const char *kind, const track *trs, size_t n) {
  sink *s = calloc(1, sizeof *s);
  kpw_ais_driver *d = driver(s, kind, NULL);
  feed(d, trs, n);
  kpw_ais_driver_finish(d);
  kpw_ais_driver_free(d);
  return s;
}

/* ---------------------------------------------------------- geo */
static void test_geo(void **state) {
  (void)state;
  /* 1 degree of latitude on the 6371 km sphere */
  assert_true(fabs(geo_dist_m(0, 0, 1, 0) - 111194.93) < 0.1);
  /* across the antimeridian: 0.002 deg of longitude at the equator */
  assert_true(fabs(geo_dist_m(0, 179.999, 0, -179.999) - 222.39) < 0.1);
  double lat, lon;
  geo_interp(10, 179.9, 12, -179.9, 0.5, &lat, &lon);
  assert_true(fabs(lat - 11) < 1e-9);
  assert_true(fabs(fabs(lon) - 180.0) < 1e-9);
  geo_interp(0, 179.9, 0, -179.7, 0.75, &lat, &lon);
  assert_true(fabs(lon - (-179.8)) < 1e-9);
  assert_true(fabs(geo_bearing_deg(0, 0, 1, 0)) < 1e-9);
  assert_true(fabs(geo_bearing_deg(0, 179.9, 0, -179.9) - 90) < 1e-6);
  /* 1 nm in 1 h is 1 kn */
  assert_true(fabs(geo_implied_kn(0, 0, 1852.0 / 111194.93, 0, H) - 1.0) < 1e-6);
  assert_true(isnan(geo_implied_kn(0, 0, 1, 1, 0)));
  assert_false(geo_valid(91, 0));
  assert_false(geo_valid(0, 181));
  assert_false(geo_valid(NAN, 0));
  /* grid: two points 300 m apart on either side of 180 are neighbours */
  geo_grid g; geo_grid_init(&g, 500);
  uint64_t k1 = geo_grid_key(&g, 0, 179.9987), k2 = geo_grid_key(&g, 0, -179.9987);
  assert_true(k1 != k2);
  uint64_t nb[9]; int n = geo_grid_neighbours(&g, 0, 179.9987, nb);
  bool found = false;
  for (int i = 0; i < n; i++) found |= nb[i] == k2;
  assert_true(found);
  /* a high-latitude pair 400 m apart east-west */
  double dl = 400.0 / (111194.93 * cos(70 * M_PI / 180));
  k2 = geo_grid_key(&g, 70, 20 + dl);
  n = geo_grid_neighbours(&g, 70, 20, nb);
  found = false;
  for (int i = 0; i < n; i++) found |= nb[i] == k2;
  assert_true(found);
  geo_grid_free(&g);
}

/* ---------------------------------------------------------- encounter */
/* Two tracks 150 m apart (north-south), drifting east at 0.5 kn. */
static void sts_pair(track t[2], int64_t t0, double hours, double lat, double lon, double kn) {
  double dlat = 150.0 / 111194.93;
  t[0] = (track){ 441910000, t0, hours, 2, lat, lon, kn, false };
  t[1] = (track){ 563418000, t0 + 30000000LL, hours, 2, lat + dlat, lon, kn, false };
}

static void test_encounter_sts(void **state) {
  (void)state;
  track t[2];
  sts_pair(t, DAY0 + 10 * H, 3, 31.2, 124.1, 0.5);
  sink *s = run_tracks("encounter", t, 2);
  assert_int_equal(s->n, 1);
  const got *g = &s->g[0];
  assert_string_equal(g->kind, "encounter");
  assert_string_equal(g->s0, "mmsi:441910000");
  assert_string_equal(g->s1, "mmsi:563418000");
  assert_true(g->end - g->start >= 2 * H + 50 * MIN);
  double dm = detail_num(g, "distance_m");
  assert_true(fabs(dm - 150) < 3);
  assert_true(fabs(g->lat - 31.2) < 0.01);
  free(s);
}

static void test_encounter_midnight(void **state) {
  (void)state;
  track t[2];
  sts_pair(t, DAY0 - H, 3, 31.2, 124.1, 0.5);      /* 23:00 -> 02:00 */
  sink *s = run_tracks("encounter", t, 2);
  assert_int_equal(s->n, 1);
  assert_true(s->g[0].start <= DAY0 - 50 * MIN);
  assert_true(s->g[0].end >= DAY0 + 110 * MIN);
  free(s);
}

static void test_encounter_antimeridian(void **state) {
  (void)state;
  /* both drift east through 180 at 0.5 kn, 150 m apart north-south,
  ** starting 0.2 nm west of the line */
  track t[2];
  double lon0 = 180.0 - 0.2 * 1852 / (111194.93 * cos(-16.5 * M_PI / 180));
  sts_pair(t, DAY0 + 2 * H, 3, -16.5, lon0, 0.5);
  sink *s = run_tracks("encounter", t, 2);
  assert_int_equal(s->n, 1);
  double dm = detail_num(&s->g[0], "distance_m");
  assert_true(fabs(dm - 150) < 3);
  assert_true(fabs(s->g[0].lon) > 179.9);
  free(s);
  /* and two ships lying still on either side of the line, 222 m apart */
  track u[2] = {
    { 111111111, DAY0, 3, 5, 0, 179.999, 0.1, false },
    { 222222222, DAY0, 3, 5, 0, -179.999, 0.1, false },
  };
  s = run_tracks("encounter", u, 2);
  assert_int_equal(s->n, 1);
  dm = detail_num(&s->g[0], "distance_m");
  assert_true(fabs(dm - 222.4) < 2);
  free(s);
}

static void test_encounter_symmetric(void **state) {
  (void)state;
  track t[2];
  sts_pair(t, DAY0 + 10 * H, 3, 31.2, 124.1, 0.5);
  /* the same fixes at the same times; ties go to the track given first, so
  ** in `b` the other vessel is met first and gets the lower index */
  t[1].t0 = t[0].t0;
  track a[2] = { t[0], t[1] }, b[2] = { t[1], t[0] };
  sink *s1 = run_tracks("encounter", a, 2);
  sink *s2 = run_tracks("encounter", b, 2);
  assert_int_equal(s1->n, 1);
  assert_int_equal(s2->n, 1);
  assert_string_equal(s1->g[0].line, s2->g[0].line);
  free(s1); free(s2);
}

static void test_encounter_negatives(void **state) {
  (void)state;
  /* passing at 12 kn on parallel opposite... both eastbound/westbound 100 m apart */
  track pass[2] = {
    { 100000001, DAY0, 3, 1, 31.2, 124.0, 12, false },
    { 100000002, DAY0, 3, 1, 31.2 + 100 / 111194.93, 124.0, 12, false },
  };
  sink *s = run_tracks("encounter", pass, 2);
  assert_int_equal(s->n, 0);
  free(s);
  /* pair trawlers: 300 m apart, together at 3 kn for 5 h */
  track trawl[2] = {
    { 100000003, DAY0, 5, 2, 35.0, 125.0, 3, true },
    { 100000004, DAY0, 5, 2, 35.0, 125.0 + 300 / (111194.93 * cos(35 * M_PI / 180)), 3, true },
  };
  s = run_tracks("encounter", trawl, 2);
  assert_int_equal(s->n, 0);
  free(s);
  /* two ships still, 800 m apart, for 6 h */
  track far[2] = {
    { 100000005, DAY0, 6, 3, 35.0, 125.0, 0.2, false },
    { 100000006, DAY0, 6, 3, 35.0 + 800 / 111194.93, 125.0, 0.2, false },
  };
  s = run_tracks("encounter", far, 2);
  assert_int_equal(s->n, 0);
  free(s);
  /* alongside but only 90 minutes */
  track shortt[2];
  sts_pair(shortt, DAY0, 1.5, 31.2, 124.1, 0.5);
  s = run_tracks("encounter", shortt, 2);
  assert_int_equal(s->n, 0);
  free(s);
}

/* A file grouped by vessel (one track after the other): with the default
** lag of 30 min the second track is late and no encounter is made (`late` says
** so); with a 48 h lag the points wait and the encounter is found. */
static void grouped_run(sink *s, double lag_hours, uint64_t *late) {
  kpw_ais_params p; kpw_ais_params_default(&p);
  p.lag_hours = lag_hours;
  kpw_ais_driver *d = driver(s, "encounter", &p);
  track t[2];
  sts_pair(t, DAY0 + 10 * H, 3, 31.2, 124.1, 0.5);
  feed(d, &t[0], 1);
  feed(d, &t[1], 1);
  kpw_ais_driver_finish(d);
  *late = kpw_ais_driver_stats_get(d)->late;
  kpw_ais_driver_free(d);
}

static void test_encounter_grouped_input(void **state) {
  (void)state;
  uint64_t late;
  sink *s = calloc(1, sizeof *s);
  grouped_run(s, 0.5, &late);
  assert_int_equal(s->n, 0);
  assert_true(late > 50);
  free(s);
  s = calloc(1, sizeof *s);
  grouped_run(s, 48, &late);
  assert_int_equal(s->n, 1);
  assert_int_equal(late, 0);
  free(s);
}

/* ---------------------------------------------------------- gaps */
static double shore_100(void *g, double lat, double lon) { (void)g; (void)lat; (void)lon; return 100; }
static double shore_5(void *g, double lat, double lon) { (void)g; (void)lat; (void)lon; return 5; }

static void gap_run(sink *s, int64_t gap, double (*shore)(void *, double, double)) {
  kpw_ais_driver *d = driver(s, "ais_gap", NULL);
  if (shore) kpw_ais_driver_set_shore(d, shore, NULL);
  kpw_ais_fix a = mk(445000001, DAY0, 30, 125, 10);
  kpw_ais_fix b = mk(445000001, DAY0 + 10 * MIN, 30.02, 125, 10);
  kpw_ais_fix c = mk(445000001, DAY0 + 10 * MIN + gap, 30.5, 125.5, 10);
  kpw_ais_driver_fix(d, &a); kpw_ais_driver_fix(d, &b); kpw_ais_driver_fix(d, &c);
  kpw_ais_driver_finish(d);
  kpw_ais_driver_free(d);
}

static void test_gap(void **state) {
  (void)state;
  sink *s = calloc(1, sizeof *s);
  gap_run(s, 7 * H, NULL);
  assert_int_equal(s->n, 1);
  assert_string_equal(s->g[0].kind, "ais_gap");
  assert_int_equal(s->g[0].end - s->g[0].start, 7 * H);
  assert_non_null(strstr(s->g[0].detail, "\"disabling\":false"));
  free(s);
  s = calloc(1, sizeof *s);
  gap_run(s, 13 * H, shore_100);
  assert_int_equal(s->n, 1);
  assert_non_null(strstr(s->g[0].detail, "\"disabling\":true"));
  assert_true(s->g[0].score >= 0.7);
  free(s);
  s = calloc(1, sizeof *s);
  gap_run(s, 13 * H, shore_5);
  assert_non_null(strstr(s->g[0].detail, "\"disabling\":false"));
  free(s);
  s = calloc(1, sizeof *s);
  gap_run(s, 13 * H, NULL);
  assert_non_null(strstr(s->g[0].detail, "\"disabling\":null"));
  assert_non_null(strstr(s->g[0].detail, "unknown"));
  free(s);
  s = calloc(1, sizeof *s);
  gap_run(s, 5 * H, NULL);
  assert_int_equal(s->n, 0);
  free(s);
}

/* ---------------------------------------------------------- dark rendezvous */
static void rdv_run(sink *s, double off_nm, double on_nm) {
  kpw_ais_driver *d = driver(s, "dark_rendezvous", NULL);
  double nm = 1852 / 111194.93;
  kpw_ais_fix f[] = {
    mk(412000001, DAY0 + 0 * MIN, 31.2, 124.1, 8),
    mk(412000002, DAY0 + 1 * MIN, 31.2 + off_nm * nm, 124.1, 8),
    /* both dark 6 h (B from +1 min to +7 h 30 min) */
    mk(412000001, DAY0 + 6 * H, 31.25, 124.2, 8),
    mk(412000002, DAY0 + 7 * H + 30 * MIN, 31.25 + on_nm * nm, 124.2, 8),
  };
  for (size_t i = 0; i < sizeof f / sizeof *f; i++) kpw_ais_driver_fix(d, &f[i]);
  kpw_ais_driver_finish(d);
  kpw_ais_driver_free(d);
}

static void test_dark_rendezvous(void **state) {
  (void)state;
  sink *s = calloc(1, sizeof *s);
  rdv_run(s, 2, 3);
  assert_int_equal(s->n, 1);
  assert_string_equal(s->g[0].kind, "dark_rendezvous");
  assert_int_equal((int)detail_num(&s->g[0], "tier"), 1);
  assert_true(fabs(detail_num(&s->g[0], "on_distance_nm") - 3) < 0.05);
  assert_string_equal(s->g[0].s0, "mmsi:412000001");
  assert_string_equal(s->g[0].s1, "mmsi:412000002");
  free(s);
  s = calloc(1, sizeof *s); rdv_run(s, 2, 10);
  assert_int_equal((int)detail_num(&s->g[0], "tier"), 2); free(s);
  s = calloc(1, sizeof *s); rdv_run(s, 20, 3);
  assert_int_equal((int)detail_num(&s->g[0], "tier"), 3); free(s);
  s = calloc(1, sizeof *s); rdv_run(s, 60, 3);
  assert_int_equal(s->n, 0); free(s);
}

/* ---------------------------------------------------------- loitering */
static void test_loitering(void **state) {
  (void)state;
  track t = { 413000001, DAY0 + 3 * H, 5, 10, 25.0, 130.0, 1.0, false };
  sink *s = calloc(1, sizeof *s);
  kpw_ais_driver *d = driver(s, "loitering", NULL);
  kpw_ais_driver_set_shore(d, shore_100, NULL);
  feed(d, &t, 1);
  /* then steaming away at 11 kn closes the run */
  kpw_ais_fix f = mk(413000001, DAY0 + 8 * H + 10 * MIN, 25.0, 130.2, 11);
  kpw_ais_driver_fix(d, &f);
  assert_int_equal(count_kind(s, "loitering"), 1);
  kpw_ais_driver_finish(d);
  kpw_ais_driver_free(d);
  assert_int_equal(s->n, 1);
  assert_true(s->g[0].end - s->g[0].start == 5 * H);
  assert_true(fabs(detail_num(&s->g[0], "shore_nm") - 100) < 1e-9);
  free(s);
  /* near shore: dropped */
  s = calloc(1, sizeof *s);
  d = driver(s, "loitering", NULL);
  kpw_ais_driver_set_shore(d, shore_5, NULL);
  feed(d, &t, 1);
  kpw_ais_driver_finish(d); kpw_ais_driver_free(d);
  assert_int_equal(s->n, 0);
  free(s);
  /* no SOG: implied speed; no shore model: kept, detail says unknown */
  s = calloc(1, sizeof *s);
  d = driver(s, "loitering", NULL);
  for (int i = 0; i <= 30; i++) {
    kpw_ais_fix g = track_fix(&t, i);
    g.sog = NAN;
    kpw_ais_driver_fix(d, &g);
  }
  kpw_ais_driver_finish(d); kpw_ais_driver_free(d);
  assert_int_equal(s->n, 1);
  assert_non_null(strstr(s->g[0].detail, "\"shore_nm\":null"));
  free(s);
  /* 3 h only: nothing */
  track u = t; u.hours = 3;
  s = run_tracks("loitering", &u, 1);
  assert_int_equal(s->n, 0);
  free(s);
}

/* ---------------------------------------------------------- driver */
static void test_driver_order(void **state) {
  (void)state;
  sink *s = calloc(1, sizeof *s);
  kpw_ais_params p; kpw_ais_params_default(&p);
  kpw_ais_driver *d = kpw_ais_driver_new(&p, collect, s);
  for (size_t i = 0; kpw_ais_detector_kinds[i]; i++) {
    kpw_ais_detector det;
    assert_int_equal(kpw_ais_detector_by_name(kpw_ais_detector_kinds[i], &p, &det), KPW_OK);
    kpw_ais_driver_add(d, &det);
  }
  kpw_ais_detector none;
  assert_int_equal(kpw_ais_detector_by_name("nope", &p, &none), KPW_ENOTFOUND);
  kpw_ais_fix f[] = {
    mk(1, DAY0 + 10 * MIN, 30, 125, 1),
    mk(1, DAY0 + 10 * MIN, 30, 125, 1),      /* duplicate */
    mk(1, DAY0 + 5 * MIN, 30, 125, 1),       /* out of order */
    mk(2, DAY0 + 6 * MIN, 30, 125, 1),       /* another vessel: fine */
    mk(2, DAY0 + 7 * MIN, 91, 181, NAN),     /* bad position: delivered without one */
    mk(3, KPW_TIME_NONE, 30, 125, 1),        /* no time */
    mk(0, DAY0 + 8 * MIN, 30, 125, 1),       /* no vessel */
  };
  f[6].vessel_id[0] = 0;
  for (size_t i = 0; i < sizeof f / sizeof *f; i++) kpw_ais_driver_fix(d, &f[i]);
  const kpw_ais_driver_stats *st = kpw_ais_driver_stats_get(d);
  assert_int_equal(st->fixes, 7);
  assert_int_equal(st->duplicates, 1);
  assert_int_equal(st->out_of_order, 1);
  assert_int_equal(st->bad_position, 1);
  assert_int_equal(st->no_time, 1);
  assert_int_equal(st->no_vessel, 1);
  assert_int_equal(st->delivered, 3);
  assert_int_equal(st->vessels_seen, 2);
  /* idle eviction: a week later vessel 1 and 2 are gone */
  kpw_ais_fix late = mk(5, DAY0 + 8 * 24 * H, 30, 125, 1);
  kpw_ais_driver_fix(d, &late);
  late.t_us += 2 * H; kpw_ais_driver_fix(d, &late);
  assert_int_equal(st->evicted, 2);
  assert_int_equal(st->vessels_active, 1);
  /* vessel 1 comes back: a new vessel, reusing an index */
  kpw_ais_fix back = mk(1, DAY0 + 8 * 24 * H + 3 * H, 30, 125, 1);
  kpw_ais_driver_fix(d, &back);
  assert_int_equal(st->vessels_seen, 4);
  assert_int_equal(st->out_of_order, 1);
  kpw_ais_driver_finish(d);
  kpw_ais_driver_free(d);
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_geo),
    cmocka_unit_test(test_encounter_sts),
    cmocka_unit_test(test_encounter_midnight),
    cmocka_unit_test(test_encounter_antimeridian),
    cmocka_unit_test(test_encounter_symmetric),
    cmocka_unit_test(test_encounter_negatives),
    cmocka_unit_test(test_encounter_grouped_input),
    cmocka_unit_test(test_gap),
    cmocka_unit_test(test_dark_rendezvous),
    cmocka_unit_test(test_loitering),
    cmocka_unit_test(test_driver_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
