/*
** store.c -- the embedded SQLite store (include/kpw/store.h): registered
** lists with a compressed copy of their raw bytes, findings, and the
** append-only, hash-chained audit log of every screening.
**
** Invariants:
**  - The schema is created and upgraded only by the MIGRATIONS table below,
**    in order, each in one transaction; schema_migrations records what was
**    applied. A store newer than this build is refused, never downgraded.
**  - The store is marked with PRAGMA application_id so kpwatch never writes
**    its tables into somebody else's SQLite file.
**  - Audit rows cannot be updated or deleted through SQL (triggers RAISE);
**    each row also carries sha256(previous row's hash, own fields), so a
**    tool that drops the triggers still cannot edit the log unnoticed.
**  - Every statement is prepared once per connection and reset after use.
**  - Explicit batches (kpw_store_begin) are BEGIN IMMEDIATE: the write lock
**    is taken up front, so the cached head of the audit chain stays valid
**    for the whole batch.
*/
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <sqlite3.h>
#include <zstd.h>

#include "kpw/store.h"
#include "kpw/util.h"

#define APP_ID 0x4B505754          /* "KPWT" */
#define BUSY_TIMEOUT_MS 10000
#define MAX_JSON_BYTES ((size_t)64 << 20) /* one audit/finding field */
#define ZSTD_LEVEL 6               /* ~3x faster than 19, within 15% of its size */
#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Forward-only migrations: index i brings the schema from version i to i+1.
** Never edit an entry once released; append a new one instead. */
static const char *const MIGRATIONS[] = {
  /* 1: lists (+ history), findings, audit with append-only triggers. */
  "CREATE TABLE lists("
  "  name TEXT PRIMARY KEY NOT NULL,"
  "  format TEXT NOT NULL,"
  "  source TEXT,"
  "  date TEXT,"
  "  sha256 TEXT NOT NULL,"
  "  entities INTEGER NOT NULL CHECK (entities >= 0),"
  "  loaded_at TEXT NOT NULL,"
  "  data BLOB,"
  "  data_codec TEXT NOT NULL DEFAULT 'none' CHECK (data_codec IN ('none','zstd')),"
  "  data_size INTEGER,"
  "  data_sha256 TEXT);"
  "CREATE TABLE list_history("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  name TEXT NOT NULL, format TEXT NOT NULL, source TEXT, date TEXT,"
  "  sha256 TEXT NOT NULL, entities INTEGER NOT NULL, loaded_at TEXT NOT NULL);"
  "CREATE TABLE findings("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  kind TEXT NOT NULL,"
  "  subjects TEXT NOT NULL CHECK (json_valid(subjects)),"
  "  start_us INTEGER, end_us INTEGER,"
  "  start_at TEXT, end_at TEXT,"
  "  lat REAL, lon REAL,"
  "  score REAL NOT NULL,"
  "  explain TEXT NOT NULL,"
  "  evidence TEXT NOT NULL CHECK (json_valid(evidence)),"
  "  detail TEXT NOT NULL CHECK (json_valid(detail)),"
  "  record TEXT NOT NULL,"
  "  stored_at TEXT NOT NULL);"
  "CREATE INDEX findings_kind ON findings(kind, start_us);"
  "CREATE TABLE audit("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  at TEXT NOT NULL,"
  "  actor TEXT,"
  "  query TEXT NOT NULL CHECK (json_valid(query)),"
  "  lists TEXT CHECK (lists IS NULL OR json_valid(lists)),"
  "  result TEXT CHECK (result IS NULL OR json_valid(result)),"
  "  hash TEXT NOT NULL);"
  "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
  "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
  "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
  "CREATE TRIGGER list_history_no_update BEFORE UPDATE ON list_history"
  "  BEGIN SELECT RAISE(ABORT, 'list history is append-only'); END;"
  "CREATE TRIGGER list_history_no_delete BEFORE DELETE ON list_history"
  "  BEGIN SELECT RAISE(ABORT, 'list history is append-only'); END;",
};
#define N_MIGRATIONS ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))
_Static_assert(N_MIGRATIONS == KPW_STORE_SCHEMA_VERSION,
               "KPW_STORE_SCHEMA_VERSION must equal the number of migrations");

