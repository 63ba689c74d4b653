/*
** builder.c -- the per-record entity builder every loader uses, and small
** helpers shared by loaders.
**
** A record is built in a kpw_ebuild whose strings live in a per-record
** arena (freed at the next eb_begin), so per-record memory is bounded by the
** caps in lists_internal.h regardless of the input. Values are normalised
** here once: names trimmed and whitespace-collapsed, dates to ISO partial
** form, countries to ISO alpha-2 lower case, identifiers per kind. Values
** dropped by a cap are counted in b->dropped (never silently: the loader
** reports the total in its list info remark).
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lists/lists_internal.h"

kpw_ebuild *eb_new(kpw_listset *ls) {
  kpw_ebuild *b = kpw_xcalloc(1, sizeof *b);
  b->ls = ls;
  b->a = kpw_arena_new(16384);
  return b;
}

void eb_free(kpw_ebuild *b) {
  if (!b) return;
  kpw_arena_free(b->a);
  free(b);
}

void eb_begin(kpw_ebuild *b) {
  kpw_arena_free(b->a);
  b->a = kpw_arena_new(16384);
  memset(&b->e, 0, sizeof b->e);
  b->e.names = b->names;
  b->e.birth_dates = b->dates;
  b->e.countries = b->countries;
  b->e.ids = b->ids;
  b->programs_len = 0;
  b->programs[0] = 0;
}

/* Trim, collapse runs of whitespace (incl. newlines, NBSP) to one space,
** and replace invalid UTF-8 bytes with U+FFFD, so every stored string is
** valid UTF-8 and a damaged byte stays visible instead of cutting the text. */
const char *eb_str(kpw_ebuild *b, const char *s, size_t n) {
  if (!s) return NULL;
  if (n > EB_MAX_STR) { n = EB_MAX_STR; b->dropped++; }
  char *out = kpw_arena_alloc(b->a, n * 3 + 1);   /* each bad byte -> 3 bytes */
  size_t k = 0;
  bool sp = false;
  size_t i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    if (c == 0) break;
    bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) { ws = true; i++; }
    if (ws) { sp = k > 0; i++; continue; }
    if (sp) { out[k++] = ' '; sp = false; }
    if (c < 0x80) { out[k++] = (char)c; i++; continue; }
    uint32_t cp;
    int len = kpw_utf8_decode(s + i, n - i, &cp);
    if (len <= 0) { memcpy(out + k, "\xEF\xBF\xBD", 3); k += 3; i++; continue; }
    memcpy(out + k, s + i, (size_t)len);
    k += (size_t)len;
    i += (size_t)len;
  }
  out[k] = 0;
  return out;
}

void eb_id(kpw_ebuild *b, const char *prefix, const char *ref) {
  const char *r = eb_str(b, ref, strlen(ref));
  size_t n = strlen(prefix) + strlen(r) + 2;
  char *id = kpw_arena_alloc(b->a, n);
  snprintf(id, n, "%s:%s", prefix, r);
  b->e.id = id;
  b->e.ref = r;
}

void eb_name(kpw_ebuild *b, const char *text, kpw_name_kind kind, int script, bool weak) {
  if (!text) return;
  const char *t = eb_str(b, text, strlen(text));
  if (!t || !*t) return;
  for (uint32_t i = 0; i < b->e.n_names; i++) {
    kpw_name *nm = &b->names[i];
    if (strcmp(nm->text, t) != 0) continue;
    /* Same spelling twice: keep the strongest reading of it. */
    if (!weak) nm->weak = false;
    if (kind == KPW_NAME_PRIMARY) nm->kind = KPW_NAME_PRIMARY;
    return;
  }
  if (b->e.n_names >= EB_MAX_NAMES) { b->dropped++; return; }
  kpw_name *nm = &b->names[b->e.n_names++];
  nm->text = t;
  nm->kind = kind;
  nm->script = script < 0 ? kpw_script_detect(t) : (kpw_script)script;
  nm->weak = weak;
}

void eb_dob_ymd(kpw_ebuild *b, int y, int m, int d) {
  if (y < 1000 || y > 2999) return;
  if (m < 0 || m > 12) m = 0;
  if (m == 0 || d < 0 || d > 31) d = 0;
  kpw_date dt = { y, m, d };
  char buf[16];
  kpw_date_format(&dt, buf);
  for (uint32_t i = 0; i < b->e.n_birth_dates; i++)
    if (strcmp(b->dates[i], buf) == 0) return;
  if (b->e.n_birth_dates >= EB_MAX_DATES) { b->dropped++; return; }
  b->dates[b->e.n_birth_dates++] = kpw_arena_strdup(b->a, buf);
}

