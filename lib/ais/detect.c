/*
** detect.c -- the streaming driver of `kpwatch ais detect`: one pass over
** vessel fixes, each fix handed to every enabled detector (aisdetect.h).
**
** Invariants:
**  - Per vessel, detectors see fixes in non-decreasing time; a fix older than
**    the vessel's previous one is dropped (out_of_order), and a position at
**    the same time as the vessel's previous position is dropped (duplicates:
**    the same report heard by several receivers).
**  - Vessels get a dense index (vid) from a hash map keyed by the vessel id;
**    detectors keep per-vessel state in arrays indexed by vid. A vessel silent
**    for idle_hours (against the watermark) is evicted: every detector's
**    `evict` runs, then the vid is reused. Memory is O(vessels seen within
**    idle_hours), and nothing is allocated per fix (tables grow by doubling).
**  - The watermark is the newest fix time minus lag_hours: fixes older than
**    it are counted `late` (they still reach the detectors, but the
**    encounter grid may have passed them). Detectors get `tick(watermark)`
**    whenever it moves by a minute or more.
*/
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "kpw/aisdetect.h"
#include "ais/geo.h"

#define MAX_DETECTORS 32
#define TICK_US 60000000LL
#define EVICT_EVERY_US 3600000000LL

void kpw_ais_params_default(kpw_ais_params *p) {
  memset(p, 0, sizeof *p);
  p->enc_max_dist_m = 500;
  p->enc_min_hours = 2;
  p->enc_max_sog_kn = 2;
  p->gap_min_hours = 6;
  p->gap_disabling_hours = 12;
  p->gap_disabling_nm = 50;
  p->rdv_overlap_hours = 4;
  p->rdv_max_nm = 50;
  p->loiter_max_sog_kn = 2;
  p->loiter_min_hours = 4;
  p->loiter_min_shore_nm = 20;
  p->port_entry_km = 3;
  p->port_exit_km = 4;
  p->dark_port_gap_hours = 12;
  p->dark_port_km = 30;
  p->spoof_max_kn = 50;
  p->enc_step_min = 10;
  p->enc_interp_hours = 1;
  p->enc_miss_steps = 1;
  p->lag_hours = 1;
  p->idle_hours = 168;
}

/* ------------------------------------------------------------ registry */
const char *const kpw_ais_detector_kinds[] = {
  "encounter", "ais_gap", "dark_rendezvous", "loitering", NULL
};

kpw_result kpw_ais_detector_by_name(const char *kind, const kpw_ais_params *p,
                                    kpw_ais_detector *out) {
  if (!strcmp(kind, "encounter")) *out = kpw_ais_det_encounter_new(p);
  else if (!strcmp(kind, "ais_gap")) *out = kpw_ais_det_gap_new(p);
  else if (!strcmp(kind, "dark_rendezvous")) *out = kpw_ais_det_rendezvous_new(p);
  else if (!strcmp(kind, "loitering")) *out = kpw_ais_det_loiter_new(p);
  else return KPW_ENOTFOUND;
  return KPW_OK;
}

/* ------------------------------------------------------------ driver */
typedef struct vessel {
  char id[40];
  char subject[48];
  int64_t last_t, last_pos_t;
  bool live;
} vessel;

struct kpw_ais_driver {
  kpw_ais_params p;
  kpw_ais_ctx ctx;
  kpw_finding_sink user_emit; void *user_ctx;
  kpw_ais_detector det[MAX_DETECTORS]; size_t n_det;
  vessel *v; uint32_t n_v, cap_v;        /* vids 0..n_v-1 ever used */
  uint32_t *free_vid; uint32_t n_free;
  uint32_t *slots; uint32_t cap_slots;   /* open addressing: vid+1, 0 = empty */
  uint64_t *slot_hash;
  int64_t max_t, next_tick, next_evict;
  char **sources; size_t n_sources;      /* interned source names */
  const char *last_src_ptr; const char *last_src;
  kpw_ais_driver_stats st;
};

static uint64_t hash_id(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
  return h ^ (h >> 29);
}

static void driver_emit(void *ctx, const kpw_finding *f) {
  kpw_ais_driver *d = ctx;
  d->st.findings++;
  d->user_emit(d->user_ctx, f);
}

static const char *driver_subject(void *drv, uint32_t vid) {
  kpw_ais_driver *d = drv;
  return vid < d->n_v ? d->v[vid].subject : "vessel:?";
}

