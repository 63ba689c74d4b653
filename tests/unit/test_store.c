/*
** test_store.c -- unit tests for lib/store: open/create/migrate, refusal
** of foreign or newer databases, list registration with the raw-bytes
** copy (compressed and not), the append-only and hash-chained audit log,
** batches (speed of 100k audit rows, rollback), and findings.
** Each test works in its own temporary directory.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "kpw/store.h"

typedef struct fx { char dir[64]; char path[128]; } fx;

static int setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/kpw_test_store_XXXXXX");
  if (!mkdtemp(f->dir)) return -1;
  snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx *f = *state;
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  if (system(cmd) != 0) return -1;
  free(f);
  return 0;
}

/* Run raw SQL on the file behind the store's back; returns the SQLite rc
** and copies the error message. */
static int raw_sql(const char *path, const char *sql, char *msg, size_t cap) {
  sqlite3 *db = NULL;
  int rc = sqlite3_open(path, &db);
  char *em = NULL;
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, &em);
  if (msg) snprintf(msg, cap, "%s", em ? em : "");
  sqlite3_free(em);
  sqlite3_close(db);
  return rc;
}

static void test_open_migrate(void **state) {
  fx *f = *state;
  kpw_store *st = NULL;
  kpw_error err;
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_OK);
  assert_int_equal(kpw_store_count(st, "lists"), 0);
  assert_int_equal(kpw_store_count(st, "findings"), 0);
  assert_int_equal(kpw_store_count(st, "audit"), 0);
  assert_int_equal(kpw_store_count(st, "sqlite_schema"), -1);
  assert_int_equal(kpw_store_count(st, NULL), -1);
  kpw_store_close(st);
  /* Reopening applies nothing twice. */
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_OK);
  kpw_store_close(st);
  sqlite3 *db;
  sqlite3_open(f->path, &db);
  sqlite3_stmt *s;
  sqlite3_prepare_v2(db, "SELECT count(*), max(version) FROM schema_migrations",
                     -1, &s, NULL);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(s, 0), KPW_STORE_SCHEMA_VERSION);
  assert_int_equal(sqlite3_column_int(s, 1), KPW_STORE_SCHEMA_VERSION);
  sqlite3_finalize(s);
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
  sqlite3_finalize(s);
  sqlite3_close(db);

  /* A newer schema is refused (forward-only). */
  assert_int_equal(raw_sql(f->path, "INSERT INTO schema_migrations "
                           "VALUES(99,'x')", NULL, 0), SQLITE_OK);
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_EINPUT);
  assert_null(st);
  assert_non_null(strstr(err.msg, "newer"));
}

static void test_refuse_foreign(void **state) {
  fx *f = *state;
  kpw_store *st = NULL;
  kpw_error err;
  /* Someone else's database. */
  assert_int_equal(raw_sql(f->path, "CREATE TABLE t(x)", NULL, 0), SQLITE_OK);
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "not a kpwatch store"));
  /* Not a database at all. */
  char p2[160];
  snprintf(p2, sizeof p2, "%s/text.db", f->dir);
  FILE *fp = fopen(p2, "w");
  fputs("this is not an SQLite file, just some text that is long enough "
        "to fill a header of one hundred bytes................................",
        fp);
  fclose(fp);
  assert_int_equal(kpw_store_open(p2, &st, &err), KPW_EINPUT);
  assert_null(st);
  /* A directory that does not exist. */
  assert_int_equal(kpw_store_open("/nonexistent/dir/x.db", &st, &err), KPW_EIO);
  assert_int_equal(kpw_store_open("", &st, &err), KPW_EUSAGE);
}

typedef struct seen { int n; char names[4][16]; uint32_t ents[4]; char fmt[4][32]; } seen;
static bool collect(void *ctx, const kpw_listinfo *li, const char *at) {
  seen *s = ctx;
  if (s->n < 4) {
    snprintf(s->names[s->n], 16, "%s", li->name);
    snprintf(s->fmt[s->n], 32, "%s", li->format);
    s->ents[s->n] = li->n_entities;
  }
  s->n++;
  return at != NULL && strlen(at) >= 20;
}

static bool stop_first(void *ctx, const kpw_listinfo *li, const char *at) {
  (void)li; (void)at;
  (*(int *)ctx)++;
  return false;
}

