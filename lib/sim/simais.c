/*
** simais.c -- `kpwatch sim ais`: synthetic AIS tracks with ground truth,
** the scorer of `ais detect` findings against it, and the large-volume
** positions generator for the benchmark (see simais.h, docs/cmd-sim-ais.md).
**
** Layout:
**   - rng (xoshiro256** seeded by splitmix64) and spherical geometry
**     (haversine, destination point, slerp along great circles, so routes
**     crossing the antimeridian are exact);
**   - a vessel is a plan: legs (start/end point and time, nav status),
**     silent windows (planned AIS gaps) and identities valid from a time;
**     scenario builders write plans, never fixes;
**   - emission samples every plan every 2-10 min with jitter and random
**     short drop-outs (never >= 1 h, so every ais_gap in the truth is
**     planned), positions rounded to the AIVDM resolution (1/10000 minute)
**     so the NMEA and CSV renderings carry the same coordinates;
**   - the truth is resolved from the emitted fixes (a gap runs from the last
**     fix before to the first fix after its window; an encounter is clipped
**     to the fixes both vessels sent while alongside; a port call runs from
**     the first fix within 3 km of the port to the first beyond 4 km);
**   - writers: AIVDM (6-bit armoring, fill bits, checksums, tag blocks) or
**     generic CSV, and truth.json;
**   - the scorer (kpw_sim_ais_score) and the positions stream.
**
** Port coordinates are the World Port Index values as shipped by Global
** Fishing Watch (gfw_WPI_ports.csv, public, 1' precision).
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kpw/simais.h"
#include "kpw/finding.h"
#include "kpw/util.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define RE_M 6371008.8
#define NM_M 1852.0
#define KN_MS (1852.0 / 3600.0)
#define DEG (M_PI / 180.0)
#define T0 1518566400LL          /* 2018-02-14T00:00:00Z: YU JONG 2 week */
#define SLOT_S (6 * 3600)        /* scenario i starts near T0 + LEAD_S + i * SLOT_S */
#define LEAD_S (12 * 3600)       /* room for tracks that begin before their scenario's slot */
#define MAXLEG 32
#define MAXGAP 4
#define MAXID 4
#define MAX_SCEN 2000u
#define MAX_BG 5000u
#define MAX_RECS (10u << 20)     /* ~420 MB of records: the cap that bounds memory */

/* Ports (World Port Index via gfw_WPI_ports.csv). */
typedef struct port { const char *name; double lat, lon; bool dprk; } port;
static const port P_NAMPO = {"NAMPO", 38.716667, 125.4, true};
static const port P_CHONGJIN = {"CH'ONGJIN", 41.766667, 129.816667, true};
static const port P_PUSAN = {"PUSAN", 35.1, 129.033333, false};
static const port P_HONGKONG = {"HONG KONG", 22.266667, 114.2, false};

static const char *kind_names[KPW_SIMAIS_KINDS] = {
  "sts_east_china_sea", "sts_chodo_gaps", "dark_rendezvous_near", "dark_rendezvous_mid",
  "dark_rendezvous_far", "port_call", "dark_port_call", "identity_change", "mmsi_shared",
  "anchorage_crowd", "pair_trawlers", "bunkering_in_port", "passing", "antimeridian_midnight"};
const char *kpw_simais_kind_name(unsigned k) { return k < KPW_SIMAIS_KINDS ? kind_names[k] : "?"; }

/* ---------------------------------------------------------------- rng */
typedef struct rng { uint64_t s[4]; } rng;
static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static void rng_init(rng *r, uint64_t seed) { for (int i = 0; i < 4; i++) r->s[i] = splitmix(&seed); }
static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static inline uint64_t rnext(rng *r) {
  uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
  return res;
}
static inline double ru(rng *r) { return (double)(rnext(r) >> 11) * 0x1.0p-53; }
static inline double rr(rng *r, double a, double b) { return a + (b - a) * ru(r); }
static inline uint64_t rbelow(rng *r, uint64_t n) {
  return (uint64_t)(((unsigned __int128)rnext(r) * n) >> 64);
}

/* ---------------------------------------------------------------- geometry */
static double hav_m(double la1, double lo1, double la2, double lo2) {
  double dla = (la2 - la1) * DEG, dlo = (lo2 - lo1) * DEG;
  double a = sin(dla / 2) * sin(dla / 2) + cos(la1 * DEG) * cos(la2 * DEG) * sin(dlo / 2) * sin(dlo / 2);
  if (a > 1) a = 1;
  return 2 * RE_M * asin(sqrt(a));
}
static double norm_lon(double lo) {
  while (lo > 180) lo -= 360;
  while (lo < -180) lo += 360;
  return lo;
}
static double bearing(double la1, double lo1, double la2, double lo2) {
  double y = sin((lo2 - lo1) * DEG) * cos(la2 * DEG);
  double x = cos(la1 * DEG) * sin(la2 * DEG) - sin(la1 * DEG) * cos(la2 * DEG) * cos((lo2 - lo1) * DEG);
  double b = atan2(y, x) / DEG;
  return b < 0 ? b + 360 : b;
}
static void dest(double la, double lo, double brg, double d, double *la2, double *lo2) {
  double dr = d / RE_M, b = brg * DEG, p1 = la * DEG;
  double p2 = asin(sin(p1) * cos(dr) + cos(p1) * sin(dr) * cos(b));
  double l2 = lo * DEG + atan2(sin(b) * sin(dr) * cos(p1), cos(dr) - sin(p1) * sin(p2));
  *la2 = p2 / DEG;
  *lo2 = norm_lon(l2 / DEG);
}
/* Point at fraction f of the great circle from 1 to 2. */
static void slerp(double la1, double lo1, double la2, double lo2, double f, double *la, double *lo) {
  double d = hav_m(la1, lo1, la2, lo2) / RE_M;
  if (d < 1e-12) { *la = la1; *lo = lo1; return; }
  double A = sin((1 - f) * d) / sin(d), B = sin(f * d) / sin(d);
  double x = A * cos(la1 * DEG) * cos(lo1 * DEG) + B * cos(la2 * DEG) * cos(lo2 * DEG);
  double y = A * cos(la1 * DEG) * sin(lo1 * DEG) + B * cos(la2 * DEG) * sin(lo2 * DEG);
  double z = A * sin(la1 * DEG) + B * sin(la2 * DEG);
  *la = atan2(z, sqrt(x * x + y * y)) / DEG;
  *lo = norm_lon(atan2(y, x) / DEG);
}

/* ---------------------------------------------------------------- plans */
enum { ST_UNDERWAY = 0, ST_ANCHOR = 1, ST_MOORED = 5, ST_FISHING = 7 };

typedef struct leg {
  int64_t t0, t1;             /* seconds; t1 > t0 */
  double la0, lo0, la1, lo1;
  double kn, brg;             /* speed over ground; course when (almost) still */
  int status;
} leg;

typedef struct ident {
  int64_t from;
  uint32_t imo;
  char name[21], cs[8], dest[21];
  int shiptype;
} ident;

typedef struct vessel {
  uint32_t mmsi;
  int scen;                   /* scenario index, -1 for background */
  leg legs[MAXLEG]; int nleg;
  int64_t ga[MAXGAP], gb[MAXGAP]; int ngap;    /* planned silence [ga, gb) */
  ident ids[MAXID]; int nid;
  double cla, clo; int64_t ct;                  /* builder cursor */
  size_t r0, r1;                                /* its records in the emitted array */
} vessel;

/* One emitted record: a position (type 1/3) or static data (type 5). */
typedef struct rec {
  int64_t t;
  uint32_t mmsi, vi;
  int32_t lat, lon;           /* 1/10000 minute (AIVDM units) */
  uint16_t sog, cog, hdg;     /* 0.1 kn, 0.1 deg, deg */
  uint8_t type, status, idk;
} rec;

/* An expectation, resolved against the emitted records after emission. */
enum { R_FIXED, R_GAP, R_ENC, R_PORT, R_RDV };
typedef struct expct {
  const char *kind;
  int va, vb;                 /* vessel indexes (vb < 0: single subject) */
  int64_t start, end;         /* seconds, after resolution */
  int tol_min;
  bool optional, negative;
  int ref, ga, gb;            /* how to resolve; gap indexes */
  const port *port;
  char note[96];
} expct;

typedef struct scen {
  int kind;
  int v[16]; int nv;
  size_t e0, e1;              /* its expectations */
} scen;

typedef struct gen {
  rng r;
  kpw_simais_opts o;
  vessel *vs; size_t nvs, capvs;
  rec *recs; size_t nrec, caprec;
  expct *ex; size_t nex, capex;
  scen *sc; size_t nsc;
  uint64_t mmsi_k, mmsi_off, imo_k;
  int64_t tend;
  bool full;                  /* MAX_RECS reached: the run fails */
  kpw_error *err;
} gen;

static int new_vessel(gen *g, int mid, int scen_i, const char *name, uint32_t imo, int shiptype) {
  if (g->nvs == g->capvs) {
    g->capvs = g->capvs ? g->capvs * 2 : 64;
    g->vs = kpw_xrealloc(g->vs, g->capvs * sizeof *g->vs);
  }
  vessel *v = &g->vs[g->nvs];
  memset(v, 0, sizeof *v);
  /* Unique MMSIs: k * 7919 mod 10^6 is a bijection on k < 10^6 (7919 is
  ** coprime with 10), so no two vessels share one unless a scenario says so. */
  v->mmsi = (uint32_t)mid * 1000000u + (uint32_t)((g->mmsi_k++ * 7919u + g->mmsi_off) % 1000000u);
  v->scen = scen_i;
  v->ids[0].from = INT64_MIN;
  v->ids[0].imo = imo;
  snprintf(v->ids[0].name, sizeof v->ids[0].name, "%s", name);
  snprintf(v->ids[0].cs, sizeof v->ids[0].cs, "%c%c%c%c", 'A' + (int)rbelow(&g->r, 26),
           'A' + (int)rbelow(&g->r, 26), '0' + (int)rbelow(&g->r, 10), '0' + (int)rbelow(&g->r, 10));
  v->ids[0].shiptype = shiptype;
  v->nid = 1;
  return (int)g->nvs++;
}

/* IMO number k: 6 digits 100000 + k * 7919 mod 900000 (a bijection for
** k < 900000, 7919 being coprime with 900000) and the check digit, so no
** two synthetic hulls share an IMO (a shared IMO is itself an identity
** signal). The two real IMOs of the antimeridian replay are skipped. */
static uint32_t imo_of(uint64_t k) {
  uint32_t v = 100000u + (uint32_t)((k * 7919u) % 900000u), s = 0, x = v;
  for (int w = 2; w <= 7; w++) { s += (x % 10) * (uint32_t)w; x /= 10; }
  return v * 10 + s % 10;
}
static uint32_t make_imo(gen *g) {
  uint32_t v;
  do v = imo_of(g->imo_k++ + g->mmsi_off); while (v == 8125703 || v == 8106496);
  return v;
}

