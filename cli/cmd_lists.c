/*
** cmd_lists.c -- `kpwatch lists load|show|update|verify`: watchlists into the
** SQLite store, what the store holds, and fetching the official UN and
** OFAC lists.
**
** `lists verify` checks the stored copies and the audit hash chain.
**
** Invariants (docs/cmd-lists.md):
**  - Nothing in the store changes unless every file of the command parsed
**    and verified; all lists of one command are written in one transaction.
**  - The store keeps the exact bytes that were parsed (a copy the store
**    checks against the digest the loader took), so `screen --db` reloads
**    the same list without the original file.
**  - `update` downloads into private temporary files with libcurl (TLS
**    verification on, https/file only, timeouts, a size cap), verifies,
**    and only then swaps; on any failure it exits 4 and says the stored
**    lists are unchanged.
** Front-end code: public headers only.
*/
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_DB CLI_DEFAULT_DB
#define URL_UN "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
#define URL_OFAC \
  "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML"
#define MAX_FILES 64
#define MAX_CHECKSUM_BYTES (1u << 20)

/* ------------------------------------------------------------------ help */

static void help_lists(FILE *out) {
  fprintf(out,
    "usage: kpwatch [--db FILE] lists <load|show|update> [options]\n\n"
    "Manage the watchlists kept in the store (default store: ./" DEFAULT_DB ").\n\n"
    "  load [--name NAME] FILE...   parse list files and store them (with a copy\n"
    "                               of their bytes, so the store is self-contained)\n"
    "  show [NAME] [--format table] the lists in the store; --entity ID prints one\n"
    "                               entity of the stored lists as JSON\n"
    "  update [--name UN|OFAC]...   fetch the official UN and OFAC lists, verify\n"
    "                               them and swap them in atomically\n"
    "  verify                       check the stored list copies against their\n"
    "                               digests and the audit log's hash chain\n\n"
    "Run 'kpwatch lists <subcommand> --help' for details.\n"
    "Exit codes: 0 ok, 2 usage, 3 bad input, 4 I/O, network or internal error.\n");
}

static void help_load(void) {
  printf(
    "usage: kpwatch [--db FILE] lists load [--name NAME] FILE...\n\n"
    "Parses each list file (format detected from its content: UN XML, OFAC\n"
    "advanced XML (.xml or .xml.bz2), OFAC legacy CSV, EU FSF XML, OpenSanctions\n"
    "FtM JSON lines, plain CSV) and stores it under its list name (UN, OFAC, ...\n"
    "or NAME), replacing a stored list of that name. All files are parsed\n"
    "first; if any fails, nothing is stored (exit 3, with the file, line and\n"
    "offset). Prints one JSON line per list: name, format, date, entities,\n"
    "sha256, source.\n\n"
    "  --name NAME   store under this name (only with a single FILE)\n");
}

static void help_show(void) {
  printf(
    "usage: kpwatch [--db FILE] lists show [NAME] [--format jsonl|table]\n"
    "       kpwatch [--db FILE] lists show --entity ID\n\n"
    "Prints the lists in the store, one JSON line each (name, format, source,\n"
    "date, entities, sha256, loaded_at), or a table with --format table.\n"
    "With NAME only that list (exit 3 if the store has no such list).\n"
    "--entity ID loads the stored lists and prints the entity (\"UN:KPi.033\",\n"
    "\"OFAC:27307\", or a bare reference when unambiguous) as one JSON object.\n");
}

static void help_update(void) {
  printf(
    "usage: kpwatch [--db FILE] lists update [--name UN|OFAC]... [options]\n\n"
    "Downloads the official lists, verifies them and replaces the stored\n"
    "copies in one transaction:\n"
    "  UN    " URL_UN "\n"
    "  OFAC  " URL_OFAC "\n"
    "A download must parse, have the expected format, hold at least half the\n"
    "entities of the stored version and not be older than it (unless\n"
    "--force), and match a checksum when one is given. On any failure, or\n"
    "offline, nothing is changed and the exit code is 4.\n\n"
    "  --name L             update only list L (UN or OFAC; repeatable); without\n"
    "                       it, the lists whose --url-* is given, else both\n"
    "  --url-un URL         fetch the UN list from URL (https:// or file://)\n"
    "  --url-ofac URL       fetch the OFAC SDN advanced XML from URL\n"
    "  --sha256-un HEX      require this SHA-256 of the UN download\n"
    "  --sha256-ofac HEX    require this SHA-256 of the OFAC download\n"
    "  --checksum-url-ofac URL  require the OFAC download's SHA-256 to appear in\n"
    "                       the text at URL (e.g. OFAC's published hash values)\n"
    "  --timeout SECONDS    give up a download after this long (default 600)\n"
    "  --max-bytes N        refuse downloads larger than N bytes (default 768 MiB)\n"
    "  --force              accept a shrunken or older list\n");
}

