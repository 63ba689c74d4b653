/*
** plain_csv.c -- loader for in-house lists as CSV with a header row.
**
** Columns (case-insensitive; unknown columns are ignored):
**   name | names          required; "names" may hold several, ';'-separated
**   id                    the list's reference (else the line number)
**   schema | type         Person, Organization, Vessel, Aircraft, ...
**   aliases | alias       ';'-separated;  weak_aliases: ';'-separated, weak
**   birth_date | dob | birthdate
**   country | countries | nationality   names or ISO codes, ';'-separated
**   imo, mmsi, passport, national_id, bic
**   crypto | wallet       ';'-separated, optionally "CHAIN:address"
**   programs | program    ';'-separated
**   remarks | notes
** Ids are "CSV:<id>" (or "CSV:<line>"). Rows are streamed (kpw_csv, 1 MiB
** per record cap); a broken quote is a KPW_EINPUT error naming the line.
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lists/lists_internal.h"

enum { C_ID, C_NAME, C_NAMES, C_SCHEMA, C_ALIASES, C_WEAK, C_DOB, C_COUNTRY, C_IMO, C_MMSI,
       C_PASSPORT, C_NATID, C_BIC, C_CRYPTO, C_PROGRAMS, C_REMARKS, C_N };

static int column_of(const char *h) {
  static const struct { const char *n; int c; } T[] = {
    { "id", C_ID }, { "name", C_NAME }, { "names", C_NAMES }, { "schema", C_SCHEMA }, { "type", C_SCHEMA },
    { "aliases", C_ALIASES }, { "alias", C_ALIASES }, { "weak_aliases", C_WEAK },
    { "birth_date", C_DOB }, { "dob", C_DOB }, { "birthdate", C_DOB }, { "date_of_birth", C_DOB },
    { "country", C_COUNTRY }, { "countries", C_COUNTRY }, { "nationality", C_COUNTRY },
    { "imo", C_IMO }, { "mmsi", C_MMSI }, { "passport", C_PASSPORT }, { "national_id", C_NATID },
    { "bic", C_BIC }, { "swift", C_BIC }, { "crypto", C_CRYPTO }, { "wallet", C_CRYPTO },
    { "programs", C_PROGRAMS }, { "program", C_PROGRAMS }, { "remarks", C_REMARKS }, { "notes", C_REMARKS },
  };
  char k[64];
  size_t n = 0;
  while (*h == ' ') h++;
  for (; *h && n < sizeof k - 1; h++) k[n++] = (char)tolower((unsigned char)*h);
  while (n && k[n - 1] == ' ') n--;
  k[n] = 0;
  for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) if (!strcmp(k, T[i].n)) return T[i].c;
  return -1;
}

typedef void (*item_fn)(kpw_ebuild *b, const char *item);

/* Call fn for each ';'-separated, trimmed, non-empty item. */
static void each_item(kpw_ebuild *b, const char *v, item_fn fn) {
  if (!v) return;
  const char *t = eb_str(b, v, strlen(v));
  char *buf = kpw_arena_strdup(b->a, t);
  char *save = NULL;
  for (char *it = strtok_r(buf, ";", &save); it; it = strtok_r(NULL, ";", &save)) {
    while (*it == ' ') it++;
    size_t n = strlen(it);
    while (n && it[n - 1] == ' ') it[--n] = 0;
    if (*it) fn(b, it);
  }
}

static void i_name(kpw_ebuild *b, const char *v) { eb_name(b, v, KPW_NAME_ALIAS, -1, false); }
static void i_weak(kpw_ebuild *b, const char *v) { eb_name(b, v, KPW_NAME_ALIAS, -1, true); }
static void i_dob(kpw_ebuild *b, const char *v) { eb_dob(b, v); }
static void i_country(kpw_ebuild *b, const char *v) { eb_country_text(b, v); }
static void i_imo(kpw_ebuild *b, const char *v) { eb_ident(b, KPW_ID_IMO, v, "imo", NULL); }
static void i_mmsi(kpw_ebuild *b, const char *v) { eb_ident(b, KPW_ID_MMSI, v, "mmsi", NULL); }
static void i_passport(kpw_ebuild *b, const char *v) { eb_ident(b, KPW_ID_PASSPORT, v, "passport", NULL); }
static void i_natid(kpw_ebuild *b, const char *v) { eb_ident(b, KPW_ID_NATIONAL, v, "national_id", NULL); }
static void i_bic(kpw_ebuild *b, const char *v) { eb_ident(b, KPW_ID_BIC, v, "bic", NULL); }
static void i_program(kpw_ebuild *b, const char *v) { eb_program(b, v); }
static void i_crypto(kpw_ebuild *b, const char *v) {
  /* "ETH:0xabc..." -> chain ETH; "bitcoincash:q..." is an address form. */
  const char *colon = strchr(v, ':');
  if (colon && colon - v >= 2 && colon - v <= 6 && strncasecmp(v, "bitcoincash", 11) != 0 &&
      strncasecmp(v, "ecash", 5) != 0 && strncasecmp(v, "bchtest", 7) != 0) {
    bool upper = true;
    for (const char *p = v; p < colon; p++) if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p)) upper = false;
    if (upper) {
      char chain[8];
      snprintf(chain, sizeof chain, "%.*s", (int)(colon - v), v);
      eb_ident(b, KPW_ID_CRYPTO, colon + 1, "crypto", chain);
      return;
    }
  }
  eb_ident(b, KPW_ID_CRYPTO, v, "crypto", NULL);
}

