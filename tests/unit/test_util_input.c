/*
** test_util_input.c -- unit tests of lib/util input.c (plain, bzip2 on the
** helper thread, zstd; peek, offsets, truncated and corrupt streams),
** country.c (codes, names, list variants) and date.c (partial dates).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bzlib.h>
#include <zstd.h>
#include <cmocka.h>
#include "kpw/util.h"

/* A deterministic test payload of n bytes (compressible but not trivial). */
static char *payload(size_t n) {
  char *p = malloc(n);
  uint32_t x = 12345;
  for (size_t i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    p[i] = (char)("<ENTITY>KIM JONG UN 0123456789\n"[(x >> 16) % 31]);
  }
  return p;
}

/* Read the whole stream in odd-sized pieces; returns bytes or -1. */
static long read_all(kpw_input *in, char *out, size_t cap, kpw_error *err, kpw_result *res) {
  size_t total = 0;
  for (;;) {
    size_t got = 0;
    size_t want = 7777;
    if (want > cap - total) want = cap - total;
    *res = kpw_input_read(in, out + total, want, &got, err);
    if (*res != KPW_OK) return -1;
    if (got == 0) break;
    total += got;
    if (total == cap) {
      char extra;
      *res = kpw_input_read(in, &extra, 1, &got, err);
      if (*res != KPW_OK) return -1;
      if (got) return -2;
      break;
    }
  }
  return (long)total;
}

static void test_input_plain_mem(void **state) {
  (void)state;
  const char *text = "hello, list\n";
  kpw_input *in;
  kpw_error err;
  assert_int_equal(kpw_input_open_mem(text, strlen(text), "mem", &in, &err), KPW_OK);
  const void *p; size_t n;
  assert_int_equal(kpw_input_peek(in, &p, &n, &err), KPW_OK);
  assert_int_equal(n, strlen(text));
  assert_memory_equal(p, text, n);
  assert_int_equal(kpw_input_offset(in), 0);   /* peek does not consume */
  char buf[64];
  kpw_result r;
  assert_int_equal(read_all(in, buf, sizeof buf, &err, &r), (long)strlen(text));
  assert_memory_equal(buf, text, strlen(text));
  assert_int_equal(kpw_input_offset(in), strlen(text));
  assert_string_equal(kpw_input_name(in), "mem");
  kpw_input_close(in);
  /* empty input */
  assert_int_equal(kpw_input_open_mem("", 0, "empty", &in, &err), KPW_OK);
  assert_int_equal(kpw_input_peek(in, &p, &n, &err), KPW_OK);
  assert_int_equal(n, 0);
  kpw_input_close(in);
}

static void test_input_bz2(void **state) {
  (void)state;
  size_t n = 3u << 20;   /* > ring buffer size: exercises the ring */
  char *src = payload(n);
  unsigned int clen = (unsigned int)(n + n / 100 + 600);
  char *comp = malloc(clen * 2);
  assert_int_equal(BZ2_bzBuffToBuffCompress(comp, &clen, src, (unsigned)n, 9, 0, 0), BZ_OK);
  /* two concatenated streams (pbzip2 style): the second repeats a prefix */
  unsigned int clen2 = 4096;
  assert_int_equal(BZ2_bzBuffToBuffCompress(comp + clen, &clen2, src, 1000, 9, 0, 0), BZ_OK);
  char *out = malloc(n + 1000);
  kpw_input *in;
  kpw_error err;
  kpw_result r;
  assert_int_equal(kpw_input_open_mem(comp, clen + clen2, "x.bz2", &in, &err), KPW_OK);
  const void *p; size_t pn;
  assert_int_equal(kpw_input_peek(in, &p, &pn, &err), KPW_OK);
  assert_true(pn > 0);
  assert_memory_equal(p, src, pn < 100 ? pn : 100);
  assert_int_equal(read_all(in, out, n + 1000, &err, &r), (long)(n + 1000));
  assert_memory_equal(out, src, n);
  assert_memory_equal(out + n, src, 1000);
  kpw_input_close(in);

  /* junk after the last stream is an error, not silently ignored */
  memcpy(comp + clen + clen2, "JUNK", 4);
  assert_int_equal(kpw_input_open_mem(comp, clen + clen2 + 4, "junk.bz2", &in, &err), KPW_OK);
  assert_int_equal(read_all(in, out, n + 1000, &err, &r), -1);
  assert_int_equal(r, KPW_EINPUT);
  assert_non_null(strstr(err.msg, "trailing"));
  kpw_input_close(in);

  /* truncated: an error naming the source, never a silent short read */
  assert_int_equal(kpw_input_open_mem(comp, clen / 2, "cut.bz2", &in, &err), KPW_OK);
  long got = read_all(in, out, n + 1000, &err, &r);
  assert_int_equal(got, -1);
  assert_int_equal(r, KPW_EINPUT);
  assert_string_equal(err.source, "cut.bz2");
  assert_non_null(strstr(err.msg, "bzip2"));
  kpw_input_close(in);

  /* corrupt block data */
  comp[clen / 2] ^= 0x55;
  assert_int_equal(kpw_input_open_mem(comp, clen, "bad.bz2", &in, &err), KPW_OK);
  assert_int_equal(read_all(in, out, n + 1000, &err, &r), -1);
  assert_int_equal(r, KPW_EINPUT);
  kpw_input_close(in);

  /* close without reading: the helper thread must stop */
  assert_int_equal(kpw_input_open_mem(comp, clen, "early.bz2", &in, &err), KPW_OK);
  kpw_input_close(in);
  free(src); free(comp); free(out);
}

