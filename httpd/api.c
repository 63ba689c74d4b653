/*
** api.c -- the endpoints of `kpwatch serve`: GET /search, POST /match
** (yente's request and response shape), GET /entities/{id}, GET /lists.
** Each parses and validates its input (query string or JSON body), runs
** the screener, and writes one JSON document into the per-thread scratch
** buffer. Nothing here touches sockets; serve.c sends what we write.
**
** Invariants: every string from the client is checked for valid UTF-8 and
** a length cap before use; results per query <= API_MAX_HITS; names and
** identifiers per query <= API_MAX_NAMES / API_MAX_IDS; /match checks its
** time budget between queries.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "httpd.h"

/* ------------------------------------------------------------ helpers */

unsigned api_error(scratch *sc, unsigned status, const char *error,
                   const char *detail) {
  kpw_buf *b = &sc->out;
  kpw_buf_reset(b);
  kpw_buf_putc(b, '{');
  kpw_json_key(b, "error");
  kpw_json_str(b, error);
  kpw_buf_putc(b, ',');
  kpw_json_key(b, "detail");
  kpw_json_str(b, detail ? detail : error);
  kpw_buf_puts(b, "}\n");
  return status;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool utf8_ok(const char *s) {
  size_t n = strlen(s);
  return kpw_utf8_valid_prefix(s, n) == n;
}



static const char *primary_name(const kpw_entity *e) {
  return e->n_names ? e->names[0].text : e->id;
}

static void str_array(kpw_buf *b, const char *const *v, uint32_t n) {
  kpw_buf_putc(b, '[');
  for (uint32_t i = 0; i < n; i++) {
    if (i) kpw_buf_putc(b, ',');
    kpw_json_str(b, v[i]);
  }
  kpw_buf_putc(b, ']');
}

/* "key":value, with a comma before every member but the first. */
static void member(kpw_buf *b, bool *first, const char *key) {
  if (!*first) kpw_buf_putc(b, ',');
  *first = false;
  kpw_json_key(b, key);
}

/* ------------------------------------------------------------ entities */


/* FollowTheMoney-style properties, for yente-shaped results. Names go to
** name/alias/weakAlias/previousName by kind; identifiers to the FtM
** property of their kind. */
typedef bool (*name_pred)(const kpw_name *n);
static bool is_primary(const kpw_name *n) {
  return n->kind == KPW_NAME_PRIMARY && !n->weak;
}
static bool is_alias(const kpw_name *n) {
  return (n->kind == KPW_NAME_ALIAS || n->kind == KPW_NAME_ORIGINAL) &&
         !n->weak;
}
static bool is_weak(const kpw_name *n) {
  return n->weak && n->kind != KPW_NAME_FORMER;
}
static bool is_former(const kpw_name *n) { return n->kind == KPW_NAME_FORMER; }

static void names_prop(kpw_buf *b, bool *first, const kpw_entity *e,
                       const char *key, name_pred pred) {
  bool any = false;
  for (uint32_t i = 0; i < e->n_names; i++) {
    if (!pred(&e->names[i])) continue;
    if (!any) {
      member(b, first, key);
      kpw_buf_putc(b, '[');
    } else {
      kpw_buf_putc(b, ',');
    }
    any = true;
    kpw_json_str(b, e->names[i].text);
  }
  if (any) kpw_buf_putc(b, ']');
}

static void ids_prop(kpw_buf *b, bool *first, const kpw_entity *e,
                     const char *key, kpw_id_kind kind) {
  bool any = false;
  for (uint32_t i = 0; i < e->n_ids; i++) {
    if (e->ids[i].kind != kind) continue;
    if (!any) {
      member(b, first, key);
      kpw_buf_putc(b, '[');
    } else {
      kpw_buf_putc(b, ',');
    }
    any = true;
    kpw_json_str(b, e->ids[i].value);
  }
  if (any) kpw_buf_putc(b, ']');
}

static void ftm_properties(kpw_buf *b, const kpw_entity *e) {
  bool f = true;
  kpw_buf_putc(b, '{');
  names_prop(b, &f, e, "name", is_primary);
  names_prop(b, &f, e, "alias", is_alias);
  names_prop(b, &f, e, "weakAlias", is_weak);
  names_prop(b, &f, e, "previousName", is_former);
  if (e->n_birth_dates) {
    member(b, &f, "birthDate");
    str_array(b, e->birth_dates, e->n_birth_dates);
  }
  if (e->n_countries) {
    const char *key = e->schema == KPW_SCHEMA_PERSON   ? "nationality"
                      : e->schema == KPW_SCHEMA_VESSEL ? "flag"
                                                       : "country";
    member(b, &f, key);
    str_array(b, e->countries, e->n_countries);
  }
  if (e->gender) {
    member(b, &f, "gender");
    kpw_buf_puts(b, e->gender == 'm' ? "[\"male\"]" : "[\"female\"]");
  }
  ids_prop(b, &f, e, "imoNumber", KPW_ID_IMO);
  ids_prop(b, &f, e, "mmsi", KPW_ID_MMSI);
  ids_prop(b, &f, e, "publicKey", KPW_ID_CRYPTO);
  ids_prop(b, &f, e, "passportNumber", KPW_ID_PASSPORT);
  ids_prop(b, &f, e, e->schema == KPW_SCHEMA_PERSON ? "idNumber"
                                                    : "registrationNumber",
           KPW_ID_NATIONAL);
  ids_prop(b, &f, e, "callSign", KPW_ID_CALLSIGN);
  ids_prop(b, &f, e, "swiftBic", KPW_ID_BIC);
  ids_prop(b, &f, e, "idNumber", KPW_ID_OTHER);
  if (e->programs) {
    member(b, &f, "program");
    kpw_buf_putc(b, '[');
    kpw_json_str(b, e->programs);
    kpw_buf_putc(b, ']');
  }
  member(b, &f, "topics");
  kpw_buf_puts(b, "[\"sanction\"]");
  kpw_buf_putc(b, '}');
}

/* ------------------------------------------------------------ params */

static const char *arg(struct MHD_Connection *c, const char *key) {
  return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

/* Read a query-string number in [lo,hi]; false with a detail message. */
static bool num_arg(struct MHD_Connection *c, const char *key, double lo,
                    double hi, double *out, char *why, size_t cap) {
  const char *v = arg(c, key);
  if (!v || !*v) return true;
  char *end;
  double d = strtod(v, &end);
  if (*end || !isfinite(d) || d < lo || d > hi) {
    snprintf(why, cap, "'%s' must be a number in %g..%g", key, lo, hi);
    return false;
  }
  *out = d;
  return true;
}

/* A string argument: NULL when absent, else checked for UTF-8 and size. */
static bool str_arg(struct MHD_Connection *c, const char *key,
                    const char **out, char *why, size_t cap) {
  const char *v = arg(c, key);
  *out = NULL;
  if (!v || !*v) return true;
  if (strlen(v) > API_MAX_PARAM || !utf8_ok(v)) {
    snprintf(why, cap, "'%s' must be valid UTF-8 of at most %d bytes", key,
             API_MAX_PARAM);
    return false;
  }
  *out = v;
  return true;
}

/* Common knobs of /search and /match. */
typedef struct knobs {
  double threshold, cutoff;
  size_t limit;
} knobs;

static bool read_knobs(struct MHD_Connection *c, size_t def_limit, knobs *k,
                       char *why, size_t cap) {
  k->threshold = KPW_DEFAULT_THRESHOLD;
  double cutoff = -1, limit = (double)def_limit;
  if (!num_arg(c, "threshold", 0, 1, &k->threshold, why, cap) ||
      !num_arg(c, "cutoff", 0, 1, &cutoff, why, cap) ||
      !num_arg(c, "limit", 1, API_MAX_HITS, &limit, why, cap))
    return false;
  /* Near misses down to 0.2 below the threshold are shown, as the CLI
  ** does; a cutoff above the threshold would hide matches. */
  if (cutoff < 0) cutoff = k->threshold > 0.2 ? k->threshold - 0.2 : 0;
  k->cutoff = cutoff > k->threshold ? k->threshold : cutoff;
  k->limit = (size_t)limit;
  return true;
}

/* The dataset path segment: a loaded list name (results restricted to it)
** or one of the catch-all names yente clients use. *list = NULL for all. */
static bool dataset_ok(const srv *s, const char *ds, const char **list) {
  *list = NULL;
  if (!ds || !*ds || strcasecmp(ds, "default") == 0 ||
      strcasecmp(ds, "sanctions") == 0 || strcasecmp(ds, "all") == 0)
    return true;
  for (size_t i = 0; i < kpw_listset_nlists(s->ls); i++) {
    const kpw_listinfo *li = kpw_listset_list(s->ls, i);
    if (li->name && strcasecmp(li->name, ds) == 0) {
      *list = li->name;
      return true;
    }
  }
  return false;
}

static unsigned unknown_dataset(const srv *s, scratch *sc, const char *ds) {
  char why[512];
  size_t o = (size_t)snprintf(why, sizeof why,
                              "dataset '%.64s' is not loaded; use default",
                              ds);
  for (size_t i = 0; i < kpw_listset_nlists(s->ls) && o < sizeof why; i++)
    o += (size_t)snprintf(why + o, sizeof why - o, ", %s",
                          kpw_listset_list(s->ls, i)->name);
  return api_error(sc, 404, "unknown dataset", why);
}

/* Keep only hits from list (when set), preserving order. */
static size_t filter_list(kpw_hit *h, size_t n, const char *list) {
  if (!list) return n;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (h[i].entity->list && strcmp(h[i].entity->list, list) == 0)
      h[k++] = h[i];
  return k;
}

/* ------------------------------------------------------------ /search */

unsigned api_search(const srv *s, struct MHD_Connection *c,
                    const char *dataset, scratch *sc) {
  char why[256];
  const char *list;
  if (!dataset_ok(s, dataset, &list)) return unknown_dataset(s, sc, dataset);
  const char *name, *schema_s, *dob, *country, *imo, *mmsi, *crypto,
      *passport;
  if (!str_arg(c, "name", &name, why, sizeof why) ||
      !str_arg(c, "schema", &schema_s, why, sizeof why) ||
      !str_arg(c, "dob", &dob, why, sizeof why) ||
      !str_arg(c, "country", &country, why, sizeof why) ||
      !str_arg(c, "imo", &imo, why, sizeof why) ||
      !str_arg(c, "mmsi", &mmsi, why, sizeof why) ||
      !str_arg(c, "crypto", &crypto, why, sizeof why) ||
      !str_arg(c, "passport", &passport, why, sizeof why))
    return api_error(sc, 400, "bad request", why);
  if (!name && !str_arg(c, "q", &name, why, sizeof why))
    return api_error(sc, 400, "bad request", why);
  kpw_ident ids[4];
  size_t nids = 0;
  if (imo) ids[nids++] = (kpw_ident){KPW_ID_IMO, imo, NULL, NULL};
  if (mmsi) ids[nids++] = (kpw_ident){KPW_ID_MMSI, mmsi, NULL, NULL};
  if (crypto) ids[nids++] = (kpw_ident){KPW_ID_CRYPTO, crypto, NULL, NULL};
  if (passport)
    ids[nids++] = (kpw_ident){KPW_ID_PASSPORT, passport, NULL, NULL};
  if (!name && nids == 0)
    return api_error(sc, 400, "bad request",
                     "give 'name' (or an identifier: imo, mmsi, crypto, "
                     "passport)");
  kpw_schema schema = KPW_SCHEMA_ANY;
  if (schema_s && !kpw_schema_parse(schema_s, &schema))
    return api_error(sc, 400, "bad request",
                     "'schema' must be Person, Organization, Vessel, "
                     "Aircraft or Thing");
  knobs k;
  if (!read_knobs(c, 10, &k, why, sizeof why))
    return api_error(sc, 400, "bad request", why);

  kpw_query q = {0};
  q.schema = schema;
  q.names = name ? &name : NULL;
  q.n_names = name ? 1 : 0;
  q.birth_date = dob;
  q.country = country;
  q.ids = nids ? ids : NULL;
  q.n_ids = nids;
  size_t n = kpw_screen(s->sc, &q, k.threshold, k.cutoff, sc->hits,
                        list ? API_MAX_HITS : k.limit);
  n = filter_list(sc->hits, n, list);
  if (n > k.limit) n = k.limit;

  kpw_buf *b = &sc->out;
  kpw_buf_reset(b);
  kpw_buf_puts(b, "{\"query\":{");
  kpw_json_key(b, "name"); kpw_json_str(b, name);
  kpw_buf_putc(b, ','); kpw_json_key(b, "schema");
  kpw_json_str(b, kpw_schema_name(schema));
  kpw_buf_putc(b, ','); kpw_json_key(b, "dob"); kpw_json_str(b, dob);
  kpw_buf_putc(b, ','); kpw_json_key(b, "country"); kpw_json_str(b, country);
  kpw_buf_putc(b, ','); kpw_json_key(b, "threshold");
  kpw_json_num(b, k.threshold);
  kpw_buf_putc(b, ','); kpw_json_key(b, "cutoff"); kpw_json_num(b, k.cutoff);
  kpw_buf_putc(b, ','); kpw_json_key(b, "limit");
  kpw_json_int(b, (int64_t)k.limit);
  kpw_buf_puts(b, "},\"results\":[");
  for (size_t i = 0; i < n; i++) {
    const kpw_hit *h = &sc->hits[i];
    const kpw_entity *e = h->entity;
    if (i) kpw_buf_putc(b, ',');
    kpw_buf_putc(b, '{');
    kpw_json_key(b, "id"); kpw_json_str(b, e->id);
    kpw_buf_putc(b, ','); kpw_json_key(b, "score"); kpw_json_num(b, h->score);
    kpw_buf_putc(b, ','); kpw_json_key(b, "match");
    kpw_buf_puts(b, h->match ? "true" : "false");
    kpw_buf_putc(b, ','); kpw_json_key(b, "name");
    kpw_json_str(b, primary_name(e));
    kpw_buf_putc(b, ','); kpw_json_key(b, "matched_name");
    kpw_json_str(b, h->matched_name);
    kpw_buf_putc(b, ','); kpw_json_key(b, "list"); kpw_json_str(b, e->list);
    kpw_buf_putc(b, ','); kpw_json_key(b, "schema");
    kpw_json_str(b, kpw_schema_name(e->schema));
    kpw_buf_putc(b, ','); kpw_json_key(b, "explain");
    kpw_json_str(b, h->explain);
    kpw_buf_putc(b, '}');
  }
  kpw_buf_puts(b, "],\"total\":");
  kpw_json_int(b, (int64_t)n);
  kpw_buf_puts(b, "}\n");
  return 200;
}

/* ------------------------------------------------------------ /match */

/* Echo a parsed JSON value (the query example) back. Depth is bounded by
** the parser (64). */
static void json_value(kpw_buf *b, const kpw_json *v) {
  switch (v->type) {
  case KPW_JSON_NULL: kpw_buf_puts(b, "null"); break;
  case KPW_JSON_BOOL: kpw_buf_puts(b, v->boolean ? "true" : "false"); break;
  case KPW_JSON_NUMBER: kpw_buf_puts(b, v->str); break;
  case KPW_JSON_STRING: kpw_json_strn(b, v->str, v->len); break;
  case KPW_JSON_ARRAY:
    kpw_buf_putc(b, '[');
    for (size_t i = 0; i < v->len; i++) {
      if (i) kpw_buf_putc(b, ',');
      json_value(b, v->items[i]);
    }
    kpw_buf_putc(b, ']');
    break;
  case KPW_JSON_OBJECT:
    kpw_buf_putc(b, '{');
    for (size_t i = 0; i < v->len; i++) {
      if (i) kpw_buf_putc(b, ',');
      kpw_json_key(b, v->keys[i]);
      json_value(b, v->items[i]);
    }
    kpw_buf_putc(b, '}');
    break;
  }
}

/* One query example turned into a kpw_query. Storage for the arrays is in
** the struct; strings point into the parsed JSON. */
typedef struct mquery {
  kpw_query q;
  const char *names[API_MAX_NAMES];
  kpw_ident ids[API_MAX_IDS];
  char fullname[512];
} mquery;

/* Values of property key: a string, a number, or an array of those (nulls
** skipped). Calls add() for each; false with why on a wrong shape. */
typedef bool (*prop_add)(mquery *m, const char *key, const char *v,
                         char *why, size_t cap);

static bool each_value(mquery *m, const char *qkey, const char *key,
                       const kpw_json *v, prop_add add, char *why,
                       size_t cap) {
  const kpw_json *const *items = (const kpw_json *const *)&v;
  size_t n = 1;
  if (v->type == KPW_JSON_ARRAY) {
    items = (const kpw_json *const *)v->items;
    n = v->len;
  }
  for (size_t i = 0; i < n; i++) {
    const kpw_json *x = items[i];
    if (x->type == KPW_JSON_NULL) continue;
    if (x->type != KPW_JSON_STRING && x->type != KPW_JSON_NUMBER) {
      snprintf(why, cap,
               "queries.%.64s.properties.%.64s: values must be strings",
               qkey, key);
      return false;
    }
    if (strlen(x->str) > API_MAX_PARAM) {
      snprintf(why, cap,
               "queries.%.64s.properties.%.64s: value longer than %d bytes",
               qkey, key, API_MAX_PARAM);
      return false;
    }
    if (!x->str[0]) continue;
    if (!add(m, key, x->str, why, cap)) return false;
  }
  return true;
}

static bool add_name(mquery *m, const char *key, const char *v, char *why,
                     size_t cap) {
  if (m->q.n_names == API_MAX_NAMES) {
    snprintf(why, cap, "more than %d names in one query (%s)", API_MAX_NAMES,
             key);
    return false;
  }
  m->names[m->q.n_names++] = v;
  return true;
}

static bool add_first(mquery *m, const char *key, const char *v, char *why,
                      size_t cap) {
  (void)why, (void)cap;
  /* birthDate / country / gender: the first value is used. */
  if (strcmp(key, "birthDate") == 0) {
    if (!m->q.birth_date) m->q.birth_date = v;
  } else if (strcmp(key, "gender") == 0) {
    if (!m->q.gender && (v[0] == 'm' || v[0] == 'M')) m->q.gender = 'm';
    if (!m->q.gender && (v[0] == 'f' || v[0] == 'F')) m->q.gender = 'f';
  } else if (!m->q.country) {
    m->q.country = v;
  }
  return true;
}

static kpw_id_kind id_kind_of(const char *key) {
  if (strcmp(key, "imoNumber") == 0) return KPW_ID_IMO;
  if (strcmp(key, "mmsi") == 0) return KPW_ID_MMSI;
  if (strcmp(key, "publicKey") == 0 || strcmp(key, "cryptoWallet") == 0)
    return KPW_ID_CRYPTO;
  if (strcmp(key, "passportNumber") == 0) return KPW_ID_PASSPORT;
  if (strcmp(key, "callSign") == 0) return KPW_ID_CALLSIGN;
  if (strcmp(key, "swiftBic") == 0 || strcmp(key, "bicCode") == 0)
    return KPW_ID_BIC;
  if (strcmp(key, "idNumber") == 0 || strcmp(key, "registrationNumber") == 0 ||
      strcmp(key, "taxNumber") == 0 || strcmp(key, "innCode") == 0 ||
      strcmp(key, "ogrnCode") == 0 || strcmp(key, "leiCode") == 0)
    return KPW_ID_NATIONAL;
  return KPW_ID_OTHER;
}

static bool add_id(mquery *m, const char *key, const char *v, char *why,
                   size_t cap) {
  if (m->q.n_ids == API_MAX_IDS) {
    snprintf(why, cap, "more than %d identifiers in one query",
             API_MAX_IDS);
    return false;
  }
  m->ids[m->q.n_ids++] = (kpw_ident){id_kind_of(key), v, key, NULL};
  return true;
}

/* FtM schemata a yente client may send that kpwatch has no kind for. */
static bool schema_of(const char *s, kpw_schema *out) {
  if (kpw_schema_parse(s, out)) return true;
  static const char *any[] = {"Thing", "LegalEntity", "CryptoWallet",
                              "PublicBody", "Asset", "Airplane"};
  for (size_t i = 0; i < sizeof any / sizeof any[0]; i++)
    if (strcasecmp(s, any[i]) == 0) {
      *out = strcasecmp(s, "Airplane") == 0      ? KPW_SCHEMA_AIRCRAFT
             : strcasecmp(s, "CryptoWallet") == 0 ? KPW_SCHEMA_THING
                                                  : KPW_SCHEMA_ANY;
      return true;
    }
  return false;
}

static bool build_query(const char *qkey, const kpw_json *ex, mquery *m,
                        char *why, size_t cap) {
  memset(&m->q, 0, sizeof m->q);
  m->q.id = qkey;
  m->q.names = m->names;
  m->q.ids = m->ids;
  if (ex->type != KPW_JSON_OBJECT) {
    snprintf(why, cap, "queries.%.64s must be an object", qkey);
    return false;
  }
  const kpw_json *sch = kpw_json_get(ex, "schema");
  if (!sch || sch->type != KPW_JSON_STRING) {
    snprintf(why, cap, "queries.%.64s.schema must be a string (e.g. Person)",
             qkey);
    return false;
  }
  if (!schema_of(sch->str, &m->q.schema)) {
    snprintf(why, cap,
             "queries.%.64s.schema '%.64s' is not one of Person, "
             "Organization, Company, LegalEntity, Vessel, Aircraft, Thing",
             qkey, sch->str);
    return false;
  }
  const kpw_json *props = kpw_json_get(ex, "properties");
  if (!props || props->type != KPW_JSON_OBJECT) {
    snprintf(why, cap, "queries.%.64s.properties must be an object", qkey);
    return false;
  }
  const char *first = NULL, *last = NULL;
  for (size_t i = 0; i < props->len; i++) {
    const char *key = props->keys[i];
    const kpw_json *v = props->items[i];
    prop_add add = NULL;
    if (!strcmp(key, "name") || !strcmp(key, "alias") ||
        !strcmp(key, "weakAlias") || !strcmp(key, "previousName"))
      add = add_name;
    else if (!strcmp(key, "birthDate") || !strcmp(key, "nationality") ||
             !strcmp(key, "country") || !strcmp(key, "citizenship") ||
             !strcmp(key, "jurisdiction") || !strcmp(key, "flag") ||
             !strcmp(key, "gender"))
      add = add_first;
    else if (id_kind_of(key) != KPW_ID_OTHER)
      add = add_id;
    else if (!strcmp(key, "firstName") || !strcmp(key, "lastName")) {
      if (v->type == KPW_JSON_STRING) {
        if (!strcmp(key, "firstName")) first = v->str;
        else last = v->str;
      } else if (v->type == KPW_JSON_ARRAY && v->len > 0 &&
                 v->items[0]->type == KPW_JSON_STRING) {
        if (!strcmp(key, "firstName")) first = v->items[0]->str;
        else last = v->items[0]->str;
      }
      continue;
    } else {
      continue;  /* other FtM properties: accepted, not scored */
    }
    if (v->type == KPW_JSON_OBJECT || v->type == KPW_JSON_BOOL) {
      snprintf(why, cap,
               "queries.%.64s.properties.%.64s must be a string or a list of "
               "strings",
               qkey, key);
      return false;
    }
    if (!each_value(m, qkey, key, v, add, why, cap)) return false;
  }
  if (m->q.n_names == 0 && (first || last)) {
    snprintf(m->fullname, sizeof m->fullname, "%.250s%s%.250s",
             first ? first : "", first && last ? " " : "", last ? last : "");
    m->names[m->q.n_names++] = m->fullname;
  }
  if (m->q.n_names == 0 && m->q.n_ids == 0) {
    snprintf(why, cap,
             "queries.%.64s has no name (name, alias, firstName/lastName) "
             "and no identifier (imoNumber, mmsi, publicKey, passportNumber, "
             "...)",
             qkey);
    return false;
  }
  return true;
}

static void scored_entity(kpw_buf *b, const kpw_hit *h) {
  const kpw_entity *e = h->entity;
  kpw_buf_putc(b, '{');
  kpw_json_key(b, "id"); kpw_json_str(b, e->id);
  kpw_buf_putc(b, ','); kpw_json_key(b, "caption");
  kpw_json_str(b, primary_name(e));
  kpw_buf_putc(b, ','); kpw_json_key(b, "schema");
  kpw_json_str(b, kpw_schema_name(e->schema));
  kpw_buf_putc(b, ','); kpw_json_key(b, "properties");
  ftm_properties(b, e);
  kpw_buf_putc(b, ','); kpw_json_key(b, "datasets");
  kpw_buf_putc(b, '['); kpw_json_str(b, e->list); kpw_buf_putc(b, ']');
  kpw_buf_puts(b, ",\"referents\":[],\"target\":true");
  kpw_buf_putc(b, ','); kpw_json_key(b, "score"); kpw_json_num(b, h->score);
  kpw_buf_putc(b, ','); kpw_json_key(b, "match");
  kpw_buf_puts(b, h->match ? "true" : "false");
  kpw_buf_puts(b, ",\"features\":{\"kpwatch\":");
  kpw_json_num(b, h->score);
  kpw_buf_puts(b, "},\"explanations\":{\"kpwatch\":{\"score\":");
  kpw_json_num(b, h->score);
  kpw_buf_putc(b, ','); kpw_json_key(b, "detail"); kpw_json_str(b, h->explain);
  kpw_buf_puts(b, "}}");
  /* kpwatch additions (yente clients ignore unknown members). */
  kpw_buf_putc(b, ','); kpw_json_key(b, "matched_name");
  kpw_json_str(b, h->matched_name);
  kpw_buf_putc(b, ','); kpw_json_key(b, "list"); kpw_json_str(b, e->list);
  kpw_buf_putc(b, ','); kpw_json_key(b, "explain"); kpw_json_str(b, h->explain);
  kpw_buf_putc(b, '}');
}

unsigned api_match(const srv *s, struct MHD_Connection *c,
                   const char *dataset, const char *body, size_t n,
                   scratch *sc) {
  double t0 = now_s();
  char why[512];
  const char *list;
  if (!dataset_ok(s, dataset, &list)) return unknown_dataset(s, sc, dataset);
  knobs k;
  if (!read_knobs(c, 5, &k, why, sizeof why))
    return api_error(sc, 400, "bad request", why);
  if (n == 0)
    return api_error(sc, 400, "bad request",
                     "empty body: send {\"queries\":{\"q1\":{\"schema\":"
                     "\"Person\",\"properties\":{\"name\":[...]}}}}");
  kpw_arena *arena = kpw_arena_new(0);
  kpw_json *root = NULL;
  kpw_error err;
  kpw_error_clear(&err);
  unsigned status = 200;
  mquery *mq = NULL;
  if (kpw_json_parse(body, n, arena, "body", 1, &root, &err) != KPW_OK) {
    kpw_error_format(&err, why, sizeof why);
    status = api_error(sc, 400, "invalid JSON", why);
    goto out;
  }
  const kpw_json *queries = kpw_json_get(root, "queries");
  if (root->type != KPW_JSON_OBJECT || !queries ||
      queries->type != KPW_JSON_OBJECT) {
    status = api_error(sc, 400, "bad request",
                       "the body must be an object with a \"queries\" "
                       "object");
    goto out;
  }
  if (queries->len == 0) {
    status = api_error(sc, 400, "bad request", "No queries provided.");
    goto out;
  }
  if (queries->len > s->max_queries) {
    snprintf(why, sizeof why,
             "Too many queries in one batch (limit: %zu, got %zu)",
             s->max_queries, queries->len);
    status = api_error(sc, 400, "too many queries", why);
    goto out;
  }
  for (size_t i = 0; i < queries->len; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp(queries->keys[i], queries->keys[j]) == 0) {
        snprintf(why, sizeof why, "query key '%.64s' appears twice",
                 queries->keys[i]);
        status = api_error(sc, 400, "bad request", why);
        goto out;
      }
  /* Validate every example before screening any, so a bad batch costs
  ** nothing. */
  mq = kpw_xcalloc(queries->len, sizeof *mq);
  for (size_t i = 0; i < queries->len; i++)
    if (queries->items[i]->type != KPW_JSON_NULL &&  /* null: skipped, as yente */
        !build_query(queries->keys[i], queries->items[i], &mq[i], why,
                     sizeof why)) {
      status = api_error(sc, 400, "bad request", why);
      goto out;
    }

  kpw_buf *b = &sc->out;
  kpw_buf_reset(b);
  kpw_buf_puts(b, "{\"responses\":{");
  bool first = true;
  for (size_t i = 0; i < queries->len; i++) {
    if (s->timeout_s && now_s() - t0 > (double)s->timeout_s) {
      snprintf(why, sizeof why,
               "request took longer than %u s after %zu of %zu queries",
               s->timeout_s, i, queries->len);
      status = api_error(sc, 503, "time limit exceeded", why);
      goto out;
    }
    if (queries->items[i]->type == KPW_JSON_NULL) continue;
    size_t nh = kpw_screen(s->sc, &mq[i].q, k.threshold, k.cutoff, sc->hits,
                           list ? API_MAX_HITS : k.limit);
    nh = filter_list(sc->hits, nh, list);
    if (nh > k.limit) nh = k.limit;
    if (!first) kpw_buf_putc(b, ',');
    first = false;
    kpw_json_key(b, queries->keys[i]);
    kpw_buf_puts(b, "{\"status\":200,\"results\":[");
    for (size_t j = 0; j < nh; j++) {
      if (j) kpw_buf_putc(b, ',');
      scored_entity(b, &sc->hits[j]);
    }
    kpw_buf_puts(b, "],\"total\":{\"value\":");
    kpw_json_int(b, (int64_t)nh);
    kpw_buf_puts(b, ",\"relation\":\"eq\"},\"query\":{");
    const kpw_json *ex = queries->items[i];
    kpw_json_key(b, "id");
    kpw_json_str(b, kpw_json_get_str(ex, "id"));
    kpw_buf_putc(b, ','); kpw_json_key(b, "schema");
    json_value(b, kpw_json_get(ex, "schema"));
    kpw_buf_putc(b, ','); kpw_json_key(b, "properties");
    json_value(b, kpw_json_get(ex, "properties"));
    kpw_buf_puts(b, "}}");
  }
  kpw_buf_puts(b, "},\"matcher\":{\"kpwatch\":{\"description\":"
                  "\"kpwatch name and identifier score: romanised, "
                  "variant-folded token alignment; exact identifiers score "
                  "1.0; date of birth and nationality as qualifiers\","
                  "\"coefficient\":1.0,\"url\":\"docs/matching.md\"}}");
  kpw_buf_putc(b, ','); kpw_json_key(b, "threshold");
  kpw_json_num(b, k.threshold);
  kpw_buf_putc(b, ','); kpw_json_key(b, "limit");
  kpw_json_int(b, (int64_t)k.limit);
  kpw_buf_puts(b, "}\n");
out:
  free(mq);
  kpw_arena_free(arena);
  return status;
}

/* ------------------------------------------------------------ others */

unsigned api_entity(const srv *s, const char *id, scratch *sc) {
  if (!*id || strlen(id) > API_MAX_PARAM || !utf8_ok(id))
    return api_error(sc, 400, "bad request",
                     "entity id must be valid UTF-8, e.g. /entities/UN:KPi.033");
  const kpw_entity *e = kpw_listset_find(s->ls, id);
  if (!e) {
    char why[API_MAX_PARAM + 64];
    snprintf(why, sizeof why, "no entity '%s' in the loaded lists", id);
    return api_error(sc, 404, "not found", why);
  }
  kpw_buf_reset(&sc->out);
  kpw_entity_json(e, &sc->out);
  kpw_buf_putc(&sc->out, '\n');
  return 200;
}

static const char *base_name(const char *path) {
  if (!path) return NULL;
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

unsigned api_lists(const srv *s, scratch *sc) {
  kpw_buf *b = &sc->out;
  kpw_buf_reset(b);
  kpw_buf_puts(b, "{\"lists\":[");
  size_t nl = kpw_listset_nlists(s->ls);
  for (size_t i = 0; i < nl; i++) {
    const kpw_listinfo *li = kpw_listset_list(s->ls, i);
    if (i) kpw_buf_putc(b, ',');
    kpw_buf_putc(b, '{');
    kpw_json_key(b, "name"); kpw_json_str(b, li->name);
    kpw_buf_putc(b, ','); kpw_json_key(b, "format"); kpw_json_str(b, li->format);
    /* Only the file name: the server's directory layout is not the
    ** client's business. */
    kpw_buf_putc(b, ','); kpw_json_key(b, "source");
    kpw_json_str(b, base_name(li->source));
    kpw_buf_putc(b, ','); kpw_json_key(b, "date"); kpw_json_str(b, li->date);
    kpw_buf_putc(b, ','); kpw_json_key(b, "sha256"); kpw_json_str(b, li->sha256);
    kpw_buf_putc(b, ','); kpw_json_key(b, "entities");
    kpw_json_int(b, (int64_t)li->n_entities);
    kpw_buf_putc(b, '}');
  }
  kpw_buf_puts(b, "],\"entities\":");
  kpw_json_int(b, (int64_t)kpw_listset_count(s->ls));
  kpw_buf_puts(b, "}\n");
  return 200;
}