void eb_dob(kpw_ebuild *b, const char *text) {
  kpw_date d;
  if (text && kpw_date_parse(text, &d)) eb_dob_ymd(b, d.year, d.month, d.day);
}

void eb_country_iso2(kpw_ebuild *b, const char *iso2) {
  if (!iso2 || strlen(iso2) != 2 || !isalpha((unsigned char)iso2[0]) || !isalpha((unsigned char)iso2[1]))
    return;
  char c[3] = { (char)tolower((unsigned char)iso2[0]), (char)tolower((unsigned char)iso2[1]), 0 };
  for (uint32_t i = 0; i < b->e.n_countries; i++)
    if (strcmp(b->countries[i], c) == 0) return;
  if (b->e.n_countries >= EB_MAX_COUNTRIES) { b->dropped++; return; }
  b->countries[b->e.n_countries++] = kpw_arena_strdup(b->a, c);
}

void eb_country_text(kpw_ebuild *b, const char *text) {
  const char *c = kpw_country_code(text);
  if (c) eb_country_iso2(b, c);
}

static void add_ident(kpw_ebuild *b, kpw_id_kind kind, const char *value,
                      const char *label, const char *chain) {
  if (!value || !*value) return;
  for (uint32_t i = 0; i < b->e.n_ids; i++)
    if (b->ids[i].kind == kind && strcmp(b->ids[i].value, value) == 0) return;
  if (b->e.n_ids >= EB_MAX_IDS) { b->dropped++; return; }
  kpw_ident *id = &b->ids[b->e.n_ids++];
  id->kind = kind;
  id->value = kpw_arena_strdup(b->a, value);
  id->label = label ? eb_str(b, label, strlen(label)) : NULL;
  id->chain = chain ? eb_str(b, chain, strlen(chain)) : NULL;
}

void eb_ident(kpw_ebuild *b, kpw_id_kind kind, const char *value,
              const char *label, const char *chain) {
  if (!value) return;
  size_t vl = strlen(value);
  if (vl == 0 || vl > 1024) { if (vl) b->dropped++; return; }
  char norm[1100];
  switch (kind) {
  case KPW_ID_IMO: {
    /* "IMO 9187629", "9187629", "IMO: 123456" (padded when valid). */
    char found[4][8];
    size_t n = kpw_imo_extract(value, found, 4);
    if (n == 0) {
      char digits[16]; size_t k = 0;
      for (const char *p = value; *p && k < 15; p++) if (isdigit((unsigned char)*p)) digits[k++] = *p;
      digits[k] = 0;
      if (k >= 5 && k <= 7) {
        char d[8]; memset(d, '0', 7); memcpy(d + 7 - k, digits, k); d[7] = 0;
        if (kpw_imo_check(d)) { add_ident(b, KPW_ID_IMO, d, label, NULL); return; }
      }
      /* Not a valid IMO number: keep it, but not as an IMO. */
      kpw_id_normalize(value, norm, sizeof norm);
      add_ident(b, KPW_ID_OTHER, norm, label ? label : "IMO (invalid check digit)", NULL);
      return;
    }
    for (size_t i = 0; i < n; i++) add_ident(b, KPW_ID_IMO, found[i], label, NULL);
    return;
  }
  case KPW_ID_MMSI: {
    size_t k = 0;
    for (const char *p = value; *p && k < 15; p++) if (isdigit((unsigned char)*p)) norm[k++] = *p;
    norm[k] = 0;
    if (k == 9) add_ident(b, KPW_ID_MMSI, norm, label, NULL);
    else { kpw_id_normalize(value, norm, sizeof norm); add_ident(b, KPW_ID_OTHER, norm, label ? label : "MMSI", NULL); }
    return;
  }
  case KPW_ID_CRYPTO:
    if (kpw_crypto_normalize(value, norm, sizeof norm)) add_ident(b, KPW_ID_CRYPTO, norm, label, chain);
    return;
  default:
    kpw_id_normalize(value, norm, sizeof norm);
    add_ident(b, kind, norm, label, chain);
    return;
  }
}