enum {
  S_PUT_LIST, S_PUT_HIST, S_GET_DATA, S_LISTS, S_AUDIT_INS, S_AUDIT_HEAD,
  S_FIND_INS, S_N
};
static const char *const SQL[S_N] = {
  [S_PUT_LIST] =
      "INSERT INTO lists(name,format,source,date,sha256,entities,loaded_at,"
      "data,data_codec,data_size,data_sha256) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,"
      "?9,?10,?11) ON CONFLICT(name) DO UPDATE SET format=excluded.format,"
      "source=excluded.source,date=excluded.date,sha256=excluded.sha256,"
      "entities=excluded.entities,loaded_at=excluded.loaded_at,"
      "data=excluded.data,data_codec=excluded.data_codec,"
      "data_size=excluded.data_size,data_sha256=excluded.data_sha256",
  [S_PUT_HIST] =
      "INSERT INTO list_history(name,format,source,date,sha256,entities,"
      "loaded_at) VALUES(?1,?2,?3,?4,?5,?6,?7)",
  [S_GET_DATA] =
      "SELECT data, data_codec, data_size, data_sha256 FROM lists WHERE name=?1",
  [S_LISTS] =
      "SELECT name, format, source, date, sha256, entities, loaded_at "
      "FROM lists ORDER BY name",
  [S_AUDIT_INS] =
      "INSERT INTO audit(at,actor,query,lists,result,hash) "
      "VALUES(?1,?2,?3,?4,?5,?6)",
  [S_AUDIT_HEAD] = "SELECT hash FROM audit ORDER BY id DESC LIMIT 1",
  [S_FIND_INS] =
      "INSERT INTO findings(kind,subjects,start_us,end_us,start_at,end_at,lat,"
      "lon,score,explain,evidence,detail,record,stored_at) VALUES("
      "json_extract(?1,'$.kind'),json_extract(?1,'$.subjects'),?2,?3,"
      "json_extract(?1,'$.start'),json_extract(?1,'$.end'),"
      "json_extract(?1,'$.lat'),json_extract(?1,'$.lon'),"
      "json_extract(?1,'$.score'),json_extract(?1,'$.explain'),"
      "json_extract(?1,'$.evidence'),json_extract(?1,'$.detail'),?1,?4)",
};

struct kpw_store {
  sqlite3 *db;
  char *path;
  sqlite3_stmt *st[S_N];
  int batch;                 /* 1 inside kpw_store_begin .. commit/rollback */
  bool head_valid;           /* head holds the audit chain head (batch only) */
  char head[65];
  EVP_MD_CTX *md;
  kpw_buf scratch;
};

/* ---------------------------------------------------------------- helpers */

static kpw_result db_fail(kpw_store *st, kpw_error *err, const char *what) {
  int ec = sqlite3_extended_errcode(st->db);
  int pc = ec & 0xff;
  kpw_result r = KPW_EIO;
  if (pc == SQLITE_CONSTRAINT || pc == SQLITE_NOTADB || pc == SQLITE_CORRUPT ||
      pc == SQLITE_TOOBIG || pc == SQLITE_MISMATCH)
    r = KPW_EINPUT;
  else if (pc == SQLITE_NOMEM)
    r = KPW_ENOMEM;
  /* json_extract on a malformed detail reports a plain SQLITE_ERROR. */
  const char *m = sqlite3_errmsg(st->db);
  if (pc == SQLITE_ERROR && m && strstr(m, "malformed JSON")) r = KPW_EINPUT;
  return kpw_error_set(err, r, st->path, 0, 0, "%s: %s", what,
                       m ? m : "unknown SQLite error");
}

static void now_iso(char out[32]) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  kpw_time_format((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, out);
}

static void hex(const unsigned char *d, size_t n, char *out) {
  static const char X[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = X[d[i] >> 4];
    out[2 * i + 1] = X[d[i] & 15];
  }
  out[2 * n] = 0;
}

static bool sha256_hex(EVP_MD_CTX *md, const void *p, size_t n, char out[65]) {
  unsigned char d[32];
  unsigned int dl = 0;
  if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
      !EVP_DigestUpdate(md, p, n) || !EVP_DigestFinal_ex(md, d, &dl) ||
      dl != 32)
    return false;
  hex(d, 32, out);
  return true;
}

static int bind_text(sqlite3_stmt *s, int i, const char *t) {
  return t ? sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC)
           : sqlite3_bind_null(s, i);
}

