/*
** cmd_ais_encounters.c -- `kpwatch ais encounters --gfw-compat`: Global
** Fishing Watch compatible raw encounters from vessel tracks (CSV exports),
** one JSON object per encounter with exactly the keys of GFW's RawEncounter
** (docs/cmd-ais-encounters.md).  The algorithm is lib/ais/gfw.c; the input
** reader lib/ais/tracks.c.  Called by cmd_ais.c as argv[0] = "encounters".
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "kpw/ais.h"
#include "kpw/gfw.h"

int cmd_ais_encounters(int argc, char **argv);

static void help(FILE *o) {
  fprintf(o,
    "usage: kpwatch ais encounters --gfw-compat [OPTIONS] TRACKS...\n"
    "\n"
    "Raw vessel encounters computed exactly as Global Fishing Watch's\n"
    "pipe-encounters does (Resample -> ComputeAdjacency -> ComputeEncounters),\n"
    "so results can be compared record for record with GFW's. Its flaws are\n"
    "kept on purpose: encounters are directional (A->B and B->A differ), none\n"
    "crosses UTC midnight, and longitude is interpolated linearly across +-180.\n"
    "For detection use `kpwatch ais detect` (symmetric, streaming, no midnight hole).\n"
    "\n"
    "TRACKS are track files (bzip2/zstd accepted, '-' = stdin), format detected:\n"
    "  NOAA MarineCadastre  MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,...\n"
    "  Danish Maritime Auth # Timestamp,Type of mobile,MMSI,Latitude,Longitude,...\n"
    "  generic              vessel_id (or mmsi),timestamp (ISO 8601 or unix s),\n"
    "                       lat,lon[,speed|sog][,course|cog]\n"
    "  NMEA                 !AIVDM logs whose lines carry a time (tag block c:\n"
    "                       or $PGHP); position reports become fixes\n"
    "Rows that cannot be read are counted and skipped; the first is named.\n"
    "\n"
    "Options (defaults are the parameters of GFW's tests, which produced\n"
    "the published expected records):\n"
    "  --gfw-compat           required: select the GFW-compatible algorithm\n"
    "  --resample-min M       grid step in minutes, aligned to midnight (10)\n"
    "  --max-gap-min M        interpolate only between fixes < M min apart (70;\n"
    "                         GFW production: 60)\n"
    "  --search-km K          neighbour search radius (1.0; production: 0.5).\n"
    "                         Exact GFW agreement needs K < 1.4 (S2 cell width)\n"
    "  --max-dist-km K        encounter distance (0.5)\n"
    "  --min-duration-min M   shortest encounter (30; production raw run: 60)\n"
    "  --max-neighbours N     neighbours kept per point, nearest first (100)\n"
    "  --extrapolate          extrapolate by speed and course beyond the first\n"
    "                         and last fix, as GFW production does (tests: off)\n"
    "  --gfw-production       10 / 60 / 0.5 / 0.5 / 60 and --extrapolate\n"
    "  --gfw-merge            print GFW's merged encounters (MergeEncounters)\n"
    "                         instead of the raw ones: one per ordered vessel\n"
    "                         pair and period, keys vessel_1_id, vessel_2_id,\n"
    "                         vessel_1_seg_ids, vessel_2_seg_ids + the raw keys\n"
    "  --merge-gap-hours H    raw encounters closer than H hours merge (4)\n"
    "  --format F             auto (default), noaa, dma, generic, nmea\n"
    "  --max-fixes N          memory cap on buffered fixes (20000000)\n"
    "  -h, --help             this text\n"
    "\n"
    "Output, one JSON object per line: vessel_1_seg_id, vessel_2_seg_id,\n"
    "start_time, end_time (ISO 8601 UTC), mean_latitude, mean_longitude\n"
    "(circular mean), median_distance_km, median_speed_knots (median implied\n"
    "speed of vessel 1), vessel_1_point_count, vessel_2_point_count (sums of\n"
    "point densities), start_lat, start_lon, end_lat, end_lon (vessel 1).\n"
    "A summary goes to stderr unless --quiet.\n"
    "\n"
    "Exit: 0 ok, 2 usage, 3 bad input, 4 I/O error.\n");
}

typedef struct emit_ctx {
  kpw_buf out; uint64_t n; bool write_fail;
  bool merge;                        /* --gfw-merge: keep raw records for the merge */
  kpw_gfw_encounter *raw; size_t n_raw, cap_raw;
} emit_ctx;

