/*
** ofac_xml.c -- loader for the OFAC SDN "advanced" XML (schema version 3,
** https://sanctionslistservice.ofac.treas.gov/.../ADVANCED_XML).
**
** The file is normalised: reference value sets (feature types, document
** types, scripts, party sub-types, countries...) come first, then Locations,
** then IDRegDocuments (keyed by IdentityID), then DistinctParties (one
** Profile each), ProfileRelationships and finally SanctionsEntries (programs
** and listing dates per ProfileID). One pass suffices:
**  - reference values, location->country and identity->documents are kept
**    in compact side tables (u64 maps + the loader's arena; a few MB for the
**    full SDN) and resolved when each Profile ends;
**  - a Profile is built in the entity builder and added when it ends;
**  - programs and listing dates arrive after the parties, so they are merged
**    into the already-added entities by ProfileID (internal setters).
** Nothing of the XML itself is kept. Mapping details: docs/lists.md.
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lists/lists_internal.h"

/* Side-table key spaces: key = (space << 40) | id. */
enum { K_ALIAS = 1, K_COUNTRY, K_DETAILREF, K_FEATURE, K_DOCTYPE, K_PST, K_PST_PT,
       K_PARTYTYPE, K_SCRIPT, K_SANCTYPE, K_LOC, K_DOCHEAD, K_DOCTAIL, K_PROFILE, K_FKIND, K_LOCISO, K_DOCNAMESTATUS };
#define KEY(space, id) (((uint64_t)(space) << 40) | ((uint64_t)(id) & 0xFFFFFFFFFFull))

typedef enum { SEC_NONE, SEC_REF, SEC_LOC, SEC_DOCS, SEC_PARTIES, SEC_ENTRIES, SEC_ISSUE } section_t;

/* What a feature type means for the entity model (classified once). */
typedef enum { F_OTHER = 1, F_BIRTH, F_COUNTRY, F_GENDER, F_CRYPTO, F_CALLSIGN,
               F_BIC, F_MMSI, F_IMO, F_AIRCRAFT_ID } fkind_t;

typedef struct { int y, m, d; } ymd_t;

typedef struct doc_t { uint32_t type_id; const char *number; uint32_t next; } doc_t;

typedef struct {
  kpw_load_ctx *c;
  kpw_ebuild *b;
  kpw_arena *a;              /* side-table strings */
  kpw_u64map map;
  doc_t *docs; size_t ndocs, docs_cap;
  section_t sec;
  kpw_buf tmp;

  /* reference values */
  int ref_space; uint64_t ref_id;

  /* locations */
  uint64_t loc_id; bool loc_has_country; int loc_values; char loc_value[128];

  /* documents */
  uint32_t doc_type, doc_identity; const char *doc_number;

  /* party */
  bool in_profile;
  uint64_t profile_id, pst_id;
  uint64_t identities[8]; int n_identities;
  bool alias_primary, alias_low; uint64_t alias_type;
  uint64_t docname_status; int name_script; kpw_buf name;
  uint64_t feature_type; const char *detail_text; uint64_t detail_ref, loc_ref;
  int dp_part;               /* 0 none, 1 Start/From, 2 Start/To, 3 End/From, 4 End/To */
  bool dp_start;
  ymd_t dp[5];

  /* sanctions entries */
  bool in_entry; uint64_t entry_profile; bool in_event; bool in_measure;
  uint64_t measure_type; ymd_t event_date;
  kpw_buf programs;

  ymd_t issue;
  uint64_t line;
} ofac_state;

static const char *lookup(ofac_state *s, int space, uint64_t id) {
  uint64_t v;
  if (!kpw_u64map_get(&s->map, KEY(space, id), &v)) return NULL;
  return (const char *)(uintptr_t)v;
}

static uint64_t attr_u64(const char **atts, const char *name) {
  const char *v = kpw_xml_attr(atts, name);
  if (!v) return 0;
  uint64_t x = 0;
  for (; *v >= '0' && *v <= '9'; v++) {
    x = x * 10 + (uint64_t)(*v - '0');
    if (x > 0xFFFFFFFFFFull) return 0;
  }
  return x;
}

