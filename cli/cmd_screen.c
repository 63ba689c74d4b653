/*
** cmd_screen.c -- `kpwatch screen`: batch and single-query screening
** against watchlists, and screening of payment-message parties.
**
** Batch mode streams its input (CSV with a header, or JSON lines) in chunks
** of CHUNK queries: a chunk is parsed on the main thread, screened by the
** worker threads, then written in input order. Memory is bounded by the
** chunk. On bad input the queries read before the error are still screened
** and written, then the command fails with the error's location (exit 3).
*/
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"
#include "kpw/payments.h"

#define CHUNK 4096
#define MAX_NAMES 16
#define MAX_IDS 16
#define MAX_LINE (1u << 20)

typedef struct opts {
  const char **lists; size_t n_lists;
  double threshold, cutoff;
  size_t limit;
  int threads;
  bool table, fail_on_hit, findings;
  const char *payments;
  const char *name, *schema, *dob, *country, *imo, *mmsi, *crypto, *passport;
  const char *actor;
} opts;

typedef struct qrec {
  kpw_query q;
  const char *names[MAX_NAMES];
  kpw_ident ids[MAX_IDS];
  const char *id_raw;     /* id as given */
  bool id_is_number;      /* JSON number: written unquoted */
  uint64_t line;
  size_t n_hits;
  kpw_hit *hits;
} qrec;

typedef struct chunk {
  kpw_arena *arena;
  qrec *recs;
  size_t n;
  kpw_hit *hits;          /* CHUNK * limit */
} chunk;

typedef struct run {
  const opts *o;
  kpw_screener *scr;
  chunk *ck;
  size_t next;            /* atomic work counter */
  size_t n_matches;       /* queries with at least one match */
  kpw_store *store;
  char *lists_json;
} run;

static void help(void) {
  printf(
    "usage: kpwatch screen -l LIST... [options] [FILE|-]\n"
    "       kpwatch screen -l LIST... --name NAME [--schema S] [--dob D] [--country C]\n"
    "       kpwatch screen -l LIST... --imo N | --mmsi N | --crypto ADDR | --passport N\n"
    "       kpwatch screen -l LIST... --payments FILE\n\n"
    "Screens parties against watchlists. Output: one JSON line per query, in\n"
    "input order: {\"id\":..., \"matches\":[{\"score\",\"match\",\"entity_id\",\"name\",\n"
    "\"matched_name\",\"list\",\"schema\",\"explain\"}...]}, best first.\n\n"
    "Input (FILE or standard input): CSV with a header (id,name,schema,\n"
    "birth_date,country and imo,mmsi,crypto,passport,gender,aliases where\n"
    "present) or JSON lines ({\"id\",\"schema\",\"properties\":{\"name\":[...],\n"
    "\"birthDate\":[...],\"nationality\":[...],...}}); detected from content.\n\n"
    "  -l, --list FILE     watchlist file (repeatable): UN XML, OFAC advanced XML\n"
    "                      (.xml or .xml.bz2), OFAC legacy sdn.csv, EU FSF XML,\n"
    "                      FtM JSON lines, plain CSV. Without -l, the lists in\n"
    "                      the store (--db) are used.\n"
    "  -t, --threshold T   score at which a hit is a match (default %.2f)\n"
    "      --cutoff S      also report near misses scoring at least S\n"
    "                      (default: threshold - 0.2)\n"
    "  -n, --limit N       at most N hits per query (default 5)\n"
    "  -j, --threads N     worker threads (default 2)\n"
    "      --format F      jsonl (default) or table\n"
    "      --findings      write screening_match findings (docs/findings.md)\n"
    "                      instead of per-query lines\n"
    "      --fail-on-hit   exit 1 when any query matched\n"
    "      --actor NAME    who screens, recorded in the audit log (with --db)\n"
    "      --payments FILE screen the parties of SWIFT MT103 / ISO 20022\n"
    "                      pacs.008 messages\n"
    "  single query: --name NAME [--schema S] [--dob D] [--country C]\n"
    "                [--imo N] [--mmsi N] [--crypto ADDR] [--passport N]\n\n"
    "With the global --db FILE every query, the list versions and the result\n"
    "are appended to the store's audit log.\n"
    "Exit: 0 ok, 1 hits with --fail-on-hit, 2 usage, 3 bad input, 4 I/O.\n",
    KPW_DEFAULT_THRESHOLD);
}

/* ---------------------------------------------------------------- queries */

static void add_name(qrec *r, kpw_arena *a, const char *s) {
  if (!s || !*s || r->q.n_names >= MAX_NAMES) return;
  r->names[r->q.n_names++] = kpw_arena_strdup(a, s);
}

static void add_id(qrec *r, kpw_arena *a, kpw_id_kind kind, const char *s) {
  if (!s || !*s || r->q.n_ids >= MAX_IDS) return;
  kpw_ident *id = &r->ids[r->q.n_ids++];
  memset(id, 0, sizeof *id);
  id->kind = kind;
  id->value = kpw_arena_strdup(a, s);
}