kpw_result kpw__load_plain_csv(kpw_load_ctx *c) {
  kpw_input_file *st = NULL;
  FILE *f = kpw__input_fopen(c->in, &st);
  if (!f) return kpw_error_set(c->err, KPW_EIO, c->source, 0, 0, "cannot read");
  kpw_csv *csv = NULL;
  kpw_result r = kpw_csv_open(f, c->source, ',', &csv, c->err);
  kpw_ebuild *b = eb_new(c->ls);
  int col[C_N];
  for (int i = 0; i < C_N; i++) col[i] = -1;
  bool header = true;
  while (r == KPW_OK) {
    const char **fl; size_t n;
    r = kpw_csv_next(csv, &fl, &n, c->err);
    if (r != KPW_OK) break;
    if (header) {
      header = false;
      for (size_t i = 0; i < n && i < 4096; i++) {
        int k = column_of(fl[i]);
        if (k >= 0 && col[k] < 0) col[k] = (int)i;
      }
      if (col[C_NAME] < 0 && col[C_NAMES] < 0) {
        r = kpw_error_set(c->err, KPW_EINPUT, c->source, kpw_csv_line(csv), 0,
                          "CSV header has no 'name' or 'names' column");
        break;
      }
      continue;
    }
    if (n == 1 && fl[0][0] == 0) continue;  /* blank line */
#define F(k) ((col[k] >= 0 && (size_t)col[k] < n) ? fl[col[k]] : NULL)
    eb_begin(b);
    const char *id = F(C_ID);
    char ref[32];
    if (!id || !*id) { snprintf(ref, sizeof ref, "%llu", (unsigned long long)kpw_csv_line(csv)); id = ref; }
    eb_id(b, "CSV", id);
    b->e.list = c->info->name;
    kpw_schema sch = KPW_SCHEMA_ANY;
    if (F(C_SCHEMA) && *F(C_SCHEMA)) kpw_schema_parse(F(C_SCHEMA), &sch);
    b->e.schema = sch;
    if (F(C_NAME)) eb_name(b, F(C_NAME), KPW_NAME_PRIMARY, -1, false);
    each_item(b, F(C_NAMES), i_name);
    each_item(b, F(C_ALIASES), i_name);
    each_item(b, F(C_WEAK), i_weak);
    each_item(b, F(C_DOB), i_dob);
    each_item(b, F(C_COUNTRY), i_country);
    each_item(b, F(C_IMO), i_imo);
    each_item(b, F(C_MMSI), i_mmsi);
    each_item(b, F(C_PASSPORT), i_passport);
    each_item(b, F(C_NATID), i_natid);
    each_item(b, F(C_BIC), i_bic);
    each_item(b, F(C_CRYPTO), i_crypto);
    each_item(b, F(C_PROGRAMS), i_program);
    if (F(C_REMARKS)) eb_remarks(b, F(C_REMARKS));
#undef F
    if (!eb_finish(b)) {
      r = kpw_error_set(c->err, KPW_EINPUT, c->source, kpw_csv_line(csv), 0,
                        "row has no name and no identifier");
      break;
    }
  }
  if (r == KPW_DONE) r = KPW_OK;
  kpw_result re = kpw__input_file_error(st, c->err);
  if (re != KPW_OK) r = re;
  kpw_csv_close(csv);
  fclose(f);
  kpw__input_file_free(st);
  eb_free(b);
  return r;
}
