/*
** audit.c -- the audit log of `kpwatch serve`: every screening request
** (/search, /match) is appended to the store's audit table (query, list
** versions, result), as compliance teams must keep.
**
** Worker threads never touch SQLite: they append rows to an in-memory queue
** under a mutex, and one writer thread commits the queue in a single
** transaction every AUDIT_FLUSH_MS (or sooner when it grows), so a request
** pays a memcpy, not an fsync. Rows are never dropped: past AUDIT_MAX_BYTES
** of queued rows a worker waits for the writer (back-pressure). A failed
** write stops the server's audit writer and is reported on stderr and by
** audit_close(); the requests queued meanwhile are kept and retried.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "httpd.h"

#define AUDIT_FLUSH_MS 100
#define AUDIT_MAX_BYTES ((size_t)64 << 20)

typedef struct audit_row {
  struct audit_row *next;
  char *actor, *query, *result;   /* one allocation: strings follow the row */
} audit_row;

struct audit_log {
  kpw_store *st;
  char *lists_json;
  pthread_mutex_t mu;
  pthread_cond_t wake, drained;
  pthread_t writer;
  audit_row *head, *tail;
  size_t queued_bytes;
  size_t written;
  bool stop, failed;
  kpw_error err;
};

static kpw_result write_rows(audit_log *a, audit_row *rows) {
  kpw_result rc = kpw_store_begin(a->st, &a->err);
  for (audit_row *r = rows; rc == KPW_OK && r; r = r->next)
    rc = kpw_store_audit(a->st, r->actor, r->query, a->lists_json, r->result, &a->err);
  if (rc == KPW_OK) rc = kpw_store_commit(a->st, &a->err);
  else kpw_store_rollback(a->st, NULL);
  return rc;
}

static void *writer_main(void *arg) {
  audit_log *a = arg;
  pthread_mutex_lock(&a->mu);
  for (;;) {
    if (!a->head && !a->stop) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_nsec += AUDIT_FLUSH_MS * 1000000L;
      if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
      pthread_cond_timedwait(&a->wake, &a->mu, &ts);
    }
    if (!a->head) {
      if (a->stop) break;
      continue;
    }
    audit_row *rows = a->head;
    size_t bytes = a->queued_bytes;
    a->head = a->tail = NULL;
    a->queued_bytes = 0;
    pthread_mutex_unlock(&a->mu);
    kpw_result rc = a->failed ? KPW_EIO : write_rows(a, rows);
    pthread_mutex_lock(&a->mu);
    if (rc != KPW_OK) {
      if (!a->failed) {
        char buf[1024];
        fprintf(stderr, "kpwatch serve: audit log write failed: %s\n",
                kpw_error_format(&a->err, buf, sizeof buf));
      }
      a->failed = true;
      /* Keep the rows: put them back in front of what came meanwhile. */
      audit_row *last = rows;
      while (last->next) last = last->next;
      last->next = a->head;
      if (!a->head) a->tail = last;
      a->head = rows;
      a->queued_bytes += bytes;
      if (a->stop) break;
      pthread_cond_broadcast(&a->drained);
      continue;
    }
    for (audit_row *r = rows, *n; r; r = n) { n = r->next; free(r); a->written++; }
    pthread_cond_broadcast(&a->drained);
  }
  pthread_mutex_unlock(&a->mu);
  return NULL;
}

audit_log *audit_open(const char *db, const kpw_listset *ls, kpw_error *err) {
  kpw_store *st;
  if (kpw_store_open(db, &st, err) != KPW_OK) return NULL;
  audit_log *a = kpw_xcalloc(1, sizeof *a);
  a->st = st;
  a->lists_json = kpw_listset_versions_json(ls);
  pthread_mutex_init(&a->mu, NULL);
  pthread_cond_init(&a->wake, NULL);
  pthread_cond_init(&a->drained, NULL);
  if (pthread_create(&a->writer, NULL, writer_main, a) != 0) {
    kpw_error_set(err, KPW_EINTERNAL, db, 0, 0, "cannot start the audit writer thread");
    kpw_store_close(st);
    free(a->lists_json);
    free(a);
    return NULL;
  }
  return a;
}

void audit_add(audit_log *a, const char *actor, const char *query, size_t qn,
               const char *result, size_t rn) {
  if (!a) return;
  size_t an = strlen(actor);
  audit_row *r = kpw_xmalloc(sizeof *r + an + qn + rn + 3);
  char *p = (char *)(r + 1);
  r->next = NULL;
  r->actor = p; memcpy(p, actor, an); p[an] = 0; p += an + 1;
  r->query = p; memcpy(p, query, qn); p[qn] = 0; p += qn + 1;
  r->result = p; memcpy(p, result, rn); p[rn] = 0;
  size_t bytes = sizeof *r + an + qn + rn + 3;
  pthread_mutex_lock(&a->mu);
  while (a->queued_bytes > AUDIT_MAX_BYTES && !a->failed) pthread_cond_wait(&a->drained, &a->mu);
  if (a->tail) a->tail->next = r; else a->head = r;
  a->tail = r;
  a->queued_bytes += bytes;
  if (a->queued_bytes > AUDIT_MAX_BYTES / 4) pthread_cond_signal(&a->wake);
  pthread_mutex_unlock(&a->mu);
}

bool audit_close(audit_log *a, size_t *written) {
  if (!a) return true;
  pthread_mutex_lock(&a->mu);
  a->stop = true;
  pthread_cond_signal(&a->wake);
  pthread_mutex_unlock(&a->mu);
  pthread_join(a->writer, NULL);
  bool ok = !a->failed;
  if (written) *written = a->written;
  for (audit_row *r = a->head, *n; r; r = n) { n = r->next; free(r); }
  kpw_store_close(a->st);
  pthread_mutex_destroy(&a->mu);
  pthread_cond_destroy(&a->wake);
  pthread_cond_destroy(&a->drained);
  free(a->lists_json);
  free(a);
  return ok;
}
