/*
** finding.c -- the one Finding record every detector emits, rendered as a
** JSON object (the JSONL sink) and the ISO 8601 UTC time format shared by
** every module.
**
** Output is byte-stable: field order is fixed (kind, subjects, start, end,
** lat, lon, score, explain, evidence, detail) and documented in
** docs/findings.md; fields may be added at the end, never renamed. Every
** object is written on one line (JSONL), whatever the caller passes.
*/
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kpw/finding.h"

/* Floor division and modulo for a positive divisor, valid for every int64
** including INT64_MIN (C division truncates towards zero). */
static int64_t floor_div(int64_t a, int64_t d, int64_t *rem) {
  int64_t q = a / d, r = a % d;
  if (r < 0) { q -= 1; r += d; }
  if (rem) *rem = r;
  return q;
}

/* Proleptic Gregorian civil date from days since 1970-01-01 (Hinnant's
** algorithm; exact for the whole range of days an int64 of microseconds
** can express, about +-292,000 years). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;                                  /* [0, 146096] */
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           /* [0, 365] */
  int64_t mp = (5 * doy + 2) / 153;                                /* [0, 11] */
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

void kpw_time_format(int64_t us, char *out) {
  int64_t frac, sod;
  int64_t secs = floor_div(us, 1000000, &frac);
  int64_t days = floor_div(secs, 86400, &sod);
  int64_t y; int mo, d;
  civil_from_days(days, &y, &mo, &d);
  int hh = (int)(sod / 3600), mi = (int)(sod / 60 % 60), ss = (int)(sod % 60);
  /* Years outside 0000..9999 use the ISO 8601 expanded form (sign, at least
  ** four digits). Worst case "-292277-01-09T04:00:54.775808Z" is 30 bytes,
  ** within the 32 the header promises. */
  char ybuf[24];
  if (y >= 0 && y <= 9999) snprintf(ybuf, sizeof ybuf, "%04" PRId64, y);
  else if (y < 0) snprintf(ybuf, sizeof ybuf, "-%04" PRId64, -y);
  else snprintf(ybuf, sizeof ybuf, "+%" PRId64, y);
  /* Fixed-width fields written digit by digit: every value is in range by
  ** construction (month 1..12, day 1..31, ...). */
  size_t n = strlen(ybuf);
  memcpy(out, ybuf, n);
  const int parts[5] = {mo, d, hh, mi, ss};
  const char seps[5] = {'-', '-', 'T', ':', ':'};
  for (int i = 0; i < 5; i++) {
    out[n++] = seps[i];
    out[n++] = (char)('0' + parts[i] / 10 % 10);
    out[n++] = (char)('0' + parts[i] % 10);
  }
  if (frac) {
    out[n++] = '.';
    for (int64_t div = 100000; div >= 1; div /= 10)
      out[n++] = (char)('0' + frac / div % 10);
  }
  out[n++] = 'Z';
  out[n] = 0;
}

/* Degrees with at most 6 decimals (~0.1 m), trailing zeros trimmed: the
** generic JSON number writer keeps 6 significant digits, which would cost
** positions up to a kilometre. */
static void put_degrees(kpw_buf *b, double v) {
  char tmp[48];
  int n = snprintf(tmp, sizeof tmp, "%.6f", v);
  if (n <= 0 || (size_t)n >= sizeof tmp) { kpw_buf_puts(b, "0"); return; }
  while (n > 1 && tmp[n - 1] == '0') n--;
  if (tmp[n - 1] == '.') n--;
  tmp[n] = 0;
  if (strcmp(tmp, "-0") == 0) strcpy(tmp, "0");
  kpw_buf_puts(b, tmp);
}

/* Copy a pre-rendered JSON object, folding raw CR/LF into spaces so the
** record stays on one line (outside strings they are insignificant white
** space; inside strings they would be invalid JSON anyway). */
static void put_detail(kpw_buf *b, const char *detail) {
  const char *p = detail;
  if (p) while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  if (!p || !*p) { kpw_buf_puts(b, "{}"); return; }
  size_t n = strlen(p);
  while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' ||
                   p[n - 1] == '\r'))
    n--;
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\n' || p[i] == '\r') {
      kpw_buf_put(b, p + start, i - start);
      kpw_buf_putc(b, ' ');
      start = i + 1;
    }
  }
  kpw_buf_put(b, p + start, n - start);
}

