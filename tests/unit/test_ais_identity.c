/*
** test_ais_identity.c -- unit tests for the identity and port detectors of
** `ais detect`: the ITU MID table and MMSI classes, IMO check digits (real
** IMO 8125703 VITYAZ, 7408873 SAM JONG 2), a name change (RYE SONG GANG 1
** repainted SONG HAE), one MMSI in two places, a port call at Nampo with
** entry/stop/exit, and a dark port call (12 h+ gap that starts and ends
** near Nampo), and screening by IMO and by a listed former name. Findings
** are collected from the detector sink.
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

#include "kpw/aisgeo.h"
#include "kpw/lists.h"
#include "kpw/screen.h"

#define H 3600000000LL
#define T0 1518750600000000LL     /* 2018-02-16T03:10:00Z */

typedef struct got { int n; char kind[16][24]; char detail[16][512]; } got;

static void sink(void *ctx, const kpw_finding *f) {
  got *g = ctx;
  if (g->n >= 16) return;
  snprintf(g->kind[g->n], sizeof g->kind[0], "%s", f->kind);
  snprintf(g->detail[g->n], sizeof g->detail[0], "%s", f->detail_json ? f->detail_json : "{}");
  g->n++;
}

static kpw_ais_params params(void) {
  kpw_ais_params p;
  memset(&p, 0, sizeof p);
  p.port_entry_km = 3; p.port_exit_km = 4;
  p.dark_port_gap_hours = 12; p.dark_port_km = 30; p.spoof_max_kn = 50;
  return p;
}

static kpw_ais_fix fix(uint32_t mmsi, int64_t t, double lat, double lon, double sog) {
  kpw_ais_fix f;
  memset(&f, 0, sizeof f);
  f.mmsi = mmsi;
  snprintf(f.vessel_id, sizeof f.vessel_id, "%u", mmsi);
  f.t_us = t; f.lat = lat; f.lon = lon; f.sog = sog; f.cog = f.heading = NAN;
  f.source = "test.csv";
  f.line = (uint64_t)(t - T0) / 1000000 + 2;
  return f;
}

static void test_mid_imo(void **state) {
  (void)state;
  assert_string_equal(kpw_mid_country(445), "kp");
  assert_string_equal(kpw_mid_country(412), "cn");
  assert_string_equal(kpw_mid_country(351), "pa");
  assert_string_equal(kpw_mid_country(273), "ru");
  assert_string_equal(kpw_mid_country(477), "hk");
  assert_null(kpw_mid_country(200));
  assert_null(kpw_mid_country(999));
  int mid;
  assert_int_equal(kpw_mmsi_classify(445123456, &mid), KPW_MMSI_SHIP);
  assert_int_equal(mid, 445);
  assert_int_equal(kpw_mmsi_classify(4451234, &mid), KPW_MMSI_COAST);      /* 004451234 */
  assert_int_equal(kpw_mmsi_classify(111273100, &mid), KPW_MMSI_SAR);
  assert_int_equal(mid, 273);
  assert_int_equal(kpw_mmsi_classify(992351234, &mid), KPW_MMSI_ATON);
  assert_int_equal(kpw_mmsi_classify(970123456, &mid), KPW_MMSI_SART_MOB_EPIRB);
  assert_int_equal(kpw_mmsi_classify(200123456, &mid), KPW_MMSI_INVALID);  /* MID 200 unallocated */
  assert_int_equal(kpw_mmsi_classify(123456789, &mid), KPW_MMSI_INVALID);
  assert_int_equal(kpw_mmsi_classify(0, &mid), KPW_MMSI_INVALID);
  assert_true(kpw_imo_valid(8125703));     /* VITYAZ */
  assert_true(kpw_imo_valid(7408873));     /* SAM JONG 2 */
  assert_true(kpw_imo_valid(9187629));
  assert_false(kpw_imo_valid(8125704));
  assert_false(kpw_imo_valid(123));
  char out[24];
  kpw_ais_name_norm("  rye song  gang 1@@@@", out, sizeof out);
  assert_string_equal(out, "RYE SONG GANG 1");
}

static void run(kpw_ais_detector *d, const kpw_ais_fix *fx, size_t n, got *g) {
  kpw_ais_params p = params();
  kpw_ais_ctx c;
  memset(&c, 0, sizeof c);
  c.p = &p; c.emit = sink; c.emit_ctx = g;
  uint32_t seen[16]; size_t ns = 0;      /* a dense vessel index, as the driver gives */
  for (size_t i = 0; i < n; i++) {
    size_t v = 0;
    while (v < ns && seen[v] != fx[i].mmsi) v++;
    if (v == ns && ns < 16) seen[ns++] = fx[i].mmsi;
    c.vid = (uint32_t)v;
    d->fix(d->state, &c, &fx[i]);
  }
  if (d->finish) d->finish(d->state, &c);
  d->free(d->state);
}