static bool attr_true(const char **atts, const char *name) {
  const char *v = kpw_xml_attr(atts, name);
  return v && strcasecmp(v, "true") == 0;
}

static fkind_t classify_feature(const char *t) {
  if (!t) return F_OTHER;
  if (!strcasecmp(t, "Birthdate")) return F_BIRTH;
  if (!strcasecmp(t, "Nationality Country") || !strcasecmp(t, "Citizenship Country") ||
      !strcasecmp(t, "Vessel Flag") || !strcasecmp(t, "Other Vessel Flag") ||
      !strcasecmp(t, "Nationality of Registration") || !strcasecmp(t, "Registration Country"))
    return F_COUNTRY;
  if (!strcasecmp(t, "Gender")) return F_GENDER;
  if (!strncasecmp(t, "Digital Currency Address", 24)) return F_CRYPTO;
  if (!strcasecmp(t, "Vessel Call Sign") || !strcasecmp(t, "Other Vessel Call Sign")) return F_CALLSIGN;
  if (!strcasecmp(t, "SWIFT/BIC")) return F_BIC;
  if (strcasestr(t, "MMSI")) return F_MMSI;
  if (strcasestr(t, "IMO")) return F_IMO;
  if (!strncasecmp(t, "Aircraft", 8) && (strcasestr(t, "Number") || strcasestr(t, "Code")))
    return F_AIRCRAFT_ID;
  if (!strcasecmp(t, "Previous Aircraft Tail Number")) return F_AIRCRAFT_ID;
  return F_OTHER;
}

static fkind_t feature_kind(ofac_state *s, uint64_t type_id) {
  uint64_t v;
  if (kpw_u64map_get(&s->map, KEY(K_FKIND, type_id), &v)) return (fkind_t)v;
  fkind_t k = classify_feature(lookup(s, K_FEATURE, type_id));
  kpw_u64map_set(&s->map, KEY(K_FKIND, type_id), (uint64_t)k);
  return k;
}

static int ref_space_of(const char *name) {
  static const struct { const char *n; int k; } T[] = {
    { "AliasType", K_ALIAS }, { "Country", K_COUNTRY }, { "DetailReference", K_DETAILREF },
    { "FeatureType", K_FEATURE }, { "IDRegDocType", K_DOCTYPE }, { "PartySubType", K_PST },
    { "PartyType", K_PARTYTYPE }, { "Script", K_SCRIPT }, { "SanctionsType", K_SANCTYPE },
    { "DocNameStatus", K_DOCNAMESTATUS },
  };
  for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) if (!strcmp(name, T[i].n)) return T[i].k;
  return 0;
}

static kpw_script script_of(ofac_state *s, uint64_t script_id) {
  const char *t = lookup(s, K_SCRIPT, script_id);
  if (!t) return (kpw_script)-1;
  if (!strcasecmp(t, "Latin")) return KPW_SCRIPT_LATIN;
  if (!strcasecmp(t, "Hangul") || !strcasecmp(t, "Korean")) return KPW_SCRIPT_HANGUL;
  if (!strncasecmp(t, "Chinese", 7)) return KPW_SCRIPT_HAN;
  if (!strcasecmp(t, "Cyrillic")) return KPW_SCRIPT_CYRILLIC;
  if (!strcasecmp(t, "Arabic")) return KPW_SCRIPT_ARABIC;
  return KPW_SCRIPT_OTHER;
}

/* ------------------------------------------------------------ dates */

static bool ymd_eq(ymd_t a, ymd_t b) { return a.y == b.y && a.m == b.m && a.d == b.d; }