static void rec_init(qrec *r) {
  memset(r, 0, sizeof *r);
  r->q.names = r->names;
  r->q.ids = r->ids;
}

static char parse_gender(const char *g) {
  if (!g) return 0;
  if (!strcasecmp(g, "m") || !strcasecmp(g, "male")) return 'm';
  if (!strcasecmp(g, "f") || !strcasecmp(g, "female")) return 'f';
  return 0;
}

/* Column roles of a CSV query file. */
enum { COL_ID, COL_NAME, COL_ALIASES, COL_SCHEMA, COL_DOB, COL_COUNTRY, COL_GENDER,
       COL_IMO, COL_MMSI, COL_CRYPTO, COL_PASSPORT, COL_N };

static int col_role(const char *h) {
  static const struct { const char *name; int role; } map[] = {
    {"id", COL_ID}, {"name", COL_NAME}, {"full_name", COL_NAME}, {"aliases", COL_ALIASES},
    {"alias", COL_ALIASES}, {"schema", COL_SCHEMA}, {"birth_date", COL_DOB},
    {"birthdate", COL_DOB}, {"dob", COL_DOB}, {"date_of_birth", COL_DOB},
    {"country", COL_COUNTRY}, {"nationality", COL_COUNTRY}, {"gender", COL_GENDER},
    {"imo", COL_IMO}, {"imo_number", COL_IMO}, {"mmsi", COL_MMSI}, {"crypto", COL_CRYPTO},
    {"address", COL_CRYPTO}, {"wallet", COL_CRYPTO}, {"passport", COL_PASSPORT},
  };
  for (size_t i = 0; i < sizeof map / sizeof *map; i++)
    if (!strcasecmp(h, map[i].name)) return map[i].role;
  return -1;
}

static void split_aliases(qrec *r, kpw_arena *a, const char *s) {
  while (s && *s) {
    const char *e = strchr(s, ';');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    char *t = kpw_arena_strndup(a, s, n);
    add_name(r, a, t);
    s = e ? e + 1 : NULL;
  }
}

static void json_first(const kpw_json *props, const char *key, const char **out) {
  const kpw_json *v = kpw_json_get(props, key);
  if (!v) return;
  if (v->type == KPW_JSON_STRING && !*out) *out = v->str;
  if (v->type == KPW_JSON_ARRAY)
    for (size_t i = 0; i < v->len && !*out; i++)
      if (v->items[i]->type == KPW_JSON_STRING) *out = v->items[i]->str;
}

static void json_each(const kpw_json *props, const char *key, qrec *r, kpw_arena *a,
                      int id_kind /* -1: names */) {
  const kpw_json *v = kpw_json_get(props, key);
  if (!v) return;
  size_t n = v->type == KPW_JSON_ARRAY ? v->len : 1;
  for (size_t i = 0; i < n; i++) {
    const kpw_json *x = v->type == KPW_JSON_ARRAY ? v->items[i] : v;
    if (x->type != KPW_JSON_STRING) continue;
    if (id_kind < 0) add_name(r, a, x->str);
    else add_id(r, a, (kpw_id_kind)id_kind, x->str);
  }
}

/* Fill r from one JSON object (yente/FtM shape, or flat keys). */
static kpw_result rec_from_json(qrec *r, kpw_arena *a, const kpw_json *obj,
                                const char *source, uint64_t line, kpw_error *err) {
  if (!obj || obj->type != KPW_JSON_OBJECT)
    return kpw_error_set(err, KPW_EINPUT, source, line, 0, "a query line must be a JSON object");
  const kpw_json *id = kpw_json_get(obj, "id");
  if (id && id->type == KPW_JSON_STRING) r->id_raw = id->str;
  else if (id && id->type == KPW_JSON_NUMBER) { r->id_raw = id->str; r->id_is_number = true; }
  const char *schema = kpw_json_get_str(obj, "schema");
  if (schema && !kpw_schema_parse(schema, &r->q.schema))
    return kpw_error_set(err, KPW_EINPUT, source, line, 0, "unknown schema '%s'", schema);
  const kpw_json *props = kpw_json_get(obj, "properties");
  if (!props) props = obj;
  else if (props->type != KPW_JSON_OBJECT)
    return kpw_error_set(err, KPW_EINPUT, source, line, 0, "\"properties\" must be an object");
  json_each(props, "name", r, a, -1);
  json_each(props, "alias", r, a, -1);
  json_each(props, "previousName", r, a, -1);
  json_first(props, "birthDate", &r->q.birth_date);
  json_first(props, "birth_date", &r->q.birth_date);
  json_first(props, "nationality", &r->q.country);
  json_first(props, "citizenship", &r->q.country);
  json_first(props, "country", &r->q.country);
  json_first(props, "jurisdiction", &r->q.country);
  const char *g = NULL;
  json_first(props, "gender", &g);
  r->q.gender = parse_gender(g);
  json_each(props, "imoNumber", r, a, KPW_ID_IMO);
  json_each(props, "imo", r, a, KPW_ID_IMO);
  json_each(props, "mmsi", r, a, KPW_ID_MMSI);
  json_each(props, "publicKey", r, a, KPW_ID_CRYPTO);
  json_each(props, "address", r, a, KPW_ID_CRYPTO);
  json_each(props, "crypto", r, a, KPW_ID_CRYPTO);
  json_each(props, "passportNumber", r, a, KPW_ID_PASSPORT);
  json_each(props, "idNumber", r, a, KPW_ID_NATIONAL);
  json_each(props, "registrationNumber", r, a, KPW_ID_NATIONAL);
  json_each(props, "swiftBic", r, a, KPW_ID_BIC);
  if (r->q.birth_date) r->q.birth_date = kpw_arena_strdup(a, r->q.birth_date);
  if (r->q.country) r->q.country = kpw_arena_strdup(a, r->q.country);
  if (r->id_raw) r->id_raw = kpw_arena_strdup(a, r->id_raw);
  return KPW_OK;
}