kpw_ais_driver *kpw_ais_driver_new(const kpw_ais_params *p, kpw_finding_sink emit,
                                   void *emit_ctx) {
  kpw_ais_driver *d = kpw_xcalloc(1, sizeof *d);
  d->p = *p;
  d->user_emit = emit; d->user_ctx = emit_ctx;
  d->ctx.p = &d->p;
  d->ctx.emit = driver_emit; d->ctx.emit_ctx = d;
  d->ctx.subject = driver_subject; d->ctx.drv = d;
  d->ctx.watermark_us = KPW_TIME_NONE;
  d->max_t = KPW_TIME_NONE;
  d->cap_slots = 1024;
  d->slots = kpw_xcalloc(d->cap_slots, sizeof *d->slots);
  d->slot_hash = kpw_xcalloc(d->cap_slots, sizeof *d->slot_hash);
  d->st.first_us = d->st.last_us = KPW_TIME_NONE;
  return d;
}

void kpw_ais_driver_set_shore(kpw_ais_driver *d, double (*shore_nm)(void *, double, double),
                              void *geo) {
  d->ctx.shore_nm = shore_nm; d->ctx.geo = geo;
}

void kpw_ais_driver_add(kpw_ais_driver *d, const kpw_ais_detector *det) {
  if (d->n_det == MAX_DETECTORS) {      /* a programming error (there are ~10 kinds):
                                        ** the detector is freed and not run */
    if (det->free) det->free(det->state);
    return;
  }
  d->det[d->n_det++] = *det;
}

static void slots_insert(kpw_ais_driver *d, uint64_t h, uint32_t vid) {
  uint32_t m = d->cap_slots - 1, i = (uint32_t)h & m;
  while (d->slots[i]) i = (i + 1) & m;
  d->slots[i] = vid + 1; d->slot_hash[i] = h;
}

static void slots_grow(kpw_ais_driver *d) {
  uint32_t *os = d->slots; uint64_t *oh = d->slot_hash; uint32_t oc = d->cap_slots;
  d->cap_slots *= 2;
  d->slots = kpw_xcalloc(d->cap_slots, sizeof *d->slots);
  d->slot_hash = kpw_xcalloc(d->cap_slots, sizeof *d->slot_hash);
  for (uint32_t i = 0; i < oc; i++) if (os[i]) slots_insert(d, oh[i], os[i] - 1);
  free(os); free(oh);
}

/* Remove the slot holding vid (backward-shift deletion keeps probe chains
** intact without tombstones). */
static void slots_remove(kpw_ais_driver *d, uint64_t h, uint32_t vid) {
  uint32_t m = d->cap_slots - 1, i = (uint32_t)h & m;
  while (d->slots[i] && d->slots[i] != vid + 1) i = (i + 1) & m;
  if (!d->slots[i]) return;
  uint32_t j = i;
  for (;;) {
    d->slots[i] = 0;
    for (;;) {
      j = (j + 1) & m;
      if (!d->slots[j]) return;
      uint32_t home = (uint32_t)d->slot_hash[j] & m;
      /* j's entry may move to i only if its home is not in (i, j] */
      bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!between) break;
    }
    d->slots[i] = d->slots[j]; d->slot_hash[i] = d->slot_hash[j];
    i = j;
  }
}

static uint32_t vessel_lookup(kpw_ais_driver *d, const char *id, uint32_t mmsi) {
  uint64_t h = hash_id(id);
  uint32_t m = d->cap_slots - 1, i = (uint32_t)h & m;
  while (d->slots[i]) {
    if (d->slot_hash[i] == h && !strcmp(d->v[d->slots[i] - 1].id, id)) return d->slots[i] - 1;
    i = (i + 1) & m;
  }
  uint32_t vid;
  if (d->n_free) vid = d->free_vid[--d->n_free];
  else {
    if (d->n_v == d->cap_v) {
      d->cap_v = d->cap_v ? d->cap_v * 2 : 1024;
      d->v = kpw_xrealloc(d->v, sizeof *d->v * d->cap_v);
    }
    vid = d->n_v++;
  }
  vessel *v = &d->v[vid];
  memset(v, 0, sizeof *v);
  snprintf(v->id, sizeof v->id, "%s", id);
  /* a vessel id of exactly 9 digits is an MMSI too (GFW's ssvid, CSV
  ** exports naming the MMSI column vessel_id) */
  if (!mmsi && strlen(id) == 9 && strspn(id, "0123456789") == 9) mmsi = (uint32_t)strtoul(id, NULL, 10);
  if (mmsi) snprintf(v->subject, sizeof v->subject, "mmsi:%09u", (unsigned)mmsi);
  else snprintf(v->subject, sizeof v->subject, "vessel:%s", id);
  v->last_t = v->last_pos_t = KPW_TIME_NONE;
  v->live = true;
  d->st.vessels_seen++;
  if (++d->st.vessels_active > d->st.vessels_peak) d->st.vessels_peak = d->st.vessels_active;
  if ((uint64_t)d->st.vessels_active * 2 > d->cap_slots) slots_grow(d);
  slots_insert(d, h, vid);
  return vid;
}