/* A DatePeriod: Start.From .. End.To. Exact when equal; a whole year when
** it spans Jan 1..Dec 31 of one year; else each year of a range of <= 10
** years (OFAC writes "circa"/"between" this way); else both ends. */
static void emit_period(ofac_state *s) {
  ymd_t a = s->dp[1].y ? s->dp[1] : s->dp[2];
  ymd_t z = s->dp[4].y ? s->dp[4] : (s->dp[3].y ? s->dp[3] : a);
  if (!a.y) a = z;
  if (!a.y) return;
  if (ymd_eq(a, z)) { eb_dob_ymd(s->b, a.y, a.m, a.d); return; }
  if (a.y == z.y) {
    if (a.m == z.m) eb_dob_ymd(s->b, a.y, a.m, 0);
    else eb_dob_ymd(s->b, a.y, 0, 0);
    return;
  }
  if (z.y > a.y && z.y - a.y <= 10) {
    for (int y = a.y; y <= z.y; y++) eb_dob_ymd(s->b, y, 0, 0);
  } else {
    eb_dob_ymd(s->b, a.y, 0, 0);
    eb_dob_ymd(s->b, z.y, 0, 0);
  }
}

/* ------------------------------------------------------------ features */

static void end_feature(ofac_state *s) {
  fkind_t k = feature_kind(s, s->feature_type);
  const char *label = lookup(s, K_FEATURE, s->feature_type);
  switch (k) {
  case F_BIRTH: emit_period(s); break;
  case F_COUNTRY:
    if (s->loc_ref) {
      uint64_t cid;
      if (kpw_u64map_get(&s->map, KEY(K_LOC, s->loc_ref), &cid))
        eb_country_iso2(s->b, lookup(s, K_COUNTRY, cid));
      else
        eb_country_iso2(s->b, lookup(s, K_LOCISO, s->loc_ref));
    }
    if (s->detail_text && *s->detail_text) eb_country_text(s->b, s->detail_text);
    break;
  case F_GENDER:
    eb_gender(s->b, s->detail_ref ? lookup(s, K_DETAILREF, s->detail_ref) : s->detail_text);
    break;
  case F_CRYPTO: {
    const char *chain = label ? strrchr(label, '-') : NULL;
    if (chain) { chain++; while (*chain == ' ') chain++; }
    eb_ident(s->b, KPW_ID_CRYPTO, s->detail_text, label, chain && *chain ? chain : NULL);
    break;
  }
  case F_CALLSIGN: eb_ident(s->b, KPW_ID_CALLSIGN, s->detail_text, label, NULL); break;
  case F_BIC: eb_ident(s->b, KPW_ID_BIC, s->detail_text, label, NULL); break;
  case F_MMSI: eb_ident(s->b, KPW_ID_MMSI, s->detail_text, label, NULL); break;
  case F_IMO: eb_ident(s->b, KPW_ID_IMO, s->detail_text, label, NULL); break;
  case F_AIRCRAFT_ID: eb_ident(s->b, KPW_ID_OTHER, s->detail_text, label, NULL); break;
  default: break;
  }
}

static void add_doc(ofac_state *s, uint32_t type_id, const char *number) {
  const char *t = lookup(s, K_DOCTYPE, type_id);
  const char *label = t ? t : "Document";
  kpw_id_kind kind = KPW_ID_NATIONAL;
  if (t) {
    if (strcasestr(t, "passport")) kind = KPW_ID_PASSPORT;
    else if (!strcasecmp(t, "MMSI")) kind = KPW_ID_MMSI;
    else if (strcasestr(t, "SWIFT") || !strcasecmp(t, "BIC")) kind = KPW_ID_BIC;
    else if (!strcasecmp(t, "Vessel Registration Identification")) kind = KPW_ID_IMO;
    else if (strcasestr(t, "Aircraft")) kind = KPW_ID_OTHER;
  }
  /* "Company Number: IMO 5342883", "Identification Number: IMO 1790183":
  ** an IMO number under another document type is still an IMO number. */
  char imo[4][8];
  if (kind != KPW_ID_IMO && strcasestr(number, "IMO") && kpw_imo_extract(number, imo, 4)) kind = KPW_ID_IMO;
  eb_ident(s->b, kind, number, label, NULL);
}

