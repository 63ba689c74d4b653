/*
** ports.c -- the port model of `ais detect`: the built-in DPRK ports (the 10
** World Port Index points, mirrored in data/dprk_ports.csv) and the Nampo
** approaches zone, port lists from CSV (--ports), GeoJSON polygons
** (--eez) with an even-odd point-in-polygon test, the geo bundle adapter for
** kpw_ais_ctx, and the per-vessel state table the geography/identity
** detectors share.
**
** Invariants: ports are kept sorted by latitude once a query has run
** (a `dirty` flag re-sorts after additions), so a nearest-port query is a
** binary search on a latitude band plus a scan of that band; polygons are
** immutable after they are built.
*/
#include <errno.h>
#include <sys/stat.h>
#include <ctype.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kpw/aisgeo.h"
#include "ais/geo.h"

/* ------------------------------------------------------------ vessel table */
struct kpw_vtab {
  size_t vsize;
  size_t n, cap;          /* entries in insertion order */
  char **keys;
  void **vals;
  uint32_t *slots;        /* open addressing: index+1, 0 = empty */
  size_t nslots;          /* power of two, >= 2 * cap */
};

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ULL;              /* FNV-1a */
  for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
  return h ^ (h >> 29);
}

kpw_vtab *kpw_vtab_new(size_t value_size) {
  kpw_vtab *t = kpw_xcalloc(1, sizeof *t);
  t->vsize = value_size ? value_size : 1;
  t->nslots = 64;
  t->slots = kpw_xcalloc(t->nslots, sizeof *t->slots);
  return t;
}

static void vtab_rehash(kpw_vtab *t) {
  size_t ns = t->nslots * 2;
  uint32_t *s = kpw_xcalloc(ns, sizeof *s);
  for (size_t i = 0; i < t->n; i++) {
    size_t j = hash_str(t->keys[i]) & (ns - 1);
    while (s[j]) j = (j + 1) & (ns - 1);
    s[j] = (uint32_t)(i + 1);
  }
  free(t->slots);
  t->slots = s;
  t->nslots = ns;
}

void *kpw_vtab_get(kpw_vtab *t, const char *key, bool create) {
  if (!t || !key) return NULL;
  size_t j = hash_str(key) & (t->nslots - 1);
  while (t->slots[j]) {
    size_t i = t->slots[j] - 1;
    if (strcmp(t->keys[i], key) == 0) return t->vals[i];
    j = (j + 1) & (t->nslots - 1);
  }
  if (!create || t->n >= UINT32_MAX - 1) return NULL;
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 32;
    t->keys = kpw_xrealloc(t->keys, t->cap * sizeof *t->keys);
    t->vals = kpw_xrealloc(t->vals, t->cap * sizeof *t->vals);
  }
  size_t i = t->n++;
  t->keys[i] = kpw_xstrdup(key);
  t->vals[i] = kpw_xcalloc(1, t->vsize);
  t->slots[j] = (uint32_t)(i + 1);
  if (t->n * 2 > t->nslots) vtab_rehash(t);
  return t->vals[i];
}

size_t kpw_vtab_count(const kpw_vtab *t) { return t ? t->n : 0; }
void *kpw_vtab_at(kpw_vtab *t, size_t i) { return t && i < t->n ? t->vals[i] : NULL; }
const char *kpw_vtab_key(const kpw_vtab *t, size_t i) { return t && i < t->n ? t->keys[i] : NULL; }

void kpw_vtab_free(kpw_vtab *t) {
  if (!t) return;
  for (size_t i = 0; i < t->n; i++) { free(t->keys[i]); free(t->vals[i]); }
  free(t->keys); free(t->vals); free(t->slots); free(t);
}

/* ------------------------------------------------------------ vessel state */
void kpw_vstate_init(kpw_vstate *v, size_t esz) { v->a = NULL; v->cap = 0; v->esz = esz ? esz : 1; }

void *kpw_vstate_get(kpw_vstate *v, uint32_t vid) {
  if (vid >= v->cap) {
    size_t nc = v->cap ? v->cap : 256;
    while (nc <= vid) nc *= 2;
    v->a = kpw_xrealloc(v->a, nc * v->esz);
    memset(v->a + v->cap * v->esz, 0, (nc - v->cap) * v->esz);
    v->cap = nc;
  }
  return v->a + (size_t)vid * v->esz;
}

