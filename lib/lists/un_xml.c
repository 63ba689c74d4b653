/*
** un_xml.c -- loader for the UN Security Council consolidated list XML
** (CONSOLIDATED_LIST / INDIVIDUALS/INDIVIDUAL + ENTITIES/ENTITY).
**
** Mapping (docs/lists.md): id "UN:<REFERENCE_NUMBER>"; programs from
** UN_LIST_TYPE; primary name FIRST..FOURTH_NAME joined by spaces; aliases
** from *_ALIAS with QUALITY (Low -> weak, f.k.a. -> former); the original
** script name; dates of birth (DATE, YEAR, or each year of FROM_YEAR..TO_YEAR
** when the range spans at most 10 years); NATIONALITY -> ISO2; GENDER;
** documents (passport / national id); for entities the ENTITY_ADDRESS
** countries; IMO numbers found in COMMENTS1;
** LISTED_ON; the list date from dateGenerated.
** One record is held at a time (the builder), so memory is bounded.
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lists/lists_internal.h"

typedef enum { C_NONE, C_ALIAS, C_DOB, C_NAT, C_DOC, C_ADDR } container_t;

typedef struct {
  kpw_load_ctx *c;
  kpw_ebuild *b;
  bool in_rec;
  kpw_schema schema;
  container_t cont;
  const char *parts[4];
  /* alias */
  const char *quality, *alias_name;
  /* dob */
  const char *dob_date; int year, from_year, to_year;
  /* document */
  const char *doc_type, *doc_type2, *doc_number;
  uint64_t line;
} un_state;

static const char *txt(un_state *s, const char *t, size_t n) { return eb_str(s->b, t, n); }

static void un_start(kpw_xml *x, void *ud, const char *name, const char **atts) {
  (void)x;
  un_state *s = ud;
  if (!s->in_rec) {
    if (strcmp(name, "CONSOLIDATED_LIST") == 0) {
      const char *d = kpw_xml_attr(atts, "dateGenerated");
      kpw_date dt;
      if (d && kpw_date_parse(d, &dt)) {
        char buf[16];
        kpw_date_format(&dt, buf);
        s->c->info->date = kpw_listset_intern(s->c->ls, buf);
      }
    } else if (strcmp(name, "INDIVIDUAL") == 0 || strcmp(name, "ENTITY") == 0) {
      s->in_rec = true;
      s->schema = name[0] == 'I' ? KPW_SCHEMA_PERSON : KPW_SCHEMA_ORGANIZATION;
      eb_begin(s->b);
      memset(s->parts, 0, sizeof s->parts);
      s->cont = C_NONE;
      s->line = kpw_xml_line(x);
    }
    return;
  }
  size_t n = strlen(name);
  if (n > 6 && strcmp(name + n - 6, "_ALIAS") == 0) {
    s->cont = C_ALIAS; s->quality = s->alias_name = NULL;
  } else if (strcmp(name, "INDIVIDUAL_DATE_OF_BIRTH") == 0) {
    s->cont = C_DOB; s->dob_date = NULL; s->year = s->from_year = s->to_year = 0;
  } else if (strcmp(name, "NATIONALITY") == 0) {
    s->cont = C_NAT;
  } else if (strcmp(name, "ENTITY_ADDRESS") == 0) {
    s->cont = C_ADDR;   /* an organisation's country is where it is based */
  } else if (strcmp(name, "INDIVIDUAL_DOCUMENT") == 0) {
    s->cont = C_DOC; s->doc_type = s->doc_type2 = s->doc_number = NULL;
  }
}

static int to_year(const char *t) {
  int y = atoi(t);
  return (y >= 1000 && y <= 2999) ? y : 0;
}