static kpw_schema schema_of(ofac_state *s) {
  const char *pst = lookup(s, K_PST, s->pst_id);
  if (pst && !strcasecmp(pst, "Vessel")) return KPW_SCHEMA_VESSEL;
  if (pst && !strcasecmp(pst, "Aircraft")) return KPW_SCHEMA_AIRCRAFT;
  uint64_t pt = 0;
  kpw_u64map_get(&s->map, KEY(K_PST_PT, s->pst_id), &pt);
  const char *ptt = lookup(s, K_PARTYTYPE, pt);
  if (ptt && !strcasecmp(ptt, "Individual")) return KPW_SCHEMA_PERSON;
  if (ptt && !strcasecmp(ptt, "Transport")) return KPW_SCHEMA_VESSEL;
  return KPW_SCHEMA_ORGANIZATION;
}

static void end_profile(kpw_xml *x, ofac_state *s) {
  for (int i = 0; i < s->n_identities; i++) {
    uint64_t head;
    if (!kpw_u64map_get(&s->map, KEY(K_DOCHEAD, s->identities[i]), &head)) continue;
    for (uint32_t d = (uint32_t)head; d != UINT32_MAX; d = s->docs[d].next)
      add_doc(s, s->docs[d].type_id, s->docs[d].number);
  }
  s->b->e.schema = schema_of(s);
  s->b->e.list = s->c->info->name;
  const kpw_entity *e = eb_finish(s->b);
  if (e) kpw_u64map_set(&s->map, KEY(K_PROFILE, s->profile_id), (uint64_t)e->index + 1);
  else kpw_xml_fail(x, "OFAC profile %llu has no name", (unsigned long long)s->profile_id);
}

/* ------------------------------------------------------------ callbacks */

