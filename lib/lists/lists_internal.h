/*
** lists_internal.h -- internal contract between the list loaders of
** lib/lists: the per-record entity builder, small hash maps, the expat
** driver, internal setters on the listset and the per-format loaders.
**
** Nothing here is visible to front-ends (include/kpw/lists.h is the API).
** Invariants:
**  - a loader builds one record at a time in a kpw_ebuild (bounded: every
**    array has a cap, every string is length-checked) and hands it to the
**    set with eb_finish(), which deep-copies it;
**  - side tables that outlive a record (OFAC reference values, documents by
**    identity) live in the loader's own arena and are freed when it returns.
*/
#ifndef KPW_LISTS_INTERNAL_H
#define KPW_LISTS_INTERNAL_H

#include <stdio.h>
#include "kpw/lists.h"
#include "kpw/util.h"

/* ------------------------------------------------------------ caps */
#define EB_MAX_NAMES     1024u   /* names per entity */
#define EB_MAX_DATES     64u
#define EB_MAX_COUNTRIES 64u
#define EB_MAX_IDS       2048u
#define EB_MAX_STR       (64u * 1024u)  /* one name / id / field */
#define EB_MAX_PROGRAMS  1024u          /* bytes of the programs string */
#define EB_MAX_REMARKS   (256u * 1024u)

/* ------------------------------------------------------------ hash maps */
/* String -> uint32 map (open addressing; keys are borrowed, caller keeps
** them alive, e.g. in an arena). */
typedef struct kpw_smap {
  const char **keys; uint32_t *vals; size_t cap, n;
} kpw_smap;
void kpw_smap_free(kpw_smap *m);
/* Returns pointer to the value slot or NULL. */
uint32_t *kpw_smap_get(const kpw_smap *m, const char *key);
/* Insert if absent; returns the value slot (new slots hold init). */
uint32_t *kpw_smap_put(kpw_smap *m, const char *key, uint32_t init, bool *added);
uint64_t kpw_hash_str(const char *s);

/* uint64 -> uint64 map. Key 0 is reserved (never stored). */
typedef struct kpw_u64map {
  uint64_t *keys; uint64_t *vals; size_t cap, n;
} kpw_u64map;
void kpw_u64map_free(kpw_u64map *m);
bool kpw_u64map_get(const kpw_u64map *m, uint64_t key, uint64_t *val);
void kpw_u64map_set(kpw_u64map *m, uint64_t key, uint64_t val);

/* ------------------------------------------------------------ listset */
/* Internal setters used by loaders whose formats give a fact after the
** record (OFAC SanctionsEntries follow the parties). Single-threaded load
** only: callers must not share the set with readers while loading. */
void kpw__listset_add_programs(kpw_listset *ls, uint32_t index, const char *programs);
void kpw__listset_set_listed_on(kpw_listset *ls, uint32_t index, const char *date);
/* The list currently being filled (or NULL). */
kpw_listinfo *kpw__listset_current(kpw_listset *ls);

/* ------------------------------------------------------------ builder */
typedef struct kpw_ebuild {
  kpw_listset *ls;
  kpw_arena *a;                       /* per-record strings, reset by eb_begin */
  kpw_entity e;
  kpw_name names[EB_MAX_NAMES];
  const char *dates[EB_MAX_DATES];
  const char *countries[EB_MAX_COUNTRIES];
  kpw_ident ids[EB_MAX_IDS];
  char programs[EB_MAX_PROGRAMS];
  size_t programs_len;
  uint64_t dropped;                   /* values dropped by caps (reported) */
} kpw_ebuild;

kpw_ebuild *eb_new(kpw_listset *ls);
void eb_free(kpw_ebuild *b);
void eb_begin(kpw_ebuild *b);
/* Copy a string into the record's arena (trimmed, whitespace collapsed). */
const char *eb_str(kpw_ebuild *b, const char *s, size_t n);
void eb_id(kpw_ebuild *b, const char *prefix, const char *ref);
/* script < 0: detect. Empty text is ignored; duplicates merged. */
void eb_name(kpw_ebuild *b, const char *text, kpw_name_kind kind, int script, bool weak);
void eb_dob(kpw_ebuild *b, const char *text);            /* any kpw_date_parse form */
void eb_dob_ymd(kpw_ebuild *b, int y, int m, int d);
void eb_country_iso2(kpw_ebuild *b, const char *iso2);
void eb_country_text(kpw_ebuild *b, const char *text);   /* name or code */
/* Normalises value by kind; IMO values are extracted/validated (invalid
** ones are kept as KPW_ID_OTHER with the label so nothing is lost). */
void eb_ident(kpw_ebuild *b, kpw_id_kind kind, const char *value,
              const char *label, const char *chain);
void eb_program(kpw_ebuild *b, const char *p);
void eb_remarks(kpw_ebuild *b, const char *text);
void eb_gender(kpw_ebuild *b, const char *text);
/* Hand the record to the set. Returns the stored entity or NULL when the
** record has no name and no identifier (skipped). */
const kpw_entity *eb_finish(kpw_ebuild *b);

/* ------------------------------------------------------------ XML driver */
typedef struct kpw_xml kpw_xml;
typedef void (*kpw_xml_start_fn)(kpw_xml *x, void *ud, const char *name, const char **atts);
typedef void (*kpw_xml_end_fn)(kpw_xml *x, void *ud, const char *name, const char *text, size_t len);
/* Parse the whole stream, calling start/end with local element names and
** the text content of each element (leaf text; whitespace kept). Never
** loads DTDs or external entities and rejects entity declarations. */
kpw_result kpw_xml_run(kpw_input *in, const char *source, kpw_xml_start_fn start,
                       kpw_xml_end_fn end, void *ud, kpw_error *err);
/* Abort from a callback with a KPW_EINPUT error at the current location. */
void kpw_xml_fail(kpw_xml *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
uint64_t kpw_xml_line(const kpw_xml *x);
const char *kpw_xml_attr(const char **atts, const char *name);

/* ------------------------------------------------------------ input glue */
/* A stdio FILE reading the decompressed stream (for kpw_csv). Read errors
** are kept and returned by kpw__input_file_error(). fclose() the FILE; it
** does not close the kpw_input. */
typedef struct kpw_input_file kpw_input_file;
FILE *kpw__input_fopen(kpw_input *in, kpw_input_file **state);
kpw_result kpw__input_file_error(kpw_input_file *st, kpw_error *err);
void kpw__input_file_free(kpw_input_file *st);

/* ------------------------------------------------------------ loaders */
typedef struct kpw_load_ctx {
  kpw_listset *ls;
  kpw_input *in;
  const char *source;      /* name for errors */
  const char *path;        /* file path when loading a file, else NULL */
  const char *name_hint;
  kpw_listinfo *info;
  kpw_error *err;
} kpw_load_ctx;

kpw_result kpw__load_un_xml(kpw_load_ctx *c);
kpw_result kpw__load_ofac_xml(kpw_load_ctx *c);
kpw_result kpw__load_eu_xml(kpw_load_ctx *c);
kpw_result kpw__load_ofac_csv(kpw_load_ctx *c);
kpw_result kpw__load_ftm(kpw_load_ctx *c);
kpw_result kpw__load_plain_csv(kpw_load_ctx *c);

/* Helpers shared by loaders. */
int kpw__imo_schemes(const char *digits7);  /* 1 ship | 2 company */
const char *kpw__basename(const char *path, char *out, size_t cap); /* w/o ext */
void kpw__split_programs(kpw_ebuild *b, const char *text); /* "A] [B", "A;B" */

#endif
