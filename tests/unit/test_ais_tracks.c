/*
** test_ais_tracks.c -- unit tests of lib/ais/tracks.c (format detection,
** NOAA / DMA / generic CSV, timestamps, sentinels, bad rows with file:line)
** and lib/ais/gfw.c (GFW's own resample test vector, Python round(x, 2),
** directional encounters, the UTC-midnight hole).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <cmocka.h>
#include "kpw/ais.h"
#include "kpw/gfw.h"

static char g_dir[64];

static const char *write_tmp(const char *name, const char *text) {
  static char path[256];
  if (!g_dir[0]) {
    snprintf(g_dir, sizeof g_dir, "/tmp/kpw-tracks-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
  }
  snprintf(path, sizeof path, "%s/%s", g_dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  return path;
}

/* Read every fix of a file; returns count, fixes copied into out[cap]. */
static size_t read_all(const char *path, kpw_track_format want_fmt, kpw_ais_fix *out, size_t cap,
                       kpw_ais_stats *st, kpw_error *first_bad) {
  kpw_track_reader *r;
  kpw_error err = {0};
  assert_int_equal(kpw_track_open(path, KPW_TRACK_AUTO, &r, &err), KPW_OK);
  assert_int_equal(kpw_track_format_of(r), want_fmt);
  size_t n = 0;
  kpw_ais_fix f;
  kpw_result rc;
  while ((rc = kpw_track_next(r, &f, &err)) == KPW_OK) {
    if (n < cap) out[n] = f;
    n++;
  }
  assert_int_equal(rc, KPW_DONE);
  if (st) *st = *kpw_track_stats(r);
  if (first_bad) { memset(first_bad, 0, sizeof *first_bad); kpw_track_first_bad(r, first_bad); }
  kpw_track_close(r);
  return n;
}

static void test_noaa(void **state) {
  (void)state;
  const char *p = write_tmp("noaa.csv",
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n"
    "636021061,2023-01-11T00:00:00,26.09241,-80.04806,8.8,272.7,270.0,MSC NAISHA III,IMO9307839,5LCB4,70,8.0,208.0,30.0,8.0,70.0,A\n"
    "367752440,2023-01-11T00:00:05,91,181,102.3,360.0,511,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A\n"
    "367752440,2023-01-11,43.0,-70.7,0,0,0,X,,Y,31,,,,,,A\n");
  kpw_ais_fix f[4];
  kpw_ais_stats st;
  kpw_error bad;
  assert_int_equal(read_all(p, KPW_TRACK_NOAA, f, 4, &st, &bad), 2);
  assert_int_equal(f[0].mmsi, 636021061u);
  assert_string_equal(f[0].vessel_id, "636021061");
  assert_true(f[0].t_us == INT64_C(1673395200) * 1000000);
  assert_true(fabs(f[0].lat - 26.09241) < 1e-12 && fabs(f[0].lon + 80.04806) < 1e-12);
  assert_true(fabs(f[0].sog - 8.8) < 1e-12 && fabs(f[0].cog - 272.7) < 1e-12);
  assert_int_equal(f[0].imo, 9307839u);
  assert_string_equal(f[0].name, "MSC NAISHA III");
  assert_string_equal(f[0].callsign, "5LCB4");
  assert_int_equal(f[0].shiptype, 70);
  assert_int_equal(f[0].line, 2);
  /* sentinels -> NAN */
  assert_true(isnan(f[1].lat) && isnan(f[1].lon) && isnan(f[1].sog) && isnan(f[1].cog) && isnan(f[1].heading));
  /* the date-only row is bad, skipped, located */
  assert_int_equal(st.bad_fields, 1);
  assert_int_equal(bad.line, 4);
  assert_non_null(strstr(bad.msg, "timestamp"));
}

