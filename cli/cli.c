/*
** cli.c -- helpers shared by the commands: exit codes, error printing,
** progress, and loading lists from files or from the store.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

int cli_exit_code(kpw_result r) {
  switch (r) {
    case KPW_OK: case KPW_DONE: return EXIT_OK;
    case KPW_EUSAGE: return EXIT_USAGE;
    case KPW_EINPUT: return EXIT_INPUT;
    default: return EXIT_IOERR;
  }
}

int cli_fail(const kpw_error *err) {
  char buf[1024];
  fprintf(stderr, "kpwatch: %s\n", kpw_error_format(err, buf, sizeof buf));
  return cli_exit_code(err->code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "kpwatch%s%s: ", cmd ? " " : "", cmd ? cmd : "");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'kpwatch%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
  return EXIT_USAGE;
}

bool cli_progress_enabled(void) {
  return !g_cli.quiet && isatty(STDERR_FILENO);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct stored_ctx {
  kpw_store *st;
  kpw_listset *ls;
  kpw_error *err;
  kpw_result rc;
  size_t n;
} stored_ctx;

static bool load_stored(void *vctx, const kpw_listinfo *li, const char *loaded_at) {
  (void)loaded_at;
  stored_ctx *c = vctx;
  void *data = NULL;
  size_t n = 0;
  c->rc = kpw_store_get_list_data(c->st, li->name, &data, &n, c->err);
  if (c->rc == KPW_OK) {
    c->rc = kpw_list_load_buffer(c->ls, data, n, li->source, li->name, c->err);
    free(data);
  }
  c->n++;
  return c->rc == KPW_OK;
}

kpw_result cli_load_stored_lists(kpw_store *st, kpw_listset *ls, size_t *n_lists,
                                 kpw_error *err) {
  stored_ctx c = {st, ls, err, KPW_OK, 0};
  kpw_result rc = kpw_store_lists(st, load_stored, &c, err);
  if (n_lists) *n_lists = c.n;
  if (rc) return rc;
  return c.rc;
}

kpw_result cli_load_lists(kpw_listset *ls, const char **paths, size_t n,
                          kpw_error *err) {
  bool progress = cli_progress_enabled();
  for (size_t i = 0; i < n; i++) {
    double t0 = now_s();
    size_t before = kpw_listset_count(ls);
    if (progress) fprintf(stderr, "kpwatch: loading %s ...", paths[i]);
    kpw_result rc = kpw_list_load(ls, paths[i], NULL, err);
    if (progress) fprintf(stderr, "\r\033[K");
    if (rc != KPW_OK) return rc;
    if (progress)
      fprintf(stderr, "kpwatch: %s: %zu entities in %.2f s\n", paths[i],
              kpw_listset_count(ls) - before, now_s() - t0);
  }
  /* Like `lists`, fall back to ./kpwatch.db when no list and no --db is
  ** given but that store exists; its audit log then records the screening. */
  if (n == 0 && !g_cli.db && access(CLI_DEFAULT_DB, R_OK) == 0) g_cli.db = CLI_DEFAULT_DB;
  if (n == 0 && g_cli.db) {
    kpw_store *st;
    kpw_result rc = kpw_store_open(g_cli.db, &st, err);
    if (rc) return rc;
    size_t n_lists = 0;
    rc = cli_load_stored_lists(st, ls, &n_lists, err);
    kpw_store_close(st);
    if (rc) return rc;
    if (n_lists == 0)
      return kpw_error_set(err, KPW_EUSAGE, g_cli.db, 0, 0,
                           "the store holds no lists; run 'kpwatch --db %s lists load FILE' first", g_cli.db);
  }
  if (kpw_listset_count(ls) == 0 && n == 0)
    return kpw_error_set(err, KPW_EUSAGE, NULL, 0, 0,
                         "no watchlist given: use -l FILE (or --db FILE with stored lists)");
  return KPW_OK;
}
