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
** count, and the path of the file (kept so `screen --db` can reload it).
** Re-registering the same name replaces the previous entry atomically. */
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

#ifdef __cplusplus
}
#endif
#endif