static void test_lists(void **state) {
  fx *f = *state;
  kpw_store *st = NULL;
  kpw_error err;
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_OK);
  /* Compressible text: stored as zstd, comes back byte-identical. */
  size_t n = 300000;
  char *text = malloc(n);
  for (size_t i = 0; i < n; i++) text[i] = "<INDIVIDUAL>KIM</INDIVIDUAL>\n"[i % 29];
  kpw_listinfo un = {"UN", "un-xml", "/x/un.xml", "2026-02-27",
                     "aa", 1003};
  assert_int_equal(kpw_store_put_list_data(st, &un, text, n, &err), KPW_OK);
  /* Already compressed (bzip2 magic): stored as is. */
  const char bz[] = "BZh91AY&SY\x01\x02\x03\x00\xff";
  kpw_listinfo of = {"OFAC", "ofac-advanced-xml", "/x/sdn.xml.bz2", NULL,
                     "bb", 18367};
  assert_int_equal(kpw_store_put_list_data(st, &of, bz, sizeof bz, &err), KPW_OK);
  /* Registered without data. */
  kpw_listinfo csv = {"INHOUSE", "csv", "/x/in.csv", NULL, "cc", 3};
  assert_int_equal(kpw_store_put_list(st, &csv, &err), KPW_OK);
  assert_int_equal(kpw_store_count(st, "lists"), 3);

  void *d = NULL;
  size_t dn = 0;
  assert_int_equal(kpw_store_get_list_data(st, "UN", &d, &dn, &err), KPW_OK);
  assert_int_equal(dn, n);
  assert_memory_equal(d, text, n);
  assert_int_equal(((char *)d)[n], 0);
  free(d);
  assert_int_equal(kpw_store_get_list_data(st, "OFAC", &d, &dn, &err), KPW_OK);
  assert_int_equal(dn, sizeof bz);
  assert_memory_equal(d, bz, sizeof bz);
  free(d);
  assert_int_equal(kpw_store_get_list_data(st, "INHOUSE", &d, &dn, &err),
                   KPW_ENOTFOUND);
  assert_non_null(strstr(err.msg, "without a copy"));
  assert_null(d);
  assert_int_equal(kpw_store_get_list_data(st, "EU", &d, &dn, &err),
                   KPW_ENOTFOUND);

  /* Replacing a list keeps one row and two history entries. */
  un.n_entities = 1004;
  un.date = "2026-03-01";
  assert_int_equal(kpw_store_put_list_data(st, &un, "abc", 3, &err), KPW_OK);
  assert_int_equal(kpw_store_count(st, "lists"), 3);
  assert_int_equal(kpw_store_count(st, "list_history"), 4);
  assert_int_equal(kpw_store_get_list_data(st, "UN", &d, &dn, &err), KPW_OK);
  assert_int_equal(dn, 3);
  assert_string_equal(d, "abc");
  free(d);

  seen s = {0};
  assert_int_equal(kpw_store_lists(st, collect, &s, &err), KPW_OK);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.names[0], "INHOUSE");  /* ordered by name */
  assert_string_equal(s.names[1], "OFAC");
  assert_string_equal(s.names[2], "UN");
  assert_int_equal(s.ents[2], 1004);
  assert_string_equal(s.fmt[1], "ofac-advanced-xml");
  /* The callback can stop the walk. */
  int calls = 0;
  assert_int_equal(kpw_store_lists(st, stop_first, &calls, &err), KPW_OK);
  assert_int_equal(calls, 1);

  /* When the info carries a full SHA-256, the data must match it. */
  kpw_listinfo sha_ok = {"ABC", "csv", NULL, NULL,
      "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", 1};
  assert_int_equal(kpw_store_put_list_data(st, &sha_ok, "abc", 3, &err), KPW_OK);
  assert_int_equal(kpw_store_put_list_data(st, &sha_ok, "abd", 3, &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "SHA-256"));
  assert_int_equal(kpw_store_count(st, "lists"), 4);

  /* Bad arguments. */
  kpw_listinfo bad = {NULL, "x", NULL, NULL, "dd", 0};
  assert_int_equal(kpw_store_put_list(st, &bad, &err), KPW_EUSAGE);
  kpw_store_close(st);

  /* Corruption of the stored copy is detected on read. */
  assert_int_equal(raw_sql(f->path, "UPDATE lists SET data=x'00112233', "
                           "data_codec='none', data_size=4 WHERE name='UN'",
                           NULL, 0), SQLITE_OK);
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_OK);
  assert_int_equal(kpw_store_get_list_data(st, "UN", &d, &dn, &err), KPW_EINPUT);
  assert_null(d);
  kpw_store_close(st);
  assert_int_equal(raw_sql(f->path, "UPDATE lists SET data=x'28b52ffd0011', "
                           "data_codec='zstd', data_size=100 WHERE name='UN'",
                           NULL, 0), SQLITE_OK);
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_OK);
  assert_int_equal(kpw_store_get_list_data(st, "UN", &d, &dn, &err), KPW_EINPUT);
  kpw_store_close(st);
  free(text);
}

