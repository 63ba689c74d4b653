/*
** load.c -- kpw_list_load / kpw_list_load_buffer: open the input (plain,
** bzip2 or zstd), detect the list format from the first decompressed bytes
** (never from the file name), and dispatch to the format's loader.
**
** Also the stdio glue that lets the CSV loaders run kpw_csv over a
** kpw_input (fopencookie), keeping read/decompression errors as values.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lists/lists_internal.h"

/* ------------------------------------------------------------ FILE glue */

struct kpw_input_file {
  kpw_input *in;
  kpw_result res;
  kpw_error err;
};

static ssize_t cookie_read(void *c, char *buf, size_t n) {
  kpw_input_file *st = c;
  if (st->res != KPW_OK) { errno = EIO; return -1; }
  size_t got = 0;
  kpw_result r = kpw_input_read(st->in, buf, n, &got, &st->err);
  if (r != KPW_OK) { st->res = r; errno = EIO; return -1; }
  return (ssize_t)got;
}

FILE *kpw__input_fopen(kpw_input *in, kpw_input_file **state) {
  kpw_input_file *st = kpw_xcalloc(1, sizeof *st);
  st->in = in;
  cookie_io_functions_t io = { .read = cookie_read, .write = NULL, .seek = NULL, .close = NULL };
  FILE *f = fopencookie(st, "r", io);
  if (!f) { free(st); *state = NULL; return NULL; }
  *state = st;
  return f;
}

kpw_result kpw__input_file_error(kpw_input_file *st, kpw_error *err) {
  if (!st || st->res == KPW_OK) return KPW_OK;
  if (err) *err = st->err;
  return st->res;
}

void kpw__input_file_free(kpw_input_file *st) { free(st); }

/* ------------------------------------------------------------ detection */

typedef enum { FMT_UNKNOWN, FMT_UN, FMT_OFAC_XML, FMT_EU, FMT_OFAC_CSV, FMT_FTM, FMT_CSV } fmt_t;

static bool has(const char *p, size_t n, const char *needle) {
  return memmem(p, n, needle, strlen(needle)) != NULL;
}

/* The first element name after the prolog, comments and doctype. */
static void first_element(const char *p, size_t n, char *out, size_t cap) {
  out[0] = 0;
  size_t i = 0;
  while (i < n) {
    const char *lt = memchr(p + i, '<', n - i);
    if (!lt) return;
    i = (size_t)(lt - p) + 1;
    if (i < n && (p[i] == '?' || p[i] == '!')) continue;
    size_t k = 0;
    while (i < n && k + 1 < cap && p[i] != ' ' && p[i] != '>' && p[i] != '/' &&
           p[i] != '\n' && p[i] != '\r' && p[i] != '\t')
      out[k++] = p[i++];
    out[k] = 0;
    char *colon = strchr(out, ':');
    if (colon) memmove(out, colon + 1, strlen(colon));
    return;
  }
}

/* Count top-level CSV fields of the first line (quote-aware). */
static size_t csv_first_line_fields(const char *p, size_t n, bool *ofac_null) {
  size_t fields = 1;
  bool q = false;
  *ofac_null = false;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c == '"') q = !q;
    else if (!q && c == ',') fields++;
    else if (!q && (c == '\n' || c == '\r')) {
      *ofac_null = has(p, i, "-0-");
      return fields;
    }
  }
  *ofac_null = has(p, n, "-0-");
  return fields;
}

static fmt_t detect(const char *p, size_t n) {
  size_t i = 0;
  if (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) i = 3;
  while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) i++;
  if (i >= n) return FMT_UNKNOWN;
  const char *s = p + i;
  size_t m = n - i;
  if (s[0] == '<') {
    char root[64];
    first_element(s, m, root, sizeof root);
    if (strcmp(root, "CONSOLIDATED_LIST") == 0) return FMT_UN;
    if (strcmp(root, "Sanctions") == 0) return FMT_OFAC_XML;
    if (strcmp(root, "export") == 0 && (has(s, m, "sanctionEntity") || has(s, m, "fsd/export") || has(s, m, "generationDate")))
      return FMT_EU;
    return FMT_UNKNOWN;
  }
  if (s[0] == '{') return FMT_FTM;
  /* CSV: an OFAC legacy sdn.csv has no header, a number first and 12 fields. */
  bool ofac_null = false;
  size_t nf = csv_first_line_fields(s, m, &ofac_null);
  size_t k = 0;
  while (k < m && s[k] >= '0' && s[k] <= '9') k++;
  if (k > 0 && k < m && s[k] == ',' && nf == 12) return FMT_OFAC_CSV;
  /* Plain CSV: a header naming a name column. */
  const char *nl = memchr(s, '\n', m);
  size_t hl = nl ? (size_t)(nl - s) : m;
  char hdr[4096];
  size_t hn = hl < sizeof hdr - 1 ? hl : sizeof hdr - 1;
  for (size_t j = 0; j < hn; j++) hdr[j] = (char)((s[j] >= 'A' && s[j] <= 'Z') ? s[j] + 32 : s[j]);
  hdr[hn] = 0;
  char *save = NULL;
  for (char *t = strtok_r(hdr, ",;\t\r", &save); t; t = strtok_r(NULL, ",;\t\r", &save)) {
    while (*t == ' ' || *t == '"') t++;
    size_t tl = strlen(t);
    while (tl && (t[tl - 1] == ' ' || t[tl - 1] == '"')) t[--tl] = 0;
    if (!strcmp(t, "name") || !strcmp(t, "names")) return FMT_CSV;
  }
  return FMT_UNKNOWN;
}

