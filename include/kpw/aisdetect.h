/*
** aisdetect.h -- the maritime detectors of `kpwatch ais detect`: one
** streaming pass over vessel fixes (kpw_ais_fix, ais.h) in time order,
** memory bounded per active vessel; each detector reports findings
** (finding.h) through the driver's sink. docs/cmd-ais-detect.md.
**
** A detector is a set of callbacks over its own state. The driver
** (lib/ais/detect.c) feeds every fix to every enabled detector, calls
** `tick` as time advances (so detectors close what timed out), and `finish`
** at the end. Fixes reach detectors in non-decreasing time per vessel;
** out-of-order and duplicate fixes are dropped and counted by the driver.
*/
#ifndef KPW_AISDETECT_H
#define KPW_AISDETECT_H

#include "kpw/ais.h"
#include "kpw/finding.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Thresholds, each a command-line flag (defaults from the issue). */
typedef struct kpw_ais_params {
  double enc_max_dist_m;        /* 500 */
  double enc_min_hours;         /* 2 */
  double enc_max_sog_kn;        /* 2 */
  double gap_min_hours;         /* 6 */
  double gap_disabling_hours;   /* 12 */
  double gap_disabling_nm;      /* 50 (distance from shore) */
  double rdv_overlap_hours;     /* 4 */
  double rdv_max_nm;            /* 50 (tiers < 5, 5-15, 15-50) */
  double loiter_max_sog_kn;     /* 2 */
  double loiter_min_hours;      /* 4 */
  double loiter_min_shore_nm;   /* 20 */
  double port_entry_km;         /* 3 */
  double port_exit_km;          /* 4 */
  double dark_port_gap_hours;   /* 12 */
  double dark_port_km;          /* 30 */
  double spoof_max_kn;          /* 50 */
  /* added with the driver (lib/ais/detect.c): */
  double enc_step_min;          /* 10: encounter time grid, minutes (aligned to the epoch) */
  double enc_interp_hours;      /* 1: interpolate only between fixes this close in time */
  int enc_miss_steps;           /* 1: grid steps a pair may miss before its run ends */
  double lag_hours;             /* 1: how late (vs the newest fix) a fix may arrive and
                                ** still count for encounters (reorder window) */
  double idle_hours;            /* 168: a vessel silent this long is evicted */
} kpw_ais_params;
void kpw_ais_params_default(kpw_ais_params *p);

/* Where findings go: called once per finding, in the order found. */
typedef void (*kpw_finding_sink)(void *ctx, const kpw_finding *f);

/* Shared context every detector gets. */
typedef struct kpw_ais_ctx {
  const kpw_ais_params *p;
  kpw_finding_sink emit;
  void *emit_ctx;
  /* distance from shore in nautical miles (NAN if unknown) and the port
  ** model; provided by lib/ais/shore.c and lib/ais/ports.c, may be NULL */
  double (*shore_nm)(void *geo, double lat, double lon);
  void *geo;
  /* true when a point lies in the anchorage of a known port outside the
  ** DPRK (an alongside pair there is routine port traffic, not an STS
  ** transfer); NULL when no port list is loaded */
  bool (*in_foreign_port)(void *geo, double lat, double lon);
  /* set by the driver (lib/ais/detect.c): */
  uint32_t vid;               /* dense index of the vessel of the fix being delivered
                              ** (valid in `fix`); reused only after `evict` */
  const char *(*subject)(void *drv, uint32_t vid); /* "mmsi:441910000" or "vessel:<id>" */
  void *drv;
  int64_t watermark_us;       /* newest time minus lag: no fix older than this is
                              ** expected any more (KPW_TIME_NONE before the first) */
} kpw_ais_ctx;

typedef struct kpw_ais_detector {
  const char *name;                               /* "encounter", "ais_gap", ... */
  void *state;
  void (*fix)(void *state, const kpw_ais_ctx *c, const kpw_ais_fix *f);
  void (*tick)(void *state, const kpw_ais_ctx *c, int64_t now_us);
  void (*finish)(void *state, const kpw_ais_ctx *c);
  void (*free)(void *state);
  /* Added: the vessel `vid` is forgotten (idle for idle_hours); finish what is
  ** open for it and drop its state, the index may be reused. May be NULL. */
  void (*evict)(void *state, const kpw_ais_ctx *c, uint32_t vid);
} kpw_ais_detector;

/* Distance from shore of (lat, lon) in nm through the context, NAN if unknown. */
static inline double kpw_ais_shore(const kpw_ais_ctx *c, double lat, double lon) {
  return c->shore_nm ? c->shore_nm(c->geo, lat, lon) : (double)NAN;
}

