/*
** det_identity.c -- identity checks of `ais detect`: the ITU MID table and
** MMSI/IMO validation (aisgeo.h), and two detectors:
**
**  identity_change: per MMSI, a name, IMO, call sign or ship type that
**    differs from the last one the vessel sent (AIS types 5/24 or CSV
**    columns), the fields changed by one message in one finding; and per
**    IMO a change of MMSI where the new MMSI could be the same hull (within
**    reach at spoof_max_kn of the IMO's last position): a reflagging when
**    the MID's country changes, or two transponders on one hull. Each distinct transition is reported
**    once per vessel (A->B and B->A are two).
**  spoofing: one MMSI in two places (positions alternating between two
**    places that no ship could join at spoof_max_kn), position jumps,
**    positions out of range or at 0,0, invalid MMSIs and IMO check digits.
**    Lat 91 / lon 181 are "not available" (AIS sentinels), never spoofing.
**
** Memory: one record per active vessel (indexed by the driver's vid,
** dropped on `evict`) and one per IMO number seen (kpw_vtab).
*/
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kpw/aisgeo.h"
#include "ais/geo.h"

#define US_PER_H 3600000000.0

/* ITU-R M.585 Maritime Identification Digits (ITU MARS table), as fixed
** width records "MIDcc": 3 digits then the ISO 3166-1 alpha-2 code (lower
** case) of the country or territory it is allocated to; sorted by MID.
** Territories with their own ISO code keep it (fo, gi, gl, pr, ...). */
static const char MID_TABLE[] =
  "201al202ad203at204pt205be206by207bg208va209cy210cy211de212cy213ge214md215mt216am218de219dk220dk224es"
  "225es226fr227fr228fr229mt230fi231fo232gb233gb234gb235gb236gi237gr238hr239gr240gr241gr242ma243hu244nl"
  "245nl246nl247it248mt249mt250ie251is252li253lu254mc255pt256mt257no258no259no261pl262me263pt264ro265se"
  "266se267sk268sm269ch270cz271tr272ua273ru274mk275lv276ee277lt278si279rs301ai303us304ag305ag306cw307aw"
  "308bs309bs310bm311bs312bz314bb316ca319ky321cr323cu325dm327do329gp330gd331gl332gt334hn336ht338us339jm"
  "341kn343lc345mx347mq348ms350ni351pa352pa353pa354pa355pa356pa357pa358pr359sv361pm362tt364tc366us367us"
  "368us369us370pa371pa372pa373pa374pa375vc376vc377vc378vg379vi401af403sa405bd408bh410bt412cn413cn414cn"
  "416tw417lk419in422ir423az425iq428il431jp432jp434tm436kz437uz438jo440kr441kr443ps445kp447kw450lb451kg"
  "453mo455mv457mn459np461om463pk466qa468sy470ae471ae472tj473ye475ye477hk478ba501tf503au506mm508bn510fm"
  "511pw512nz514kh515kh516cx518ck520fj523cc525id529ki531la533my536mp538mh540nc542nu544nr546pf548ph550tl"
  "553pg555pn557sb559as561ws563sg564sg565sg566sg567th570to572tv574vn576vu577vu578wf601za603ao605dz607tf"
  "608sh609bi610bj611bw612cf613cm615cg616km617cv618tf619ci620km621dj622eg624et625er626ga627gh629gm630gw"
  "631gq632gn633bf634ke635tf636lr637lr638ss642ly644ls645mu647mg649ml650mz654mr655mw656ne657ng659na660re"
  "661rw662sd663sn664sc665sh666so667sl668st669sz670td671tg672tn674tz675ug676cd677tz678zm679zw701ar710br"
  "720bo725cl730co735ec740fk745gf750gy755py760pe765sr770uy775ve"
;

const char *kpw_mid_country(int mid) {
  static __thread char out[3];
  if (mid < 201 || mid > 775) return NULL;
  size_t n = (sizeof MID_TABLE - 1) / 5, lo = 0, hi = n;
  while (lo < hi) {
    size_t m = (lo + hi) / 2;
    const char *r = MID_TABLE + 5 * m;
    int v = (r[0] - '0') * 100 + (r[1] - '0') * 10 + (r[2] - '0');
    if (v == mid) { out[0] = r[3]; out[1] = r[4]; out[2] = 0; return out; }
    if (v < mid) lo = m + 1; else hi = m;
  }
  return NULL;
}