static void help_verify(void) {
  printf(
    "usage: kpwatch [--db FILE] lists verify\n\n"
    "Checks the integrity of the store: every stored list copy decompresses\n"
    "and matches the SHA-256 taken when it was stored, and the audit log's\n"
    "hash chain is unbroken (an edited or deleted audit row breaks it).\n"
    "Prints one JSON line per list and one for the audit log; exit 3 if\n"
    "anything is broken.\n");
}

/* ------------------------------------------------------------------ utils */

static const char *db_path(void) {
  if (g_cli.db) return g_cli.db;
  if (!g_cli.quiet) fprintf(stderr, "kpwatch: using the store ./" DEFAULT_DB "\n");
  return DEFAULT_DB;
}

/* "--opt VALUE" or "--opt=VALUE": returns the value and advances *i, or
** NULL when argv[*i] is not this option. *missing is set when the value is
** absent. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt,
                             bool *missing) {
  size_t n = strlen(opt);
  const char *a = argv[*i];
  if (strncmp(a, opt, n) != 0) return NULL;
  if (a[n] == '=') return a + n + 1;
  if (a[n] != 0) return NULL;
  if (*i + 1 >= argc) { *missing = true; return NULL; }
  return argv[++*i];
}

static bool is_help(const char *a) {
  return !strcmp(a, "--help") || !strcmp(a, "-h");
}

/* Read a whole regular file into memory (NUL-terminated), at most cap
** bytes. */
static kpw_result read_file(const char *path, size_t cap, char **out,
                            size_t *n, kpw_error *err) {
  *out = NULL;
  *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s",
                         strerror(errno));
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
    fclose(f);
    return kpw_error_set(err, KPW_EIO, path, 0, 0, "not a regular file");
  }
  if ((uint64_t)sb.st_size > cap) {
    fclose(f);
    return kpw_error_set(err, KPW_ENOMEM, path, 0, 0,
                         "file of %lld bytes exceeds the cap of %zu bytes",
                         (long long)sb.st_size, cap);
  }
  size_t want = (size_t)sb.st_size;
  char *buf = kpw_xmalloc(want + 1);
  size_t got = fread(buf, 1, want, f);
  int c = fgetc(f);
  bool bad = ferror(f);
  fclose(f);
  if (bad || got != want || c != EOF) {
    free(buf);
    return kpw_error_set(err, KPW_EIO, path, 0, 0,
                         "the file changed or could not be read while loading");
  }
  buf[want] = 0;
  *out = buf;
  *n = want;
  return KPW_OK;
}

static void json_listinfo(kpw_buf *b, const kpw_listinfo *li,
                          const char *loaded_at) {
  kpw_buf_putc(b, '{');
  kpw_json_key(b, "name"); kpw_json_str(b, li->name);
  kpw_buf_putc(b, ','); kpw_json_key(b, "format"); kpw_json_str(b, li->format);
  kpw_buf_putc(b, ','); kpw_json_key(b, "date"); kpw_json_str(b, li->date);
  kpw_buf_putc(b, ','); kpw_json_key(b, "entities"); kpw_json_int(b, li->n_entities);
  kpw_buf_putc(b, ','); kpw_json_key(b, "sha256"); kpw_json_str(b, li->sha256);
  kpw_buf_putc(b, ','); kpw_json_key(b, "source"); kpw_json_str(b, li->source);
  if (loaded_at) {
    kpw_buf_putc(b, ',');
    kpw_json_key(b, "loaded_at");
    kpw_json_str(b, loaded_at);
  }
}

static void print_line(kpw_buf *b) {
  kpw_buf_putc(b, '\n');
  fwrite(b->data, 1, b->len, stdout);
  kpw_buf_reset(b);
}

/* A copy of a list's info that outlives the listset it came from. */
typedef struct saved_info {
  char name[128], format[64], source[1024], date[32], sha256[72];
  uint32_t n_entities;
  bool found;
} saved_info;

static void save_info(saved_info *s, const kpw_listinfo *li) {
  snprintf(s->name, sizeof s->name, "%s", li->name ? li->name : "");
  snprintf(s->format, sizeof s->format, "%s", li->format ? li->format : "");
  snprintf(s->source, sizeof s->source, "%s", li->source ? li->source : "");
  snprintf(s->date, sizeof s->date, "%s", li->date ? li->date : "");
  snprintf(s->sha256, sizeof s->sha256, "%s", li->sha256 ? li->sha256 : "");
  s->n_entities = li->n_entities;
  s->found = true;
}