void kpw_finding_json(const kpw_finding *f, kpw_buf *b) {
  char tbuf[32];
  kpw_buf_putc(b, '{');
  kpw_json_key(b, "kind");
  kpw_json_str(b, f->kind ? f->kind : "");

  kpw_buf_putc(b, ',');
  kpw_json_key(b, "subjects");
  kpw_buf_putc(b, '[');
  for (size_t i = 0; f->subjects && i < f->n_subjects; i++) {
    if (i) kpw_buf_putc(b, ',');
    kpw_json_str(b, f->subjects[i] ? f->subjects[i] : "");
  }
  kpw_buf_putc(b, ']');

  if (f->start_us != KPW_TIME_NONE) {
    kpw_time_format(f->start_us, tbuf);
    kpw_buf_putc(b, ',');
    kpw_json_key(b, "start");
    kpw_json_str(b, tbuf);
  }
  if (f->end_us != KPW_TIME_NONE) {
    kpw_time_format(f->end_us, tbuf);
    kpw_buf_putc(b, ',');
    kpw_json_key(b, "end");
    kpw_json_str(b, tbuf);
  }
  /* A place is written only when both coordinates are usable numbers. */
  if (f->has_place && isfinite(f->lat) && isfinite(f->lon)) {
    kpw_buf_putc(b, ',');
    kpw_json_key(b, "lat");
    put_degrees(b, f->lat);
    kpw_buf_putc(b, ',');
    kpw_json_key(b, "lon");
    put_degrees(b, f->lon);
  }

  /* The contract says 0..1; clamp so a detector bug cannot emit NaN (not
  ** JSON) or an out-of-range score. */
  double s = f->score;
  if (!(s >= 0.0)) s = 0.0;  /* also catches NaN */
  if (s > 1.0) s = 1.0;
  kpw_buf_putc(b, ',');
  kpw_json_key(b, "score");
  kpw_json_num(b, s);

  kpw_buf_putc(b, ',');
  kpw_json_key(b, "explain");
  kpw_json_str(b, f->explain ? f->explain : "");

  kpw_buf_putc(b, ',');
  kpw_json_key(b, "evidence");
  kpw_buf_putc(b, '[');
  for (size_t i = 0; f->evidence && i < f->n_evidence; i++) {
    const kpw_evidence *e = &f->evidence[i];
    if (i) kpw_buf_putc(b, ',');
    kpw_buf_putc(b, '{');
    kpw_json_key(b, "source");
    kpw_json_str(b, e->source ? e->source : "");
    if (e->line) {
      kpw_buf_putc(b, ',');
      kpw_json_key(b, "line");
      kpw_json_int(b, (int64_t)e->line);
    }
    if (e->offset) {
      kpw_buf_putc(b, ',');
      kpw_json_key(b, "offset");
      kpw_json_int(b, (int64_t)e->offset);
    }
    if (e->ref) {
      kpw_buf_putc(b, ',');
      kpw_json_key(b, "ref");
      kpw_json_str(b, e->ref);
    }
    kpw_buf_putc(b, '}');
  }
  kpw_buf_putc(b, ']');

  kpw_buf_putc(b, ',');
  kpw_json_key(b, "detail");
  put_detail(b, f->detail_json);
  kpw_buf_putc(b, '}');
}

kpw_result kpw_finding_write_jsonl(const kpw_finding *f, FILE *out,
                                   kpw_error *err) {
  kpw_buf b;
  kpw_buf_init(&b);
  kpw_finding_json(f, &b);
  kpw_buf_putc(&b, '\n');
  size_t w = fwrite(b.data, 1, b.len, out);
  bool ok = w == b.len && !ferror(out);
  kpw_buf_free(&b);
  if (!ok)
    return kpw_error_set(err, KPW_EIO, "findings", 0, 0,
                         "cannot write finding: output error");
  return KPW_OK;
}

int64_t kpw_days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static bool take_digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *p += n;
  *out = v;
  return true;
}

bool kpw_time_parse(const char *s, int64_t *t_us) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, mo, d, h, mi, sec = 0;
  const char *p = s;
  if (!p) return false;
  while (*p == ' ') p++;
  if (!take_digits(&p, 4, &y) || *p++ != '-' || !take_digits(&p, 2, &mo) || *p++ != '-' ||
      !take_digits(&p, 2, &d))
    return false;
  if (*p != 'T' && *p != 't' && *p != ' ') return false;
  p++;
  if (!take_digits(&p, 2, &h) || *p++ != ':' || !take_digits(&p, 2, &mi)) return false;
  int64_t us = 0;
  if (*p == ':') {
    p++;
    if (!take_digits(&p, 2, &sec)) return false;
    if (*p == '.' || *p == ',') {
      int64_t scale = 100000;
      for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10) if (scale) us += (*p - '0') * scale;
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60) return false;
  if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
  int64_t off = 0;
  while (*p == ' ') p++;
  if (*p == 'Z' || *p == 'z') p++;
  else if (strncasecmp(p, "UTC", 3) == 0 || strncasecmp(p, "GMT", 3) == 0) p += 3;
  else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1, oh, om = 0;
    p++;
    if (!take_digits(&p, 2, &oh)) return false;
    if (*p == ':') p++;
    if (*p >= '0' && *p <= '9' && !take_digits(&p, 2, &om)) return false;
    if (oh > 14 || om > 59) return false;
    off = sign * (oh * 3600 + om * 60);
  }
  while (*p == ' ') p++;
  if (*p) return false;
  *t_us = (kpw_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off) * 1000000 + us;
  return true;
}
