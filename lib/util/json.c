/*
** json.c -- JSON writer helpers and a strict, bounded DOM reader.
**
** Reader invariants: depth <= KPW_JSON_MAX_DEPTH; every string is valid
** UTF-8 with no raw control characters and no lone surrogate escapes; the
** whole input must be one value plus whitespace. The caller bounds the input
** length, so memory is O(n) in the arena.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kpw/util.h"

#define KPW_JSON_MAX_DEPTH 64

/* ---------------------------------------------------------------- writer */

void kpw_json_strn(kpw_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  if (!s) { kpw_buf_puts(b, "null"); return; }
  kpw_buf_putc(b, '"');
  size_t i = 0, run = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') { i++; run++; continue; }
    if (run) { kpw_buf_put(b, s + i - run, run); run = 0; }
    if (c >= 0x80) {
      uint32_t cp;
      int k = kpw_utf8_decode(s + i, n - i, &cp);
      if (k) { kpw_buf_put(b, s + i, (size_t)k); i += (size_t)k; }
      else { kpw_buf_puts(b, "\xEF\xBF\xBD"); i++; }
      continue;
    }
    switch (c) {
      case '"': kpw_buf_puts(b, "\\\""); break;
      case '\\': kpw_buf_puts(b, "\\\\"); break;
      case '\n': kpw_buf_puts(b, "\\n"); break;
      case '\r': kpw_buf_puts(b, "\\r"); break;
      case '\t': kpw_buf_puts(b, "\\t"); break;
      default: {
        char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
        kpw_buf_puts(b, e);
      }
    }
    i++;
  }
  if (run) kpw_buf_put(b, s + i - run, run);
  kpw_buf_putc(b, '"');
}

void kpw_json_str(kpw_buf *b, const char *s) { kpw_json_strn(b, s, s ? strlen(s) : 0); }

void kpw_json_num(kpw_buf *b, double v) {
  if (!isfinite(v)) { kpw_buf_puts(b, "null"); return; }
  if (fabs(v) < 1e15 && v == (double)(int64_t)v) { kpw_json_int(b, (int64_t)v); return; }
  char tmp[64];
  double a = fabs(v);
  if (a >= 1e-4 && a < 1e15) {
    snprintf(tmp, sizeof tmp, "%.6f", v);
    /* trim trailing zeros, keep at least one digit after the point */
    char *e = tmp + strlen(tmp) - 1;
    while (*e == '0' && e[-1] != '.') *e-- = 0;
  } else {
    snprintf(tmp, sizeof tmp, "%.6g", v);
  }
  kpw_buf_puts(b, tmp);
}

void kpw_json_int(kpw_buf *b, int64_t v) { kpw_buf_printf(b, "%lld", (long long)v); }

void kpw_json_key(kpw_buf *b, const char *key) {
  kpw_json_str(b, key);
  kpw_buf_putc(b, ':');
}

/* ---------------------------------------------------------------- reader */

typedef struct parser {
  const char *p, *start, *end;
  kpw_arena *arena;
  const char *source;
  uint64_t line;
  kpw_error *err;
  int depth;
} parser;

static kpw_result fail(parser *ps, const char *what) {
  size_t off = (size_t)(ps->p - ps->start);
  kpw_error_set(ps->err, KPW_EINPUT, ps->source, ps->line, 0,
                "invalid JSON at column %zu: %s", off + 1, what);
  size_t left = (size_t)(ps->end - ps->p);
  kpw_error_excerpt(ps->err, ps->p, left < 16 ? left : 16);
  return KPW_EINPUT;
}