static void test_input_zstd_and_file(void **state) {
  (void)state;
  size_t n = 1u << 20;
  char *src = payload(n);
  size_t cap = ZSTD_compressBound(n);
  char *comp = malloc(cap);
  size_t clen = ZSTD_compress(comp, cap, src, n, 3);
  assert_false(ZSTD_isError(clen));
  char path[] = "/tmp/kpw_input_testXXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, comp, clen), (ssize_t)clen);
  close(fd);
  char *out = malloc(n);
  kpw_input *in;
  kpw_error err;
  kpw_result r;
  assert_int_equal(kpw_input_open(path, &in, &err), KPW_OK);
  assert_int_equal(read_all(in, out, n, &err, &r), (long)n);
  assert_memory_equal(out, src, n);
  kpw_input_close(in);
  /* truncated zstd */
  assert_int_equal(kpw_input_open_mem(comp, clen - 10, "cut.zst", &in, &err), KPW_OK);
  assert_int_equal(read_all(in, out, n, &err, &r), -1);
  assert_int_equal(r, KPW_EINPUT);
  assert_non_null(strstr(err.msg, "zstd"));
  kpw_input_close(in);
  unlink(path);
  assert_int_equal(kpw_input_open("/nonexistent/file", &in, &err), KPW_EIO);
  assert_null(in);
  free(src); free(comp); free(out);
}

static void test_country(void **state) {
  (void)state;
  static const char *kp[] = { "kp", "KP", "PRK", "North Korea", "Korea, North", "DPRK", "D.P.R.K.",
                              "Democratic People's Republic of Korea",
                              "Korea, Democratic People's Republic of", "north korea", "NORTH KOREA", NULL };
  for (int i = 0; kp[i]; i++) {
    const char *c = kpw_country_code(kp[i]);
    assert_non_null(c);
    assert_string_equal(c, "kp");
  }
  assert_string_equal(kpw_country_code("Korea, South"), "kr");
  assert_string_equal(kpw_country_code("Republic of Korea"), "kr");
  assert_string_equal(kpw_country_code("Russian Federation"), "ru");
  assert_string_equal(kpw_country_code("Iran (Islamic Republic of)"), "ir");
  assert_string_equal(kpw_country_code("Syrian Arab Republic"), "sy");
  assert_string_equal(kpw_country_code("United Kingdom of Great Britain and Northern Ireland"), "gb");
  assert_string_equal(kpw_country_code("Viet Nam"), "vn");
  assert_string_equal(kpw_country_code("Türkiye"), "tr");
  assert_string_equal(kpw_country_code("TURKIYE"), "tr");
  assert_string_equal(kpw_country_code("Côte d’Ivoire"), "ci");
  assert_string_equal(kpw_country_code("Chinese"), "cn");
  assert_string_equal(kpw_country_code("Iranian"), "ir");
  assert_string_equal(kpw_country_code("Bahamas, The"), "bs");
  assert_string_equal(kpw_country_code("Congo, Democratic Republic of the"), "cd");
  assert_string_equal(kpw_country_code("St. Kitts & Nevis"), "kn");
  assert_null(kpw_country_code("Korean"));          /* ambiguous: deliberately absent */
  assert_null(kpw_country_code("Atlantis"));
  assert_null(kpw_country_code(""));
  assert_null(kpw_country_code(NULL));
  assert_string_equal(kpw_country_name("kp"), "North Korea");
  assert_string_equal(kpw_country_name("GB"), "United Kingdom");
  assert_null(kpw_country_name("zz"));
  assert_null(kpw_country_name("kpx"));
}

static void test_dates(void **state) {
  (void)state;
  static const struct { const char *in, *out; } ok[] = {
    { "1964", "1964" }, { "1964-07", "1964-07" }, { "1964-07-17", "1964-07-17" },
    { "2026-02-27T00:00:09.554Z", "2026-02-27" }, { "17 Jul 1964", "1964-07-17" },
    { "17 July 1964", "1964-07-17" }, { "Jul 1964", "1964-07" }, { "July 17, 1964", "1964-07-17" },
    { "17/07/1964", "1964-07-17" }, { "17.7.1964", "1964-07-17" }, { "1964/07/17", "1964-07-17" },
    { "circa 1947", "1947" }, { "c. 1947", "1947" }, { "07/1964", "1964-07" },
    { "29 Feb 2000", "2000-02-29" }, { "12/25/1970", "1970-12-25" },
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    kpw_date d;
    char buf[16];
    assert_true(kpw_date_parse(ok[i].in, &d));
    kpw_date_format(&d, buf);
    assert_string_equal(buf, ok[i].out);
  }
  static const char *bad[] = { "", "abc", "64", "1964-13-01", "31 Feb 1964", "29 Feb 1900",
                               "0999", "12345", NULL };
  for (int i = 0; bad[i]; i++) {
    kpw_date d;
    assert_false(kpw_date_parse(bad[i], &d));
  }
  assert_false(kpw_date_parse(NULL, NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_input_plain_mem),
    cmocka_unit_test(test_input_bz2),
    cmocka_unit_test(test_input_zstd_and_file),
    cmocka_unit_test(test_country),
    cmocka_unit_test(test_dates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