void *kpw_vstate_peek(const kpw_vstate *v, uint32_t vid) {
  return vid < v->cap ? v->a + (size_t)vid * v->esz : NULL;
}

void kpw_vstate_clear(kpw_vstate *v, uint32_t vid) {
  if (vid < v->cap) memset(v->a + (size_t)vid * v->esz, 0, v->esz);
}

void kpw_vstate_free(kpw_vstate *v) { free(v->a); v->a = NULL; v->cap = 0; }

const char *kpw_ais_subject(const kpw_ais_ctx *c, uint32_t vid, uint32_t mmsi, char *buf) {
  if (c && c->subject) return c->subject(c->drv, vid);
  if (mmsi) snprintf(buf, 24, "mmsi:%09u", mmsi);
  else snprintf(buf, 24, "vid:%u", vid);
  return buf;
}

/* ------------------------------------------------------------ polygons */
typedef struct ring {
  size_t off, n;                       /* into the vertex arrays */
  double minlat, maxlat, minlon, maxlon;
} ring;

struct kpw_geo_poly {
  double *lat, *lon; size_t nv, capv;
  ring *rings; size_t nr, capr;
};

static kpw_geo_poly *poly_new(void) { return kpw_xcalloc(1, sizeof(kpw_geo_poly)); }

static void poly_add_vertex(kpw_geo_poly *p, double lat, double lon) {
  if (p->nv == p->capv) {
    p->capv = p->capv ? p->capv * 2 : 256;
    p->lat = kpw_xrealloc(p->lat, p->capv * sizeof *p->lat);
    p->lon = kpw_xrealloc(p->lon, p->capv * sizeof *p->lon);
  }
  p->lat[p->nv] = lat; p->lon[p->nv] = lon; p->nv++;
}

/* Close the ring begun at vertex `off`: drop a repeated closing vertex,
** compute its box; rings with < 3 vertices are dropped. */
static void poly_end_ring(kpw_geo_poly *p, size_t off) {
  size_t n = p->nv - off;
  if (n >= 2 && p->lat[p->nv - 1] == p->lat[off] && p->lon[p->nv - 1] == p->lon[off]) {
    p->nv--; n--;
  }
  if (n < 3) { p->nv = off; return; }
  if (p->nr == p->capr) {
    p->capr = p->capr ? p->capr * 2 : 8;
    p->rings = kpw_xrealloc(p->rings, p->capr * sizeof *p->rings);
  }
  ring *r = &p->rings[p->nr++];
  r->off = off; r->n = n;
  r->minlat = r->maxlat = p->lat[off];
  r->minlon = r->maxlon = p->lon[off];
  for (size_t i = off; i < off + n; i++) {
    if (p->lat[i] < r->minlat) r->minlat = p->lat[i];
    if (p->lat[i] > r->maxlat) r->maxlat = p->lat[i];
    if (p->lon[i] < r->minlon) r->minlon = p->lon[i];
    if (p->lon[i] > r->maxlon) r->maxlon = p->lon[i];
  }
}

kpw_geo_poly *kpw_geo_poly_ring(const double *lat, const double *lon, size_t n) {
  kpw_geo_poly *p = poly_new();
  for (size_t i = 0; i < n; i++) poly_add_vertex(p, lat[i], lon[i]);
  poly_end_ring(p, 0);
  return p;
}

/* Even-odd crossing count of a ray from the point towards +lon. */
bool kpw_geo_poly_contains(const kpw_geo_poly *p, double lat, double lon) {
  if (!p || !isfinite(lat) || !isfinite(lon)) return false;
  bool in = false;
  for (size_t k = 0; k < p->nr; k++) {
    const ring *r = &p->rings[k];
    if (lat < r->minlat || lat > r->maxlat || lon < r->minlon || lon > r->maxlon) continue;
    const double *y = p->lat + r->off, *x = p->lon + r->off;
    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
      if ((y[i] > lat) != (y[j] > lat)) {
        double xc = x[j] + (lat - y[j]) * (x[i] - x[j]) / (y[i] - y[j]);
        if (lon < xc) in = !in;
      }
    }
  }
  return in;
}

size_t kpw_geo_poly_vertices(const kpw_geo_poly *p) { return p ? p->nv : 0; }