static void evict_idle(kpw_ais_driver *d, int64_t before) {
  for (uint32_t vid = 0; vid < d->n_v; vid++) {
    vessel *v = &d->v[vid];
    if (!v->live || v->last_t >= before) continue;
    for (size_t k = 0; k < d->n_det; k++)
      if (d->det[k].evict) d->det[k].evict(d->det[k].state, &d->ctx, vid);
    slots_remove(d, hash_id(v->id), vid);
    v->live = false;
    if (d->n_free == 0 || (d->n_free & (d->n_free - 1)) == 0)
      d->free_vid = kpw_xrealloc(d->free_vid, sizeof *d->free_vid * (d->n_free ? d->n_free * 2 : 64));
    d->free_vid[d->n_free++] = vid;
    d->st.vessels_active--;
    d->st.evicted++;
  }
}

static const char *intern_source(kpw_ais_driver *d, const char *s) {
  if (!s) return NULL;
  if (s == d->last_src_ptr && !strcmp(s, d->last_src)) return d->last_src;
  for (size_t i = 0; i < d->n_sources; i++)
    if (!strcmp(d->sources[i], s)) { d->last_src_ptr = s; return d->last_src = d->sources[i]; }
  d->sources = kpw_xrealloc(d->sources, sizeof *d->sources * (d->n_sources + 1));
  d->sources[d->n_sources++] = kpw_xstrdup(s);
  d->last_src_ptr = s;
  return d->last_src = d->sources[d->n_sources - 1];
}

static void advance(kpw_ais_driver *d, int64_t t) {
  if (d->max_t != KPW_TIME_NONE && t <= d->max_t) return;
  d->max_t = t;
  int64_t lag = (int64_t)(d->p.lag_hours * 3.6e9);
  int64_t wm = t - (lag > 0 ? lag : 0);
  if (d->ctx.watermark_us == KPW_TIME_NONE) {
    d->next_tick = wm; d->next_evict = wm + EVICT_EVERY_US;
  }
  d->ctx.watermark_us = wm;
  if (wm >= d->next_tick) {
    for (size_t k = 0; k < d->n_det; k++)
      if (d->det[k].tick) d->det[k].tick(d->det[k].state, &d->ctx, wm);
    d->next_tick = wm + TICK_US;
  }
  if (wm >= d->next_evict) {
    evict_idle(d, wm - (int64_t)(d->p.idle_hours * 3.6e9));
    d->next_evict = wm + EVICT_EVERY_US;
  }
}

void kpw_ais_driver_fix(kpw_ais_driver *d, const kpw_ais_fix *f) {
  d->st.fixes++;
  if (f->t_us == KPW_TIME_NONE) { d->st.no_time++; return; }
  char idbuf[16];
  const char *id = f->vessel_id;
  uint32_t mmsi = f->mmsi;
  if (!id[0]) {
    if (!mmsi) { d->st.no_vessel++; return; }
    snprintf(idbuf, sizeof idbuf, "%u", (unsigned)mmsi);
    id = idbuf;
  }
  kpw_ais_fix c = *f;
  bool has_pos = geo_valid(c.lat, c.lon);
  if (!has_pos) {
    if (!isnan(c.lat) || !isnan(c.lon)) d->st.bad_position++;
    c.lat = c.lon = NAN;
  }
  advance(d, c.t_us);
  if (d->ctx.watermark_us != KPW_TIME_NONE && c.t_us < d->ctx.watermark_us) d->st.late++;
  uint32_t vid = vessel_lookup(d, id, mmsi);
  vessel *v = &d->v[vid];
  if (v->last_t != KPW_TIME_NONE && c.t_us < v->last_t) { d->st.out_of_order++; return; }
  if (has_pos && c.t_us == v->last_pos_t) { d->st.duplicates++; return; }
  v->last_t = c.t_us;
  if (has_pos) v->last_pos_t = c.t_us; else d->st.no_position++;
  c.source = intern_source(d, c.source);
  d->ctx.vid = vid;
  for (size_t k = 0; k < d->n_det; k++) d->det[k].fix(d->det[k].state, &d->ctx, &c);
  d->st.delivered++;
  if (d->st.first_us == KPW_TIME_NONE || c.t_us < d->st.first_us) d->st.first_us = c.t_us;
  if (d->st.last_us == KPW_TIME_NONE || c.t_us > d->st.last_us) d->st.last_us = c.t_us;
}