static void done(sqlite3_stmt *s) {
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}

static kpw_result exec(kpw_store *st, const char *sql, kpw_error *err,
                       const char *what) {
  if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_fail(st, err, what);
  return KPW_OK;
}

static int64_t query_int(kpw_store *st, const char *sql, int64_t dflt,
                         bool *ok) {
  sqlite3_stmt *s = NULL;
  int64_t v = dflt;
  *ok = false;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) return dflt;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    if (sqlite3_column_type(s, 0) != SQLITE_NULL) v = sqlite3_column_int64(s, 0);
    *ok = true;
  } else if (rc == SQLITE_DONE) {
    *ok = true;
  }
  sqlite3_finalize(s);
  return v;
}

/* ---------------------------------------------------------------- open */

static kpw_result migrate(kpw_store *st, bool marked, kpw_error *err) {
  bool ok;
  int64_t v = 0;
  kpw_result r;
  /* Fast path: a marked store at the current version needs no lock. */
  if (marked) {
    v = query_int(st, "SELECT MAX(version) FROM schema_migrations", 0, &ok);
    if (!ok) return db_fail(st, err, "cannot read the schema version");
    if (v > N_MIGRATIONS)
      return kpw_error_set(err, KPW_EINPUT, st->path, 0, 0,
                           "store schema version %" PRId64 " is newer than "
                           "this kpwatch supports (%d); use a newer kpwatch",
                           v, N_MIGRATIONS);
    if (v == N_MIGRATIONS) return KPW_OK;
  }
  /* Take the write lock, then (re)read: another process may have created
  ** or migrated the store meanwhile. The version table, the migrations
  ** and the application_id mark are committed together, so no other
  ** process ever sees our tables without the mark. */
  if ((r = exec(st, "BEGIN IMMEDIATE", err, "cannot lock the store to migrate")))
    return r;
  if ((r = exec(st,
                "CREATE TABLE IF NOT EXISTS schema_migrations("
                "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
                err, "cannot create the schema table")))
    goto fail;
  v = query_int(st, "SELECT MAX(version) FROM schema_migrations", 0, &ok);
  if (!ok) { r = db_fail(st, err, "cannot read the schema version"); goto fail; }
  if (v > N_MIGRATIONS) {
    r = kpw_error_set(err, KPW_EINPUT, st->path, 0, 0,
                      "store schema version %" PRId64 " is newer than this "
                      "kpwatch supports (%d); use a newer kpwatch",
                      v, N_MIGRATIONS);
    goto fail;
  }
  for (int64_t i = v; i < N_MIGRATIONS; i++) {
    if ((r = exec(st, MIGRATIONS[i], err, "schema migration failed"))) goto fail;
    char at[32], sql[160];
    now_iso(at);
    snprintf(sql, sizeof sql,
             "INSERT INTO schema_migrations(version, applied_at) "
             "VALUES(%" PRId64 ", '%s')", i + 1, at);
    if ((r = exec(st, sql, err, "cannot record the schema version"))) goto fail;
  }
  {
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d", APP_ID);
    if ((r = exec(st, sql, err, "cannot mark the store"))) goto fail;
  }
  if ((r = exec(st, "COMMIT", err, "cannot commit the schema migration")))
    goto fail;
  return KPW_OK;
fail:
  sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  return r;
}

