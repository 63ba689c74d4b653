/*
** fuzz_ais_tracks.c -- libFuzzer target for the vessel track reader
** (lib/ais/tracks.c): NOAA / DMA / generic CSV and NMEA detected from the
** bytes. Invariants: reading ends with KPW_DONE or a clean input error;
** every fix has a finite time, a position in range or NAN, and bounded
** identity strings; bad records are counted, never fatal.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kpw/ais.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20)) return 0;
  char path[96];
  snprintf(path, sizeof path, "/tmp/kpw-fuzz-tracks-%d.dat", (int)getpid());
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  kpw_track_reader *r;
  kpw_error e;
  if (kpw_track_open(path, KPW_TRACK_AUTO, &r, &e) == KPW_OK) {
    kpw_ais_fix fx;
    kpw_result rc;
    uint64_t n = 0;
    while ((rc = kpw_track_next(r, &fx, &e)) == KPW_OK) {
      if (!isnan(fx.lat) && (fx.lat < -90 || fx.lat > 90)) __builtin_trap();
      if (!isnan(fx.lon) && (fx.lon < -180 || fx.lon > 180)) __builtin_trap();
      if (memchr(fx.vessel_id, 0, sizeof fx.vessel_id) == NULL) __builtin_trap();
      if (memchr(fx.name, 0, sizeof fx.name) == NULL) __builtin_trap();
      if (++n > 10u * size + 100) __builtin_trap();     /* no record from nothing */
    }
    if (rc != KPW_DONE && rc != KPW_EINPUT && rc != KPW_ENOMEM) __builtin_trap();
    (void)kpw_track_stats(r);
    kpw_track_close(r);
  }
  unlink(path);
  return 0;
}