static void v_start(vessel *v, double la, double lo, int64_t t) { v->cla = la; v->clo = lo; v->ct = t; }
static void push_leg(vessel *v, double la1, double lo1, int64_t t1, double brg, int status) {
  if (v->nleg >= MAXLEG || t1 <= v->ct) { v->ct = t1 > v->ct ? t1 : v->ct; return; }
  leg *l = &v->legs[v->nleg++];
  l->t0 = v->ct; l->t1 = t1;
  l->la0 = v->cla; l->lo0 = v->clo; l->la1 = la1; l->lo1 = lo1;
  double d = hav_m(v->cla, v->clo, la1, lo1);
  l->kn = d / (double)(t1 - v->ct) / KN_MS;
  l->brg = d > 1 ? bearing(v->cla, v->clo, la1, lo1) : brg;
  l->status = status;
  v->cla = la1; v->clo = lo1; v->ct = t1;
}
static void v_move(vessel *v, double la, double lo, double kn, int status) {
  double d = hav_m(v->cla, v->clo, la, lo);
  int64_t dt = (int64_t)ceil(d / (kn * KN_MS));
  push_leg(v, la, lo, v->ct + (dt < 1 ? 1 : dt), 0, status);
}
static void v_to_at(vessel *v, double la, double lo, int64_t t, int status) { push_leg(v, la, lo, t, 0, status); }
/* Stay for dur seconds drifting at drift_kn (0 at anchor or moored: a drift
** of 0.1 kn would carry a ship kilometres over a day in port). */
static void v_stay(vessel *v, int64_t dur, double drift_kn, double brg, int status) {
  double la, lo;
  dest(v->cla, v->clo, brg, drift_kn * KN_MS * (double)dur, &la, &lo);
  push_leg(v, la, lo, v->ct + dur, brg, status);
}
static void v_gap(vessel *v, int64_t a, int64_t b) {
  if (v->ngap < MAXGAP) { v->ga[v->ngap] = a; v->gb[v->ngap] = b; v->ngap++; }
}
static void v_ident(vessel *v, int64_t from, const char *name, uint32_t imo, const char *cs) {
  if (v->nid >= MAXID) return;
  ident *d = &v->ids[v->nid++];
  *d = v->ids[v->nid - 2];
  d->from = from;
  if (name) snprintf(d->name, sizeof d->name, "%s", name);
  d->imo = imo;
  if (cs) snprintf(d->cs, sizeof d->cs, "%s", cs);
}
/* Approach point m from bearing brg at distance d_m (knots kn, the last
** 800 m at 3 kn) so as to arrive exactly at t_arrive. */
static void v_approach(vessel *v, double mla, double mlo, double brg, double d_m, double kn,
                       int64_t t_arrive) {
  double sla, slo, fla, flo;
  dest(mla, mlo, brg, d_m, &sla, &slo);
  dest(mla, mlo, brg, 800, &fla, &flo);
  int64_t t_slow = t_arrive - (int64_t)(800 / (3 * KN_MS));
  int64_t t_fast = t_slow - (int64_t)((d_m - 800) / (kn * KN_MS));
  v_start(v, sla, slo, t_fast);
  v_to_at(v, fla, flo, t_slow, ST_UNDERWAY);
  v_to_at(v, mla, mlo, t_arrive, ST_UNDERWAY);
}
static void v_depart(vessel *v, double brg, double d_m, double kn) {
  double la, lo;
  dest(v->cla, v->clo, brg, 800, &la, &lo);
  v_move(v, la, lo, 3, ST_UNDERWAY);
  dest(v->cla, v->clo, brg, d_m, &la, &lo);
  v_move(v, la, lo, kn, ST_UNDERWAY);
}

static expct *add_ex(gen *g, const char *kind, int va, int vb, int ref, int tol) {
  if (g->nex == g->capex) {
    g->capex = g->capex ? g->capex * 2 : 64;
    g->ex = kpw_xrealloc(g->ex, g->capex * sizeof *g->ex);
  }
  expct *e = &g->ex[g->nex++];
  memset(e, 0, sizeof *e);
  e->kind = kind; e->va = va; e->vb = vb; e->ref = ref; e->tol_min = tol;
  return e;
}

/* ---------------------------------------------------------------- names */
static const char *dprk_names[] = {
  "YU JONG 2", "RYE SONG GANG 1", "SAM JONG 2", "JI SONG 6", "YU PHYONG 5", "KUM UN SAN 3",
  "AN SAN 1", "NAM SAN 8", "MYONG RYU 1", "SAM MA 2", "WISE HONEST"};   /* not CHON MA SAN: mmsi_shared's second hull */
static const char *other_names[] = {
  "MIN NING DE YOU 078", "LIGHTHOUSE WINMORE", "KOTI", "YUK TUNG", "SHANG YUAN BAO",
  "NEW REGENT", "YUN HONG 8", "VITYAZ", "OCEAN GLORY", "PACIFIC STAR", "HAI XING 7",
  "EAST WIND", "GOLDEN LAKE", "SEA PIONEER", "DONG HAI 12", "BLUE CORAL"};
static const char *fish_names[] = {"LU RONG YU 1", "LU RONG YU 2", "ZHE DAI YU 31", "ZHE DAI YU 32"};
static const int other_mids[] = {412, 413, 477, 351, 352, 370, 667, 671, 325, 273, 440, 431, 538, 636};

static const char *pick(rng *r, const char **a, size_t n) { return a[rbelow(r, n)]; }
#define PICK(r, a) pick(r, a, sizeof a / sizeof a[0])
static int other_mid(rng *r) { return other_mids[rbelow(r, sizeof other_mids / sizeof other_mids[0])]; }

/* ---------------------------------------------------------------- scenarios */
static void ex_loiter_opt(gen *g, int v) { add_ex(g, "loitering", v, -1, R_ENC, 120)->optional = true; }

/* Two vessels alongside at m from ta for dur (drifting drift_kn towards
** drift_brg), arriving from opposite sides; returns the pair. */
static void alongside(gen *g, int a, int b, double mla, double mlo, int64_t ta, int64_t dur,
                      double drift_brg, double app, double app_b) {
  vessel *A = &g->vs[a], *B = &g->vs[b];
  if (app < 0) app = rr(&g->r, 0, 360);
  if (app_b < 0) app_b = fmod(app + 180 + rr(&g->r, -40, 40), 360);
  double off_b = rr(&g->r, 0, 360), off = rr(&g->r, 60, 250);
  double drift = rr(&g->r, 0.2, 0.7), bla, blo;
  dest(mla, mlo, off_b, off, &bla, &blo);
  v_approach(A, mla, mlo, app, rr(&g->r, 40e3, 70e3), rr(&g->r, 9, 12), ta);
  v_approach(B, bla, blo, app_b, rr(&g->r, 40e3, 70e3),
             rr(&g->r, 9, 12), ta);
  v_stay(A, dur, drift, drift_brg, ST_UNDERWAY);
  v_stay(B, dur, drift, drift_brg, ST_UNDERWAY);
}

/* STS at sea; the first East China Sea one replays YU JONG 2 and MIN NING
** DE YOU 078 (2018-02-16, ~250 km east of Shanghai). */
static void sc_sts(gen *g, int si, int64_t t, bool chodo, bool replay) {
  scen *s = &g->sc[si];
  int a = new_vessel(g, 445, si, replay ? "YU JONG 2" : PICK(&g->r, dprk_names), make_imo(g), 80);
  int b = new_vessel(g, replay ? 412 : other_mid(&g->r), si,
                     replay ? "MIN NING DE YOU 078" : PICK(&g->r, other_names), make_imo(g), 80);
  s->v[s->nv++] = a; s->v[s->nv++] = b;
  double mla, mlo;
  if (chodo) { mla = 38.55 + rr(&g->r, -0.03, 0.03); mlo = 124.85 + rr(&g->r, -0.05, 0.05); }
  else { mla = 31.2 + rr(&g->r, -0.3, 0.3); mlo = 124.1 + rr(&g->r, -0.2, 2.0); }
  int64_t ta = t + 4 * 3600 + (int64_t)rr(&g->r, 0, 3600);
  int64_t dur = (int64_t)rr(&g->r, 2.6 * 3600, 6.0 * 3600);
  if (chodo) dur += 3600;   /* A reappears up to 40 min in; keep >= 2 h visible */
  /* Off Chodo the land is to the east: come and go from the west. */
  alongside(g, a, b, mla, mlo, ta, dur, rr(&g->r, 0, 360), chodo ? rr(&g->r, 200, 240) : -1,
            chodo ? rr(&g->r, 260, 300) : -1);
  vessel *A = &g->vs[a], *B = &g->vs[b];
  double dep = chodo ? rr(&g->r, 200, 240) : rr(&g->r, 0, 360);
  v_depart(A, dep, 50e3, rr(&g->r, 9, 12));
  v_depart(B, chodo ? rr(&g->r, 260, 300) : fmod(dep + 150, 360), 50e3, rr(&g->r, 9, 12));
  if (chodo) {
    /* A comes in dark: visible on a 6 kn transit, silent from 8-10 h before
    ** the meeting (drifting, then the approach) until 20-40 min into it;
    ** silent again from 30 min after parting for 6.5-10 h, then visible on
    ** its way out. Courses stay on the sea side (west/south-west). */
    vessel tmp = *A;
    A->nleg = 0;
    int64_t pre = (int64_t)rr(&g->r, 8 * 3600, 10 * 3600);
    int64_t g1a = ta - pre, g1b = ta + (int64_t)rr(&g->r, 20 * 60, 40 * 60);
    double pla = tmp.legs[0].la0, plo = tmp.legs[0].lo0, sla, slo;
    dest(pla, plo, bearing(mla, mlo, pla, plo), 6 * KN_MS * 4 * 3600, &sla, &slo);
    v_start(A, sla, slo, g1a - 4 * 3600);
    v_to_at(A, pla, plo, g1a, ST_UNDERWAY);
    if (tmp.legs[0].t0 > A->ct) v_stay(A, tmp.legs[0].t0 - A->ct, 0.3, 0, ST_UNDERWAY);
    for (int i = 0; i < tmp.nleg && A->nleg < MAXLEG; i++) A->legs[A->nleg++] = tmp.legs[i];
    A->cla = tmp.cla; A->clo = tmp.clo; A->ct = tmp.ct;
    int64_t g2a = ta + dur + 1800, g2b = g2a + (int64_t)rr(&g->r, 6.5 * 3600, 10 * 3600);
    double ela, elo;
    int64_t rest = g2b + 3 * 3600 - A->ct;
    if (rest > 0) {
      dest(A->cla, A->clo, dep, 9 * KN_MS * (double)rest, &ela, &elo);
      v_to_at(A, ela, elo, A->ct + rest, ST_UNDERWAY);
    }
    v_gap(A, g1a, g1b);
    v_gap(A, g2a, g2b);
    expct *e = add_ex(g, "ais_gap", a, -1, R_GAP, 30); e->ga = 0;
    e = add_ex(g, "ais_gap", a, -1, R_GAP, 30); e->ga = 1;
    e = add_ex(g, "dark_rendezvous", a, b, R_GAP, 120); e->ga = 0; e->optional = true;
    snprintf(e->note, sizeof e->note, "dark-light: the dark vessel reappears alongside");
    /* Cho-do waters are the approaches of Nampo: a stop there may be
    ** reported as a call at the port's approaches. */
    for (int k = 0; k < 2; k++) {
      e = add_ex(g, "port_call", k ? b : a, -1, R_FIXED, 120);
      e->optional = true; e->start = ta; e->end = ta + dur; e->port = &P_NAMPO;
      snprintf(e->note, sizeof e->note, "stop in the approaches of Nampo (Cho-do waters)");
    }
  }
  expct *e = add_ex(g, "encounter", a, b, R_ENC, 60);
  e->start = ta; e->end = ta + dur;
  snprintf(e->note, sizeof e->note, "%s STS, alongside < 500 m, both < 1 kn",
           chodo ? "Chodo waters" : "East China Sea");
  ex_loiter_opt(g, a); g->ex[g->nex - 1].start = ta; g->ex[g->nex - 1].end = ta + dur;
  ex_loiter_opt(g, b); g->ex[g->nex - 1].start = ta; g->ex[g->nex - 1].end = ta + dur;
}

