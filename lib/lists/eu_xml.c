/*
** eu_xml.c -- loader for the EU Financial Sanctions Files XML
** ("xmlFullSanctionsList_1_1": <export generationDate=...> with one
** <sanctionEntity logicalId=... euReferenceNumber=... designationDate=...>
** per subject holding regulation/@programme, subjectType/@code,
** nameAlias (wholeName, firstName/middleName/lastName, gender, strong),
** citizenship/@countryIso2Code, birthdate (birthdate, year/monthOfYear/
** dayOfMonth, yearRangeFrom/yearRangeTo), identification (number,
** identificationTypeCode: passport, id, imo, swiftbic, regnumber, other...)
** and remark).
**
** Mapping: id "EU:<logicalId>", ref logicalId, programs from
** regulation/@programme ("PRK"), strong="false" -> weak name, the first
** strong nameAlias is the primary name; list date from generationDate.
** The FSF has no vessel subject type: an "enterprise" with a ship-valid
** IMO number that is not also company-valid (or whose name has no company
** word) is mapped to Vessel (documented in docs/lists.md).
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lists/lists_internal.h"

typedef struct {
  kpw_load_ctx *c;
  kpw_ebuild *b;
  bool in_ent;
  int depth, ent_depth;
  bool person, have_primary;
  const char *eu_ref, *un_ref;
} eu_state;

static const char *A(const char **atts, const char *n) {
  const char *v = kpw_xml_attr(atts, n);
  return (v && *v) ? v : NULL;
}

static void add_name(eu_state *s, const char **atts) {
  kpw_ebuild *b = s->b;
  const char *whole = A(atts, "wholeName");
  char joined[4096];
  if (!whole) {
    const char *parts[3] = { A(atts, "firstName"), A(atts, "middleName"), A(atts, "lastName") };
    size_t k = 0;
    joined[0] = 0;
    for (int i = 0; i < 3; i++) {
      if (!parts[i]) continue;
      int w = snprintf(joined + k, sizeof joined - k, "%s%s", k ? " " : "", parts[i]);
      if (w < 0 || (size_t)w >= sizeof joined - k) break;
      k += (size_t)w;
    }
    if (!k) return;
    whole = joined;
  }
  const char *strong = A(atts, "strong");
  bool weak = strong && !strcasecmp(strong, "false");
  kpw_name_kind kind = KPW_NAME_ALIAS;
  if (!weak && !s->have_primary) { kind = KPW_NAME_PRIMARY; s->have_primary = true; }
  eb_name(b, whole, kind, -1, weak);
  const char *g = A(atts, "gender");
  if (g && !b->e.gender) eb_gender(b, g);
}

static void add_birth(eu_state *s, const char **atts) {
  const char *full = A(atts, "birthdate");
  if (full) { eb_dob(s->b, full); return; }
  const char *y = A(atts, "year"), *m = A(atts, "monthOfYear"), *d = A(atts, "dayOfMonth");
  if (y) { eb_dob_ymd(s->b, atoi(y), m ? atoi(m) : 0, (m && d) ? atoi(d) : 0); return; }
  const char *f = A(atts, "yearRangeFrom"), *t = A(atts, "yearRangeTo");
  if (f && t && atoi(t) >= atoi(f) && atoi(t) - atoi(f) <= 10) {
    for (int yy = atoi(f); yy <= atoi(t); yy++) eb_dob_ymd(s->b, yy, 0, 0);
  } else {
    if (f) eb_dob_ymd(s->b, atoi(f), 0, 0);
    if (t) eb_dob_ymd(s->b, atoi(t), 0, 0);
  }
}

static void add_ident(eu_state *s, const char **atts) {
  const char *num = A(atts, "number");
  if (!num) num = A(atts, "latinNumber");
  if (!num) return;
  const char *code = A(atts, "identificationTypeCode");
  const char *desc = A(atts, "identificationTypeDescription");
  kpw_id_kind kind = KPW_ID_NATIONAL;
  if (code) {
    if (!strcasecmp(code, "passport")) kind = KPW_ID_PASSPORT;
    else if (!strcasecmp(code, "imo")) kind = KPW_ID_IMO;
    else if (!strcasecmp(code, "swiftbic")) kind = KPW_ID_BIC;
    else if (!strcasecmp(code, "mmsi")) kind = KPW_ID_MMSI;
    else if (!strcasecmp(code, "other") || !strcasecmp(code, "fiscalcode")) kind = KPW_ID_OTHER;
  }
  eb_ident(s->b, kind, num, desc ? desc : code, NULL);
}

static bool company_word(const char *n) {
  static const char *W[] = { "company", "co.", "co ", "ltd", "limited", "corporation", "corp", "shipping",
                              "trading", "group", "bank", "inc", "llc", "gmbh", NULL };
  for (int i = 0; W[i]; i++) if (strcasestr(n, W[i])) return true;
  return false;
}

static void end_entity(kpw_xml *x, eu_state *s) {
  kpw_ebuild *b = s->b;
  kpw_entity *e = &b->e;
  e->schema = s->person ? KPW_SCHEMA_PERSON : KPW_SCHEMA_ORGANIZATION;
  if (!s->person) {
    for (uint32_t i = 0; i < e->n_ids; i++) {
      if (e->ids[i].kind != KPW_ID_IMO) continue;
      int m = kpw__imo_schemes(e->ids[i].value);
      const char *nm = e->n_names ? b->names[0].text : "";
      if (m == 1 || (m == 3 && !company_word(nm))) { e->schema = KPW_SCHEMA_VESSEL; break; }
    }
  }
  if (s->eu_ref || s->un_ref) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s%s%s", s->eu_ref ? "EU reference " : "", s->eu_ref ? s->eu_ref : "",
             s->un_ref ? (s->eu_ref ? "; UN reference " : "UN reference ") : "", s->un_ref ? s->un_ref : "");
    eb_remarks(b, buf);
  }
  e->list = s->c->info->name;
  if (!eb_finish(b)) kpw_xml_fail(x, "sanctionEntity %s has no name", e->id);
}

static void eu_start(kpw_xml *x, void *ud, const char *n, const char **atts) {
  eu_state *s = ud;
  s->depth++;
  if (!s->in_ent) {
    if (!strcmp(n, "export")) {
      kpw_date d;
      const char *g = A(atts, "generationDate");
      if (g && kpw_date_parse(g, &d)) {
        char buf[16];
        kpw_date_format(&d, buf);
        s->c->info->date = kpw_listset_intern(s->c->ls, buf);
      }
    } else if (!strcmp(n, "sanctionEntity")) {
      const char *lid = A(atts, "logicalId");
      if (!lid) { kpw_xml_fail(x, "sanctionEntity without logicalId"); return; }
      s->in_ent = true;
      s->ent_depth = s->depth;
      s->person = false;
      s->have_primary = false;
      eb_begin(s->b);
      eb_id(s->b, "EU", lid);
      s->eu_ref = A(atts, "euReferenceNumber") ? eb_str(s->b, A(atts, "euReferenceNumber"), strlen(A(atts, "euReferenceNumber"))) : NULL;
      s->un_ref = A(atts, "unitedNationId") ? eb_str(s->b, A(atts, "unitedNationId"), strlen(A(atts, "unitedNationId"))) : NULL;
      kpw_date d;
      const char *dd = A(atts, "designationDate");
      if (dd && kpw_date_parse(dd, &d)) {
        char buf[16];
        kpw_date_format(&d, buf);
        s->b->e.listed_on = eb_str(s->b, buf, strlen(buf));
      }
    }
    return;
  }
  if (s->depth != s->ent_depth + 1) return;   /* only direct children */
  if (!strcmp(n, "regulation")) eb_program(s->b, A(atts, "programme"));
  else if (!strcmp(n, "subjectType")) {
    const char *code = A(atts, "code");
    const char *cls = A(atts, "classificationCode");
    s->person = (code && !strcasecmp(code, "person")) || (cls && !strcasecmp(cls, "P"));
  } else if (!strcmp(n, "nameAlias")) add_name(s, atts);
  else if (!strcmp(n, "citizenship")) {
    const char *c = A(atts, "countryIso2Code");
    if (c && strcmp(c, "00") != 0) eb_country_iso2(s->b, c);
    else eb_country_text(s->b, A(atts, "countryDescription"));
  } else if (!strcmp(n, "birthdate")) add_birth(s, atts);
  else if (!strcmp(n, "identification")) add_ident(s, atts);
}

static void eu_end(kpw_xml *x, void *ud, const char *n, const char *text, size_t len) {
  (void)x;
  eu_state *s = ud;
  if (s->in_ent) {
    if (s->depth == s->ent_depth && !strcmp(n, "sanctionEntity")) {
      end_entity(x, s);
      s->in_ent = false;
    } else if (s->depth == s->ent_depth + 1 && !strcmp(n, "remark") && len) {
      eb_remarks(s->b, eb_str(s->b, text, len));
    }
  }
  s->depth--;
}

kpw_result kpw__load_eu_xml(kpw_load_ctx *c) {
  eu_state s;
  memset(&s, 0, sizeof s);
  s.c = c;
  s.b = eb_new(c->ls);
  kpw_result r = kpw_xml_run(c->in, c->source, eu_start, eu_end, &s, c->err);
  eb_free(s.b);
  return r;
}
