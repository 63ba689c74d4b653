/*
** tracks.c -- the vessel track reader of include/kpw/ais.h: fixes (time,
** vessel, position, speed, course, identity) from CSV exports, the input
** of the maritime detectors.  Formats, detected from the first bytes and
** the header row (never from the file name):
**   NOAA MarineCadastre  MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,
**                        IMO,CallSign,VesselType,...   (ISO times, UTC)
**   Danish Maritime Auth. "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,
**                        Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,
**                        Name,Ship type,..."  (dd/mm/yyyy hh:mm:ss, UTC)
**   generic              vessel_id|mmsi, timestamp (ISO 8601 or unix
**                        seconds), lat, lon, optional speed|sog, course|cog,
**                        heading, name, imo, callsign
**   NMEA (!AIVDM...)     decoded with lib/ais/nmea.c: position reports
**                        (types 1-3, 18, 19, 27) and identity (5, 24, with
**                        NAN position); time from the tag block c: or
**                        $PGHP -- a message without one is counted, skipped.
** Invariants: a row that cannot give a time, a vessel and a position in
** range is counted (stats.bad_fields), remembered if it is the first, and
** skipped -- never fatal.  "Not available" sentinels become NAN: lat 91,
** lon 181, SOG 102.3, COG >= 360, heading 511.  Input may be bzip2/zstd.
*/
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kpw/ais.h"
#include "kpw/gfw.h"
#include "kpw/finding.h"

#define NMEA_QCAP 64          /* fixes decoded from one line, at most */
#define NMEA_LINE_MAX 65536

enum { TS_ISO, TS_DMA, TS_ANY };

struct kpw_track_reader {
  kpw_input *in;
  FILE *f;
  kpw_result io_res;          /* read error seen by the stdio cookie */
  kpw_error io_err;
  kpw_csv *csv;
  kpw_track_format fmt;
  char source[256];
  int c_id, c_mmsi, c_t, c_lat, c_lon, c_sog, c_cog, c_head, c_name, c_imo, c_call, c_type;
  int ts_style;
  kpw_ais_stats st;
  bool has_bad;
  kpw_error first_bad;
  /* NMEA: the decoder pushes fixes into a small queue, next() pops them */
  kpw_ais_decoder *dec;
  kpw_ais_fix q[NMEA_QCAP];
  size_t q_head, q_n;
  char *rbuf; size_t rb_len, rb_pos; bool eof;
  char *line; size_t line_len; bool line_long;
  uint64_t lineno;
};

static ssize_t cookie_read(void *c, char *buf, size_t n) {
  kpw_track_reader *r = c;
  if (r->io_res != KPW_OK) { errno = EIO; return -1; }
  size_t got = 0;
  kpw_result res = kpw_input_read(r->in, buf, n, &got, &r->io_err);
  if (res != KPW_OK) { r->io_res = res; errno = EIO; return -1; }
  return (ssize_t)got;
}

/* ------------------------------------------------------------ parsing */

static bool digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i])) return false;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n; *out = v;
  return true;
}

static bool valid_ymdhms(int y, int mo, int d, int h, int mi, int s) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return false;
  if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
  return h <= 23 && mi <= 59 && s <= 60;
}

/* Fractional seconds ".123" -> microseconds; advances p. */
static int64_t frac_us(const char **p) {
  int64_t us = 0, scale = 100000;
  if (**p != '.' && **p != ',') return 0;
  (*p)++;
  while (isdigit((unsigned char)**p)) {
    if (scale) { us += (**p - '0') * scale; scale /= 10; }
    (*p)++;
  }
  return us;
}

/* Plausible track times: 1900-01-01 .. 2200-01-01 (a garbage field that
** happens to parse is not a fix). */
static bool parse_iso(const char *s, int64_t *t_us) {
  return kpw_time_parse(s, t_us) && *t_us >= -2208988800LL * 1000000 && *t_us < 7258118400LL * 1000000;
}