static void test_noaa_shared(void **state) {
  (void)state;
  const char *p = "../shared/data/maritime/aisdb_test_data_noaa_20230101.csv";
  if (access(p, R_OK) != 0) { fprintf(stderr, "SKIP: %s absent\n", p); skip(); }
  kpw_ais_stats st;
  size_t n = read_all(p, KPW_TRACK_NOAA, NULL, 0, &st, NULL);
  assert_int_equal(n + st.bad_fields, 1000);
  assert_int_equal(st.bad_fields, 0);
}

static void test_dma(void **state) {
  (void)state;
  /* header as documented by the Danish Maritime Authority (aisdk-*.csv) */
  const char *p = write_tmp("dma.csv",
    "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D\n"
    "01/03/2023 00:00:00,Class A,219000873,56.990900,10.304543,Under way using engine,0.0,9.1,18.9,20,Unknown,OXNS2,NORD SUND,Cargo,,12,96,GPS,4.5,AALBORG,01/03/2023 06:00:00,AIS,10,86,6,6\n"
    "31/12/2023 23:59:59,Class A,219000874,91.000000,181.000000,Unknown value,,,,,9250567,,,Undefined,,,,Undefined,,,,AIS,,,,\n"
    "32/12/2023 00:00:00,Class A,219000875,55,10,,,,,,,,,,,,,,,,,AIS,,,,\n");
  kpw_ais_fix f[3];
  kpw_ais_stats st;
  kpw_error bad;
  assert_int_equal(read_all(p, KPW_TRACK_DMA, f, 3, &st, &bad), 2);
  assert_int_equal(f[0].mmsi, 219000873u);
  assert_true(f[0].t_us == INT64_C(1677628800) * 1000000);   /* 2023-03-01T00:00:00Z */
  assert_true(fabs(f[0].sog - 9.1) < 1e-12 && fabs(f[0].heading - 20) < 1e-12);
  assert_string_equal(f[0].name, "NORD SUND");
  assert_int_equal(f[0].imo, 0u);                               /* "Unknown" */
  assert_true(f[1].t_us == INT64_C(1704067199) * 1000000);   /* 2023-12-31T23:59:59Z */
  assert_true(isnan(f[1].lat) && isnan(f[1].lon) && isnan(f[1].sog));
  assert_int_equal(f[1].imo, 9250567u);
  assert_int_equal(st.bad_fields, 1);
  assert_int_equal(bad.line, 4);
}

static void test_generic(void **state) {
  (void)state;
  const char *p = write_tmp("gen.csv",
    "vessel_id,timestamp,lat,lon,speed,course\n"
    "A,1426741942,-27.4,38.5,1.5,45\n"
    "B,2011-01-01T16:10:00Z,-1.47,55.22,,\n"
    "C,2011-01-01 18:10:00+02:00,0,0,0,0\n"
    "D,1.426741942E9,0,0,0,0\n"
    ",2011-01-01T16:10:00Z,0,0,0,0\n"
    "E,2011-01-01T16:10:00Z,95,0,0,0\n"
    "F,2011-01-01T16:10:00Z,abc,0,0,0\n");
  kpw_ais_fix f[8];
  kpw_ais_stats st;
  kpw_error bad;
  assert_int_equal(read_all(p, KPW_TRACK_GENERIC, f, 8, &st, &bad), 4);
  assert_string_equal(f[0].vessel_id, "A");
  assert_true(f[0].t_us == INT64_C(1426741942) * 1000000);
  assert_true(f[1].t_us == INT64_C(1293898200) * 1000000);
  assert_true(isnan(f[1].sog) && isnan(f[1].cog));
  assert_true(f[2].t_us == INT64_C(1293898200) * 1000000);   /* +02:00 offset */
  assert_true(f[3].t_us == INT64_C(1426741942) * 1000000);
  assert_int_equal(st.bad_fields, 3);
  assert_int_equal(bad.line, 6);
  /* mmsi-only generic file */
  p = write_tmp("gen2.csv", "mmsi,time,latitude,longitude\n441910000,2015-03-19T05:12:22Z,-27.4,38.5\n");
  assert_int_equal(read_all(p, KPW_TRACK_GENERIC, f, 8, NULL, NULL), 1);
  assert_string_equal(f[0].vessel_id, "441910000");
  assert_int_equal(f[0].mmsi, 441910000u);
}

