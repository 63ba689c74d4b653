/*
** det_screen.c -- the screening_match detector of `ais detect`: every
** vessel seen in the tracks is screened against the loaded lists (screen.h)
** by its IMO number, its MMSI and its AIS name as a Vessel. Listed former
** names count (the screener indexes them), so a repainted ship sending its
** new name still matches when the list carries it as f.k.a.
**
** A vessel is screened again only when its (MMSI, IMO, name) changes to a
** combination not screened before; each (vessel, listed entity) pair is
** reported once. Bounded per vessel: at most SEEN_MAX combinations and
** SEEN_MAX entities are remembered, later ones are screened but counted.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kpw/aisgeo.h"
#include "ais/geo.h"

#define SEEN_MAX 16
#define MAX_HITS 8

typedef struct sc_vessel {
  uint32_t sig[SEEN_MAX]; int nsig;
  uint32_t ent[SEEN_MAX]; int nent;
} sc_vessel;

typedef struct scd {
  const kpw_screener *scr;
  double threshold;
  kpw_vstate v;
} scd;

static uint32_t sig_of(uint32_t mmsi, uint32_t imo, const char *name) {
  uint32_t h = 2166136261u;
  h = (h ^ mmsi) * 16777619u;
  h = (h ^ imo) * 16777619u;
  for (const char *s = name; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
  return h;
}

static bool remember(uint32_t *arr, int *n, uint32_t v) {
  for (int i = 0; i < *n; i++) if (arr[i] == v) return false;
  if (*n < SEEN_MAX) arr[(*n)++] = v;
  return true;
}

static void sc_fix(void *st, const kpw_ais_ctx *c, const kpw_ais_fix *f) {
  scd *d = st;
  sc_vessel *s = kpw_vstate_get(&d->v, c->vid);
  char sb[24];
  const char *subject = kpw_ais_subject(c, c->vid, f->mmsi, sb);
  char name[24];
  kpw_ais_name_norm(f->name, name, sizeof name);
  uint32_t imo = f->imo && kpw_imo_valid(f->imo) ? f->imo : 0;
  if (!f->mmsi && !imo && !name[0]) return;
  uint32_t sig = sig_of(f->mmsi, imo, name);
  for (int i = 0; i < s->nsig; i++) if (s->sig[i] == sig) return;
  if (s->nsig < SEEN_MAX) s->sig[s->nsig++] = sig;
  else return;           /* a vessel cycling through many identities: the identity detector reports it */

  char imo_s[8] = "", mmsi_s[10] = "";
  kpw_ident ids[2];
  size_t nid = 0;
  if (imo) { snprintf(imo_s, sizeof imo_s, "%07u", imo); ids[nid++] = (kpw_ident){KPW_ID_IMO, imo_s, NULL, NULL}; }
  if (f->mmsi) { snprintf(mmsi_s, sizeof mmsi_s, "%09u", f->mmsi); ids[nid++] = (kpw_ident){KPW_ID_MMSI, mmsi_s, NULL, NULL}; }
  const char *names[1] = {name};
  kpw_query q = {.id = subject, .schema = KPW_SCHEMA_VESSEL, .names = names,
                 .n_names = name[0] ? 1 : 0, .ids = ids, .n_ids = nid};
  kpw_hit hits[MAX_HITS];
  size_t n = kpw_screen(d->scr, &q, d->threshold, d->threshold, hits, MAX_HITS);
  for (size_t i = 0; i < n; i++) {
    const kpw_hit *h = &hits[i];
    if (!h->match || !h->entity) continue;
    if (!remember(s->ent, &s->nent, h->entity->index)) continue;
    char listsub[160];
    snprintf(listsub, sizeof listsub, "list:%s", h->entity->id);
    const char *subs[2] = {subject, listsub};
    kpw_evidence ev[2] = {
      {f->source ? f->source : "-", f->line, 0, NULL},
      {h->entity->list ? h->entity->list : "list", 0, 0, h->entity->id},
    };
    const char *via = h->score >= 1.0 && h->query_name && imo && !strcmp(h->query_name, imo_s) ? "imo"
                    : h->score >= 1.0 && h->query_name && f->mmsi && !strcmp(h->query_name, mmsi_s) ? "mmsi"
                    : "name";
    kpw_buf b; kpw_buf_init(&b);
    kpw_buf_putc(&b, '{');
    kpw_json_key(&b, "entity_id"); kpw_json_str(&b, h->entity->id);
    kpw_buf_putc(&b, ','); kpw_json_key(&b, "name");
    kpw_json_str(&b, h->entity->n_names ? h->entity->names[0].text : NULL);
    kpw_buf_putc(&b, ','); kpw_json_key(&b, "matched_name"); kpw_json_str(&b, h->matched_name);
    kpw_buf_putc(&b, ','); kpw_json_key(&b, "query"); kpw_json_str(&b, h->query_name);
    kpw_buf_putc(&b, ','); kpw_json_key(&b, "via"); kpw_json_str(&b, via);
    kpw_buf_putc(&b, ','); kpw_json_key(&b, "list"); kpw_json_str(&b, h->entity->list);
    kpw_buf_putc(&b, ','); kpw_json_key(&b, "programs"); kpw_json_str(&b, h->entity->programs);
    kpw_buf_putc(&b, ','); kpw_json_key(&b, "ais_name"); kpw_json_str(&b, name[0] ? name : NULL);
    if (imo) { kpw_buf_putc(&b, ','); kpw_json_key(&b, "imo"); kpw_json_str(&b, imo_s); }
    kpw_buf_putc(&b, '}');
    char ex[400];
    snprintf(ex, sizeof ex, "vessel %s matches listed %s (%s) by %s: %s", subject,
             h->entity->n_names ? h->entity->names[0].text : h->entity->id, h->entity->id, via, h->explain);
    kpw_finding fd = {
      .kind = "screening_match", .subjects = subs, .n_subjects = 2,
      .start_us = f->t_us, .end_us = KPW_TIME_NONE,
      .has_place = geo_valid(f->lat, f->lon), .lat = f->lat, .lon = f->lon,
      .score = h->score, .explain = ex, .evidence = ev, .n_evidence = 2, .detail_json = b.data,
    };
    if (c && c->emit) c->emit(c->emit_ctx, &fd);
    kpw_buf_free(&b);
  }
}

static void sc_free(void *st) {
  scd *d = st;
  if (!d) return;
  kpw_vstate_free(&d->v);
  free(d);
}

static void sc_evict(void *st, const kpw_ais_ctx *c, uint32_t vid) {
  scd *d = st;
  kpw_vstate_clear(&d->v, vid);
}

kpw_result kpw_ais_det_screen_new(const kpw_screener *scr, double threshold,
                                  kpw_ais_detector *out, kpw_error *err) {
  if (!out || !scr)
    return kpw_error_set(err, KPW_EUSAGE, "screening_match", 0, 0, "the screening detector needs loaded lists");
  scd *d = kpw_xcalloc(1, sizeof *d);
  d->scr = scr;
  d->threshold = threshold > 0 ? threshold : KPW_DEFAULT_THRESHOLD;
  kpw_vstate_init(&d->v, sizeof(sc_vessel));
  *out = (kpw_ais_detector){.name = "screening_match", .state = d, .fix = sc_fix, .free = sc_free, .evict = sc_evict};
  return KPW_OK;
}