void kpw_geo_poly_free(kpw_geo_poly *p) {
  if (!p) return;
  free(p->lat); free(p->lon); free(p->rings); free(p);
}

/* Read a whole (possibly compressed) file, at most max bytes. */
static kpw_result read_all(const char *path, size_t max, char **out, size_t *n,
                           kpw_error *err) {
  kpw_input *in = NULL;
  kpw_result r = kpw_input_open(path, &in, err);
  if (r != KPW_OK) return r;
  size_t cap = 1 << 16, len = 0;
  char *buf = kpw_xmalloc(cap + 1);
  for (;;) {
    if (len == cap) {
      if (cap >= max) {
        kpw_input_close(in); free(buf);
        return kpw_error_set(err, KPW_EINPUT, path, 0, len, "file larger than %zu bytes", max);
      }
      cap = cap * 2 > max ? max : cap * 2;
      buf = kpw_xrealloc(buf, cap + 1);
    }
    size_t got = 0;
    r = kpw_input_read(in, buf + len, cap - len, &got, err);
    if (r != KPW_OK) { kpw_input_close(in); free(buf); return r; }
    if (got == 0) break;
    len += got;
  }
  kpw_input_close(in);
  buf[len] = 0;
  *out = buf; *n = len;
  return KPW_OK;
}

static kpw_result bad(kpw_error *err, const char *source, const char *what) {
  return kpw_error_set(err, KPW_EINPUT, source, 0, 0, "GeoJSON: %s", what);
}

/* One linear ring: an array of [lon, lat] positions. */
static kpw_result geo_ring(kpw_geo_poly *p, const kpw_json *a, const char *src, kpw_error *err) {
  if (!a || a->type != KPW_JSON_ARRAY) return bad(err, src, "a ring is not an array of positions");
  size_t off = p->nv;
  for (size_t i = 0; i < a->len; i++) {
    const kpw_json *pt = a->items[i];
    if (pt->type != KPW_JSON_ARRAY || pt->len < 2 || pt->items[0]->type != KPW_JSON_NUMBER ||
        pt->items[1]->type != KPW_JSON_NUMBER)
      return bad(err, src, "a position is not [lon, lat]");
    double lon = pt->items[0]->number, lat = pt->items[1]->number;
    if (!(fabs(lat) <= 90) || !(fabs(lon) <= 360))
      return bad(err, src, "a position is out of range");
    poly_add_vertex(p, lat, lon);
  }
  poly_end_ring(p, off);
  return KPW_OK;
}

static kpw_result geo_polygon(kpw_geo_poly *p, const kpw_json *rings, const char *src, kpw_error *err) {
  if (!rings || rings->type != KPW_JSON_ARRAY) return bad(err, src, "Polygon coordinates are not an array of rings");
  for (size_t i = 0; i < rings->len; i++) {
    kpw_result r = geo_ring(p, rings->items[i], src, err);
    if (r != KPW_OK) return r;
  }
  return KPW_OK;
}

static kpw_result geo_any(kpw_geo_poly *p, const kpw_json *o, const char *src, int depth, kpw_error *err) {
  if (!o || o->type != KPW_JSON_OBJECT) return bad(err, src, "expected an object");
  if (depth > 8) return bad(err, src, "nesting too deep");
  const char *t = kpw_json_get_str(o, "type");
  if (!t) return bad(err, src, "an object has no \"type\"");
  if (!strcmp(t, "FeatureCollection")) {
    const kpw_json *f = kpw_json_get(o, "features");
    if (!f || f->type != KPW_JSON_ARRAY) return bad(err, src, "FeatureCollection without features");
    for (size_t i = 0; i < f->len; i++) {
      kpw_result r = geo_any(p, f->items[i], src, depth + 1, err);
      if (r != KPW_OK) return r;
    }
    return KPW_OK;
  }
  if (!strcmp(t, "Feature")) {
    const kpw_json *g = kpw_json_get(o, "geometry");
    if (!g || g->type == KPW_JSON_NULL) return KPW_OK;
    return geo_any(p, g, src, depth + 1, err);
  }
  if (!strcmp(t, "GeometryCollection")) {
    const kpw_json *g = kpw_json_get(o, "geometries");
    if (!g || g->type != KPW_JSON_ARRAY) return bad(err, src, "GeometryCollection without geometries");
    for (size_t i = 0; i < g->len; i++) {
      kpw_result r = geo_any(p, g->items[i], src, depth + 1, err);
      if (r != KPW_OK) return r;
    }
    return KPW_OK;
  }
  const kpw_json *c = kpw_json_get(o, "coordinates");
  if (!strcmp(t, "Polygon")) return geo_polygon(p, c, src, err);
  if (!strcmp(t, "MultiPolygon")) {
    if (!c || c->type != KPW_JSON_ARRAY) return bad(err, src, "MultiPolygon coordinates are not an array");
    for (size_t i = 0; i < c->len; i++) {
      kpw_result r = geo_polygon(p, c->items[i], src, err);
      if (r != KPW_OK) return r;
    }
    return KPW_OK;
  }
  return KPW_OK;     /* points and lines carry no area: ignored */
}