static void sc_dark_rdv(gen *g, int si, int64_t t, int tier) {
  scen *s = &g->sc[si];
  int a = new_vessel(g, 445, si, PICK(&g->r, dprk_names), make_imo(g), 80);
  int b = new_vessel(g, other_mid(&g->r), si, PICK(&g->r, other_names), make_imo(g), 80);
  s->v[s->nv++] = a; s->v[s->nv++] = b;
  /* Each tier in its own sea area, > 150 nm from the others: dark vessels
  ** of different scenarios overlap in time and must not pair up. */
  static const double area[3][4] = {{35.3, 36.0, 123.2, 124.0},   /* Yellow Sea */
                                    {31.5, 32.2, 124.0, 125.0},   /* north of the ECS STS box */
                                    {28.0, 28.6, 125.0, 126.0}};  /* southern East China Sea */
  double mla = rr(&g->r, area[tier][0], area[tier][1]), mlo = rr(&g->r, area[tier][2], area[tier][3]);
  double sep_nm = tier == 0 ? rr(&g->r, 1.5, 2.5) : tier == 1 ? rr(&g->r, 7, 10) : rr(&g->r, 20, 40);
  double kn = tier == 0 ? 4 : 10;
  double th = rr(&g->r, 0, 360);
  double half = sep_nm * NM_M / 2, travel = half / (kn * KN_MS);
  double dark = rr(&g->r, 8 * 3600, 11 * 3600);
  double stay = dark - 2 * travel;
  if (stay < 3 * 3600) stay = 3 * 3600;
  int64_t ta = t + 6 * 3600;                 /* gap start */
  int64_t tm = ta + (int64_t)travel;         /* meeting */
  int64_t tp = tm + (int64_t)stay;           /* parting */
  int64_t tb = tp + (int64_t)travel;         /* gap end */
  for (int k = 0; k < 2; k++) {
    vessel *V = &g->vs[k ? b : a];
    double br = fmod(th + 180 * k, 360), pla, plo, sla, slo, qla, qlo, ela, elo, mla2, mlo2;
    dest(mla, mlo, br, half, &pla, &plo);
    dest(mla, mlo, br, half + 20 * NM_M, &sla, &slo);
    dest(mla, mlo, br, k ? 150 : 0, &mla2, &mlo2);
    double br2 = fmod(th + 70 + 180 * k, 360);
    dest(mla, mlo, br2, half, &qla, &qlo);
    dest(mla, mlo, br2, half + 20 * NM_M, &ela, &elo);
    v_start(V, sla, slo, ta - (int64_t)(20 * NM_M / (kn * KN_MS)));
    v_to_at(V, pla, plo, ta, ST_UNDERWAY);
    v_to_at(V, mla2, mlo2, tm, ST_UNDERWAY);
    v_stay(V, tp - tm, 0.3, 45, ST_UNDERWAY);
    v_to_at(V, qla, qlo, tb, ST_UNDERWAY);
    v_move(V, ela, elo, kn, ST_UNDERWAY);
    int64_t j0 = (int64_t)rr(&g->r, 0, 900), j1 = (int64_t)rr(&g->r, 0, 900);
    v_gap(V, ta + (k ? j0 : 0), tb - (k ? j1 : 0));
  }
  expct *e = add_ex(g, "dark_rendezvous", a, b, R_RDV, 60);
  snprintf(e->note, sizeof e->note, "tier %s", tier == 0 ? "<5nm" : tier == 1 ? "5-15nm" : "15-50nm");
  add_ex(g, "ais_gap", a, -1, R_GAP, 30);
  add_ex(g, "ais_gap", b, -1, R_GAP, 30);
}

/* Route into a port: far point (open sea, well outside any port zone:
** a track must not begin or end near a DPRK port, or its silence before
** or after looks like a dark port call), sea point, waypoint W (~18 km
** out: a dark port call goes silent there), berth. */
static void port_route(const port *p, double r[3][2]) {
  static const double nampo[3][2] = {{37.30, 123.80}, {38.20, 124.40}, {38.70, 125.19}};
  static const double chongjin[3][2] = {{40.60, 131.60}, {41.40, 130.30}, {41.66, 129.98}};
  memcpy(r, p == &P_NAMPO ? nampo : chongjin, sizeof nampo);
}

static void sc_port(gen *g, int si, int64_t t, const port *p, bool dark) {
  scen *s = &g->sc[si];
  bool dprk_flag = rbelow(&g->r, 2);
  int a = new_vessel(g, dprk_flag ? 445 : 412, si,
                     dark ? "WISE HONEST" : dprk_flag ? PICK(&g->r, dprk_names) : "YUN HONG 8",
                     make_imo(g), dark ? 70 : 80);
  s->v[s->nv++] = a;
  vessel *V = &g->vs[a];
  snprintf(V->ids[0].dest, sizeof V->ids[0].dest, "%s", dark ? "" : p->name);
  double r[3][2], bla, blo;
  port_route(p, r);
  dest(p->lat, p->lon, rr(&g->r, 0, 360), rr(&g->r, 100, 500), &bla, &blo);
  double kn = rr(&g->r, 9, 11);
  v_start(V, r[0][0], r[0][1], t - 6 * 3600);
  v_move(V, r[1][0], r[1][1], kn, ST_UNDERWAY);
  v_move(V, r[2][0], r[2][1], kn, ST_UNDERWAY);
  int64_t tw = V->ct;
  v_move(V, bla, blo, 5, ST_UNDERWAY);
  v_stay(V, (int64_t)rr(&g->r, 18 * 3600, 40 * 3600), 0, rr(&g->r, 0, 360), ST_MOORED);
  v_move(V, r[2][0], r[2][1], 5, ST_UNDERWAY);
  int64_t tw2 = V->ct;
  v_move(V, r[1][0], r[1][1], kn, ST_UNDERWAY);
  v_move(V, r[0][0], r[0][1], kn, ST_UNDERWAY);
  if (dark) {
    v_gap(V, tw - (int64_t)rr(&g->r, 0, 600), tw2 + (int64_t)rr(&g->r, 0, 600));
    expct *e = add_ex(g, "dark_port_call", a, -1, R_GAP, 30);
    e->port = p;
    snprintf(e->note, sizeof e->note, "dark at %s: gap starts and ends < 30 km from the port", p->name);
    add_ex(g, "ais_gap", a, -1, R_GAP, 30);
    /* The silent stay is also a visit to the port's waters (W lies in the
    ** approaches): a detector may report it as a port call with a gap. */
    e = add_ex(g, "port_call", a, -1, R_GAP, 60);
    e->optional = true; e->port = p;
    snprintf(e->note, sizeof e->note, "silent stay off %s", p->name);
  } else {
    expct *e = add_ex(g, "port_call", a, -1, R_PORT, 60);
    e->port = p;
    snprintf(e->note, sizeof e->note, "DPRK port %s", p->name);
  }
}

static void sc_identity(gen *g, int si, int64_t t, unsigned variant) {
  scen *s = &g->sc[si];
  int a = new_vessel(g, 445, si, "RYE SONG GANG 1", make_imo(g), 80);
  s->v[s->nv++] = a;
  vessel *V = &g->vs[a];
  double la = rr(&g->r, 30.0, 32.5), lo = rr(&g->r, 123.0, 124.0), ela, elo;
  dest(la, lo, rr(&g->r, 20, 70), rr(&g->r, 300e3, 450e3), &ela, &elo);
  v_start(V, la, lo, t + 3600);
  v_move(V, ela, elo, rr(&g->r, 8, 11), ST_UNDERWAY);
  int64_t tc = V->legs[0].t0 + (int64_t)rr(&g->r, 10 * 3600, 16 * 3600);
  char cs[8];
  snprintf(cs, sizeof cs, "HM%c%c", 'A' + (int)rbelow(&g->r, 26), 'A' + (int)rbelow(&g->r, 26));
  const ident *o = &V->ids[0];
  switch (variant % 3) {
  case 0: v_ident(V, tc, "SONG HAE", make_imo(g), cs); break;  /* repainted, new papers */
  case 1: v_ident(V, tc, "SONG HAE", o->imo, NULL); break;         /* name only */
  default: v_ident(V, tc, NULL, make_imo(g), NULL); break;     /* IMO only */
  }
  expct *e = add_ex(g, "identity_change", a, -1, R_FIXED, 60);
  e->start = e->end = tc;
  snprintf(e->note, sizeof e->note, "%s", variant % 3 == 0 ? "name, IMO and call sign change (type 5)"
           : variant % 3 == 1 ? "name change (type 5)" : "IMO change (type 5)");
}

static void sc_mmsi_shared(gen *g, int si, int64_t t) {
  scen *s = &g->sc[si];
  int a = new_vessel(g, 445, si, PICK(&g->r, dprk_names), make_imo(g), 70);
  int b = new_vessel(g, 445, si, "CHON MA SAN", make_imo(g), 80);
  g->vs[b].mmsi = g->vs[a].mmsi;       /* one MMSI, two hulls ~2000 km apart */
  s->v[s->nv++] = a; s->v[s->nv++] = b;
  int64_t t1 = t + 3600, dur = 24 * 3600;
  double la, lo;
  vessel *A = &g->vs[a], *B = &g->vs[b];
  v_start(A, 36.0 + rr(&g->r, -0.3, 0.3), 123.0 + rr(&g->r, -0.3, 0.3), t1);
  dest(A->cla, A->clo, 170, 9 * KN_MS * dur, &la, &lo);
  v_to_at(A, la, lo, t1 + dur, ST_UNDERWAY);
  v_start(B, 19.5 + rr(&g->r, -0.2, 0.2), 107.5 + rr(&g->r, -0.1, 0.1), t1 + 600);
  dest(B->cla, B->clo, 135, 9 * KN_MS * dur, &la, &lo);
  v_to_at(B, la, lo, t1 + 600 + dur, ST_UNDERWAY);
  expct *e = add_ex(g, "identity_change", a, -1, R_FIXED, 60);
  e->start = t1 + 600; e->end = t1 + dur;
  snprintf(e->note, sizeof e->note, "one MMSI used by two hulls ~2000 km apart");
  e = add_ex(g, "spoofing", a, -1, R_FIXED, 60);
  e->start = t1 + 600; e->end = t1 + dur; e->optional = true;
}

