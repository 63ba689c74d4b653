/*
** date.c -- partial dates as watchlists write them.
**
** Accepted: "1964", "1964-07", "1964-07-17" (and a trailing time such as
** "T00:00:00Z"), "17 Jul 1964", "17 July 1964", "Jul 1964", "July 17, 1964",
** "17/07/1964", "17.07.1964" (day first, as UN/EU/OFAC write), "1964/07/17",
** and prefixes lists use ("circa 1964", "c. 1964", "approximately 1964").
** Output is normalised to year/month/day with 0 for unknown parts; values
** are range-checked (year 1000..2999, month 1..12, day 1..days-in-month).
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "kpw/util.h"

static const char *MONTHS[12] = {
  "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
};

static int days_in(int y, int m) {
  static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return d[m - 1];
}

/* Month from a word ("Jul", "July", "Sept"); 0 if not a month. */
static int month_word(const char *s, size_t n) {
  if (n < 3) return 0;
  for (int i = 0; i < 12; i++) {
    if (strncasecmp(s, MONTHS[i], 3) != 0) continue;
    static const char *full[12] = { "january", "february", "march", "april", "may", "june",
                                    "july", "august", "september", "october", "november", "december" };
    if (n == 3 || (n <= strlen(full[i]) && strncasecmp(s, full[i], n) == 0) ||
        (i == 8 && n == 4 && strncasecmp(s, "sept", 4) == 0))
      return i + 1;
  }
  return 0;
}

typedef struct { int kind; long val; int len; } tok_t;  /* kind 1 number, 2 month word */

static bool valid(kpw_date *d) {
  if (d->year < 1000 || d->year > 2999) return false;
  if (d->month < 0 || d->month > 12) return false;
  if (d->month == 0 && d->day != 0) return false;
  if (d->day < 0 || (d->day > 0 && d->day > days_in(d->year, d->month))) return false;
  return true;
}

bool kpw_date_parse(const char *text, kpw_date *out) {
  kpw_date d = { 0, 0, 0 };
  if (out) *out = d;
  if (!text) return false;
  size_t n = strnlen(text, 128);
  tok_t t[8];
  int nt = 0;
  size_t i = 0;
  while (i < n && nt < 8) {
    unsigned char c = (unsigned char)text[i];
    if (isdigit(c)) {
      long v = 0; int len = 0;
      while (i < n && isdigit((unsigned char)text[i]) && len < 9) { v = v * 10 + (text[i] - '0'); i++; len++; }
      if (i < n && isdigit((unsigned char)text[i])) return false;
      t[nt].kind = 1; t[nt].val = v; t[nt].len = len; nt++;
      /* ISO time part ends the date. */
      if (i < n && (text[i] == 'T' || text[i] == ' ') && nt == 3 && t[0].len == 4) break;
    } else if (isalpha(c)) {
      size_t s = i;
      while (i < n && isalpha((unsigned char)text[i])) i++;
      int m = month_word(text + s, i - s);
      if (m) { t[nt].kind = 2; t[nt].val = m; t[nt].len = 0; nt++; }
      /* other words (circa, c, approximately, about, DOB) are skipped */
    } else {
      i++;
    }
  }
  if (nt == 0) return false;
  /* Find the year: the first 4-digit number. */
  int yi = -1;
  for (int k = 0; k < nt; k++) if (t[k].kind == 1 && t[k].len == 4) { yi = k; break; }
  if (yi < 0) return false;
  d.year = (int)t[yi].val;
  int mi = -1;
  for (int k = 0; k < nt; k++) if (t[k].kind == 2) { mi = k; break; }
  if (mi >= 0) {
    d.month = (int)t[mi].val;
    /* day: a 1-2 digit number adjacent to the month word */
    for (int k = 0; k < nt; k++)
      if (k != yi && t[k].kind == 1 && t[k].len <= 2 && (k == mi - 1 || k == mi + 1)) { d.day = (int)t[k].val; break; }
  } else if (yi == 0) {
    /* YYYY[-MM[-DD]] */
    if (nt >= 2 && t[1].kind == 1 && t[1].len <= 2) {
      d.month = (int)t[1].val;
      if (nt >= 3 && t[2].kind == 1 && t[2].len <= 2) d.day = (int)t[2].val;
    }
  } else if (yi == 2 && t[0].kind == 1 && t[1].kind == 1 && t[0].len <= 2 && t[1].len <= 2) {
    /* DD/MM/YYYY (day first) unless the first cannot be a day-month pair. */
    int a = (int)t[0].val, b = (int)t[1].val;
    if (b > 12 && a <= 12) { d.month = a; d.day = b; }   /* US order, unambiguous */
    else { d.day = a; d.month = b; }
  } else if (yi == 1 && t[0].kind == 1 && t[0].len <= 2) {
    d.month = (int)t[0].val;                             /* MM/YYYY */
  }
  if (!valid(&d)) return false;
  if (out) *out = d;
  return true;
}

void kpw_date_format(const kpw_date *d, char *out) {
  if (!d || d->year <= 0 || d->year > 9999) { out[0] = 0; return; }
  if (d->month <= 0 || d->month > 12) snprintf(out, 11, "%04d", d->year);
  else if (d->day <= 0 || d->day > 31) snprintf(out, 11, "%04d-%02d", d->year, d->month);
  else snprintf(out, 11, "%04d-%02d-%02d", d->year, d->month, d->day);
}