kpw_result kpw_store_open(const char *path, kpw_store **out, kpw_error *err) {
  *out = NULL;
  if (!path || !*path)
    return kpw_error_set(err, KPW_EUSAGE, "store", 0, 0, "no store path given");
  kpw_store *st = kpw_xcalloc(1, sizeof *st);
  st->path = kpw_xstrdup(path);
  kpw_buf_init(&st->scratch);
  kpw_result r = KPW_OK;
  int rc = sqlite3_open_v2(path, &st->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                               SQLITE_OPEN_NOMUTEX,
                           NULL);
  if (rc != SQLITE_OK) {
    r = kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open the store: %s",
                      st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
    goto fail;
  }
  sqlite3_extended_result_codes(st->db, 1);
  sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
  st->md = EVP_MD_CTX_new();
  if (!st->md) {
    r = kpw_error_set(err, KPW_ENOMEM, path, 0, 0, "cannot allocate a digest");
    goto fail;
  }
  /* The first read touches the file header: a non-database fails here. */
  bool ok;
  int64_t app = query_int(st, "PRAGMA application_id", 0, &ok);
  if (!ok) {
    r = db_fail(st, err, "not a usable SQLite store");
    if (r == KPW_EIO && (sqlite3_errcode(st->db) == SQLITE_NOTADB)) r = KPW_EINPUT;
    goto fail;
  }
  int64_t ntab = query_int(st,
      "SELECT count(*) FROM sqlite_schema WHERE type='table' "
      "AND name NOT LIKE 'sqlite_%'", 0, &ok);
  if (!ok) { r = db_fail(st, err, "cannot read the store's schema"); goto fail; }
  if (app != APP_ID && (app != 0 || ntab > 0)) {
    r = kpw_error_set(err, KPW_EINPUT, path, 0, 0,
                      "not a kpwatch store (an SQLite database of another "
                      "application); refusing to modify it");
    goto fail;
  }
  /* WAL: readers (serve, screen --db) do not block the writer. FULL sync:
  ** a committed audit row survives a power cut; batches amortise it. */
  if ((r = exec(st, "PRAGMA journal_mode=WAL", err, "cannot enable WAL")) ||
      (r = exec(st, "PRAGMA synchronous=FULL", err, "cannot set synchronous")) ||
      (r = exec(st, "PRAGMA foreign_keys=ON", err, "cannot set foreign_keys")))
    goto fail;
  if ((r = migrate(st, app == APP_ID, err))) goto fail;
  for (int i = 0; i < S_N; i++) {
    if (sqlite3_prepare_v3(st->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT,
                           &st->st[i], NULL) != SQLITE_OK) {
      r = db_fail(st, err, "cannot prepare a statement");
      goto fail;
    }
  }
  *out = st;
  return KPW_OK;
fail:
  kpw_store_close(st);
  return r;
}

void kpw_store_close(kpw_store *st) {
  if (!st) return;
  if (st->batch && st->db) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  for (int i = 0; i < S_N; i++) sqlite3_finalize(st->st[i]);
  if (st->db) sqlite3_close(st->db);
  if (st->md) EVP_MD_CTX_free(st->md);
  kpw_buf_free(&st->scratch);
  free(st->path);
  free(st);
}

/* ---------------------------------------------------------------- batches */

kpw_result kpw_store_begin(kpw_store *st, kpw_error *err) {
  if (st->batch)
    return kpw_error_set(err, KPW_EUSAGE, st->path, 0, 0,
                         "a batch is already open");
  kpw_result r = exec(st, "BEGIN IMMEDIATE", err, "cannot begin a batch");
  if (r) return r;
  st->batch = 1;
  st->head_valid = false;
  return KPW_OK;
}

kpw_result kpw_store_commit(kpw_store *st, kpw_error *err) {
  if (!st->batch)
    return kpw_error_set(err, KPW_EUSAGE, st->path, 0, 0,
                         "commit without a batch");
  st->head_valid = false;
  if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    kpw_result r = db_fail(st, err, "cannot commit the batch");
    /* A failed COMMIT (e.g. disk full) may leave the transaction open:
    ** roll it back so the connection is usable and nothing half-applies. */
    if (!sqlite3_get_autocommit(st->db))
      sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->batch = 0;
    return r;
  }
  st->batch = 0;
  return KPW_OK;
}