kpw_result kpw_geo_poly_parse(const char *text, size_t n, const char *source,
                              kpw_geo_poly **out, kpw_error *err) {
  *out = NULL;
  kpw_arena *a = kpw_arena_new(0);
  kpw_json *root = NULL;
  kpw_result r = kpw_json_parse(text, n, a, source, 1, &root, err);
  kpw_geo_poly *p = poly_new();
  if (r == KPW_OK) r = geo_any(p, root, source, 0, err);
  kpw_arena_free(a);
  if (r == KPW_OK && p->nr == 0) r = bad(err, source, "no polygon found");
  if (r != KPW_OK) { kpw_geo_poly_free(p); return r; }
  *out = p;
  return KPW_OK;
}

kpw_result kpw_geo_poly_load(const char *path, kpw_geo_poly **out, kpw_error *err) {
  char *text = NULL; size_t n = 0;
  *out = NULL;
  kpw_result r = read_all(path, (size_t)256 << 20, &text, &n, err);
  if (r != KPW_OK) return r;
  r = kpw_geo_poly_parse(text, n, path, out, err);
  free(text);
  return r;
}

/* ------------------------------------------------------------ ports */
typedef struct zone {
  char *name;
  bool dprk;
  kpw_geo_poly *poly;
} zone;

struct kpw_ports {
  kpw_port *p; size_t n, cap;
  bool dirty;                  /* not sorted by latitude */
  zone *z; size_t nz, capz;
  kpw_arena *strs;
};

/* The World Port Index points for the DPRK (gfw_WPI_ports.csv, iso3 PRK),
** names as WPI spells them; data/dprk_ports.csv holds the same rows. */
static const struct { const char *name; double lat, lon; } DPRK_PORTS[] = {
  {"NAMPO", 38.716667, 125.4},       {"KYOMIP'O", 38.733333, 125.616667},
  {"HAEJU HANG", 38.0, 125.7},       {"WONSAN", 39.166667, 127.45},
  {"HUNGNAM", 39.833333, 127.616667}, {"CH'AHO", 40.2, 128.65},
  {"KIMCH'AEK", 40.666667, 129.2},   {"CH'ONGJIN", 41.766667, 129.816667},
  {"NAJIN", 42.233333, 130.3},       {"SENBONG", 42.333333, 130.4},
};

/* Nampo approaches: the Taedong estuary below the West Sea Barrage and
** the waters round Cho-do (~38.55N 124.85E) where the Panel of Experts and
** VOA placed ship-to-ship transfers. Hand-drawn, ~0.05 deg precision
** (docs/cmd-ais-detect-geo.md); (lat, lon) in order. */
static const double NAMPO_ZONE[][2] = {
  {38.80, 124.60}, {38.80, 125.25}, {38.76, 125.33}, {38.66, 125.33},
  {38.55, 125.20}, {38.40, 125.00}, {38.35, 124.75}, {38.45, 124.55},
};

static const char *intern(kpw_ports *ps, const char *s) { return kpw_arena_strdup(ps->strs, s); }

