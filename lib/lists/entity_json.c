/*
** entity_json.c -- the one JSON rendering of an entity, shared by
** `kpwatch lists show --entity` and `GET /entities/{id}` so both front-ends
** print the same fields (documented in docs/lists.md); and the list-versions
** record every audit-log row carries.
*/
#include "kpw/lists.h"
#include "kpw/util.h"

const char *kpw_name_kind_name(kpw_name_kind k) {
  switch (k) {
    case KPW_NAME_PRIMARY: return "primary";
    case KPW_NAME_ALIAS: return "alias";
    case KPW_NAME_FORMER: return "former";
    case KPW_NAME_ORIGINAL: return "original";
  }
  return "alias";
}

const char *kpw_id_kind_name(kpw_id_kind k) {
  switch (k) {
    case KPW_ID_IMO: return "imo";
    case KPW_ID_MMSI: return "mmsi";
    case KPW_ID_CRYPTO: return "crypto";
    case KPW_ID_PASSPORT: return "passport";
    case KPW_ID_NATIONAL: return "national";
    case KPW_ID_CALLSIGN: return "callsign";
    case KPW_ID_BIC: return "bic";
    case KPW_ID_OTHER: return "other";
  }
  return "other";
}

static void str_array(kpw_buf *b, const char *key, const char *const *v, uint32_t n) {
  kpw_buf_putc(b, ',');
  kpw_json_key(b, key);
  kpw_buf_putc(b, '[');
  for (uint32_t i = 0; i < n; i++) {
    if (i) kpw_buf_putc(b, ',');
    kpw_json_str(b, v[i]);
  }
  kpw_buf_putc(b, ']');
}

void kpw_entity_json(const kpw_entity *e, kpw_buf *b) {
  kpw_buf_putc(b, '{');
  kpw_json_key(b, "id"); kpw_json_str(b, e->id);
  kpw_buf_putc(b, ','); kpw_json_key(b, "ref"); kpw_json_str(b, e->ref);
  kpw_buf_putc(b, ','); kpw_json_key(b, "list"); kpw_json_str(b, e->list);
  kpw_buf_putc(b, ','); kpw_json_key(b, "schema"); kpw_json_str(b, kpw_schema_name(e->schema));
  kpw_buf_putc(b, ','); kpw_json_key(b, "caption");
  kpw_json_str(b, e->n_names ? e->names[0].text : e->id);
  kpw_buf_putc(b, ','); kpw_json_key(b, "names");
  kpw_buf_putc(b, '[');
  for (uint32_t i = 0; i < e->n_names; i++) {
    const kpw_name *n = &e->names[i];
    if (i) kpw_buf_putc(b, ',');
    kpw_buf_putc(b, '{');
    kpw_json_key(b, "text"); kpw_json_str(b, n->text);
    kpw_buf_putc(b, ','); kpw_json_key(b, "kind"); kpw_json_str(b, kpw_name_kind_name(n->kind));
    kpw_buf_putc(b, ','); kpw_json_key(b, "script"); kpw_json_str(b, kpw_script_name(n->script));
    kpw_buf_putc(b, ','); kpw_json_key(b, "weak"); kpw_buf_puts(b, n->weak ? "true" : "false");
    kpw_buf_putc(b, '}');
  }
  kpw_buf_putc(b, ']');
  str_array(b, "birth_dates", e->birth_dates, e->n_birth_dates);
  str_array(b, "countries", e->countries, e->n_countries);
  kpw_buf_putc(b, ','); kpw_json_key(b, "gender");
  if (e->gender == 'm') kpw_json_str(b, "male");
  else if (e->gender == 'f') kpw_json_str(b, "female");
  else kpw_buf_puts(b, "null");
  kpw_buf_putc(b, ','); kpw_json_key(b, "ids");
  kpw_buf_putc(b, '[');
  for (uint32_t i = 0; i < e->n_ids; i++) {
    const kpw_ident *d = &e->ids[i];
    if (i) kpw_buf_putc(b, ',');
    kpw_buf_putc(b, '{');
    kpw_json_key(b, "kind"); kpw_json_str(b, kpw_id_kind_name(d->kind));
    kpw_buf_putc(b, ','); kpw_json_key(b, "value"); kpw_json_str(b, d->value);
    kpw_buf_putc(b, ','); kpw_json_key(b, "label"); kpw_json_str(b, d->label);
    kpw_buf_putc(b, ','); kpw_json_key(b, "chain"); kpw_json_str(b, d->chain);
    kpw_buf_putc(b, '}');
  }
  kpw_buf_putc(b, ']');
  kpw_buf_putc(b, ','); kpw_json_key(b, "programs"); kpw_json_str(b, e->programs);
  kpw_buf_putc(b, ','); kpw_json_key(b, "listed_on"); kpw_json_str(b, e->listed_on);
  kpw_buf_putc(b, ','); kpw_json_key(b, "remarks"); kpw_json_str(b, e->remarks);
  kpw_buf_putc(b, '}');
}

char *kpw_listset_versions_json(const kpw_listset *ls) {
  kpw_buf b;
  kpw_buf_init(&b);
  kpw_buf_putc(&b, '[');
  for (size_t i = 0; i < kpw_listset_nlists(ls); i++) {
    const kpw_listinfo *li = kpw_listset_list(ls, i);
    if (i) kpw_buf_putc(&b, ',');
    kpw_buf_puts(&b, "{\"name\":");
    kpw_json_str(&b, li->name);
    kpw_buf_puts(&b, ",\"date\":");
    kpw_json_str(&b, li->date);
    kpw_buf_puts(&b, ",\"sha256\":");
    kpw_json_str(&b, li->sha256);
    kpw_buf_printf(&b, ",\"entities\":%u}", li->n_entities);
  }
  kpw_buf_putc(&b, ']');
  return b.data;
}