kpw_result kpw_store_rollback(kpw_store *st, kpw_error *err) {
  if (!st->batch)
    return kpw_error_set(err, KPW_EUSAGE, st->path, 0, 0,
                         "rollback without a batch");
  st->batch = 0;
  st->head_valid = false;
  if (!sqlite3_get_autocommit(st->db) &&
      sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
    return db_fail(st, err, "cannot roll back the batch");
  return KPW_OK;
}

/* ---------------------------------------------------------------- lists */

static kpw_result check_info(kpw_store *st, const kpw_listinfo *li,
                             kpw_error *err) {
  if (!li || !li->name || !*li->name || !li->format || !li->sha256)
    return kpw_error_set(err, KPW_EUSAGE, st->path, 0, 0,
                         "list info needs a name, a format and a sha256");
  if (strlen(li->name) > 200)
    return kpw_error_set(err, KPW_EUSAGE, st->path, 0, 0,
                         "list name longer than 200 bytes");
  return KPW_OK;
}

/* Does the blob already carry a compressed format (bzip2, gzip, zstd, xz,
** zip)? Then store it as is: recompressing gains nothing. */
static bool looks_compressed(const unsigned char *p, size_t n) {
  if (n >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h') return true;
  if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) return true;
  if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
    return true;
  if (n >= 6 && p[0] == 0xfd && memcmp(p + 1, "7zXZ", 4) == 0) return true;
  if (n >= 4 && p[0] == 'P' && p[1] == 'K' && p[2] == 3 && p[3] == 4) return true;
  return false;
}

static kpw_result put_list(kpw_store *st, const kpw_listinfo *li,
                           const void *data, size_t n, kpw_error *err) {
  kpw_result r = check_info(st, li, err);
  if (r) return r;
  if (data && n > KPW_STORE_MAX_LIST_BYTES)
    return kpw_error_set(err, KPW_ENOMEM, li->source ? li->source : li->name,
                         0, 0, "list file of %zu bytes exceeds the store's cap "
                         "of %zu bytes", n, KPW_STORE_MAX_LIST_BYTES);
  void *z = NULL;
  const void *blob = data;
  size_t blen = n;
  const char *codec = "none";
  char dsha[65] = {0};
  if (data) {
    if (!sha256_hex(st->md, data, n, dsha))
      return kpw_error_set(err, KPW_EINTERNAL, st->path, 0, 0,
                           "SHA-256 failed");
    /* The bytes kept must be the bytes the loader parsed and digested;
    ** a mismatch means the file changed between parse and read. */
    if (strlen(li->sha256) == 64 && strcasecmp(li->sha256, dsha) != 0)
      return kpw_error_set(err, KPW_EINPUT, li->source ? li->source : li->name,
                           0, 0, "the data does not match the list's SHA-256 "
                           "(did the file change while it was loaded?)");
    if (n > 0 && !looks_compressed(data, n)) {
      size_t cap = ZSTD_compressBound(n);
      z = kpw_xmalloc(cap);
      size_t zn = ZSTD_compress(z, cap, data, n, ZSTD_LEVEL);
      if (ZSTD_isError(zn)) {
        free(z);
        return kpw_error_set(err, KPW_EINTERNAL, st->path, 0, 0,
                             "zstd compression failed: %s",
                             ZSTD_getErrorName(zn));
      }
      if (zn < n) { blob = z; blen = zn; codec = "zstd"; }
    }
  }
  char at[32];
  now_iso(at);
  /* A savepoint makes the row and its history entry one unit, both inside
  ** a caller's batch and on their own. */
  if ((r = exec(st, "SAVEPOINT put_list", err, "cannot store the list"))) {
    free(z);
    return r;
  }
  sqlite3_stmt *s = st->st[S_PUT_LIST];
  bind_text(s, 1, li->name);
  bind_text(s, 2, li->format);
  bind_text(s, 3, li->source);
  bind_text(s, 4, li->date);
  bind_text(s, 5, li->sha256);
  sqlite3_bind_int64(s, 6, li->n_entities);
  bind_text(s, 7, at);
  if (data) {
    sqlite3_bind_blob64(s, 8, blen ? blob : "", blen, SQLITE_STATIC);
    bind_text(s, 9, codec);
    sqlite3_bind_int64(s, 10, (sqlite3_int64)n);
    bind_text(s, 11, dsha);
  } else {
    sqlite3_bind_null(s, 8);
    bind_text(s, 9, "none");
    sqlite3_bind_null(s, 10);
    sqlite3_bind_null(s, 11);
  }
  int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE) r = db_fail(st, err, "cannot store the list");
  done(s);
  if (!r) {
    s = st->st[S_PUT_HIST];
    bind_text(s, 1, li->name);
    bind_text(s, 2, li->format);
    bind_text(s, 3, li->source);
    bind_text(s, 4, li->date);
    bind_text(s, 5, li->sha256);
    sqlite3_bind_int64(s, 6, li->n_entities);
    bind_text(s, 7, at);
    if (sqlite3_step(s) != SQLITE_DONE)
      r = db_fail(st, err, "cannot record the list history");
    done(s);
  }
  free(z);
  if (r) {
    sqlite3_exec(st->db, "ROLLBACK TO put_list; RELEASE put_list", NULL, NULL,
                 NULL);
    return r;
  }
  return exec(st, "RELEASE put_list", err, "cannot store the list");
}