static void ports_add(kpw_ports *ps, const char *name, double lat, double lon,
                      const char *cc, const char *source) {
  if (ps->n == ps->cap) {
    ps->cap = ps->cap ? ps->cap * 2 : 64;
    ps->p = kpw_xrealloc(ps->p, ps->cap * sizeof *ps->p);
  }
  kpw_port *p = &ps->p[ps->n++];
  memset(p, 0, sizeof *p);
  p->name = intern(ps, name);
  p->lat = lat; p->lon = lon;
  if (cc) { p->country[0] = cc[0]; p->country[1] = cc[1]; p->country[2] = 0; }
  p->dprk = cc && !strcmp(cc, "kp");
  p->source = intern(ps, source);
  ps->dirty = true;
}

static void zone_add(kpw_ports *ps, const char *name, bool dprk, kpw_geo_poly *poly) {
  if (ps->nz == ps->capz) {
    ps->capz = ps->capz ? ps->capz * 2 : 4;
    ps->z = kpw_xrealloc(ps->z, ps->capz * sizeof *ps->z);
  }
  ps->z[ps->nz++] = (zone){kpw_xstrdup(name), dprk, poly};
}

kpw_ports *kpw_ports_new_empty(void) {
  kpw_ports *ps = kpw_xcalloc(1, sizeof *ps);
  ps->strs = kpw_arena_new(0);
  return ps;
}

kpw_ports *kpw_ports_new(void) {
  kpw_ports *ps = kpw_ports_new_empty();
  for (size_t i = 0; i < sizeof DPRK_PORTS / sizeof DPRK_PORTS[0]; i++)
    ports_add(ps, DPRK_PORTS[i].name, DPRK_PORTS[i].lat, DPRK_PORTS[i].lon, "kp", "WPI");
  size_t nv = sizeof NAMPO_ZONE / sizeof NAMPO_ZONE[0];
  double la[16], lo[16];
  for (size_t i = 0; i < nv; i++) { la[i] = NAMPO_ZONE[i][0]; lo[i] = NAMPO_ZONE[i][1]; }
  zone_add(ps, "NAMPO APPROACHES", true, kpw_geo_poly_ring(la, lo, nv));
  return ps;
}

void kpw_ports_free(kpw_ports *ps) {
  if (!ps) return;
  for (size_t i = 0; i < ps->nz; i++) { free(ps->z[i].name); kpw_geo_poly_free(ps->z[i].poly); }
  free(ps->z); free(ps->p);
  kpw_arena_free(ps->strs);
  free(ps);
}

static int by_lat(const void *a, const void *b) {
  const kpw_port *x = a, *y = b;
  return (x->lat > y->lat) - (x->lat < y->lat);
}

static void ports_sort(kpw_ports *ps) {
  if (!ps->dirty) return;
  qsort(ps->p, ps->n, sizeof *ps->p, by_lat);
  ps->dirty = false;
}

size_t kpw_ports_count(const kpw_ports *ps) { return ps ? ps->n : 0; }
const kpw_port *kpw_ports_get(const kpw_ports *ps, size_t i) {
  if (!ps || i >= ps->n) return NULL;
  ports_sort((kpw_ports *)ps);   /* sorting is a cache, not a visible change */
  return &ps->p[i];
}
size_t kpw_ports_zone_count(const kpw_ports *ps) { return ps ? ps->nz : 0; }

const kpw_port *kpw_ports_nearest(const kpw_ports *ps, double lat, double lon,
                                  double max_km, bool dprk_only, double *km) {
  if (km) *km = NAN;
  if (!ps || ps->n == 0 || !geo_valid(lat, lon) || !(max_km >= 0)) return NULL;
  ports_sort((kpw_ports *)ps);
  double dlat = max_km / 111.19 + 1e-9;     /* km per degree of latitude on the 6371 km sphere */
  size_t lo = 0, hi = ps->n;                /* first port with lat >= lat - dlat */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ps->p[mid].lat < lat - dlat) lo = mid + 1; else hi = mid;
  }
  const kpw_port *best = NULL;
  double bd = max_km * 1000.0;
  for (size_t i = lo; i < ps->n && ps->p[i].lat <= lat + dlat; i++) {
    if (dprk_only && !ps->p[i].dprk) continue;
    double d = geo_dist_m(lat, lon, ps->p[i].lat, ps->p[i].lon);
    if (d <= bd) { bd = d; best = &ps->p[i]; }
  }
  if (best && km) *km = bd / 1000.0;
  return best;
}

