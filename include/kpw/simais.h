/*
** simais.h -- `kpwatch sim ais`: synthetic AIS with ground truth, and the
** scorer of `ais detect` findings against that truth (docs/cmd-sim-ais.md).
**
** kpw_sim_ais writes DIR/tracks.nmea (AIVDM types 1/3/5 behind tag blocks
** `\s:sim,c:<unix seconds>*hh\`) or DIR/tracks.csv (generic CSV), and
** DIR/truth.json: per scenario its vessels, the events a detector should
** report (expect), by-products it may report without penalty (expect with
** "optional":true) and hard negatives it must not report (negatives).
** Scenarios replay the DPRK cases of the maritime research notes (STS in the
** East China Sea and off Nampo, dark rendezvous, DPRK port calls, identity
** swaps) among background traffic. Everything is a pure function of the
** options (same seed, same bytes).
**
** kpw_sim_ais_positions streams N positions of a global-scale fleet (about
** 200 fixes per vessel) as generic CSV, in time order, with memory bounded
** by the fleet size (for the detector benchmark).
**
** kpw_sim_ais_score matches findings (JSON lines, finding.h) to the truth:
** same kind, equal set of mmsi: subjects, time spans overlapping within the
** expectation's tolerance; prints a per-kind table and a JSON summary line.
*/
#ifndef KPW_SIMAIS_H
#define KPW_SIMAIS_H

#include <stdio.h>
#include "kpw/kpw.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kpw_simais_opts {
  const char *out_dir;       /* created if missing; "-" = stdout (positions mode only) */
  uint64_t seed;
  uint32_t scenarios;        /* scenario kinds cycle (KPW_SIMAIS_KINDS) */
  uint32_t background;       /* background vessels on transit routes */
  bool csv;                  /* tracks.csv instead of tracks.nmea */
} kpw_simais_opts;

typedef struct kpw_simais_summary {
  uint64_t vessels, fixes, lines, bytes, expect, negatives;
} kpw_simais_summary;

#define KPW_SIMAIS_KINDS 14
const char *kpw_simais_kind_name(unsigned kind);

kpw_result kpw_sim_ais(const kpw_simais_opts *o, kpw_simais_summary *sum, kpw_error *err);

/* N positions of generic CSV into out_dir/positions.csv (or stdout for "-"). */
kpw_result kpw_sim_ais_positions(const char *out_dir, uint64_t seed, uint64_t n,
                                 kpw_simais_summary *sum, kpw_error *err);

/* Score findings_path (JSON lines; "-" = stdin) against truth_path; the
** report goes to out. Bad input is KPW_EINPUT with file and line. */
kpw_result kpw_sim_ais_score(const char *truth_path, const char *findings_path,
                             FILE *out, kpw_error *err);

#ifdef __cplusplus
}
#endif
#endif