/* ---------------------------------------------------------------- input */

typedef struct reader {
  FILE *f;
  const char *source;
  bool json;
  kpw_csv *csv;
  int col_of[COL_N];                  /* role -> column or -1 */
  uint64_t line;
  char *linebuf; size_t linecap;
} reader;

static kpw_result reader_open(reader *rd, const char *path, kpw_error *err) {
  memset(rd, 0, sizeof *rd);
  rd->source = path;
  rd->f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!rd->f) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  int c;
  do { c = getc(rd->f); } while (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0xEF || c == 0xBB || c == 0xBF);
  if (c == EOF) return KPW_DONE;
  ungetc(c, rd->f);
  rd->json = c == '{';
  if (rd->json) return KPW_OK;
  kpw_csv_open(rd->f, path, ',', &rd->csv, err);
  const char **fields;
  size_t n;
  kpw_result rc = kpw_csv_next(rd->csv, &fields, &n, err);
  if (rc == KPW_DONE) return KPW_DONE;
  if (rc) return rc;
  for (int i = 0; i < COL_N; i++) rd->col_of[i] = -1;
  for (size_t i = 0; i < n; i++) {
    int role = col_role(fields[i]);
    if (role >= 0 && rd->col_of[role] < 0) rd->col_of[role] = (int)i;
  }
  if (rd->col_of[COL_NAME] < 0 && rd->col_of[COL_IMO] < 0 && rd->col_of[COL_MMSI] < 0 &&
      rd->col_of[COL_CRYPTO] < 0 && rd->col_of[COL_PASSPORT] < 0)
    return kpw_error_set(err, KPW_EINPUT, path, 1, 0,
                         "the CSV header has no name column (nor imo, mmsi, crypto, passport)");
  return KPW_OK;
}

static void reader_close(reader *rd) {
  if (rd->csv) kpw_csv_close(rd->csv);
  if (rd->f && rd->f != stdin) fclose(rd->f);
  free(rd->linebuf);
}

/* Read one line into rd->linebuf, never holding more than MAX_LINE bytes
** (getline would grow without bound on a file with no newline). Returns the
** length, -1 at end of input, -2 when the line is longer than MAX_LINE (the
** rest of it is not read), -3 when it holds a NUL byte. */
static ssize_t read_line_bounded(reader *rd) {
  if (!rd->linebuf) {
    rd->linecap = MAX_LINE + 1;
    rd->linebuf = kpw_xmalloc(rd->linecap);
  }
  size_t n = 0;
  bool nul = false;
  int c;
  while ((c = getc_unlocked(rd->f)) != EOF) {
    if (c == '\n') break;
    if (c == 0) nul = true;
    if (n == MAX_LINE) return -2;
    rd->linebuf[n++] = (char)c;
  }
  if (c == EOF && n == 0) return -1;
  rd->linebuf[n] = 0;
  return nul ? -3 : (ssize_t)n;
}