const char *kpw_ports_zone_at(const kpw_ports *ps, double lat, double lon, bool *dprk) {
  if (dprk) *dprk = false;
  if (!ps) return NULL;
  for (size_t i = 0; i < ps->nz; i++)
    if (kpw_geo_poly_contains(ps->z[i].poly, lat, lon)) {
      if (dprk) *dprk = ps->z[i].dprk;
      return ps->z[i].name;
    }
  return NULL;
}

static int col_of(const char **h, size_t n, const char *const *names) {
  for (size_t i = 0; i < n; i++)
    for (const char *const *k = names; *k; k++)
      if (!strcasecmp(h[i], *k)) return (int)i;
  return -1;
}

static bool parse_num(const char *s, double lo, double hi, double *v) {
  if (!s || !*s) return false;
  char *end;
  double x = strtod(s, &end);
  while (*end == ' ') end++;
  if (*end || !isfinite(x) || x < lo || x > hi) return false;
  *v = x;
  return true;
}

kpw_result kpw_ports_load_csv(kpw_ports *ps, const char *path, kpw_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open the port list");
  kpw_csv *c = NULL;
  kpw_result r = kpw_csv_open(f, path, ',', &c, err);
  if (r != KPW_OK) { fclose(f); return r; }
  const char **fl; size_t nf;
  r = kpw_csv_next(c, &fl, &nf, err);
  if (r != KPW_OK) {
    kpw_csv_close(c); fclose(f);
    return r == KPW_DONE ? kpw_error_set(err, KPW_EINPUT, path, 1, 0, "empty port list") : r;
  }
  static const char *const N_NAME[] = {"name", "label", "port", "port_name", NULL};
  static const char *const N_LAT[] = {"lat", "latitude", NULL};
  static const char *const N_LON[] = {"lon", "longitude", "lng", NULL};
  static const char *const N_CC[] = {"country", "iso3", "iso2", "country_code", NULL};
  static const char *const N_KIND[] = {"kind", NULL};
  static const char *const N_SRC[] = {"source", NULL};
  int cn = col_of(fl, nf, N_NAME), cla = col_of(fl, nf, N_LAT), clo = col_of(fl, nf, N_LON);
  int ccc = col_of(fl, nf, N_CC), ck = col_of(fl, nf, N_KIND), cs = col_of(fl, nf, N_SRC);
  if (cn < 0 || cla < 0 || clo < 0) {
    kpw_csv_close(c); fclose(f);
    return kpw_error_set(err, KPW_EINPUT, path, 1, 0,
                         "the port list header needs name, lat and lon columns");
  }
  /* zone vertices accumulate until the zone name changes */
  char zname[128] = ""; bool zdprk = false;
  double zla[256], zlo[256]; size_t zn = 0;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  for (;;) {
    r = kpw_csv_next(c, &fl, &nf, err);
    if (r == KPW_DONE) { r = KPW_OK; break; }
    if (r != KPW_OK) break;
    uint64_t line = kpw_csv_line(c);
    if (nf == 1 && fl[0][0] == 0) continue;             /* blank line */
    if (fl[0][0] == '#') continue;                      /* comment rows */
    if ((size_t)cn >= nf || (size_t)cla >= nf || (size_t)clo >= nf) {
      r = kpw_error_set(err, KPW_EINPUT, path, line, 0, "too few fields (%zu)", nf);
      break;
    }
    double lat, lon;
    if (!parse_num(fl[cla], -90, 90, &lat) || !parse_num(fl[clo], -180, 180, &lon)) {
      r = kpw_error_set(err, KPW_EINPUT, path, line, 0, "bad coordinates '%s','%s'", fl[cla], fl[clo]);
      break;
    }
    const char *cc = NULL;
    if (ccc >= 0 && (size_t)ccc < nf && fl[ccc][0]) cc = kpw_country_code(fl[ccc]);
    const char *src = cs >= 0 && (size_t)cs < nf && fl[cs][0] ? fl[cs] : base;
    bool is_zone = ck >= 0 && (size_t)ck < nf && !strcasecmp(fl[ck], "zone");
    if (zn && (!is_zone || strcmp(zname, fl[cn]) != 0)) {
      zone_add(ps, zname, zdprk, kpw_geo_poly_ring(zla, zlo, zn));
      zn = 0;
    }
    if (is_zone) {
      if (zn == 0) {
        snprintf(zname, sizeof zname, "%s", fl[cn]);
        zdprk = cc && !strcmp(cc, "kp");
      }
      if (zn == sizeof zla / sizeof zla[0]) {
        r = kpw_error_set(err, KPW_EINPUT, path, line, 0, "zone '%s' has more than 256 vertices", zname);
        break;
      }
      zla[zn] = lat; zlo[zn] = lon; zn++;
      continue;
    }
    ports_add(ps, fl[cn], lat, lon, cc, src);
  }
  if (r == KPW_OK && zn) zone_add(ps, zname, zdprk, kpw_geo_poly_ring(zla, zlo, zn));
  kpw_csv_close(c);
  fclose(f);
  return r;
}