kpw_result kpw_store_put_list(kpw_store *st, const kpw_listinfo *li,
                              kpw_error *err) {
  return put_list(st, li, NULL, 0, err);
}

kpw_result kpw_store_put_list_data(kpw_store *st, const kpw_listinfo *li,
                                   const void *data, size_t n,
                                   kpw_error *err) {
  if (!data && n)
    return kpw_error_set(err, KPW_EUSAGE, st->path, 0, 0, "no data given");
  return put_list(st, li, data ? data : "", n, err);
}

kpw_result kpw_store_get_list_data(kpw_store *st, const char *name,
                                   void **data, size_t *n, kpw_error *err) {
  *data = NULL;
  *n = 0;
  if (!name)
    return kpw_error_set(err, KPW_EUSAGE, st->path, 0, 0, "no list name given");
  sqlite3_stmt *s = st->st[S_GET_DATA];
  bind_text(s, 1, name);
  kpw_result r = KPW_OK;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) {
    r = kpw_error_set(err, KPW_ENOTFOUND, st->path, 0, 0,
                      "no list named '%s' in the store", name);
    goto out;
  }
  if (rc != SQLITE_ROW) { r = db_fail(st, err, "cannot read the list"); goto out; }
  if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
    r = kpw_error_set(err, KPW_ENOTFOUND, st->path, 0, 0,
                      "list '%s' was registered without a copy of its data; "
                      "load it again with `kpwatch lists load`", name);
    goto out;
  }
  const void *blob = sqlite3_column_blob(s, 0);
  size_t blen = (size_t)sqlite3_column_bytes(s, 0);
  const char *codec = (const char *)sqlite3_column_text(s, 1);
  int64_t size = sqlite3_column_int64(s, 2);
  const char *want = (const char *)sqlite3_column_text(s, 3);
  if (size < 0 || (uint64_t)size > KPW_STORE_MAX_LIST_BYTES) {
    r = kpw_error_set(err, KPW_EINPUT, st->path, 0, 0,
                      "list '%s': stored size %" PRId64 " out of range",
                      name, size);
    goto out;
  }
  char *buf = kpw_xmalloc((size_t)size + 1);
  if (codec && strcmp(codec, "zstd") == 0) {
    unsigned long long fs = ZSTD_getFrameContentSize(blob, blen);
    size_t got = ZSTD_isError(fs) || fs != (unsigned long long)size
                     ? (size_t)-1
                     : ZSTD_decompress(buf, (size_t)size, blob, blen);
    if (ZSTD_isError(got) || got != (size_t)size) {
      free(buf);
      r = kpw_error_set(err, KPW_EINPUT, st->path, 0, 0,
                        "list '%s': the stored copy is corrupt (zstd)", name);
      goto out;
    }
  } else {
    if (blen != (size_t)size) {
      free(buf);
      r = kpw_error_set(err, KPW_EINPUT, st->path, 0, 0,
                        "list '%s': the stored copy is truncated", name);
      goto out;
    }
    if (blen) memcpy(buf, blob, blen);
  }
  buf[size] = 0;
  char got_sha[65];
  if (!want || !sha256_hex(st->md, buf, (size_t)size, got_sha) ||
      strcmp(got_sha, want) != 0) {
    free(buf);
    r = kpw_error_set(err, KPW_EINPUT, st->path, 0, 0,
                      "list '%s': the stored copy does not match its digest",
                      name);
    goto out;
  }
  *data = buf;
  *n = (size_t)size;
out:
  done(s);
  return r;
}

kpw_result kpw_store_lists(kpw_store *st, kpw_store_list_cb cb, void *ctx,
                           kpw_error *err) {
  sqlite3_stmt *s = st->st[S_LISTS];
  kpw_result r = KPW_OK;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    kpw_listinfo li = {
      .name = (const char *)sqlite3_column_text(s, 0),
      .format = (const char *)sqlite3_column_text(s, 1),
      .source = (const char *)sqlite3_column_text(s, 2),
      .date = (const char *)sqlite3_column_text(s, 3),
      .sha256 = (const char *)sqlite3_column_text(s, 4),
      .n_entities = (uint32_t)sqlite3_column_int64(s, 5),
    };
    const char *at = (const char *)sqlite3_column_text(s, 6);
    if (!cb(ctx, &li, at)) { rc = SQLITE_DONE; break; }
  }
  if (rc != SQLITE_DONE) r = db_fail(st, err, "cannot list the lists");
  done(s);
  return r;
}

