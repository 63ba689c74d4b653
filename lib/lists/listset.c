/*
** listset.c -- the kpw_listset: every entity loaded, in one arena, with an
** id index, a string intern table and the per-list info records; plus the
** small hash maps the loaders share.
**
** Invariants:
**  - entities are allocated in the set's arena and never move; the entity
**    pointer array may grow (realloc), entity pointers stay valid;
**  - every string in an entity is interned (deduplicated) in the arena, so
**    repeated labels, chains, countries, dates and programs cost one copy;
**  - ids are unique within the set: adding an id again keeps the first in
**    the id index (both entities stay listed);
**  - the bare-ref index maps a ref to its entity, or to AMBIG when two lists
**    share it, so kpw_listset_find(ref) answers only when unambiguous.
*/
#include <stdlib.h>
#include <string.h>
#include "lists/lists_internal.h"

#define AMBIG UINT32_MAX

struct kpw_listset {
  kpw_arena *a;
  kpw_entity **ents; size_t n, cap;
  kpw_listinfo **lists; size_t nlists, lists_cap;
  kpw_smap ids, refs, strs;
  const char **strtab; size_t nstr, strcap;   /* intern table values */
};

/* ------------------------------------------------------------ hashing */

uint64_t kpw_hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;            /* FNV-1a, then mixed */
  for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ull; }
  h ^= h >> 33; h *= 0xff51afd7ed558ccdull; h ^= h >> 33;
  return h;
}

void kpw_smap_free(kpw_smap *m) {
  free(m->keys); free(m->vals);
  memset(m, 0, sizeof *m);
}

uint32_t *kpw_smap_get(const kpw_smap *m, const char *key) {
  if (!m->cap) return NULL;
  size_t mask = m->cap - 1, i = kpw_hash_str(key) & mask;
  while (m->keys[i]) {
    if (strcmp(m->keys[i], key) == 0) return &m->vals[i];
    i = (i + 1) & mask;
  }
  return NULL;
}

static void smap_grow(kpw_smap *m) {
  size_t ncap = m->cap ? m->cap * 2 : 64;
  const char **nk = kpw_xcalloc(ncap, sizeof *nk);
  uint32_t *nv = kpw_xcalloc(ncap, sizeof *nv);
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->keys[i]) continue;
    size_t j = kpw_hash_str(m->keys[i]) & (ncap - 1);
    while (nk[j]) j = (j + 1) & (ncap - 1);
    nk[j] = m->keys[i]; nv[j] = m->vals[i];
  }
  free(m->keys); free(m->vals);
  m->keys = nk; m->vals = nv; m->cap = ncap;
}

uint32_t *kpw_smap_put(kpw_smap *m, const char *key, uint32_t init, bool *added) {
  if (added) *added = false;
  if ((m->n + 1) * 4 >= m->cap * 3) smap_grow(m);
  size_t mask = m->cap - 1, i = kpw_hash_str(key) & mask;
  while (m->keys[i]) {
    if (strcmp(m->keys[i], key) == 0) return &m->vals[i];
    i = (i + 1) & mask;
  }
  m->keys[i] = key; m->vals[i] = init; m->n++;
  if (added) *added = true;
  return &m->vals[i];
}