void eb_program(kpw_ebuild *b, const char *p) {
  if (!p) return;
  const char *t = eb_str(b, p, strlen(p));
  size_t n = strlen(t);
  if (!n) return;
  /* dedupe against "A; B; C" */
  const char *s = b->programs;
  while (*s) {
    const char *e = strstr(s, "; ");
    size_t l = e ? (size_t)(e - s) : strlen(s);
    if (l == n && memcmp(s, t, n) == 0) return;
    if (!e) break;
    s = e + 2;
  }
  if (b->programs_len + n + 3 >= EB_MAX_PROGRAMS) { b->dropped++; return; }
  if (b->programs_len) { memcpy(b->programs + b->programs_len, "; ", 2); b->programs_len += 2; }
  memcpy(b->programs + b->programs_len, t, n);
  b->programs_len += n;
  b->programs[b->programs_len] = 0;
}

void kpw__split_programs(kpw_ebuild *b, const char *text) {
  if (!text) return;
  char buf[EB_MAX_PROGRAMS];
  snprintf(buf, sizeof buf, "%s", text);
  char *save = NULL;
  for (char *tok = strtok_r(buf, ";[]", &save); tok; tok = strtok_r(NULL, ";[]", &save))
    eb_program(b, tok);
}

void eb_remarks(kpw_ebuild *b, const char *text) {
  if (!text || !*text) return;
  size_t n = strlen(text);
  if (n > EB_MAX_REMARKS) { n = EB_MAX_REMARKS; b->dropped++; }
  const char *t = eb_str(b, text, n);
  if (!*t) return;
  if (!b->e.remarks) { b->e.remarks = t; return; }
  size_t old = strlen(b->e.remarks), tl = strlen(t);
  if (old + tl + 3 > EB_MAX_REMARKS) { b->dropped++; return; }
  char *j = kpw_arena_alloc(b->a, old + tl + 4);
  memcpy(j, b->e.remarks, old);
  memcpy(j + old, " | ", 3);
  memcpy(j + old + 3, t, tl + 1);
  b->e.remarks = j;
}

void eb_gender(kpw_ebuild *b, const char *text) {
  if (!text) return;
  while (*text == ' ') text++;
  if (!strncasecmp(text, "male", 4) || !strcasecmp(text, "m")) b->e.gender = 'm';
  else if (!strncasecmp(text, "female", 6) || !strcasecmp(text, "f")) b->e.gender = 'f';
}

const kpw_entity *eb_finish(kpw_ebuild *b) {
  kpw_entity *e = &b->e;
  if (!e->id) return NULL;
  if (e->n_names == 0) {
    /* A wallet or vessel known only by its identifier is still screenable. */
    if (e->n_ids == 0) return NULL;
    eb_name(b, e->ids[0].value, KPW_NAME_PRIMARY, KPW_SCRIPT_LATIN, true);
    if (e->n_names == 0) return NULL;
  }
  /* names[0] is the primary name: the first PRIMARY, else the first strong
  ** Latin name, else the first name. */
  uint32_t p = UINT32_MAX;
  for (uint32_t i = 0; i < e->n_names; i++) if (b->names[i].kind == KPW_NAME_PRIMARY) { p = i; break; }
  if (p == UINT32_MAX) {
    for (uint32_t i = 0; i < e->n_names; i++)
      if (!b->names[i].weak && b->names[i].script == KPW_SCRIPT_LATIN) { p = i; break; }
    if (p == UINT32_MAX) p = 0;
    b->names[p].kind = KPW_NAME_PRIMARY;
  }
  if (p != 0) {
    kpw_name t = b->names[p];
    memmove(&b->names[1], &b->names[0], p * sizeof t);
    b->names[0] = t;
  }
  for (uint32_t i = 1; i < e->n_names; i++)
    if (b->names[i].kind == KPW_NAME_PRIMARY) b->names[i].kind = KPW_NAME_ALIAS;
  e->programs = b->programs_len ? b->programs : NULL;
  return kpw_listset_add(b->ls, e);
}

const char *kpw__basename(const char *path, char *out, size_t cap) {
  const char *s = strrchr(path, '/');
  s = s ? s + 1 : path;
  snprintf(out, cap, "%s", s);
  /* strip compression then format extensions */
  static const char *exts[] = { ".bz2", ".zst", ".gz", ".csv", ".tsv", ".json", ".jsonl", ".ftm", ".xml", NULL };
  for (int round = 0; round < 3; round++)
    for (int i = 0; exts[i]; i++) {
      size_t n = strlen(out), l = strlen(exts[i]);
      if (n > l && strcasecmp(out + n - l, exts[i]) == 0) out[n - l] = 0;
    }
  return out;
}
