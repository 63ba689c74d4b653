/*
** error.c -- kpw_error values, result names, schema names and the version.
** Errors are plain values with fixed buffers so they can be copied freely.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "kpw/kpw.h"

kpw_result kpw_error_set(kpw_error *err, kpw_result code, const char *source,
                         uint64_t line, uint64_t offset, const char *fmt, ...) {
  if (!err) return code;
  err->code = code;
  snprintf(err->source, sizeof err->source, "%s", source ? source : "");
  err->line = line;
  err->offset = offset;
  err->excerpt[0] = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return code;
}

void kpw_error_excerpt(kpw_error *err, const void *bytes, size_t n) {
  if (!err) return;
  const unsigned char *p = bytes;
  size_t o = 0, cap = sizeof err->excerpt;
  for (size_t i = 0; i < n && o + 5 < cap; i++) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\'') {
      err->excerpt[o++] = (char)p[i];
    } else {
      o += (size_t)snprintf(err->excerpt + o, cap - o, "\\x%02x", p[i]);
    }
  }
  err->excerpt[o < cap ? o : cap - 1] = 0;
}

void kpw_error_clear(kpw_error *err) {
  if (err) memset(err, 0, sizeof *err);
}

const char *kpw_error_format(const kpw_error *err, char *buf, size_t cap) {
  if (!cap) return buf;
  size_t o = 0;
#define PUT(...) do { int k_ = snprintf(buf + o, cap - o, __VA_ARGS__); \
    if (k_ > 0) o += (size_t)k_; \
    if (o >= cap) o = cap - 1; } while (0)
  if (err->source[0]) {
    PUT("%s", err->source);
    if (err->line) PUT(":%llu", (unsigned long long)err->line);
    PUT(": ");
  }
  PUT("%s", err->msg[0] ? err->msg : kpw_result_name(err->code));
  if (err->offset || err->excerpt[0]) {
    PUT(" (");
    if (err->offset) PUT("byte offset %llu", (unsigned long long)err->offset);
    if (err->excerpt[0]) PUT("%snear '%s'", err->offset ? ", " : "", err->excerpt);
    PUT(")");
  }
#undef PUT
  return buf;
}

const char *kpw_result_name(kpw_result r) {
  switch (r) {
    case KPW_OK: return "ok";
    case KPW_DONE: return "done";
    case KPW_EUSAGE: return "usage error";
    case KPW_EINPUT: return "bad input";
    case KPW_EIO: return "I/O error";
    case KPW_ENOMEM: return "out of memory or over a size limit";
    case KPW_EINTERNAL: return "internal error";
    case KPW_ENOTFOUND: return "not found";
    case KPW_EOFFLINE: return "network unreachable";
  }
  return "unknown result";
}

static const char *const schema_names[] = {
  "Any", "Person", "Organization", "Vessel", "Aircraft", "Thing"
};

const char *kpw_schema_name(kpw_schema s) {
  return (unsigned)s < sizeof schema_names / sizeof *schema_names ? schema_names[s] : "Any";
}

bool kpw_schema_parse(const char *text, kpw_schema *out) {
  static const struct { const char *name; kpw_schema s; } syn[] = {
    {"person", KPW_SCHEMA_PERSON}, {"individual", KPW_SCHEMA_PERSON},
    {"organization", KPW_SCHEMA_ORGANIZATION}, {"organisation", KPW_SCHEMA_ORGANIZATION},
    {"company", KPW_SCHEMA_ORGANIZATION}, {"legalentity", KPW_SCHEMA_ORGANIZATION},
    {"entity", KPW_SCHEMA_ORGANIZATION}, {"business", KPW_SCHEMA_ORGANIZATION},
    {"publicbody", KPW_SCHEMA_ORGANIZATION},
    {"vessel", KPW_SCHEMA_VESSEL}, {"ship", KPW_SCHEMA_VESSEL},
    {"aircraft", KPW_SCHEMA_AIRCRAFT}, {"airplane", KPW_SCHEMA_AIRCRAFT},
    {"thing", KPW_SCHEMA_THING}, {"cryptowallet", KPW_SCHEMA_THING},
    {"any", KPW_SCHEMA_ANY}, {"", KPW_SCHEMA_ANY},
  };
  kpw_schema s = KPW_SCHEMA_ANY;
  bool ok = false;
  if (text) {
    for (size_t i = 0; i < sizeof syn / sizeof *syn; i++)
      if (!strcasecmp(text, syn[i].name)) { s = syn[i].s; ok = true; break; }
  }
  if (out) *out = s;
  return ok;
}

const char *kpw_version(void) { return KPW_VERSION; }
