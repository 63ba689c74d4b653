/*
** shore.c -- distance from shore (nautical miles, 0 on land) from a land
** topology: Natural Earth 1:10m land as TopoJSON (npm world-atlas 2.0.2,
** land-10m.json, public domain data, ISC packaging), installed at setup
** time and read from disk; never the network.
**
** Model: every arc of the topology used by a polygon becomes great-circle
** segments between unit vectors. Segments are bucketed in 1-degree cells
** (CSR arrays), each non-empty cell bounded by a spherical cap, and the
** cells grouped in 8-degree super cells with caps of their own; a nearest
** search visits super cells and cells in order of their cap lower bound.
**
** Queries go through a cache grid of 1/16-degree cells. A cell keeps the
** segments within d0 + 2r of its centre (d0 = distance from the centre to
** the coast, r = the cell's half diagonal), sorted by that distance: by the
** triangle inequality the nearest segment to any point of the cell is in
** that list, and the scan stops once a candidate's lower bound passes the
** best found. It also keeps whether its centre is on land (ray parity due
** north); a point is on land iff the centre is, XOR the parity of the
** coast segments crossing the line from the point to the centre (all of
** them are in the list, since they come within r of the centre).
** The cache is bounded (cells and candidate entries); when full it is
** emptied and refilled (queries stay correct, only slower for a while).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kpw/aisgeo.h"

#define EARTH_NM (6371.0 / 1.852)     /* sphere of GFW's pipelines, in nm */
#define CACHE_DIV 16                   /* cache cells per degree */
#define CACHE_COLS (360 * CACHE_DIV)
#define CACHE_SLOTS (1u << 17)
#define CACHE_MAX_CELLS (CACHE_SLOTS / 2)
#define POOL_MAX ((size_t)4 << 20)     /* candidate entries: 32 MiB */
#define SUPER_DEG 8
#define SUPER_COLS (360 / SUPER_DEG)
#define SUPER_ROWS (180 / SUPER_DEG + 1)
#define MAX_POINTS ((size_t)50 << 20)

typedef struct pt { float v[3]; float lat, lon; } pt;
typedef struct seg { uint32_t p0; float n[3]; uint8_t odd; } seg;   /* p0 -> p0+1 */
typedef struct scap_t { double c[3]; double r; } scap_t;
typedef struct cand { uint32_t seg; float d; } cand;
typedef struct cell {
  uint32_t key1;               /* key + 1; 0 = empty slot */
  uint32_t off, n;             /* into pool */
  bool inside;                 /* centre on land */
  double c[3];                 /* centre unit vector */
} cell;

struct kpw_shore {
  pt *pts; size_t npts;
  seg *segs; size_t nsegs;
  uint32_t *bstart;            /* 360*180+1: CSR offsets of 1-degree buckets */
  uint32_t *bsegs;
  scap_t *bcap;                   /* per bucket (r < 0: empty) */
  scap_t scap[SUPER_ROWS * SUPER_COLS];
  uint32_t *sb_start, *sb;     /* per super cell: its non-empty buckets */
  int *supers; size_t nsupers; /* non-empty super cells */
  double *slb;                 /* scratch: lower bound per non-empty super */
  cell *cells; size_t ncells;
  cand *pool; size_t npool, cappool;
};

