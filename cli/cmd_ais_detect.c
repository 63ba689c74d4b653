/*
** cmd_ais_detect.c -- `kpwatch ais detect`: one streaming pass over vessel
** tracks (NOAA / DMA / generic CSV through kpw_track_open) through the
** maritime detectors (aisdetect.h, aisgeo.h); findings as JSON lines on
** stdout, optionally stored (global --db) and drawn (--geojson).
** docs/cmd-ais-detect.md.
**
** Besides this module's four detectors it runs the geography and identity
** detectors of aisgeo.h (port_call, dark_port_call, identity_change,
** spoofing); screening_match (-l) is a TODO hook below.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "kpw/ais.h"
#include "kpw/aisdetect.h"
#include "kpw/aisgeo.h"

int cmd_ais_detect(int argc, char **argv);


static void help(void) {
  printf(
    "usage: kpwatch [--db FILE] ais detect [OPTIONS] FILE...\n\n"
    "Reads vessel fixes from FILE... (NOAA MarineCadastre, Danish Maritime\n"
    "Authority or generic CSV: vessel_id|mmsi,timestamp,lat,lon[,sog,cog,...];\n"
    "bzip2/zstd allowed; '-' is standard input) as ONE stream in the order\n"
    "given, and writes one finding per JSON line on stdout (docs/findings.md).\n"
    "Input should be in time order (a feed, or a daily export sorted by time):\n"
    "encounters are evaluated as the stream's time advances; fixes later than\n"
    "--lag-hours behind the newest are counted as late (reported on stderr).\n"
    "For a file grouped by vessel (one track after another) give --lag-hours 48\n"
    "(memory then grows with the slow vessels' 10-minute points of the span).\n\n"
    "Findings (--only picks some, comma-separated):\n"
    "  encounter        two vessels within --enc-dist-m for >= --enc-hours, both\n"
    "                   below --enc-sog-kn, at any distance from shore; on a\n"
    "                   --enc-step-min grid, continuous across UTC midnight and\n"
    "                   +-180 deg, one symmetric event per pair\n"
    "  ais_gap          no position for >= --gap-hours; likely disabling when\n"
    "                   >= --gap-disabling-hours and >= --gap-disabling-nm from shore\n"
    "  dark_rendezvous  two vessels dark together >= --rdv-overlap-hours, last\n"
    "                   and first positions within --rdv-max-nm (tiers < 5,\n"
    "                   5-15, 15-50 nm)\n"
    "  loitering        below --loiter-sog-kn for >= --loiter-hours, >=\n"
    "                   --loiter-shore-nm from shore (when the shore is known)\n"
    "  port_call, dark_port_call, identity_change, spoofing\n"
    "                   see docs/cmd-ais-detect-geo.md\n\n"
    "Options:\n"
    "  --only KINDS            run only these detectors (e.g. encounter,ais_gap)\n"
    "  --format F              auto (default), noaa, dma, generic\n"
    "  --geojson FILE          also write a GeoJSON FeatureCollection of the\n"
    "                          findings (a Point at each finding's place)\n"
    "  --shore FILE            coastline (TopoJSON land, Natural Earth); default\n"
    "                          $KPW_SHORE or the installed world-atlas file\n"
    "  --sort / --no-sort      read the whole input and sort it by time before\n"
    "                          detecting; by default done when the first 200,000\n"
    "                          fixes of the files are out of time order (e.g. a\n"
    "                          file grouped by vessel), never for stdin\n"
    "  --ports FILE            more ports (CSV name,lat,lon[,country]); the npm\n"
    "                          package sea-ports is used by default; --no-ports\n"
    "  --anchorage-km KM       pairs this close to a non-DPRK port are port\n"
    "                          traffic, not encounters (default 20)\n"
    "  --no-shore              no distance from shore (gap disabling is then\n"
    "                          null, loitering is not filtered by shore)\n"
    "  --eez FILE              DPRK waters polygon (GeoJSON) for dark_port_call\n"
    "  -l, --list FILE         screening list for vessel names/IMOs (repeatable;\n"
    "                          screening_match is not wired yet: accepted, warned)\n"
    "  --single-thread         read and detect in one thread (default: the\n"
    "                          reader runs in a second thread)\n"
    "  --fail-on-hit           exit 1 when any finding was written\n"
    "  -h, --help              this text\n\n"
    "Thresholds (defaults in brackets):\n"
    "  --enc-dist-m M [500]  --enc-hours H [2]  --enc-sog-kn K [2]\n"
    "  --enc-step-min M [10]  --enc-interp-hours H [1] (interpolate only\n"
    "  between fixes this close)  --enc-miss-steps N [1] (grid steps a pair may\n"
    "  miss before its run ends)\n"
    "  --gap-hours H [6]  --gap-disabling-hours H [12]  --gap-disabling-nm N [50]\n"
    "  --rdv-overlap-hours H [4]  --rdv-max-nm N [50]\n"
    "  --loiter-sog-kn K [2]  --loiter-hours H [4]  --loiter-shore-nm N [20]\n"
    "  --port-entry-km K [3]  --port-exit-km K [4]  --dark-port-hours H [12]\n"
    "  --dark-port-km K [30]  --spoof-kn K [50]\n"
    "  --lag-hours H [1]      how late a fix may arrive (reorder window)\n"
    "  --idle-hours H [168]   forget a vessel silent this long\n\n"
    "With the global --db FILE the findings are also stored in that SQLite\n"
    "store. Progress and a summary go to stderr (not with --quiet).\n\n"
    "Exit: 0 ok, 1 findings with --fail-on-hit, 2 usage, 3 bad input, 4 I/O.\n");
}

typedef struct out_ctx {
  FILE *out;
  kpw_store *store;
  kpw_buf geo; size_t n_geo; bool want_geo;
  kpw_buf line;
  kpw_result rc; kpw_error err;
  uint64_t n;
} out_ctx;

static void sink(void *ctx, const kpw_finding *f) {
  out_ctx *o = ctx;
  o->n++;
  if (o->rc) return;
  o->rc = kpw_finding_write_jsonl(f, o->out, &o->err);
  if (!o->rc && o->store) o->rc = kpw_store_put_finding(o->store, f, &o->err);
  if (o->want_geo && f->has_place && isfinite(f->lat) && isfinite(f->lon)) {
    kpw_buf_reset(&o->line);
    kpw_finding_json(f, &o->line);
    kpw_buf_puts(&o->geo, o->n_geo++ ? ",\n" : "\n");
    kpw_buf_puts(&o->geo, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
    kpw_json_num(&o->geo, f->lon); kpw_buf_putc(&o->geo, ','); kpw_json_num(&o->geo, f->lat);
    kpw_buf_puts(&o->geo, "]},\"properties\":");
    kpw_buf_put(&o->geo, o->line.data, o->line.len);
    kpw_buf_putc(&o->geo, '}');
  }
}

typedef struct prog { double t0; bool on; } prog;

static double now_s(void) {
  struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(void *ctx, const char *path, const kpw_ais_driver_stats *s) {
  prog *p = ctx;
  if (!p->on || !path) return;
  double dt = now_s() - p->t0;
  fprintf(stderr, "\rkpwatch ais detect: %s: %llu fixes, %llu vessels, %llu findings, %.0f fixes/s   ",
          path, (unsigned long long)s->fixes, (unsigned long long)s->vessels_active,
          (unsigned long long)s->findings, dt > 0 ? (double)s->fixes / dt : 0.0);
}

/* Is the input out of time order (e.g. grouped by vessel)? Reads the first
** 200,000 fixes of the files (not stdin) and counts those older than the
** newest seen minus the lag: over 1% means the cross-vessel detectors
** (encounters) need the input sorted. */
static bool probe_disorder(const char **files, size_t n, kpw_track_format fmt, double lag_hours) {
  uint64_t seen = 0, late = 0;
  int64_t newest = INT64_MIN, lag = (int64_t)(lag_hours * 3600e6);
  for (size_t i = 0; i < n && seen < 200000; i++) {
    if (!strcmp(files[i], "-")) continue;
    kpw_track_reader *r;
    kpw_error e;
    if (kpw_track_open(files[i], fmt, &r, &e)) continue;
    kpw_ais_fix f;
    while (seen < 200000 && kpw_track_next(r, &f, &e) == KPW_OK) {
      if (f.t_us == KPW_TIME_NONE) continue;
      seen++;
      if (newest != INT64_MIN && f.t_us < newest - lag) late++;
      if (f.t_us > newest) newest = f.t_us;
    }
    kpw_track_close(r);
  }
  return seen && late * 100 > seen;
}