typedef struct find_ctx { const char *name; saved_info *out; } find_ctx;
static bool find_cb(void *vctx, const kpw_listinfo *li, const char *at) {
  (void)at;
  find_ctx *c = vctx;
  if (li->name && strcmp(li->name, c->name) == 0) {
    save_info(c->out, li);
    return false;
  }
  return true;
}

/* ------------------------------------------------------------------ load */

typedef struct pending {
  const char *path;
  char *data;
  size_t n;
  const kpw_listinfo *li;
} pending;

static int cmd_load(int argc, char **argv) {
  const char *name = NULL;
  const char *files[MAX_FILES];
  size_t nfiles = 0;
  for (int i = 1; i < argc; i++) {
    bool missing = false;
    const char *v;
    if (is_help(argv[i])) { help_load(); return EXIT_OK; }
    if ((v = opt_value(argc, argv, &i, "--name", &missing))) { name = v; continue; }
    if (missing) return cli_usage_error("lists load", "%s needs a value", argv[i]);
    if (argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0)
      return cli_usage_error("lists load", "unknown option '%s'", argv[i]);
    if (!strcmp(argv[i], "--")) { i++; for (; i < argc && nfiles < MAX_FILES; i++) files[nfiles++] = argv[i]; break; }
    if (!strcmp(argv[i], "-"))
      return cli_usage_error("lists load", "lists are loaded from files, not standard input");
    if (nfiles == MAX_FILES)
      return cli_usage_error("lists load", "at most %d files at once", MAX_FILES);
    files[nfiles++] = argv[i];
  }
  if (nfiles == 0) return cli_usage_error("lists load", "no list file given");
  if (name && nfiles > 1)
    return cli_usage_error("lists load", "--name applies to a single FILE");
  if (name && (!*name || strlen(name) > 100))
    return cli_usage_error("lists load", "--name must be 1..100 bytes");

  kpw_error err = {0};
  kpw_listset *ls = kpw_listset_new();
  pending p[MAX_FILES];
  memset(p, 0, sizeof p);
  int rc = EXIT_OK;
  kpw_store *st = NULL;

  /* 1. Parse and read everything; the store is not touched yet. */
  for (size_t i = 0; i < nfiles; i++) {
    size_t before = kpw_listset_nlists(ls);
    size_t ents_before = kpw_listset_count(ls);
    kpw_result r = kpw_list_load(ls, files[i], name, &err);
    if (r != KPW_OK) {
      if (err.code == KPW_OK) err.code = r;
      rc = cli_fail(&err);
      goto out;
    }
    if (kpw_listset_nlists(ls) != before + 1) {
      kpw_error_set(&err, KPW_EINTERNAL, files[i], 0, 0,
                    "the loader produced %zu lists from one file",
                    kpw_listset_nlists(ls) - before);
      rc = cli_fail(&err);
      goto out;
    }
    p[i].path = files[i];
    p[i].li = kpw_listset_list(ls, before);
    if (kpw_listset_count(ls) == ents_before || p[i].li->n_entities == 0) {
      kpw_error_set(&err, KPW_EINPUT, files[i], 0, 0,
                    "the file holds no entities; nothing was stored");
      rc = cli_fail(&err);
      goto out;
    }
    for (size_t k = 0; k < i; k++) {
      if (!strcmp(p[k].li->name, p[i].li->name)) {
        rc = cli_usage_error("lists load",
                             "%s and %s are both list '%s'; load them "
                             "separately with --name", p[k].path, p[i].path,
                             p[i].li->name);
        goto out;
      }
    }
    kpw_result rr = read_file(files[i], KPW_STORE_MAX_LIST_BYTES, &p[i].data,
                              &p[i].n, &err);
    if (rr != KPW_OK) { rc = cli_fail(&err); goto out; }
  }

  /* 2. Store all of them in one transaction. */
  kpw_result r = kpw_store_open(db_path(), &st, &err);
  if (r == KPW_OK) r = kpw_store_begin(st, &err);
  for (size_t i = 0; r == KPW_OK && i < nfiles; i++) {
    /* Record where the file was, absolute, for the provenance of the list. */
    kpw_listinfo li = *p[i].li;
    char *abs = realpath(p[i].path, NULL);
    if (abs) li.source = abs;
    r = kpw_store_put_list_data(st, &li, p[i].data, p[i].n, &err);
    free(abs);
  }
  if (r == KPW_OK) {
    r = kpw_store_commit(st, &err);
  } else if (st) {
    kpw_error e2;
    kpw_store_rollback(st, &e2);
  }
  if (r != KPW_OK) {
    rc = cli_fail(&err);
    fprintf(stderr, "kpwatch: nothing was stored\n");
    goto out;
  }
  kpw_buf b;
  kpw_buf_init(&b);
  for (size_t i = 0; i < nfiles; i++) {
    /* The legacy CSV set reads alt/add/comments files beside sdn.csv; the
    ** store keeps one file per list, so say what a reload will lack. */
    if (p[i].li->format && strstr(p[i].li->format, "legacy-csv"))
      fprintf(stderr, "kpwatch: warning: %s: only this file is kept in the "
              "store, not the alt/add/comments files beside it; lists "
              "reloaded from the store lack their names and addresses (the "
              "advanced XML is complete in one file)\n", p[i].path);
    json_listinfo(&b, p[i].li, NULL);
    kpw_buf_putc(&b, '}');
    print_line(&b);
  }
  kpw_buf_free(&b);
out:
  for (size_t i = 0; i < nfiles; i++) free(p[i].data);
  kpw_store_close(st);
  kpw_listset_free(ls);
  return rc;
}