/* ---------------------------------------------------------------- findings */

kpw_result kpw_store_put_finding(kpw_store *st, const kpw_finding *f,
                                 kpw_error *err) {
  if (!f || !f->kind || !*f->kind)
    return kpw_error_set(err, KPW_EUSAGE, st->path, 0, 0,
                         "a finding needs a kind");
  kpw_buf *b = &st->scratch;
  kpw_buf_reset(b);
  kpw_finding_json(f, b);
  if (b->len > MAX_JSON_BYTES)
    return kpw_error_set(err, KPW_ENOMEM, st->path, 0, 0,
                         "finding of %zu bytes exceeds the cap", b->len);
  char at[32];
  now_iso(at);
  sqlite3_stmt *s = st->st[S_FIND_INS];
  sqlite3_bind_text(s, 1, b->data, (int)b->len, SQLITE_STATIC);
  if (f->start_us != KPW_TIME_NONE) sqlite3_bind_int64(s, 2, f->start_us);
  else sqlite3_bind_null(s, 2);
  if (f->end_us != KPW_TIME_NONE) sqlite3_bind_int64(s, 3, f->end_us);
  else sqlite3_bind_null(s, 3);
  bind_text(s, 4, at);
  kpw_result r = KPW_OK;
  if (sqlite3_step(s) != SQLITE_DONE) r = db_fail(st, err, "cannot store the finding");
  done(s);
  return r;
}

kpw_result kpw_store_findings(kpw_store *st, const char *kind, size_t limit,
                              kpw_store_finding_cb cb, void *ctx,
                              kpw_error *err) {
  sqlite3_stmt *s = NULL;
  const char *sql = kind ? "SELECT id, record FROM findings WHERE kind=?1 "
                           "ORDER BY id LIMIT ?2"
                         : "SELECT id, record FROM findings ORDER BY id LIMIT ?2";
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return db_fail(st, err, "cannot read findings");
  if (kind) bind_text(s, 1, kind);
  sqlite3_bind_int64(s, 2, limit ? (sqlite3_int64)limit : -1);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (!cb(ctx, sqlite3_column_int64(s, 0),
            (const char *)sqlite3_column_text(s, 1))) {
      rc = SQLITE_DONE;
      break;
    }
  }
  kpw_result r = rc == SQLITE_DONE ? KPW_OK : db_fail(st, err, "cannot read findings");
  sqlite3_finalize(s);
  return r;
}

/* ---------------------------------------------------------------- audit */

/* The chained digest of one audit row: netstring-framed fields so no two
** different rows hash alike ("ab","c" vs "a","bc"); NULL framed as "-". */
static void frame(kpw_buf *b, const char *s) {
  if (!s) { kpw_buf_puts(b, "-,"); return; }
  size_t n = strlen(s);
  kpw_buf_printf(b, "%zu:", n);
  kpw_buf_put(b, s, n);
  kpw_buf_putc(b, ',');
}

static bool row_hash(kpw_store *st, const char *prev, const char *at,
                     const char *actor, const char *q, const char *l,
                     const char *res, char out[65]) {
  kpw_buf *b = &st->scratch;
  kpw_buf_reset(b);
  kpw_buf_puts(b, "kpwatch-audit-v1,");
  frame(b, prev);
  frame(b, at);
  frame(b, actor);
  frame(b, q);
  frame(b, l);
  frame(b, res);
  return sha256_hex(st->md, b->data, b->len, out);
}

static kpw_result audit_head(kpw_store *st, char out[65], kpw_error *err) {
  sqlite3_stmt *s = st->st[S_AUDIT_HEAD];
  int rc = sqlite3_step(s);
  kpw_result r = KPW_OK;
  if (rc == SQLITE_ROW) {
    const char *h = (const char *)sqlite3_column_text(s, 0);
    snprintf(out, 65, "%s", h ? h : GENESIS);
  } else if (rc == SQLITE_DONE) {
    memcpy(out, GENESIS, 65);
  } else {
    r = db_fail(st, err, "cannot read the audit log");
  }
  done(s);
  return r;
}

