/*
** geo.c -- spherical geometry and the neighbour grid of the maritime
** detectors (see geo.h for the conventions).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kpw/finding.h"
#include "kpw/util.h"
#include "ais/geo.h"

#define DEG (M_PI / 180.0)

double geo_dist_m(double lat1, double lon1, double lat2, double lon2) {
  double p1 = lat1 * DEG, p2 = lat2 * DEG;
  double dp = p2 - p1, dl = geo_dlon(lon1, lon2) * DEG;
  double s1 = sin(dp / 2), s2 = sin(dl / 2);
  double h = s1 * s1 + cos(p1) * cos(p2) * s2 * s2;
  if (h > 1) h = 1;
  return 2 * GEO_EARTH_M * asin(sqrt(h));
}

double geo_bearing_deg(double lat1, double lon1, double lat2, double lon2) {
  double p1 = lat1 * DEG, p2 = lat2 * DEG, dl = geo_dlon(lon1, lon2) * DEG;
  double y = sin(dl) * cos(p2);
  double x = cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl);
  double b = atan2(y, x) / DEG;
  b = fmod(b + 360.0, 360.0);
  return b >= 360.0 ? 0.0 : b;
}

double geo_norm_lon(double lon) {
  if (lon >= -180.0 && lon < 180.0) return lon;
  double r = fmod(lon + 180.0, 360.0);
  if (r < 0) r += 360.0;
  return r - 180.0;
}

double geo_dlon(double lon1, double lon2) { return geo_norm_lon(lon2 - lon1); }

void geo_interp(double lat1, double lon1, double lat2, double lon2, double f,
                double *lat, double *lon) {
  *lat = lat1 + (lat2 - lat1) * f;
  *lon = geo_norm_lon(lon1 + geo_dlon(lon1, lon2) * f);
}

double geo_implied_kn(double lat1, double lon1, double lat2, double lon2, int64_t dt_us) {
  if (dt_us <= 0) return NAN;
  return geo_dist_m(lat1, lon1, lat2, lon2) / GEO_NM_M / ((double)dt_us / 3.6e9);
}

bool geo_valid(double lat, double lon) {
  return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90.0 && fabs(lon) <= 180.0;
}

void geo_mean_add(geo_mean *m, double lat, double lon) {
  m->slat += lat; m->ssin += sin(lon * DEG); m->scos += cos(lon * DEG); m->n++;
}

void geo_mean_get(const geo_mean *m, double *lat, double *lon) {
  if (!m->n) { *lat = *lon = NAN; return; }
  *lat = m->slat / (double)m->n;
  *lon = geo_norm_lon(atan2(m->ssin, m->scos) / DEG);
}

/* ------------------------------------------------------------ grid */
#define POLAR_DEG 85.0

void geo_grid_init(geo_grid *g, double dist_m) {
  /* cells may be wider than the search distance, never narrower: below
  ** 100 m the grid would only grow (40 000+ rows) without pruning more */
  if (!(dist_m > 100.0)) dist_m = 100.0;
  g->dist_m = dist_m;
  /* one degree of latitude is ~111.19 km on the sphere; round the cell up */
  double cd = dist_m / (GEO_EARTH_M * DEG) * 1.0001;
  if (cd > 45.0) cd = 45.0;
  /* whole rows, each at least cd tall */
  g->nrows = (int)floor(180.0 / cd);
  if (g->nrows < 1) g->nrows = 1;
  g->cell_deg = 180.0 / g->nrows;
  g->ncols = kpw_xmalloc(sizeof(int) * (size_t)g->nrows);
  for (int r = 0; r < g->nrows; r++) {
    /* the poleward edge of the row next to this one bounds the narrowest
    ** longitude span a neighbour search from this row meets */
    double lo = -90.0 + r * g->cell_deg, hi = lo + g->cell_deg;
    double pole = fmax(fabs(lo), fabs(hi)) + g->cell_deg;
    int nc = 1;
    if (pole < POLAR_DEG && fabs(lo) < POLAR_DEG && fabs(hi) < POLAR_DEG) {
      double w = dist_m / (GEO_EARTH_M * DEG * cos(pole * DEG)) * 1.0001;   /* degrees */
      nc = (int)floor(360.0 / w);
      if (nc < 1) nc = 1;
    }
    g->ncols[r] = nc;
  }
}

void geo_grid_free(geo_grid *g) { free(g->ncols); g->ncols = NULL; }

static int grid_row(const geo_grid *g, double lat) {
  int r = (int)floor((lat + 90.0) / g->cell_deg);
  return r < 0 ? 0 : r >= g->nrows ? g->nrows - 1 : r;
}

static int grid_col(const geo_grid *g, int row, double lon) {
  int nc = g->ncols[row];
  int c = (int)floor((geo_norm_lon(lon) + 180.0) / 360.0 * nc);
  return c < 0 ? 0 : c >= nc ? nc - 1 : c;
}

uint64_t geo_grid_key(const geo_grid *g, double lat, double lon) {
  int r = grid_row(g, lat);
  return (uint64_t)r << 32 | (uint32_t)grid_col(g, r, lon);
}

int geo_grid_neighbours(const geo_grid *g, double lat, double lon, uint64_t keys[9]) {
  int n = 0, r0 = grid_row(g, lat);
  for (int r = r0 - 1; r <= r0 + 1; r++) {
    if (r < 0 || r >= g->nrows) continue;
    int nc = g->ncols[r], c0 = grid_col(g, r, lon);
    for (int dc = -1; dc <= 1; dc++) {
      int c = ((c0 + dc) % nc + nc) % nc;     /* wrap at +-180 */
      uint64_t k = (uint64_t)r << 32 | (uint32_t)c;
      bool dup = false;
      for (int i = 0; i < n; i++) if (keys[i] == k) { dup = true; break; }
      if (!dup) keys[n++] = k;
    }
  }
  return n;
}

void *geo_vessels_grow(void *v, uint32_t *cap, uint32_t vid, size_t elem, size_t t_off) {
  if (vid < *cap) return v;
  uint32_t nc = *cap ? *cap : 1024;
  while (nc <= vid) nc *= 2;
  uint8_t *p = kpw_xrealloc(v, elem * nc);
  memset(p + elem * *cap, 0, elem * (nc - *cap));
  const int64_t none = KPW_TIME_NONE;
  for (uint32_t i = *cap; i < nc; i++) memcpy(p + elem * i + t_off, &none, sizeof none);
  *cap = nc;
  return p;
}