void kpw_ais_driver_finish(kpw_ais_driver *d) {
  for (size_t k = 0; k < d->n_det; k++)
    if (d->det[k].finish) d->det[k].finish(d->det[k].state, &d->ctx);
}

const kpw_ais_driver_stats *kpw_ais_driver_stats_get(const kpw_ais_driver *d) { return &d->st; }

void kpw_ais_driver_free(kpw_ais_driver *d) {
  if (!d) return;
  for (size_t k = 0; k < d->n_det; k++) if (d->det[k].free) d->det[k].free(d->det[k].state);
  for (size_t i = 0; i < d->n_sources; i++) free(d->sources[i]);
  free(d->sources); free(d->v); free(d->free_vid); free(d->slots); free(d->slot_hash);
  free(d);
}

/* ------------------------------------------------------------ whole run
** The reader thread fills batches of fixes; the calling thread runs the
** driver over them. A ring of NBATCH batches bounds memory (~5 MB). */
#define BATCH 8192
#define NBATCH 4

typedef struct batch { kpw_ais_fix *f; size_t n; size_t path; } batch;

typedef struct run_shared {
  const kpw_ais_run_opts *o;
  const char *const *paths; size_t n_paths;
  batch b[NBATCH];
  size_t head, tail, count;           /* ring of filled batches */
  bool done;                          /* reader finished (or failed) */
  bool stop;                          /* consumer asks the reader to stop */
  kpw_result rc; kpw_error err;
  kpw_ais_stats rs;
  pthread_mutex_t mu; pthread_cond_t cv;
} run_shared;

static void add_reader_stats(kpw_ais_stats *a, const kpw_ais_stats *b) {
  a->lines += b->lines; a->sentences += b->sentences; a->messages += b->messages;
  a->bad_checksum += b->bad_checksum; a->garbage_lines += b->garbage_lines;
  a->bad_fields += b->bad_fields; a->incomplete += b->incomplete; a->unsupported += b->unsupported;
}