static void test_rejects(void **state) {
  (void)state;
  kpw_track_reader *r = NULL;
  kpw_error err = {0};
  const char *p;
  p = write_tmp("bad.csv", "a,b,c\n1,2,3\n");
  assert_int_equal(kpw_track_open(p, KPW_TRACK_AUTO, &r, &err), KPW_EINPUT);
  assert_int_equal(err.line, 1);
  p = write_tmp("empty.csv", "");
  assert_int_equal(kpw_track_open(p, KPW_TRACK_AUTO, &r, &err), KPW_EINPUT);
  assert_int_equal(kpw_track_open("/nonexistent/x.csv", KPW_TRACK_AUTO, &r, &err), KPW_EIO);
}

/* NMEA through lib/ais/nmea.c: a tag-blocked position report is a fix
** (time from c:), a bare sentence has no time and is counted as bad. */
static void test_nmea(void **state) {
  (void)state;
  const char *p = write_tmp("x.nm4",
    "# comment line\n"
    "\\s:41925,c:1635731889,t:1635731965*66\\!AIVDM,1,1,,,15Di=4002i<chWiba2`rPpD:04;`,0*37\n"
    "!AIVDM,1,1,,A,16:=?;0P00`SstvFnFbeGH6L088h,0*44\n");
  kpw_ais_fix f[4];
  kpw_ais_stats st;
  kpw_error bad;
  assert_int_equal(read_all(p, KPW_TRACK_NMEA, f, 4, &st, &bad), 1);
  assert_true(f[0].t_us == INT64_C(1635731889) * 1000000);
  assert_true(f[0].mmsi > 0);
  assert_true(isfinite(f[0].lat) && isfinite(f[0].lon));
  assert_int_equal(f[0].line, 2);
  assert_int_equal(st.bad_fields, 1);
  assert_int_equal(bad.line, 3);
  assert_non_null(strstr(bad.msg, "time"));
}

/* GFW's tests/test_resample.py vector (max_gap 60 min, extrapolation on,
** course 45 degrees as that test gives it). */
static void test_gfw_resample_vector(void **state) {
  (void)state;
  kpw_gfw_params p;
  kpw_gfw_params_default(&p);
  p.max_gap_s = 3600; p.extrapolate = true;
  const double d0 = 1309478400;   /* 2011-07-01T00:00:00Z */
  static const double in[][4] = {  /* minute, lat, lon, speed */
    {0, 10.3, 10, 0}, {2, 10, 10, 0}, {4, 10, 10, 0}, {6, 10, 10, 0}, {8, 10, 10, 0},
    {12, 10, 10, 0}, {18, 10, 10, 0}, {26, 10, 11, 0}, {98, 10, 11, 0}, {102, 11, 11, 0},
    {142, 11, 11, 10}};
  kpw_gfw_rec r[11];
  for (int i = 0; i < 11; i++) {
    r[i].t = d0 + in[i][0] * 60; r[i].lat = in[i][1]; r[i].lon = in[i][2];
    r[i].speed = in[i][3]; r[i].course = 45;
  }
  static const double want[][6] = {  /* minute, lat, lon, density, speed */
    {0, 10.3, 10.0, 1.0, 0}, {10, 10.0, 10.0, 1.0, 0}, {20, 10.0, 10.25, 1.0, 0},
    {100, 10.5, 11.0, 1.0, 0}, {110, 11.0, 11.0, 0.25, 2.0}, {120, 11.0, 11.0, 0.25, 4.5},
    {130, 11.0, 11.0, 0.25, 7.0}, {140, 11.0, 11.0, 0.25, 9.5},
    {150, 11.015713484026367, 11.01600758851356, 1.0, 10},
    {160, 11.035355339059327, 11.036017074155552, 0.56, 10},
    {170, 11.054997194092287, 11.056026559797516, 0.36, 10},
    {180, 11.074639049125247, 11.07603604543948, 0.26, 10},
    {190, 11.094280904158206, 11.096045531081444, 0.21, 10},
    {200, 11.113922759191166, 11.116055016723408, 0.17, 10}};
  kpw_gfw_point out[32];
  size_t n = kpw_gfw_resample(&p, r, 11, out, 32);
  assert_int_equal(n, 14);
  for (size_t i = 0; i < n; i++) {
    assert_true(out[i].t == d0 + want[i][0] * 60);
    assert_true(fabs(out[i].lat - want[i][1]) < 1e-12);
    assert_true(fabs(out[i].lon - want[i][2]) < 1e-12);
    assert_true(out[i].point_density == want[i][3]);
    assert_true(fabs(out[i].speed - want[i][4]) < 1e-12);
  }
}