static void skip_ws(parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static kpw_result parse_hex4(parser *ps, uint32_t *v) {
  if (ps->end - ps->p < 4) return fail(ps, "truncated \\u escape");
  uint32_t x = 0;
  for (int i = 0; i < 4; i++) {
    int h = hexval(ps->p[i]);
    if (h < 0) return fail(ps, "bad \\u escape");
    x = (x << 4) | (uint32_t)h;
  }
  ps->p += 4;
  *v = x;
  return KPW_OK;
}

/* Parses a string at ps->p (which points at the opening quote). */
static kpw_result parse_string(parser *ps, const char **out, size_t *outlen) {
  ps->p++;
  /* The decoded string is never longer than the raw text. */
  const char *q = ps->p;
  while (q < ps->end && *q != '"') q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
  if (q >= ps->end) return fail(ps, "unterminated string");
  char *dst = kpw_arena_alloc(ps->arena, (size_t)(q - ps->p) + 1);
  size_t o = 0;
  while (ps->p < ps->end && *ps->p != '"') {
    unsigned char c = (unsigned char)*ps->p;
    if (c < 0x20) return fail(ps, "control character in string");
    if (c == '\\') {
      ps->p++;
      if (ps->p >= ps->end) return fail(ps, "truncated escape");
      char e = *ps->p++;
      switch (e) {
        case '"': dst[o++] = '"'; break;
        case '\\': dst[o++] = '\\'; break;
        case '/': dst[o++] = '/'; break;
        case 'b': dst[o++] = '\b'; break;
        case 'f': dst[o++] = '\f'; break;
        case 'n': dst[o++] = '\n'; break;
        case 'r': dst[o++] = '\r'; break;
        case 't': dst[o++] = '\t'; break;
        case 'u': {
          uint32_t cp;
          if (parse_hex4(ps, &cp)) return KPW_EINPUT;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
              return fail(ps, "lone high surrogate");
            ps->p += 2;
            if (parse_hex4(ps, &lo)) return KPW_EINPUT;
            if (lo < 0xDC00 || lo > 0xDFFF) return fail(ps, "bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(ps, "lone low surrogate");
          }
          if (cp == 0) return fail(ps, "NUL character in string");
          o += (size_t)kpw_utf8_encode(cp, dst + o);
          break;
        }
        default: ps->p--; return fail(ps, "unknown escape");
      }
      continue;
    }
    if (c < 0x80) { dst[o++] = (char)c; ps->p++; continue; }
    uint32_t cp;
    int k = kpw_utf8_decode(ps->p, (size_t)(ps->end - ps->p), &cp);
    if (!k) return fail(ps, "invalid UTF-8 in string");
    memcpy(dst + o, ps->p, (size_t)k);
    o += (size_t)k;
    ps->p += k;
  }
  dst[o] = 0;
  ps->p++; /* closing quote */
  *out = dst;
  *outlen = o;
  return KPW_OK;
}

static kpw_result parse_value(parser *ps, kpw_json **out);

static kpw_result parse_container(parser *ps, kpw_json *v, bool object) {
  char close = object ? '}' : ']';
  ps->p++;
  if (++ps->depth > KPW_JSON_MAX_DEPTH) return fail(ps, "nesting too deep");
  size_t cap = 0, n = 0;
  kpw_json **items = NULL;
  const char **keys = NULL;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == close) { ps->p++; goto done; }
  for (;;) {
    const char *key = NULL;
    size_t klen;
    skip_ws(ps);
    if (object) {
      if (ps->p >= ps->end || *ps->p != '"') return fail(ps, "expected a member name");
      if (parse_string(ps, &key, &klen)) return KPW_EINPUT;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') return fail(ps, "expected ':'");
      ps->p++;
    }
    kpw_json *item;
    if (parse_value(ps, &item)) return KPW_EINPUT;
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      kpw_json **ni = kpw_arena_alloc(ps->arena, ncap * sizeof *ni);
      if (n) memcpy(ni, items, n * sizeof *ni);
      items = ni;
      if (object) {
        const char **nk = kpw_arena_alloc(ps->arena, ncap * sizeof *nk);
        if (n) memcpy(nk, keys, n * sizeof *nk);
        keys = nk;
      }
      cap = ncap;
    }
    items[n] = item;
    if (object) keys[n] = key;
    n++;
    skip_ws(ps);
    if (ps->p >= ps->end) return fail(ps, object ? "unterminated object" : "unterminated array");
    if (*ps->p == ',') { ps->p++; continue; }
    if (*ps->p == close) { ps->p++; break; }
    return fail(ps, "expected ',' or a closing bracket");
  }
done:
  ps->depth--;
  v->items = items;
  v->keys = keys;
  v->len = n;
  return KPW_OK;
}

static bool lit(parser *ps, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, w, n)) { ps->p += n; return true; }
  return false;
}

static kpw_result parse_value(parser *ps, kpw_json **out) {
  skip_ws(ps);
  if (ps->p >= ps->end) return fail(ps, "unexpected end of input");
  kpw_json *v = kpw_arena_calloc(ps->arena, sizeof *v);
  *out = v;
  char c = *ps->p;
  if (c == '{') { v->type = KPW_JSON_OBJECT; return parse_container(ps, v, true); }
  if (c == '[') { v->type = KPW_JSON_ARRAY; return parse_container(ps, v, false); }
  if (c == '"') { v->type = KPW_JSON_STRING; return parse_string(ps, &v->str, &v->len); }
  if (lit(ps, "true")) { v->type = KPW_JSON_BOOL; v->boolean = true; return KPW_OK; }
  if (lit(ps, "false")) { v->type = KPW_JSON_BOOL; return KPW_OK; }
  if (lit(ps, "null")) { v->type = KPW_JSON_NULL; return KPW_OK; }
  if (c == '-' || (c >= '0' && c <= '9')) {
    const char *s = ps->p;
    if (*ps->p == '-') ps->p++;
    if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9')) return fail(ps, "bad number");
    if (*ps->p == '0') ps->p++;
    else while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    if (ps->p < ps->end && *ps->p == '.') {
      ps->p++;
      if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9')) return fail(ps, "bad fraction");
      while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
      ps->p++;
      if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
      if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9')) return fail(ps, "bad exponent");
      while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    char *raw = kpw_arena_strndup(ps->arena, s, (size_t)(ps->p - s));
    v->type = KPW_JSON_NUMBER;
    v->str = raw;
    v->len = (size_t)(ps->p - s);
    v->number = strtod(raw, NULL);
    return KPW_OK;
  }
  return fail(ps, "unexpected character");
}

kpw_result kpw_json_parse(const char *text, size_t n, kpw_arena *arena,
                          const char *source, uint64_t line,
                          kpw_json **out, kpw_error *err) {
  parser ps = {text, text, text + n, arena, source, line, err, 0};
  *out = NULL;
  /* Skip a UTF-8 BOM. */
  if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) ps.p += 3;
  kpw_json *v;
  if (parse_value(&ps, &v)) return KPW_EINPUT;
  skip_ws(&ps);
  if (ps.p != ps.end) return fail(&ps, "trailing characters after the value");
  *out = v;
  return KPW_OK;
}

const kpw_json *kpw_json_get(const kpw_json *obj, const char *key) {
  if (!obj || obj->type != KPW_JSON_OBJECT) return NULL;
  for (size_t i = 0; i < obj->len; i++)
    if (!strcmp(obj->keys[i], key)) return obj->items[i];
  return NULL;
}

const char *kpw_json_get_str(const kpw_json *obj, const char *key) {
  const kpw_json *v = kpw_json_get(obj, key);
  return v && v->type == KPW_JSON_STRING ? v->str : NULL;
}
