/*
** util.h -- the general-purpose pieces every module and front-end uses:
** an arena allocator, a growable byte buffer, a JSON writer and a bounded
** JSON reader, a streaming CSV reader, an input stream that decompresses
** bzip2/zstd transparently, UTF-8 checks, country codes and dates.
**
** Depends on nothing else in kpwatch (lib/util is the bottom layer).
*/
#ifndef KPW_UTIL_H
#define KPW_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include "kpw/kpw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- arena
** Bump allocator. Memory lives until kpw_arena_free(). Allocation never
** returns NULL: on exhaustion of the system it aborts (like zmalloc), since
** callers cannot recover sensibly; the caps below are what bound use. */
typedef struct kpw_arena kpw_arena;
kpw_arena *kpw_arena_new(size_t block_size /* 0 = 64 KiB */);
void kpw_arena_free(kpw_arena *a);
void *kpw_arena_alloc(kpw_arena *a, size_t n);        /* 8-byte aligned */
void *kpw_arena_calloc(kpw_arena *a, size_t n);
char *kpw_arena_strdup(kpw_arena *a, const char *s);  /* NULL -> NULL */
char *kpw_arena_strndup(kpw_arena *a, const char *s, size_t n);
size_t kpw_arena_used(const kpw_arena *a);            /* bytes reserved */
/* Forget every allocation but keep the first block for reuse (per-record
** scratch: parse, use, reset). Pointers from before are invalid after. */
void kpw_arena_reset(kpw_arena *a);

/* Checked heap helpers: abort on out-of-memory. */
void *kpw_xmalloc(size_t n);
void *kpw_xcalloc(size_t n, size_t size);
void *kpw_xrealloc(void *p, size_t n);
char *kpw_xstrdup(const char *s);