/* Read one query into r. KPW_DONE at end of input. */
static kpw_result reader_next(reader *rd, qrec *r, kpw_arena *a, kpw_error *err) {
  rec_init(r);
  if (!rd->json) {
    const char **f;
    size_t n;
    kpw_result rc = kpw_csv_next(rd->csv, &f, &n, err);
    if (rc) return rc;
    r->line = kpw_csv_line(rd->csv);
#define COL(role) (rd->col_of[role] >= 0 && (size_t)rd->col_of[role] < n && f[rd->col_of[role]][0] ? f[rd->col_of[role]] : NULL)
    for (int role = 0; role < COL_N; role++) {
      const char *v = COL(role);
      if (!v) continue;
      size_t len = strlen(v);
      if (kpw_utf8_valid_prefix(v, len) != len) {
        size_t ok = kpw_utf8_valid_prefix(v, len);
        kpw_error_set(err, KPW_EINPUT, rd->source, r->line, 0,
                      "invalid UTF-8 in column %d at byte %zu of the field", rd->col_of[role] + 1, ok);
        kpw_error_excerpt(err, v + ok, len - ok < 8 ? len - ok : 8);
        return KPW_EINPUT;
      }
    }
    r->id_raw = COL(COL_ID) ? kpw_arena_strdup(a, COL(COL_ID)) : NULL;
    add_name(r, a, COL(COL_NAME));
    split_aliases(r, a, COL(COL_ALIASES));
    if (COL(COL_SCHEMA) && !kpw_schema_parse(COL(COL_SCHEMA), &r->q.schema))
      return kpw_error_set(err, KPW_EINPUT, rd->source, r->line, 0, "unknown schema '%s'", COL(COL_SCHEMA));
    r->q.birth_date = COL(COL_DOB) ? kpw_arena_strdup(a, COL(COL_DOB)) : NULL;
    r->q.country = COL(COL_COUNTRY) ? kpw_arena_strdup(a, COL(COL_COUNTRY)) : NULL;
    r->q.gender = parse_gender(COL(COL_GENDER));
    add_id(r, a, KPW_ID_IMO, COL(COL_IMO));
    add_id(r, a, KPW_ID_MMSI, COL(COL_MMSI));
    add_id(r, a, KPW_ID_CRYPTO, COL(COL_CRYPTO));
    add_id(r, a, KPW_ID_PASSPORT, COL(COL_PASSPORT));
#undef COL
    return KPW_OK;
  }
  for (;;) {
    ssize_t n = read_line_bounded(rd);
    if (n == -1) {
      if (ferror(rd->f)) return kpw_error_set(err, KPW_EIO, rd->source, rd->line, 0, "read error");
      return KPW_DONE;
    }
    rd->line++;
    if (n == -2)
      return kpw_error_set(err, KPW_EINPUT, rd->source, rd->line, 0, "line longer than %u bytes", MAX_LINE);
    if (n == -3)
      return kpw_error_set(err, KPW_EINPUT, rd->source, rd->line, 0, "NUL byte in a JSON line");
    while (n > 0 && (rd->linebuf[n - 1] == '\n' || rd->linebuf[n - 1] == '\r')) n--;
    size_t k = 0;
    while (k < (size_t)n && (rd->linebuf[k] == ' ' || rd->linebuf[k] == '\t')) k++;
    if (k == (size_t)n) continue; /* blank line */
    kpw_json *obj;
    r->line = rd->line;
    kpw_result rc = kpw_json_parse(rd->linebuf, (size_t)n, a, rd->source, rd->line, &obj, err);
    if (rc) return rc;
    return rec_from_json(r, a, obj, rd->source, rd->line, err);
  }
}

/* ---------------------------------------------------------------- output */

static void write_hits_json(kpw_buf *b, const qrec *r) {
  kpw_buf_puts(b, "\"matches\":[");
  for (size_t i = 0; i < r->n_hits; i++) {
    const kpw_hit *h = &r->hits[i];
    if (i) kpw_buf_putc(b, ',');
    kpw_buf_puts(b, "{\"score\":");
    kpw_buf_printf(b, "%.4f", h->score);
    kpw_buf_printf(b, ",\"match\":%s,\"entity_id\":", h->match ? "true" : "false");
    kpw_json_str(b, h->entity->id);
    kpw_buf_puts(b, ",\"name\":");
    kpw_json_str(b, h->entity->n_names ? h->entity->names[0].text : "");
    kpw_buf_puts(b, ",\"matched_name\":");
    kpw_json_str(b, h->matched_name);
    kpw_buf_puts(b, ",\"list\":");
    kpw_json_str(b, h->entity->list);
    kpw_buf_puts(b, ",\"schema\":");
    kpw_json_str(b, kpw_schema_name(h->entity->schema));
    if (h->entity->programs) {
      kpw_buf_puts(b, ",\"programs\":");
      kpw_json_str(b, h->entity->programs);
    }
    kpw_buf_puts(b, ",\"explain\":");
    kpw_json_str(b, h->explain);
    kpw_buf_putc(b, '}');
  }
  kpw_buf_putc(b, ']');
}

static void write_id(kpw_buf *b, const qrec *r, uint64_t fallback) {
  if (!r->id_raw) kpw_buf_printf(b, "\"%llu\"", (unsigned long long)fallback);
  else if (r->id_is_number) kpw_buf_puts(b, r->id_raw);
  else kpw_json_str(b, r->id_raw);
}

