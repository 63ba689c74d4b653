/*
** ftm.c -- loader for OpenSanctions / FollowTheMoney entities as JSON lines
** ({"id":..,"schema":..,"caption":..,"properties":{prop:[values]}}).
**
** One line at a time: the line is read into a bounded buffer (FTM_MAX_LINE),
** parsed by the strict kpw_json reader (bad UTF-8, bad JSON -> KPW_EINPUT
** with the line number) into a per-line arena, mapped, and dropped.
** Only schemas that name a screenable subject are kept (Person,
** Organization/Company/LegalEntity/PublicBody, Vessel, Airplane,
** CryptoWallet); relation and detail schemata (Sanction, Ownership, Address,
** Passport, ...) are skipped and counted.
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lists/lists_internal.h"

#define FTM_MAX_LINE (16u * 1024u * 1024u)
#define FTM_CHUNK (256u * 1024u)

static bool schema_of(const char *s, kpw_schema *out) {
  if (!s) return false;
  if (!strcmp(s, "Person")) *out = KPW_SCHEMA_PERSON;
  else if (!strcmp(s, "Organization") || !strcmp(s, "Company") || !strcmp(s, "LegalEntity") ||
           !strcmp(s, "PublicBody"))
    *out = KPW_SCHEMA_ORGANIZATION;
  else if (!strcmp(s, "Vessel")) *out = KPW_SCHEMA_VESSEL;
  else if (!strcmp(s, "Airplane") || !strcmp(s, "Aircraft")) *out = KPW_SCHEMA_AIRCRAFT;
  else if (!strcmp(s, "CryptoWallet")) *out = KPW_SCHEMA_THING;
  else return false;
  return true;
}

typedef void (*each_fn)(kpw_ebuild *b, const char *v, const void *arg);

static void each_value(kpw_ebuild *b, const kpw_json *props, const char *key, each_fn fn, const void *arg) {
  const kpw_json *arr = kpw_json_get(props, key);
  if (!arr) return;
  if (arr->type == KPW_JSON_STRING) { fn(b, arr->str, arg); return; }
  if (arr->type != KPW_JSON_ARRAY) return;
  for (size_t i = 0; i < arr->len; i++)
    if (arr->items[i] && arr->items[i]->type == KPW_JSON_STRING) fn(b, arr->items[i]->str, arg);
}

static void f_alias(kpw_ebuild *b, const char *v, const void *a) { eb_name(b, v, KPW_NAME_ALIAS, -1, a != NULL); }
static void f_former(kpw_ebuild *b, const char *v, const void *a) { (void)a; eb_name(b, v, KPW_NAME_FORMER, -1, false); }
static void f_dob(kpw_ebuild *b, const char *v, const void *a) { (void)a; eb_dob(b, v); }
static void f_country(kpw_ebuild *b, const char *v, const void *a) {
  (void)a;
  if (strlen(v) == 2) eb_country_iso2(b, v); else eb_country_text(b, v);
}
static void f_gender(kpw_ebuild *b, const char *v, const void *a) { (void)a; eb_gender(b, v); }
static void f_program(kpw_ebuild *b, const char *v, const void *a) { (void)a; eb_program(b, v); }
static void f_notes(kpw_ebuild *b, const char *v, const void *a) { (void)a; eb_remarks(b, v); }

typedef struct { kpw_id_kind kind; const char *label; const char *chain; } idarg_t;
static void f_ident(kpw_ebuild *b, const char *v, const void *a) {
  const idarg_t *ia = a;
  eb_ident(b, ia->kind, v, ia->label, ia->chain);
}

static kpw_result map_line(kpw_load_ctx *c, kpw_ebuild *b, const char *line, size_t n,
                           uint64_t lineno, uint64_t *skipped) {
  kpw_arena *a = kpw_arena_new(0);
  kpw_json *j = NULL;
  kpw_result r = kpw_json_parse(line, n, a, c->source, lineno, &j, c->err);
  if (r != KPW_OK) { kpw_arena_free(a); return r; }
  if (!j || j->type != KPW_JSON_OBJECT) {
    kpw_arena_free(a);
    return kpw_error_set(c->err, KPW_EINPUT, c->source, lineno, 0, "FtM line is not a JSON object");
  }
  const char *id = kpw_json_get_str(j, "id");
  const char *sch = kpw_json_get_str(j, "schema");
  if (!id || !*id || !sch) {
    kpw_arena_free(a);
    return kpw_error_set(c->err, KPW_EINPUT, c->source, lineno, 0, "FtM entity without \"id\" or \"schema\"");
  }
  kpw_schema schema;
  if (!schema_of(sch, &schema)) { (*skipped)++; kpw_arena_free(a); return KPW_OK; }
  const kpw_json *p = kpw_json_get(j, "properties");
  eb_begin(b);
  eb_id(b, "FTM", id);
  b->e.schema = schema;
  b->e.list = c->info->name;
  const char *caption = kpw_json_get_str(j, "caption");
  /* names: the caption first when it is one of the names */
  const kpw_json *names = kpw_json_get(p, "name");
  bool caption_is_name = false;
  if (caption && names && names->type == KPW_JSON_ARRAY)
    for (size_t i = 0; i < names->len; i++)
      if (names->items[i]->type == KPW_JSON_STRING && !strcmp(names->items[i]->str, caption)) caption_is_name = true;
  if (caption_is_name) eb_name(b, caption, KPW_NAME_PRIMARY, -1, false);
  each_value(b, p, "name", f_alias, NULL);
  each_value(b, p, "alias", f_alias, NULL);
  each_value(b, p, "weakAlias", f_alias, "weak");
  each_value(b, p, "previousName", f_former, NULL);
  each_value(b, p, "birthDate", f_dob, NULL);
  each_value(b, p, "nationality", f_country, NULL);
  each_value(b, p, "citizenship", f_country, NULL);
  each_value(b, p, "country", f_country, NULL);
  each_value(b, p, "jurisdiction", f_country, NULL);
  each_value(b, p, "flag", f_country, NULL);
  each_value(b, p, "gender", f_gender, NULL);
  each_value(b, p, "programId", f_program, NULL);
  each_value(b, p, "notes", f_notes, NULL);
  static const struct { const char *prop; idarg_t arg; } IDS[] = {
    { "imoNumber", { KPW_ID_IMO, "imoNumber", NULL } },
    { "mmsi", { KPW_ID_MMSI, "mmsi", NULL } },
    { "passportNumber", { KPW_ID_PASSPORT, "passportNumber", NULL } },
    { "idNumber", { KPW_ID_NATIONAL, "idNumber", NULL } },
    { "registrationNumber", { KPW_ID_NATIONAL, "registrationNumber", NULL } },
    { "taxNumber", { KPW_ID_NATIONAL, "taxNumber", NULL } },
    { "innCode", { KPW_ID_NATIONAL, "innCode", NULL } },
    { "ogrnCode", { KPW_ID_NATIONAL, "ogrnCode", NULL } },
    { "leiCode", { KPW_ID_NATIONAL, "leiCode", NULL } },
    { "swiftBic", { KPW_ID_BIC, "swiftBic", NULL } },
    { "callSign", { KPW_ID_CALLSIGN, "callSign", NULL } },
  };
  for (size_t i = 0; i < sizeof IDS / sizeof IDS[0]; i++) each_value(b, p, IDS[i].prop, f_ident, &IDS[i].arg);
  if (schema == KPW_SCHEMA_THING) {
    const kpw_json *cur = kpw_json_get(p, "currency");
    const char *chain = (cur && cur->type == KPW_JSON_ARRAY && cur->len && cur->items[0]->type == KPW_JSON_STRING)
                          ? cur->items[0]->str : NULL;
    idarg_t ia = { KPW_ID_CRYPTO, "publicKey", chain };
    each_value(b, p, "publicKey", f_ident, &ia);
    each_value(b, p, "address", f_ident, &ia);
  }
  const char *first = kpw_json_get_str(j, "first_seen");
  kpw_date d;
  if (first && kpw_date_parse(first, &d)) {
    char buf[16];
    kpw_date_format(&d, buf);
    b->e.listed_on = eb_str(b, buf, strlen(buf));
  }
  r = KPW_OK;
  if (!eb_finish(b))
    r = kpw_error_set(c->err, KPW_EINPUT, c->source, lineno, 0, "FtM %s entity \"%s\" has no name and no identifier", sch, id);
  kpw_arena_free(a);
  return r;
}