static void put_time(kpw_buf *b, double t) {
  time_t s = (time_t)floor(t);
  struct tm tm;
  gmtime_r(&s, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  kpw_buf_putc(b, '"');
  kpw_buf_puts(b, buf);
  double frac = t - floor(t);
  if (frac > 0) kpw_buf_printf(b, ".%06d", (int)llround(frac * 1e6) % 1000000);
  kpw_buf_puts(b, "Z\"");
}

static void put_num(kpw_buf *b, const char *key, double v) {
  kpw_buf_putc(b, ',');
  kpw_json_key(b, key);
  if (!isfinite(v)) { kpw_buf_puts(b, "null"); return; }
  /* the shortest form that reads back as the same double (as Python prints) */
  char tmp[40];
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    if (strtod(tmp, NULL) == v) break;
  }
  kpw_buf_puts(b, tmp);
}

static void write_record(emit_ctx *x, const kpw_gfw_encounter *e, bool merged) {
  kpw_buf *b = &x->out;
  kpw_buf_putc(b, '{');
  if (merged) {
    /* MergeEncounters' Encounter: each id is its own vessel here */
    kpw_json_key(b, "vessel_1_id"); kpw_json_str(b, e->vessel_1_seg_id);
    kpw_buf_putc(b, ',');
    kpw_json_key(b, "vessel_2_id"); kpw_json_str(b, e->vessel_2_seg_id);
    kpw_buf_putc(b, ',');
    kpw_json_key(b, "vessel_1_seg_ids"); kpw_buf_putc(b, '['); kpw_json_str(b, e->vessel_1_seg_id);
    kpw_buf_puts(b, "],");
    kpw_json_key(b, "vessel_2_seg_ids"); kpw_buf_putc(b, '['); kpw_json_str(b, e->vessel_2_seg_id);
    kpw_buf_puts(b, "],");
  } else {
    kpw_json_key(b, "vessel_1_seg_id"); kpw_json_str(b, e->vessel_1_seg_id);
    kpw_buf_putc(b, ',');
    kpw_json_key(b, "vessel_2_seg_id"); kpw_json_str(b, e->vessel_2_seg_id);
    kpw_buf_putc(b, ',');
  }
  kpw_json_key(b, "start_time"); put_time(b, e->start_time);
  kpw_buf_putc(b, ',');
  kpw_json_key(b, "end_time"); put_time(b, e->end_time);
  put_num(b, "mean_latitude", e->mean_latitude);
  put_num(b, "mean_longitude", e->mean_longitude);
  put_num(b, "median_distance_km", e->median_distance_km);
  put_num(b, "median_speed_knots", e->median_speed_knots);
  kpw_buf_putc(b, ',');
  kpw_json_key(b, "vessel_1_point_count"); kpw_json_int(b, e->vessel_1_point_count);
  kpw_buf_putc(b, ',');
  kpw_json_key(b, "vessel_2_point_count"); kpw_json_int(b, e->vessel_2_point_count);
  put_num(b, "start_lat", e->start_lat);
  put_num(b, "start_lon", e->start_lon);
  put_num(b, "end_lat", e->end_lat);
  put_num(b, "end_lon", e->end_lon);
  kpw_buf_puts(b, "}\n");
  x->n++;
  if (b->len > (1u << 16)) {
    if (fwrite(b->data, 1, b->len, stdout) != b->len) x->write_fail = true;
    kpw_buf_reset(b);
  }
}

