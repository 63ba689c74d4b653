/*
** det_portcall.c -- two detectors of `ais detect` over the port model
** (ports.c): port_call, a stay in a DPRK port (or in the Nampo approaches
** zone), and dark_port_call, an AIS gap that fits a DPRK port visit.
**
** port_call follows GFW's port-visit state machine (anchorages_pipeline,
** anchorage_cfg.yaml): a visit opens when a fix comes within port_entry_km
** (3) of a port, closes at the first fix beyond port_exit_km (4); inside,
** a STOP begins below 0.2 kn and ends above 0.5 kn, and a silence longer
** than 4 h is a GAP. Confidence 1-4 as GFW: 4 entry + stop/gap + exit,
** 3 stop/gap + entry or exit, 2 entry + exit, 1 otherwise. A visit to the
** approaches zone needs a stop, a gap or ZONE_MIN_H (2 h) inside it.
**
** dark_port_call: consecutive positions >= dark_port_gap_hours (12) apart
** whose two ends are each within dark_port_km (30) of a DPRK port, inside a
** DPRK zone or inside the DPRK waters polygon (--eez). A gap with one such
** end whose other end could be reached from the port within the gap at
** 15 kn is reported with a lower score ("one_end"), and a vessel silent at
** the end of the input since a fix near a DPRK port as "open".
**
** Memory: one small record per active vessel, indexed by the driver's vid
** and dropped on `evict` (an open visit is closed then, without an exit).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kpw/aisgeo.h"
#include "ais/geo.h"

#define US_PER_H 3600000000.0
#define STOP_BEGIN_KN 0.2
#define STOP_END_KN 0.5
#define PORT_GAP_H 4.0
#define DARK_FEASIBLE_KN 15.0
#define ZONE_MIN_H 2.0           /* a zone visit without a stop or gap must last this long */

/* ------------------------------------------------------------ shared */
typedef struct endfix {        /* a fix kept for evidence and places */
  int64_t t; double lat, lon;
  const char *src;             /* fix->source: the driver interns it for the run */
  uint64_t line;
} endfix;

static void keep(endfix *e, const kpw_ais_fix *f) {
  e->t = f->t_us; e->lat = f->lat; e->lon = f->lon; e->line = f->line;
  e->src = f->source ? f->source : "-";
}

static void emit(const kpw_ais_ctx *c, const char *kind, const char *subject,
                 int64_t t0, int64_t t1, double lat, double lon, double score,
                 const char *explain, const endfix *ev, size_t nev, const char *detail) {
  const char *subs[1] = {subject};
  kpw_evidence e[2];
  size_t n = 0;
  for (size_t i = 0; i < nev && i < 2; i++)
    if (ev[i].src) e[n++] = (kpw_evidence){ev[i].src, ev[i].line, 0, NULL};
  kpw_finding f = {
    .kind = kind, .subjects = subs, .n_subjects = 1, .start_us = t0, .end_us = t1,
    .has_place = isfinite(lat) && isfinite(lon), .lat = lat, .lon = lon, .score = score,
    .explain = explain, .evidence = e, .n_evidence = n, .detail_json = detail,
  };
  if (c && c->emit) c->emit(c->emit_ctx, &f);
}

/* ------------------------------------------------------------ port_call */
typedef struct pc_vessel {
  bool have_last;
  int64_t last_t;
  uint32_t mmsi;
  /* the open visit */
  bool in;
  const kpw_port *port;        /* NULL when the visit is in a zone */
  char zone[48];
  bool dprk, entry_seen, stopped, had_stop;
  int gaps;
  int64_t t_entry, t_last_in, stop_t0;
  double stop_h, min_km, max_gap_h;
  endfix first, last;
} pc_vessel;

typedef struct pc {
  const kpw_ais_geo *geo;
  kpw_portcall_opts o;
  kpw_vstate v;
} pc;

