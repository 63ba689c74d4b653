/*
** screen.h -- name and identifier matching against a kpw_listset.
**
** kpw_screener is built once from a list set (normalised name forms,
** romanisation keys, an inverted index over tokens and phonetic/skeleton
** keys, exact maps of identifiers) and is then read-only: any number of
** threads may query it at once. Each query allocates its own scratch.
**
** Scores are in [0,1]. An exact identifier match scores 1.0. A hit is a
** "match" when its score reaches the threshold (KPW_DEFAULT_THRESHOLD
** unless the caller gives one). Every hit has a compact explanation.
*/
#ifndef KPW_SCREEN_H
#define KPW_SCREEN_H

#include "kpw/kpw.h"
#include "kpw/lists.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The operating threshold used when none is given; chosen on the
** name-pair benchmark and the false-positive set (docs/matching.md). */
extern const double KPW_DEFAULT_THRESHOLD;

/* One query: any of names, identifiers and qualifiers may be absent. */
typedef struct kpw_query {
  const char *id;                 /* caller's id, echoed (may be NULL) */
  kpw_schema schema;              /* KPW_SCHEMA_ANY when unknown */
  const char **names; size_t n_names;
  const char *birth_date;         /* partial ISO date or NULL */
  const char *country;            /* ISO2 or a country name, or NULL */
  char gender;                    /* 'm', 'f' or 0 */
  /* Identifiers, raw as the user gave them; normalised by the screener.
  ** kind KPW_ID_CRYPTO / IMO / MMSI / PASSPORT / ... */
  const kpw_ident *ids; size_t n_ids;
} kpw_query;

typedef struct kpw_hit {
  const kpw_entity *entity;
  double score;                   /* 0..1 */
  bool match;                     /* score >= threshold */
  const char *matched_name;       /* the entity's name (or id value) that scored best */
  const char *query_name;         /* the query name (or id) that scored best */
  char explain[256];              /* e.g. "name 0.93 (kim=kim 1.00, jong-un~jongun 0.97); dob year =; country kp =" */
} kpw_hit;

typedef struct kpw_screener kpw_screener;

kpw_result kpw_screener_new(const kpw_listset *ls, kpw_screener **out,
                            kpw_error *err);
void kpw_screener_free(kpw_screener *s);

/* Screen one query. Writes up to max_hits hits, best first, with
** score >= min_score (pass 0 for "anything the candidates gave", the CLI
** passes a cutoff below the threshold so near misses are visible).
** Returns the number of hits written. Thread-safe. */
size_t kpw_screen(const kpw_screener *s, const kpw_query *q,
                  double threshold, double min_score,
                  kpw_hit *hits, size_t max_hits);

/* Compare two names directly (no lists). explain may be NULL. */
double kpw_compare_names(kpw_schema schema, const char *a, const char *b,
                         char *explain, size_t explain_cap);

/* Romanised comparable forms of a name, for display and debugging:
** writes the forms separated by " | " (e.g. for 김정은:
** "kim jong un | kim chong un | gim jeong eun"). Returns out. */
const char *kpw_name_forms(const char *name, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