static void o_start(kpw_xml *x, void *ud, const char *n, const char **atts) {
  ofac_state *s = ud;
  switch (s->sec) {
  case SEC_REF:
    s->ref_space = ref_space_of(n);
    if (s->ref_space) {
      s->ref_id = attr_u64(atts, "ID");
      if (s->ref_space == K_COUNTRY) {
        const char *iso = kpw_xml_attr(atts, "ISO2");
        if (iso && s->ref_id) {
          kpw_u64map_set(&s->map, KEY(K_COUNTRY, s->ref_id),
                         (uint64_t)(uintptr_t)kpw_arena_strdup(s->a, iso));
        }
        s->ref_space = 0;   /* ISO2 attribute is all we need */
      } else if (s->ref_space == K_PST) {
        kpw_u64map_set(&s->map, KEY(K_PST_PT, s->ref_id), attr_u64(atts, "PartyTypeID"));
      }
    }
    return;
  case SEC_LOC:
    if (!strcmp(n, "Location")) {
      s->loc_id = attr_u64(atts, "ID");
      s->loc_has_country = false;
      s->loc_values = 0;
    } else if (!strcmp(n, "LocationCountry") && s->loc_id) {
      kpw_u64map_set(&s->map, KEY(K_LOC, s->loc_id), attr_u64(atts, "CountryID"));
      s->loc_has_country = true;
    }
    return;
  case SEC_DOCS:
    if (!strcmp(n, "IDRegDocument")) {
      s->doc_type = (uint32_t)attr_u64(atts, "IDRegDocTypeID");
      s->doc_identity = (uint32_t)attr_u64(atts, "IdentityID");
      s->doc_number = NULL;
    }
    return;
  case SEC_PARTIES:
    if (!strcmp(n, "Profile")) {
      s->in_profile = true;
      s->profile_id = attr_u64(atts, "ID");
      s->pst_id = attr_u64(atts, "PartySubTypeID");
      s->n_identities = 0;
      eb_begin(s->b);
      const char *id = kpw_xml_attr(atts, "ID");
      if (!id || !s->profile_id) { kpw_xml_fail(x, "OFAC Profile without a numeric ID"); return; }
      eb_id(s->b, "OFAC", id);
    } else if (!s->in_profile) {
      return;
    } else if (!strcmp(n, "Identity")) {
      if (s->n_identities < 8) s->identities[s->n_identities++] = attr_u64(atts, "ID");
    } else if (!strcmp(n, "Alias")) {
      s->alias_primary = attr_true(atts, "Primary");
      s->alias_low = attr_true(atts, "LowQuality");
      s->alias_type = attr_u64(atts, "AliasTypeID");
    } else if (!strcmp(n, "DocumentedName")) {
      s->docname_status = attr_u64(atts, "DocNameStatusID");
      s->name_script = -2;
      kpw_buf_reset(&s->name);
    } else if (!strcmp(n, "NamePartValue")) {
      if (s->name_script == -2) s->name_script = (int)script_of(s, attr_u64(atts, "ScriptID"));
    } else if (!strcmp(n, "Feature")) {
      s->feature_type = attr_u64(atts, "FeatureTypeID");
      s->detail_text = NULL; s->detail_ref = 0; s->loc_ref = 0;
      memset(s->dp, 0, sizeof s->dp);
      s->dp_part = 0;
    } else if (!strcmp(n, "VersionDetail")) {
      s->detail_ref = attr_u64(atts, "DetailReferenceID");
    } else if (!strcmp(n, "VersionLocation")) {
      s->loc_ref = attr_u64(atts, "LocationID");
    } else if (!strcmp(n, "Start")) { s->dp_start = true;
    } else if (!strcmp(n, "End")) { s->dp_start = false;
    } else if (!strcmp(n, "From")) { s->dp_part = s->dp_start ? 1 : 3;
    } else if (!strcmp(n, "To")) { s->dp_part = s->dp_start ? 2 : 4;
    }
    return;
  case SEC_ENTRIES:
    if (!strcmp(n, "SanctionsEntry")) {
      s->in_entry = true;
      s->entry_profile = attr_u64(atts, "ProfileID");
      kpw_buf_reset(&s->programs);
      memset(&s->event_date, 0, sizeof s->event_date);
    } else if (!strcmp(n, "EntryEvent")) {
      s->in_event = true;
    } else if (!strcmp(n, "SanctionsMeasure")) {
      s->in_measure = true;
      s->measure_type = attr_u64(atts, "SanctionsTypeID");
    }
    return;
  default:
    break;
  }
  if (!strcmp(n, "ReferenceValueSets")) s->sec = SEC_REF;
  else if (!strcmp(n, "Locations")) s->sec = SEC_LOC;
  else if (!strcmp(n, "IDRegDocuments")) s->sec = SEC_DOCS;
  else if (!strcmp(n, "DistinctParties")) s->sec = SEC_PARTIES;
  else if (!strcmp(n, "SanctionsEntries")) s->sec = SEC_ENTRIES;
  else if (!strcmp(n, "DateOfIssue")) s->sec = SEC_ISSUE;
}

static int small_int(const char *t, size_t len) {
  int v = 0;
  for (size_t i = 0; i < len && i < 8; i++) {
    if (t[i] >= '0' && t[i] <= '9') v = v * 10 + (t[i] - '0');
    else if (t[i] != ' ' && t[i] != '\n' && t[i] != '\r' && t[i] != '\t') return 0;
  }
  return v;
}

static void set_ymd(ymd_t *d, const char *n, const char *t, size_t len) {
  if (!strcmp(n, "Year")) d->y = small_int(t, len);
  else if (!strcmp(n, "Month")) d->m = small_int(t, len);
  else if (!strcmp(n, "Day")) d->d = small_int(t, len);
}

