/*
** kpw.h -- the root of kpwatch's public API: result codes, the error value
** every library call fills, the entity schemas, and the version.
**
** Rules (see docs/design.md):
**  - Library functions return kpw_result and, on failure, fill a kpw_error
**    with a message, the input's name, line and byte offset, and a short
**    excerpt of the offending bytes. The library never prints or exits.
**  - Front-ends (cli/, httpd/) include only headers from include/kpw/.
*/
#ifndef KPW_KPW_H
#define KPW_KPW_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KPW_VERSION "0.1.0"

/* Result of every fallible library call. Values are stable: the CLI maps
** them onto exit codes (KPW_EINPUT -> 3, KPW_EIO/KPW_ENOMEM/KPW_EINTERNAL -> 4,
** KPW_EUSAGE -> 2). KPW_DONE is not an error: an iterator is exhausted. */
typedef enum kpw_result {
  KPW_OK = 0,
  KPW_DONE = 1,       /* end of input / iteration finished */
  KPW_EUSAGE = 2,     /* caller passed bad arguments */
  KPW_EINPUT = 3,     /* malformed input data (location in the error) */
  KPW_EIO = 4,        /* read/write/open failed */
  KPW_ENOMEM = 5,     /* allocation failed or a hard cap was hit */
  KPW_EINTERNAL = 6,  /* a bug or an unsupported situation */
  KPW_ENOTFOUND = 7,  /* a lookup found nothing (e.g. an entity id) */
  KPW_EOFFLINE = 8    /* network needed but not reachable */
} kpw_result;

/* An error value. All fields are owned by the struct (fixed buffers), so it
** can be copied and outlives the call that filled it. line and offset are
** 0 when unknown; line is 1-based, offset is a byte offset into the
** (decompressed) input. */
typedef struct kpw_error {
  kpw_result code;
  char msg[512];
  char source[256];   /* file name, "-" for stdin, or a logical name */
  uint64_t line;
  uint64_t offset;
  char excerpt[64];   /* printable excerpt of the offending bytes, or "" */
} kpw_error;

/* Fill err (which may be NULL) and return code. printf-style message. */
kpw_result kpw_error_set(kpw_error *err, kpw_result code, const char *source,
                         uint64_t line, uint64_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Attach an excerpt of raw bytes (non-printables shown as \xNN). */
void kpw_error_excerpt(kpw_error *err, const void *bytes, size_t n);

/* Clear an error to KPW_OK. */
void kpw_error_clear(kpw_error *err);

/* "source:line: message (offset N, near '...')" into buf; returns buf. */
const char *kpw_error_format(const kpw_error *err, char *buf, size_t cap);

/* A short English name for a result code ("bad input", ...). */
const char *kpw_result_name(kpw_result r);

/* The kinds of listed subject, after FollowTheMoney's schema names. */
typedef enum kpw_schema {
  KPW_SCHEMA_ANY = 0,       /* unknown / not given: matches every schema */
  KPW_SCHEMA_PERSON,
  KPW_SCHEMA_ORGANIZATION,  /* companies, banks, units, groups */
  KPW_SCHEMA_VESSEL,
  KPW_SCHEMA_AIRCRAFT,
  KPW_SCHEMA_THING          /* wallets or other objects without a name kind */
} kpw_schema;

/* "Person", "Organization", ... ; parse accepts FtM names and common
** synonyms (Company, LegalEntity, Individual, Entity, Business),
** case-insensitive. Unknown text gives KPW_SCHEMA_ANY and returns false. */
const char *kpw_schema_name(kpw_schema s);
bool kpw_schema_parse(const char *text, kpw_schema *out);

const char *kpw_version(void);

#ifdef __cplusplus
}
#endif
#endif