static void test_gfw_round2(void **state) {
  (void)state;
  assert_true(kpw_gfw_round2(0.125) == 0.12);      /* exact tie: to even */
  assert_true(kpw_gfw_round2(0.375) == 0.38);
  assert_true(kpw_gfw_round2(600.0 / 1080) == 0.56);
  assert_true(kpw_gfw_round2(2.675) == 2.67);      /* 2.675 is below the tie in binary */
  assert_true(fabs(kpw_gfw_distance_km(0, 0, 0, 0.001) - 0.11119492664455874) < 1e-15);
}

typedef struct collect { int n; kpw_gfw_encounter e[8]; char id1[8][8], id2[8][8]; } collect;
static void on_enc(void *ctx, const kpw_gfw_encounter *e) {
  collect *c = ctx;
  if (c->n < 8) {
    c->e[c->n] = *e;
    snprintf(c->id1[c->n], 8, "%s", e->vessel_1_seg_id);
    snprintf(c->id2[c->n], 8, "%s", e->vessel_2_seg_id);
  }
  c->n++;
}

/* Two vessels 100 m apart from 23:00 to 01:00: GFW's day split gives one
** encounter per direction per day, none spanning midnight. */
static void test_gfw_midnight(void **state) {
  (void)state;
  kpw_gfw_params p;
  kpw_gfw_params_default(&p);
  kpw_error err = {0};
  kpw_gfw *g = kpw_gfw_new(&p, &err);
  assert_non_null(g);
  const int64_t t0 = INT64_C(1293922800);   /* 2011-01-01T23:00:00Z */
  for (int k = 0; k <= 12; k++)
    for (int v = 0; v < 2; v++) {
      kpw_ais_fix f;
      memset(&f, 0, sizeof f);
      snprintf(f.vessel_id, sizeof f.vessel_id, "%c", v ? 'B' : 'A');
      f.t_us = (t0 + k * 600) * 1000000;
      f.lat = 0; f.lon = v ? 0.0009 : 0; f.sog = 0; f.cog = 0;
      assert_int_equal(kpw_gfw_add(g, &f, &err), KPW_OK);
    }
  collect c = {0};
  assert_int_equal(kpw_gfw_run(g, on_enc, &c, &err), KPW_OK);
  kpw_gfw_free(g);
  assert_int_equal(c.n, 4);
  for (int i = 0; i < 4; i++) {
    bool day1 = c.e[i].end_time <= 1293926400 - 600;
    bool day2 = c.e[i].start_time >= 1293926400;
    assert_true(day1 || day2);          /* nothing across 00:00 */
    assert_true(c.e[i].median_distance_km > 0.09 && c.e[i].median_distance_km < 0.11);
  }
  assert_string_equal(c.id1[0], "A");
  assert_string_equal(c.id2[0], "B");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_noaa),
    cmocka_unit_test(test_noaa_shared),
    cmocka_unit_test(test_dma),
    cmocka_unit_test(test_generic),
    cmocka_unit_test(test_rejects),
    cmocka_unit_test(test_nmea),
    cmocka_unit_test(test_gfw_resample_vector),
    cmocka_unit_test(test_gfw_round2),
    cmocka_unit_test(test_gfw_midnight),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (g_dir[0]) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
  }
  return rc;
}
