/*
** buf.c -- growable byte buffer. Invariant: data is NUL-terminated
** (data[len] == 0) whenever data != NULL.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kpw/util.h"

void kpw_buf_init(kpw_buf *b) { b->data = NULL; b->len = b->cap = 0; }

void kpw_buf_free(kpw_buf *b) { free(b->data); kpw_buf_init(b); }

void kpw_buf_reset(kpw_buf *b) { b->len = 0; if (b->data) b->data[0] = 0; }

static void grow(kpw_buf *b, size_t extra) {
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need) cap *= 2;
  b->data = kpw_xrealloc(b->data, cap);
  b->cap = cap;
}

void kpw_buf_put(kpw_buf *b, const void *p, size_t n) {
  grow(b, n);
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
}

void kpw_buf_puts(kpw_buf *b, const char *s) { kpw_buf_put(b, s, strlen(s)); }

void kpw_buf_putc(kpw_buf *b, char c) {
  grow(b, 1);
  b->data[b->len++] = c;
  b->data[b->len] = 0;
}

void kpw_buf_printf(kpw_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof tmp) { kpw_buf_put(b, tmp, (size_t)n); return; }
  grow(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}