kpw_result kpw__load_ftm(kpw_load_ctx *c) {
  kpw_ebuild *b = eb_new(c->ls);
  kpw_buf line;
  kpw_buf_init(&line);
  char *chunk = kpw_xmalloc(FTM_CHUNK);
  uint64_t lineno = 1, skipped = 0;
  kpw_result r = KPW_OK;
  bool eof = false;
  while (!eof && r == KPW_OK) {
    size_t got = 0;
    r = kpw_input_read(c->in, chunk, FTM_CHUNK, &got, c->err);
    if (r != KPW_OK) break;
    if (got == 0) { eof = true; got = 0; }
    size_t i = 0;
    while (i < got || (eof && line.len)) {
      const char *nl = i < got ? memchr(chunk + i, '\n', got - i) : NULL;
      size_t take = nl ? (size_t)(nl - (chunk + i)) : got - i;
      if (line.len + take > FTM_MAX_LINE) {
        r = kpw_error_set(c->err, KPW_EINPUT, c->source, lineno, 0, "line longer than %u bytes", FTM_MAX_LINE);
        break;
      }
      kpw_buf_put(&line, chunk + i, take);
      i += take;
      if (!nl && !eof) break;
      if (nl) i++;
      /* a complete line */
      size_t n = line.len;
      while (n && (line.data[n - 1] == '\r' || line.data[n - 1] == ' ' || line.data[n - 1] == '\t')) n--;
      size_t s0 = 0;
      while (s0 < n && (line.data[s0] == ' ' || line.data[s0] == '\t')) s0++;
      if (n > s0) r = map_line(c, b, line.data + s0, n - s0, lineno, &skipped);
      kpw_buf_reset(&line);
      lineno++;
      if (r != KPW_OK) break;
      if (!nl) break;
    }
  }
  free(chunk);
  kpw_buf_free(&line);
  eb_free(b);
  return r;
}