static void pc_close(pc *d, const kpw_ais_ctx *c, uint32_t vid, pc_vessel *s, bool exit_seen, int64_t t_exit) {
  if (!s->in) return;
  if (s->stopped) { s->stop_h += (double)(s->t_last_in - s->stop_t0) / US_PER_H; s->stopped = false; }
  bool sg = s->had_stop || s->gaps > 0;
  int conf = s->entry_seen && exit_seen ? (sg ? 4 : 2) : (sg ? ((s->entry_seen || exit_seen) ? 3 : 1) : 1);
  s->in = false;
  if (!s->dprk && conf < 2) return;
  int64_t end = exit_seen ? t_exit : s->t_last_in;
  double hours = (double)(end - s->t_entry) / US_PER_H;
  /* every ship bound for Nampo crosses the approaches: only a stop, a gap
  ** or a long stay there is a call (the port ring reports the port itself) */
  if (!s->port && !sg && hours < ZONE_MIN_H) return;
  const char *name = s->port ? s->port->name : s->zone;
  double lat = s->port ? s->port->lat : s->first.lat, lon = s->port ? s->port->lon : s->first.lon;
  kpw_buf b; kpw_buf_init(&b);
  kpw_buf_putc(&b, '{');
  kpw_json_key(&b, "port"); kpw_json_str(&b, name);
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "area"); kpw_json_str(&b, s->port ? "ring" : "zone");
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "country");
  kpw_json_str(&b, s->dprk ? "kp" : (s->port && s->port->country[0] ? s->port->country : NULL));
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "dprk"); kpw_buf_puts(&b, s->dprk ? "true" : "false");
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "confidence"); kpw_json_int(&b, conf);
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "entry"); kpw_buf_puts(&b, s->entry_seen ? "true" : "false");
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "exit"); kpw_buf_puts(&b, exit_seen ? "true" : "false");
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "hours"); kpw_json_num(&b, hours);
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "stop_hours"); kpw_json_num(&b, s->stop_h);
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "gaps"); kpw_json_int(&b, s->gaps);
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "max_gap_hours"); kpw_json_num(&b, s->max_gap_h);
  if (s->port) { kpw_buf_putc(&b, ','); kpw_json_key(&b, "min_km"); kpw_json_num(&b, s->min_km); }
  kpw_buf_putc(&b, '}');
  char ex[256];
  snprintf(ex, sizeof ex, "%s call at %s for %.1f h (confidence %d: %s%s%s)%s",
           s->dprk ? "DPRK port" : "port", name, hours, conf,
           s->entry_seen ? "entry, " : "", sg ? (s->had_stop ? "stop, " : "gap, ") : "",
           exit_seen ? "exit" : "no exit seen", s->port ? "" : " in the approaches zone");
  endfix ev[2] = {s->first, s->last};
  double score = s->dprk ? conf / 4.0 : 0.1;
  char sb[24];
  emit(c, "port_call", kpw_ais_subject(c, vid, s->mmsi, sb), s->t_entry, end, lat, lon, score, ex, ev, 2, b.data);
  kpw_buf_free(&b);
  (void)d;
}