static void sc_crowd(gen *g, int si, int64_t t) {
  scen *s = &g->sc[si];
  const port *p = &P_PUSAN;
  int n = 8 + (int)rbelow(&g->r, 3);
  double ala[16], alo[16];
  for (int i = 0; i < n; i++) {
    for (int tries = 0; tries < 200; tries++) {
      dest(p->lat, p->lon, rr(&g->r, 90, 270), rr(&g->r, 300, 2000), &ala[i], &alo[i]);
      bool ok = true;
      for (int j = 0; j < i; j++) if (hav_m(ala[i], alo[i], ala[j], alo[j]) < 180) ok = false;
      if (ok) break;
    }
    int v = new_vessel(g, other_mid(&g->r), si, PICK(&g->r, other_names), make_imo(g), 70);
    s->v[s->nv++] = v;
    vessel *V = &g->vs[v];
    snprintf(V->ids[0].dest, sizeof V->ids[0].dest, "PUSAN");
    double sla, slo;
    dest(p->lat, p->lon, rr(&g->r, 170, 230), rr(&g->r, 25e3, 40e3), &sla, &slo);
    int64_t tarr = t + 2 * 3600 + (int64_t)rr(&g->r, 0, 6 * 3600);
    double d = hav_m(sla, slo, ala[i], alo[i]);
    v_start(V, sla, slo, tarr - (int64_t)(d / (8 * KN_MS)));
    v_to_at(V, ala[i], alo[i], tarr, ST_UNDERWAY);
    v_stay(V, (int64_t)rr(&g->r, 14 * 3600, 30 * 3600), 0, rr(&g->r, 0, 360), ST_ANCHOR);
    v_move(V, sla, slo, 9, ST_UNDERWAY);
    expct *e = add_ex(g, "port_call", v, -1, R_PORT, 60);
    e->port = p; e->optional = true;
    snprintf(e->note, sizeof e->note, "anchorage of %s (not a DPRK port)", p->name);
    e = add_ex(g, "loitering", v, -1, R_FIXED, 0);
    e->negative = true; e->start = tarr; e->end = V->ct;
  }
  /* Negatives: every pair anchored < 500 m apart while both are there. */
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) {
      if (hav_m(ala[i], alo[i], ala[j], alo[j]) >= 520) continue;   /* noise is < 10 m */
      vessel *A = &g->vs[s->v[i]], *B = &g->vs[s->v[j]];
      expct *e = add_ex(g, "encounter", s->v[i], s->v[j], R_FIXED, 0);
      e->negative = true;
      e->start = A->legs[1].t0 > B->legs[1].t0 ? A->legs[1].t0 : B->legs[1].t0;
      e->end = A->legs[1].t1 < B->legs[1].t1 ? A->legs[1].t1 : B->legs[1].t1;
      snprintf(e->note, sizeof e->note, "anchorage crowd inside %s", p->name);
    }
}

static void sc_trawlers(gen *g, int si, int64_t t) {
  scen *s = &g->sc[si];
  int a = new_vessel(g, 412, si, fish_names[0 + 2 * rbelow(&g->r, 2)], 0, 30);
  int b = new_vessel(g, 412, si, fish_names[1 + 2 * rbelow(&g->r, 2)], 0, 30);
  s->v[s->nv++] = a; s->v[s->nv++] = b;
  vessel *A = &g->vs[a], *B = &g->vs[b];
  double la = rr(&g->r, 34.0, 34.8), lo = rr(&g->r, 122.5, 123.3), brg = rr(&g->r, 0, 360);
  v_start(A, la, lo, t + 3600);
  for (int k = 0; k < 6; k++) {
    double nla, nlo;
    dest(A->cla, A->clo, brg, rr(&g->r, 4e3, 9e3), &nla, &nlo);
    v_move(A, nla, nlo, rr(&g->r, 2.8, 3.3), ST_FISHING);
    brg = fmod(brg + rr(&g->r, 120, 240), 360);
  }
  /* B is A translated by a fixed vector: the distance stays constant. */
  double ob = rr(&g->r, 0, 360), od = rr(&g->r, 200, 400);
  B->nleg = A->nleg;
  for (int k = 0; k < A->nleg; k++) {
    B->legs[k] = A->legs[k];
    dest(A->legs[k].la0, A->legs[k].lo0, ob, od, &B->legs[k].la0, &B->legs[k].lo0);
    dest(A->legs[k].la1, A->legs[k].lo1, ob, od, &B->legs[k].la1, &B->legs[k].lo1);
  }
  int64_t t0 = A->legs[0].t0, t1 = A->legs[A->nleg - 1].t1;
  expct *e = add_ex(g, "encounter", a, b, R_FIXED, 0);
  e->negative = true; e->start = t0; e->end = t1;
  snprintf(e->note, sizeof e->note, "pair trawlers %.0f m apart at 3 kn", od);
  e = add_ex(g, "loitering", a, -1, R_FIXED, 0); e->negative = true; e->start = t0; e->end = t1;
  e = add_ex(g, "loitering", b, -1, R_FIXED, 0); e->negative = true; e->start = t0; e->end = t1;
}

static void sc_bunker(gen *g, int si, int64_t t) {
  scen *s = &g->sc[si];
  const port *p = &P_HONGKONG;
  int a = new_vessel(g, 477, si, PICK(&g->r, other_names), make_imo(g), 80);
  int b = new_vessel(g, 477, si, "HK BUNKER 3", make_imo(g), 80);
  s->v[s->nv++] = a; s->v[s->nv++] = b;
  vessel *A = &g->vs[a], *B = &g->vs[b];
  double kla, klo, sla = 22.0, slo = 114.35, bla, blo, xla, xlo;
  dest(p->lat, p->lon, rr(&g->r, 150, 250), rr(&g->r, 500, 1500), &kla, &klo);
  int64_t tarr = t + 4 * 3600, stay = (int64_t)rr(&g->r, 18 * 3600, 24 * 3600);
  double d = hav_m(sla, slo, kla, klo);
  v_start(A, sla, slo, tarr - (int64_t)(d / (8 * KN_MS)));
  v_to_at(A, kla, klo, tarr, ST_UNDERWAY);
  v_stay(A, stay, 0, 0, ST_ANCHOR);
  v_move(A, sla, slo, 10, ST_UNDERWAY);
  dest(kla, klo, rr(&g->r, 0, 360), rr(&g->r, 40, 90), &bla, &blo);
  dest(p->lat, p->lon, rr(&g->r, 0, 360), 7000, &xla, &xlo);
  int64_t tb0 = tarr + (int64_t)rr(&g->r, 2 * 3600, 5 * 3600), tbd = (int64_t)rr(&g->r, 3 * 3600, 5 * 3600);
  d = hav_m(xla, xlo, bla, blo);
  v_start(B, xla, xlo, tb0 - 5 * 3600);
  v_stay(B, 5 * 3600 - (int64_t)(d / (6 * KN_MS)), 0, 0, ST_MOORED);
  v_to_at(B, bla, blo, tb0, ST_UNDERWAY);
  v_stay(B, tbd, 0, 0, ST_MOORED);
  v_move(B, xla, xlo, 6, ST_UNDERWAY);
  v_stay(B, 3 * 3600, 0, 0, ST_MOORED);
  expct *e = add_ex(g, "encounter", a, b, R_FIXED, 0);
  e->negative = true; e->start = tb0; e->end = tb0 + tbd;
  snprintf(e->note, sizeof e->note, "bunkering alongside in %s", p->name);
  for (int k = 0; k < 2; k++) {
    e = add_ex(g, "port_call", k ? b : a, -1, R_PORT, 60);
    e->port = p; e->optional = true;
    e = add_ex(g, "loitering", k ? b : a, -1, R_FIXED, 0);
    e->negative = true; e->start = tarr; e->end = tarr + stay;
  }
}

static void sc_passing(gen *g, int si, int64_t t) {
  scen *s = &g->sc[si];
  int a = new_vessel(g, other_mid(&g->r), si, PICK(&g->r, other_names), make_imo(g), 70);
  int b = new_vessel(g, other_mid(&g->r), si, PICK(&g->r, other_names), make_imo(g), 70);
  s->v[s->nv++] = a; s->v[s->nv++] = b;
  double pla = rr(&g->r, 30.0, 31.0), plo = rr(&g->r, 122.8, 123.5), th = rr(&g->r, 0, 360);
  double qla, qlo, la, lo, cpa = rr(&g->r, 100, 300);
  dest(pla, plo, th + 90, cpa, &qla, &qlo);
  int64_t tc = t + 5 * 3600;
  double d = 30 * NM_M, ka = rr(&g->r, 11, 13), kb = rr(&g->r, 11, 13);
  vessel *A = &g->vs[a], *B = &g->vs[b];
  dest(pla, plo, fmod(th + 180, 360), d, &la, &lo);
  v_start(A, la, lo, tc - (int64_t)(d / (ka * KN_MS)));
  v_to_at(A, pla, plo, tc, ST_UNDERWAY);
  dest(pla, plo, th, d, &la, &lo);
  v_move(A, la, lo, ka, ST_UNDERWAY);
  dest(qla, qlo, th, d, &la, &lo);
  v_start(B, la, lo, tc - (int64_t)(d / (kb * KN_MS)));
  v_to_at(B, qla, qlo, tc, ST_UNDERWAY);
  dest(qla, qlo, fmod(th + 180, 360), d, &la, &lo);
  v_move(B, la, lo, kb, ST_UNDERWAY);
  expct *e = add_ex(g, "encounter", a, b, R_FIXED, 0);
  e->negative = true; e->start = tc - 1800; e->end = tc + 1800;
  snprintf(e->note, sizeof e->note, "passing at 12 kn, CPA %.0f m", cpa);
}

static void sc_antimeridian(gen *g, int si, int64_t t, bool replay) {
  scen *s = &g->sc[si];
  /* Real IMOs only once: the same IMO on other MMSIs later is a finding. */
  int a = new_vessel(g, 273, si, "VITYAZ", replay ? 8125703 : make_imo(g), 80);
  int b = new_vessel(g, 445, si, "SAM MA 2", replay ? 8106496 : make_imo(g), 80);
  int c = new_vessel(g, other_mid(&g->r), si, PICK(&g->r, other_names), make_imo(g), 70);
  s->v[s->nv++] = a; s->v[s->nv++] = b; s->v[s->nv++] = c;
  /* Alongside from 1.5-2.2 h before the next UTC midnight for 4-5 h,
  ** drifting east across 180 deg at ~0.5 kn. */
  int64_t mid = ((t + 12 * 3600) / 86400 + 1) * 86400;
  int64_t ta = mid - (int64_t)rr(&g->r, 1.5 * 3600, 2.2 * 3600);
  int64_t dur = (int64_t)rr(&g->r, 4 * 3600, 5 * 3600);
  double mla = 53.3 + rr(&g->r, -0.1, 0.1), mlo = 179.985;
  alongside(g, a, b, mla, mlo, ta, dur, 90, -1, -1);
  /* alongside() drifts 0.2-0.7 kn; the crossing needs >= ~0.2 kn x 4 h at
  ** 53.3N (1.5 km): mlo is 1 km west of 180, so it always crosses. */
  vessel *A = &g->vs[a], *B = &g->vs[b], *C = &g->vs[c];
  v_depart(A, 80, 60e3, 10);
  v_depart(B, 260, 60e3, 10);
  double la, lo;
  int64_t tc0 = mid - 4 * 3600;
  v_start(C, 53.0, 178.6, tc0);
  dest(53.0, 178.6, 90, 12 * KN_MS * 8 * 3600, &la, &lo);
  v_to_at(C, la, lo, tc0 + 8 * 3600, ST_UNDERWAY);
  expct *e = add_ex(g, "encounter", a, b, R_ENC, 60);
  e->start = ta; e->end = ta + dur;
  snprintf(e->note, sizeof e->note, "STS across 180 deg and UTC midnight");
  ex_loiter_opt(g, a); g->ex[g->nex - 1].start = ta; g->ex[g->nex - 1].end = ta + dur;
  ex_loiter_opt(g, b); g->ex[g->nex - 1].start = ta; g->ex[g->nex - 1].end = ta + dur;
  e = add_ex(g, "spoofing", c, -1, R_FIXED, 0);
  e->negative = true; e->start = tc0; e->end = tc0 + 8 * 3600;
  snprintf(e->note, sizeof e->note, "12 kn transit across 180 deg: no jump");
  e = add_ex(g, "ais_gap", c, -1, R_FIXED, 0);
  e->negative = true; e->start = tc0; e->end = tc0 + 8 * 3600;
}

