/*
** gfw.h -- Global Fishing Watch compatible encounters: a re-implementation
** in C of the raw-encounter stage of GlobalFishingWatch/pipe-encounters
** (Resample -> ComputeAdjacency -> ComputeEncounters), written to give the
** same records as GFW to 1e-6, flaws included (docs/cmd-ais-encounters.md):
** runs are directional, nothing crosses UTC midnight, longitude is
** interpolated linearly across +-180.  lib/ais/gfw.c.
**
** Usage: kpw_gfw_new, kpw_gfw_add every fix (any order), kpw_gfw_run once.
** Memory: every fix is buffered (GFW groups a whole UTC day before it
** resamples); params.max_fixes caps it (KPW_ENOMEM beyond).
*/
#ifndef KPW_GFW_H
#define KPW_GFW_H

#include "kpw/kpw.h"
#include "kpw/ais.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kpw_gfw_params {
  double resample_s;       /* grid step, aligned to midnight (GFW: 600) */
  double max_gap_s;        /* interpolate only across gaps < this (GFW: 3600) */
  double search_km;        /* ComputeAdjacency radius (GFW prod: = max_dist_km) */
  double max_dist_km;      /* ComputeEncounters distance (GFW prod: 0.5) */
  double min_duration_s;   /* shortest raw encounter (GFW raw run: 3600) */
  int max_neighbours;      /* ComputeAdjacency max_tracked_distances (100) */
  bool extrapolate;        /* Resample(extrapolate=) -- GFW prod true, tests false */
  uint64_t max_fixes;      /* memory cap on buffered fixes */
} kpw_gfw_params;

/* GFW's test parameters for the expected records: 600 s, 4200 s, 1.0 km,
** 0.5 km, 1800 s, 100, no extrapolation, 20 M fixes. */
void kpw_gfw_params_default(kpw_gfw_params *p);

/* One raw encounter, keys as GFW's RawEncounter. Times in UTC seconds. */
typedef struct kpw_gfw_encounter {
  const char *vessel_1_seg_id, *vessel_2_seg_id;
  double start_time, end_time;
  double mean_latitude, mean_longitude;
  double median_distance_km, median_speed_knots;
  int64_t vessel_1_point_count, vessel_2_point_count;
  double start_lat, start_lon, end_lat, end_lon;
} kpw_gfw_encounter;

typedef struct kpw_gfw kpw_gfw;
typedef void (*kpw_gfw_emit_fn)(void *ctx, const kpw_gfw_encounter *e);

/* NULL on a bad parameter (err filled, KPW_EUSAGE). */
kpw_gfw *kpw_gfw_new(const kpw_gfw_params *p, kpw_error *err);
/* Buffer a fix. Fixes without a position (NAN lat/lon) are counted in
** *skipped and ignored. The vessel key is fix->vessel_id (mmsi if empty). */
kpw_result kpw_gfw_add(kpw_gfw *g, const kpw_ais_fix *fix, kpw_error *err);
/* Compute every raw encounter, day by day, vessel by vessel (ids in byte
** order); emit is called once per encounter, in GFW's run-closing order. */
kpw_result kpw_gfw_run(kpw_gfw *g, kpw_gfw_emit_fn emit, void *ctx, kpw_error *err);
/* Counters after run: fixes kept, fixes skipped, grid points. */
void kpw_gfw_counts(const kpw_gfw *g, uint64_t *fixes, uint64_t *skipped, uint64_t *points);
void kpw_gfw_free(kpw_gfw *g);

/* GFW's MergeEncounters: raw encounters keyed by the ordered id pair (each
** id is its own vessel: no seg_id -> vessel_id table here), sorted by
** (start, end, id1, id2), merged while the next starts less than
** min_gap_s after the latest end so far. Fields as kpw_gfw_encounter with
** vessel_1/2 = the ordered pair (seg-id lists are then [vessel_1], [vessel_2]);
** means are duration-weighted, medians are medians of the medians. */
typedef void (*kpw_gfw_merged_fn)(void *ctx, const kpw_gfw_encounter *merged);
void kpw_gfw_merge(const kpw_gfw_encounter *raw, size_t n, double min_gap_s,
                   kpw_gfw_merged_fn emit, void *ctx);

/* ---- exposed for unit tests: GFW's Resample.resample_records on one
** vessel-day of records already sorted and de-duplicated by time (course in
** the unit GFW's Record holds: degrees, converted with radians()). */
typedef struct kpw_gfw_rec { double t, lat, lon, speed, course; } kpw_gfw_rec;
typedef struct kpw_gfw_point { double t, lat, lon, speed, point_density; } kpw_gfw_point;
/* Writes at most cap points into out; returns the number produced (may
** exceed cap, then only cap were written). */
size_t kpw_gfw_resample(const kpw_gfw_params *p, const kpw_gfw_rec *r, size_t n,
                        kpw_gfw_point *out, size_t cap);
/* GFW's compute_distance (haversine, R = 6371 km). */
double kpw_gfw_distance_km(double lat1, double lon1, double lat2, double lon2);
/* Python's round(x, 2) (correctly rounded, ties to even on the exact value). */
double kpw_gfw_round2(double x);

#ifdef __cplusplus
}
#endif
#endif
