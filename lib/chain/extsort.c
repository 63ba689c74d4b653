/*
** extsort.c -- external-memory sort of fixed-size records (see extsort.h).
**
** Invariants: buf holds at most cap records; every run file holds sorted
** records; the merge heap holds one current record per run that is not
** exhausted, ordered by cmp (ties by run number, so the sort is stable
** across runs).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "chain/extsort.h"

#define RUN_BUF (1u << 20)

typedef struct run {
  FILE *f;
  char *path;
  uint8_t *buf;          /* RUN_BUF bytes, whole records */
  size_t len, pos;       /* bytes in buf, read position */
} run;

struct kpw_xsort {
  size_t rec, cap, n;    /* record size, buffer capacity (records), buffered */
  kpw_xsort_cmp cmp;
  uint8_t *buf;
  char *tmpdir;
  run *runs;
  size_t n_runs;
  uint64_t total;
  bool finished;
  size_t mem_pos;        /* next buffered record when nothing spilled */
  size_t *heap;          /* run numbers */
  size_t heap_n;
  bool primed;
};

kpw_xsort *kpw_xsort_new(size_t rec_size, kpw_xsort_cmp cmp, size_t mem, const char *tmpdir) {
  kpw_xsort *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->rec = rec_size;
  s->cmp = cmp;
  s->cap = mem / rec_size;
  if (s->cap < 1024) s->cap = 1024;
  s->tmpdir = strdup(tmpdir ? tmpdir : "/tmp");
  if (!s->tmpdir) { free(s); return NULL; }
  return s;
}

static kpw_result spill(kpw_xsort *s, kpw_error *err) {
  qsort(s->buf, s->n, s->rec, s->cmp);
  run *r2 = realloc(s->runs, (s->n_runs + 1) * sizeof *r2);
  if (!r2) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory (sort runs)");
  s->runs = r2;
  run *r = &s->runs[s->n_runs];
  memset(r, 0, sizeof *r);
  size_t plen = strlen(s->tmpdir) + 64;
  r->path = malloc(plen);
  if (!r->path) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory");
  snprintf(r->path, plen, "%s/sortrun-%d-%p-%zu.tmp", s->tmpdir, (int)getpid(), (void *)s, s->n_runs);
  s->n_runs++;
  r->f = fopen(r->path, "w+b");
  if (!r->f) return kpw_error_set(err, KPW_EIO, r->path, 0, 0, "cannot create sort run: %s", strerror(errno));
  if (fwrite(s->buf, s->rec, s->n, r->f) != s->n || fflush(r->f))
    return kpw_error_set(err, KPW_EIO, r->path, 0, 0, "cannot write sort run: %s", strerror(errno));
  s->n = 0;
  return KPW_OK;
}

kpw_result kpw_xsort_add(kpw_xsort *s, const void *rec, kpw_error *err) {
  if (!s->buf) {
    s->buf = malloc(s->cap * s->rec);
    if (!s->buf) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory (sort buffer)");
  }
  if (s->n == s->cap) {
    kpw_result r = spill(s, err);
    if (r) return r;
  }
  memcpy(s->buf + s->n * s->rec, rec, s->rec);
  s->n++;
  s->total++;
  return KPW_OK;
}

uint64_t kpw_xsort_count(const kpw_xsort *s) { return s->total; }
size_t kpw_xsort_runs(const kpw_xsort *s) { return s->n_runs; }

static bool run_fill(run *r, size_t rec) {
  if (r->pos < r->len) return true;
  r->len = fread(r->buf, 1, RUN_BUF / rec * rec, r->f);
  r->len -= r->len % rec;
  r->pos = 0;
  return r->len > 0;
}

static int heap_less(kpw_xsort *s, size_t a, size_t b) {
  run *ra = &s->runs[a], *rb = &s->runs[b];
  int c = s->cmp(ra->buf + ra->pos, rb->buf + rb->pos);
  return c < 0 || (c == 0 && a < b);
}

static void sift_down(kpw_xsort *s, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    if (l < s->heap_n && heap_less(s, s->heap[l], s->heap[m])) m = l;
    if (l + 1 < s->heap_n && heap_less(s, s->heap[l + 1], s->heap[m])) m = l + 1;
    if (m == i) return;
    size_t t = s->heap[i]; s->heap[i] = s->heap[m]; s->heap[m] = t;
    i = m;
  }
}

kpw_result kpw_xsort_finish(kpw_xsort *s, kpw_error *err) {
  s->finished = true;
  if (!s->n_runs) {
    if (s->n) qsort(s->buf, s->n, s->rec, s->cmp);
    return KPW_OK;
  }
  if (s->n) {
    kpw_result r = spill(s, err);
    if (r) return r;
  }
  free(s->buf);
  s->buf = NULL;
  s->heap = malloc(s->n_runs * sizeof *s->heap);
  if (!s->heap) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < s->n_runs; i++) {
    run *r = &s->runs[i];
    r->buf = malloc(RUN_BUF);
    if (!r->buf) return kpw_error_set(err, KPW_ENOMEM, NULL, 0, 0, "out of memory");
    rewind(r->f);
    if (run_fill(r, s->rec)) s->heap[s->heap_n++] = i;
  }
  for (size_t i = s->heap_n; i-- > 0;) sift_down(s, i);
  return KPW_OK;
}

kpw_result kpw_xsort_next(kpw_xsort *s, const void **rec, kpw_error *err) {
  (void)err;
  if (!s->n_runs) {
    if (s->mem_pos >= s->n) return KPW_DONE;
    *rec = s->buf + s->mem_pos++ * s->rec;
    return KPW_OK;
  }
  /* The record handed out last time is consumed now, so the pointer given
  ** to the caller stayed valid until this call. */
  if (s->primed && s->heap_n) {
    run *r = &s->runs[s->heap[0]];
    r->pos += s->rec;
    if (!run_fill(r, s->rec)) s->heap[0] = s->heap[--s->heap_n];
    if (s->heap_n) sift_down(s, 0);
  }
  s->primed = true;
  if (!s->heap_n) return KPW_DONE;
  run *r = &s->runs[s->heap[0]];
  *rec = r->buf + r->pos;
  return KPW_OK;
}

void kpw_xsort_free(kpw_xsort *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n_runs; i++) {
    if (s->runs[i].f) fclose(s->runs[i].f);
    if (s->runs[i].path) { unlink(s->runs[i].path); free(s->runs[i].path); }
    free(s->runs[i].buf);
  }
  free(s->runs);
  free(s->heap);
  free(s->buf);
  free(s->tmpdir);
  free(s);
}
