/*
** test_finding.c -- unit tests for lib/finding: the exact JSON text of a
** finding (field order, omissions, escaping, one line) and the UTC time
** format (whole and fractional seconds, the epoch, negative times, the
** extremes of int64).
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

#include "kpw/finding.h"

static char *render(const kpw_finding *f) {
  kpw_buf b;
  kpw_buf_init(&b);
  kpw_finding_json(f, &b);
  char *s = strdup(b.data);
  kpw_buf_free(&b);
  return s;
}

static void time_is(int64_t us, const char *want) {
  char out[32];
  memset(out, 'x', sizeof out);
  kpw_time_format(us, out);
  assert_string_equal(out, want);
}

static void test_time_format(void **state) {
  (void)state;
  time_is(0, "1970-01-01T00:00:00Z");
  time_is(1518750600000000LL, "2018-02-16T03:10:00Z");
  time_is(1518750600000001LL, "2018-02-16T03:10:00.000001Z");
  time_is(1518750600500000LL, "2018-02-16T03:10:00.500000Z");
  time_is(951782400000000LL, "2000-02-29T00:00:00Z");   /* leap day */
  time_is(-1, "1969-12-31T23:59:59.999999Z");
  time_is(-1000000, "1969-12-31T23:59:59Z");
  time_is(-86400000000LL, "1969-12-31T00:00:00Z");
  time_is(-62135596800000000LL, "0001-01-01T00:00:00Z");
  time_is(-62167219200000000LL, "0000-01-01T00:00:00Z");
  time_is(-62167219200000001LL, "-0001-12-31T23:59:59.999999Z");
  time_is(253402300799000000LL, "9999-12-31T23:59:59Z");
  time_is(253402300800000000LL, "+10000-01-01T00:00:00Z");
  /* The extremes must not overflow and must fit in 32 bytes. */
  time_is(INT64_MAX, "+294247-01-10T04:00:54.775807Z");
  time_is(INT64_MIN, "-290308-12-21T19:59:05.224192Z");
}

static void test_full_finding(void **state) {
  (void)state;
  const char *subj[] = {"mmsi:441910000", "mmsi:563418000"};
  kpw_evidence ev[] = {{"feed.nmea", 18211, 0, NULL},
                       {"feed.nmea", 0, 4096, "pkt 7"}};
  kpw_finding f = {
    .kind = "encounter", .subjects = subj, .n_subjects = 2,
    .start_us = 1518750600000000LL, .end_us = 1518766800000000LL,
    .has_place = true, .lat = 31.2, .lon = 124.1, .score = 0.93,
    .explain = "alongside 180 m for 4.5 h",
    .evidence = ev, .n_evidence = 2,
    .detail_json = "{\"distance_m\":180}",
  };
  char *s = render(&f);
  assert_string_equal(s,
      "{\"kind\":\"encounter\",\"subjects\":[\"mmsi:441910000\",\"mmsi:563418000\"],"
      "\"start\":\"2018-02-16T03:10:00Z\",\"end\":\"2018-02-16T07:40:00Z\","
      "\"lat\":31.2,\"lon\":124.1,\"score\":0.93,"
      "\"explain\":\"alongside 180 m for 4.5 h\","
      "\"evidence\":[{\"source\":\"feed.nmea\",\"line\":18211},"
      "{\"source\":\"feed.nmea\",\"offset\":4096,\"ref\":\"pkt 7\"}],"
      "\"detail\":{\"distance_m\":180}}");
  free(s);
}

static void test_minimal_finding(void **state) {
  (void)state;
  const char *subj[] = {"list:UN:KPi.033"};
  kpw_finding f = {
    .kind = "screening_match", .subjects = subj, .n_subjects = 1,
    .start_us = KPW_TIME_NONE, .end_us = KPW_TIME_NONE,
    .has_place = false, .lat = 99, .lon = 99, .score = 1.0,
    .explain = NULL, .evidence = NULL, .n_evidence = 0, .detail_json = NULL,
  };
  char *s = render(&f);
  assert_string_equal(s,
      "{\"kind\":\"screening_match\",\"subjects\":[\"list:UN:KPi.033\"],"
      "\"score\":1,\"explain\":\"\",\"evidence\":[],\"detail\":{}}");
  free(s);
}

static void test_escaping_and_one_line(void **state) {
  (void)state;
  const char *subj[] = {"tx:\"q\"\n"};
  kpw_evidence ev[] = {{"a\\b.csv", 3, 0, NULL}};
  kpw_finding f = {
    .kind = "trade_ban", .subjects = subj, .n_subjects = 1,
    .start_us = 0, .end_us = KPW_TIME_NONE,
    .has_place = true, .lat = -33.8688197, .lon = NAN, .score = 1.7,
    .explain = "line1\nline2", .evidence = ev, .n_evidence = 1,
    .detail_json = "  {\"a\":\n [1,\r\n2]}\n",
  };
  char *s = render(&f);
  /* lon is not a number, so no place at all; score clamped to 1. */
  assert_string_equal(s,
      "{\"kind\":\"trade_ban\",\"subjects\":[\"tx:\\\"q\\\"\\n\"],"
      "\"start\":\"1970-01-01T00:00:00Z\","
      "\"score\":1,\"explain\":\"line1\\nline2\","
      "\"evidence\":[{\"source\":\"a\\\\b.csv\",\"line\":3}],"
      "\"detail\":{\"a\":  [1,  2]}}");
  assert_null(strchr(s, '\n'));
  free(s);

  f.lon = 151.2092961;
  f.score = NAN;
  s = render(&f);
  assert_non_null(strstr(s, "\"lat\":-33.86882,\"lon\":151.209296,\"score\":0,"));
  free(s);
}

static void test_write_jsonl(void **state) {
  (void)state;
  kpw_finding f = {.kind = "ais_gap", .start_us = KPW_TIME_NONE,
                   .end_us = KPW_TIME_NONE, .score = 0.5};
  char *mem = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&mem, &len);
  assert_non_null(out);
  kpw_error err;
  assert_int_equal(kpw_finding_write_jsonl(&f, out, &err), KPW_OK);
  assert_int_equal(kpw_finding_write_jsonl(&f, out, &err), KPW_OK);
  fclose(out);
  assert_string_equal(mem,
      "{\"kind\":\"ais_gap\",\"subjects\":[],\"score\":0.5,\"explain\":\"\","
      "\"evidence\":[],\"detail\":{}}\n"
      "{\"kind\":\"ais_gap\",\"subjects\":[],\"score\":0.5,\"explain\":\"\","
      "\"evidence\":[],\"detail\":{}}\n");
  free(mem);

  /* A stream that cannot be written reports KPW_EIO. */
  FILE *ro = fopen("/dev/null", "r");
  assert_non_null(ro);
  assert_int_equal(kpw_finding_write_jsonl(&f, ro, &err), KPW_EIO);
  assert_int_equal(err.code, KPW_EIO);
  fclose(ro);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_time_format),
    cmocka_unit_test(test_full_finding),
    cmocka_unit_test(test_minimal_finding),
    cmocka_unit_test(test_escaping_and_one_line),
    cmocka_unit_test(test_write_jsonl),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
