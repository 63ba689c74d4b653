/*
** store.h -- the embedded SQLite store: loaded lists (with versions and
** digests), findings, and the audit log compliance teams must keep (every
** screening: query, list versions, result).
**
** One kpw_store per database file. Not shared between threads: open one
** per thread (SQLite serialises writers; WAL mode lets readers run).
*/
#ifndef KPW_STORE_H
#define KPW_STORE_H

#include "kpw/kpw.h"
#include "kpw/lists.h"
#include "kpw/finding.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kpw_store kpw_store;

/* Open or create; applies the schema (versioned, migrations forward-only). */
kpw_result kpw_store_open(const char *path, kpw_store **out, kpw_error *err);
void kpw_store_close(kpw_store *st);

/* Record a list file as loaded: its name, format, date, sha256, entity
** count, and the path of the file. Re-registering the same name replaces
** the previous entry atomically. Keeps no copy of the data: prefer
** kpw_store_put_list_data so `screen --db` can reload the list. */
kpw_result kpw_store_put_list(kpw_store *st, const kpw_listinfo *li,
                              kpw_error *err);

/* Iterate the registered lists. cb returns false to stop. */
typedef bool (*kpw_store_list_cb)(void *ctx, const kpw_listinfo *li,
                                  const char *loaded_at);
kpw_result kpw_store_lists(kpw_store *st, kpw_store_list_cb cb, void *ctx,
                           kpw_error *err);

/* Store one finding. */
kpw_result kpw_store_put_finding(kpw_store *st, const kpw_finding *f,
                                 kpw_error *err);

/* Append to the audit log: who/what screened (actor may be NULL), the
** query as JSON, the list versions as JSON, the result as JSON. */
kpw_result kpw_store_audit(kpw_store *st, const char *actor,
                           const char *query_json, const char *lists_json,
                           const char *result_json, kpw_error *err);

/* Begin/commit a batch (wraps many writes in one transaction). */
kpw_result kpw_store_begin(kpw_store *st, kpw_error *err);
kpw_result kpw_store_commit(kpw_store *st, kpw_error *err);

/* Count rows of a table ("lists", "findings", "audit"); -1 on error. */
int64_t kpw_store_count(kpw_store *st, const char *table);

/* ---------------------------------------------------------------- additions
** (lib/store; see docs/store.md for the schema) */

/* Hard cap on the raw bytes of one stored list file (SQLite's blob limit
** is 1e9 bytes; the copy is compressed but need not shrink). */
#define KPW_STORE_MAX_LIST_BYTES ((size_t)768 << 20)

/* The schema version this build writes (migrations are forward-only: a
** store with a newer version is refused, an older one is migrated). */
#define KPW_STORE_SCHEMA_VERSION 1

/* Like kpw_store_put_list, and keep a copy of the raw list file bytes
** (zstd-compressed unless already compressed) so the store is
** self-contained: kpw_store_get_list_data + kpw_list_load_buffer reload the
** list without the original file. One atomic replacement of the row, and
** one row appended to the list_history table. n <= KPW_STORE_MAX_LIST_BYTES. */
kpw_result kpw_store_put_list_data(kpw_store *st, const kpw_listinfo *li,
                                   const void *data, size_t n,
                                   kpw_error *err);

/* The raw bytes stored with list `name` (decompressed and checked against
** the digest taken when they were stored). *data is malloc'ed, caller
** frees; it is NUL-terminated one byte past *n for convenience.
** KPW_ENOTFOUND when no list has that name or the list was registered
** without data (kpw_store_put_list): the message says which. */
kpw_result kpw_store_get_list_data(kpw_store *st, const char *name,
                                   void **data, size_t *n, kpw_error *err);

/* Abandon the batch begun with kpw_store_begin (nothing of it is kept). */
kpw_result kpw_store_rollback(kpw_store *st, kpw_error *err);

/* Walk the audit log in order and recompute its hash chain (each row's
** hash covers the previous row's hash and its own fields), so edits made
** by tools that bypass the append-only triggers are detected. *rows gets
** the number of rows checked. KPW_EINPUT names the first bad row id. */
kpw_result kpw_store_audit_verify(kpw_store *st, uint64_t *rows,
                                  kpw_error *err);

/* Iterate stored findings, oldest first, as their JSON records (the same
** text the JSONL sink writes). kind may be NULL for all; limit 0 = all. */
typedef bool (*kpw_store_finding_cb)(void *ctx, int64_t id,
                                     const char *json);
kpw_result kpw_store_findings(kpw_store *st, const char *kind, size_t limit,
                              kpw_store_finding_cb cb, void *ctx,
                              kpw_error *err);

#ifdef __cplusplus
}
#endif
#endif