static void end_alias(un_state *s) {
  if (!s->alias_name || !*s->alias_name) return;
  const char *q = s->quality ? s->quality : "";
  kpw_name_kind kind = KPW_NAME_ALIAS;
  bool weak = false;
  if (strcasecmp(q, "Low") == 0) weak = true;
  else if (strncasecmp(q, "f.k.a", 5) == 0) kind = KPW_NAME_FORMER;
  /* "Jin Tiesan (金铁三)": a romanised alias with its original script in
  ** trailing parentheses becomes two names. */
  const char *open = strrchr(s->alias_name, '(');
  size_t n = strlen(s->alias_name);
  if (open && open > s->alias_name && s->alias_name[n - 1] == ')') {
    const char *inner = eb_str(s->b, open + 1, (size_t)(s->alias_name + n - 1 - (open + 1)));
    if (*inner && kpw_script_detect(inner) != KPW_SCRIPT_LATIN) {
      eb_name(s->b, eb_str(s->b, s->alias_name, (size_t)(open - s->alias_name)), kind, -1, weak);
      eb_name(s->b, inner, kind, -1, weak);
      return;
    }
  }
  eb_name(s->b, s->alias_name, kind, -1, weak);
}

static void end_dob(un_state *s) {
  if (s->dob_date && *s->dob_date) eb_dob(s->b, s->dob_date);
  if (s->year) eb_dob_ymd(s->b, s->year, 0, 0);
  if (s->from_year && s->to_year && s->to_year >= s->from_year) {
    if (s->to_year - s->from_year <= 10) {
      for (int y = s->from_year; y <= s->to_year; y++) eb_dob_ymd(s->b, y, 0, 0);
    } else {
      eb_dob_ymd(s->b, s->from_year, 0, 0);
      eb_dob_ymd(s->b, s->to_year, 0, 0);
    }
  } else if (s->from_year) {
    eb_dob_ymd(s->b, s->from_year, 0, 0);
  } else if (s->to_year) {
    eb_dob_ymd(s->b, s->to_year, 0, 0);
  }
}

static void end_doc(un_state *s) {
  if (!s->doc_number || !*s->doc_number) return;
  const char *t = s->doc_type ? s->doc_type : "";
  kpw_id_kind kind = KPW_ID_OTHER;
  if (strcasestr(t, "passport") || strcasestr(t, "pasaporte") || strcasestr(t, "passeport"))
    kind = KPW_ID_PASSPORT;
  else if (strcasestr(t, "national") || strcasestr(t, "identification") || strcasestr(t, "identity"))
    kind = KPW_ID_NATIONAL;
  eb_ident(s->b, kind, s->doc_number, *t ? t : NULL, NULL);
}

static void end_record(un_state *s, kpw_xml *x) {
  char joined[4096];
  size_t k = 0;
  joined[0] = 0;
  for (int i = 0; i < 4; i++) {
    if (!s->parts[i] || !*s->parts[i]) continue;
    int w = snprintf(joined + k, sizeof joined - k, "%s%s", k ? " " : "", s->parts[i]);
    if (w < 0 || (size_t)w >= sizeof joined - k) break;
    k += (size_t)w;
  }
  if (k) eb_name(s->b, joined, KPW_NAME_PRIMARY, -1, false);
  if (!s->b->e.id) {
    kpw_xml_fail(x, "UN record starting at line %llu has no REFERENCE_NUMBER",
                 (unsigned long long)s->line);
    return;
  }
  s->b->e.list = s->c->info->name;
  s->b->e.schema = s->schema;
  if (!eb_finish(s->b))
    kpw_xml_fail(x, "UN record %s (line %llu) has no name", s->b->e.id, (unsigned long long)s->line);
}