/* Background: transit between open-sea points of one basin, 8-15 kn. */
static const double basins[4][6][2] = {
  {{36.5, 123.0}, {35.0, 123.8}, {33.0, 124.5}, {31.0, 124.0}, {29.0, 123.5}, {32.0, 126.0}},
  {{40.0, 132.0}, {38.0, 131.0}, {42.0, 135.0}, {37.0, 133.0}, {39.0, 136.5}, {41.0, 133.5}},
  {{25.0, 130.0}, {28.0, 135.0}, {22.0, 125.0}, {30.0, 140.0}, {20.0, 132.0}, {26.0, 137.0}},
  {{20.0, 115.0}, {15.0, 113.0}, {12.0, 111.5}, {18.0, 117.5}, {10.0, 113.0}, {16.0, 116.0}}};

static void background(gen *g, int64_t t0, int64_t t1) {
  for (uint32_t i = 0; i < g->o.background; i++) {
    int v = new_vessel(g, other_mid(&g->r), -1, PICK(&g->r, other_names), make_imo(g),
                       70 + 10 * (int)rbelow(&g->r, 2));
    vessel *V = &g->vs[v];
    int bs = (int)rbelow(&g->r, 4), p = (int)rbelow(&g->r, 6), q;
    double kn = rr(&g->r, 8, 15), la, lo;
    do q = (int)rbelow(&g->r, 6); while (q == p);
    slerp(basins[bs][p][0], basins[bs][p][1], basins[bs][q][0], basins[bs][q][1], ru(&g->r), &la, &lo);
    v_start(V, la, lo, t0 + (int64_t)rbelow(&g->r, 1800));
    while (V->ct < t1 && V->nleg < MAXLEG) {
      v_move(V, basins[bs][q][0], basins[bs][q][1], kn, ST_UNDERWAY);
      int nq;
      do nq = (int)rbelow(&g->r, 6); while (nq == q);
      q = nq;
    }
  }
}

/* ---------------------------------------------------------------- emission */
static ident *ident_at(vessel *v, int64_t t, int *k) {
  int j = 0;
  for (int i = 1; i < v->nid; i++) if (v->ids[i].from <= t) j = i;
  *k = j;
  return &v->ids[j];
}

static bool in_gap(const vessel *v, int64_t t) {
  for (int i = 0; i < v->ngap; i++) if (t >= v->ga[i] && t < v->gb[i]) return true;
  return false;
}

static rec *push_rec(gen *g) {
  if (g->nrec >= MAX_RECS) { g->full = true; g->nrec = MAX_RECS - 2; }   /* keep writing in place */
  if (g->nrec == g->caprec) {
    g->caprec = g->caprec ? g->caprec * 2 : 4096;
    g->recs = kpw_xrealloc(g->recs, g->caprec * sizeof *g->recs);
  }
  rec *r = &g->recs[g->nrec++];
  memset(r, 0, sizeof *r);
  return r;
}

static void emit_vessel(gen *g, uint32_t vi) {
  vessel *v = &g->vs[vi];
  v->r0 = g->nrec;
  if (!v->nleg) { v->r1 = g->nrec; return; }
  int64_t t = v->legs[0].t0 + (int64_t)rbelow(&g->r, 120), tend = v->legs[v->nleg - 1].t1;
  int64_t next5 = INT64_MIN;
  int last_id = -1, li = 0, skip = 0;
  double hdg_still = rr(&g->r, 0, 360);
  while (t <= tend && !g->full) {
    while (li < v->nleg - 1 && t > v->legs[li].t1) li++;
    const leg *l = &v->legs[li];
    if (skip > 0) skip--;
    else if (!in_gap(v, t)) {
      double f = (double)(t - l->t0) / (double)(l->t1 - l->t0), la, lo;
      if (f < 0) f = 0;
      if (f > 1) f = 1;
      slerp(l->la0, l->lo0, l->la1, l->lo1, f, &la, &lo);
      /* GPS noise within 5 m, so planned distances hold to +-10 m. */
      dest(la, lo, rr(&g->r, 0, 360), rr(&g->r, 0, 5), &la, &lo);
      double sog = l->kn + rr(&g->r, -0.1, 0.1), cog, hdg;
      if (sog < 0) sog = 0;
      if (l->kn > 0.5) {
        cog = bearing(la, lo, l->la1, l->lo1) + rr(&g->r, -2, 2);
        hdg = cog + rr(&g->r, -4, 4);
      } else {
        cog = l->brg + rr(&g->r, -20, 20);
        hdg = hdg_still + rr(&g->r, -5, 5);
      }
      cog = fmod(cog + 720, 360); hdg = fmod(hdg + 720, 360);
      rec *r = push_rec(g);
      r->t = t; r->mmsi = v->mmsi; r->vi = vi;
      r->lat = (int32_t)lround(la * 600000.0);
      r->lon = (int32_t)lround(lo * 600000.0);
      if (r->lon > 108000000) r->lon = 108000000;
      r->sog = (uint16_t)lround(sog * 10 > 1022 ? 1022 : sog * 10);
      r->cog = (uint16_t)(lround(cog * 10) % 3600);
      r->hdg = (uint16_t)(lround(hdg) % 360);
      r->type = (rbelow(&g->r, 10) < 7) ? 1 : 3;
      r->status = (uint8_t)l->status;
      int k;
      ident_at(v, t, &k);
      r->idk = (uint8_t)k;
      if (k != last_id || t >= next5) {
        rec *s = push_rec(g);
        *s = g->recs[g->nrec - 2];
        s->type = 5;
        s->t = t + 1;
        last_id = k;
        next5 = t + 1800 + (int64_t)rbelow(&g->r, 1800);
      }
      /* Random drop-outs: 1-3 samples (< 40 min with the next interval). */
      if (rbelow(&g->r, 100) < 3) skip = 1 + (int)rbelow(&g->r, 3);
    }
    t += 120 + (int64_t)rbelow(&g->r, 481);
  }
  v->r1 = g->nrec;
}

/* ---------------------------------------------------------------- resolution */
static double rec_lat(const rec *r) { return r->lat / 600000.0; }
static double rec_lon(const rec *r) { return r->lon / 600000.0; }

/* Last position of v before a and first at or after b. */
static void gap_bounds(gen *g, const vessel *v, int64_t a, int64_t b, const rec **last, const rec **first) {
  *last = *first = NULL;
  for (size_t i = v->r0; i < v->r1; i++) {
    const rec *r = &g->recs[i];
    if (r->type == 5) continue;
    if (r->t < a) *last = r;
    else if (r->t >= b && !*first) *first = r;
  }
}

static void resolve(gen *g, expct *e) {
  vessel *A = &g->vs[e->va], *B = e->vb >= 0 ? &g->vs[e->vb] : NULL;
  const rec *l, *f, *l2, *f2;
  switch (e->ref) {
  case R_GAP:
    gap_bounds(g, A, A->ga[e->ga], A->gb[e->ga], &l, &f);
    if (l) e->start = l->t;
    if (f) e->end = f->t;
    break;
  case R_RDV: {
    gap_bounds(g, A, A->ga[0], A->gb[0], &l, &f);
    gap_bounds(g, B, B->ga[0], B->gb[0], &l2, &f2);
    if (!l || !f || !l2 || !f2) break;
    e->start = l->t < l2->t ? l->t : l2->t;
    e->end = f->t > f2->t ? f->t : f2->t;
    double d0 = hav_m(rec_lat(l), rec_lon(l), rec_lat(l2), rec_lon(l2)) / NM_M;
    double d1 = hav_m(rec_lat(f), rec_lon(f), rec_lat(f2), rec_lon(f2)) / NM_M;
    double dm = d0 > d1 ? d0 : d1;
    size_t n = strlen(e->note);
    snprintf(e->note + n, sizeof e->note - n, "; last fixes %.1f nm apart, first %.1f nm (max tier %s)",
             d0, d1, dm < 5 ? "<5nm" : dm < 15 ? "5-15nm" : "15-50nm");
    break;
  }
  case R_ENC: {
    /* Clip [start, end] to fixes every vessel involved sent inside it. */
    int64_t s = e->end, en = e->start;
    int64_t lo = e->start, hi = e->end;
    for (int k = 0; k < (B ? 2 : 1); k++) {
      const vessel *V = k ? B : A;
      int64_t fs = INT64_MAX, fe = INT64_MIN;
      for (size_t i = V->r0; i < V->r1; i++) {
        const rec *r = &g->recs[i];
        if (r->type == 5 || r->t < lo || r->t > hi) continue;
        if (r->t < fs) fs = r->t;
        if (r->t > fe) fe = r->t;
      }
      if (k == 0 || fs > s) s = fs;
      if (k == 0 || fe < en) en = fe;
    }
    if (s < en) { e->start = s; e->end = en; }
    break;
  }
  case R_PORT: {
    const port *p = e->port;
    bool in = false;
    for (size_t i = A->r0; i < A->r1; i++) {
      const rec *r = &g->recs[i];
      if (r->type == 5) continue;
      double d = hav_m(rec_lat(r), rec_lon(r), p->lat, p->lon);
      if (!in && d < 3000) { in = true; e->start = e->end = r->t; }
      else if (in && d > 4000) { e->end = r->t; break; }
      else if (in) e->end = r->t;
    }
    break;
  }
  default: break;
  }
}

static int cmp_rec(const void *a, const void *b) {
  const rec *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  if (x->mmsi != y->mmsi) return x->mmsi < y->mmsi ? -1 : 1;
  if (x->vi != y->vi) return x->vi < y->vi ? -1 : 1;
  return (int)x->type - (int)y->type;
}

/* ---------------------------------------------------------------- writers */
typedef struct bits { uint8_t b[64]; unsigned n; } bits;
static void put(bits *s, uint32_t v, unsigned len) {
  for (unsigned i = 0; i < len; i++, s->n++) {
    unsigned bit = (v >> (len - 1 - i)) & 1;
    if (bit) s->b[s->n >> 3] |= (uint8_t)(0x80 >> (s->n & 7));
  }
}
static void put_text(bits *s, const char *t, unsigned chars) {
  size_t n = strlen(t);
  for (unsigned i = 0; i < chars; i++) {
    unsigned c = i < n ? (unsigned char)t[i] : '@';
    if (c >= 'a' && c <= 'z') c -= 32;
    unsigned v = c >= 64 && c < 96 ? c - 64 : c >= 32 && c < 64 ? c : 0;
    put(s, v, 6);
  }
}
/* Armor: 6-bit groups to characters; returns the fill bits. */
static unsigned armor(const bits *s, char *out, size_t *len) {
  unsigned nch = (s->n + 5) / 6;
  for (unsigned i = 0; i < nch; i++) {
    unsigned v = 0;
    for (unsigned j = 0; j < 6; j++) {
      unsigned k = i * 6 + j;
      v = (v << 1) | (k < s->n ? (s->b[k >> 3] >> (7 - (k & 7))) & 1 : 0);
    }
    out[i] = (char)(v < 40 ? v + 48 : v + 56);
  }
  out[nch] = 0;
  *len = nch;
  return nch * 6 - s->n;
}
static unsigned xor_sum(const char *s, size_t n) {
  unsigned c = 0;
  for (size_t i = 0; i < n; i++) c ^= (unsigned char)s[i];
  return c;
}
static void nmea_line(kpw_buf *o, int64_t t, int nfrag, int frag, int seq, char chan,
                      const char *payload, size_t plen, unsigned fill) {
  char tag[48], sen[128];
  int tn = snprintf(tag, sizeof tag, "s:sim,c:%lld", (long long)t);
  kpw_buf_printf(o, "\\%s*%02X\\", tag, xor_sum(tag, (size_t)tn));
  int sn;
  if (seq >= 0) sn = snprintf(sen, sizeof sen, "AIVDM,%d,%d,%d,%c,%.*s,%u", nfrag, frag, seq, chan, (int)plen, payload, fill);
  else sn = snprintf(sen, sizeof sen, "AIVDM,%d,%d,,%c,%.*s,%u", nfrag, frag, chan, (int)plen, payload, fill);
  kpw_buf_printf(o, "!%s*%02X\n", sen, xor_sum(sen, (size_t)sn));
}