/* ---------------------------------------------------------------- buffer
** Growable NUL-terminated byte buffer. data is always a valid C string. */
typedef struct kpw_buf {
  char *data;
  size_t len;
  size_t cap;
} kpw_buf;
void kpw_buf_init(kpw_buf *b);
void kpw_buf_free(kpw_buf *b);
void kpw_buf_reset(kpw_buf *b);                 /* len = 0, keeps memory */
void kpw_buf_put(kpw_buf *b, const void *p, size_t n);
void kpw_buf_puts(kpw_buf *b, const char *s);
void kpw_buf_putc(kpw_buf *b, char c);
void kpw_buf_printf(kpw_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---------------------------------------------------------------- JSON out
** Minimal writer into a kpw_buf. Strings are escaped per RFC 8259; invalid
** UTF-8 bytes are replaced with U+FFFD so output is always valid JSON.
** Numbers: doubles printed with up to 6 significant decimals ("%.6g" but
** never exponent for |x| in [1e-4,1e15)), integers exactly. */
void kpw_json_str(kpw_buf *b, const char *s);              /* "..." or null */
void kpw_json_strn(kpw_buf *b, const char *s, size_t n);
void kpw_json_num(kpw_buf *b, double v);
void kpw_json_int(kpw_buf *b, int64_t v);
/* "key": -- key is written escaped, followed by a colon. */
void kpw_json_key(kpw_buf *b, const char *key);

/* ---------------------------------------------------------------- JSON in
** DOM parser for one JSON text (a JSONL line, an HTTP body). Bounded: depth
** <= 64, and the caller bounds the input size. Strict: rejects invalid
** UTF-8, lone surrogates, control characters in strings, trailing garbage.
** Values live in the given arena. */
typedef enum kpw_json_type {
  KPW_JSON_NULL, KPW_JSON_BOOL, KPW_JSON_NUMBER, KPW_JSON_STRING,
  KPW_JSON_ARRAY, KPW_JSON_OBJECT
} kpw_json_type;

typedef struct kpw_json kpw_json;
struct kpw_json {
  kpw_json_type type;
  bool boolean;
  double number;
  const char *str;     /* STRING: decoded UTF-8, NUL-terminated; NUMBER: raw text */
  size_t len;          /* STRING: byte length; ARRAY/OBJECT: element count */
  kpw_json **items;    /* ARRAY elements / OBJECT values */
  const char **keys;   /* OBJECT keys (decoded), parallel to items */
};

/* Parse text[0..n). source/line are used for error locations (line is the
** line number of text within source, for JSONL). */
kpw_result kpw_json_parse(const char *text, size_t n, kpw_arena *arena,
                          const char *source, uint64_t line,
                          kpw_json **out, kpw_error *err);
/* Member lookup (first match) or NULL; NULL-safe on obj. */
const kpw_json *kpw_json_get(const kpw_json *obj, const char *key);
/* String value or NULL if absent/not a string. */
const char *kpw_json_get_str(const kpw_json *obj, const char *key);

/* ---------------------------------------------------------------- CSV in
** Streaming RFC 4180 reader with a header row. Bounded: a record may hold
** at most 1 MiB and 4096 fields. Reports the 1-based line where a record
** starts. Errors (unterminated quote at EOF, a quote in the middle of an
** unquoted field followed by junk, oversize record) are KPW_EINPUT with the
** location. A UTF-8 BOM is skipped. Delimiter is ',' unless set. */
typedef struct kpw_csv kpw_csv;
kpw_result kpw_csv_open(FILE *f, const char *source, char delim,
                        kpw_csv **out, kpw_error *err);
/* Read the next record. KPW_OK: the fields and count are valid until the next call.
** KPW_DONE at end. */
kpw_result kpw_csv_next(kpw_csv *c, const char ***fields, size_t *n,
                        kpw_error *err);
uint64_t kpw_csv_line(const kpw_csv *c);  /* start line of last record */
void kpw_csv_close(kpw_csv *c);           /* does not fclose the FILE */
/* Write one CSV field, quoting when needed. */
void kpw_csv_field(kpw_buf *b, const char *s);

/* ---------------------------------------------------------------- input
** Byte stream over a file or stdin ("-") that detects bzip2 and zstd by
** magic bytes and decompresses on the fly (bzip2 on a helper thread, so
** decompression overlaps the parser). Reports the decompressed offset. */
typedef struct kpw_input kpw_input;
kpw_result kpw_input_open(const char *path, kpw_input **out, kpw_error *err);
/* The same over a caller-owned buffer (must outlive the stream). */
kpw_result kpw_input_open_mem(const void *data, size_t n, const char *source,
                              kpw_input **out, kpw_error *err);
/* Read up to n bytes; *got = 0 means end of stream. */
kpw_result kpw_input_read(kpw_input *in, void *buf, size_t n, size_t *got,
                          kpw_error *err);
/* Peek at the first bytes of the decompressed stream without consuming. */
kpw_result kpw_input_peek(kpw_input *in, const void **p, size_t *n,
                          kpw_error *err);
uint64_t kpw_input_offset(const kpw_input *in);
/* SHA-256 (hex) of the raw, still-compressed bytes read; true once the
** stream has reached its end (lists record it as the file's digest). */
bool kpw_input_raw_sha256(kpw_input *in, char out[65]);
const char *kpw_input_name(const kpw_input *in);
void kpw_input_close(kpw_input *in);

/* ---------------------------------------------------------------- UTF-8 */
/* Length of the longest valid UTF-8 prefix; == n when all valid. */
size_t kpw_utf8_valid_prefix(const char *s, size_t n);
/* Decode one code point at s (n bytes left); returns bytes used (1..4) and
** sets *cp, or 0 on invalid input. */
int kpw_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encode cp into out (>= 4 bytes); returns bytes written. */
int kpw_utf8_encode(uint32_t cp, char *out);

/* ---------------------------------------------------------------- countries
** ISO 3166-1 alpha-2, lower case ("kp"). Accepts alpha-2, alpha-3, English
** short and official names and common variants ("North Korea", "Korea,
** North", "Democratic People's Republic of Korea", "DPRK"), any case.
** Returns NULL when unknown. The returned string is static. */
const char *kpw_country_code(const char *text);
/* English name for an alpha-2 code, or NULL. */
const char *kpw_country_name(const char *alpha2);

/* ---------------------------------------------------------------- dates
** Partial dates as lists give them: "1964", "1964-07", "1964-07-17", also
** "17 Jul 1964", "17/07/1964", "Jul 1964". Normalised to ISO form with
** month/day 0 when unknown. Returns false if no year could be read. */
typedef struct kpw_date { int year, month, day; } kpw_date;
bool kpw_date_parse(const char *text, kpw_date *out);
/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" into out (>= 11 bytes). */
void kpw_date_format(const kpw_date *d, char *out);

#ifdef __cplusplus
}
#endif
#endif
