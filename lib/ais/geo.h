/*
** geo.h -- internal: spherical geometry for the maritime detectors
** (haversine distance, initial bearing, interpolation that is correct across
** the antimeridian, implied speed) and a lat/lon grid that buckets points in
** cells at least as wide as a search distance, so a neighbour search looks at
** the 3x3 cells around a point (with longitude wrap at +-180).
**
** Sphere of radius 6371 km (as GFW's pipelines); at the distances the
** detectors use (<= 100 km) the error against WGS 84 is < 0.5 %.
*/
#ifndef KPW_AIS_GEO_H
#define KPW_AIS_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEO_EARTH_M 6371000.0
#define GEO_NM_M 1852.0

/* Great-circle distance in metres. */
double geo_dist_m(double lat1, double lon1, double lat2, double lon2);
/* Initial bearing from 1 to 2, degrees [0, 360). */
double geo_bearing_deg(double lat1, double lon1, double lat2, double lon2);
/* Longitude normalised to [-180, 180). */
double geo_norm_lon(double lon);
/* lon2 - lon1 taken the short way round, in [-180, 180). */
double geo_dlon(double lon1, double lon2);
/* Position at fraction f (0..1) from 1 to 2: latitude linear, longitude
** linear along the short way round (so 179.9 -> -179.9 passes through 180,
** not through 0); the result's longitude is normalised. */
void geo_interp(double lat1, double lon1, double lat2, double lon2, double f,
                double *lat, double *lon);
/* Speed in knots implied by moving between two positions in dt_us; NAN when
** dt_us <= 0. */
double geo_implied_kn(double lat1, double lon1, double lat2, double lon2, int64_t dt_us);
/* Whether a position is usable (finite, |lat| <= 90, |lon| <= 180). */
bool geo_valid(double lat, double lon);

/* Grow a detector's per-vessel array (indexed by the driver's dense vessel
** id) so that index vid exists: capacity doubles from 1024; every new
** element is zeroed and its int64_t time field (at t_off) set to
** KPW_TIME_NONE, the "no fix yet" state. Returns the (moved) array. */
void *geo_vessels_grow(void *v, uint32_t *cap, uint32_t vid, size_t elem, size_t t_off);

/* Circular mean accumulator for longitudes (plain mean for latitudes). */
typedef struct geo_mean { double slat, ssin, scos; uint64_t n; } geo_mean;
void geo_mean_add(geo_mean *m, double lat, double lon);
void geo_mean_get(const geo_mean *m, double *lat, double *lon);

/* ------------------------------------------------------------ grid
** Rows of cell_deg degrees of latitude; each row is cut into as many
** longitude columns as fit with every cell at least `dist_m` wide on the
** poleward edge of the row next to it (so a point and any point within dist_m
** are in the same or adjacent rows and columns). Rows poleward of 85 deg are
** one cell each. A cell key is (row << 32 | col). */
typedef struct geo_grid {
  double dist_m, cell_deg;
  int nrows;
  int *ncols;           /* per row */
} geo_grid;
void geo_grid_init(geo_grid *g, double dist_m);
void geo_grid_free(geo_grid *g);
uint64_t geo_grid_key(const geo_grid *g, double lat, double lon);
/* The (up to 9, distinct) keys of the cells that can hold a point within
** dist_m of (lat, lon); returns how many were written to keys[9]. */
int geo_grid_neighbours(const geo_grid *g, double lat, double lon, uint64_t keys[9]);

#endif