/* ------------------------------------------------------------------ show */

typedef struct show_ctx {
  const char *only;
  bool table;
  size_t n;
  kpw_buf b;
} show_ctx;

static bool show_cb(void *vctx, const kpw_listinfo *li, const char *at) {
  show_ctx *c = vctx;
  if (c->only && strcmp(c->only, li->name)) return true;
  c->n++;
  if (c->table) {
    char sha[13];
    snprintf(sha, sizeof sha, "%s", li->sha256 ? li->sha256 : "");
    printf("%-10s %-20s %-10s %9u  %-27s %-12s %s\n", li->name,
           li->format ? li->format : "-", li->date && *li->date ? li->date : "-",
           li->n_entities, at ? at : "-", sha, li->source ? li->source : "-");
  } else {
    json_listinfo(&c->b, li, at);
    kpw_buf_putc(&c->b, '}');
    print_line(&c->b);
  }
  return true;
}





static int show_entity(kpw_store *st, const char *id) {
  kpw_error err = {0};
  kpw_listset *ls = kpw_listset_new();
  size_t n_lists = 0;
  int rc = EXIT_OK;
  kpw_result r = cli_load_stored_lists(st, ls, &n_lists, &err);
  if (r != KPW_OK) {
    if (err.code == KPW_OK) err.code = r;
    rc = cli_fail(&err);
  } else {
    const kpw_entity *e = kpw_listset_find(ls, id);
    if (!e) {
      kpw_error_set(&err, KPW_EINPUT, db_path(), 0, 0,
                    "no entity '%s' in the %zu stored list%s", id, n_lists,
                    n_lists == 1 ? "" : "s");
      rc = cli_fail(&err);
    } else {
      kpw_buf b;
      kpw_buf_init(&b);
      kpw_entity_json(e, &b);
      print_line(&b);
      kpw_buf_free(&b);
    }
  }
  kpw_listset_free(ls);
  return rc;
}

static int cmd_show(int argc, char **argv) {
  const char *only = NULL, *entity = NULL, *format = "jsonl";
  for (int i = 1; i < argc; i++) {
    bool missing = false;
    const char *v;
    if (is_help(argv[i])) { help_show(); return EXIT_OK; }
    if ((v = opt_value(argc, argv, &i, "--format", &missing))) { format = v; continue; }
    if (!missing && (v = opt_value(argc, argv, &i, "--entity", &missing))) { entity = v; continue; }
    if (missing) return cli_usage_error("lists show", "%s needs a value", argv[i]);
    if (argv[i][0] == '-')
      return cli_usage_error("lists show", "unknown option '%s'", argv[i]);
    if (only) return cli_usage_error("lists show", "one list NAME at most");
    only = argv[i];
  }
  bool table = !strcmp(format, "table");
  if (!table && strcmp(format, "jsonl") && strcmp(format, "json"))
    return cli_usage_error("lists show", "--format is jsonl or table, not '%s'", format);
  if (entity && only)
    return cli_usage_error("lists show", "--entity takes no list NAME");

  const char *path = db_path();
  kpw_error err = {0};
  if (access(path, F_OK) != 0) {
    kpw_error_set(&err, KPW_EIO, path, 0, 0,
                  "no store here; load lists first with 'kpwatch --db %s "
                  "lists load FILE'", path);
    return cli_fail(&err);
  }
  kpw_store *st = NULL;
  if (kpw_store_open(path, &st, &err) != KPW_OK) return cli_fail(&err);
  int rc = EXIT_OK;
  if (entity) {
    rc = show_entity(st, entity);
  } else {
    show_ctx c = {only, table, 0, {0}};
    kpw_buf_init(&c.b);
    if (table)
      printf("%-10s %-20s %-10s %9s  %-27s %-12s %s\n", "NAME", "FORMAT",
             "DATE", "ENTITIES", "LOADED_AT", "SHA256", "SOURCE");
    if (kpw_store_lists(st, show_cb, &c, &err) != KPW_OK) rc = cli_fail(&err);
    else if (only && c.n == 0) {
      kpw_error_set(&err, KPW_EINPUT, path, 0, 0, "no list named '%s' in the store", only);
      rc = cli_fail(&err);
    }
    kpw_buf_free(&c.b);
  }
  kpw_store_close(st);
  return rc;
}