static void test_name_change(void **state) {
  (void)state;
  kpw_ais_detector d;
  assert_int_equal(kpw_ais_det_identity_new(&d, NULL), KPW_OK);
  kpw_ais_fix fx[4];
  for (int i = 0; i < 4; i++) {
    fx[i] = fix(445100000, T0 + i * H, 31.2, 124.1, 0.5);
    fx[i].imo = 8106496;
    snprintf(fx[i].name, sizeof fx[i].name, "%s", i % 2 ? "SONG HAE" : "RYE SONG GANG 1");
  }
  got g = {0};
  run(&d, fx, 4, &g);
  /* A->B then B->A: two transitions, the repeat of A->B... is reported once */
  assert_int_equal(g.n, 2);
  assert_string_equal(g.kind[0], "identity_change");
  assert_non_null(strstr(g.detail[0], "\"field\":\"name\""));
  assert_non_null(strstr(g.detail[0], "\"to\":\"SONG HAE\""));
}

static void test_two_places(void **state) {
  (void)state;
  kpw_ais_detector d;
  assert_int_equal(kpw_ais_det_spoofing_new(&d, NULL), KPW_OK);
  kpw_ais_fix fx[8];
  for (int i = 0; i < 8; i++)     /* every 10 min, alternating Shanghai roads / Nampo */
    fx[i] = i % 2 ? fix(412000001, T0 + i * H / 6, 38.70, 125.20, 0.1) : fix(412000001, T0 + i * H / 6, 31.2, 122.0, 0.1);
  got g = {0};
  run(&d, fx, 8, &g);
  assert_int_equal(g.n, 1);
  assert_string_equal(g.kind[0], "spoofing");
  assert_non_null(strstr(g.detail[0], "\"pattern\":\"two_places\""));
  /* one jump only, then the track carries on: a position_jump at the end */
  assert_int_equal(kpw_ais_det_spoofing_new(&d, NULL), KPW_OK);
  kpw_ais_fix fy[4] = {fix(412000002, T0, 31.2, 122.0, 10), fix(412000002, T0 + H / 6, 35.0, 122.0, 10),
                       fix(412000002, T0 + H / 3, 31.21, 122.0, 10), fix(412000002, T0 + H / 2, 31.22, 122.0, 10)};
  fy[1].imo = 1234568;    /* bad check digit (1234567 is valid) */
  got g2 = {0};
  run(&d, fy, 4, &g2);
  assert_int_equal(g2.n, 2);
  assert_non_null(strstr(g2.detail[0], "invalid_imo"));
  assert_non_null(strstr(g2.detail[1], "position_jump"));
}

static void test_port_call_nampo(void **state) {
  (void)state;
  kpw_ais_geo geo = {.shore = NULL, .ports = kpw_ports_new(), .eez = NULL, .anchorage_km = 0};
  kpw_ais_detector d;
  assert_int_equal(kpw_ais_det_portcall_new(&geo, NULL, &d, NULL), KPW_OK);
  /* from 10 km west of Nampo, in to 1 km, 10 h stopped, back out */
  kpw_ais_fix fx[40];
  int n = 0;
  for (int i = 0; i < 10; i++) fx[n] = fix(351000001, T0 + n * H / 6, 38.7167, 125.285 + i * 0.0115, 8), n++;
  for (int i = 0; i < 20; i++) fx[n] = fix(351000001, T0 + n * H / 2, 38.7167, 125.39, 0.05), n++;
  for (int i = 0; i < 10; i++) fx[n] = fix(351000001, T0 + 20 * H + i * H / 6, 38.7167, 125.39 - i * 0.0115, 8), n++;
  got g = {0};
  run(&d, fx, (size_t)n, &g);
  /* the approach also crosses the Nampo approaches zone's east edge: only
  ** the ring visit is counted once the port ring is entered */
  int calls = 0, at = -1;
  for (int i = 0; i < g.n; i++) if (!strcmp(g.kind[i], "port_call") && strstr(g.detail[i], "\"NAMPO\"")) calls++, at = i;
  assert_int_equal(calls, 1);
  assert_non_null(strstr(g.detail[at], "\"dprk\":true"));
  assert_non_null(strstr(g.detail[at], "\"entry\":true"));
  assert_non_null(strstr(g.detail[at], "\"exit\":true"));
  assert_non_null(strstr(g.detail[at], "\"confidence\":4"));
  kpw_ports_free(geo.ports);
}