static void o_end(kpw_xml *x, void *ud, const char *n, const char *t, size_t len) {
  (void)x;
  ofac_state *s = ud;
  switch (s->sec) {
  case SEC_ISSUE:
    if (!strcmp(n, "DateOfIssue")) {
      s->sec = SEC_NONE;
      char buf[16];
      kpw_date d = { s->issue.y, s->issue.m, s->issue.d };
      kpw_date_format(&d, buf);
      if (buf[0]) s->c->info->date = kpw_listset_intern(s->c->ls, buf);
    } else {
      set_ymd(&s->issue, n, t, len);
    }
    return;
  case SEC_REF:
    if (!strcmp(n, "ReferenceValueSets")) { s->sec = SEC_NONE; return; }
    if (s->ref_space && s->ref_id) {
      kpw_buf_reset(&s->tmp);
      kpw_buf_put(&s->tmp, t, len > 1024 ? 1024 : len);
      const char *v = eb_str(s->b, s->tmp.data, s->tmp.len);
      kpw_u64map_set(&s->map, KEY(s->ref_space, s->ref_id),
                     (uint64_t)(uintptr_t)kpw_arena_strdup(s->a, v));
    }
    s->ref_space = 0;
    return;
  case SEC_LOC:
    if (!strcmp(n, "Locations")) s->sec = SEC_NONE;
    else if (!strcmp(n, "Value")) {
      if (s->loc_values++ == 0) {
        size_t k = len < sizeof s->loc_value - 1 ? len : sizeof s->loc_value - 1;
        memcpy(s->loc_value, t, k);
        s->loc_value[k] = 0;
      }
    } else if (!strcmp(n, "Location")) {
      /* Nationality locations are a bare country name ("Korea, North")
      ** without LocationCountry: resolve it now, keep only the code
      ** (a static string), never the address texts. */
      if (!s->loc_has_country && s->loc_values == 1 && s->loc_id) {
        const char *iso = kpw_country_code(s->loc_value);
        if (iso) kpw_u64map_set(&s->map, KEY(K_LOCISO, s->loc_id), (uint64_t)(uintptr_t)iso);
      }
      s->loc_id = 0;
    }
    return;
  case SEC_DOCS:
    if (!strcmp(n, "IDRegDocuments")) { s->sec = SEC_NONE; return; }
    if (!strcmp(n, "IDRegistrationNo")) {
      if (len > 1024) len = 1024;
      char *v = kpw_arena_strndup(s->a, t, len);
      s->doc_number = v;
    } else if (!strcmp(n, "IDRegDocument")) {
      if (!s->doc_number || !s->doc_identity) return;
      if (s->ndocs == s->docs_cap) {
        if (s->docs_cap >= (1u << 24)) { kpw_xml_fail(x, "too many IDRegDocuments (cap %u)", 1u << 24); return; }
        s->docs_cap = s->docs_cap ? s->docs_cap * 2 : 4096;
        s->docs = kpw_xrealloc(s->docs, s->docs_cap * sizeof *s->docs);
      }
      /* Append to the identity's list (head and tail kept) so documents
      ** keep their file order. */
      uint32_t idx = (uint32_t)s->ndocs++;
      s->docs[idx] = (doc_t){ s->doc_type, s->doc_number, UINT32_MAX };
      uint64_t tail;
      if (!kpw_u64map_get(&s->map, KEY(K_DOCTAIL, s->doc_identity), &tail))
        kpw_u64map_set(&s->map, KEY(K_DOCHEAD, s->doc_identity), idx);
      else
        s->docs[(uint32_t)tail].next = idx;
      kpw_u64map_set(&s->map, KEY(K_DOCTAIL, s->doc_identity), idx);
    }
    return;
  case SEC_PARTIES:
    if (!strcmp(n, "DistinctParties")) { s->sec = SEC_NONE; return; }
    if (!s->in_profile) return;
    if (!strcmp(n, "Profile")) {
      end_profile(x, s);
      s->in_profile = false;
    } else if (!strcmp(n, "NamePartValue")) {
      if (s->name.len + len + 1 > EB_MAX_STR) return;
      if (s->name.len) kpw_buf_putc(&s->name, ' ');
      kpw_buf_put(&s->name, t, len);
    } else if (!strcmp(n, "DocumentedName")) {
      const char *at = lookup(s, K_ALIAS, s->alias_type);
      kpw_name_kind kind = KPW_NAME_ALIAS;
      int script = s->name_script < 0 ? -1 : s->name_script;
      if (s->alias_primary) {
        /* The primary alias: its "Primary Latin" name is the record's
        ** name; other scripts in it are the name as originally written. */
        const char *dns = lookup(s, K_DOCNAMESTATUS, s->docname_status);
        bool primary_latin = dns ? !strcasecmp(dns, "Primary Latin") : s->docname_status == 1;
        kind = (primary_latin || script == KPW_SCRIPT_LATIN) ? KPW_NAME_PRIMARY : KPW_NAME_ORIGINAL;
        if (kind == KPW_NAME_PRIMARY && s->b->e.n_names && s->b->names[0].kind == KPW_NAME_PRIMARY)
          kind = KPW_NAME_ALIAS;
      } else if (at && !strcasecmp(at, "F.K.A.")) {
        kind = KPW_NAME_FORMER;
      }
      eb_name(s->b, s->name.data ? s->name.data : "", kind, script, s->alias_low);
    } else if (!strcmp(n, "VersionDetail")) {
      if (len > 0) s->detail_text = eb_str(s->b, t, len);
    } else if (!strcmp(n, "Feature")) {
      end_feature(s);
    } else if (s->dp_part && (!strcmp(n, "Year") || !strcmp(n, "Month") || !strcmp(n, "Day"))) {
      set_ymd(&s->dp[s->dp_part], n, t, len);
    }
    return;
  case SEC_ENTRIES:
    if (!strcmp(n, "SanctionsEntries")) { s->sec = SEC_NONE; return; }
    if (!s->in_entry) return;
    if (!strcmp(n, "SanctionsEntry")) {
      s->in_entry = false;
      uint64_t idx1;
      if (kpw_u64map_get(&s->map, KEY(K_PROFILE, s->entry_profile), &idx1) && idx1 > 0) {
        if (s->programs.len) kpw__listset_add_programs(s->c->ls, (uint32_t)(idx1 - 1), s->programs.data);
        if (s->event_date.y) {
          char buf[16];
          kpw_date d = { s->event_date.y, s->event_date.m, s->event_date.d };
          kpw_date_format(&d, buf);
          kpw__listset_set_listed_on(s->c->ls, (uint32_t)(idx1 - 1), buf);
        }
      }
    } else if (!strcmp(n, "EntryEvent")) {
      s->in_event = false;
    } else if (!strcmp(n, "SanctionsMeasure")) {
      s->in_measure = false;
    } else if (s->in_event && (!strcmp(n, "Year") || !strcmp(n, "Month") || !strcmp(n, "Day"))) {
      set_ymd(&s->event_date, n, t, len);
    } else if (s->in_measure && !strcmp(n, "Comment") && len > 0) {
      const char *st = lookup(s, K_SANCTYPE, s->measure_type);
      if (st && !strcasecmp(st, "Program") && len < 128 && s->programs.len + len < EB_MAX_PROGRAMS) {
        if (s->programs.len) kpw_buf_puts(&s->programs, "; ");
        kpw_buf_put(&s->programs, t, len);
      }
    }
    return;
  default:
    return;
  }
}

kpw_result kpw__load_ofac_xml(kpw_load_ctx *c) {
  ofac_state *s = kpw_xcalloc(1, sizeof *s);
  s->c = c;
  s->b = eb_new(c->ls);
  s->a = kpw_arena_new(1u << 20);
  kpw_buf_init(&s->tmp);
  kpw_buf_init(&s->name);
  kpw_buf_init(&s->programs);
  kpw_result r = kpw_xml_run(c->in, c->source, o_start, o_end, s, c->err);
  kpw_buf_free(&s->tmp);
  kpw_buf_free(&s->name);
  kpw_buf_free(&s->programs);
  kpw_u64map_free(&s->map);
  free(s->docs);
  kpw_arena_free(s->a);
  eb_free(s->b);
  free(s);
  return r;
}