static void write_query_json(kpw_buf *b, const qrec *r) {
  kpw_buf_puts(b, "{\"names\":[");
  for (size_t i = 0; i < r->q.n_names; i++) {
    if (i) kpw_buf_putc(b, ',');
    kpw_json_str(b, r->names[i]);
  }
  kpw_buf_puts(b, "],\"schema\":");
  kpw_json_str(b, kpw_schema_name(r->q.schema));
  if (r->q.birth_date) { kpw_buf_puts(b, ",\"birth_date\":"); kpw_json_str(b, r->q.birth_date); }
  if (r->q.country) { kpw_buf_puts(b, ",\"country\":"); kpw_json_str(b, r->q.country); }
  if (r->q.n_ids) {
    kpw_buf_puts(b, ",\"ids\":[");
    for (size_t i = 0; i < r->q.n_ids; i++) {
      if (i) kpw_buf_putc(b, ',');
      kpw_json_str(b, r->ids[i].value);
    }
    kpw_buf_putc(b, ']');
  }
  kpw_buf_putc(b, '}');
}

static void write_finding(kpw_buf *b, const qrec *r, const kpw_hit *h, const char *source) {
  char subj_list[300];
  snprintf(subj_list, sizeof subj_list, "list:%s", h->entity->id);
  char subj_q[300];
  snprintf(subj_q, sizeof subj_q, "query:%s", r->id_raw ? r->id_raw : "");
  const char *subjects[2] = {subj_q, subj_list};
  kpw_evidence ev = {source, r->line, 0, h->entity->id};
  kpw_buf detail;
  kpw_buf_init(&detail);
  kpw_buf_puts(&detail, "{\"query_name\":");
  kpw_json_str(&detail, h->query_name);
  kpw_buf_puts(&detail, ",\"matched_name\":");
  kpw_json_str(&detail, h->matched_name);
  kpw_buf_puts(&detail, ",\"entity_name\":");
  kpw_json_str(&detail, h->entity->n_names ? h->entity->names[0].text : "");
  kpw_buf_puts(&detail, ",\"list\":");
  kpw_json_str(&detail, h->entity->list);
  kpw_buf_printf(&detail, ",\"match\":%s}", h->match ? "true" : "false");
  kpw_finding f = {
    .kind = "screening_match", .subjects = subjects, .n_subjects = 2,
    .start_us = KPW_TIME_NONE, .end_us = KPW_TIME_NONE, .score = h->score,
    .explain = h->explain, .evidence = &ev, .n_evidence = 1, .detail_json = detail.data,
  };
  kpw_finding_json(&f, b);
  kpw_buf_putc(b, '\n');
  kpw_buf_free(&detail);
}

static void write_table_row(kpw_buf *b, const qrec *r, uint64_t seq) {
  char idbuf[64];
  snprintf(idbuf, sizeof idbuf, "%s", r->id_raw ? r->id_raw : "");
  if (!r->id_raw) snprintf(idbuf, sizeof idbuf, "%llu", (unsigned long long)seq);
  const char *qn = r->q.n_names ? r->names[0] : (r->q.n_ids ? r->ids[0].value : "");
  if (!r->n_hits) { kpw_buf_printf(b, "%-10s %-32.32s  (no hits)\n", idbuf, qn); return; }
  for (size_t i = 0; i < r->n_hits; i++) {
    const kpw_hit *h = &r->hits[i];
    kpw_buf_printf(b, "%-10s %-32.32s %5.3f %-5s %-16.16s %-10.10s %s\n", i ? "" : idbuf, i ? "" : qn,
                   h->score, h->match ? "MATCH" : "", h->entity->id, h->entity->list,
                   h->entity->n_names ? h->entity->names[0].text : "");
  }
}

/* ---------------------------------------------------------------- workers */

static void *worker(void *arg) {
  run *R = arg;
  chunk *ck = R->ck;
  for (;;) {
    size_t i = __atomic_fetch_add(&R->next, 1, __ATOMIC_RELAXED);
    if (i >= ck->n) break;
    qrec *r = &ck->recs[i];
    r->hits = ck->hits + i * R->o->limit;
    r->n_hits = kpw_screen(R->scr, &r->q, R->o->threshold, R->o->cutoff, r->hits, R->o->limit);
  }
  return NULL;
}

static void screen_chunk(run *R) {
  chunk *ck = R->ck;
  R->next = 0;
  int nt = R->o->threads;
  if ((size_t)nt > ck->n) nt = (int)(ck->n ? ck->n : 1);
  pthread_t th[64];
  int started = 0;
  for (int t = 1; t < nt && t < 64; t++)
    if (pthread_create(&th[started], NULL, worker, R) == 0) started++;
  worker(R);
  for (int t = 0; t < started; t++) pthread_join(th[t], NULL);
}