static void write_nmea(gen *g, const rec *r, kpw_buf *o, unsigned *seq) {
  bits s;
  memset(&s, 0, sizeof s);
  char pay[96];
  size_t plen;
  char chan = (r->t & 1) ? 'B' : 'A';
  if (r->type != 5) {
    put(&s, r->type, 6); put(&s, 0, 2); put(&s, r->mmsi, 30);
    put(&s, r->status, 4); put(&s, 0x80, 8);              /* turn: not available */
    put(&s, r->sog, 10); put(&s, 1, 1);
    put(&s, (uint32_t)r->lon & 0x0fffffff, 28); put(&s, (uint32_t)r->lat & 0x07ffffff, 27);
    put(&s, r->cog, 12); put(&s, r->hdg, 9); put(&s, (uint32_t)(r->t % 60), 6);
    put(&s, 0, 2); put(&s, 0, 3); put(&s, 0, 1); put(&s, 0, 19);
    unsigned fill = armor(&s, pay, &plen);
    nmea_line(o, r->t, 1, 1, -1, chan, pay, plen, fill);
    return;
  }
  vessel *v = &g->vs[r->vi];
  const ident *d = &v->ids[r->idk];
  put(&s, 5, 6); put(&s, 0, 2); put(&s, r->mmsi, 30); put(&s, 0, 2);
  put(&s, d->imo, 30); put_text(&s, d->cs, 7); put_text(&s, d->name, 20);
  put(&s, (uint32_t)d->shiptype, 8);
  put(&s, 90, 9); put(&s, 20, 9); put(&s, 8, 6); put(&s, 8, 6); put(&s, 1, 4);
  put(&s, 0, 4); put(&s, 0, 5); put(&s, 24, 5); put(&s, 60, 6);   /* ETA not available */
  put(&s, 65, 8); put_text(&s, d->dest, 20); put(&s, 0, 1); put(&s, 0, 1);
  unsigned fill = armor(&s, pay, &plen);                         /* 424 bits: 71 chars, fill 2 */
  unsigned q = (*seq)++ % 10;
  nmea_line(o, r->t, 2, 1, (int)q, chan, pay, 60, 0);
  nmea_line(o, r->t, 2, 2, (int)q, chan, pay + 60, plen - 60, fill);
}

static void iso(int64_t t, char *out) { kpw_time_format(t * 1000000, out); }

static void csv_text(kpw_buf *o, const char *s) {
  /* Names hold only AIS 6-bit characters; quote those with a comma or quote. */
  kpw_csv_field(o, s);
}

static void write_csv(gen *g, const rec *r, kpw_buf *o) {
  if (r->type == 5) return;       /* identity rides on every CSV row */
  char ts[40];
  iso(r->t, ts);
  const ident *d = &g->vs[r->vi].ids[r->idk];
  kpw_buf_printf(o, "%09u,%s,%.6f,%.6f,%.1f,%.1f,%u,", r->mmsi, ts, rec_lat(r), rec_lon(r),
                 r->sog / 10.0, r->cog / 10.0, r->hdg);
  if (d->imo) kpw_buf_printf(o, "%07u", d->imo);
  kpw_buf_putc(o, ',');
  csv_text(o, d->name);
  kpw_buf_putc(o, ',');
  csv_text(o, d->cs);
  kpw_buf_putc(o, '\n');
}

static kpw_result mkdir_p(const char *p, kpw_error *err) {
  if (mkdir(p, 0777) != 0 && errno != EEXIST)
    return kpw_error_set(err, KPW_EIO, p, 0, 0, "cannot create directory: %s", strerror(errno));
  return KPW_OK;
}

static kpw_result write_file(const char *dir, const char *name, const kpw_buf *b, kpw_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
  size_t w = fwrite(b->data, 1, b->len, f);
  int rc = fclose(f);
  if (w != b->len || rc != 0) return kpw_error_set(err, KPW_EIO, path, 0, 0, "write failed: %s", strerror(errno));
  return KPW_OK;
}

static void json_mmsi(kpw_buf *b, uint32_t m) { kpw_buf_printf(b, "\"mmsi:%09u\"", m); }

static void write_ex(gen *g, kpw_buf *b, const expct *e) {
  char ts[40];
  kpw_buf_puts(b, "{\"kind\":");
  kpw_json_str(b, e->kind);
  kpw_buf_puts(b, ",\"subjects\":[");
  uint32_t m1 = g->vs[e->va].mmsi, m2 = e->vb >= 0 ? g->vs[e->vb].mmsi : 0;
  if (e->vb >= 0 && m2 < m1) { uint32_t x = m1; m1 = m2; m2 = x; }
  json_mmsi(b, m1);
  if (e->vb >= 0) { kpw_buf_putc(b, ','); json_mmsi(b, m2); }
  kpw_buf_puts(b, "],\"start\":");
  iso(e->start, ts); kpw_json_str(b, ts);
  kpw_buf_puts(b, ",\"end\":");
  iso(e->end, ts); kpw_json_str(b, ts);
  kpw_buf_printf(b, ",\"tolerance_min\":%d", e->tol_min);
  if (e->optional) kpw_buf_puts(b, ",\"optional\":true");
  if (e->port) {
    kpw_buf_puts(b, ",\"port\":"); kpw_json_str(b, e->port->name);
    kpw_buf_printf(b, ",\"port_lat\":%.6f,\"port_lon\":%.6f,\"dprk\":%s", e->port->lat, e->port->lon,
                   e->port->dprk ? "true" : "false");
  }
  if (e->note[0]) { kpw_buf_puts(b, ",\"note\":"); kpw_json_str(b, e->note); }
  kpw_buf_putc(b, '}');
}

static void write_truth(gen *g, kpw_buf *b, int64_t t0, int64_t t1) {
  char ts[40];
  kpw_buf_printf(b, "{\"generator\":\"kpwatch sim ais\",\"seed\":%llu,\"format\":\"%s\",\"start\":",
                 (unsigned long long)g->o.seed, g->o.csv ? "csv" : "nmea");
  iso(t0, ts); kpw_json_str(b, ts);
  kpw_buf_puts(b, ",\"end\":");
  iso(t1, ts); kpw_json_str(b, ts);
  kpw_buf_puts(b, ",\"background\":[");
  bool first = true;
  for (size_t i = 0; i < g->nvs; i++)
    if (g->vs[i].scen < 0) { if (!first) kpw_buf_putc(b, ','); first = false; json_mmsi(b, g->vs[i].mmsi); }
  kpw_buf_puts(b, "],\n\"scenarios\":[\n");
  for (size_t si = 0; si < g->nsc; si++) {
    scen *s = &g->sc[si];
    kpw_buf_printf(b, "{\"name\":\"%s-%zu\",\"kind\":\"%s\",\"vessels\":[", kind_names[s->kind], si + 1, kind_names[s->kind]);
    for (int k = 0; k < s->nv; k++) {
      if (k) kpw_buf_putc(b, ',');
      json_mmsi(b, g->vs[s->v[k]].mmsi);
    }
    kpw_buf_puts(b, "],\"names\":[");
    for (int k = 0; k < s->nv; k++) {
      if (k) kpw_buf_putc(b, ',');
      kpw_json_str(b, g->vs[s->v[k]].ids[0].name);
    }
    kpw_buf_puts(b, "],\n \"expect\":[");
    bool f1 = true;
    for (size_t i = s->e0; i < s->e1; i++) {
      if (g->ex[i].negative) continue;
      kpw_buf_puts(b, f1 ? "\n  " : ",\n  "); f1 = false;
      write_ex(g, b, &g->ex[i]);
    }
    kpw_buf_puts(b, "],\n \"negatives\":[");
    f1 = true;
    for (size_t i = s->e0; i < s->e1; i++) {
      if (!g->ex[i].negative) continue;
      kpw_buf_puts(b, f1 ? "\n  " : ",\n  "); f1 = false;
      write_ex(g, b, &g->ex[i]);
    }
    kpw_buf_printf(b, "]}%s\n", si + 1 < g->nsc ? "," : "");
  }
  kpw_buf_puts(b, "]}\n");
}

kpw_result kpw_sim_ais(const kpw_simais_opts *o, kpw_simais_summary *sum, kpw_error *err) {
  if (!o || !o->out_dir) return kpw_error_set(err, KPW_EUSAGE, "sim ais", 0, 0, "no output directory");
  if (o->scenarios > MAX_SCEN) return kpw_error_set(err, KPW_EUSAGE, "sim ais", 0, 0, "at most %u scenarios", MAX_SCEN);
  if (o->background > MAX_BG) return kpw_error_set(err, KPW_EUSAGE, "sim ais", 0, 0, "at most %u background vessels", MAX_BG);
  gen g;
  memset(&g, 0, sizeof g);
  g.o = *o;
  g.err = err;
  rng_init(&g.r, o->seed ^ 0x41495353494dull);
  g.mmsi_off = rbelow(&g.r, 1000000);
  g.nsc = o->scenarios;
  g.sc = kpw_xcalloc(g.nsc ? g.nsc : 1, sizeof *g.sc);
  unsigned occ[KPW_SIMAIS_KINDS] = {0};
  for (size_t i = 0; i < g.nsc; i++) {
    scen *s = &g.sc[i];
    s->kind = (int)(i % KPW_SIMAIS_KINDS);
    s->e0 = g.nex;
    int64_t t = T0 + LEAD_S + (int64_t)i * SLOT_S + (int64_t)rbelow(&g.r, 3600);
    unsigned k = occ[s->kind]++;
    switch (s->kind) {
    case 0: sc_sts(&g, (int)i, t, false, k == 0); break;
    case 1: sc_sts(&g, (int)i, t, true, false); break;
    case 2: case 3: case 4: sc_dark_rdv(&g, (int)i, t, s->kind - 2); break;
    case 5: sc_port(&g, (int)i, t, k % 2 ? &P_CHONGJIN : &P_NAMPO, false); break;
    case 6: sc_port(&g, (int)i, t, k % 2 ? &P_NAMPO : &P_CHONGJIN, true); break;
    case 7: sc_identity(&g, (int)i, t, k); break;
    case 8: sc_mmsi_shared(&g, (int)i, t); break;
    case 9: sc_crowd(&g, (int)i, t); break;
    case 10: sc_trawlers(&g, (int)i, t); break;
    case 11: sc_bunker(&g, (int)i, t); break;
    case 12: sc_passing(&g, (int)i, t); break;
    default: sc_antimeridian(&g, (int)i, t, k == 0); break;
    }
    s->e1 = g.nex;
  }
  int64_t tend = T0 + LEAD_S + (int64_t)g.nsc * SLOT_S + 3 * 86400;
  background(&g, T0, tend);
  for (size_t i = 0; i < g.nvs && !g.full; i++) emit_vessel(&g, (uint32_t)i);
  kpw_result rc = KPW_OK;
  if (g.full)
    rc = kpw_error_set(err, KPW_ENOMEM, "sim ais", 0, 0,
                       "more than %u fixes: lower --scenarios or --background", MAX_RECS);
  for (size_t i = 0; i < g.nex && !rc; i++) resolve(&g, &g.ex[i]);
  if (g.nrec && !rc) qsort(g.recs, g.nrec, sizeof *g.recs, cmp_rec);

  if (!rc) rc = mkdir_p(o->out_dir, err);
  kpw_buf out, truth;
  kpw_buf_init(&out);
  kpw_buf_init(&truth);
  uint64_t lines = 0, fixes = 0;
  if (!rc) {
    if (o->csv) kpw_buf_puts(&out, "mmsi,timestamp,lat,lon,speed,course,heading,imo,name,callsign\n");
    unsigned seq = 0;
    for (size_t i = 0; i < g.nrec; i++) {
      if (g.recs[i].type != 5) fixes++;
      if (o->csv) { if (g.recs[i].type != 5) lines++; write_csv(&g, &g.recs[i], &out); }
      else { lines += g.recs[i].type == 5 ? 2 : 1; write_nmea(&g, &g.recs[i], &out, &seq); }
    }
    rc = write_file(o->out_dir, o->csv ? "tracks.csv" : "tracks.nmea", &out, err);
  }
  if (!rc) {
    write_truth(&g, &truth, T0, tend);
    rc = write_file(o->out_dir, "truth.json", &truth, err);
  }
  if (!rc && sum) {
    sum->vessels = g.nvs; sum->fixes = fixes; sum->lines = lines; sum->bytes = out.len;
    sum->expect = sum->negatives = 0;
    for (size_t i = 0; i < g.nex; i++) {
      if (g.ex[i].negative) sum->negatives++;
      else if (!g.ex[i].optional) sum->expect++;
    }
  }
  kpw_buf_free(&out);
  kpw_buf_free(&truth);
  free(g.vs); free(g.recs); free(g.ex); free(g.sc);
  return rc;
}