static void emit(void *c, const kpw_gfw_encounter *e) {
  emit_ctx *x = c;
  if (!x->merge) { write_record(x, e, false); return; }
  if (x->n_raw == x->cap_raw) {
    x->cap_raw = x->cap_raw ? x->cap_raw * 2 : 256;
    x->raw = kpw_xrealloc(x->raw, x->cap_raw * sizeof *x->raw);
  }
  x->raw[x->n_raw++] = *e;   /* ids stay valid until kpw_gfw_free */
}

static void emit_merged(void *c, const kpw_gfw_encounter *e) { write_record(c, e, true); }

/* "--opt V" or "--opt=V": returns the value or NULL (and advances *i). */
static const char *optval(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] != 0) return NULL;
  if (*i + 1 >= argc) return "";
  return argv[++*i];
}

static bool num_arg(const char *s, double lo, double hi, double *out) {
  char *e;
  errno = 0;
  double v = strtod(s, &e);
  if (!*s || *e || errno || !(v >= lo && v <= hi)) return false;
  *out = v;
  return true;
}

int cmd_ais_encounters(int argc, char **argv) {
  static const char *cmd = "ais encounters";
  kpw_gfw_params p;
  kpw_gfw_params_default(&p);
  bool compat = false, merge = false;
  double merge_gap_s = 4 * 3600;
  kpw_track_format fmt = KPW_TRACK_AUTO;
  const char **files = kpw_xcalloc((size_t)argc + 1, sizeof *files);
  size_t nfiles = 0;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i], *v;
    double d;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help(stdout); free(files); return EXIT_OK; }
    if (!strcmp(a, "--")) { i++; break; }
    if (!strcmp(a, "--gfw-compat")) { compat = true; continue; }
    if (!strcmp(a, "--extrapolate")) { p.extrapolate = true; continue; }
    if (!strcmp(a, "--gfw-merge")) { merge = true; continue; }
    if (!strcmp(a, "--gfw-production")) {
      p.resample_s = 600; p.max_gap_s = 3600; p.search_km = 0.5; p.max_dist_km = 0.5;
      p.min_duration_s = 3600; p.extrapolate = true;
      continue;
    }
#define NUMOPT(name, lo, hi, stmt) \
    if ((v = optval(argc, argv, &i, name)) != NULL) { \
      if (!num_arg(v, lo, hi, &d)) { free(files); \
        return cli_usage_error(cmd, "%s needs a number in [%g, %g], got '%s'", name, (double)(lo), (double)(hi), v); } \
      stmt; continue; }
    NUMOPT("--resample-min", 0.01, 1440, p.resample_s = d * 60)
    NUMOPT("--max-gap-min", 0.01, 100000, p.max_gap_s = d * 60)
    NUMOPT("--search-km", 0.001, 100, p.search_km = d)
    NUMOPT("--max-dist-km", 0, 100, p.max_dist_km = d)
    NUMOPT("--min-duration-min", 0, 100000, p.min_duration_s = d * 60)
    NUMOPT("--max-neighbours", 1, 1000000, p.max_neighbours = (int)d)
    NUMOPT("--max-fixes", 1, 1e12, p.max_fixes = (uint64_t)d)
    NUMOPT("--merge-gap-hours", 0, 1e6, merge_gap_s = d * 3600)