/* ------------------------------------------------------------ detectors
** Constructors: each returns a detector whose state the driver owns once
** added (kpw_ais_driver_add). */
kpw_ais_detector kpw_ais_det_encounter_new(const kpw_ais_params *p);   /* det_encounter.c */
kpw_ais_detector kpw_ais_det_gap_new(const kpw_ais_params *p);         /* det_gap.c */
kpw_ais_detector kpw_ais_det_rendezvous_new(const kpw_ais_params *p);  /* det_rendezvous.c */
kpw_ais_detector kpw_ais_det_loiter_new(const kpw_ais_params *p);      /* det_loiter.c */
/* By finding kind ("encounter", "ais_gap", "dark_rendezvous", "loitering");
** KPW_ENOTFOUND for an unknown name. */
kpw_result kpw_ais_detector_by_name(const char *kind, const kpw_ais_params *p,
                                    kpw_ais_detector *out);
/* The kinds kpw_ais_detector_by_name knows, NULL-terminated. */
extern const char *const kpw_ais_detector_kinds[];

/* ------------------------------------------------------------ driver
** Push API: feed fixes in (roughly) time order; per vessel, fixes older
** than the vessel's last one are dropped (out_of_order), and a position at
** the same second as the vessel's last position is dropped (duplicates). */
typedef struct kpw_ais_driver kpw_ais_driver;
typedef struct kpw_ais_driver_stats {
  uint64_t fixes;           /* handed to kpw_ais_driver_fix */
  uint64_t delivered;       /* passed on to the detectors */
  uint64_t out_of_order, duplicates, no_time, no_vessel, no_position, bad_position;
  uint64_t late;            /* older than the watermark when they arrived
                            ** (input not in time order: encounters may be missed) */
  uint64_t vessels_seen, vessels_active, vessels_peak, evicted;
  uint64_t findings;
  int64_t first_us, last_us; /* time span of the delivered fixes */
} kpw_ais_driver_stats;

kpw_ais_driver *kpw_ais_driver_new(const kpw_ais_params *p, kpw_finding_sink emit,
                                   void *emit_ctx);
/* Distance-from-shore model (optional; before the first fix). */
void kpw_ais_driver_set_shore(kpw_ais_driver *d, double (*shore_nm)(void *, double, double),
                              void *geo);
/* Add a detector; the driver owns its state from now on. */
void kpw_ais_driver_add(kpw_ais_driver *d, const kpw_ais_detector *det);
void kpw_ais_driver_fix(kpw_ais_driver *d, const kpw_ais_fix *f);
/* End of input: every detector finishes (emits what qualifies). */
void kpw_ais_driver_finish(kpw_ais_driver *d);
const kpw_ais_driver_stats *kpw_ais_driver_stats_get(const kpw_ais_driver *d);
void kpw_ais_driver_free(kpw_ais_driver *d);

/* Whole run: read every path (kpw_track_open, format fmt) as one stream,
** with the reader in a second thread, through the detectors named in
** `only` (comma-separated kinds; NULL = all of kpw_ais_detector_kinds).
** progress (may be NULL) is called about every million fixes and at the end.
** Unreadable files are an error (err filled); bad records are counted by
** the reader. */
typedef struct kpw_ais_run_opts {
  const kpw_ais_params *p;
  kpw_track_format fmt;
  const char *only;
  kpw_finding_sink emit; void *emit_ctx;
  double (*shore_nm)(void *, double, double); void *geo;
  bool (*in_foreign_port)(void *, double, double);
  void (*progress)(void *ctx, const char *path, const kpw_ais_driver_stats *s);
  void *progress_ctx;
  bool single_thread;       /* read and detect in the calling thread */
  /* read every fix first and feed them in time order (for inputs not in
  ** time order, e.g. grouped by vessel); at most max_sorted_fixes
  ** (0 = 20,000,000, ~3 GB) */
  bool sort_by_time;
  size_t max_sorted_fixes;
  /* detectors built by the caller (port_call, identity_change, ... of
  ** aisgeo.h): run when `only` is NULL or names them (by .name); the run
  ** owns their state (freed whether selected or not) */
  const kpw_ais_detector *extra; size_t n_extra;
} kpw_ais_run_opts;
kpw_result kpw_ais_detect_run(const kpw_ais_run_opts *o, const char *const *paths,
                              size_t n_paths, kpw_ais_driver_stats *stats,
                              kpw_ais_stats *reader_stats, kpw_error *err);

#ifdef __cplusplus
}
#endif
#endif
