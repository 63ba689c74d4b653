/*
** ofac_csv.c -- loader for the OFAC legacy CSV set: SDN.CSV (no header;
** ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
** Tonnage, GRT, Vess_flag, Vess_owner, Remarks), with ALT.CSV (strong
** aliases), ADD.CSV (addresses) and SDN_COMMENTS.CSV (remarks that did not
** fit) read from the same directory when present. "-0-" means null; the
** files may end with a DOS EOF byte (0x1A), which is skipped.
**
** The siblings are small and keyed by ent_num, so they are read first into
** side tables; sdn.csv is then streamed one row at a time. Remarks are split
** on ';' into facts: DOB, nationality/citizen, Gender, Passport and other
** documents, Digital Currency Address - XXX, Vessel Registration
** Identification IMO ..., MMSI, SWIFT/BIC, and weak a.k.a./f.k.a. names
** (OFAC puts weak aliases in the remarks and strong ones in ALT.CSV).
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lists/lists_internal.h"

#define SIDE_MAX_ROWS (4u << 20)   /* cap on sibling rows kept */

typedef struct alt_t { char type; const char *name; uint32_t next; } alt_t;
typedef struct add_t { const char *country; uint32_t next; } add_t;

typedef struct {
  kpw_load_ctx *c;
  kpw_ebuild *b;
  kpw_arena *a;
  kpw_u64map alt_head, alt_tail, add_head, add_tail, comments;
  alt_t *alts; size_t nalts, alts_cap;
  add_t *adds; size_t nadds, adds_cap;
} ocsv_state;

static bool is_null(const char *f) {
  while (*f == ' ') f++;
  if (!*f) return true;
  if (strncmp(f, "-0-", 3) == 0) {
    f += 3;
    while (*f == ' ') f++;
    return *f == 0;
  }
  return false;
}

static uint64_t ent_num(const char *f) {
  uint64_t x = 0;
  while (*f == ' ') f++;
  if (!(*f >= '0' && *f <= '9')) return 0;
  for (; *f >= '0' && *f <= '9'; f++) { x = x * 10 + (uint64_t)(*f - '0'); if (x > 0xFFFFFFFFFFull) return 0; }
  return x;
}

/* "KIM, Yong Chol" -> "KIM Yong Chol" for individuals (last name first, as
** OFAC writes it in the advanced XML). */
static const char *person_name(kpw_ebuild *b, const char *n) {
  const char *comma = strchr(n, ',');
  if (!comma) return n;
  size_t len = strlen(n);
  char *out = kpw_arena_alloc(b->a, len + 1);
  size_t k = (size_t)(comma - n);
  memcpy(out, n, k);
  out[k++] = ' ';
  const char *rest = comma + 1;
  while (*rest == ' ') rest++;
  memcpy(out + k, rest, strlen(rest) + 1);
  return out;
}

/* ------------------------------------------------------------ siblings */

typedef void (*row_fn)(ocsv_state *s, const char **f, size_t n);