int cmd_ais_detect(int argc, char **argv) {
  const char *cmd = "ais detect";
  kpw_ais_params p; kpw_ais_params_default(&p);
  kpw_ais_run_opts ro; memset(&ro, 0, sizeof ro);
  ro.p = &p; ro.fmt = KPW_TRACK_AUTO;
  const char *geojson = NULL, *shore_path = NULL, *eez_path = NULL;
  const char **ports_paths = kpw_xcalloc((size_t)argc + 1, sizeof *ports_paths);
  const char **lists = kpw_xcalloc((size_t)argc + 1, sizeof *lists);
  size_t n_ports_paths = 0;
  double anchorage_km = 20;   /* sea-ports gives city positions; anchorages lie up to ~20 km off */
  bool no_shore = false, fail_on_hit = false, no_ports = false;
  int sort_mode = 0;          /* 1 always, -1 never, 0 when the input is out of order */
  const char **files = kpw_xcalloc((size_t)argc + 1, sizeof *files);
  size_t nfiles = 0, nlists = 0;
  static const struct { const char *flag; size_t off; double lo, hi; } num[] = {
#define F(flag, field, lo, hi) { flag, offsetof(kpw_ais_params, field), lo, hi }
    F("--enc-dist-m", enc_max_dist_m, 1, 100000), F("--enc-hours", enc_min_hours, 0, 1000),
    F("--enc-sog-kn", enc_max_sog_kn, 0, 100), F("--enc-step-min", enc_step_min, 0.1, 1440),
    F("--enc-interp-hours", enc_interp_hours, 0, 48),
    F("--gap-hours", gap_min_hours, 0.01, 10000), F("--gap-disabling-hours", gap_disabling_hours, 0, 10000),
    F("--gap-disabling-nm", gap_disabling_nm, 0, 20000), F("--rdv-overlap-hours", rdv_overlap_hours, 0.01, 10000),
    F("--rdv-max-nm", rdv_max_nm, 0.01, 600), F("--loiter-sog-kn", loiter_max_sog_kn, 0, 100),
    F("--loiter-hours", loiter_min_hours, 0, 10000), F("--loiter-shore-nm", loiter_min_shore_nm, 0, 20000),
    F("--port-entry-km", port_entry_km, 0, 1000), F("--port-exit-km", port_exit_km, 0, 1000),
    F("--dark-port-hours", dark_port_gap_hours, 0, 10000), F("--dark-port-km", dark_port_km, 0, 10000),
    F("--spoof-kn", spoof_max_kn, 1, 100000), F("--lag-hours", lag_hours, 0, 48),
    F("--idle-hours", idle_hours, 1, 100000),
#undef F
  };
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help(); free(files); return EXIT_OK; }
    if (!strcmp(a, "--no-shore")) { no_shore = true; continue; }
    if (!strcmp(a, "--no-ports")) { no_ports = true; continue; }
    if (!strcmp(a, "--sort")) { sort_mode = 1; continue; }
    if (!strcmp(a, "--no-sort")) { sort_mode = -1; continue; }
    if (!strcmp(a, "--single-thread")) { ro.single_thread = true; continue; }
    if (!strcmp(a, "--fail-on-hit")) { fail_on_hit = true; continue; }
    if (!strcmp(a, "-") || a[0] != '-') { files[nfiles++] = a; continue; }
    if (!strcmp(a, "--")) { while (++i < argc) files[nfiles++] = argv[i]; break; }
    bool known = false;
    for (size_t k = 0; k < sizeof num / sizeof *num; k++) {
      if (strcmp(a, num[k].flag)) continue;
      known = true;
      char *end = NULL;
      errno = 0;
      double x = v ? strtod(v, &end) : NAN;
      if (!v || errno || end == v || *end || !(x >= num[k].lo && x <= num[k].hi)) {
        free(files);
        return cli_usage_error(cmd, "%s needs a number in [%g, %g]%s%s", a, num[k].lo, num[k].hi,
                               v ? ", got " : "", v ? v : "");
      }
      *(double *)((char *)&p + num[k].off) = x;
      i++;
    }
    if (known) continue;
    if (!strcmp(a, "--enc-miss-steps")) {
      char *end = NULL; long x = v ? strtol(v, &end, 10) : -1;
      if (!v || end == v || *end || x < 0 || x > 1000) { free(files); return cli_usage_error(cmd, "--enc-miss-steps needs an integer in [0, 1000]"); }
      p.enc_miss_steps = (int)x; i++; continue;
    }
    if (!v) { free(files); return cli_usage_error(cmd, "%s needs a value", a); }
    i++;
    if (!strcmp(a, "--only")) ro.only = v;
    else if (!strcmp(a, "--geojson")) geojson = v;
    else if (!strcmp(a, "--shore")) shore_path = v;
    else if (!strcmp(a, "--eez")) eez_path = v;
    else if (!strcmp(a, "--ports")) ports_paths[n_ports_paths++] = v;
    else if (!strcmp(a, "--anchorage-km")) {
      char *end = NULL; double x = strtod(v, &end);
      if (end == v || *end || !(x >= 0 && x <= 200)) { free(files); return cli_usage_error(cmd, "--anchorage-km needs a number in [0, 200]"); }
      anchorage_km = x;
    }
    else if (!strcmp(a, "-l") || !strcmp(a, "--list")) lists[nlists++] = v;
    else if (!strcmp(a, "--format")) {
      if (!strcmp(v, "auto")) ro.fmt = KPW_TRACK_AUTO;
      else if (!strcmp(v, "noaa")) ro.fmt = KPW_TRACK_NOAA;
      else if (!strcmp(v, "dma")) ro.fmt = KPW_TRACK_DMA;
      else if (!strcmp(v, "generic")) ro.fmt = KPW_TRACK_GENERIC;
      else if (!strcmp(v, "nmea")) ro.fmt = KPW_TRACK_NMEA;
      else { free(files); return cli_usage_error(cmd, "unknown --format '%s' (auto, noaa, dma, generic, nmea)", v); }
    } else { free(files); return cli_usage_error(cmd, "unknown option '%s'", a); }
  }
  if (!nfiles) { free(files); return cli_usage_error(cmd, "no track file given"); }
  if (p.enc_min_hours * 60 < p.enc_step_min) {
    free(files);
    return cli_usage_error(cmd, "--enc-hours (%g) is shorter than one grid step (--enc-step-min %g)",
                           p.enc_min_hours, p.enc_step_min);
  }
  bool progress_on = !g_cli.quiet && cli_progress_enabled();

  kpw_error err; kpw_error_clear(&err);
  int rc = -1;
  /* geography: shore, ports, EEZ (all optional) */
  kpw_ais_geo geo; memset(&geo, 0, sizeof geo);
  if (!no_shore) {
    kpw_result r = kpw_shore_load(shore_path, &geo.shore, &err);
    if (r == KPW_ENOTFOUND && !shore_path) {
      if (!g_cli.quiet)
        fprintf(stderr, "kpwatch %s: no coastline file found (--shore FILE or $KPW_SHORE); distance from shore unknown\n", cmd);
    } else if (r) rc = cli_fail(&err);
  }
  if (rc < 0) geo.ports = kpw_ports_new();
  /* world ports: their anchorages are not encounter grounds (DPRK ports and
  ** approaches stay in); sea-ports from npm by default, --ports CSV files */
  geo.anchorage_km = anchorage_km;
  if (rc < 0 && !no_ports) {
    const char *sp = kpw_ports_default_path();
    if (sp && kpw_ports_load_seaports(geo.ports, sp, &err)) rc = cli_fail(&err);
    else if (!sp && !n_ports_paths && !g_cli.quiet)
      fprintf(stderr, "kpwatch %s: no world port list (npm sea-ports, or --ports FILE); "
              "pairs in port anchorages will count as encounters\n", cmd);
  }
  for (size_t k = 0; rc < 0 && k < n_ports_paths; k++)
    if (kpw_ports_load_csv(geo.ports, ports_paths[k], &err)) rc = cli_fail(&err);
  /* screening lists: vessels by IMO, MMSI and names (former names too) */
  kpw_listset *ls = NULL;
  kpw_screener *scr = NULL;
  if (rc < 0 && nlists) {
    ls = kpw_listset_new();
    if (cli_load_lists(ls, lists, nlists, &err) || kpw_screener_new(ls, &scr, &err)) rc = cli_fail(&err);
  }
  if (rc < 0 && eez_path && kpw_geo_poly_load(eez_path, &geo.eez, &err)) rc = cli_fail(&err);
  /* the bundle is the context's geo for every detector; shore_nm only with
  ** a coastline, so "unknown" stays distinguishable from a distance */
  ro.geo = &geo;
  ro.shore_nm = geo.shore ? kpw_ais_geo_shore_nm : NULL;
  ro.in_foreign_port = no_ports ? NULL : kpw_ais_geo_in_foreign_port;

  /* the other helpers' detectors, when linked in */
  kpw_ais_detector extra[8]; size_t n_extra = 0;
  if (rc < 0) {
    kpw_portcall_opts pco; memset(&pco, 0, sizeof pco);
    kpw_ais_detector det;
    if (!kpw_ais_det_portcall_new(&geo, &pco, &det, &err)) extra[n_extra++] = det;
    if (!kpw_ais_det_darkport_new(&geo, &det, &err)) extra[n_extra++] = det;
    if (!kpw_ais_det_identity_new(&det, &err)) extra[n_extra++] = det;
    if (!kpw_ais_det_spoofing_new(&det, &err)) extra[n_extra++] = det;
    if (scr && !kpw_ais_det_screen_new(scr, 0, &det, &err)) extra[n_extra++] = det;
    kpw_error_clear(&err);
  }
  ro.extra = extra; ro.n_extra = n_extra;

  out_ctx oc; memset(&oc, 0, sizeof oc);
  oc.out = stdout; oc.want_geo = geojson != NULL;
  kpw_buf_init(&oc.geo); kpw_buf_init(&oc.line);
  if (rc < 0 && g_cli.db && kpw_store_open(g_cli.db, &oc.store, &err)) rc = cli_fail(&err);
  if (rc < 0 && oc.store && kpw_store_begin(oc.store, &err)) rc = cli_fail(&err);
  prog pg = { now_s(), progress_on };
  ro.emit = sink; ro.emit_ctx = &oc;
  ro.progress = progress; ro.progress_ctx = &pg;
  if (rc < 0) {
    ro.sort_by_time = sort_mode > 0 || (sort_mode == 0 && probe_disorder(files, nfiles, ro.fmt, p.lag_hours));
    if (ro.sort_by_time && sort_mode == 0 && !g_cli.quiet)
      fprintf(stderr, "kpwatch %s: the input is not in time order (grouped by vessel?): "
              "reading it whole and sorting by time first (--no-sort to stream as is)\n", cmd);
  }
  kpw_ais_driver_stats st; memset(&st, 0, sizeof st);
  kpw_ais_stats rs; memset(&rs, 0, sizeof rs);
  if (rc < 0) {
    kpw_result r = kpw_ais_detect_run(&ro, files, nfiles, &st, &rs, &err);
    if (progress_on) fputc('\n', stderr);
    if (r) rc = cli_fail(&err);
    else if (oc.rc) rc = cli_fail(&oc.err);
  } else {
    for (size_t i = 0; i < n_extra; i++) if (extra[i].free) extra[i].free(extra[i].state);
  }
  if (rc < 0 && fflush(stdout) != 0) {
    kpw_error_set(&err, KPW_EIO, "-", 0, 0, "writing findings: %s", strerror(errno));
    rc = cli_fail(&err);
  }
  if (rc < 0 && geojson) {
    FILE *g = fopen(geojson, "w");
    if (!g) { kpw_error_set(&err, KPW_EIO, geojson, 0, 0, "cannot write: %s", strerror(errno)); rc = cli_fail(&err); }
    else {
      fputs("{\"type\":\"FeatureCollection\",\"features\":[", g);
      fwrite(oc.geo.data, 1, oc.geo.len, g);
      fputs("\n]}\n", g);
      if (fclose(g) != 0) { kpw_error_set(&err, KPW_EIO, geojson, 0, 0, "cannot write: %s", strerror(errno)); rc = cli_fail(&err); }
    }
  }
  if (oc.store) {
    if (rc < 0) { if (kpw_store_commit(oc.store, &err)) rc = cli_fail(&err); }
    kpw_store_close(oc.store);
  }
  if (!g_cli.quiet && (rc < 0 || st.fixes)) {
    double dt = now_s() - pg.t0;
    fprintf(stderr,
            "kpwatch %s: %llu fixes (%llu used; dropped: %llu out of order, %llu duplicate, %llu no time, "
            "%llu no vessel; %llu bad positions; %llu late), %llu vessels (peak %llu active), "
            "%llu findings, %llu bad records, %.1f s (%.0f fixes/s)\n",
            cmd, (unsigned long long)st.fixes, (unsigned long long)st.delivered,
            (unsigned long long)st.out_of_order, (unsigned long long)st.duplicates,
            (unsigned long long)st.no_time, (unsigned long long)st.no_vessel,
            (unsigned long long)st.bad_position, (unsigned long long)st.late,
            (unsigned long long)st.vessels_seen, (unsigned long long)st.vessels_peak,
            (unsigned long long)oc.n, (unsigned long long)rs.bad_fields, dt, dt > 0 ? (double)st.fixes / dt : 0.0);
    if (st.fixes && st.late * 100 > st.fixes)
      fprintf(stderr, "kpwatch %s: warning: %.1f%% of fixes arrived late; the input is not in time order, "
              "so encounters may be missed (sort it by time, or for a file grouped by vessel give "
              "--lag-hours 48: encounter points are then held until the end)\n",
              cmd, 100.0 * (double)st.late / (double)st.fixes);
  }
  kpw_shore_free(geo.shore);
  kpw_ports_free(geo.ports);
  if (scr) kpw_screener_free(scr);
  if (ls) kpw_listset_free(ls);
  free(ports_paths);
  free(lists);
  kpw_geo_poly_free(geo.eez);
  kpw_buf_free(&oc.geo); kpw_buf_free(&oc.line);
  free(files);
  if (rc >= 0) return rc;
  return fail_on_hit && oc.n ? EXIT_HIT : EXIT_OK;
}