static kpw_result flush_chunk(run *R, kpw_buf *out, uint64_t *seq, const char *source,
                              kpw_error *err) {
  chunk *ck = R->ck;
  screen_chunk(R);
  if (R->store) {
    kpw_result rc = kpw_store_begin(R->store, err);
    if (rc) return rc;
  }
  kpw_buf qj, rj;
  kpw_buf_init(&qj);
  kpw_buf_init(&rj);
  for (size_t i = 0; i < ck->n; i++) {
    qrec *r = &ck->recs[i];
    ++*seq;
    bool any = false;
    for (size_t k = 0; k < r->n_hits; k++) any |= r->hits[k].match;
    R->n_matches += any;
    if (R->o->findings) {
      for (size_t k = 0; k < r->n_hits; k++)
        if (r->hits[k].match) write_finding(out, r, &r->hits[k], source);
    } else if (R->o->table) {
      write_table_row(out, r, *seq);
    } else {
      kpw_buf_puts(out, "{\"id\":");
      write_id(out, r, *seq);
      kpw_buf_putc(out, ',');
      write_hits_json(out, r);
      kpw_buf_puts(out, "}\n");
    }
    if (R->store) {
      kpw_buf_reset(&qj);
      kpw_buf_reset(&rj);
      write_query_json(&qj, r);
      kpw_buf_putc(&rj, '{');
      write_hits_json(&rj, r);
      kpw_buf_putc(&rj, '}');
      kpw_result rc = kpw_store_audit(R->store, R->o->actor, qj.data, R->lists_json, rj.data, err);
      if (rc) {
        kpw_store_rollback(R->store, NULL);
        kpw_buf_free(&qj);
        kpw_buf_free(&rj);
        return rc;
      }
    }
    if (out->len > (1u << 16)) {
      if (fwrite(out->data, 1, out->len, stdout) != out->len) {
        kpw_buf_free(&qj); kpw_buf_free(&rj);
        return kpw_error_set(err, KPW_EIO, "stdout", 0, 0, "write failed: %s", strerror(errno));
      }
      kpw_buf_reset(out);
    }
  }
  kpw_buf_free(&qj);
  kpw_buf_free(&rj);
  if (R->store) {
    kpw_result rc = kpw_store_commit(R->store, err);
    if (rc) return rc;
  }
  if (out->len && fwrite(out->data, 1, out->len, stdout) != out->len)
    return kpw_error_set(err, KPW_EIO, "stdout", 0, 0, "write failed: %s", strerror(errno));
  kpw_buf_reset(out);
  fflush(stdout);
  ck->n = 0;
  return KPW_OK;
}

static chunk *chunk_new(size_t limit) {
  chunk *ck = kpw_xcalloc(1, sizeof *ck);
  ck->arena = kpw_arena_new(1 << 20);
  ck->recs = kpw_xcalloc(CHUNK, sizeof *ck->recs);
  ck->hits = kpw_xcalloc(CHUNK * (limit ? limit : 1), sizeof *ck->hits);
  return ck;
}

static void chunk_free(chunk *ck) {
  if (!ck) return;
  kpw_arena_free(ck->arena);
  free(ck->recs);
  free(ck->hits);
  free(ck);
}

static void chunk_reset(chunk *ck) {
  kpw_arena_free(ck->arena);
  ck->arena = kpw_arena_new(1 << 20);
  ck->n = 0;
}

/* ---------------------------------------------------------------- modes */

static kpw_result screen_stream(run *R, const char *path, kpw_error *err) {
  reader rd;
  kpw_result rc = reader_open(&rd, path, err);
  kpw_buf out;
  kpw_buf_init(&out);
  uint64_t seq = 0;
  bool progress = cli_progress_enabled();
  if (rc == KPW_OK) {
    for (;;) {
      chunk *ck = R->ck;
      qrec *r = &ck->recs[ck->n];
      rc = reader_next(&rd, r, ck->arena, err);
      if (rc != KPW_OK) break;
      ck->n++;
      if (ck->n == CHUNK) {
        rc = flush_chunk(R, &out, &seq, path, err);
        if (rc) break;
        chunk_reset(ck);
        if (progress)
          fprintf(stderr, "\rkpwatch: %llu queries screened, %zu matched", (unsigned long long)seq,
                  R->n_matches);
      }
    }
    /* Whatever was read before an input error is still screened and written. */
    kpw_error later = {0};
    kpw_result rc2 = R->ck->n ? flush_chunk(R, &out, &seq, path, rc == KPW_DONE ? err : &later) : KPW_OK;
    if (rc == KPW_DONE) rc = rc2;
    if (progress && seq >= CHUNK) fputc('\n', stderr);
  }
  kpw_buf_free(&out);
  reader_close(&rd);
  return rc == KPW_DONE ? KPW_OK : rc;
}

typedef struct pay_ctx {
  run *R;
  kpw_buf out;
} pay_ctx;

/* Parties that are banks: agents, institutions, sender/receiver BICs and
** correspondents are screened as organisations. */
static bool is_bank_role(const char *role) {
  static const char *const marks[] = {"institution", "agent", "sender", "receiver", "correspondent"};
  for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
    if (role && strstr(role, marks[i])) return true;
  return false;
}