/* DMA "dd/mm/yyyy hh:mm:ss". */
static bool parse_dma(const char *s, int64_t *t_us) {
  int y, mo, d, h, mi, sec;
  const char *p = s;
  while (*p == ' ') p++;
  if (!digits(&p, 2, &d) || *p++ != '/' || !digits(&p, 2, &mo) || *p++ != '/' || !digits(&p, 4, &y) ||
      *p++ != ' ' || !digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
      !digits(&p, 2, &sec))
    return false;
  int64_t us = frac_us(&p);
  while (*p == ' ') p++;
  if (*p || !valid_ymdhms(y, mo, d, h, mi, sec)) return false;
  *t_us = (kpw_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1000000 + us;
  return true;
}

/* A number filling the whole field (blanks around allowed); "" -> false. */
static bool parse_num(const char *s, double *out) {
  while (*s == ' ') s++;
  if (!*s) return false;
  char *e;
  errno = 0;
  double v = strtod(s, &e);
  if (e == s || errno == ERANGE) return false;
  while (*e == ' ') e++;
  if (*e || !isfinite(v)) return false;
  *out = v;
  return true;
}

static bool parse_time(int style, const char *s, int64_t *t_us) {
  if (style == TS_DMA) return parse_dma(s, t_us);
  if (parse_iso(s, t_us)) return true;
  if (style == TS_ANY) {
    double v;
    if (parse_num(s, &v) && fabs(v) < 1e11) { *t_us = (int64_t)llround(v * 1e6); return true; }
    if (parse_dma(s, t_us)) return true;
  }
  return false;
}

/* ------------------------------------------------------------ header */

static int col(const char **h, size_t n, const char *const *names) {
  for (const char *const *nm = names; *nm; nm++)
    for (size_t i = 0; i < n; i++) {
      const char *f = h[i];
      while (*f == ' ' || *f == '#') f++;
      if (strcasecmp(f, *nm) == 0) return (int)i;
    }
  return -1;
}

static void map_columns(kpw_track_reader *r, const char **h, size_t n) {
  static const char *const id[] = {"vessel_id", "id", "seg_id", "ssvid", NULL};
  static const char *const mmsi[] = {"mmsi", "userid", NULL};
  static const char *const t[] = {"timestamp", "basedatetime", "time", "datetime", "timestamp_utc", "t", NULL};
  static const char *const lat[] = {"lat", "latitude", NULL};
  static const char *const lon[] = {"lon", "lng", "long", "longitude", NULL};
  static const char *const sog[] = {"speed", "sog", "speed_knots", NULL};
  static const char *const cog[] = {"course", "cog", NULL};
  static const char *const head[] = {"heading", "true_heading", NULL};
  static const char *const name[] = {"name", "vesselname", "shipname", "vessel_name", NULL};
  static const char *const imo[] = {"imo", NULL};
  static const char *const call[] = {"callsign", "call_sign", NULL};
  static const char *const type[] = {"vesseltype", "shiptype", "ship_type", "ship type", NULL};
  r->c_id = col(h, n, id); r->c_mmsi = col(h, n, mmsi); r->c_t = col(h, n, t);
  r->c_lat = col(h, n, lat); r->c_lon = col(h, n, lon); r->c_sog = col(h, n, sog);
  r->c_cog = col(h, n, cog); r->c_head = col(h, n, head); r->c_name = col(h, n, name);
  r->c_imo = col(h, n, imo); r->c_call = col(h, n, call); r->c_type = col(h, n, type);
}

kpw_result kpw_track_open(const char *path, kpw_track_format fmt, kpw_track_reader **out,
                          kpw_error *err) {
  *out = NULL;
  kpw_track_reader *r = kpw_xcalloc(1, sizeof *r);
  snprintf(r->source, sizeof r->source, "%s", path);
  kpw_result res = kpw_input_open(path, &r->in, err);
  if (res != KPW_OK) { free(r); return res; }
  const void *pk; size_t np = 0;
  res = kpw_input_peek(r->in, &pk, &np, err);
  if (res != KPW_OK) { kpw_track_close(r); return res; }
  const unsigned char *b = pk;
  size_t k = 0;
  if (np >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) k = 3;
  while (k < np && isspace(b[k])) k++;
  bool nmea = k < np && (b[k] == '!' || b[k] == '\\' || b[k] == '$');
  /* comment lines before the sentences (pyais-style logs) */
  if (!nmea && np && (memmem(b, np, "VDM,", 4) || memmem(b, np, "VDO,", 4)) &&
      !memmem(b, np < 512 ? np : 512, ",lat", 4) && !memmem(b, np < 512 ? np : 512, ",LAT", 4))
    nmea = true;
  if (fmt == KPW_TRACK_NMEA || (fmt == KPW_TRACK_AUTO && nmea)) {
    r->fmt = KPW_TRACK_NMEA;
    r->dec = kpw_ais_decoder_new(NULL);
    r->rbuf = kpw_xmalloc(1 << 16);
    r->line = kpw_xmalloc(NMEA_LINE_MAX);
    if (!r->dec) {
      kpw_track_close(r);
      return kpw_error_set(err, KPW_ENOMEM, path, 0, 0, "cannot create the NMEA decoder");
    }
    *out = r;
    return KPW_OK;
  }
  cookie_io_functions_t io = {.read = cookie_read, .write = NULL, .seek = NULL, .close = NULL};
  r->f = fopencookie(r, "r", io);
  if (!r->f) { kpw_track_close(r); return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open stream"); }
  res = kpw_csv_open(r->f, r->source, ',', &r->csv, err);
  if (res != KPW_OK) { kpw_track_close(r); return res; }
  const char **h; size_t nh;
  res = kpw_csv_next(r->csv, &h, &nh, err);
  if (res == KPW_DONE) res = kpw_error_set(err, KPW_EINPUT, path, 1, 0, "empty track file");
  if (res == KPW_ENOMEM) { res = KPW_EINPUT; if (err) err->code = res; }  /* CSV caps: not a track file */
  if (res != KPW_OK) {
    if (r->io_res != KPW_OK && err) *err = r->io_err;
    kpw_track_close(r);
    return res;
  }
  map_columns(r, h, nh);
  bool is_dma = nh >= 3 && strstr(h[0], "Timestamp") && strcasecmp(h[1], "Type of mobile") == 0;
  bool is_noaa = r->c_mmsi == 0 && nh >= 4 && strcasecmp(h[1], "BaseDateTime") == 0;
  if (fmt == KPW_TRACK_AUTO)
    fmt = is_dma ? KPW_TRACK_DMA : is_noaa ? KPW_TRACK_NOAA : KPW_TRACK_GENERIC;
  r->fmt = fmt;
  r->ts_style = fmt == KPW_TRACK_DMA ? TS_DMA : fmt == KPW_TRACK_NOAA ? TS_ISO : TS_ANY;
  if (fmt != KPW_TRACK_GENERIC) r->c_id = -1;    /* the vessel is its MMSI */
  if ((r->c_id < 0 && r->c_mmsi < 0) || r->c_t < 0 || r->c_lat < 0 || r->c_lon < 0) {
    kpw_track_close(r);
    return kpw_error_set(err, KPW_EINPUT, path, 1, 0,
                         "unrecognised track CSV header: need a vessel column (vessel_id or mmsi), "
                         "timestamp, lat and lon (or a NOAA MarineCadastre / DMA header)");
  }
  *out = r;
  return KPW_OK;
}

/* Count a skipped row; keep "file:line: what" of the first. what is a
** printf format with one %s argument (a literal at every call site). */
#define bad_row(r, fmt, what) do { \
    (r)->st.bad_fields++; \
    if (!(r)->has_bad) { \
      (r)->has_bad = true; \
      kpw_error_set(&(r)->first_bad, KPW_EINPUT, (r)->source, \
        (r)->csv ? kpw_csv_line((r)->csv) : (r)->lineno, 0, fmt, what); \
    } \
  } while (0)

static const char *fld(const char **f, size_t n, int c) {
  return c >= 0 && (size_t)c < n ? f[c] : "";
}

static double opt_num(const char **f, size_t n, int c) {
  double v;
  return parse_num(fld(f, n, c), &v) ? v : NAN;
}

static void copy_text(char *dst, size_t cap, const char *s) {
  while (*s == ' ') s++;
  size_t len = strlen(s);
  while (len && s[len - 1] == ' ') len--;
  if (len >= cap) len = cap - 1;
  memcpy(dst, s, len);
  dst[len] = 0;
}

static void on_msg(const kpw_ais_message *m, void *ctx) {
  kpw_track_reader *r = ctx;
  int t = m->type;
  bool pos = t == 1 || t == 2 || t == 3 || t == 18 || t == 19 || t == 27;
  if (!pos && t != 5 && t != 24) return;          /* not a vessel track record */
  if (m->time_us == KPW_TIME_NONE) {
    bad_row(r, "%s", "AIS message without a time (needs a tag block c: or $PGHP line)");
    return;
  }
  if (r->q_n == NMEA_QCAP) { r->st.bad_fields++; return; }
  kpw_ais_fix *f = &r->q[(r->q_head + r->q_n++) % NMEA_QCAP];
  memset(f, 0, sizeof *f);
  f->t_us = m->time_us;
  f->mmsi = m->mmsi;
  snprintf(f->vessel_id, sizeof f->vessel_id, "%u", (unsigned)m->mmsi);
  f->lat = pos ? m->lat : NAN; f->lon = pos ? m->lon : NAN;
  if (f->lat == 91 || fabs(f->lat) > 90) f->lat = NAN;
  if (f->lon == 181 || fabs(f->lon) > 180) f->lon = NAN;
  f->sog = pos ? m->sog : NAN; f->cog = pos ? m->cog : NAN; f->heading = pos ? m->heading : NAN;
  if (!(f->sog >= 0 && f->sog < 102.25)) f->sog = NAN;
  if (!(f->cog >= 0 && f->cog < 360)) f->cog = NAN;
  if (!(f->heading >= 0 && f->heading < 360)) f->heading = NAN;
  f->imo = m->imo;
  snprintf(f->name, sizeof f->name, "%s", m->shipname);
  snprintf(f->callsign, sizeof f->callsign, "%s", m->callsign);
  f->shiptype = m->shiptype;
  f->source = r->source;
  f->line = m->line;
}

/* Next line of the NMEA stream into r->line; false at the end. */
static kpw_result nmea_line(kpw_track_reader *r, bool *got, kpw_error *err) {
  r->line_len = 0; r->line_long = false;
  for (;;) {
    if (r->rb_pos == r->rb_len) {
      if (r->eof) { *got = r->line_len > 0 || r->line_long; return KPW_OK; }
      size_t n = 0;
      kpw_result res = kpw_input_read(r->in, r->rbuf, 1 << 16, &n, err);
      if (res != KPW_OK) return res;
      r->rb_len = n; r->rb_pos = 0;
      if (n == 0) { r->eof = true; continue; }
    }
    char *nl = memchr(r->rbuf + r->rb_pos, '\n', r->rb_len - r->rb_pos);
    size_t take = (nl ? (size_t)(nl - r->rbuf) : r->rb_len) - r->rb_pos;
    if (r->line_len + take > NMEA_LINE_MAX - 1) r->line_long = true;   /* keep counting, drop bytes */
    else { memcpy(r->line + r->line_len, r->rbuf + r->rb_pos, take); r->line_len += take; }
    r->rb_pos += take;
    if (nl) { r->rb_pos++; *got = true; return KPW_OK; }
  }
}

static kpw_result nmea_next(kpw_track_reader *r, kpw_ais_fix *fix, kpw_error *err) {
  while (r->q_n == 0) {
    bool got = false;
    kpw_result res = nmea_line(r, &got, err);
    if (res != KPW_OK) return res;
    if (!got) { kpw_ais_decoder_flush(r->dec); return KPW_DONE; }
    r->lineno++;
    r->st.lines++;
    if (r->line_long) { bad_row(r, "%s", "line longer than 64 KiB"); continue; }
    res = kpw_ais_decoder_feed_line(r->dec, r->line, r->line_len, r->source, r->lineno, on_msg, r, err);
    if (res != KPW_OK) return res;
  }
  *fix = r->q[r->q_head];
  r->q_head = (r->q_head + 1) % NMEA_QCAP;
  r->q_n--;
  r->st.messages++;
  return KPW_OK;
}

kpw_result kpw_track_next(kpw_track_reader *r, kpw_ais_fix *fix, kpw_error *err) {
  if (r->fmt == KPW_TRACK_NMEA) return nmea_next(r, fix, err);
  for (;;) {
    const char **f; size_t n;
    kpw_result res = kpw_csv_next(r->csv, &f, &n, err);
    if (res == KPW_DONE && r->io_res != KPW_OK) { if (err) *err = r->io_err; return r->io_res; }
    if (r->io_res != KPW_OK && res != KPW_OK) { if (err) *err = r->io_err; return r->io_res; }
    if (res == KPW_ENOMEM) { res = KPW_EINPUT; if (err) err->code = res; }  /* oversize record */
    if (res != KPW_OK) return res;
    r->st.lines++;
    if (n == 1 && f[0][0] == 0) continue;     /* a line of blanks */
    memset(fix, 0, sizeof *fix);
    fix->source = r->source;
    fix->line = kpw_csv_line(r->csv);
    /* vessel */
    const char *ms = fld(f, n, r->c_mmsi);
    while (*ms == ' ') ms++;
    if (*ms) {
      char *e; errno = 0;
      unsigned long long v = strtoull(ms, &e, 10);
      while (*e == ' ') e++;
      if (!*e && !errno && v <= 999999999ULL) fix->mmsi = (uint32_t)v;
      else if (r->c_id < 0) { bad_row(r, "bad MMSI '%s'", ms); continue; }
    }
    const char *id = r->c_id >= 0 ? fld(f, n, r->c_id) : ms;
    while (*id == ' ') id++;
    if (!*id) { bad_row(r, "%s", "no vessel id"); continue; }
    if (strlen(id) >= sizeof fix->vessel_id) { bad_row(r, "vessel id longer than 39 bytes: '%.40s...'", id); continue; }
    copy_text(fix->vessel_id, sizeof fix->vessel_id, id);
    /* time */
    const char *ts = fld(f, n, r->c_t);
    if (!parse_time(r->ts_style, ts, &fix->t_us)) { bad_row(r, "bad timestamp '%.60s'", ts); continue; }
    /* position */
    double lat, lon;
    if (!parse_num(fld(f, n, r->c_lat), &lat) || !parse_num(fld(f, n, r->c_lon), &lon)) {
      bad_row(r, "bad or missing lat/lon '%.40s'", fld(f, n, r->c_lat)); continue;
    }
    if (lat == 91) lat = NAN;
    if (lon == 181) lon = NAN;
    if (fabs(lat) > 90 || fabs(lon) > 180) { bad_row(r, "%s", "lat/lon out of range"); continue; }
    fix->lat = lat; fix->lon = lon;
    fix->sog = opt_num(f, n, r->c_sog);
    if (fix->sog >= 102.25 || fix->sog < 0) fix->sog = NAN;   /* 102.3 = not available */
    fix->cog = opt_num(f, n, r->c_cog);
    if (fix->cog >= 360 || fix->cog < 0) fix->cog = NAN;      /* 360 = not available */
    fix->heading = opt_num(f, n, r->c_head);
    if (fix->heading >= 360 || fix->heading < 0) fix->heading = NAN;  /* 511 */
    const char *im = fld(f, n, r->c_imo);
    while (*im == ' ') im++;
    if (strncasecmp(im, "IMO", 3) == 0) im += 3;
    double iv;
    if (parse_num(im, &iv) && iv > 0 && iv <= 9999999 && iv == floor(iv)) fix->imo = (uint32_t)iv;
    copy_text(fix->name, sizeof fix->name, fld(f, n, r->c_name));
    copy_text(fix->callsign, sizeof fix->callsign, fld(f, n, r->c_call));
    double ty = opt_num(f, n, r->c_type);
    fix->shiptype = isfinite(ty) && ty >= 0 && ty < 1000 ? (int)ty : 0;
    r->st.messages++;
    return KPW_OK;
  }
}

kpw_track_format kpw_track_format_of(const kpw_track_reader *r) { return r->fmt; }
const kpw_ais_stats *kpw_track_stats(const kpw_track_reader *r) { return &r->st; }

bool kpw_track_first_bad(const kpw_track_reader *r, kpw_error *out) {
  if (!r->has_bad) return false;
  if (out) *out = r->first_bad;
  return true;
}

void kpw_track_close(kpw_track_reader *r) {
  if (!r) return;
  if (r->csv) kpw_csv_close(r->csv);
  if (r->f) fclose(r->f);
  if (r->in) kpw_input_close(r->in);
  if (r->dec) kpw_ais_decoder_free(r->dec);
  free(r->rbuf); free(r->line);
  free(r);
}