/* Read one sibling CSV if it exists. Missing files are fine; bad ones are
** errors like the main file. */
static kpw_result read_sibling(ocsv_state *s, const char *dir, const char *suffix, const char *lower,
                               const char *upper, row_fn fn, kpw_error *err) {
  char path[4096];
  const char *names[2] = { lower, upper };
  kpw_input *in = NULL;
  for (int i = 0; i < 4 && !in; i++) {
    /* alt.csv, ALT.CSV, then with the main file's compression suffix */
    snprintf(path, sizeof path, "%s%s%s", dir, names[i % 2], i < 2 ? "" : suffix);
    if (i >= 2 && !*suffix) break;
    kpw_error e2;
    if (kpw_input_open(path, &in, &e2) != KPW_OK) in = NULL;
  }
  if (!in) return KPW_OK;
  kpw_input_file *st = NULL;
  FILE *f = kpw__input_fopen(in, &st);
  if (!f) { kpw_input_close(in); return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot read"); }
  kpw_csv *csv = NULL;
  kpw_result r = kpw_csv_open(f, path, ',', &csv, err);
  size_t rows = 0;
  while (r == KPW_OK) {
    const char **fields; size_t n;
    r = kpw_csv_next(csv, &fields, &n, err);
    if (r != KPW_OK) break;
    if (++rows > SIDE_MAX_ROWS) { r = kpw_error_set(err, KPW_ENOMEM, path, kpw_csv_line(csv), 0, "more than %u rows", SIDE_MAX_ROWS); break; }
    fn(s, fields, n);
  }
  if (r == KPW_DONE) r = KPW_OK;
  kpw_result re = kpw__input_file_error(st, err);
  if (re != KPW_OK) r = re;
  kpw_csv_close(csv);
  fclose(f);
  kpw__input_file_free(st);
  kpw_input_close(in);
  return r;
}

static void alt_row(ocsv_state *s, const char **f, size_t n) {
  if (n < 4) return;
  uint64_t ent = ent_num(f[0]);
  if (!ent || is_null(f[3])) return;
  if (s->nalts == s->alts_cap) {
    s->alts_cap = s->alts_cap ? s->alts_cap * 2 : 1024;
    s->alts = kpw_xrealloc(s->alts, s->alts_cap * sizeof *s->alts);
  }
  uint32_t idx = (uint32_t)s->nalts++;
  const char *t = f[2];
  while (*t == ' ') t++;
  s->alts[idx] = (alt_t){ (char)(strncasecmp(t, "fka", 3) == 0 ? 'f' : 'a'),
                          kpw_arena_strndup(s->a, f[3], strnlen(f[3], EB_MAX_STR)), UINT32_MAX };
  uint64_t tail;
  if (kpw_u64map_get(&s->alt_tail, ent, &tail)) s->alts[tail].next = idx;
  else kpw_u64map_set(&s->alt_head, ent, idx);
  kpw_u64map_set(&s->alt_tail, ent, idx);
}

static void add_row(ocsv_state *s, const char **f, size_t n) {
  if (n < 5) return;
  uint64_t ent = ent_num(f[0]);
  if (!ent || is_null(f[4])) return;
  const char *iso = kpw_country_code(f[4]);
  if (!iso) return;
  if (s->nadds == s->adds_cap) {
    s->adds_cap = s->adds_cap ? s->adds_cap * 2 : 1024;
    s->adds = kpw_xrealloc(s->adds, s->adds_cap * sizeof *s->adds);
  }
  uint32_t idx = (uint32_t)s->nadds++;
  s->adds[idx] = (add_t){ iso, UINT32_MAX };
  uint64_t tail;
  if (kpw_u64map_get(&s->add_tail, ent, &tail)) s->adds[tail].next = idx;
  else kpw_u64map_set(&s->add_head, ent, idx);
  kpw_u64map_set(&s->add_tail, ent, idx);
}

static void comment_row(ocsv_state *s, const char **f, size_t n) {
  if (n < 2) return;
  uint64_t ent = ent_num(f[0]);
  if (!ent || is_null(f[1])) return;
  uint64_t old;
  const char *prev = kpw_u64map_get(&s->comments, ent, &old) ? (const char *)(uintptr_t)old : "";
  size_t pl = strlen(prev), nl = strnlen(f[1], EB_MAX_REMARKS);
  if (pl + nl > EB_MAX_REMARKS) return;
  char *j = kpw_arena_alloc(s->a, pl + nl + 1);
  memcpy(j, prev, pl);
  memcpy(j + pl, f[1], nl);
  j[pl + nl] = 0;
  kpw_u64map_set(&s->comments, ent, (uint64_t)(uintptr_t)j);
}

/* ------------------------------------------------------------ remarks */

static bool starts(const char *s, const char *p) { return strncasecmp(s, p, strlen(p)) == 0; }

/* Value of a document fact: after the label, up to " (" / " issued" /
** " expires". */
static const char *doc_value(kpw_ebuild *b, const char *v) {
  while (*v == ' ') v++;
  size_t n = strlen(v);
  const char *cut[] = { " (", " issued", " expires", " Issued", " Expires" };
  for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
    const char *p = strstr(v, cut[i]);
    if (p && (size_t)(p - v) < n) n = (size_t)(p - v);
  }
  return eb_str(b, v, n);
}

static void quoted_name(kpw_ebuild *b, const char *v, kpw_name_kind kind, bool person) {
  while (*v == ' ') v++;
  size_t n = strlen(v);
  if (n && v[0] == '\'') { v++; n--; }
  if (n && v[n - 1] == '\'') n--;
  const char *t = eb_str(b, v, n);
  eb_name(b, person ? person_name(b, t) : t, kind, -1, true);
}

