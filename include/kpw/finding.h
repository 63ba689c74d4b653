/*
** finding.h -- the one record every detector emits, and its sinks.
**
** A finding names a kind (from the vocabulary in docs/findings.md), typed
** subjects ("mmsi:441910000", "list:UN:KPi.033"), a time span, an optional
** place, a score, a human explanation, evidence with provenance, and a
** kind-specific detail object (pre-rendered JSON). Field names are stable:
** fields may be added, never renamed.
**
** Sinks: JSON lines (default, to a FILE*) and the SQLite store (store.h).
*/
#ifndef KPW_FINDING_H
#define KPW_FINDING_H

#include <stdio.h>
#include "kpw/kpw.h"
#include "kpw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KPW_TIME_NONE INT64_MIN   /* "no time" for start/end */

typedef struct kpw_evidence {
  const char *source;   /* file name, "-" or a list name */
  uint64_t line;        /* 1-based line, 0 if not applicable */
  uint64_t offset;      /* byte offset, 0 if not applicable */
  const char *ref;      /* other provenance: packet number, txid, entity id; may be NULL */
} kpw_evidence;

typedef struct kpw_finding {
  const char *kind;                 /* "screening_match", "encounter", ... */
  const char **subjects; size_t n_subjects;
  int64_t start_us, end_us;         /* UTC microseconds or KPW_TIME_NONE */
  bool has_place; double lat, lon;  /* degrees */
  double score;                     /* 0..1 */
  const char *explain;              /* one human sentence */
  const kpw_evidence *evidence; size_t n_evidence;
  const char *detail_json;          /* a JSON object text, or NULL for {} */
} kpw_finding;

/* Append the finding as one JSON object (no newline) to b. */
void kpw_finding_json(const kpw_finding *f, kpw_buf *b);
/* Write the finding as one JSON line to out. */
kpw_result kpw_finding_write_jsonl(const kpw_finding *f, FILE *out,
                                   kpw_error *err);
/* ISO 8601 UTC ("2018-02-16T03:10:00Z", with .ffffff when not whole). */
void kpw_time_format(int64_t us, char *out /* >= 32 bytes */);
/* The inverse, and what the track and chain readers accept: ISO 8601
** "YYYY-MM-DD[T ]HH:MM[:SS[.f]]" with "Z", " UTC", "+HH[:]MM" or nothing
** (UTC), years 0000-9999, blanks around. False on anything else. */
bool kpw_time_parse(const char *s, int64_t *us);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t kpw_days_from_civil(int64_t y, int m, int d);

#ifdef __cplusplus
}
#endif
#endif
