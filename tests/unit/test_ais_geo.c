/*
** test_ais_geo.c -- unit tests for the geography of `ais detect`: the port
** model (DPRK rings, nearest port, the Nampo approaches zone, the CSV form
** data/dprk_ports.csv against the built-in table), GeoJSON point-in-polygon
** with the shared DPRK EEZ file read in place, and distance from shore from
** the installed Natural Earth land (skipped visibly when a file is absent).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <cmocka.h>

#include "kpw/aisgeo.h"

#define EEZ "../shared/data/maritime/gfw_nk_eez_prk.json"

/* a point km kilometres north of (lat, lon) */
static double north(double lat, double km) { return lat + km / 111.195; }

static void test_port_rings(void **state) {
  (void)state;
  kpw_ports *ps = kpw_ports_new();
  assert_int_equal(kpw_ports_count(ps), 10);
  double km;
  const kpw_port *p = kpw_ports_nearest(ps, north(38.716667, 2.0), 125.4, 3.0, true, &km);
  assert_non_null(p);
  assert_string_equal(p->name, "NAMPO");
  assert_true(p->dprk);
  assert_string_equal(p->country, "kp");
  assert_true(fabs(km - 2.0) < 0.01);
  /* 3.5 km: outside the 3 km entry ring, inside the 4 km exit ring */
  assert_null(kpw_ports_nearest(ps, north(38.716667, 3.5), 125.4, 3.0, true, &km));
  assert_non_null(kpw_ports_nearest(ps, north(38.716667, 3.5), 125.4, 4.0, true, &km));
  assert_null(kpw_ports_nearest(ps, north(38.716667, 4.5), 125.4, 4.0, true, &km));
  /* Kyomip'o is 19 km up the Taedong from Nampo: the nearest wins */
  p = kpw_ports_nearest(ps, 38.733333, 125.60, 30, true, &km);
  assert_string_equal(p->name, "KYOMIP'O");
  /* Chodo anchorage waters are in the Nampo approaches zone; Shanghai is not */
  bool dprk = false;
  const char *z = kpw_ports_zone_at(ps, 38.55, 124.85, &dprk);
  assert_non_null(z);
  assert_string_equal(z, "NAMPO APPROACHES");
  assert_true(dprk);
  assert_null(kpw_ports_zone_at(ps, 31.2, 124.1, &dprk));
  assert_null(kpw_ports_nearest(ps, NAN, 125.4, 3, true, &km));
  kpw_ports_free(ps);
}

static void test_ports_csv_matches_builtin(void **state) {
  (void)state;
  kpw_ports *csv = kpw_ports_new_empty(), *bi = kpw_ports_new();
  kpw_error e;
  kpw_result r = kpw_ports_load_csv(csv, "data/dprk_ports.csv", &e);
  if (r == KPW_EIO) { fprintf(stderr, "SKIP: data/dprk_ports.csv not found (run from the repo root)\n"); skip(); }
  assert_int_equal(r, KPW_OK);
  assert_int_equal(kpw_ports_count(csv), kpw_ports_count(bi));
  for (size_t i = 0; i < kpw_ports_count(bi); i++) {
    const kpw_port *a = kpw_ports_get(bi, i), *b = kpw_ports_get(csv, i);
    assert_string_equal(a->name, b->name);
    assert_true(fabs(a->lat - b->lat) < 1e-6 && fabs(a->lon - b->lon) < 1e-6);
    assert_true(b->dprk);
  }
  assert_int_equal(kpw_ports_zone_count(csv), 1);
  bool dprk;
  assert_non_null(kpw_ports_zone_at(csv, 38.55, 124.85, &dprk));
  assert_true(dprk);
  kpw_ports_free(csv);
  kpw_ports_free(bi);
  /* a bad row names the file and line */
  char path[] = "/tmp/kpw_ports_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("name,lat,lon\nA,1,2\nB,95,2\n", f);
  fclose(f);
  kpw_ports *ps = kpw_ports_new_empty();
  assert_int_equal(kpw_ports_load_csv(ps, path, &e), KPW_EINPUT);
  assert_int_equal(e.line, 3);
  kpw_ports_free(ps);
  remove(path);
}

static void test_polygon(void **state) {
  (void)state;
  /* a square with a square hole */
  const char *gj = "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]],"
                   "[[4,4],[6,4],[6,6],[4,6],[4,4]]]}";
  kpw_geo_poly *p;
  kpw_error e;
  assert_int_equal(kpw_geo_poly_parse(gj, strlen(gj), "sq", &p, &e), KPW_OK);
  assert_true(kpw_geo_poly_contains(p, 2, 2));
  assert_false(kpw_geo_poly_contains(p, 5, 5));
  assert_false(kpw_geo_poly_contains(p, 11, 5));
  assert_false(kpw_geo_poly_contains(p, NAN, 5));
  kpw_geo_poly_free(p);
  const char *badj = "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10]]]}";
  assert_int_equal(kpw_geo_poly_parse(badj, strlen(badj), "bad", &p, &e), KPW_EINPUT);
  assert_null(p);
}