static void un_end(kpw_xml *x, void *ud, const char *name, const char *text, size_t len) {
  un_state *s = ud;
  if (!s->in_rec) return;
  if (strcmp(name, "INDIVIDUAL") == 0 || strcmp(name, "ENTITY") == 0) {
    end_record(s, x);
    s->in_rec = false;
    return;
  }
  switch (s->cont) {
  case C_ALIAS:
    if (strcmp(name, "QUALITY") == 0) s->quality = txt(s, text, len);
    else if (strcmp(name, "ALIAS_NAME") == 0) s->alias_name = txt(s, text, len);
    else if (strcmp(name, "DATE_OF_BIRTH") == 0) eb_dob(s->b, txt(s, text, len));
    else if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, "_ALIAS") == 0) { end_alias(s); s->cont = C_NONE; }
    return;
  case C_DOB:
    if (strcmp(name, "DATE") == 0) s->dob_date = txt(s, text, len);
    else if (strcmp(name, "YEAR") == 0) s->year = to_year(txt(s, text, len));
    else if (strcmp(name, "FROM_YEAR") == 0) s->from_year = to_year(txt(s, text, len));
    else if (strcmp(name, "TO_YEAR") == 0) s->to_year = to_year(txt(s, text, len));
    else if (strcmp(name, "INDIVIDUAL_DATE_OF_BIRTH") == 0) { end_dob(s); s->cont = C_NONE; }
    return;
  case C_NAT:
    if (strcmp(name, "VALUE") == 0) eb_country_text(s->b, txt(s, text, len));
    else if (strcmp(name, "NATIONALITY") == 0) s->cont = C_NONE;
    return;
  case C_ADDR:
    if (strcmp(name, "COUNTRY") == 0) eb_country_text(s->b, txt(s, text, len));
    else if (strcmp(name, "ENTITY_ADDRESS") == 0) s->cont = C_NONE;
    return;
  case C_DOC:
    if (strcmp(name, "TYPE_OF_DOCUMENT") == 0) s->doc_type = txt(s, text, len);
    else if (strcmp(name, "TYPE_OF_DOCUMENT2") == 0) s->doc_type2 = txt(s, text, len);
    else if (strcmp(name, "NUMBER") == 0) s->doc_number = txt(s, text, len);
    else if (strcmp(name, "INDIVIDUAL_DOCUMENT") == 0) { end_doc(s); s->cont = C_NONE; }
    return;
  default: break;
  }
  if (strcmp(name, "FIRST_NAME") == 0) s->parts[0] = txt(s, text, len);
  else if (strcmp(name, "SECOND_NAME") == 0) s->parts[1] = txt(s, text, len);
  else if (strcmp(name, "THIRD_NAME") == 0) s->parts[2] = txt(s, text, len);
  else if (strcmp(name, "FOURTH_NAME") == 0) s->parts[3] = txt(s, text, len);
  else if (strcmp(name, "REFERENCE_NUMBER") == 0) {
    const char *r = txt(s, text, len);
    if (r && *r) eb_id(s->b, "UN", r);
  } else if (strcmp(name, "UN_LIST_TYPE") == 0) eb_program(s->b, txt(s, text, len));
  else if (strcmp(name, "LISTED_ON") == 0) {
    kpw_date d;
    if (kpw_date_parse(txt(s, text, len), &d)) {
      char buf[16];
      kpw_date_format(&d, buf);
      s->b->e.listed_on = eb_str(s->b, buf, strlen(buf));
    }
  } else if (strcmp(name, "GENDER") == 0) eb_gender(s->b, txt(s, text, len));
  else if (strcmp(name, "NAME_ORIGINAL_SCRIPT") == 0) eb_name(s->b, txt(s, text, len), KPW_NAME_ORIGINAL, -1, false);
  else if (strcmp(name, "COMMENTS1") == 0) {
    const char *t = txt(s, text, len);
    eb_remarks(s->b, t);
    char imo[16][8];
    size_t n = kpw_imo_extract(t, imo, 16);
    for (size_t i = 0; i < n; i++) eb_ident(s->b, KPW_ID_IMO, imo[i], "IMO (COMMENTS1)", NULL);
  }
}

kpw_result kpw__load_un_xml(kpw_load_ctx *c) {
  un_state s;
  memset(&s, 0, sizeof s);
  s.c = c;
  s.b = eb_new(c->ls);
  kpw_result r = kpw_xml_run(c->in, c->source, un_start, un_end, &s, c->err);
  eb_free(s.b);
  return r;
}