static void pc_fix(void *st, const kpw_ais_ctx *c, const kpw_ais_fix *f) {
  pc *d = st;
  /* 0,0 is a receiver without a GPS fix (the spoofing detector reports it) */
  if (!geo_valid(f->lat, f->lon) || (f->lat == 0 && f->lon == 0) || !d->geo || !d->geo->ports) return;
  pc_vessel *s = kpw_vstate_get(&d->v, c->vid);
  s->mmsi = f->mmsi;
  double gap_h = s->have_last ? (double)(f->t_us - s->last_t) / US_PER_H : 0;
  const kpw_ais_params *p = c->p;
  double entry_km = p ? p->port_entry_km : 3, exit_km = p ? p->port_exit_km : 4;
  bool dprk_only = !d->o.all_ports;
  if (s->in) {
    bool out;
    if (s->port) {
      double km = geo_dist_m(f->lat, f->lon, s->port->lat, s->port->lon) / 1000.0;
      out = km > exit_km;
      if (!out && km < s->min_km) s->min_km = km;
    } else {
      bool zd;
      const char *z = kpw_ports_zone_at(d->geo->ports, f->lat, f->lon, &zd);
      out = !z || strcmp(z, s->zone) != 0;
    }
    if (gap_h > PORT_GAP_H) {
      s->gaps++;
      if (gap_h > s->max_gap_h) s->max_gap_h = gap_h;
    }
    if (out) {
      pc_close(d, c, c->vid, s, true, f->t_us);
    } else {
      if (s->stopped && s->t_last_in && gap_h > PORT_GAP_H) {
        s->stop_h += (double)(s->t_last_in - s->stop_t0) / US_PER_H;
        s->stopped = false;
      }
      s->t_last_in = f->t_us;
      keep(&s->last, f);
      if (isfinite(f->sog)) {
        if (!s->stopped && f->sog < STOP_BEGIN_KN) { s->stopped = true; s->had_stop = true; s->stop_t0 = f->t_us; }
        else if (s->stopped && f->sog > STOP_END_KN) {
          s->stop_h += (double)(f->t_us - s->stop_t0) / US_PER_H;
          s->stopped = false;
        }
      }
    }
  }
  if (!s->in) {
    double km;
    const kpw_port *port = kpw_ports_nearest(d->geo->ports, f->lat, f->lon, entry_km, dprk_only, &km);
    bool zd = false;
    const char *z = port ? NULL : kpw_ports_zone_at(d->geo->ports, f->lat, f->lon, &zd);
    if (port || (z && (zd || !dprk_only))) {
      s->in = true;
      s->port = port;
      snprintf(s->zone, sizeof s->zone, "%s", z ? z : "");
      s->dprk = port ? port->dprk : zd;
      s->entry_seen = s->have_last && gap_h <= PORT_GAP_H;
      s->stopped = s->had_stop = false;
      s->gaps = 0;
      s->stop_h = 0; s->max_gap_h = 0;
      s->min_km = port ? km : NAN;
      s->t_entry = s->t_last_in = f->t_us;
      keep(&s->first, f);
      keep(&s->last, f);
      if (isfinite(f->sog) && f->sog < STOP_BEGIN_KN) { s->stopped = s->had_stop = true; s->stop_t0 = f->t_us; }
    }
  }
  s->have_last = true;
  s->last_t = f->t_us;
}

static void pc_finish(void *st, const kpw_ais_ctx *c) {
  pc *d = st;
  for (size_t i = 0; i < d->v.cap; i++) {
    pc_vessel *s = kpw_vstate_peek(&d->v, (uint32_t)i);
    pc_close(d, c, (uint32_t)i, s, false, 0);
  }
}

static void pc_evict(void *st, const kpw_ais_ctx *c, uint32_t vid) {
  pc *d = st;
  pc_vessel *s = kpw_vstate_peek(&d->v, vid);
  if (!s) return;
  pc_close(d, c, vid, s, false, 0);
  kpw_vstate_clear(&d->v, vid);
}

static void pc_free(void *st) {
  pc *d = st;
  if (!d) return;
  kpw_vstate_free(&d->v);
  free(d);
}

kpw_result kpw_ais_det_portcall_new(const kpw_ais_geo *geo, const kpw_portcall_opts *o,
                                    kpw_ais_detector *out, kpw_error *err) {
  if (!out || !geo || !geo->ports)
    return kpw_error_set(err, KPW_EUSAGE, "port_call", 0, 0, "the port_call detector needs a port model");
  pc *d = kpw_xcalloc(1, sizeof *d);
  d->geo = geo;
  if (o) d->o = *o;
  kpw_vstate_init(&d->v, sizeof(pc_vessel));
  *out = (kpw_ais_detector){.name = "port_call", .state = d, .fix = pc_fix, .finish = pc_finish, .free = pc_free, .evict = pc_evict};
  return KPW_OK;
}

/* ------------------------------------------------------------ dark_port_call */
typedef struct dk_vessel {
  bool have;
  uint32_t mmsi;
  endfix last;
} dk_vessel;