/* ------------------------------------------------------------------ update */

typedef struct fetch {
  FILE *f;
  size_t got, cap;
  bool over;
  kpw_buf *mem;        /* in-memory target instead of f */
} fetch;

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud) {
  fetch *ft = ud;
  size_t n = size * nmemb;
  if (n > ft->cap - ft->got) { ft->over = true; return 0; }
  ft->got += n;
  if (ft->mem) { kpw_buf_put(ft->mem, p, n); return n; }
  return fwrite(p, 1, n, ft->f);
}

static bool url_ok(const char *url) {
  return !strncasecmp(url, "https://", 8) || !strncasecmp(url, "file://", 7);
}

/* Download url into f or mem (one of them), at most cap bytes. On failure
** err says "cannot reach URL: <curl error>". */
static kpw_result download(const char *url, FILE *f, kpw_buf *mem, size_t cap,
                           long timeout_s, kpw_error *err) {
  if (!url_ok(url))
    return kpw_error_set(err, KPW_EUSAGE, url, 0, 0,
                         "only https:// and file:// URLs are accepted");
  CURL *h = curl_easy_init();
  if (!h) return kpw_error_set(err, KPW_EINTERNAL, url, 0, 0, "libcurl init failed");
  char ebuf[CURL_ERROR_SIZE] = "";
  fetch ft = {f, 0, cap, false, mem};
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &ft);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,file");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
  /* A stalled transfer (< 1 KiB/s for a minute) is given up early. */
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cap);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_USERAGENT, "kpwatch/" KPW_VERSION);
  CURLcode cc = curl_easy_perform(h);
  curl_easy_cleanup(h);
  if (ft.over || cc == CURLE_FILESIZE_EXCEEDED)
    return kpw_error_set(err, KPW_EIO, url, 0, 0,
                         "download exceeds the cap of %zu bytes", cap);
  if (cc != CURLE_OK) {
    kpw_result r = (cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_CONNECT ||
                    cc == CURLE_COULDNT_RESOLVE_PROXY || cc == CURLE_OPERATION_TIMEDOUT)
                       ? KPW_EOFFLINE : KPW_EIO;
    return kpw_error_set(err, r, "lists update", 0, 0, "cannot reach %s: %s", url,
                         ebuf[0] ? ebuf : curl_easy_strerror(cc));
  }
  if (f && (fflush(f) != 0 || ferror(f)))
    return kpw_error_set(err, KPW_EIO, url, 0, 0,
                         "cannot write the download to a temporary file");
  return KPW_OK;
}

typedef struct target {
  const char *name;          /* "UN" / "OFAC" */
  const char *url;
  const char *fmt_prefix;    /* expected format family */
  const char *sha256;        /* required digest or NULL */
  const char *checksum_url;  /* text that must contain the digest, or NULL */
  bool wanted;
  char tmp[256];
  char *data;
  size_t n;
  saved_info now, prev;
  const char *status;
} target;

static bool hex64(const char *s) {
  if (!s || strlen(s) != 64) return false;
  for (const char *p = s; *p; p++)
    if (!strchr("0123456789abcdefABCDEF", *p)) return false;
  return true;
}