kpw_mmsi_class kpw_mmsi_classify(uint32_t mmsi, int *mid) {
  if (mid) *mid = 0;
  if (mmsi == 0 || mmsi > 999999999u) return KPW_MMSI_INVALID;
  int d1 = (int)(mmsi / 100000000u), d2 = (int)(mmsi / 10000000u % 10), d3 = (int)(mmsi / 1000000u % 10);
  int m;
  kpw_mmsi_class c;
  if (d1 >= 2 && d1 <= 7) { m = (int)(mmsi / 1000000u); c = KPW_MMSI_SHIP; }
  else if (d1 == 0 && d2 == 0) { m = (int)(mmsi / 10000u % 1000); c = KPW_MMSI_COAST; }
  else if (d1 == 0) { m = (int)(mmsi / 100000u % 1000); c = KPW_MMSI_GROUP; }
  else if (d1 == 1 && d2 == 1 && d3 == 1) { m = (int)(mmsi / 1000u % 1000); c = KPW_MMSI_SAR; }
  else if (d1 == 9 && d2 == 9) { m = (int)(mmsi / 10000u % 1000); c = KPW_MMSI_ATON; }
  else if (d1 == 9 && d2 == 8) { m = (int)(mmsi / 10000u % 1000); c = KPW_MMSI_CRAFT; }
  else if (d1 == 9 && d2 == 7 && (d3 == 0 || d3 == 2 || d3 == 4)) { if (mid) *mid = 0; return KPW_MMSI_SART_MOB_EPIRB; }
  else return KPW_MMSI_INVALID;
  if (mid) *mid = m;
  return kpw_mid_country(m) ? c : KPW_MMSI_INVALID;
}

bool kpw_imo_valid(uint32_t imo) {
  if (imo < 1000000u || imo > 9999999u) return false;
  char d[8];
  snprintf(d, sizeof d, "%07u", imo);
  return kpw_imo_check(d) == 1;
}

void kpw_ais_name_norm(const char *in, char *out, size_t cap) {
  size_t k = 0;
  bool space = false;
  if (!cap) return;
  for (const char *p = in ? in : ""; *p && k + 1 < cap; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '@') break;                       /* AIS padding: the rest is fill */
    if (c == ' ' || c == '\t') { space = k > 0; continue; }
    if (space && k + 2 < cap) out[k++] = ' ';
    space = false;
    out[k++] = (char)toupper(c);
  }
  out[k] = 0;
}

/* ------------------------------------------------------------ shared */
/* src is fix->source, which the driver interns for the whole run */
typedef struct endfix { int64_t t; double lat, lon; const char *src; uint64_t line; } endfix;

static void keep(endfix *e, const kpw_ais_fix *f) {
  e->t = f->t_us; e->lat = f->lat; e->lon = f->lon; e->line = f->line;
  e->src = f->source ? f->source : "-";
}

static void emit(const kpw_ais_ctx *c, const char *kind, const char **subs, size_t nsubs,
                 int64_t t0, int64_t t1, double lat, double lon, double score,
                 const char *explain, const endfix *ev, size_t nev, const char *detail) {
  kpw_evidence e[2];
  size_t n = 0;
  for (size_t i = 0; i < nev && i < 2; i++)
    if (ev[i].src) e[n++] = (kpw_evidence){ev[i].src, ev[i].line, 0, NULL};
  kpw_finding f = {
    .kind = kind, .subjects = subs, .n_subjects = nsubs, .start_us = t0, .end_us = t1,
    .has_place = geo_valid(lat, lon), .lat = lat, .lon = lon, .score = score,
    .explain = explain, .evidence = e, .n_evidence = n, .detail_json = detail,
  };
  if (c && c->emit) c->emit(c->emit_ctx, &f);
}