/* ---------------------------------------------------------------- scorer */
#define SC_MAXSUBJ 8
#define SC_MAXKINDS 32
#define SC_LINE_MAX (1u << 20)

typedef struct sx {
  char kind[32];
  uint32_t m[SC_MAXSUBJ]; int nm;
  int64_t s, e; int tol;
  bool optional, negative, hit;
  const char *scen;
} sx;

typedef struct kstat {
  char kind[32];
  uint64_t expected, found, tp, fp, neg, ignored, dup;
} kstat;

/* A finding's or the truth's ISO 8601 time, in seconds. */
static bool parse_iso(const char *s, int64_t *out) {
  int64_t us;
  if (!kpw_time_parse(s, &us)) return false;
  *out = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  return true;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* The mmsi: members of a subjects array, sorted, without repeats; other
** typed ids (imo:, ...) do not take part in matching. */
static int subj_mmsis(const kpw_json *arr, uint32_t *m) {
  int n = 0;
  if (!arr || arr->type != KPW_JSON_ARRAY) return 0;
  for (size_t i = 0; i < arr->len && n < SC_MAXSUBJ; i++) {
    const kpw_json *x = arr->items[i];
    if (x->type != KPW_JSON_STRING || strncmp(x->str, "mmsi:", 5)) continue;
    char *end;
    unsigned long v = strtoul(x->str + 5, &end, 10);
    if (*end || v > 999999999ul) continue;
    m[n++] = (uint32_t)v;
  }
  qsort(m, (size_t)n, sizeof *m, cmp_u32);
  int k = 0;
  for (int i = 0; i < n; i++) if (!k || m[k - 1] != m[i]) m[k++] = m[i];
  return k;
}

static kpw_result read_all(const char *path, kpw_buf *b, kpw_error *err) {
  kpw_input *in;
  kpw_result rc = kpw_input_open(path, &in, err);
  if (rc) return rc;
  char chunk[65536];
  size_t got;
  while ((rc = kpw_input_read(in, chunk, sizeof chunk, &got, err)) == KPW_OK && got) {
    if (b->len + got > (256u << 20)) { rc = kpw_error_set(err, KPW_EINPUT, path, 0, b->len, "file larger than 256 MiB"); break; }
    kpw_buf_put(b, chunk, got);
  }
  kpw_input_close(in);
  return rc;
}

static bool sx_match(const sx *x, const char *kind, const uint32_t *m, int nm, bool has_t, int64_t fs, int64_t fe) {
  if (strcmp(x->kind, kind) || x->nm != nm || memcmp(x->m, m, (size_t)nm * sizeof *m)) return false;
  if (!has_t) return true;
  int64_t tol = (int64_t)x->tol * 60;
  return fs <= x->e + tol && fe >= x->s - tol;
}

static kstat *kind_stat(kstat *ks, int *nks, const char *kind) {
  for (int i = 0; i < *nks; i++) if (!strcmp(ks[i].kind, kind)) return &ks[i];
  if (*nks >= SC_MAXKINDS) return NULL;
  kstat *k = &ks[(*nks)++];
  memset(k, 0, sizeof *k);
  snprintf(k->kind, sizeof k->kind, "%s", kind);
  return k;
}

static void subj_text(char *out, size_t cap, const uint32_t *m, int nm) {
  size_t n = 0;
  out[0] = 0;
  for (int i = 0; i < nm && n + 16 < cap; i++) n += (size_t)snprintf(out + n, cap - n, "%smmsi:%09u", i ? "," : "", m[i]);
}

static void ratio(kpw_buf *b, uint64_t num, uint64_t den) {
  if (den) kpw_buf_printf(b, "%.4f", (double)num / (double)den);
  else kpw_buf_puts(b, "null");
}

kpw_result kpw_sim_ais_score(const char *truth_path, const char *findings_path, FILE *out, kpw_error *err) {
  kpw_buf tb;
  kpw_buf_init(&tb);
  kpw_arena *ar = kpw_arena_new(0), *la = kpw_arena_new(0);
  sx *xs = NULL;
  size_t nx = 0, capx = 0;
  kstat ks[SC_MAXKINDS];
  int nks = 0;
  char *line = NULL;
  FILE *f = NULL;
  kpw_result rc = read_all(truth_path, &tb, err);
  kpw_json *root = NULL;
  if (!rc) rc = kpw_json_parse(tb.data, tb.len, ar, truth_path, 1, &root, err);
  const kpw_json *scs = root ? kpw_json_get(root, "scenarios") : NULL;
  if (!rc && (!scs || scs->type != KPW_JSON_ARRAY))
    rc = kpw_error_set(err, KPW_EINPUT, truth_path, 0, 0, "no \"scenarios\" array: not a sim ais truth file");
  for (size_t i = 0; !rc && i < scs->len; i++) {
    const kpw_json *sc = scs->items[i];
    const char *name = kpw_json_get_str(sc, "name");
    for (int neg = 0; neg < 2 && !rc; neg++) {
      const kpw_json *arr = kpw_json_get(sc, neg ? "negatives" : "expect");
      if (!arr) continue;
      if (arr->type != KPW_JSON_ARRAY) { rc = kpw_error_set(err, KPW_EINPUT, truth_path, 0, 0, "scenario %zu: %s is not an array", i + 1, neg ? "negatives" : "expect"); break; }
      for (size_t j = 0; j < arr->len; j++) {
        const kpw_json *e = arr->items[j];
        const char *kind = kpw_json_get_str(e, "kind");
        const kpw_json *tol = kpw_json_get(e, "tolerance_min"), *opt = kpw_json_get(e, "optional");
        if (nx == capx) { capx = capx ? capx * 2 : 256; xs = kpw_xrealloc(xs, capx * sizeof *xs); }
        sx *x = &xs[nx];
        memset(x, 0, sizeof *x);
        if (!kind || !parse_iso(kpw_json_get_str(e, "start"), &x->s) || !parse_iso(kpw_json_get_str(e, "end"), &x->e)) {
          rc = kpw_error_set(err, KPW_EINPUT, truth_path, 0, 0, "scenario %zu, %s %zu: needs kind, start and end (ISO 8601)", i + 1, neg ? "negative" : "expectation", j + 1);
          break;
        }
        snprintf(x->kind, sizeof x->kind, "%s", kind);
        x->nm = subj_mmsis(kpw_json_get(e, "subjects"), x->m);
        x->tol = tol && tol->type == KPW_JSON_NUMBER ? (int)tol->number : 0;
        x->optional = opt && opt->type == KPW_JSON_BOOL && opt->boolean;
        x->negative = neg;
        x->scen = name ? name : "?";
        nx++;
        kstat *k = kind_stat(ks, &nks, kind);
        if (k && !neg && !x->optional) k->expected++;
      }
    }
  }
  if (!rc) {
    f = strcmp(findings_path, "-") ? fopen(findings_path, "r") : stdin;
    if (!f) rc = kpw_error_set(err, KPW_EIO, findings_path, 0, 0, "cannot open: %s", strerror(errno));
  }
  uint64_t lineno = 0, nfp_shown = 0;
  if (!rc) line = kpw_xmalloc(SC_LINE_MAX + 1);
  for (int c = 0; !rc && c != EOF;) {
    /* One line into the fixed buffer: memory stays bounded whatever the input. */
    size_t n = 0;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
      if (n == SC_LINE_MAX) { rc = kpw_error_set(err, KPW_EINPUT, findings_path, lineno + 1, 0, "line longer than 1 MiB"); break; }
      line[n++] = (char)c;
    }
    if (rc) break;
    if (c == EOF && n == 0) break;
    lineno++;
    while (n > 0 && line[n - 1] == '\r') n--;
    line[n] = 0;
    if (!n) continue;
    kpw_arena_reset(la);
    kpw_json *fj;
    rc = kpw_json_parse(line, (size_t)n, la, findings_path, lineno, &fj, err);
    if (rc) break;
    const char *kind = kpw_json_get_str(fj, "kind");
    if (!kind) { rc = kpw_error_set(err, KPW_EINPUT, findings_path, lineno, 0, "finding without a \"kind\" string"); break; }
    uint32_t m[SC_MAXSUBJ];
    int nm = subj_mmsis(kpw_json_get(fj, "subjects"), m);
    int64_t fs = 0, fe = 0;
    bool has_t = parse_iso(kpw_json_get_str(fj, "start"), &fs);
    if (has_t && !parse_iso(kpw_json_get_str(fj, "end"), &fe)) fe = fs;
    kstat *k = kind_stat(ks, &nks, kind);
    if (!k) continue;
    k->found++;
    /* Prefer an expected event not matched yet, then any expected one. */
    sx *best = NULL;
    for (size_t i = 0; i < nx; i++) {
      sx *x = &xs[i];
      if (x->negative || x->optional || !sx_match(x, kind, m, nm, has_t, fs, fe)) continue;
      if (!x->hit) { best = x; break; }
      if (!best) best = x;
    }
    if (best) {
      if (best->hit) k->dup++;
      else { best->hit = true; k->tp++; }
      continue;
    }
    bool opt = false, negm = false;
    const char *negscen = NULL;
    for (size_t i = 0; i < nx; i++) {
      if (!sx_match(&xs[i], kind, m, nm, has_t, fs, fe)) continue;
      if (xs[i].optional) opt = true;
      if (xs[i].negative) { negm = true; negscen = xs[i].scen; }
    }
    if (opt) { k->ignored++; continue; }
    k->fp++;
    if (negm) k->neg++;
    if (nfp_shown++ < 30) {
      char st[200];
      subj_text(st, sizeof st, m, nm);
      fprintf(out, "# false positive: %s:%llu %s [%s]%s%s\n", findings_path, (unsigned long long)lineno,
              kind, st, negm ? " matches a negative of " : "", negm ? negscen : "");
    }
  }
  if (!rc && f && ferror(f)) rc = kpw_error_set(err, KPW_EIO, findings_path, lineno, 0, "read error");
  if (f && f != stdin) fclose(f);
  free(line);
  if (!rc) {
    uint64_t nmiss = 0;
    for (size_t i = 0; i < nx; i++) {
      sx *x = &xs[i];
      if (x->negative || x->optional || x->hit) continue;
      if (nmiss++ >= 30) continue;
      char st[200], a[40], b[40];
      subj_text(st, sizeof st, x->m, x->nm);
      iso(x->s, a); iso(x->e, b);
      fprintf(out, "# missed: %s [%s] %s .. %s (%s)\n", x->kind, st, a, b, x->scen);
    }
    fprintf(out, "%-18s %8s %6s %5s %5s %5s %7s %7s %9s\n", "kind", "expected", "found", "tp", "fp",
            "neg", "ignored", "recall", "precision");
    kstat tot;
    memset(&tot, 0, sizeof tot);
    kpw_buf js;
    kpw_buf_init(&js);
    kpw_buf_puts(&js, "{\"kinds\":{");
    for (int i = 0; i <= nks; i++) {
      kstat *k = i < nks ? &ks[i] : &tot;
      if (i < nks) {
        tot.expected += k->expected; tot.found += k->found; tot.tp += k->tp; tot.fp += k->fp;
        tot.neg += k->neg; tot.ignored += k->ignored; tot.dup += k->dup;
      } else {
        snprintf(tot.kind, sizeof tot.kind, "total");
        kpw_buf_puts(&js, "},\"total\":");
      }
      kpw_buf rb, pb;
      kpw_buf_init(&rb); kpw_buf_init(&pb);
      ratio(&rb, k->tp, k->expected);
      ratio(&pb, k->tp + k->dup, k->tp + k->dup + k->fp);
      fprintf(out, "%-18s %8llu %6llu %5llu %5llu %5llu %7llu %7s %9s\n", k->kind,
              (unsigned long long)k->expected, (unsigned long long)k->found, (unsigned long long)k->tp,
              (unsigned long long)k->fp, (unsigned long long)k->neg, (unsigned long long)k->ignored,
              rb.data, pb.data);
      if (i > 0 && i < nks) kpw_buf_putc(&js, ',');
      if (i < nks) { kpw_json_key(&js, k->kind); }
      kpw_buf_printf(&js, "{\"expected\":%llu,\"found\":%llu,\"tp\":%llu,\"fp\":%llu,\"negatives_hit\":%llu,"
                     "\"ignored\":%llu,\"duplicates\":%llu,\"recall\":%s,\"precision\":%s}",
                     (unsigned long long)k->expected, (unsigned long long)k->found, (unsigned long long)k->tp,
                     (unsigned long long)k->fp, (unsigned long long)k->neg, (unsigned long long)k->ignored,
                     (unsigned long long)k->dup, rb.data, pb.data);
      kpw_buf_free(&rb); kpw_buf_free(&pb);
    }
    kpw_buf_puts(&js, "}\n");
    fputs(js.data, out);
    kpw_buf_free(&js);
  }
  free(xs);
  kpw_arena_free(ar);
  kpw_arena_free(la);
  kpw_buf_free(&tb);
  return rc;
}