static void test_audit_immutable(void **state) {
  fx *f = *state;
  kpw_store *st = NULL;
  kpw_error err;
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_OK);
  for (int i = 0; i < 5; i++) {
    char q[64];
    snprintf(q, sizeof q, "{\"id\":\"q%d\",\"name\":\"Kim Jong Un\"}", i);
    assert_int_equal(kpw_store_audit(st, i % 2 ? "alice" : NULL, q,
                                     "[{\"name\":\"UN\",\"sha256\":\"aa\"}]",
                                     "{\"matches\":[]}", &err), KPW_OK);
  }
  /* Not JSON: refused, nothing written. */
  assert_int_equal(kpw_store_audit(st, NULL, "{bad", NULL, NULL, &err), KPW_EINPUT);
  assert_int_equal(kpw_store_audit(st, NULL, NULL, NULL, NULL, &err), KPW_EUSAGE);
  assert_int_equal(kpw_store_count(st, "audit"), 5);
  uint64_t rows = 0;
  assert_int_equal(kpw_store_audit_verify(st, &rows, &err), KPW_OK);
  assert_int_equal(rows, 5);
  kpw_listinfo li = {"UN", "un-xml", NULL, NULL, "aa", 1};
  assert_int_equal(kpw_store_put_list(st, &li, &err), KPW_OK);
  kpw_store_close(st);

  char msg[256];
  assert_int_not_equal(raw_sql(f->path, "UPDATE audit SET actor='mallory'",
                               msg, sizeof msg), SQLITE_OK);
  assert_non_null(strstr(msg, "append-only"));
  assert_int_not_equal(raw_sql(f->path, "DELETE FROM audit WHERE id=2",
                               msg, sizeof msg), SQLITE_OK);
  assert_non_null(strstr(msg, "append-only"));
  assert_int_not_equal(raw_sql(f->path, "DELETE FROM list_history",
                               msg, sizeof msg), SQLITE_OK);

  /* Dropping the trigger and editing is still detected by the chain. */
  assert_int_equal(raw_sql(f->path, "DROP TRIGGER audit_no_update;"
                           "UPDATE audit SET query='{\"id\":\"forged\"}' "
                           "WHERE id=3", NULL, 0), SQLITE_OK);
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_OK);
  assert_int_equal(kpw_store_audit_verify(st, &rows, &err), KPW_EINPUT);
  assert_int_equal(rows, 2);
  assert_non_null(strstr(err.msg, "row 3"));
  kpw_store_close(st);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_audit_batch(void **state) {
  fx *f = *state;
  kpw_store *st = NULL;
  kpw_error err;
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_OK);
  assert_int_equal(kpw_store_commit(st, &err), KPW_EUSAGE);
  assert_int_equal(kpw_store_rollback(st, &err), KPW_EUSAGE);

  /* A rolled-back batch leaves nothing behind. */
  assert_int_equal(kpw_store_begin(st, &err), KPW_OK);
  assert_int_equal(kpw_store_begin(st, &err), KPW_EUSAGE);
  assert_int_equal(kpw_store_audit(st, NULL, "{\"id\":1}", NULL, NULL, &err), KPW_OK);
  assert_int_equal(kpw_store_rollback(st, &err), KPW_OK);
  assert_int_equal(kpw_store_count(st, "audit"), 0);

  /* 100k audit rows in one batch: a few seconds at most. */
  const int N = 100000;
  double t0 = now_s();
  assert_int_equal(kpw_store_begin(st, &err), KPW_OK);
  char q[128], r[160];
  for (int i = 0; i < N; i++) {
    snprintf(q, sizeof q, "{\"id\":\"%d\",\"name\":\"PAK HAN SE %d\"}", i, i);
    snprintf(r, sizeof r, "{\"id\":\"%d\",\"matches\":[{\"score\":0.91,"
             "\"entity_id\":\"UN:KPi.033\"}]}", i);
    if (kpw_store_audit(st, "batch", q, "[\"UN@2026-02-27\"]", r, &err) != KPW_OK)
      fail_msg("audit %d: %s", i, err.msg);
  }
  assert_int_equal(kpw_store_commit(st, &err), KPW_OK);
  double dt = now_s() - t0;
  fprintf(stderr, "store: %d audit rows in one batch: %.2f s (%.0f rows/s)\n",
          N, dt, N / dt);
  assert_true(dt < 30.0);
  assert_int_equal(kpw_store_count(st, "audit"), N);
  /* A single audit outside a batch continues the same chain. */
  assert_int_equal(kpw_store_audit(st, NULL, "{\"id\":\"last\"}", NULL, NULL, &err), KPW_OK);
  uint64_t rows = 0;
  assert_int_equal(kpw_store_audit_verify(st, &rows, &err), KPW_OK);
  assert_int_equal(rows, N + 1);
  kpw_store_close(st);
}