static uint64_t mix64(uint64_t x) {
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull; x ^= x >> 27; x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void kpw_u64map_free(kpw_u64map *m) {
  free(m->keys); free(m->vals);
  memset(m, 0, sizeof *m);
}

bool kpw_u64map_get(const kpw_u64map *m, uint64_t key, uint64_t *val) {
  if (!m->cap || key == 0) return false;
  size_t mask = m->cap - 1, i = mix64(key) & mask;
  while (m->keys[i]) {
    if (m->keys[i] == key) { if (val) *val = m->vals[i]; return true; }
    i = (i + 1) & mask;
  }
  return false;
}

void kpw_u64map_set(kpw_u64map *m, uint64_t key, uint64_t val) {
  if (key == 0) return;
  if ((m->n + 1) * 4 >= m->cap * 3) {
    size_t ncap = m->cap ? m->cap * 2 : 256;
    uint64_t *nk = kpw_xcalloc(ncap, sizeof *nk), *nv = kpw_xcalloc(ncap, sizeof *nv);
    for (size_t i = 0; i < m->cap; i++) {
      if (!m->keys[i]) continue;
      size_t j = mix64(m->keys[i]) & (ncap - 1);
      while (nk[j]) j = (j + 1) & (ncap - 1);
      nk[j] = m->keys[i]; nv[j] = m->vals[i];
    }
    free(m->keys); free(m->vals);
    m->keys = nk; m->vals = nv; m->cap = ncap;
  }
  size_t mask = m->cap - 1, i = mix64(key) & mask;
  while (m->keys[i]) {
    if (m->keys[i] == key) { m->vals[i] = val; return; }
    i = (i + 1) & mask;
  }
  m->keys[i] = key; m->vals[i] = val; m->n++;
}

/* ------------------------------------------------------------ the set */

kpw_listset *kpw_listset_new(void) {
  kpw_listset *ls = kpw_xcalloc(1, sizeof *ls);
  ls->a = kpw_arena_new(256u * 1024u);
  return ls;
}

void kpw_listset_free(kpw_listset *ls) {
  if (!ls) return;
  kpw_smap_free(&ls->ids);
  kpw_smap_free(&ls->refs);
  kpw_smap_free(&ls->strs);
  free(ls->strtab);
  free(ls->ents);
  free(ls->lists);
  kpw_arena_free(ls->a);
  free(ls);
}

const char *kpw_listset_intern(kpw_listset *ls, const char *s) {
  if (!s) return NULL;
  uint32_t *slot = kpw_smap_get(&ls->strs, s);
  if (slot) return ls->strtab[*slot];
  const char *copy = kpw_arena_strdup(ls->a, s);
  if (ls->nstr == ls->strcap) {
    ls->strcap = ls->strcap ? ls->strcap * 2 : 1024;
    ls->strtab = kpw_xrealloc(ls->strtab, ls->strcap * sizeof *ls->strtab);
  }
  ls->strtab[ls->nstr] = copy;
  kpw_smap_put(&ls->strs, copy, (uint32_t)ls->nstr, NULL);
  ls->nstr++;
  return copy;
}

kpw_listinfo *kpw_listset_begin_list(kpw_listset *ls, const char *name,
                                     const char *format, const char *source) {
  if (ls->nlists == ls->lists_cap) {
    ls->lists_cap = ls->lists_cap ? ls->lists_cap * 2 : 8;
    ls->lists = kpw_xrealloc(ls->lists, ls->lists_cap * sizeof *ls->lists);
  }
  kpw_listinfo *li = kpw_arena_calloc(ls->a, sizeof *li);
  li->name = kpw_listset_intern(ls, name ? name : "LIST");
  li->format = kpw_listset_intern(ls, format);
  li->source = kpw_listset_intern(ls, source);
  ls->lists[ls->nlists++] = li;
  return li;
}

kpw_listinfo *kpw__listset_current(kpw_listset *ls) {
  return ls->nlists ? ls->lists[ls->nlists - 1] : NULL;
}

const kpw_entity *kpw_listset_add(kpw_listset *ls, const kpw_entity *e) {
  if (!ls || !e || !e->id) return NULL;
  if (ls->n >= UINT32_MAX - 1) return NULL;
  kpw_entity *c = kpw_arena_calloc(ls->a, sizeof *c);
  c->id = kpw_listset_intern(ls, e->id);
  c->ref = kpw_listset_intern(ls, e->ref);
  c->list = kpw_listset_intern(ls, e->list);
  c->schema = e->schema;
  c->programs = kpw_listset_intern(ls, e->programs);
  c->gender = e->gender;
  c->listed_on = kpw_listset_intern(ls, e->listed_on);
  c->remarks = kpw_listset_intern(ls, e->remarks);
  if (e->n_names) {
    c->names = kpw_arena_alloc(ls->a, e->n_names * sizeof *c->names);
    for (uint32_t i = 0; i < e->n_names; i++) {
      c->names[i] = e->names[i];
      c->names[i].text = kpw_listset_intern(ls, e->names[i].text ? e->names[i].text : "");
    }
    c->n_names = e->n_names;
  }
  if (e->n_birth_dates) {
    c->birth_dates = kpw_arena_alloc(ls->a, e->n_birth_dates * sizeof *c->birth_dates);
    for (uint32_t i = 0; i < e->n_birth_dates; i++)
      c->birth_dates[i] = kpw_listset_intern(ls, e->birth_dates[i]);
    c->n_birth_dates = e->n_birth_dates;
  }
  if (e->n_countries) {
    c->countries = kpw_arena_alloc(ls->a, e->n_countries * sizeof *c->countries);
    for (uint32_t i = 0; i < e->n_countries; i++)
      c->countries[i] = kpw_listset_intern(ls, e->countries[i]);
    c->n_countries = e->n_countries;
  }
  if (e->n_ids) {
    c->ids = kpw_arena_alloc(ls->a, e->n_ids * sizeof *c->ids);
    for (uint32_t i = 0; i < e->n_ids; i++) {
      c->ids[i].kind = e->ids[i].kind;
      c->ids[i].value = kpw_listset_intern(ls, e->ids[i].value ? e->ids[i].value : "");
      c->ids[i].label = kpw_listset_intern(ls, e->ids[i].label);
      c->ids[i].chain = kpw_listset_intern(ls, e->ids[i].chain);
    }
    c->n_ids = e->n_ids;
  }
  if (ls->n == ls->cap) {
    ls->cap = ls->cap ? ls->cap * 2 : 1024;
    ls->ents = kpw_xrealloc(ls->ents, ls->cap * sizeof *ls->ents);
  }
  c->index = (uint32_t)ls->n;
  ls->ents[ls->n++] = c;
  kpw_smap_put(&ls->ids, c->id, c->index, NULL);
  if (c->ref) {
    bool added;
    uint32_t *v = kpw_smap_put(&ls->refs, c->ref, c->index, &added);
    if (!added && *v != c->index) *v = AMBIG;
  }
  kpw_listinfo *li = kpw__listset_current(ls);
  if (li) li->n_entities++;
  return c;
}

size_t kpw_listset_count(const kpw_listset *ls) { return ls ? ls->n : 0; }

const kpw_entity *kpw_listset_get(const kpw_listset *ls, size_t i) {
  return (ls && i < ls->n) ? ls->ents[i] : NULL;
}

const kpw_entity *kpw_listset_find(const kpw_listset *ls, const char *id) {
  if (!ls || !id) return NULL;
  uint32_t *v = kpw_smap_get(&ls->ids, id);
  if (v) return ls->ents[*v];
  v = kpw_smap_get(&ls->refs, id);
  if (v && *v != AMBIG) return ls->ents[*v];
  return NULL;
}

size_t kpw_listset_nlists(const kpw_listset *ls) { return ls ? ls->nlists : 0; }

const kpw_listinfo *kpw_listset_list(const kpw_listset *ls, size_t i) {
  return (ls && i < ls->nlists) ? ls->lists[i] : NULL;
}

/* Merge programs ("A; B") into an existing entity, deduplicated. */
void kpw__listset_add_programs(kpw_listset *ls, uint32_t index, const char *programs) {
  if (!programs || !*programs || index >= ls->n) return;
  kpw_entity *e = ls->ents[index];
  kpw_buf b;
  kpw_buf_init(&b);
  if (e->programs) kpw_buf_puts(&b, e->programs);
  const char *p = programs;
  while (*p) {
    const char *q = strchr(p, ';');
    size_t len = q ? (size_t)(q - p) : strlen(p);
    while (len && (*p == ' ')) { p++; len--; }
    while (len && p[len - 1] == ' ') len--;
    if (len && len < 256) {
      char tok[256];
      memcpy(tok, p, len); tok[len] = 0;
      bool dup = false;
      const char *s = b.data;
      while (s && *s) {
        const char *t = strchr(s, ';');
        size_t l = t ? (size_t)(t - s) : strlen(s);
        if (l == len && memcmp(s, tok, len) == 0) { dup = true; break; }
        s = t ? t + 2 : s + l;
      }
      if (!dup && b.len + len + 2 < EB_MAX_PROGRAMS) {
        if (b.len) kpw_buf_puts(&b, "; ");
        kpw_buf_puts(&b, tok);
      }
    }
    if (!q) break;
    p = q + 1;
  }
  e->programs = b.len ? kpw_listset_intern(ls, b.data) : e->programs;
  kpw_buf_free(&b);
}

/* Keep the earliest listing date. */
void kpw__listset_set_listed_on(kpw_listset *ls, uint32_t index, const char *date) {
  if (!date || !*date || index >= ls->n) return;
  kpw_entity *e = ls->ents[index];
  if (!e->listed_on || strcmp(date, e->listed_on) < 0)
    e->listed_on = kpw_listset_intern(ls, date);
}