/* Fetch one list, parse and verify it. On success t->data holds the bytes
** and t->now the parsed info. */
static kpw_result fetch_verify(kpw_store *st, target *t, long timeout_s,
                               size_t cap, bool force, kpw_error *err) {
  const char *tmpdir = getenv("TMPDIR");
  snprintf(t->tmp, sizeof t->tmp, "%s/kpwatch-update-XXXXXX",
           tmpdir && *tmpdir ? tmpdir : "/tmp");
  int fd = mkstemp(t->tmp);
  if (fd < 0) {
    t->tmp[0] = 0;
    return kpw_error_set(err, KPW_EIO, "update", 0, 0,
                         "cannot create a temporary file: %s", strerror(errno));
  }
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    close(fd);
    return kpw_error_set(err, KPW_EIO, t->tmp, 0, 0, "fdopen: %s", strerror(errno));
  }
  if (!g_cli.quiet) fprintf(stderr, "kpwatch: fetching %s ...\n", t->url);
  kpw_result r = download(t->url, f, NULL, cap, timeout_s, err);
  if (fclose(f) != 0 && r == KPW_OK)
    r = kpw_error_set(err, KPW_EIO, t->tmp, 0, 0, "cannot write the download");
  if (r) return r;

  /* Parse the download as a list: it must be the expected format. */
  kpw_listset *ls = kpw_listset_new();
  r = kpw_list_load(ls, t->tmp, t->name, err);
  if (r == KPW_OK && kpw_listset_nlists(ls) != 1)
    r = kpw_error_set(err, KPW_EINPUT, t->url, 0, 0, "not a single list");
  if (r == KPW_OK) {
    save_info(&t->now, kpw_listset_list(ls, 0));
    snprintf(t->now.source, sizeof t->now.source, "%s", t->url);
  } else if (err->code == KPW_OK) {
    err->code = r;
  }
  kpw_listset_free(ls);
  if (r) {
    /* Point at the URL, not the private temporary file. */
    snprintf(err->source, sizeof err->source, "%s", t->url);
    return r;
  }
  if (strncmp(t->now.format, t->fmt_prefix, strlen(t->fmt_prefix)) != 0)
    return kpw_error_set(err, KPW_EINPUT, t->url, 0, 0,
                         "expected a %s list, got format '%s'", t->fmt_prefix,
                         t->now.format);
  if (t->now.n_entities == 0)
    return kpw_error_set(err, KPW_EINPUT, t->url, 0, 0, "the list is empty");

  /* Digest checks. */
  if (t->sha256 && strcasecmp(t->sha256, t->now.sha256) != 0)
    return kpw_error_set(err, KPW_EINPUT, t->url, 0, 0,
                         "SHA-256 %s does not match the required %s",
                         t->now.sha256, t->sha256);
  if (t->checksum_url) {
    kpw_buf txt;
    kpw_buf_init(&txt);
    r = download(t->checksum_url, NULL, &txt, MAX_CHECKSUM_BYTES, 60, err);
    bool found = false;
    if (r == KPW_OK) {
      size_t k = strlen(t->now.sha256);
      for (size_t i = 0; !found && txt.len >= k && i <= txt.len - k; i++)
        found = strncasecmp(txt.data + i, t->now.sha256, k) == 0;
    }
    kpw_buf_free(&txt);
    if (r) return r;
    if (!found)
      return kpw_error_set(err, KPW_EINPUT, t->url, 0, 0,
                           "SHA-256 %s is not among the published checksums at %s",
                           t->now.sha256, t->checksum_url);
  }

  /* Compare with the stored version. */
  find_ctx fc = {t->name, &t->prev};
  if ((r = kpw_store_lists(st, find_cb, &fc, err))) return r;
  if (t->prev.found && !force) {
    if ((uint64_t)t->now.n_entities * 2 < t->prev.n_entities)
      return kpw_error_set(err, KPW_EINPUT, t->url, 0, 0,
                           "the download holds %u entities, less than half of "
                           "the %u stored (use --force to accept)",
                           t->now.n_entities, t->prev.n_entities);
    if (t->now.date[0] && t->prev.date[0] &&
        strcmp(t->now.date, t->prev.date) < 0)
      return kpw_error_set(err, KPW_EINPUT, t->url, 0, 0,
                           "the download is dated %s, older than the stored "
                           "%s (use --force to accept)", t->now.date,
                           t->prev.date);
  }
  return read_file(t->tmp, cap, &t->data, &t->n, err);
}

static void json_update(kpw_buf *b, const target *t) {
  kpw_buf_putc(b, '{');
  kpw_json_key(b, "name"); kpw_json_str(b, t->name);
  kpw_buf_putc(b, ','); kpw_json_key(b, "status"); kpw_json_str(b, t->status);
  kpw_buf_putc(b, ','); kpw_json_key(b, "format"); kpw_json_str(b, t->now.format);
  kpw_buf_putc(b, ','); kpw_json_key(b, "date");
  kpw_json_str(b, t->now.date[0] ? t->now.date : NULL);
  kpw_buf_putc(b, ','); kpw_json_key(b, "entities"); kpw_json_int(b, t->now.n_entities);
  kpw_buf_putc(b, ','); kpw_json_key(b, "previous_entities");
  if (t->prev.found) kpw_json_int(b, t->prev.n_entities);
  else kpw_buf_puts(b, "null");
  kpw_buf_putc(b, ','); kpw_json_key(b, "sha256"); kpw_json_str(b, t->now.sha256);
  kpw_buf_putc(b, ','); kpw_json_key(b, "url"); kpw_json_str(b, t->url);
  kpw_buf_putc(b, '}');
}