/* ------------------------------------------------------------ bundle */
double kpw_ais_geo_shore_nm(void *geo, double lat, double lon) {
  const kpw_ais_geo *g = geo;
  return g && g->shore ? kpw_shore_nm(g->shore, lat, lon) : NAN;
}

/* ------------------------------------------------------------ world ports */
const char *kpw_ports_default_path(void) {
  const char *e = getenv("KPW_PORTS");
  if (e && *e) return e;
  static const char *const paths[] = {
    "/usr/lib/node_modules/sea-ports/lib/ports.json",
    "/usr/local/lib/node_modules/sea-ports/lib/ports.json",
    "node_modules/sea-ports/lib/ports.json",
    NULL,
  };
  struct stat st;
  for (const char *const *p = paths; *p; p++)
    if (stat(*p, &st) == 0 && S_ISREG(st.st_mode)) return *p;
  return NULL;
}

kpw_result kpw_ports_load_seaports(kpw_ports *ps, const char *path, kpw_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open the port list: %s", strerror(errno));
  size_t cap = 1 << 20, len = 0, max = (size_t)64 << 20;
  char *buf = kpw_xmalloc(cap);
  for (;;) {
    if (len == cap) {
      if (cap >= max) { fclose(f); free(buf); return kpw_error_set(err, KPW_EINPUT, path, 0, len, "port list larger than 64 MiB"); }
      cap *= 2;
      buf = kpw_xrealloc(buf, cap);
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    if (!got) break;
    len += got;
  }
  fclose(f);
  kpw_arena *a = kpw_arena_new(0);
  kpw_json *j = NULL;
  kpw_result r = kpw_json_parse(buf, len, a, path, 1, &j, err);
  if (!r && j->type != KPW_JSON_OBJECT)
    r = kpw_error_set(err, KPW_EINPUT, path, 1, 0, "not a sea-ports object (UN/LOCODE -> port)");
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  for (size_t i = 0; !r && i < j->len; i++) {
    const kpw_json *p = j->items[i];
    const kpw_json *co = kpw_json_get(p, "coordinates");
    const char *name = kpw_json_get_str(p, "name"), *country = kpw_json_get_str(p, "country");
    if (!co || co->type != KPW_JSON_ARRAY || co->len != 2 || co->items[0]->type != KPW_JSON_NUMBER ||
        co->items[1]->type != KPW_JSON_NUMBER)
      continue;                       /* a few entries have no position */
    double lon = co->items[0]->number, lat = co->items[1]->number;
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) continue;
    const char *cc = country ? kpw_country_code(country) : NULL;
    if (country && (strstr(country, "Korea, North") || strstr(country, "North Korea") ||
                    strstr(country, "Democratic People"))) cc = "kp";
    ports_add(ps, name ? name : j->keys[i], lat, lon, cc, base);
  }
  kpw_arena_free(a);
  free(buf);
  return r;
}

bool kpw_ais_geo_in_foreign_port(void *geo, double lat, double lon) {
  const kpw_ais_geo *g = geo;
  if (!g || !g->ports || !(g->anchorage_km > 0)) return false;
  bool dprk = false;
  if (kpw_ports_zone_at(g->ports, lat, lon, &dprk) && dprk) return false;
  if (g->eez && kpw_geo_poly_contains(g->eez, lat, lon)) return false;
  double km;
  if (kpw_ports_nearest(g->ports, lat, lon, g->anchorage_km, true, &km)) return false;
  return kpw_ports_nearest(g->ports, lat, lon, g->anchorage_km, false, &km) != NULL;
}