typedef struct got { int n; char first[1024]; } got;
static bool on_finding(void *ctx, int64_t id, const char *json) {
  got *g = ctx;
  if (g->n == 0) snprintf(g->first, sizeof g->first, "%s", json);
  g->n++;
  return id > 0;
}

static void test_findings(void **state) {
  fx *f = *state;
  kpw_store *st = NULL;
  kpw_error err;
  assert_int_equal(kpw_store_open(f->path, &st, &err), KPW_OK);
  const char *subj[] = {"mmsi:441910000", "imo:9187629"};
  kpw_evidence ev[] = {{"feed.nmea", 18211, 0, NULL}};
  kpw_finding fi = {
    .kind = "encounter", .subjects = subj, .n_subjects = 2,
    .start_us = 1518750600000000LL, .end_us = KPW_TIME_NONE,
    .has_place = true, .lat = 31.2, .lon = 124.1, .score = 0.93,
    .explain = "alongside", .evidence = ev, .n_evidence = 1,
    .detail_json = "{\"distance_m\":180}",
  };
  assert_int_equal(kpw_store_put_finding(st, &fi, &err), KPW_OK);
  fi.kind = "ais_gap";
  fi.detail_json = NULL;
  assert_int_equal(kpw_store_put_finding(st, &fi, &err), KPW_OK);
  /* A detail that is not JSON is refused with an error, not stored. */
  fi.detail_json = "{\"broken\":";
  assert_int_equal(kpw_store_put_finding(st, &fi, &err), KPW_EINPUT);
  fi.kind = NULL;
  assert_int_equal(kpw_store_put_finding(st, &fi, &err), KPW_EUSAGE);
  assert_int_equal(kpw_store_count(st, "findings"), 2);

  got g = {0};
  assert_int_equal(kpw_store_findings(st, "encounter", 0, on_finding, &g, &err), KPW_OK);
  assert_int_equal(g.n, 1);
  assert_string_equal(g.first,
      "{\"kind\":\"encounter\",\"subjects\":[\"mmsi:441910000\",\"imo:9187629\"],"
      "\"start\":\"2018-02-16T03:10:00Z\",\"lat\":31.2,\"lon\":124.1,"
      "\"score\":0.93,\"explain\":\"alongside\","
      "\"evidence\":[{\"source\":\"feed.nmea\",\"line\":18211}],"
      "\"detail\":{\"distance_m\":180}}");
  memset(&g, 0, sizeof g);
  assert_int_equal(kpw_store_findings(st, NULL, 1, on_finding, &g, &err), KPW_OK);
  assert_int_equal(g.n, 1);
  kpw_store_close(st);

  /* The columns are queryable without parsing the record. */
  sqlite3 *db;
  sqlite3_open(f->path, &db);
  sqlite3_stmt *s;
  sqlite3_prepare_v2(db, "SELECT start_at, end_at, lat, json_array_length(subjects),"
                     " json_extract(detail,'$.distance_m') FROM findings WHERE id=1",
                     -1, &s, NULL);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(s, 0), "2018-02-16T03:10:00Z");
  assert_int_equal(sqlite3_column_type(s, 1), SQLITE_NULL);
  assert_true(sqlite3_column_double(s, 2) > 31.19 && sqlite3_column_double(s, 2) < 31.21);
  assert_int_equal(sqlite3_column_int(s, 3), 2);
  assert_int_equal(sqlite3_column_int(s, 4), 180);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_open_migrate, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refuse_foreign, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
    cmocka_unit_test_setup_teardown(test_audit_immutable, setup, teardown),
    cmocka_unit_test_setup_teardown(test_audit_batch, setup, teardown),
    cmocka_unit_test_setup_teardown(test_findings, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