typedef struct dk {
  const kpw_ais_geo *geo;
  kpw_vstate v;
  int64_t now;                 /* latest fix time seen */
} dk;

/* Whether a position counts as "at a DPRK port or in DPRK waters": writes
** what it is near into what (port name, zone name or "DPRK waters") and
** the reference point the gap must reach. */
static bool dprk_place(const dk *d, double lat, double lon, double km_max,
                       char *what, size_t cap, double *rlat, double *rlon) {
  double km;
  const kpw_port *p = kpw_ports_nearest(d->geo->ports, lat, lon, km_max, true, &km);
  if (p) { snprintf(what, cap, "%s", p->name); *rlat = p->lat; *rlon = p->lon; return true; }
  bool zd = false;
  const char *z = kpw_ports_zone_at(d->geo->ports, lat, lon, &zd);
  if (z && zd) { snprintf(what, cap, "%s", z); *rlat = lat; *rlon = lon; return true; }
  if (d->geo->eez && kpw_geo_poly_contains(d->geo->eez, lat, lon)) {
    snprintf(what, cap, "DPRK waters"); *rlat = lat; *rlon = lon; return true;
  }
  return false;
}

static void dk_emit(const kpw_ais_ctx *c, uint32_t vid, const dk_vessel *s, const endfix *a, const endfix *b,
                    const char *tier, double score, const char *wa, const char *wb) {
  double hours = b ? (double)(b->t - a->t) / US_PER_H : 0;
  kpw_buf j; kpw_buf_init(&j);
  kpw_buf_putc(&j, '{');
  kpw_json_key(&j, "tier"); kpw_json_str(&j, tier);
  if (b) { kpw_buf_putc(&j, ','); kpw_json_key(&j, "gap_hours"); kpw_json_num(&j, hours); }
  kpw_buf_putc(&j, ','); kpw_json_key(&j, "off"); kpw_json_str(&j, wa);
  kpw_buf_putc(&j, ','); kpw_json_key(&j, "on"); kpw_json_str(&j, wb);
  kpw_buf_putc(&j, ','); kpw_json_key(&j, "off_lat"); kpw_json_num(&j, a->lat);
  kpw_buf_putc(&j, ','); kpw_json_key(&j, "off_lon"); kpw_json_num(&j, a->lon);
  if (b) {
    kpw_buf_putc(&j, ','); kpw_json_key(&j, "on_lat"); kpw_json_num(&j, b->lat);
    kpw_buf_putc(&j, ','); kpw_json_key(&j, "on_lon"); kpw_json_num(&j, b->lon);
    kpw_buf_putc(&j, ','); kpw_json_key(&j, "distance_km");
    kpw_json_num(&j, geo_dist_m(a->lat, a->lon, b->lat, b->lon) / 1000.0);
  }
  kpw_buf_putc(&j, '}');
  char ex[256];
  if (!b) snprintf(ex, sizeof ex, "AIS silent since leaving %s (no later position)", wa ? wa : "?");
  else if (!strcmp(tier, "both_ends"))
    snprintf(ex, sizeof ex, "AIS off %.1f h between %s and %s: fits an unreported DPRK port visit", hours, wa, wb);
  else
    snprintf(ex, sizeof ex, "AIS off %.1f h, %s %s: a DPRK port visit fits in the gap", hours,
             wa ? "went dark at" : "reappeared at", wa ? wa : wb);
  endfix ev[2];
  ev[0] = *a;
  if (b) ev[1] = *b;
  char sb[24];
  emit(c, "dark_port_call", kpw_ais_subject(c, vid, s->mmsi, sb), a->t, b ? b->t : KPW_TIME_NONE, a->lat, a->lon, score, ex,
       ev, b ? 2 : 1, j.data);
  kpw_buf_free(&j);
}