static int cmd_update(int argc, char **argv) {
  target T[2] = {
    {.name = "UN", .url = URL_UN, .fmt_prefix = "un"},
    {.name = "OFAC", .url = URL_OFAC, .fmt_prefix = "ofac"},
  };
  bool any_named = false, force = false, url_given[2] = {false, false};
  long timeout_s = 600;
  size_t cap = KPW_STORE_MAX_LIST_BYTES;
  for (int i = 1; i < argc; i++) {
    bool missing = false;
    const char *v;
    if (is_help(argv[i])) { help_update(); return EXIT_OK; }
    if (!strcmp(argv[i], "--force")) { force = true; continue; }
    if ((v = opt_value(argc, argv, &i, "--url-un", &missing))) { T[0].url = v; url_given[0] = true; continue; }
    if (!missing && (v = opt_value(argc, argv, &i, "--url-ofac", &missing))) { T[1].url = v; url_given[1] = true; continue; }
    if (!missing && (v = opt_value(argc, argv, &i, "--sha256-un", &missing))) { T[0].sha256 = v; continue; }
    if (!missing && (v = opt_value(argc, argv, &i, "--sha256-ofac", &missing))) { T[1].sha256 = v; continue; }
    if (!missing && (v = opt_value(argc, argv, &i, "--checksum-url-ofac", &missing))) { T[1].checksum_url = v; continue; }
    if (!missing && (v = opt_value(argc, argv, &i, "--timeout", &missing))) {
      char *end;
      long t = strtol(v, &end, 10);
      if (*end || t < 1 || t > 86400)
        return cli_usage_error("lists update", "--timeout takes 1..86400 seconds");
      timeout_s = t;
      continue;
    }
    if (!missing && (v = opt_value(argc, argv, &i, "--max-bytes", &missing))) {
      char *end;
      unsigned long long m = strtoull(v, &end, 10);
      if (*end || m < 1024 || m > KPW_STORE_MAX_LIST_BYTES)
        return cli_usage_error("lists update", "--max-bytes takes 1024..%zu",
                               KPW_STORE_MAX_LIST_BYTES);
      cap = (size_t)m;
      continue;
    }
    if (!missing && (v = opt_value(argc, argv, &i, "--name", &missing))) {
      any_named = true;
      if (!strcasecmp(v, "UN")) T[0].wanted = true;
      else if (!strcasecmp(v, "OFAC")) T[1].wanted = true;
      else return cli_usage_error("lists update", "--name is UN or OFAC, not '%s'", v);
      continue;
    }
    if (missing) return cli_usage_error("lists update", "%s needs a value", argv[i]);
    return cli_usage_error("lists update", "unexpected argument '%s'", argv[i]);
  }
  /* Without --name: the lists whose URL was given, else both. */
  if (!any_named) {
    bool any_url = url_given[0] || url_given[1];
    T[0].wanted = !any_url || url_given[0];
    T[1].wanted = !any_url || url_given[1];
  }
  for (int k = 0; k < 2; k++) {
    if (!T[k].wanted) continue;
    if (!url_ok(T[k].url))
      return cli_usage_error("lists update", "%s URL must be https:// or file://: %s",
                             T[k].name, T[k].url);
    if (T[k].sha256 && !hex64(T[k].sha256))
      return cli_usage_error("lists update", "--sha256-%s takes 64 hex digits",
                             k ? "ofac" : "un");
    if (T[k].checksum_url && !url_ok(T[k].checksum_url))
      return cli_usage_error("lists update", "checksum URL must be https:// or file://");
  }

  kpw_error err = {0};
  kpw_store *st = NULL;
  int rc = EXIT_OK;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    kpw_error_set(&err, KPW_EINTERNAL, "update", 0, 0, "libcurl init failed");
    return cli_fail(&err);
  }
  kpw_result r = kpw_store_open(db_path(), &st, &err);
  /* 1. Fetch and verify every wanted list; the store is only read. */
  for (int k = 0; r == KPW_OK && k < 2; k++)
    if (T[k].wanted) r = fetch_verify(st, &T[k], timeout_s, cap, force, &err);
  /* 2. Swap all of them in one transaction. */
  if (r == KPW_OK) r = kpw_store_begin(st, &err);
  if (r == KPW_OK) {
    for (int k = 0; r == KPW_OK && k < 2; k++) {
      if (!T[k].wanted) continue;
      if (T[k].prev.found && !strcmp(T[k].prev.sha256, T[k].now.sha256)) {
        T[k].status = "unchanged";
        continue;
      }
      T[k].status = T[k].prev.found ? "updated" : "added";
      kpw_listinfo li = {T[k].now.name, T[k].now.format, T[k].now.source,
                         T[k].now.date[0] ? T[k].now.date : NULL,
                         T[k].now.sha256, T[k].now.n_entities};
      r = kpw_store_put_list_data(st, &li, T[k].data, T[k].n, &err);
    }
    if (r == KPW_OK) r = kpw_store_commit(st, &err);
    else { kpw_error e2; kpw_store_rollback(st, &e2); }
  }
  if (r != KPW_OK) {
    if (err.code == KPW_OK) err.code = r;
    char buf[1024];
    fprintf(stderr, "kpwatch: %s; the stored lists are unchanged\n",
            kpw_error_format(&err, buf, sizeof buf));
    rc = EXIT_IOERR;
  } else {
    kpw_buf b;
    kpw_buf_init(&b);
    for (int k = 0; k < 2; k++) {
      if (!T[k].wanted) continue;
      json_update(&b, &T[k]);
      print_line(&b);
    }
    kpw_buf_free(&b);
  }
  for (int k = 0; k < 2; k++) {
    if (T[k].tmp[0]) unlink(T[k].tmp);
    free(T[k].data);
  }
  kpw_store_close(st);
  curl_global_cleanup();
  return rc;
}