/* Read every file into batches; `put` hands a full batch over. */
static void *reader_main(void *arg) {
  run_shared *s = arg;
  kpw_result rc = KPW_OK;
  for (size_t pi = 0; pi < s->n_paths && rc == KPW_OK; pi++) {
    kpw_track_reader *r = NULL;
    kpw_error e; kpw_error_clear(&e);
    rc = kpw_track_open(s->paths[pi], s->o->fmt, &r, &e);
    if (rc) { pthread_mutex_lock(&s->mu); s->err = e; pthread_mutex_unlock(&s->mu); break; }
    bool eof = false;
    while (!eof && rc == KPW_OK) {
      pthread_mutex_lock(&s->mu);
      while (s->count == NBATCH && !s->stop) pthread_cond_wait(&s->cv, &s->mu);
      bool stop = s->stop;
      batch *b = &s->b[s->tail];
      pthread_mutex_unlock(&s->mu);
      if (stop) { rc = KPW_DONE; break; }
      b->n = 0; b->path = pi;
      while (b->n < BATCH) {
        kpw_result x = kpw_track_next(r, &b->f[b->n], &e);
        if (x == KPW_DONE) { eof = true; break; }
        if (x) { rc = x; pthread_mutex_lock(&s->mu); s->err = e; pthread_mutex_unlock(&s->mu); break; }
        b->f[b->n].source = s->paths[pi];   /* outlives the reader */
        b->n++;
      }
      pthread_mutex_lock(&s->mu);
      s->tail = (s->tail + 1) % NBATCH; s->count++;
      pthread_cond_broadcast(&s->cv);
      pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_lock(&s->mu);
    add_reader_stats(&s->rs, kpw_track_stats(r));
    pthread_mutex_unlock(&s->mu);
    kpw_track_close(r);
  }
  pthread_mutex_lock(&s->mu);
  s->rc = rc == KPW_DONE ? KPW_OK : rc;
  s->done = true;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

/* Add the detectors `only` names (all when NULL/empty): built-in kinds by
** kpw_ais_detector_by_name, the caller's extras by name. Extras not
** selected are freed here, so the caller never frees them. */
static kpw_result add_detectors(kpw_ais_driver *d, const kpw_ais_run_opts *o, kpw_error *err) {
  bool *used = kpw_xcalloc(o->n_extra + 1, sizeof *used);
  kpw_result rc = KPW_OK;
  if (!o->only || !*o->only) {
    for (size_t i = 0; kpw_ais_detector_kinds[i]; i++) {
      kpw_ais_detector det;
      kpw_ais_detector_by_name(kpw_ais_detector_kinds[i], o->p, &det);
      kpw_ais_driver_add(d, &det);
    }
    for (size_t i = 0; i < o->n_extra; i++) { kpw_ais_driver_add(d, &o->extra[i]); used[i] = true; }
  } else {
    const char *s = o->only;
    while (*s && !rc) {
      const char *e = strchr(s, ',');
      size_t n0 = e ? (size_t)(e - s) : strlen(s), n = n0;
      char name[64];
      if (n >= sizeof name) n = sizeof name - 1;     /* too long: unknown below */
      memcpy(name, s, n); name[n] = 0;
      kpw_ais_detector det;
      bool found = false;
      if (!n) found = true;
      else if (kpw_ais_detector_by_name(name, o->p, &det) == KPW_OK) { kpw_ais_driver_add(d, &det); found = true; }
      else for (size_t i = 0; i < o->n_extra; i++)
        if (!used[i] && o->extra[i].name && !strcmp(o->extra[i].name, name)) {
          kpw_ais_driver_add(d, &o->extra[i]); used[i] = found = true;
        }
      if (!found) rc = kpw_error_set(err, KPW_EUSAGE, "--only", 0, 0, "unknown finding kind '%s'", name);
      s += n0 + (e ? 1 : 0);
    }
  }
  for (size_t i = 0; i < o->n_extra; i++)
    if (!used[i] && o->extra[i].free) o->extra[i].free(o->extra[i].state);
  free(used);
  return rc;
}

/* Sorted mode: every fix read into memory, stably sorted by time (ties in
** input order), then delivered. Bounded by max_sorted_fixes. */
static const kpw_ais_fix *sort_base;
static int cmp_fix_time(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  int64_t tx = sort_base[x].t_us, ty = sort_base[y].t_us;
  if (tx != ty) return tx < ty ? -1 : 1;
  return x < y ? -1 : x > y;
}

static kpw_result run_sorted(kpw_ais_driver *d, const kpw_ais_run_opts *o, const char *const *paths,
                             size_t n_paths, kpw_ais_stats *rs, kpw_error *err) {
  size_t cap_max = o->max_sorted_fixes ? o->max_sorted_fixes : 20000000u;
  if (cap_max > UINT32_MAX) cap_max = UINT32_MAX;
  size_t n = 0, cap = 0;
  kpw_ais_fix *fx = NULL;
  kpw_result x = KPW_OK;
  for (size_t pi = 0; pi < n_paths && x == KPW_OK; pi++) {
    kpw_track_reader *r = NULL;
    x = kpw_track_open(paths[pi], o->fmt, &r, err);
    if (x) break;
    for (;;) {
      if (n == cap) {
        if (cap >= cap_max) {
          x = kpw_error_set(err, KPW_ENOMEM, paths[pi], 0, 0,
                            "the input is not in time order and has more than %zu fixes to sort in memory: "
                            "sort it by time first (e.g. sort -t, -k<time column>)", cap_max);
          break;
        }
        cap = cap ? cap * 2 : 65536;
        if (cap > cap_max) cap = cap_max;
        fx = kpw_xrealloc(fx, cap * sizeof *fx);
      }
      kpw_result y = kpw_track_next(r, &fx[n], err);
      if (y == KPW_DONE) break;
      if (y) { x = y; break; }
      fx[n].source = paths[pi];
      n++;
    }
    add_reader_stats(rs, kpw_track_stats(r));
    kpw_track_close(r);
  }
  if (x == KPW_OK) {
    uint32_t *ord = kpw_xmalloc((n ? n : 1) * sizeof *ord);
    for (size_t i = 0; i < n; i++) ord[i] = (uint32_t)i;
    sort_base = fx;
    qsort(ord, n, sizeof *ord, cmp_fix_time);
    uint64_t next_progress = 1000000;
    for (size_t i = 0; i < n; i++) {
      kpw_ais_driver_fix(d, &fx[ord[i]]);
      if (o->progress && d->st.fixes >= next_progress) {
        o->progress(o->progress_ctx, fx[ord[i]].source, &d->st); next_progress += 1000000;
      }
    }
    free(ord);
  }
  free(fx);
  return x;
}

kpw_result kpw_ais_detect_run(const kpw_ais_run_opts *o, const char *const *paths,
                              size_t n_paths, kpw_ais_driver_stats *stats,
                              kpw_ais_stats *reader_stats, kpw_error *err) {
  kpw_ais_driver *d = kpw_ais_driver_new(o->p, o->emit, o->emit_ctx);
  kpw_ais_driver_set_shore(d, o->shore_nm, o->geo);
  d->ctx.in_foreign_port = o->in_foreign_port;
  kpw_result rc = add_detectors(d, o, err);
  if (rc) { kpw_ais_driver_free(d); return rc; }
  run_shared *s = kpw_xcalloc(1, sizeof *s);
  s->o = o; s->paths = paths; s->n_paths = n_paths;
  for (int i = 0; i < NBATCH; i++) s->b[i].f = kpw_xmalloc(sizeof(kpw_ais_fix) * BATCH);
  pthread_mutex_init(&s->mu, NULL); pthread_cond_init(&s->cv, NULL);
  uint64_t next_progress = 1000000;
  pthread_t th;
  bool threaded = !o->single_thread && !o->sort_by_time && pthread_create(&th, NULL, reader_main, s) == 0;
  if (o->sort_by_time) {
    s->rc = run_sorted(d, o, paths, n_paths, &s->rs, &s->err);
  } else if (!threaded) {
    /* single thread (asked for, or no thread could be started): read and
    ** detect fix by fix */
    kpw_result x = KPW_OK;
    for (size_t pi = 0; pi < n_paths && x == KPW_OK; pi++) {
      kpw_track_reader *r = NULL;
      x = kpw_track_open(paths[pi], o->fmt, &r, &s->err);
      if (x) break;
      kpw_ais_fix *f = s->b[0].f;
      for (;;) {
        kpw_result y = kpw_track_next(r, f, &s->err);
        if (y == KPW_DONE) break;
        if (y) { x = y; break; }
        f->source = paths[pi];
        kpw_ais_driver_fix(d, f);
        if (o->progress && d->st.fixes >= next_progress) {
          o->progress(o->progress_ctx, paths[pi], &d->st); next_progress += 1000000;
        }
      }
      add_reader_stats(&s->rs, kpw_track_stats(r));
      kpw_track_close(r);
    }
    s->rc = x;
  } else {
    for (;;) {
      pthread_mutex_lock(&s->mu);
      while (s->count == 0 && !s->done) pthread_cond_wait(&s->cv, &s->mu);
      if (s->count == 0 && s->done) { pthread_mutex_unlock(&s->mu); break; }
      batch *b = &s->b[s->head];
      pthread_mutex_unlock(&s->mu);
      for (size_t i = 0; i < b->n; i++) kpw_ais_driver_fix(d, &b->f[i]);
      if (o->progress && d->st.fixes >= next_progress) {
        o->progress(o->progress_ctx, paths[b->path], &d->st); next_progress += 1000000;
      }
      pthread_mutex_lock(&s->mu);
      s->head = (s->head + 1) % NBATCH; s->count--;
      pthread_cond_broadcast(&s->cv);
      pthread_mutex_unlock(&s->mu);
    }
    pthread_join(th, NULL);
  }
  rc = s->rc;
  if (rc && err) *err = s->err;
  if (!rc) kpw_ais_driver_finish(d);
  if (o->progress) o->progress(o->progress_ctx, NULL, &d->st);
  if (stats) *stats = d->st;
  if (reader_stats) *reader_stats = s->rs;
  for (int i = 0; i < NBATCH; i++) free(s->b[i].f);
  pthread_mutex_destroy(&s->mu); pthread_cond_destroy(&s->cv);
  free(s);
  kpw_ais_driver_free(d);
  return rc;
}