static void test_eez_shared_file(void **state) {
  (void)state;
  kpw_geo_poly *p;
  kpw_error e;
  kpw_result r = kpw_geo_poly_load(EEZ, &p, &e);
  if (r == KPW_EIO) { fprintf(stderr, "SKIP: %s absent\n", EEZ); skip(); }
  assert_int_equal(r, KPW_OK);
  assert_true(kpw_geo_poly_vertices(p) > 3000);
  assert_true(kpw_geo_poly_contains(p, 40.0, 129.5));     /* East Sea off Kimchaek */
  assert_true(kpw_geo_poly_contains(p, 39.17, 127.45));   /* Wonsan */
  assert_false(kpw_geo_poly_contains(p, 38.7, 125.2));    /* west coast: not in this polygon */
  assert_false(kpw_geo_poly_contains(p, 37.5, 130.0));    /* Ulleungdo, ROK */
  kpw_geo_poly_free(p);
}

static void test_shore(void **state) {
  (void)state;
  kpw_shore *s;
  kpw_error e;
  const char *path = kpw_shore_default_path();
  if (!path) {
    fprintf(stderr, "SKIP: no coastline data (npm world-atlas, scripts/setup.sh); distance from shore untested\n");
    skip();
  }
  assert_int_equal(kpw_shore_load(path, &s, &e), KPW_OK);
  assert_true(kpw_shore_segments(s) > 100000);
  double d = kpw_shore_nm(s, 30.0, -150.0);               /* mid North Pacific */
  assert_true(d > 500 && d < 800);
  d = kpw_shore_nm(s, 25.79, -80.118);                     /* ~1 km off Miami Beach */
  assert_true(d > 0.05 && d < 2.0);
  assert_true(kpw_shore_nm(s, 48.8566, 2.3522) == 0.0);   /* Paris */
  assert_true(kpw_shore_on_land(s, 48.8566, 2.3522));
  assert_false(kpw_shore_on_land(s, 31.2, 124.1));         /* East China Sea STS box */
  d = kpw_shore_nm(s, 31.2, 124.1);
  assert_true(d > 60 && d < 120);
  assert_true(isnan(kpw_shore_nm(s, NAN, 0)));
  assert_true(isnan(kpw_shore_nm(s, 95, 0)));
  assert_true(isnan(kpw_shore_nm(NULL, 0, 0)));
  assert_true(kpw_shore_nm(s, 10, 180.0) >= 0);            /* +180 wraps to -180 */
  /* speed along tracks (cache warm after the first fix of each cell) */
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double sum = 0, lat = 0, lon = 0;
  unsigned x = 7;
  int n = 200000;
  for (int i = 0; i < n; i++) {
    if (i % 1000 == 0) {
      x = x * 1103515245u + 12345u; lat = -60 + (double)((x >> 8) % 12000) / 100;
      x = x * 1103515245u + 12345u; lon = -180 + (double)((x >> 8) % 35000) / 100;
    }
    lat += 0.0003; lon += 0.0004;
    sum += kpw_shore_nm(s, lat, lon);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 1e3 / n;
  fprintf(stderr, "shore: %zu segments, %.2f us/query along tracks (sum %.0f)\n",
          kpw_shore_segments(s), us, sum);
  kpw_shore_free(s);
  /* bad input: a clear error, no crash */
  char pth[] = "/tmp/kpw_shore_XXXXXX";
  int fd = mkstemp(pth);
  FILE *f = fdopen(fd, "w");
  fputs("{\"type\":\"Topology\",\"arcs\":[[[0,0],[1,1]],[[2", f);
  fclose(f);
  assert_int_equal(kpw_shore_load(pth, &s, &e), KPW_EINPUT);
  f = fopen(pth, "w");
  fputs("{\"type\":\"Topology\",\"objects\":{\"l\":{\"type\":\"Polygon\",\"arcs\":[[7]]}},\"arcs\":[[[0,0],[1,1],[1,0],[0,0]]]}", f);
  fclose(f);
  assert_int_equal(kpw_shore_load(pth, &s, &e), KPW_EINPUT);   /* arc 7 does not exist */
  f = fopen(pth, "w");
  fputs("{\"type\":\"Topology\",\"objects\":{\"l\":{\"type\":\"Polygon\",\"arcs\":[[0]]}},\"arcs\":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}", f);
  fclose(f);
  assert_int_equal(kpw_shore_load(pth, &s, &e), KPW_OK);
  assert_true(kpw_shore_on_land(s, 0.5, 0.5));
  assert_true(fabs(kpw_shore_nm(s, 0.5, 2.0) - 60.0) < 0.5);   /* 1 degree east of the square */
  kpw_shore_free(s);
  remove(pth);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_port_rings),
    cmocka_unit_test(test_ports_csv_matches_builtin),
    cmocka_unit_test(test_polygon),
    cmocka_unit_test(test_eez_shared_file),
    cmocka_unit_test(test_shore),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