static void dk_fix(void *st, const kpw_ais_ctx *c, const kpw_ais_fix *f) {
  dk *d = st;
  if (f->t_us > d->now) d->now = f->t_us;
  if (!geo_valid(f->lat, f->lon) || (f->lat == 0 && f->lon == 0) || !d->geo || !d->geo->ports) return;
  dk_vessel *s = kpw_vstate_get(&d->v, c->vid);
  s->mmsi = f->mmsi;
  const kpw_ais_params *p = c->p;
  double min_h = p ? p->dark_port_gap_hours : 12, km = p ? p->dark_port_km : 30;
  if (s->have && (double)(f->t_us - s->last.t) / US_PER_H >= min_h) {
    endfix now; keep(&now, f);
    char wa[64], wb[64];
    double ala, alo, bla, blo;
    bool ea = dprk_place(d, s->last.lat, s->last.lon, km, wa, sizeof wa, &ala, &alo);
    bool eb = dprk_place(d, f->lat, f->lon, km, wb, sizeof wb, &bla, &blo);
    double hours = (double)(f->t_us - s->last.t) / US_PER_H;
    if (ea && eb) dk_emit(c, c->vid, s, &s->last, &now, "both_ends", 0.9, wa, wb);
    else if (ea || eb) {
      /* the far end must be reachable from the DPRK place within the gap */
      double rla = ea ? ala : bla, rlo = ea ? alo : blo;
      double fla = ea ? f->lat : s->last.lat, flo = ea ? f->lon : s->last.lon;
      double nm = geo_dist_m(rla, rlo, fla, flo) / GEO_NM_M;
      if (nm / DARK_FEASIBLE_KN <= hours)
        dk_emit(c, c->vid, s, &s->last, &now, "one_end", 0.5, ea ? wa : NULL, eb ? wb : NULL);
    }
  }
  s->have = true;
  keep(&s->last, f);
}

/* A vessel silent since a fix at a DPRK place, up to `now`. */
static void dk_open(dk *d, const kpw_ais_ctx *c, uint32_t vid, const dk_vessel *s, int64_t now) {
  double min_h = c && c->p ? c->p->dark_port_gap_hours : 12, km = c && c->p ? c->p->dark_port_km : 30;
  if (!s->have || (double)(now - s->last.t) / US_PER_H < min_h) return;
  char wa[64]; double la, lo;
  if (dprk_place(d, s->last.lat, s->last.lon, km, wa, sizeof wa, &la, &lo))
    dk_emit(c, vid, s, &s->last, NULL, "open", 0.6, wa, NULL);
}

static void dk_finish(void *st, const kpw_ais_ctx *c) {
  dk *d = st;
  for (size_t i = 0; i < d->v.cap; i++) dk_open(d, c, (uint32_t)i, kpw_vstate_peek(&d->v, (uint32_t)i), d->now);
}

static void dk_evict(void *st, const kpw_ais_ctx *c, uint32_t vid) {
  dk *d = st;
  dk_vessel *s = kpw_vstate_peek(&d->v, vid);
  if (!s) return;
  int64_t now = c && c->watermark_us != KPW_TIME_NONE && c->watermark_us > d->now ? c->watermark_us : d->now;
  dk_open(d, c, vid, s, now);
  kpw_vstate_clear(&d->v, vid);
}

static void dk_free(void *st) {
  dk *d = st;
  if (!d) return;
  kpw_vstate_free(&d->v);
  free(d);
}

kpw_result kpw_ais_det_darkport_new(const kpw_ais_geo *geo, kpw_ais_detector *out, kpw_error *err) {
  if (!out || !geo || !geo->ports)
    return kpw_error_set(err, KPW_EUSAGE, "dark_port_call", 0, 0, "the dark_port_call detector needs a port model");
  dk *d = kpw_xcalloc(1, sizeof *d);
  d->geo = geo;
  kpw_vstate_init(&d->v, sizeof(dk_vessel));
  d->now = INT64_MIN;
  *out = (kpw_ais_detector){.name = "dark_port_call", .state = d, .fix = dk_fix, .finish = dk_finish, .free = dk_free, .evict = dk_evict};
  return KPW_OK;
}