/* ------------------------------------------------------------ geometry */
static void unitv(double lat, double lon, double v[3]) {
  double la = lat * M_PI / 180, lo = lon * M_PI / 180;
  v[0] = cos(la) * cos(lo); v[1] = cos(la) * sin(lo); v[2] = sin(la);
}
static double dot3(const double a[3], const double b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static void cross3(const double a[3], const double b[3], double o[3]) {
  o[0] = a[1] * b[2] - a[2] * b[1];
  o[1] = a[2] * b[0] - a[0] * b[2];
  o[2] = a[0] * b[1] - a[1] * b[0];
}
/* angle between unit vectors, stable for small angles */
static double ang(const double a[3], const double b[3]) {
  double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  double c = sqrt(dx * dx + dy * dy + dz * dz) / 2;
  return 2 * asin(c > 1 ? 1 : c);
}
static double chord2_to_ang(double c2) {
  double c = sqrt(c2) / 2;
  return 2 * asin(c > 1 ? 1 : c);
}

/* Squared chord from p to the nearest point of segment s. */
static double seg_chord2(const kpw_shore *s, const seg *g, const double p[3]) {
  const float *fa = s->pts[g->p0].v, *fb = s->pts[g->p0 + 1].v;
  double a[3] = {fa[0], fa[1], fa[2]}, b[3] = {fb[0], fb[1], fb[2]};
  double n[3] = {g->n[0], g->n[1], g->n[2]};
  double na[3], bn[3];
  cross3(n, a, na);
  cross3(b, n, bn);
  if (dot3(p, na) >= 0 && dot3(p, bn) >= 0 && (n[0] != 0 || n[1] != 0 || n[2] != 0)) {
    double pn = dot3(p, n);
    double c = 1 - pn * pn;
    return 2 - 2 * sqrt(c > 0 ? c : 0);
  }
  double da = (p[0] - a[0]) * (p[0] - a[0]) + (p[1] - a[1]) * (p[1] - a[1]) + (p[2] - a[2]) * (p[2] - a[2]);
  double db = (p[0] - b[0]) * (p[0] - b[0]) + (p[1] - b[1]) * (p[1] - b[1]) + (p[2] - b[2]) * (p[2] - b[2]);
  return da < db ? da : db;
}

static double seg_ang(const kpw_shore *s, uint32_t i, const double p[3]) {
  return chord2_to_ang(seg_chord2(s, &s->segs[i], p));
}

/* ------------------------------------------------------------ TopoJSON reader
** A purpose-built reader: a DOM of 400k positions would cost ~100 MB. It
** keeps "arcs" (raw numbers), "transform" and the arc references found under
** "objects"; everything else is skipped. Depth is bounded. */
typedef struct tj {
  const char *s; size_t n, i;
  const char *src; kpw_error *err;
  double *raw; size_t nraw, capraw;          /* x,y pairs */
  size_t *arc_off; size_t narcs, caparcs;    /* start pair per arc (+ end sentinel) */
  int64_t *refs; size_t nrefs, caprefs;
  bool has_tf; double sx, sy, tx, ty;
  bool failed;
} tj;

static kpw_result tj_fail(tj *p, const char *what) {
  if (!p->failed) {
    kpw_error_set(p->err, KPW_EINPUT, p->src, 0, p->i, "TopoJSON: %s", what);
    if (p->err) kpw_error_excerpt(p->err, p->s + p->i, p->n - p->i < 24 ? p->n - p->i : 24);
  }
  p->failed = true;
  return KPW_EINPUT;
}
static void tj_ws(tj *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\n' || p->s[p->i] == '\r' || p->s[p->i] == '\t')) p->i++;
}
static bool tj_eat(tj *p, char c) {
  tj_ws(p);
  if (p->i < p->n && p->s[p->i] == c) { p->i++; return true; }
  return false;
}
static kpw_result tj_string(tj *p, char *out, size_t cap) {
  tj_ws(p);
  if (p->i >= p->n || p->s[p->i] != '"') return tj_fail(p, "expected a string");
  p->i++;
  size_t k = 0;
  while (p->i < p->n && p->s[p->i] != '"') {
    char c = p->s[p->i++];
    if (c == '\\') { if (p->i >= p->n) break; c = p->s[p->i++]; }
    if (out && k + 1 < cap) out[k++] = c;
  }
  if (p->i >= p->n) return tj_fail(p, "unterminated string");
  p->i++;
  if (out) out[k] = 0;
  return KPW_OK;
}
static kpw_result tj_number(tj *p, double *v) {
  tj_ws(p);
  const char *b = p->s + p->i;
  char *end;
  if (p->i >= p->n || !(*b == '-' || (*b >= '0' && *b <= '9'))) return tj_fail(p, "expected a number");
  *v = strtod(b, &end);           /* the buffer is NUL-terminated */
  if (end == b || !isfinite(*v)) return tj_fail(p, "bad number");
  p->i += (size_t)(end - b);
  return KPW_OK;
}
static kpw_result tj_skip(tj *p, int depth) {
  if (depth > 64) return tj_fail(p, "nesting deeper than 64");
  tj_ws(p);
  if (p->i >= p->n) return tj_fail(p, "unexpected end");
  char c = p->s[p->i];
  if (c == '"') return tj_string(p, NULL, 0);
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    p->i++;
    if (tj_eat(p, close)) return KPW_OK;
    for (;;) {
      if (c == '{') {
        if (tj_string(p, NULL, 0) || !tj_eat(p, ':')) return tj_fail(p, "expected a member");
      }
      if (tj_skip(p, depth + 1)) return KPW_EINPUT;
      if (tj_eat(p, ',')) continue;
      if (tj_eat(p, close)) return KPW_OK;
      return tj_fail(p, "expected ',' or a closing bracket");
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) { double v; return tj_number(p, &v); }
  static const char *const words[] = {"true", "false", "null"};
  for (int k = 0; k < 3; k++) {
    size_t l = strlen(words[k]);
    if (p->n - p->i >= l && !memcmp(p->s + p->i, words[k], l)) { p->i += l; return KPW_OK; }
  }
  return tj_fail(p, "unexpected character");
}

/* Under "objects": collect every integer below an "arcs" member. */
static kpw_result tj_refs(tj *p, int depth, bool in_arcs) {
  if (depth > 64) return tj_fail(p, "nesting deeper than 64");
  tj_ws(p);
  if (p->i >= p->n) return tj_fail(p, "unexpected end");
  char c = p->s[p->i];
  if (c == '{') {
    p->i++;
    if (tj_eat(p, '}')) return KPW_OK;
    for (;;) {
      char key[32];
      if (tj_string(p, key, sizeof key) || !tj_eat(p, ':')) return tj_fail(p, "expected a member");
      if (tj_refs(p, depth + 1, in_arcs || !strcmp(key, "arcs"))) return KPW_EINPUT;
      if (tj_eat(p, ',')) continue;
      if (tj_eat(p, '}')) return KPW_OK;
      return tj_fail(p, "expected ',' or '}'");
    }
  }
  if (c == '[') {
    p->i++;
    if (tj_eat(p, ']')) return KPW_OK;
    for (;;) {
      if (tj_refs(p, depth + 1, in_arcs)) return KPW_EINPUT;
      if (tj_eat(p, ',')) continue;
      if (tj_eat(p, ']')) return KPW_OK;
      return tj_fail(p, "expected ',' or ']'");
    }
  }
  if (in_arcs && (c == '-' || (c >= '0' && c <= '9'))) {
    double v;
    if (tj_number(p, &v)) return KPW_EINPUT;
    if (v != floor(v) || fabs(v) > 1e9) return tj_fail(p, "an arc reference is not an integer");
    if (p->nrefs == p->caprefs) {
      p->caprefs = p->caprefs ? p->caprefs * 2 : 1024;
      p->refs = kpw_xrealloc(p->refs, p->caprefs * sizeof *p->refs);
    }
    p->refs[p->nrefs++] = (int64_t)v;
    return KPW_OK;
  }
  return tj_skip(p, depth);
}

static kpw_result tj_arcs(tj *p) {
  if (!tj_eat(p, '[')) return tj_fail(p, "\"arcs\" is not an array");
  if (tj_eat(p, ']')) goto done;
  for (;;) {
    if (!tj_eat(p, '[')) return tj_fail(p, "an arc is not an array");
    if (p->narcs + 2 > p->caparcs) {
      p->caparcs = p->caparcs ? p->caparcs * 2 : 1024;
      p->arc_off = kpw_xrealloc(p->arc_off, p->caparcs * sizeof *p->arc_off);
    }
    p->arc_off[p->narcs++] = p->nraw / 2;
    if (!tj_eat(p, ']')) {
      for (;;) {
        double x, y;
        if (!tj_eat(p, '[') || tj_number(p, &x) || !tj_eat(p, ',') || tj_number(p, &y))
          return tj_fail(p, "a position is not [x, y]");
        while (tj_eat(p, ',')) { double z; if (tj_number(p, &z)) return KPW_EINPUT; }
        if (!tj_eat(p, ']')) return tj_fail(p, "a position is not [x, y]");
        if (p->nraw / 2 >= MAX_POINTS) return tj_fail(p, "more than 50 M positions");
        if (p->nraw + 2 > p->capraw) {
          p->capraw = p->capraw ? p->capraw * 2 : 1 << 16;
          p->raw = kpw_xrealloc(p->raw, p->capraw * sizeof *p->raw);
        }
        p->raw[p->nraw++] = x; p->raw[p->nraw++] = y;
        if (tj_eat(p, ',')) continue;
        if (tj_eat(p, ']')) break;
        return tj_fail(p, "expected ',' or ']' in an arc");
      }
    }
    if (tj_eat(p, ',')) continue;
    if (tj_eat(p, ']')) break;
    return tj_fail(p, "expected ',' or ']' between arcs");
  }
done:
  if (!p->arc_off) p->arc_off = kpw_xmalloc(sizeof *p->arc_off);
  p->arc_off[p->narcs] = p->nraw / 2;
  return KPW_OK;
}

static kpw_result tj_pair(tj *p, double *a, double *b) {
  if (!tj_eat(p, '[') || tj_number(p, a) || !tj_eat(p, ',') || tj_number(p, b) || !tj_eat(p, ']'))
    return tj_fail(p, "expected [a, b] in \"transform\"");
  return KPW_OK;
}

static kpw_result tj_transform(tj *p) {
  if (!tj_eat(p, '{')) return tj_fail(p, "\"transform\" is not an object");
  bool sc = false, tr = false;
  if (!tj_eat(p, '}')) {
    for (;;) {
      char key[32];
      if (tj_string(p, key, sizeof key) || !tj_eat(p, ':')) return tj_fail(p, "expected a member");
      if (!strcmp(key, "scale")) { if (tj_pair(p, &p->sx, &p->sy)) return KPW_EINPUT; sc = true; }
      else if (!strcmp(key, "translate")) { if (tj_pair(p, &p->tx, &p->ty)) return KPW_EINPUT; tr = true; }
      else if (tj_skip(p, 2)) return KPW_EINPUT;
      if (tj_eat(p, ',')) continue;
      if (tj_eat(p, '}')) break;
      return tj_fail(p, "expected ',' or '}'");
    }
  }
  if (!sc || !tr) return tj_fail(p, "\"transform\" needs scale and translate");
  p->has_tf = true;
  return KPW_OK;
}

static kpw_result tj_root(tj *p) {
  if (!tj_eat(p, '{')) return tj_fail(p, "not a JSON object");
  bool topo = false, arcs = false;
  if (!tj_eat(p, '}')) {
    for (;;) {
      char key[32], val[32];
      if (tj_string(p, key, sizeof key) || !tj_eat(p, ':')) return tj_fail(p, "expected a member");
      if (!strcmp(key, "type")) {
        tj_ws(p);
        if (p->i < p->n && p->s[p->i] == '"') {
          if (tj_string(p, val, sizeof val)) return KPW_EINPUT;
          topo = !strcmp(val, "Topology");
        } else if (tj_skip(p, 1)) return KPW_EINPUT;
      } else if (!strcmp(key, "arcs")) {
        if (tj_arcs(p)) return KPW_EINPUT;
        arcs = true;
      } else if (!strcmp(key, "transform")) {
        if (tj_transform(p)) return KPW_EINPUT;
      } else if (!strcmp(key, "objects")) {
        if (tj_refs(p, 1, false)) return KPW_EINPUT;
      } else if (tj_skip(p, 1)) return KPW_EINPUT;
      if (tj_eat(p, ',')) continue;
      if (tj_eat(p, '}')) break;
      return tj_fail(p, "expected ',' or '}'");
    }
  }
  tj_ws(p);
  if (p->i != p->n) return tj_fail(p, "trailing data after the topology");
  if (!topo) return tj_fail(p, "not a TopoJSON Topology (\"type\":\"Topology\" missing)");
  if (!arcs) return tj_fail(p, "no \"arcs\"");
  return KPW_OK;
}

/* ------------------------------------------------------------ build */
static int bucket_of(double lat, double lon) {
  int r = (int)floor(lat + 90), c = (int)floor(lon + 180);
  if (r < 0) r = 0;
  if (r > 179) r = 179;
  if (c < 0) c = 0;
  if (c > 359) c = 359;
  return r * 360 + c;
}

static void cap_from_points(scap_t *k, const double (*v)[3], size_t n) {
  double c[3] = {0, 0, 0};
  for (size_t i = 0; i < n; i++) { c[0] += v[i][0]; c[1] += v[i][1]; c[2] += v[i][2]; }
  double l = sqrt(dot3(c, c));
  if (l < 1e-12) { k->c[0] = 1; k->c[1] = k->c[2] = 0; k->r = M_PI; return; }
  for (int j = 0; j < 3; j++) k->c[j] = c[j] / l;
  k->r = 0;
  for (size_t i = 0; i < n; i++) { double a = ang(k->c, v[i]); if (a > k->r) k->r = a; }
  k->r += 1e-7;    /* float rounding of the stored vertices */
}

static kpw_result shore_build(kpw_shore *s, tj *p, kpw_error *err) {
  uint8_t *use = kpw_xcalloc(p->narcs ? p->narcs : 1, 1);
  for (size_t i = 0; i < p->nrefs; i++) {
    int64_t r = p->refs[i];
    uint64_t a = r < 0 ? (uint64_t)~r : (uint64_t)r;
    if (a >= p->narcs) {
      free(use);
      return kpw_error_set(err, KPW_EINPUT, p->src, 0, 0, "TopoJSON: arc reference %lld out of range (%zu arcs)",
                           (long long)r, p->narcs);
    }
    use[a] = (uint8_t)((use[a] | 1) ^ 2);     /* bit 0: used; bit 1: used an odd number of times */
  }
  s->pts = kpw_xmalloc((p->nraw / 2 + 1) * sizeof *s->pts);
  s->segs = kpw_xmalloc((p->nraw / 2 + 1) * sizeof *s->segs);
  for (size_t a = 0; a < p->narcs; a++) {
    if (!use[a]) continue;
    double x = 0, y = 0;
    size_t first = s->npts;
    for (size_t k = p->arc_off[a]; k < p->arc_off[a + 1]; k++) {
      double lon, lat;
      if (p->has_tf) {
        if (k == p->arc_off[a]) { x = p->raw[2 * k]; y = p->raw[2 * k + 1]; }
        else { x += p->raw[2 * k]; y += p->raw[2 * k + 1]; }
        lon = x * p->sx + p->tx; lat = y * p->sy + p->ty;
      } else {
        lon = p->raw[2 * k]; lat = p->raw[2 * k + 1];
      }
      if (!(fabs(lat) <= 90.000001) || !(fabs(lon) <= 180.000001)) {
        free(use);
        return kpw_error_set(err, KPW_EINPUT, p->src, 0, 0,
                             "TopoJSON: arc %zu has a position out of range (%g, %g)", a, lon, lat);
      }
      if (lat > 90) lat = 90;
      if (lat < -90) lat = -90;
      if (lon > 180) lon = 180;
      if (lon < -180) lon = -180;
      double v[3];
      unitv(lat, lon, v);
      pt *q = &s->pts[s->npts];
      q->v[0] = (float)v[0]; q->v[1] = (float)v[1]; q->v[2] = (float)v[2];
      q->lat = (float)lat; q->lon = (float)lon;
      if (s->npts > first) {
        pt *o = &s->pts[s->npts - 1];
        if (o->lat == q->lat && o->lon == q->lon) continue;        /* repeated vertex */
        if (fabs((double)o->lon - lon) <= 180) {                    /* never across +-180 */
          double av[3] = {o->v[0], o->v[1], o->v[2]}, bv[3] = {q->v[0], q->v[1], q->v[2]}, n[3];
          cross3(av, bv, n);
          double l = sqrt(dot3(n, n));
          seg *g = &s->segs[s->nsegs++];
          g->p0 = (uint32_t)(s->npts - 1);
          for (int j = 0; j < 3; j++) g->n[j] = l > 1e-15 ? (float)(n[j] / l) : 0.0f;
          g->odd = (use[a] >> 1) & 1;
        }
      }
      s->npts++;
    }
    /* the next arc starts a new run: the last point of this one is not
    ** joined to the first of the next because segments are only made
    ** within the loop above */
  }
  free(use);
  /* a segment joins p0 and p0+1 only within one arc: runs are contiguous
  ** because every arc appends its points right after the previous arc's */

  /* 1-degree buckets (CSR) */
  size_t nb = 360 * 180;
  s->bstart = kpw_xcalloc(nb + 1, sizeof *s->bstart);
  for (int pass = 0; pass < 2; pass++) {
    uint32_t *fill = pass ? kpw_xcalloc(nb, sizeof *fill) : NULL;
    for (size_t i = 0; i < s->nsegs; i++) {
      const pt *a = &s->pts[s->segs[i].p0], *b = a + 1;
      double la0 = fmin(a->lat, b->lat), la1 = fmax(a->lat, b->lat);
      double lo0 = fmin(a->lon, b->lon), lo1 = fmax(a->lon, b->lon);
      int r0 = bucket_of(la0, 0) / 360, r1 = bucket_of(la1, 0) / 360;
      int c0 = bucket_of(0, lo0) % 360, c1 = bucket_of(0, lo1) % 360;
      for (int r = r0; r <= r1; r++)
        for (int c = c0; c <= c1; c++) {
          size_t b2 = (size_t)r * 360 + (size_t)c;
          if (!pass) s->bstart[b2 + 1]++;
          else s->bsegs[s->bstart[b2] + fill[b2]++] = (uint32_t)i;
        }
    }
    if (!pass) {
      for (size_t b2 = 0; b2 < nb; b2++) s->bstart[b2 + 1] += s->bstart[b2];
      s->bsegs = kpw_xmalloc((s->bstart[nb] + 1) * sizeof *s->bsegs);
    }
    free(fill);
  }
  /* caps per bucket, then per super cell */
  s->bcap = kpw_xmalloc(nb * sizeof *s->bcap);
  size_t scratch_cap = 1024;
  double (*vs)[3] = kpw_xmalloc(scratch_cap * sizeof *vs);
  for (size_t b2 = 0; b2 < nb; b2++) {
    size_t n = s->bstart[b2 + 1] - s->bstart[b2];
    if (!n) { s->bcap[b2].r = -1; continue; }
    if (2 * n > scratch_cap) { scratch_cap = 2 * n; vs = kpw_xrealloc(vs, scratch_cap * sizeof *vs); }
    for (size_t k = 0; k < n; k++) {
      const pt *a = &s->pts[s->segs[s->bsegs[s->bstart[b2] + k]].p0];
      for (int e = 0; e < 2; e++)
        for (int j = 0; j < 3; j++) vs[2 * k + e][j] = a[e].v[j];
    }
    cap_from_points(&s->bcap[b2], (const double (*)[3])vs, 2 * n);
  }
  size_t ns = SUPER_ROWS * SUPER_COLS;
  s->sb_start = kpw_xcalloc(ns + 1, sizeof *s->sb_start);
  s->sb = kpw_xmalloc((nb + 1) * sizeof *s->sb);
  s->supers = kpw_xmalloc(ns * sizeof *s->supers);
  for (size_t sc = 0; sc < ns; sc++) {
    int sr = (int)(sc / SUPER_COLS), scol = (int)(sc % SUPER_COLS);
    size_t first = s->sb_start[sc];
    size_t k = first;
    for (int r = sr * SUPER_DEG; r < (sr + 1) * SUPER_DEG && r < 180; r++)
      for (int c = scol * SUPER_DEG; c < (scol + 1) * SUPER_DEG; c++) {
        size_t b2 = (size_t)r * 360 + (size_t)c;
        if (s->bcap[b2].r >= 0) s->sb[k++] = (uint32_t)b2;
      }
    s->sb_start[sc + 1] = (uint32_t)k;
    if (k == first) { s->scap[sc].r = -1; continue; }
    double c3[3] = {0, 0, 0};
    for (size_t i = first; i < k; i++) for (int j = 0; j < 3; j++) c3[j] += s->bcap[s->sb[i]].c[j];
    double l = sqrt(dot3(c3, c3));
    scap_t *sp = &s->scap[sc];
    if (l < 1e-12) { sp->c[0] = 1; sp->c[1] = sp->c[2] = 0; sp->r = M_PI; }
    else {
      for (int j = 0; j < 3; j++) sp->c[j] = c3[j] / l;
      sp->r = 0;
      for (size_t i = first; i < k; i++) {
        double a = ang(sp->c, s->bcap[s->sb[i]].c) + s->bcap[s->sb[i]].r;
        if (a > sp->r) sp->r = a;
      }
    }
    s->supers[s->nsupers++] = (int)sc;
  }
  free(vs);
  s->slb = kpw_xmalloc((s->nsupers + 1) * sizeof *s->slb);
  s->cells = kpw_xcalloc(CACHE_SLOTS, sizeof *s->cells);
  s->cappool = 1 << 16;
  s->pool = kpw_xmalloc(s->cappool * sizeof *s->pool);
  if (s->nsegs == 0)
    return kpw_error_set(err, KPW_EINPUT, p->src, 0, 0, "TopoJSON: no coastline segments (no arc is used by a polygon)");
  return KPW_OK;
}

const char *kpw_shore_default_path(void) {
  const char *e = getenv("KPW_SHORE");
  if (e && *e) return e;
  static const char *const paths[] = {
    "/usr/lib/node_modules/world-atlas/land-10m.json",
    "/usr/local/lib/node_modules/world-atlas/land-10m.json",
    "node_modules/world-atlas/land-10m.json",
    NULL,
  };
  struct stat st;
  for (const char *const *p = paths; *p; p++)
    if (stat(*p, &st) == 0 && S_ISREG(st.st_mode)) return *p;
  return NULL;
}

kpw_result kpw_shore_load(const char *path, kpw_shore **out, kpw_error *err) {
  *out = NULL;
  if (!path) path = kpw_shore_default_path();
  if (!path)
    return kpw_error_set(err, KPW_ENOTFOUND, "shore", 0, 0,
                         "no coastline data: install the npm package world-atlas (scripts/setup.sh) or set KPW_SHORE");
  kpw_input *in = NULL;
  kpw_result r = kpw_input_open(path, &in, err);
  if (r != KPW_OK) return r;
  size_t cap = 1 << 20, len = 0, max = (size_t)512 << 20;
  char *buf = kpw_xmalloc(cap + 1);
  for (;;) {
    if (len == cap) {
      if (cap >= max) {
        kpw_input_close(in); free(buf);
        return kpw_error_set(err, KPW_EINPUT, path, 0, len, "coastline file larger than 512 MiB");
      }
      cap *= 2;
      buf = kpw_xrealloc(buf, cap + 1);
    }
    size_t got = 0;
    r = kpw_input_read(in, buf + len, cap - len, &got, err);
    if (r != KPW_OK) { kpw_input_close(in); free(buf); return r; }
    if (!got) break;
    len += got;
  }
  kpw_input_close(in);
  buf[len] = 0;
  tj p = {.s = buf, .n = len, .src = path, .err = err};
  r = tj_root(&p);
  kpw_shore *s = kpw_xcalloc(1, sizeof *s);
  if (r == KPW_OK) r = shore_build(s, &p, err);
  free(buf); free(p.raw); free(p.arc_off); free(p.refs);
  if (r != KPW_OK) { kpw_shore_free(s); return r; }
  *out = s;
  return KPW_OK;
}

void kpw_shore_free(kpw_shore *s) {
  if (!s) return;
  free(s->pts); free(s->segs); free(s->bstart); free(s->bsegs); free(s->bcap);
  free(s->sb_start); free(s->sb); free(s->supers); free(s->slb);
  free(s->cells); free(s->pool);
  free(s);
}

size_t kpw_shore_segments(const kpw_shore *s) { return s ? s->nsegs : 0; }

/* ------------------------------------------------------------ search */
/* Nearest angle from p to the coast; visits super cells by lower bound. */
static double nearest(kpw_shore *s, const double p[3]) {
  double best = M_PI;
  for (size_t i = 0; i < s->nsupers; i++) {
    const scap_t *k = &s->scap[s->supers[i]];
    s->slb[i] = ang(p, k->c) - k->r;
  }
  for (;;) {
    size_t bi = SIZE_MAX; double lb = INFINITY;
    for (size_t i = 0; i < s->nsupers; i++) if (s->slb[i] < lb) { lb = s->slb[i]; bi = i; }
    if (bi == SIZE_MAX || lb >= best) break;
    s->slb[bi] = INFINITY;
    int sc = s->supers[bi];
    for (uint32_t j = s->sb_start[sc]; j < s->sb_start[sc + 1]; j++) {
      uint32_t b = s->sb[j];
      if (ang(p, s->bcap[b].c) - s->bcap[b].r >= best) continue;
      for (uint32_t k = s->bstart[b]; k < s->bstart[b + 1]; k++) {
        double d = seg_ang(s, s->bsegs[k], p);
        if (d < best) best = d;
      }
    }
  }
  return best;
}

static int cand_cmp(const void *a, const void *b) {
  const cand *x = a, *y = b;
  if (x->d != y->d) return x->d < y->d ? -1 : 1;
  return (x->seg > y->seg) - (x->seg < y->seg);
}

static void pool_push(kpw_shore *s, uint32_t seg_i, double d) {
  if (s->npool == s->cappool) {
    s->cappool *= 2;
    s->pool = kpw_xrealloc(s->pool, s->cappool * sizeof *s->pool);
  }
  s->pool[s->npool++] = (cand){seg_i, (float)d};
}

/* Whether (lat, lon) is on land: parity of coast crossings due north, each
** crossing counted in the bucket row that holds its latitude. */
static bool ray_inside(const kpw_shore *s, double lat, double lon) {
  int b0 = bucket_of(lat, lon);
  int row0 = b0 / 360, col = b0 % 360;
  bool in = false;
  for (int r = row0; r < 180; r++) {
    size_t b = (size_t)r * 360 + (size_t)col;
    double ylo = r - 90, yhi = r == 179 ? 91 : r - 89;
    for (uint32_t k = s->bstart[b]; k < s->bstart[b + 1]; k++) {
      const seg *g = &s->segs[s->bsegs[k]];
      if (!(g->odd)) continue;
      const pt *a = &s->pts[g->p0], *c = a + 1;
      double x1 = a->lon, y1 = a->lat, x2 = c->lon, y2 = c->lat;
      if ((x1 > lon) == (x2 > lon)) continue;
      double y = y1 + (lon - x1) * (y2 - y1) / (x2 - x1);
      if (y <= lat || y < ylo || y >= yhi) continue;
      in = !in;
    }
  }
  return in;
}

static void cache_flush(kpw_shore *s) {
  memset(s->cells, 0, CACHE_SLOTS * sizeof *s->cells);
  s->ncells = 0;
  s->npool = 0;
}

static const cell *cell_get(kpw_shore *s, int row, int col) {
  uint32_t key = (uint32_t)row * CACHE_COLS + (uint32_t)col;
  uint32_t h = (key * 2654435761u) & (CACHE_SLOTS - 1);
  while (s->cells[h].key1) {
    if (s->cells[h].key1 == key + 1) return &s->cells[h];
    h = (h + 1) & (CACHE_SLOTS - 1);
  }
  if (s->ncells >= CACHE_MAX_CELLS || s->npool >= POOL_MAX) {
    cache_flush(s);
    h = (key * 2654435761u) & (CACHE_SLOTS - 1);
  }
  cell *c = &s->cells[h];
  s->ncells++;
  c->key1 = key + 1;
  double lat0 = -90 + (double)row / CACHE_DIV, lon0 = -180 + (double)col / CACHE_DIV;
  double latc = lat0 + 0.5 / CACHE_DIV, lonc = lon0 + 0.5 / CACHE_DIV;
  unitv(latc, lonc, c->c);
  double r = 0;
  for (int i = 0; i < 2; i++) {
    double v[3];
    unitv(lat0 + i * (1.0 / CACHE_DIV), lon0, v);
    double a = ang(c->c, v);
    if (a > r) r = a;
  }
  r += 1e-9;
  double d0 = nearest(s, c->c);
  double bound = d0 + 2 * r + 1e-7;
  c->off = (uint32_t)s->npool;
  for (size_t i = 0; i < s->nsupers; i++) {
    int sc = s->supers[i];
    if (ang(c->c, s->scap[sc].c) - s->scap[sc].r > bound) continue;
    for (uint32_t j = s->sb_start[sc]; j < s->sb_start[sc + 1]; j++) {
      uint32_t b = s->sb[j];
      if (ang(c->c, s->bcap[b].c) - s->bcap[b].r > bound) continue;
      for (uint32_t k = s->bstart[b]; k < s->bstart[b + 1]; k++) {
        uint32_t gi = s->bsegs[k];
        double d = seg_ang(s, gi, c->c);
        if (d <= bound) pool_push(s, gi, d);
      }
    }
  }
  c->n = (uint32_t)(s->npool - c->off);
  /* a segment spanning two buckets was pushed twice: sort, then drop repeats */
  qsort(s->pool + c->off, c->n, sizeof *s->pool, cand_cmp);
  uint32_t w = 0;
  for (uint32_t i = 0; i < c->n; i++) {
    cand *q = &s->pool[c->off + i];
    /* sorted by (d, seg): the copies of one segment are adjacent */
    if (w && s->pool[c->off + w - 1].seg == q->seg && s->pool[c->off + w - 1].d == q->d) continue;
    s->pool[c->off + w++] = *q;
  }
  c->n = w;
  s->npool = c->off + w;
  c->inside = ray_inside(s, latc, lonc);
  return c;
}

/* Whether planar segments p1-p2 and q1-q2 (lon, lat) properly cross. */
static double orient(double ax, double ay, double bx, double by, double cx, double cy) {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}
static bool crosses(double p1x, double p1y, double p2x, double p2y,
                    double q1x, double q1y, double q2x, double q2y) {
  double d1 = orient(q1x, q1y, q2x, q2y, p1x, p1y), d2 = orient(q1x, q1y, q2x, q2y, p2x, p2y);
  double d3 = orient(p1x, p1y, p2x, p2y, q1x, q1y), d4 = orient(p1x, p1y, p2x, p2y, q2x, q2y);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0));
}