static void remark_fact(kpw_ebuild *b, char *item, bool person) {
  while (*item == ' ') item++;
  size_t n = strlen(item);
  while (n && (item[n - 1] == ' ' || item[n - 1] == '.')) item[--n] = 0;
  if (starts(item, "alt. ")) item += 5;
  if (!*item) return;
  static const struct { const char *label; kpw_id_kind kind; } DOCS[] = {
    { "Passport ", KPW_ID_PASSPORT }, { "Diplomatic Passport ", KPW_ID_PASSPORT },
    { "National ID No. ", KPW_ID_NATIONAL }, { "Cedula No. ", KPW_ID_NATIONAL },
    { "Identification Number ", KPW_ID_NATIONAL }, { "Registration Number ", KPW_ID_NATIONAL },
    { "Registration ID ", KPW_ID_NATIONAL }, { "Tax ID No. ", KPW_ID_NATIONAL },
    { "Company Number ", KPW_ID_NATIONAL }, { "Business Registration Number ", KPW_ID_NATIONAL },
    { "Personal ID Card ", KPW_ID_NATIONAL }, { "SSN ", KPW_ID_NATIONAL },
    { "Vessel Registration Identification ", KPW_ID_IMO }, { "MMSI ", KPW_ID_MMSI },
    { "SWIFT/BIC ", KPW_ID_BIC },
  };
  if (starts(item, "DOB ")) {
    const char *v = item + 4;
    const char *to = strstr(v, " to ");
    if (to) {
      kpw_date a, z;
      char first[64];
      snprintf(first, sizeof first, "%.*s", (int)(to - v), v);
      if (kpw_date_parse(first, &a) && kpw_date_parse(to + 4, &z) && z.year >= a.year && z.year - a.year <= 10) {
        for (int y = a.year; y <= z.year; y++) eb_dob_ymd(b, y, 0, 0);
        return;
      }
    }
    eb_dob(b, v);
  } else if (starts(item, "nationality ")) {
    eb_country_text(b, item + 12);
  } else if (starts(item, "citizen ")) {
    eb_country_text(b, item + 8);
  } else if (starts(item, "Gender ")) {
    eb_gender(b, item + 7);
  } else if (starts(item, "Digital Currency Address - ")) {
    const char *v = item + 27;
    const char *sp = strchr(v, ' ');
    if (!sp) return;
    char chain[16];
    snprintf(chain, sizeof chain, "%.*s", (int)((sp - v) < 15 ? (sp - v) : 15), v);
    char label[64];
    snprintf(label, sizeof label, "Digital Currency Address - %s", chain);
    eb_ident(b, KPW_ID_CRYPTO, sp + 1, label, chain);
  } else if (starts(item, "a.k.a. ") || starts(item, "n.k.a. ")) {
    quoted_name(b, item + 7, KPW_NAME_ALIAS, person);
  } else if (starts(item, "f.k.a. ")) {
    quoted_name(b, item + 7, KPW_NAME_FORMER, person);
  } else {
    for (size_t i = 0; i < sizeof DOCS / sizeof DOCS[0]; i++) {
      if (!starts(item, DOCS[i].label)) continue;
      const char *v = doc_value(b, item + strlen(DOCS[i].label));
      char label[64];
      snprintf(label, sizeof label, "%.*s", (int)(strlen(DOCS[i].label) - 1), DOCS[i].label);
      kpw_id_kind kind = DOCS[i].kind;
      char imo[2][8];
      if (kind != KPW_ID_IMO && strcasestr(v, "IMO") && kpw_imo_extract(v, imo, 2)) kind = KPW_ID_IMO;
      eb_ident(b, kind, v, label, NULL);
      return;
    }
  }
}

static void parse_remarks(kpw_ebuild *b, const char *remarks, bool person) {
  size_t n = strlen(remarks);
  char *buf = kpw_arena_alloc(b->a, n + 1);
  memcpy(buf, remarks, n + 1);
  char *save = NULL;
  for (char *item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save))
    remark_fact(b, item, person);
}

/* ------------------------------------------------------------ sdn.csv */

