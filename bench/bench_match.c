/*
** bench_match.c -- CPU-time benchmark of the matcher and screener alone
** (no CLI, no JSON, one thread), so figures stay meaningful on a busy
** machine: thread CPU time of kpw_screener_new and of kpw_screen per query,
** and of kpw_compare_names per pair.
**
** Build and run from the repo root after `make`:
**   cc -O2 -std=c17 -D_GNU_SOURCE -Iinclude -o build/bench_match \
**      bench/bench_match.c build/libkpw.a $(pkg-config --libs expat \
**      libutf8proc sqlite3 libmicrohttpd libcurl libcrypto libzstd) -lbz2 -lpthread -lm
**   build/bench_match -l UN.xml -l SDN.xml.bz2 QUERIES.csv [PAIRS.csv]
** QUERIES.csv: a header naming name (or full_name), schema, birth_date (or
** date_of_birth), country (or nationality); PAIRS.csv: a header with name1,
** name2. Queries without a schema column are screened as any schema.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kpw/lists.h"
#include "kpw/screen.h"
#include "kpw/util.h"

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int col(const char **f, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++) if (!strcmp(f[i], name)) return (int)i;
  return -1;
}

int main(int argc, char **argv) {
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  const char *files[2] = {NULL, NULL};
  int nf = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-l") && i + 1 < argc) {
      if (kpw_list_load(ls, argv[++i], NULL, &err) != KPW_OK) {
        char b[900];
        fprintf(stderr, "bench_match: %s\n", kpw_error_format(&err, b, sizeof b));
        return 3;
      }
    } else if (nf < 2) files[nf++] = argv[i];
  }
  double t0 = cpu_now();
  kpw_screener *s = NULL;
  if (kpw_screener_new(ls, &s, &err) != KPW_OK) return 4;
  double t1 = cpu_now();
  printf("screener: %zu entities, build %.3f s CPU\n", kpw_listset_count(ls), t1 - t0);
  if (files[0]) {
    FILE *f = fopen(files[0], "r");
    kpw_csv *c = NULL;
    if (!f || kpw_csv_open(f, files[0], ',', &c, &err) != KPW_OK) return 3;
    const char **fl; size_t n;
    if (kpw_csv_next(c, &fl, &n, &err) != KPW_OK) return 3;
    int cn = col(fl, n, "name"), cs = col(fl, n, "schema"), cd = col(fl, n, "birth_date"),
        cc = col(fl, n, "country");
    /* yente benchmark files: full_name, date_of_birth, nationality */
    if (cn < 0) cn = col(fl, n, "full_name");
    if (cd < 0) cd = col(fl, n, "date_of_birth");
    if (cc < 0) cc = col(fl, n, "nationality");
    if (cn < 0) cn = 1;
    size_t nq = 0, nm = 0;
    double tq = 0;
    kpw_hit hits[5];
    while (kpw_csv_next(c, &fl, &n, &err) == KPW_OK) {
      if ((size_t)cn >= n) continue;
      kpw_query q;
      memset(&q, 0, sizeof q);
      const char *name = fl[cn];
      q.names = &name; q.n_names = 1;
      if (cs >= 0 && (size_t)cs < n) kpw_schema_parse(fl[cs], &q.schema);
      if (cd >= 0 && (size_t)cd < n && fl[cd][0]) q.birth_date = fl[cd];
      if (cc >= 0 && (size_t)cc < n && fl[cc][0]) q.country = fl[cc];
      double a = cpu_now();
      size_t k = kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0.5, hits, 5);
      tq += cpu_now() - a;
      nq++;
      if (k && hits[0].match) nm++;
    }
    kpw_csv_close(c);
    fclose(f);
    printf("screen: %zu queries, %zu matched, %.1f us CPU per query\n", nq, nm,
           nq ? tq / (double)nq * 1e6 : 0.0);
  }
  if (files[1]) {
    FILE *f = fopen(files[1], "r");
    kpw_csv *c = NULL;
    if (!f || kpw_csv_open(f, files[1], ',', &c, &err) != KPW_OK) return 3;
    const char **fl; size_t n;
    if (kpw_csv_next(c, &fl, &n, &err) != KPW_OK) return 3;
    int a1 = col(fl, n, "name1"), a2 = col(fl, n, "name2");
    if (a1 < 0 || a2 < 0) return 2;
    size_t np = 0;
    double tp = 0;
    while (kpw_csv_next(c, &fl, &n, &err) == KPW_OK) {
      if ((size_t)a1 >= n || (size_t)a2 >= n) continue;
      char ex[256];
      double a = cpu_now();
      kpw_compare_names(KPW_SCHEMA_ANY, fl[a1], fl[a2], ex, sizeof ex);
      tp += cpu_now() - a;
      np++;
    }
    kpw_csv_close(c);
    fclose(f);
    printf("compare: %zu pairs, %.1f us CPU per pair\n", np, np ? tp / (double)np * 1e6 : 0.0);
  }
  kpw_screener_free(s);
  kpw_listset_free(ls);
  return 0;
}