static uint32_t fnv(const char *a, const char *b, const char *f) {
  uint32_t h = 2166136261u;
  for (const char *s = f; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
  h ^= 0xff; h *= 16777619u;
  for (const char *s = a; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
  h ^= 0xfe; h *= 16777619u;
  for (const char *s = b; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
  return h;
}

#define SEEN_MAX 16
typedef struct seen { uint32_t h[SEEN_MAX]; int n; uint32_t suppressed; } seen;
/* true the first time a transition is seen (bounded: after SEEN_MAX
** distinct transitions, further ones are counted, not reported) */
static bool seen_first(seen *s, uint32_t h) {
  for (int i = 0; i < s->n; i++) if (s->h[i] == h) return false;
  if (s->n == SEEN_MAX) { s->suppressed++; return false; }
  s->h[s->n++] = h;
  return true;
}

/* ------------------------------------------------------------ identity_change */
typedef struct id_vessel {
  char name[24], callsign[8];
  uint32_t imo; int shiptype;
  endfix last;                 /* where the current values were last seen */
  seen s;
} id_vessel;

typedef struct id_hull {       /* keyed "imo:NNNNNNN" */
  uint32_t mmsi;
  endfix last;
  seen s;
} id_hull;

typedef struct idd { kpw_vstate v; kpw_vtab *h; } idd;

/* The fields that changed in one message, reported as one finding. */
typedef struct change { const char *field; char from[24], to[24]; double score; } change;

static void id_report(const kpw_ais_ctx *c, id_vessel *s, const kpw_ais_fix *f,
                      const change *ch, int n) {
  uint32_t h = 0;
  for (int i = 0; i < n; i++) h = h * 31u + fnv(ch[i].from, ch[i].to, ch[i].field);
  if (!seen_first(&s->s, h)) return;
  char imo_sub[24] = "", sb[24];
  const char *subs[2] = {kpw_ais_subject(c, c->vid, f->mmsi, sb), NULL};
  size_t ns = 1;
  if (f->imo && kpw_imo_valid(f->imo)) { snprintf(imo_sub, sizeof imo_sub, "imo:%07u", f->imo); subs[ns++] = imo_sub; }
  kpw_buf b; kpw_buf_init(&b);
  char ex[320];
  size_t el = (size_t)snprintf(ex, sizeof ex, "identity changed: ");
  double score = 0;
  kpw_buf_putc(&b, '{');
  kpw_json_key(&b, "fields"); kpw_buf_putc(&b, '[');
  for (int i = 0; i < n; i++) { if (i) kpw_buf_putc(&b, ','); kpw_json_str(&b, ch[i].field); }
  kpw_buf_puts(&b, "],");
  kpw_json_key(&b, "changes"); kpw_buf_putc(&b, '[');
  for (int i = 0; i < n; i++) {
    if (i) kpw_buf_putc(&b, ',');
    kpw_buf_putc(&b, '{');
    kpw_json_key(&b, "field"); kpw_json_str(&b, ch[i].field);
    kpw_buf_putc(&b, ','); kpw_json_key(&b, "from"); kpw_json_str(&b, ch[i].from);
    kpw_buf_putc(&b, ','); kpw_json_key(&b, "to"); kpw_json_str(&b, ch[i].to);
    kpw_buf_putc(&b, '}');
    if (ch[i].score > score) score = ch[i].score;
    if (el < sizeof ex)
      el += (size_t)snprintf(ex + el, sizeof ex - el, "%s%s '%s' -> '%s'", i ? ", " : "", ch[i].field,
                             ch[i].from, ch[i].to);
  }
  kpw_buf_puts(&b, "],");
  /* field/from/to of the weightiest change, for readers of one field */
  int top = 0;
  for (int i = 1; i < n; i++) if (ch[i].score > ch[top].score) top = i;
  kpw_json_key(&b, "field"); kpw_json_str(&b, ch[top].field);
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "from"); kpw_json_str(&b, ch[top].from);
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "to"); kpw_json_str(&b, ch[top].to);
  kpw_buf_putc(&b, ','); kpw_json_key(&b, "previous_seen");
  char ts[32]; kpw_time_format(s->last.t, ts); kpw_json_str(&b, ts);
  kpw_buf_putc(&b, '}');
  score += 0.05 * (n - 1);            /* several fields at once: a new identity, not a typo */
  if (score > 0.95) score = 0.95;
  endfix now; keep(&now, f);
  endfix ev[2] = {s->last, now};
  emit(c, "identity_change", subs, ns, s->last.t, f->t_us, f->lat, f->lon, score, ex, ev, 2, b.data);
  kpw_buf_free(&b);
}

static void add_change(change *ch, int *n, const char *field, const char *from, const char *to, double score) {
  change *x = &ch[(*n)++];
  x->field = field; x->score = score;
  snprintf(x->from, sizeof x->from, "%s", from);
  snprintf(x->to, sizeof x->to, "%s", to);
}

static void id_fix(void *st, const kpw_ais_ctx *c, const kpw_ais_fix *f) {
  idd *d = st;
  id_vessel *s = kpw_vstate_get(&d->v, c->vid);
  char nm[24], cs[8], a[24], b[24];
  kpw_ais_name_norm(f->name, nm, sizeof nm);
  kpw_ais_name_norm(f->callsign, cs, sizeof cs);
  bool any = nm[0] || cs[0] || f->imo || f->shiptype > 0;
  if (!any) return;
  change ch[4];
  int nch = 0;
  if (nm[0]) {
    if (s->name[0] && strcmp(s->name, nm)) add_change(ch, &nch, "name", s->name, nm, 0.6);
    snprintf(s->name, sizeof s->name, "%s", nm);
  }
  if (f->imo) {
    if (s->imo && s->imo != f->imo) {
      snprintf(a, sizeof a, "%07u", s->imo); snprintf(b, sizeof b, "%07u", f->imo);
      add_change(ch, &nch, "imo", a, b, 0.8);
    }
    s->imo = f->imo;
  }
  if (cs[0]) {
    if (s->callsign[0] && strcmp(s->callsign, cs)) add_change(ch, &nch, "callsign", s->callsign, cs, 0.5);
    snprintf(s->callsign, sizeof s->callsign, "%s", cs);
  }
  if (f->shiptype > 0) {
    if (s->shiptype > 0 && s->shiptype != f->shiptype) {
      snprintf(a, sizeof a, "%d", s->shiptype); snprintf(b, sizeof b, "%d", f->shiptype);
      add_change(ch, &nch, "shiptype", a, b, 0.3);
    }
    s->shiptype = f->shiptype;
  }
  if (nch) id_report(c, s, f, ch, nch);
  keep(&s->last, f);
  /* one hull (IMO) seen under another MMSI: reflagging or a shared identity */
  if (f->imo && f->mmsi && kpw_imo_valid(f->imo)) {
    char key[24];
    snprintf(key, sizeof key, "imo:%07u", f->imo);
    id_hull *h = kpw_vtab_get(d->h, key, true);
    /* Only when the new MMSI could be the same hull (reachable from where
    ** the IMO was last seen at spoof_max_kn): a wrong or recycled IMO typed
    ** into an unrelated ship far away is common noise, not a reflagging. */
    bool same_hull = false;
    if (h->mmsi && h->mmsi != f->mmsi) {
      if (!geo_valid(f->lat, f->lon) || !geo_valid(h->last.lat, h->last.lon)) same_hull = true;
      else {
        double m = geo_dist_m(h->last.lat, h->last.lon, f->lat, f->lon);
        double dt_h = (double)(f->t_us - h->last.t) / US_PER_H;
        double max_kn = c && c->p ? c->p->spoof_max_kn : 50;
        same_hull = m < 2000 || (dt_h > 0 && m / GEO_NM_M / dt_h <= max_kn);
      }
    }
    if (same_hull) {
      snprintf(a, sizeof a, "%09u", h->mmsi); snprintf(b, sizeof b, "%09u", f->mmsi);
      if (seen_first(&h->s, fnv(a, b, "mmsi"))) {
        int m1, m2;
        kpw_mmsi_classify(h->mmsi, &m1); kpw_mmsi_classify(f->mmsi, &m2);
        char c1s[3] = "", c2s[3] = "";
        const char *cc = kpw_mid_country(m1);     /* per-thread buffer: copy at once */
        if (cc) snprintf(c1s, sizeof c1s, "%s", cc);
        cc = kpw_mid_country(m2);
        if (cc) snprintf(c2s, sizeof c2s, "%s", cc);
        bool reflag = strcmp(c1s, c2s) != 0;
        char sa[24], sb[24];
        snprintf(sa, sizeof sa, "mmsi:%s", a); snprintf(sb, sizeof sb, "mmsi:%s", b);
        const char *subs[3] = {key, sa, sb};
        kpw_buf j; kpw_buf_init(&j);
        kpw_buf_putc(&j, '{');
        kpw_json_key(&j, "field"); kpw_json_str(&j, "mmsi");
        kpw_buf_putc(&j, ','); kpw_json_key(&j, "from"); kpw_json_str(&j, a);
        kpw_buf_putc(&j, ','); kpw_json_key(&j, "to"); kpw_json_str(&j, b);
        kpw_buf_putc(&j, ','); kpw_json_key(&j, "flag_from"); kpw_json_str(&j, c1s[0] ? c1s : NULL);
        kpw_buf_putc(&j, ','); kpw_json_key(&j, "flag_to"); kpw_json_str(&j, c2s[0] ? c2s : NULL);
        kpw_buf_putc(&j, '}');
        char ex[200];
        snprintf(ex, sizeof ex, "IMO %07u moved from MMSI %s to %s%s%s%s%s", f->imo, a, b,
                 reflag ? " (flag " : "", reflag ? (c1s[0] ? c1s : "?") : "",
                 reflag ? " -> " : "", reflag ? (c2s[0] ? c2s : "?") : "");
        if (reflag) strncat(ex, ")", sizeof ex - strlen(ex) - 1);
        endfix now; keep(&now, f);
        endfix ev[2] = {h->last, now};
        emit(c, "identity_change", subs, 3, h->last.t, f->t_us, f->lat, f->lon, reflag ? 0.8 : 0.7,
             ex, ev, 2, j.data);
        kpw_buf_free(&j);
      }
    }
    h->mmsi = f->mmsi;
    keep(&h->last, f);
  }
}

static void id_free(void *st) {
  idd *d = st;
  if (!d) return;
  kpw_vstate_free(&d->v); kpw_vtab_free(d->h); free(d);
}

static void id_evict(void *st, const kpw_ais_ctx *c, uint32_t vid) {
  idd *d = st;
  kpw_vstate_clear(&d->v, vid);
}

kpw_result kpw_ais_det_identity_new(kpw_ais_detector *out, kpw_error *err) {
  if (!out) return kpw_error_set(err, KPW_EUSAGE, "identity_change", 0, 0, "no detector to fill");
  idd *d = kpw_xcalloc(1, sizeof *d);
  kpw_vstate_init(&d->v, sizeof(id_vessel));
  d->h = kpw_vtab_new(sizeof(id_hull));
  *out = (kpw_ais_detector){.name = "identity_change", .state = d, .fix = id_fix, .free = id_free,
                            .evict = id_evict};
  return KPW_OK;
}

/* ------------------------------------------------------------ spoofing */
#define JUMP_MIN_M 2000.0       /* below this, fast-looking moves are GPS noise */
#define TRACK_STALE_H 24.0

typedef struct sp_vessel {
  uint32_t mmsi;
  bool have_a, have_b, ids_checked, two_emitted, oor_emitted, null_emitted;
  endfix a, b;                 /* last fix of the main track / of the other place */
  int side;                    /* 0: last fix joined a, 1: joined b */
  uint32_t na, nb, switches, jumps, out_of_range, null_island, unavailable;
  double max_kn;
  int64_t first_jump, last_jump;
  endfix jump_ev;
  uint32_t bad_imo;            /* last invalid IMO reported */
} sp_vessel;

typedef struct spd { kpw_vstate v; } spd;

static void sp_emit(const kpw_ais_ctx *c, uint32_t vid, const sp_vessel *s, const char *pattern, double score,
                    int64_t t0, int64_t t1, double lat, double lon, const char *ex,
                    const endfix *ev, size_t nev, const char *extra_json) {
  char sb[24];
  const char *subs[1] = {kpw_ais_subject(c, vid, s->mmsi, sb)};
  kpw_buf j; kpw_buf_init(&j);
  kpw_buf_putc(&j, '{');
  kpw_json_key(&j, "pattern"); kpw_json_str(&j, pattern);
  if (extra_json && *extra_json) { kpw_buf_putc(&j, ','); kpw_buf_puts(&j, extra_json); }
  kpw_buf_putc(&j, '}');
  emit(c, "spoofing", subs, 1, t0, t1, lat, lon, score, ex, ev, nev, j.data);
  kpw_buf_free(&j);
}

static bool feasible(const endfix *from, const kpw_ais_fix *f, double max_kn, double *kn) {
  double m = geo_dist_m(from->lat, from->lon, f->lat, f->lon);
  double dt_h = (double)(f->t_us - from->t) / US_PER_H;
  *kn = dt_h > 0 ? m / GEO_NM_M / dt_h : INFINITY;
  if (m < JUMP_MIN_M) { *kn = dt_h > 0 ? *kn : 0; return true; }
  return *kn <= max_kn;
}

static void sp_fix(void *st, const kpw_ais_ctx *c, const kpw_ais_fix *f) {
  spd *d = st;
  sp_vessel *s = kpw_vstate_get(&d->v, c->vid);
  s->mmsi = f->mmsi;
  double max_kn = c && c->p ? c->p->spoof_max_kn : 50;
  endfix now; keep(&now, f);
  char ex[256], extra[256];
  if (!s->ids_checked && f->mmsi) {
    s->ids_checked = true;
    int mid;
    if (kpw_mmsi_classify(f->mmsi, &mid) == KPW_MMSI_INVALID) {
      snprintf(ex, sizeof ex, "MMSI %09u is not a valid ship MMSI (MID %03u unallocated or bad form)",
               f->mmsi, f->mmsi / 1000000u);
      snprintf(extra, sizeof extra, "\"mmsi\":\"%09u\"", f->mmsi);
      sp_emit(c, c->vid, s, "invalid_mmsi", 0.4, f->t_us, KPW_TIME_NONE, f->lat, f->lon, ex, &now, 1, extra);
    }
  }
  if (f->imo && f->imo != s->bad_imo && !kpw_imo_valid(f->imo)) {
    s->bad_imo = f->imo;
    snprintf(ex, sizeof ex, "IMO number %07u fails the check digit", f->imo);
    snprintf(extra, sizeof extra, "\"imo\":\"%07u\"", f->imo);
    sp_emit(c, c->vid, s, "invalid_imo", 0.5, f->t_us, KPW_TIME_NONE, f->lat, f->lon, ex, &now, 1, extra);
  }
  if (!isfinite(f->lat) || !isfinite(f->lon) || f->lat == 91 || f->lon == 181) { s->unavailable++; return; }
  if (!geo_valid(f->lat, f->lon)) {
    s->out_of_range++;
    if (!s->oor_emitted) {
      s->oor_emitted = true;
      snprintf(ex, sizeof ex, "position %.4f, %.4f is out of range", f->lat, f->lon);
      snprintf(extra, sizeof extra, "\"lat\":%.6f,\"lon\":%.6f", f->lat, f->lon);
      sp_emit(c, c->vid, s, "out_of_range", 0.5, f->t_us, KPW_TIME_NONE, NAN, NAN, ex, &now, 1, extra);
    }
    return;
  }
  if (f->lat == 0 && f->lon == 0) {
    s->null_island++;
    if (!s->null_emitted) {
      s->null_emitted = true;
      sp_emit(c, c->vid, s, "null_island", 0.3, f->t_us, KPW_TIME_NONE, 0, 0,
              "position 0, 0 (no GPS fix sent as a position)", &now, 1, NULL);
    }
    return;
  }
  if (!s->have_a) { s->have_a = true; s->a = now; s->na = 1; s->side = 0; return; }
  if (s->have_b && (double)(f->t_us - s->b.t) / US_PER_H > TRACK_STALE_H) { s->have_b = false; s->nb = 0; }
  double kna, knb = 0;
  bool fa = feasible(&s->a, f, max_kn, &kna);
  bool fb = s->have_b && feasible(&s->b, f, max_kn, &knb);
  if (fa) {
    if (s->side != 0) s->switches++;
    s->side = 0; s->a = now; s->na++;
  } else if (fb) {
    if (s->side != 1) s->switches++;
    s->side = 1; s->b = now; s->nb++;
  } else {
    s->jumps++;
    if (kna > s->max_kn) s->max_kn = kna;
    if (!s->first_jump) s->first_jump = f->t_us;
    s->last_jump = f->t_us;
    s->jump_ev = now;
    if (s->have_b && s->side == 1) { s->a = s->b; s->na = s->nb; }   /* keep the active place as a */
    s->b = now; s->have_b = true; s->nb = 1; s->side = 1; s->switches++;
  }
  if (!s->two_emitted && s->have_b && s->switches >= 3 && s->na >= 2 && s->nb >= 2) {
    s->two_emitted = true;
    double km = geo_dist_m(s->a.lat, s->a.lon, s->b.lat, s->b.lon) / 1000.0;
    snprintf(ex, sizeof ex, "one MMSI in two places %.0f km apart, alternating %u times (> %.0f kn implied)",
             km, s->switches, max_kn);
    snprintf(extra, sizeof extra,
             "\"place_a\":[%.6f,%.6f],\"place_b\":[%.6f,%.6f],\"distance_km\":%.3f,\"switches\":%u,\"max_implied_kn\":%.1f",
             s->a.lat, s->a.lon, s->b.lat, s->b.lon, km, s->switches, isfinite(s->max_kn) ? s->max_kn : 99999.0);
    endfix ev[2] = {s->a, s->b};
    int64_t t0 = s->first_jump ? s->first_jump : f->t_us;
    sp_emit(c, c->vid, s, "two_places", 0.9, t0, f->t_us, s->a.lat, s->a.lon, ex, ev, 2, extra);
  }
}

/* A summary of the jumps of a vessel that never showed two places. */
static void sp_summary(const kpw_ais_ctx *c, uint32_t vid, const sp_vessel *s) {
  if (!s->jumps || s->two_emitted) return;
  {
    char ex[200], extra[160];
    snprintf(ex, sizeof ex, "%u position jump%s faster than a ship can sail (max %.0f kn implied)",
             s->jumps, s->jumps == 1 ? "" : "s", isfinite(s->max_kn) ? s->max_kn : 99999.0);
    snprintf(extra, sizeof extra, "\"jumps\":%u,\"max_implied_kn\":%.1f", s->jumps,
             isfinite(s->max_kn) ? s->max_kn : 99999.0);
    double score = 0.3 + 0.05 * (s->jumps > 6 ? 6 : s->jumps);
    sp_emit(c, vid, s, "position_jump", score, s->first_jump, s->last_jump, s->jump_ev.lat, s->jump_ev.lon,
            ex, &s->jump_ev, 1, extra);
  }
}

static void sp_finish(void *st, const kpw_ais_ctx *c) {
  spd *d = st;
  for (size_t i = 0; i < d->v.cap; i++) sp_summary(c, (uint32_t)i, kpw_vstate_peek(&d->v, (uint32_t)i));
}

static void sp_evict(void *st, const kpw_ais_ctx *c, uint32_t vid) {
  spd *d = st;
  sp_vessel *s = kpw_vstate_peek(&d->v, vid);
  if (!s) return;
  sp_summary(c, vid, s);
  kpw_vstate_clear(&d->v, vid);
}

static void sp_free(void *st) {
  spd *d = st;
  if (!d) return;
  kpw_vstate_free(&d->v); free(d);
}

kpw_result kpw_ais_det_spoofing_new(kpw_ais_detector *out, kpw_error *err) {
  if (!out) return kpw_error_set(err, KPW_EUSAGE, "spoofing", 0, 0, "no detector to fill");
  spd *d = kpw_xcalloc(1, sizeof *d);
  kpw_vstate_init(&d->v, sizeof(sp_vessel));
  *out = (kpw_ais_detector){.name = "spoofing", .state = d, .fix = sp_fix, .finish = sp_finish, .free = sp_free,
                            .evict = sp_evict};
  return KPW_OK;
}