#undef NUMOPT
    if ((v = optval(argc, argv, &i, "--format")) != NULL) {
      if (!strcmp(v, "auto")) fmt = KPW_TRACK_AUTO;
      else if (!strcmp(v, "noaa")) fmt = KPW_TRACK_NOAA;
      else if (!strcmp(v, "dma")) fmt = KPW_TRACK_DMA;
      else if (!strcmp(v, "generic")) fmt = KPW_TRACK_GENERIC;
      else if (!strcmp(v, "nmea")) fmt = KPW_TRACK_NMEA;
      else { free(files); return cli_usage_error(cmd, "unknown --format '%s' (auto, noaa, dma, generic, nmea)", v); }
      continue;
    }
    if (a[0] == '-' && a[1]) { free(files); return cli_usage_error(cmd, "unknown option '%s'", a); }
    files[nfiles++] = a;
  }
  for (; i < argc; i++) files[nfiles++] = argv[i];
  if (!compat) {
    free(files);
    fprintf(stderr,
            "kpwatch ais encounters: only the GFW-compatible mode exists here; add --gfw-compat.\n"
            "The default encounter detector is `kpwatch ais detect` (symmetric, no UTC-midnight hole).\n"
            "Try 'kpwatch ais encounters --help'.\n");
    return EXIT_USAGE;
  }
  if (nfiles == 0) { free(files); return cli_usage_error(cmd, "no track file given"); }
  if (p.max_dist_km > p.search_km) {
    free(files);
    return cli_usage_error(cmd, "--max-dist-km (%g) must not exceed --search-km (%g)", p.max_dist_km, p.search_km);
  }

  kpw_error err = {0};
  kpw_gfw *g = kpw_gfw_new(&p, &err);
  if (!g) { free(files); return cli_fail(&err); }
  kpw_result rc = KPW_OK;
  uint64_t bad = 0, rows = 0;
  kpw_error first_bad = {0};
  bool have_bad = false;
  for (size_t f = 0; f < nfiles && rc == KPW_OK; f++) {
    kpw_track_reader *r;
    rc = kpw_track_open(files[f], fmt, &r, &err);
    if (rc != KPW_OK) break;
    kpw_ais_fix fix;
    while ((rc = kpw_track_next(r, &fix, &err)) == KPW_OK) {
      rc = kpw_gfw_add(g, &fix, &err);
      if (rc != KPW_OK) break;
    }
    if (rc == KPW_DONE) rc = KPW_OK;
    const kpw_ais_stats *st = kpw_track_stats(r);
    bad += st->bad_fields;
    rows += st->lines;
    if (!have_bad && kpw_track_first_bad(r, &first_bad)) have_bad = true;
    kpw_track_close(r);
  }
  emit_ctx x = {0};
  x.merge = merge;
  kpw_buf_init(&x.out);
  if (rc == KPW_OK) rc = kpw_gfw_run(g, emit, &x, &err);
  if (rc == KPW_OK && merge) kpw_gfw_merge(x.raw, x.n_raw, merge_gap_s, emit_merged, &x);
  free(x.raw);
  if (x.out.len && fwrite(x.out.data, 1, x.out.len, stdout) != x.out.len) x.write_fail = true;
  if (fflush(stdout) != 0) x.write_fail = true;
  kpw_buf_free(&x.out);
  uint64_t nf = 0, skipped = 0, npts = 0;
  kpw_gfw_counts(g, &nf, &skipped, &npts);
  kpw_gfw_free(g);
  free(files);
  if (!g_cli.quiet) {
    fprintf(stderr, "ais encounters: %llu rows, %llu fixes, %llu bad rows skipped, %llu without position, "
            "%llu grid points, %llu %s\n",
            (unsigned long long)rows, (unsigned long long)nf, (unsigned long long)bad,
            (unsigned long long)skipped, (unsigned long long)npts, (unsigned long long)x.n,
            merge ? "merged encounters" : "encounters");
    if (have_bad) {
      char buf[1024];
      fprintf(stderr, "ais encounters: first bad row: %s\n", kpw_error_format(&first_bad, buf, sizeof buf));
    }
  }
  if (rc != KPW_OK) return cli_fail(&err);
  if (x.write_fail) {
    kpw_error_set(&err, KPW_EIO, "stdout", 0, 0, "write failed");
    return cli_fail(&err);
  }
  return EXIT_OK;
}