kpw_result kpw_store_audit(kpw_store *st, const char *actor,
                           const char *query_json, const char *lists_json,
                           const char *result_json, kpw_error *err) {
  if (!query_json)
    return kpw_error_set(err, KPW_EUSAGE, st->path, 0, 0,
                         "an audit record needs its query");
  if (strlen(query_json) > MAX_JSON_BYTES ||
      (lists_json && strlen(lists_json) > MAX_JSON_BYTES) ||
      (result_json && strlen(result_json) > MAX_JSON_BYTES))
    return kpw_error_set(err, KPW_ENOMEM, st->path, 0, 0,
                         "audit record field exceeds the cap of %zu bytes",
                         MAX_JSON_BYTES);
  kpw_result r;
  bool own = !st->batch;
  /* Outside a batch, the head read and the insert must be one write
  ** transaction, or a concurrent writer could fork the chain. */
  if (own && (r = exec(st, "BEGIN IMMEDIATE", err, "cannot write the audit log")))
    return r;
  char prev[65], at[32], h[65];
  if (!st->head_valid) {
    if ((r = audit_head(st, prev, err))) goto fail;
  } else {
    memcpy(prev, st->head, 65);
  }
  now_iso(at);
  if (!row_hash(st, prev, at, actor, query_json, lists_json, result_json, h)) {
    r = kpw_error_set(err, KPW_EINTERNAL, st->path, 0, 0, "SHA-256 failed");
    goto fail;
  }
  sqlite3_stmt *s = st->st[S_AUDIT_INS];
  bind_text(s, 1, at);
  bind_text(s, 2, actor);
  bind_text(s, 3, query_json);
  bind_text(s, 4, lists_json);
  bind_text(s, 5, result_json);
  bind_text(s, 6, h);
  int rc = sqlite3_step(s);
  r = rc == SQLITE_DONE ? KPW_OK : db_fail(st, err, "cannot write the audit log");
  done(s);
  if (r) goto fail;
  if (own) {
    if ((r = exec(st, "COMMIT", err, "cannot commit the audit record")))
      goto fail;
  } else {
    memcpy(st->head, h, 65);
    st->head_valid = true;
  }
  return KPW_OK;
fail:
  /* Inside a batch the caller decides (rollback); the row was not added,
  ** so the cached head is still right. */
  if (own && !sqlite3_get_autocommit(st->db))
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  return r;
}

kpw_result kpw_store_audit_verify(kpw_store *st, uint64_t *rows,
                                  kpw_error *err) {
  *rows = 0;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT id, at, actor, query, lists, result, hash "
                         "FROM audit ORDER BY id", -1, &s, NULL) != SQLITE_OK)
    return db_fail(st, err, "cannot read the audit log");
  char prev[65], h[65];
  memcpy(prev, GENESIS, 65);
  kpw_result r = KPW_OK;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(s, 0);
    const char *stored = (const char *)sqlite3_column_text(s, 6);
    if (!row_hash(st, prev, (const char *)sqlite3_column_text(s, 1),
                  (const char *)sqlite3_column_text(s, 2),
                  (const char *)sqlite3_column_text(s, 3),
                  (const char *)sqlite3_column_text(s, 4),
                  (const char *)sqlite3_column_text(s, 5), h) ||
        !stored || strcmp(h, stored) != 0) {
      r = kpw_error_set(err, KPW_EINPUT, st->path, 0, 0,
                        "audit log broken at row %" PRId64 ": its hash does "
                        "not match its contents and the previous row", id);
      break;
    }
    memcpy(prev, stored, 65);
    (*rows)++;
  }
  if (!r && rc != SQLITE_DONE) r = db_fail(st, err, "cannot read the audit log");
  sqlite3_finalize(s);
  return r;
}

/* ---------------------------------------------------------------- misc */

int64_t kpw_store_count(kpw_store *st, const char *table) {
  /* Table names cannot be bound: accept only the known ones. */
  static const char *const ok_tables[] = {"lists", "findings", "audit",
                                          "list_history"};
  const char *t = NULL;
  for (size_t i = 0; table && i < sizeof ok_tables / sizeof *ok_tables; i++)
    if (strcmp(table, ok_tables[i]) == 0) t = ok_tables[i];
  if (!t) return -1;
  char sql[64];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t);
  bool ok;
  int64_t v = query_int(st, sql, -1, &ok);
  return ok ? v : -1;
}