static bool on_payment(void *vctx, const kpw_payment *p) {
  pay_ctx *c = vctx;
  run *R = c->R;
  for (size_t i = 0; i < p->n_parties; i++) {
    const kpw_party *pt = &p->parties[i];
    if (!pt->name && !pt->bic) continue;
    qrec *r = &R->ck->recs[0];
    rec_init(r);
    R->ck->n = 1;
    add_name(r, R->ck->arena, pt->name);
    add_id(r, R->ck->arena, KPW_ID_BIC, pt->bic);
    r->q.country = pt->country;
    r->line = p->line;
    r->q.schema = is_bank_role(pt->role) ? KPW_SCHEMA_ORGANIZATION : KPW_SCHEMA_ANY;
    r->q.birth_date = pt->birth_date;
    /* 50F/59F identifiers such as "CCPT/KP/381420754": passport numbers. */
    if (pt->identifier && !strncmp(pt->identifier, "CCPT/", 5)) {
      const char *num = strchr(pt->identifier + 5, '/');
      add_id(r, R->ck->arena, KPW_ID_PASSPORT, num ? num + 1 : pt->identifier + 5);
    }
    r->hits = R->ck->hits;
    r->n_hits = kpw_screen(R->scr, &r->q, R->o->threshold, R->o->cutoff, r->hits, R->o->limit);
    bool any = false;
    for (size_t k = 0; k < r->n_hits; k++) any |= r->hits[k].match;
    R->n_matches += any;
    kpw_buf *b = &c->out;
    kpw_buf_puts(b, "{\"id\":");
    char idbuf[512];
    snprintf(idbuf, sizeof idbuf, "%s/%s", p->ref ? p->ref : "", pt->role);
    kpw_json_str(b, idbuf);
    kpw_buf_puts(b, ",\"format\":");
    kpw_json_str(b, p->format);
    kpw_buf_puts(b, ",\"ref\":");
    kpw_json_str(b, p->ref);
    kpw_buf_printf(b, ",\"line\":%llu,\"role\":", (unsigned long long)p->line);
    kpw_json_str(b, pt->role);
    kpw_buf_puts(b, ",\"field\":");
    kpw_json_str(b, pt->field);
    kpw_buf_puts(b, ",\"party\":");
    kpw_json_str(b, pt->name);
    if (pt->bic) { kpw_buf_puts(b, ",\"bic\":"); kpw_json_str(b, pt->bic); }
    if (pt->country) { kpw_buf_puts(b, ",\"country\":"); kpw_json_str(b, pt->country); }
    kpw_buf_putc(b, ',');
    write_hits_json(b, r);
    kpw_buf_puts(b, "}\n");
    R->ck->n = 0;
  }
  fwrite(c->out.data, 1, c->out.len, stdout);
  kpw_buf_reset(&c->out);
  return true;
}