static bool lookup(kpw_shore *s, double lat, double lon, double *nm, bool *land) {
  if (!s || !isfinite(lat) || !isfinite(lon) || fabs(lat) > 90 || fabs(lon) > 180) return false;
  if (lon >= 180) lon -= 360;
  int row = (int)floor((lat + 90) * CACHE_DIV), col = (int)floor((lon + 180) * CACHE_DIV);
  if (row >= 180 * CACHE_DIV) row = 180 * CACHE_DIV - 1;
  if (row < 0) row = 0;
  if (col >= CACHE_COLS) col = CACHE_COLS - 1;
  if (col < 0) col = 0;
  const cell *c = cell_get(s, row, col);
  double p[3];
  unitv(lat, lon, p);
  double rpc = ang(p, c->c);
  /* land: the centre's state, flipped by each coast segment crossing p-centre */
  double lonc = -180 + (col + 0.5) / CACHE_DIV, latc = -90 + (row + 0.5) / CACHE_DIV;
  bool in = c->inside;
  const cand *cs = s->pool + c->off;
  for (uint32_t i = 0; i < c->n && cs[i].d <= rpc * 1.01 + 1e-6; i++) {
    const seg *g = &s->segs[cs[i].seg];
    if (!g->odd) continue;
    const pt *a = &s->pts[g->p0], *b = a + 1;
    if (crosses(lon, lat, lonc, latc, a->lon, a->lat, b->lon, b->lat)) in = !in;
  }
  *land = in;
  if (in) { *nm = 0; return true; }
  double best2 = 4, best = M_PI;
  for (uint32_t i = 0; i < c->n; i++) {
    if ((double)cs[i].d - rpc - 1e-7 >= best) break;
    double d2 = seg_chord2(s, &s->segs[cs[i].seg], p);
    if (d2 < best2) { best2 = d2; best = chord2_to_ang(d2); }
  }
  *nm = best * EARTH_NM;
  return true;
}

double kpw_shore_nm(kpw_shore *s, double lat, double lon) {
  double nm; bool land;
  return lookup(s, lat, lon, &nm, &land) ? nm : NAN;
}

bool kpw_shore_on_land(kpw_shore *s, double lat, double lon) {
  double nm; bool land;
  return lookup(s, lat, lon, &nm, &land) && land;
}