static bool sdn_row(ocsv_state *s, const char **f, size_t n) {
  kpw_ebuild *b = s->b;
  eb_begin(b);
  uint64_t ent = ent_num(f[0]);
  char ref[32];
  snprintf(ref, sizeof ref, "%llu", (unsigned long long)ent);
  eb_id(b, "OFAC", ref);
  const char *type = is_null(f[2]) ? "" : f[2];
  while (*type == ' ') type++;
  kpw_schema schema = KPW_SCHEMA_ORGANIZATION;
  if (!strncasecmp(type, "individual", 10)) schema = KPW_SCHEMA_PERSON;
  else if (!strncasecmp(type, "vessel", 6)) schema = KPW_SCHEMA_VESSEL;
  else if (!strncasecmp(type, "aircraft", 8)) schema = KPW_SCHEMA_AIRCRAFT;
  bool person = schema == KPW_SCHEMA_PERSON;
  b->e.schema = schema;
  b->e.list = s->c->info->name;
  if (!is_null(f[1])) {
    const char *nm = eb_str(b, f[1], strlen(f[1]));
    eb_name(b, person ? person_name(b, nm) : nm, KPW_NAME_PRIMARY, -1, false);
  }
  if (!is_null(f[3])) kpw__split_programs(b, f[3]);
  if (n > 5 && !is_null(f[5])) eb_ident(b, KPW_ID_CALLSIGN, f[5], "Vessel Call Sign", NULL);
  if (n > 9 && !is_null(f[9])) eb_country_text(b, f[9]);
  uint64_t head;
  if (kpw_u64map_get(&s->alt_head, ent, &head))
    for (uint32_t i = (uint32_t)head; i != UINT32_MAX; i = s->alts[i].next)
      eb_name(b, person ? person_name(b, s->alts[i].name) : s->alts[i].name,
              s->alts[i].type == 'f' ? KPW_NAME_FORMER : KPW_NAME_ALIAS, -1, false);
  if (!person && kpw_u64map_get(&s->add_head, ent, &head))
    for (uint32_t i = (uint32_t)head; i != UINT32_MAX; i = s->adds[i].next)
      eb_country_iso2(b, s->adds[i].country);
  /* Remarks continue in sdn_comments.csv (cut mid-token: join directly). */
  const char *rem = (n > 11 && !is_null(f[11])) ? f[11] : "";
  uint64_t cv;
  const char *more = kpw_u64map_get(&s->comments, ent, &cv) ? (const char *)(uintptr_t)cv : "";
  if (*rem || *more) {
    size_t l1 = strlen(rem), l2 = strlen(more);
    char *all = kpw_arena_alloc(b->a, l1 + l2 + 1);
    memcpy(all, rem, l1);
    memcpy(all + l1, more, l2 + 1);
    eb_remarks(b, all);
    parse_remarks(b, all, person);
  }
  return eb_finish(b) != NULL;
}

kpw_result kpw__load_ofac_csv(kpw_load_ctx *c) {
  ocsv_state s;
  memset(&s, 0, sizeof s);
  s.c = c;
  s.a = kpw_arena_new(1u << 20);
  kpw_result r = KPW_OK;
  if (c->path) {
    char dir[4096];
    const char *slash = strrchr(c->path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - c->path + 1) : 0, c->path);
    /* "sdn.csv.bz2" -> siblings may be "alt.csv.bz2" */
    const char *base = slash ? slash + 1 : c->path;
    const char *dot = strcasestr(base, ".csv");
    const char *suffix = dot ? dot + 4 : "";
    r = read_sibling(&s, dir, suffix, "alt.csv", "ALT.CSV", alt_row, c->err);
    if (r == KPW_OK) r = read_sibling(&s, dir, suffix, "add.csv", "ADD.CSV", add_row, c->err);
    if (r == KPW_OK) r = read_sibling(&s, dir, suffix, "sdn_comments.csv", "SDN_COMMENTS.CSV", comment_row, c->err);
  }
  kpw_input_file *st = NULL;
  FILE *f = NULL;
  kpw_csv *csv = NULL;
  if (r == KPW_OK) {
    f = kpw__input_fopen(c->in, &st);
    if (!f) r = kpw_error_set(c->err, KPW_EIO, c->source, 0, 0, "cannot read");
  }
  if (r == KPW_OK) r = kpw_csv_open(f, c->source, ',', &csv, c->err);
  if (r == KPW_OK) {
    s.b = eb_new(c->ls);
    for (;;) {
      const char **fields; size_t n;
      r = kpw_csv_next(csv, &fields, &n, c->err);
      if (r != KPW_OK) break;
      if (n == 1 && (fields[0][0] == 0 || (fields[0][0] == 0x1A && fields[0][1] == 0))) continue;
      if (n < 12 || !ent_num(fields[0])) {
        r = kpw_error_set(c->err, KPW_EINPUT, c->source, kpw_csv_line(csv), 0,
                          "OFAC sdn.csv row has %zu fields (expected 12) or no entity number", n);
        break;
      }
      if (!sdn_row(&s, fields, n)) {
        r = kpw_error_set(c->err, KPW_EINPUT, c->source, kpw_csv_line(csv), 0,
                          "OFAC sdn.csv row %s has no name", fields[0]);
        break;
      }
    }
    if (r == KPW_DONE) r = KPW_OK;
    kpw_result re = kpw__input_file_error(st, c->err);
    if (re != KPW_OK) r = re;
  }
  if (csv) kpw_csv_close(csv);
  if (f) fclose(f);
  kpw__input_file_free(st);
  eb_free(s.b);
  kpw_u64map_free(&s.alt_head); kpw_u64map_free(&s.alt_tail);
  kpw_u64map_free(&s.add_head); kpw_u64map_free(&s.add_tail);
  kpw_u64map_free(&s.comments);
  free(s.alts); free(s.adds);
  kpw_arena_free(s.a);
  return r;
}