int cmd_screen(int argc, char **argv) {
  enum { O_CUTOFF = 256, O_FORMAT, O_FAIL, O_PAY, O_NAME, O_SCHEMA, O_DOB, O_COUNTRY,
         O_IMO, O_MMSI, O_CRYPTO, O_PASSPORT, O_FINDINGS, O_ACTOR };
  static const struct option lopts[] = {
    {"list", required_argument, 0, 'l'}, {"threshold", required_argument, 0, 't'},
    {"limit", required_argument, 0, 'n'}, {"threads", required_argument, 0, 'j'},
    {"cutoff", required_argument, 0, O_CUTOFF}, {"format", required_argument, 0, O_FORMAT},
    {"fail-on-hit", no_argument, 0, O_FAIL}, {"payments", required_argument, 0, O_PAY},
    {"name", required_argument, 0, O_NAME}, {"schema", required_argument, 0, O_SCHEMA},
    {"dob", required_argument, 0, O_DOB}, {"birth-date", required_argument, 0, O_DOB},
    {"country", required_argument, 0, O_COUNTRY}, {"imo", required_argument, 0, O_IMO},
    {"mmsi", required_argument, 0, O_MMSI}, {"crypto", required_argument, 0, O_CRYPTO},
    {"passport", required_argument, 0, O_PASSPORT}, {"findings", no_argument, 0, O_FINDINGS},
    {"actor", required_argument, 0, O_ACTOR},
    {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  opts o = {0};
  o.threshold = KPW_DEFAULT_THRESHOLD;
  o.cutoff = -1;
  o.limit = 5;
  o.threads = 2;
  const char **lists = kpw_xcalloc((size_t)argc + 1, sizeof *lists);
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "l:t:n:j:h", lopts, NULL)) != -1) {
    char *end;
    switch (c) {
      case 'l': lists[o.n_lists++] = optarg; break;
      case 't':
        o.threshold = strtod(optarg, &end);
        if (*end || o.threshold < 0 || o.threshold > 1) { free(lists); return cli_usage_error("screen", "--threshold must be in 0..1"); }
        break;
      case O_CUTOFF:
        o.cutoff = strtod(optarg, &end);
        if (*end || o.cutoff < 0 || o.cutoff > 1) { free(lists); return cli_usage_error("screen", "--cutoff must be in 0..1"); }
        break;
      case 'n': {
        long v = strtol(optarg, &end, 10);
        if (*end || v < 1 || v > 500) { free(lists); return cli_usage_error("screen", "--limit must be 1..500"); }
        o.limit = (size_t)v;
        break;
      }
      case 'j': {
        long v = strtol(optarg, &end, 10);
        if (*end || v < 1 || v > 64) { free(lists); return cli_usage_error("screen", "--threads must be 1..64"); }
        o.threads = (int)v;
        break;
      }
      case O_FORMAT:
        if (!strcmp(optarg, "table")) o.table = true;
        else if (strcmp(optarg, "jsonl") && strcmp(optarg, "json")) { free(lists); return cli_usage_error("screen", "--format is jsonl or table"); }
        break;
      case O_FAIL: o.fail_on_hit = true; break;
      case O_FINDINGS: o.findings = true; break;
      case O_PAY: o.payments = optarg; break;
      case O_NAME: o.name = optarg; break;
      case O_SCHEMA: o.schema = optarg; break;
      case O_DOB: o.dob = optarg; break;
      case O_COUNTRY: o.country = optarg; break;
      case O_IMO: o.imo = optarg; break;
      case O_MMSI: o.mmsi = optarg; break;
      case O_CRYPTO: o.crypto = optarg; break;
      case O_PASSPORT: o.passport = optarg; break;
      case O_ACTOR: o.actor = optarg; break;
      case 'h': free(lists); help(); return EXIT_OK;
      default: free(lists); return cli_usage_error("screen", "bad option");
    }
  }
  if (o.cutoff < 0) o.cutoff = o.threshold > 0.2 ? o.threshold - 0.2 : 0;
  if (o.cutoff > o.threshold) o.cutoff = o.threshold;
  bool single = o.name || o.imo || o.mmsi || o.crypto || o.passport;
  const char *input = optind < argc ? argv[optind] : "-";
  if (argc - optind > 1) { free(lists); return cli_usage_error("screen", "one input file at a time"); }
  if (single && optind < argc) { free(lists); return cli_usage_error("screen", "--name and an input file are exclusive"); }
  kpw_schema schema = KPW_SCHEMA_ANY;
  if (o.schema && !kpw_schema_parse(o.schema, &schema)) { free(lists); return cli_usage_error("screen", "unknown schema '%s'", o.schema); }

  kpw_error err = {0};
  kpw_listset *ls = kpw_listset_new();
  kpw_screener *scr = NULL;
  run R = {0};
  int exit_code = EXIT_OK;
  kpw_result rc = cli_load_lists(ls, lists, o.n_lists, &err);
  if (rc == KPW_OK) rc = kpw_screener_new(ls, &scr, &err);
  if (rc == KPW_OK && g_cli.db) rc = kpw_store_open(g_cli.db, &R.store, &err);
  if (rc == KPW_OK) {
    R.o = &o;
    R.scr = scr;
    R.ck = chunk_new(o.limit);
    R.lists_json = kpw_listset_versions_json(ls);
    if (o.payments) {
      pay_ctx pc = {&R, {0}};
      kpw_buf_init(&pc.out);
      rc = kpw_payments_read(o.payments, on_payment, &pc, &err);
      kpw_buf_free(&pc.out);
    } else if (single) {
      qrec *r = &R.ck->recs[0];
      rec_init(r);
      add_name(r, R.ck->arena, o.name);
      add_id(r, R.ck->arena, KPW_ID_IMO, o.imo);
      add_id(r, R.ck->arena, KPW_ID_MMSI, o.mmsi);
      add_id(r, R.ck->arena, KPW_ID_CRYPTO, o.crypto);
      add_id(r, R.ck->arena, KPW_ID_PASSPORT, o.passport);
      r->q.schema = schema;
      r->q.birth_date = o.dob;
      r->q.country = o.country;
      r->id_raw = "1";
      R.ck->n = 1;
      kpw_buf out;
      kpw_buf_init(&out);
      uint64_t seq = 0;
      rc = flush_chunk(&R, &out, &seq, "command line", &err);
      kpw_buf_free(&out);
    } else {
      rc = screen_stream(&R, input, &err);
    }
  }
  if (rc != KPW_OK) exit_code = cli_fail(&err);
  else if (o.fail_on_hit && R.n_matches) exit_code = EXIT_HIT;
  if (cli_progress_enabled() && rc == KPW_OK)
    fprintf(stderr, "kpwatch: screening done, %zu queries matched\n", R.n_matches);
  chunk_free(R.ck);
  free(R.lists_json);
  if (R.store) kpw_store_close(R.store);
  kpw_screener_free(scr);
  kpw_listset_free(ls);
  free(lists);
  return exit_code;
}