/* ---------------------------------------------------------------- positions
** A global fleet of n/200 vessels (at least 1), each reporting every 432 s
** (200 fixes a day) at a fixed offset inside the period, so the stream is
** in time order by construction; state is 48 bytes a vessel and the output
** goes through one 4 MiB buffer. Coordinates move in fixed point (1e-5
** degrees) so a line costs a few integer operations and digit copies. */
typedef struct pv {
  int32_t lat, lon, dlat, dlon;     /* 1e-5 deg */
  uint32_t mmsi, imo;
  uint16_t sog, cog, hdg;
  uint16_t name;
  char cs[4];
} pv;

static char *put_uint(char *p, uint64_t v) {
  char t[24];
  int n = 0;
  do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *p++ = t[--n];
  return p;
}
static char *put_fix5(char *p, int32_t v) {   /* 1e-5 units as d.ddddd */
  if (v < 0) { *p++ = '-'; v = -v; }
  p = put_uint(p, (uint64_t)(v / 100000));
  *p++ = '.';
  int32_t f = v % 100000;
  p[4] = (char)('0' + f % 10); f /= 10;
  p[3] = (char)('0' + f % 10); f /= 10;
  p[2] = (char)('0' + f % 10); f /= 10;
  p[1] = (char)('0' + f % 10); f /= 10;
  p[0] = (char)('0' + f);
  return p + 5;
}
static char *put_dec1(char *p, unsigned v) {  /* tenths as d.d */
  p = put_uint(p, v / 10);
  *p++ = '.';
  *p++ = (char)('0' + v % 10);
  return p;
}
static char *put2(char *p, unsigned v) { p[0] = (char)('0' + v / 10); p[1] = (char)('0' + v % 10); return p + 2; }

kpw_result kpw_sim_ais_positions(const char *out_dir, uint64_t seed, uint64_t n,
                                 kpw_simais_summary *sum, kpw_error *err) {
  if (!out_dir) return kpw_error_set(err, KPW_EUSAGE, "sim ais", 0, 0, "no output directory");
  uint64_t nv = n / 200 ? n / 200 : 1;
  if (nv > 2000000) nv = 2000000;            /* bounds memory to ~100 MB */
  const int64_t dt = 432;
  rng r;
  rng_init(&r, seed ^ 0x504f53ull);
  pv *vs = kpw_xcalloc(nv, sizeof *vs);
  static const char *pool[] = {"OCEAN", "PACIFIC", "GOLDEN", "EAST", "SEA", "BLUE", "GREAT", "STAR"};
  static const char *pool2[] = {"GLORY", "STAR", "LAKE", "WIND", "PIONEER", "CORAL", "TRADER", "SPIRIT"};
  for (uint64_t i = 0; i < nv; i++) {
    pv *v = &vs[i];
    double lat = rr(&r, -60, 65), lon = rr(&r, -180, 180);
    double kn = rbelow(&r, 10) < 3 ? rr(&r, 0, 0.5) : rr(&r, 6, 20), c = rr(&r, 0, 360);
    v->lat = (int32_t)lround(lat * 1e5); v->lon = (int32_t)lround(lon * 1e5);
    double d = kn * KN_MS * (double)dt;
    v->dlat = (int32_t)lround(d * cos(c * DEG) / 111320.0 * 1e5);
    v->dlon = (int32_t)lround(d * sin(c * DEG) / (111320.0 * cos(lat * DEG)) * 1e5);
    v->sog = (uint16_t)lround(kn * 10); v->cog = (uint16_t)(lround(c * 10) % 3600);
    v->hdg = (uint16_t)(lround(c) % 360);
    v->mmsi = (uint32_t)(other_mids[i % (sizeof other_mids / sizeof other_mids[0])] * 1000000u) +
              (uint32_t)((i / (sizeof other_mids / sizeof other_mids[0])) * 7919u % 1000000u);
    v->imo = imo_of(i);           /* unique below 900,000 vessels */
    v->name = (uint16_t)rbelow(&r, 64 * 100);
    for (int k = 0; k < 4; k++) v->cs[k] = (char)(k < 2 ? 'A' + rbelow(&r, 26) : '0' + rbelow(&r, 10));
  }
  FILE *f = stdout;
  char path[4096];
  kpw_result rc = KPW_OK;
  if (strcmp(out_dir, "-")) {
    if ((rc = mkdir_p(out_dir, err))) { free(vs); return rc; }
    snprintf(path, sizeof path, "%s/positions.csv", out_dir);
    f = fopen(path, "wb");
    if (!f) { free(vs); return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot create: %s", strerror(errno)); }
  } else snprintf(path, sizeof path, "-");
  const size_t BUF = 4u << 20;
  char *buf = kpw_xmalloc(BUF), *p = buf;
  uint64_t bytes = 0, lines = 0;
  static const char hdr[] = "mmsi,timestamp,lat,lon,speed,course,heading,imo,name,callsign\n";
  memcpy(p, hdr, sizeof hdr - 1); p += sizeof hdr - 1;
  int64_t cur_day = -1;
  char day[12] = {0};
  for (uint64_t k = 0; lines < n && !rc; k++) {
    for (uint64_t i = 0; i < nv && lines < n; i++) {
      pv *v = &vs[i];
      int64_t t = T0 + (int64_t)k * dt + (int64_t)(i * (uint64_t)dt / nv);
      int64_t dd = t / 86400, sod = t % 86400;
      if (dd != cur_day) {
        char tmp[40];
        iso(t, tmp);
        memcpy(day, tmp, 11);
        cur_day = dd;
      }
      if ((size_t)(p - buf) > BUF - 256) {
        if (fwrite(buf, 1, (size_t)(p - buf), f) != (size_t)(p - buf))
          rc = kpw_error_set(err, KPW_EIO, path, 0, bytes, "write failed: %s", strerror(errno));
        bytes += (uint64_t)(p - buf);
        p = buf;
      }
      uint32_t m = v->mmsi;
      for (int j = 8; j >= 0; j--) { p[j] = (char)('0' + m % 10); m /= 10; }
      p += 9; *p++ = ',';
      memcpy(p, day, 11); p += 11;
      p = put2(p, (unsigned)(sod / 3600)); *p++ = ':';
      p = put2(p, (unsigned)(sod / 60 % 60)); *p++ = ':';
      p = put2(p, (unsigned)(sod % 60)); *p++ = 'Z'; *p++ = ',';
      p = put_fix5(p, v->lat); *p++ = ',';
      p = put_fix5(p, v->lon); *p++ = ',';
      p = put_dec1(p, v->sog); *p++ = ',';
      p = put_dec1(p, v->cog); *p++ = ',';
      p = put_uint(p, v->hdg); *p++ = ',';
      if ((k + i) % 50 == 0) {     /* identity every 50th fix, as type 5 is rarer */
        p = put_uint(p, v->imo); *p++ = ',';
        const char *a = pool[v->name % 8], *b = pool2[v->name / 8 % 8];
        size_t la_ = strlen(a), lb = strlen(b);
        memcpy(p, a, la_); p += la_; *p++ = ' ';
        memcpy(p, b, lb); p += lb; *p++ = ' ';
        p = put_uint(p, (uint64_t)(v->name / 64 + 1)); *p++ = ',';
        memcpy(p, v->cs, 4); p += 4;
      } else { *p++ = ','; *p++ = ','; }
      *p++ = '\n';
      lines++;
      /* Move; wrap at the antimeridian, bounce off 80 degrees. */
      v->lat += v->dlat; v->lon += v->dlon;
      if (v->lon >= 18000000) v->lon -= 36000000;
      else if (v->lon < -18000000) v->lon += 36000000;
      if (v->lat > 8000000 || v->lat < -8000000) { v->dlat = -v->dlat; v->lat += 2 * v->dlat; }
    }
  }
  if (!rc && p > buf) {
    if (fwrite(buf, 1, (size_t)(p - buf), f) != (size_t)(p - buf))
      rc = kpw_error_set(err, KPW_EIO, path, 0, bytes, "write failed: %s", strerror(errno));
    bytes += (uint64_t)(p - buf);
  }
  if (f != stdout) { if (fclose(f) != 0 && !rc) rc = kpw_error_set(err, KPW_EIO, path, 0, 0, "close failed: %s", strerror(errno)); }
  else if (fflush(f) != 0 && !rc) rc = kpw_error_set(err, KPW_EIO, path, 0, 0, "write failed: %s", strerror(errno));
  free(buf);
  free(vs);
  if (sum) { memset(sum, 0, sizeof *sum); sum->vessels = nv; sum->fixes = sum->lines = lines; sum->bytes = bytes; }
  return rc;
}
