/*
** arena.c -- bump allocator and checked heap helpers.
** Invariant: every block is at least block_size bytes; large requests get a
** block of their own. Out of memory aborts: no caller could recover, and the
** input caps elsewhere are what bound memory.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kpw/util.h"

typedef struct arena_block {
  struct arena_block *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
} arena_block;

struct kpw_arena {
  arena_block *head;
  size_t block_size;
  size_t reserved;
};

static void oom(size_t n) {
  fprintf(stderr, "kpwatch: out of memory (allocating %zu bytes)\n", n);
  abort();
}

void *kpw_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom(n);
  return p;
}

void *kpw_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom(n * size);
  return p;
}

void *kpw_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom(n);
  return q;
}

char *kpw_xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = kpw_xmalloc(n);
  memcpy(p, s, n);
  return p;
}

kpw_arena *kpw_arena_new(size_t block_size) {
  kpw_arena *a = kpw_xcalloc(1, sizeof *a);
  a->block_size = block_size ? block_size : 64 * 1024;
  return a;
}

void kpw_arena_free(kpw_arena *a) {
  if (!a) return;
  for (arena_block *b = a->head, *n; b; b = n) { n = b->next; free(b); }
  free(a);
}

void *kpw_arena_alloc(kpw_arena *a, size_t n) {
  n = (n + 7) & ~(size_t)7;
  arena_block *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > a->block_size ? n : a->block_size;
    arena_block *nb = kpw_xmalloc(sizeof *nb + cap);
    nb->used = 0;
    nb->cap = cap;
    a->reserved += cap;
    /* A big one-off block goes behind the head so the head keeps its room. */
    if (b && cap > a->block_size) { nb->next = b->next; b->next = nb; b = nb; }
    else { nb->next = b; a->head = nb; b = nb; }
  }
  void *p = b->data + b->used;
  b->used += n;
  return p;
}

void *kpw_arena_calloc(kpw_arena *a, size_t n) {
  void *p = kpw_arena_alloc(a, n);
  memset(p, 0, n);
  return p;
}

char *kpw_arena_strndup(kpw_arena *a, const char *s, size_t n) {
  if (!s) return NULL;
  char *p = kpw_arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *kpw_arena_strdup(kpw_arena *a, const char *s) {
  return s ? kpw_arena_strndup(a, s, strlen(s)) : NULL;
}

size_t kpw_arena_used(const kpw_arena *a) { return a->reserved; }

void kpw_arena_reset(kpw_arena *a) {
  arena_block *keep = NULL;
  for (arena_block *b = a->head, *n; b; b = n) {
    n = b->next;
    /* Keep one standard-size block; one-off large blocks are released. */
    if (!keep && b->cap == a->block_size) { keep = b; continue; }
    free(b);
  }
  a->head = keep;
  a->reserved = 0;
  if (keep) { keep->next = NULL; keep->used = 0; a->reserved = keep->cap; }
}