/* ------------------------------------------------------------------ verify */

typedef struct verify_ctx {
  kpw_store *st;
  size_t bad;
  kpw_buf b;
} verify_ctx;

static bool verify_cb(void *vctx, const kpw_listinfo *li, const char *at) {
  (void)at;
  verify_ctx *c = vctx;
  void *data = NULL;
  size_t n = 0;
  kpw_error err = {0};
  kpw_result r = kpw_store_get_list_data(c->st, li->name, &data, &n, &err);
  free(data);
  kpw_buf_putc(&c->b, '{');
  kpw_json_key(&c->b, "list"); kpw_json_str(&c->b, li->name);
  kpw_buf_putc(&c->b, ','); kpw_json_key(&c->b, "ok");
  kpw_buf_puts(&c->b, r == KPW_OK ? "true" : "false");
  kpw_buf_putc(&c->b, ','); kpw_json_key(&c->b, "bytes"); kpw_json_int(&c->b, (int64_t)n);
  if (r != KPW_OK) {
    kpw_buf_putc(&c->b, ','); kpw_json_key(&c->b, "error"); kpw_json_str(&c->b, err.msg);
    c->bad++;
  }
  kpw_buf_putc(&c->b, '}');
  print_line(&c->b);
  return true;
}

static int cmd_verify(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i])) { help_verify(); return EXIT_OK; }
    return cli_usage_error("lists verify", "unexpected argument '%s'", argv[i]);
  }
  const char *path = db_path();
  kpw_error err = {0};
  if (access(path, F_OK) != 0) {
    kpw_error_set(&err, KPW_EIO, path, 0, 0, "no store here");
    return cli_fail(&err);
  }
  kpw_store *st = NULL;
  if (kpw_store_open(path, &st, &err) != KPW_OK) return cli_fail(&err);
  verify_ctx c = {st, 0, {0}};
  kpw_buf_init(&c.b);
  int rc = EXIT_OK;
  if (kpw_store_lists(st, verify_cb, &c, &err) != KPW_OK) {
    rc = cli_fail(&err);
  } else {
    uint64_t rows = 0;
    kpw_result r = kpw_store_audit_verify(st, &rows, &err);
    kpw_buf_putc(&c.b, '{');
    kpw_json_key(&c.b, "audit_rows"); kpw_json_int(&c.b, (int64_t)rows);
    kpw_buf_putc(&c.b, ','); kpw_json_key(&c.b, "ok");
    kpw_buf_puts(&c.b, r == KPW_OK ? "true" : "false");
    if (r != KPW_OK) {
      kpw_buf_putc(&c.b, ','); kpw_json_key(&c.b, "error"); kpw_json_str(&c.b, err.msg);
    }
    kpw_buf_putc(&c.b, '}');
    print_line(&c.b);
    if (r != KPW_OK) rc = cli_fail(&err);
    else if (c.bad) {
      fprintf(stderr, "kpwatch: %zu stored list cop%s damaged; load %s again\n",
              c.bad, c.bad == 1 ? "y is" : "ies are", c.bad == 1 ? "it" : "them");
      rc = EXIT_INPUT;
    }
  }
  kpw_buf_free(&c.b);
  kpw_store_close(st);
  return rc;
}

/* ------------------------------------------------------------------ entry */

int cmd_lists(int argc, char **argv) {
  if (argc < 2) {
    help_lists(stderr);
    return EXIT_USAGE;
  }
  const char *sub = argv[1];
  if (is_help(sub) || !strcmp(sub, "help")) { help_lists(stdout); return EXIT_OK; }
  if (!strcmp(sub, "load")) return cmd_load(argc - 1, argv + 1);
  if (!strcmp(sub, "show")) return cmd_show(argc - 1, argv + 1);
  if (!strcmp(sub, "update")) return cmd_update(argc - 1, argv + 1);
  if (!strcmp(sub, "verify")) return cmd_verify(argc - 1, argv + 1);
  return cli_usage_error("lists", "unknown subcommand '%s' (load, show, update or verify)", sub);
}