static void test_dark_port_call(void **state) {
  (void)state;
  kpw_ais_geo geo = {.shore = NULL, .ports = kpw_ports_new(), .eez = NULL, .anchorage_km = 0};
  kpw_ais_detector d;
  assert_int_equal(kpw_ais_det_darkport_new(&geo, &d, NULL), KPW_OK);
  kpw_ais_fix fx[4] = {
    fix(445200000, T0, 38.70, 125.30, 5),              /* 9 km from Nampo: goes dark */
    fix(445200000, T0 + 20 * H, 38.60, 125.15, 5),     /* back 20 h later, 25 km away */
    fix(445200000, T0 + 21 * H, 38.40, 124.90, 5),     /* ordinary 1 h step */
    fix(445300000, T0, 31.2, 124.1, 5),                /* a gap far away: not a DPRK visit */
  };
  kpw_ais_fix f5 = fix(445300000, T0 + 30 * H, 31.3, 124.2, 5);
  kpw_ais_fix all[5] = {fx[0], fx[3], fx[1], fx[2], f5};
  got g = {0};
  run(&d, all, 5, &g);
  assert_int_equal(g.n, 1);
  assert_string_equal(g.kind[0], "dark_port_call");
  assert_non_null(strstr(g.detail[0], "\"tier\":\"both_ends\""));
  assert_non_null(strstr(g.detail[0], "NAMPO"));
  kpw_ports_free(geo.ports);
}

static void add_vessel(kpw_listset *ls, const char *id, const char *name, const char *former,
                       const char *imo) {
  kpw_name names[2] = {{name, KPW_NAME_PRIMARY, KPW_SCRIPT_LATIN, false},
                       {former, KPW_NAME_FORMER, KPW_SCRIPT_LATIN, false}};
  kpw_ident ids[1] = {{KPW_ID_IMO, imo, "IMO", NULL}};
  kpw_entity e;
  memset(&e, 0, sizeof e);
  e.id = id; e.ref = id + 5; e.list = "TEST"; e.schema = KPW_SCHEMA_VESSEL;
  e.names = names; e.n_names = former ? 2 : 1;
  e.ids = ids; e.n_ids = imo ? 1 : 0;
  kpw_listset_add(ls, &e);
}

static void test_screening_match(void **state) {
  (void)state;
  kpw_listset *ls = kpw_listset_new();
  kpw_listset_begin_list(ls, "TEST", "test", "test");
  add_vessel(ls, "TEST:1", "SAM JONG 2", NULL, "7408873");
  add_vessel(ls, "TEST:2", "SONG HAE", "RYE SONG GANG 1", NULL);   /* listed with its former name */
  add_vessel(ls, "TEST:3", "VITYAZ", NULL, "8125703");
  kpw_screener *scr;
  assert_int_equal(kpw_screener_new(ls, &scr, NULL), KPW_OK);
  kpw_ais_detector d;
  assert_int_equal(kpw_ais_det_screen_new(scr, 0, &d, NULL), KPW_OK);
  kpw_ais_fix fx[5] = {
    fix(445000001, T0, 31.2, 124.1, 0.5), fix(445000001, T0 + H, 31.2, 124.1, 0.5),
    fix(445000002, T0, 31.3, 124.2, 0.5), fix(445000002, T0 + H, 31.3, 124.2, 0.5),
    fix(563000003, T0, 1.2, 103.8, 0.5),
  };
  fx[0].imo = fx[1].imo = 7408873;                         /* by IMO, reported once */
  snprintf(fx[2].name, sizeof fx[2].name, "RYE SONG GANG 1@@@@@");   /* the former name */
  snprintf(fx[3].name, sizeof fx[3].name, "RYE SONG GANG 1");
  snprintf(fx[4].name, sizeof fx[4].name, "EVER GIVEN");  /* no match */
  got g = {0};
  run(&d, fx, 5, &g);
  assert_int_equal(g.n, 2);
  assert_string_equal(g.kind[0], "screening_match");
  assert_non_null(strstr(g.detail[0], "\"entity_id\":\"TEST:1\""));
  assert_non_null(strstr(g.detail[0], "\"via\":\"imo\""));
  assert_non_null(strstr(g.detail[1], "\"entity_id\":\"TEST:2\""));
  assert_non_null(strstr(g.detail[1], "\"via\":\"name\""));
  kpw_screener_free(scr);
  kpw_listset_free(ls);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mid_imo),
    cmocka_unit_test(test_name_change),
    cmocka_unit_test(test_two_places),
    cmocka_unit_test(test_port_call_nampo),
    cmocka_unit_test(test_dark_port_call),
    cmocka_unit_test(test_screening_match),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