static const char *fmt_name(fmt_t f) {
  switch (f) {
  case FMT_UN: return "un-xml";
  case FMT_OFAC_XML: return "ofac-advanced-xml";
  case FMT_EU: return "eu-fsf-xml";
  case FMT_OFAC_CSV: return "ofac-legacy-csv";
  case FMT_FTM: return "ftm-jsonl";
  case FMT_CSV: return "csv";
  default: return "unknown";
  }
}

static const char *default_list_name(fmt_t f, const char *source, char *buf, size_t cap) {
  switch (f) {
  case FMT_UN: return "UN";
  case FMT_OFAC_XML: case FMT_OFAC_CSV: return "OFAC";
  case FMT_EU: return "EU";
  case FMT_FTM: return "OpenSanctions";
  default: return kpw__basename(source, buf, cap);
  }
}

static kpw_result load_input(kpw_listset *ls, kpw_input *in, const char *source,
                             const char *path, const char *name_hint, kpw_error *err) {
  const void *pv = NULL;
  size_t n = 0;
  kpw_result r = kpw_input_peek(in, &pv, &n, err);
  if (r != KPW_OK) return r;
  if (n == 0) return kpw_error_set(err, KPW_EINPUT, source, 1, 0, "empty file (0 bytes): no list data");
  fmt_t f = detect(pv, n);
  if (f == FMT_UNKNOWN) {
    kpw_error_set(err, KPW_EINPUT, source, 1, 0,
                  "unknown list format (expected UN/OFAC/EU XML, OFAC sdn.csv, FtM JSON lines or a CSV with a name column)");
    kpw_error_excerpt(err, pv, n < 40 ? n : 40);
    return KPW_EINPUT;
  }
  char base[256];
  const char *lname = name_hint && *name_hint ? name_hint : default_list_name(f, source, base, sizeof base);
  kpw_listinfo *info = kpw_listset_begin_list(ls, lname, fmt_name(f), source);
  kpw_load_ctx c = { ls, in, source, path, name_hint, info, err };
  switch (f) {
  case FMT_UN: r = kpw__load_un_xml(&c); break;
  case FMT_OFAC_XML: r = kpw__load_ofac_xml(&c); break;
  case FMT_EU: r = kpw__load_eu_xml(&c); break;
  case FMT_OFAC_CSV: r = kpw__load_ofac_csv(&c); break;
  case FMT_FTM: r = kpw__load_ftm(&c); break;
  case FMT_CSV: r = kpw__load_plain_csv(&c); break;
  default: r = KPW_EINTERNAL; break;
  }
  if (r == KPW_OK) {
    /* Drain anything the parser left (e.g. trailing whitespace) so the
    ** digest covers the whole file. */
    char tmp[65536];
    size_t got = 0;
    do {
      r = kpw_input_read(in, tmp, sizeof tmp, &got, err);
    } while (r == KPW_OK && got > 0);
  }
  if (r == KPW_OK) {
    char hex[65];
    if (kpw_input_raw_sha256(in, hex)) info->sha256 = kpw_listset_intern(ls, hex);
  }
  return r;
}

kpw_result kpw_list_load(kpw_listset *ls, const char *path, const char *name_hint,
                         kpw_error *err) {
  if (!ls || !path) return kpw_error_set(err, KPW_EUSAGE, path ? path : "", 0, 0, "no list set or path");
  kpw_input *in = NULL;
  kpw_result r = kpw_input_open(path, &in, err);
  if (r != KPW_OK) return r;
  r = load_input(ls, in, path, strcmp(path, "-") ? path : NULL, name_hint, err);
  kpw_input_close(in);
  return r;
}

kpw_result kpw_list_load_buffer(kpw_listset *ls, const void *data, size_t n,
                                const char *source, const char *name_hint, kpw_error *err) {
  if (!ls) return kpw_error_set(err, KPW_EUSAGE, source ? source : "", 0, 0, "no list set");
  const char *src = source ? source : "(memory)";
  kpw_input *in = NULL;
  kpw_result r = kpw_input_open_mem(data, n, src, &in, err);
  if (r != KPW_OK) return r;
  r = load_input(ls, in, src, NULL, name_hint, err);
  kpw_input_close(in);
  return r;
}
