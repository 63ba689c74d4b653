/*
** test_util.c -- unit tests of lib/util: errors, buffer, UTF-8, JSON writer
** and reader, CSV reader and writer.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "kpw/util.h"

static void test_error_format(void **state) {
  (void)state;
  kpw_error e;
  kpw_error_set(&e, KPW_EINPUT, "list.xml", 12, 345, "mismatched tag %s", "FIRST");
  kpw_error_excerpt(&e, "</FI\x01", 5);
  char buf[256];
  assert_string_equal(kpw_error_format(&e, buf, sizeof buf),
                      "list.xml:12: mismatched tag FIRST (byte offset 345, near '</FI\\x01')");
  assert_int_equal(e.code, KPW_EINPUT);
}

static void test_utf8(void **state) {
  (void)state;
  uint32_t cp;
  assert_int_equal(kpw_utf8_decode("\xEA\xB9\x80", 3, &cp), 3);
  assert_int_equal(cp, 0xAE40); /* 김 */
  assert_int_equal(kpw_utf8_decode("\xC0\x80", 2, &cp), 0);      /* overlong */
  assert_int_equal(kpw_utf8_decode("\xED\xA0\x80", 3, &cp), 0);  /* surrogate */
  assert_int_equal(kpw_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
  assert_int_equal(kpw_utf8_valid_prefix("ab\xFF" "cd", 5), 2);
  char out[4];
  assert_int_equal(kpw_utf8_encode(0x1F600, out), 4);
  assert_int_equal(kpw_utf8_decode(out, 4, &cp), 4);
  assert_int_equal(cp, 0x1F600);
}

static void test_json_writer(void **state) {
  (void)state;
  kpw_buf b;
  kpw_buf_init(&b);
  kpw_json_str(&b, "a\"b\\c\n\x01\xFFz");
  assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\xEF\xBF\xBDz\"");
  kpw_buf_reset(&b);
  kpw_json_num(&b, 0.93);
  kpw_buf_putc(&b, ' ');
  kpw_json_num(&b, 42);
  kpw_buf_putc(&b, ' ');
  kpw_json_num(&b, 1.0 / 0.0);
  assert_string_equal(b.data, "0.93 42 null");
  kpw_buf_free(&b);
}

static void test_json_reader(void **state) {
  (void)state;
  kpw_arena *a = kpw_arena_new(0);
  kpw_json *v;
  kpw_error e = {0};
  const char *t = "{\"id\":\"q1\",\"n\":-1.5e2,\"props\":{\"name\":[\"\\uAE40\\uC815\\uC740\",\"\\ud83d\\ude00\"]},\"ok\":true}";
  assert_int_equal(kpw_json_parse(t, strlen(t), a, "t", 1, &v, &e), KPW_OK);
  assert_string_equal(kpw_json_get_str(v, "id"), "q1");
  assert_true(kpw_json_get(v, "n")->number == -150.0);
  const kpw_json *names = kpw_json_get(kpw_json_get(v, "props"), "name");
  assert_int_equal(names->len, 2);
  assert_string_equal(names->items[0]->str, "김정은");
  assert_string_equal(names->items[1]->str, "\xF0\x9F\x98\x80");
  assert_true(kpw_json_get(v, "ok")->boolean);
  /* Failures carry the line and a column. */
  const char *bad[] = {"{\"a\":\"\xFF\"}", "{\"a\":1,", "[1 2]", "{\"a\":\"\\ud800\"}", "\"x\" y", "{\"a\":01}", ""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    kpw_error_clear(&e);
    assert_int_equal(kpw_json_parse(bad[i], strlen(bad[i]), a, "q.jsonl", 7, &v, &e), KPW_EINPUT);
    assert_int_equal(e.line, 7);
    assert_non_null(strstr(e.msg, "column"));
  }
  /* Depth is bounded. */
  char deep[200];
  memset(deep, '[', sizeof deep);
  assert_int_equal(kpw_json_parse(deep, sizeof deep, a, "d", 1, &v, &e), KPW_EINPUT);
  kpw_arena_free(a);
}

static void test_csv(void **state) {
  (void)state;
  const char *text = "\xEF\xBB\xBFid,name\r\n1,\"Kim, Jong \"\"Un\"\"\"\n\n2,\"multi\nline\"\n3,x\"y\n";
  FILE *f = fmemopen((void *)text, strlen(text), "rb");
  kpw_csv *c;
  kpw_error e = {0};
  const char **fl;
  size_t n;
  kpw_csv_open(f, "q.csv", ',', &c, &e);
  assert_int_equal(kpw_csv_next(c, &fl, &n, &e), KPW_OK);
  assert_int_equal(n, 2);
  assert_string_equal(fl[0], "id");
  assert_int_equal(kpw_csv_next(c, &fl, &n, &e), KPW_OK);
  assert_string_equal(fl[1], "Kim, Jong \"Un\"");
  assert_int_equal(kpw_csv_line(c), 2);
  assert_int_equal(kpw_csv_next(c, &fl, &n, &e), KPW_OK);
  assert_string_equal(fl[1], "multi\nline");
  assert_int_equal(kpw_csv_line(c), 4);
  assert_int_equal(kpw_csv_next(c, &fl, &n, &e), KPW_OK);
  assert_string_equal(fl[1], "x\"y");
  assert_int_equal(kpw_csv_next(c, &fl, &n, &e), KPW_DONE);
  kpw_csv_close(c);
  fclose(f);

  const char *broken = "id,name,schema\n1,\"Kim Jong Un,Person\n2,Ri,Person\n";
  f = fmemopen((void *)broken, strlen(broken), "rb");
  kpw_csv_open(f, "q.csv", ',', &c, &e);
  assert_int_equal(kpw_csv_next(c, &fl, &n, &e), KPW_OK);
  assert_int_equal(kpw_csv_next(c, &fl, &n, &e), KPW_EINPUT);
  assert_int_equal(e.line, 2);
  kpw_csv_close(c);
  fclose(f);

  kpw_buf b;
  kpw_buf_init(&b);
  kpw_csv_field(&b, "a,b");
  kpw_buf_putc(&b, ',');
  kpw_csv_field(&b, "say \"hi\"");
  kpw_buf_putc(&b, ',');
  kpw_csv_field(&b, "plain");
  assert_string_equal(b.data, "\"a,b\",\"say \"\"hi\"\"\",plain");
  kpw_buf_free(&b);
}

static void test_arena(void **state) {
  (void)state;
  kpw_arena *a = kpw_arena_new(64);
  char *s = kpw_arena_strdup(a, "hello");
  void *big = kpw_arena_alloc(a, 1000);
  char *t = kpw_arena_strdup(a, "world");
  memset(big, 0xAB, 1000);
  assert_string_equal(s, "hello");
  assert_string_equal(t, "world");
  assert_true(((uintptr_t)big & 7) == 0);
  kpw_arena_reset(a);
  assert_int_equal(kpw_arena_used(a), 64);       /* one standard block kept */
  char *u = kpw_arena_strdup(a, "again");
  assert_string_equal(u, "again");
  kpw_arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_error_format), cmocka_unit_test(test_utf8),
    cmocka_unit_test(test_json_writer), cmocka_unit_test(test_json_reader),
    cmocka_unit_test(test_csv), cmocka_unit_test(test_arena),
  };
  return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
