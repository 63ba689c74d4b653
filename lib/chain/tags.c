/*
** tags.c -- the address-tag set behind `kpwatch chain trace`: loads
** GraphSense TagPacks (a small YAML-subset parser lives here), OFAC
** address lists, plain CSV and a screening listset, and answers "which
** tags does this address carry" through a hash table.
**
** Invariants:
**  - Every string in a tag is interned in the set's arena, so two tags
**    with equal fields have pointer-equal fields (duplicate test is cheap).
**  - The tags of one address are one contiguous array (tgroup), so find
**    hands out a pointer, no copy. Groups are indexed by an open-addressing
**    table keyed by the normalised address, kept at most half full.
**  - A load parses the whole input and collects its tags before touching
**    the set: a failed load leaves the tags unchanged.
**  - The YAML parser handles the block subset TagPacks use (mappings,
**    sequences, plain/quoted/block scalars, comments). Anything else
**    (flow collections, anchors, aliases, tags, several documents, tab
**    indentation) is a KPW_EINPUT error with the line, never a guess.
**    Recursion depth is capped; the DOM is proportional to the input.
*/
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kpw/tags.h"
#include "kpw/util.h"

#define TAG_MAX_INPUT ((size_t)256 << 20)  /* 256 MiB decompressed per file */
#define YAML_MAX_DEPTH 64
#define YAML_MAX_KEYS 1024                  /* keys in one mapping */
#define ADDR_CAP 300                        /* > kpw_crypto_normalize's 256 */

/* ================================================================ the set */

/* The tags of one address: n == 1 uses the inline slot, more use `many`. */
typedef struct tgroup {
  kpw_tag one;
  kpw_tag *many;
  uint32_t n, cap;
} tgroup;

struct kpw_tagset {
  kpw_arena *arena;
  const char **strs;           /* intern table (open addressing) */
  size_t n_strs, cap_strs;
  tgroup *groups;
  size_t n_groups, cap_groups;
  uint32_t *slots;             /* group index + 1; 0 = empty */
  size_t cap_slots;
  size_t n_tags;
  struct ddslot { uint32_t g, t; } *dd;  /* every tag by content; g == UINT32_MAX empty */
  size_t cap_dd;
  kpw_tagfile *files;
  size_t n_files, cap_files;
};

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;           /* FNV-1a */
  for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ull; }
  return h ^ (h >> 29);
}

kpw_tagset *kpw_tagset_new(void) {
  kpw_tagset *ts = kpw_xcalloc(1, sizeof *ts);
  ts->arena = kpw_arena_new(0);
  return ts;
}

void kpw_tagset_free(kpw_tagset *ts) {
  if (!ts) return;
  for (size_t i = 0; i < ts->n_groups; i++) free(ts->groups[i].many);
  free(ts->groups);
  free(ts->slots);
  free(ts->strs);
  free(ts->dd);
  free(ts->files);
  kpw_arena_free(ts->arena);
  free(ts);
}

/* Intern s (NULL and "" stay NULL: an empty field is an absent field). */
static const char *intern(kpw_tagset *ts, const char *s) {
  if (!s || !*s) return NULL;
  if (2 * (ts->n_strs + 1) > ts->cap_strs) {
    size_t nc = ts->cap_strs ? ts->cap_strs * 2 : 1024;
    const char **ns = kpw_xcalloc(nc, sizeof *ns);
    for (size_t i = 0; i < ts->cap_strs; i++) {
      if (!ts->strs[i]) continue;
      size_t j = hash_str(ts->strs[i]) & (nc - 1);
      while (ns[j]) j = (j + 1) & (nc - 1);
      ns[j] = ts->strs[i];
    }
    free(ts->strs);
    ts->strs = ns;
    ts->cap_strs = nc;
  }
  size_t j = hash_str(s) & (ts->cap_strs - 1);
  while (ts->strs[j]) {
    if (strcmp(ts->strs[j], s) == 0) return ts->strs[j];
    j = (j + 1) & (ts->cap_strs - 1);
  }
  ts->strs[j] = kpw_arena_strdup(ts->arena, s);
  ts->n_strs++;
  return ts->strs[j];
}

static kpw_tag *group_tags(tgroup *g) { return g->n <= 1 ? &g->one : g->many; }

static size_t slot_of(const kpw_tagset *ts, const char *addr, uint64_t h) {
  size_t j = h & (ts->cap_slots - 1);
  while (ts->slots[j]) {
    const tgroup *g = &ts->groups[ts->slots[j] - 1];
    if (strcmp(g->one.address, addr) == 0) return j;
    j = (j + 1) & (ts->cap_slots - 1);
  }
  return j;
}

static void grow_slots(kpw_tagset *ts) {
  size_t nc = ts->cap_slots ? ts->cap_slots * 2 : 1024;
  free(ts->slots);
  ts->slots = kpw_xcalloc(nc, sizeof *ts->slots);
  ts->cap_slots = nc;
  for (size_t i = 0; i < ts->n_groups; i++) {
    size_t j = slot_of(ts, ts->groups[i].one.address, hash_str(ts->groups[i].one.address));
    ts->slots[j] = (uint32_t)(i + 1);
  }
}

/* Hash of a tag's content: its fields are interned, so the pointers are. */
static uint64_t tag_hash(const kpw_tag *t) {
  const void *f[10] = { t->address, t->currency, t->label, t->actor, t->category,
                        t->abuse, t->source, t->confidence, t->concepts, t->file };
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 10; i++) {
    h ^= (uint64_t)(uintptr_t)f[i];
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return h;
}

static bool same_tag(const kpw_tag *a, const kpw_tag *b);

static kpw_tag *tag_at(kpw_tagset *ts, struct ddslot d) {
  return &group_tags(&ts->groups[d.g])[d.t];
}

/* The duplicate table's slot for t: its equal or the empty slot to fill.
** It makes the duplicate check O(1) even when one address has many tags. */
static size_t dd_slot(kpw_tagset *ts, const kpw_tag *t) {
  size_t j = tag_hash(t) & (ts->cap_dd - 1);
  while (ts->dd[j].g != UINT32_MAX) {
    const kpw_tag *u = tag_at(ts, ts->dd[j]);
    if (u->address == t->address && same_tag(u, t)) return j;
    j = (j + 1) & (ts->cap_dd - 1);
  }
  return j;
}

static void grow_dd(kpw_tagset *ts) {
  size_t old = ts->cap_dd;
  struct ddslot *o = ts->dd;
  ts->cap_dd = old ? old * 2 : 1024;
  ts->dd = kpw_xmalloc(ts->cap_dd * sizeof *ts->dd);
  for (size_t i = 0; i < ts->cap_dd; i++) ts->dd[i].g = UINT32_MAX;
  for (size_t i = 0; i < old; i++) {
    if (o[i].g == UINT32_MAX) continue;
    ts->dd[dd_slot(ts, tag_at(ts, o[i]))] = o[i];
  }
  free(o);
}

static bool same_tag(const kpw_tag *a, const kpw_tag *b) {
  /* interned: pointer equality is string equality */
  return a->currency == b->currency && a->label == b->label && a->actor == b->actor &&
         a->category == b->category && a->abuse == b->abuse && a->source == b->source &&
         a->confidence == b->confidence && a->concepts == b->concepts && a->file == b->file;
}

/* Add one tag whose strings are already interned; false if an identical
** tag is already there. */
static bool add_tag(kpw_tagset *ts, const kpw_tag *t) {
  if (ts->n_tags >= UINT32_MAX - 1) return false;   /* indices are 32-bit */
  if (2 * (ts->n_tags + 1) > ts->cap_dd) grow_dd(ts);
  size_t d = dd_slot(ts, t);
  if (ts->dd[d].g != UINT32_MAX) return false;       /* an identical tag is stored */
  if (2 * (ts->n_groups + 1) > ts->cap_slots) grow_slots(ts);
  size_t j = slot_of(ts, t->address, hash_str(t->address));
  if (!ts->slots[j]) {
    if (ts->n_groups == ts->cap_groups) {
      ts->cap_groups = ts->cap_groups ? ts->cap_groups * 2 : 1024;
      ts->groups = kpw_xrealloc(ts->groups, ts->cap_groups * sizeof *ts->groups);
    }
    tgroup *g = &ts->groups[ts->n_groups];
    memset(g, 0, sizeof *g);
    g->one = *t;
    g->n = 1;
    ts->dd[d] = (struct ddslot){ (uint32_t)ts->n_groups, 0 };
    ts->slots[j] = (uint32_t)++ts->n_groups;
    ts->n_tags++;
    return true;
  }
  tgroup *g = &ts->groups[ts->slots[j] - 1];
  if (g->n == 1) {
    g->cap = 4;
    g->many = kpw_xmalloc(g->cap * sizeof *g->many);
    g->many[0] = g->one;
  } else if (g->n == g->cap) {
    g->cap *= 2;
    g->many = kpw_xrealloc(g->many, g->cap * sizeof *g->many);
  }
  ts->dd[d] = (struct ddslot){ ts->slots[j] - 1, g->n };
  g->many[g->n++] = *t;
  ts->n_tags++;
  return true;
}

/* Tags of one load, collected before they are committed. */
typedef struct tagvec { kpw_tag *v; size_t n, cap; } tagvec;

static void tagvec_push(tagvec *tv, const kpw_tag *t) {
  if (tv->n == tv->cap) {
    tv->cap = tv->cap ? tv->cap * 2 : 256;
    tv->v = kpw_xrealloc(tv->v, tv->cap * sizeof *tv->v);
  }
  tv->v[tv->n++] = *t;
}

static void commit(kpw_tagset *ts, tagvec *tv, const char *path, const char *format,
                   const char *title) {
  size_t added = 0;
  for (size_t i = 0; i < tv->n; i++) added += add_tag(ts, &tv->v[i]);
  if (ts->n_files == ts->cap_files) {
    ts->cap_files = ts->cap_files ? ts->cap_files * 2 : 16;
    ts->files = kpw_xrealloc(ts->files, ts->cap_files * sizeof *ts->files);
  }
  kpw_tagfile *f = &ts->files[ts->n_files++];
  f->path = path;
  f->format = format;
  f->title = title;
  f->n_read = tv->n;
  f->n_added = added;
}

size_t kpw_tagset_count(const kpw_tagset *ts) { return ts ? ts->n_tags : 0; }
size_t kpw_tagset_naddresses(const kpw_tagset *ts) { return ts ? ts->n_groups : 0; }
size_t kpw_tagset_nfiles(const kpw_tagset *ts) { return ts ? ts->n_files : 0; }

const kpw_tagfile *kpw_tagset_file(const kpw_tagset *ts, size_t i) {
  return ts && i < ts->n_files ? &ts->files[i] : NULL;
}

size_t kpw_tagset_address(const kpw_tagset *ts, size_t i, const kpw_tag **tags) {
  if (tags) *tags = NULL;
  if (!ts || i >= ts->n_groups) return 0;
  tgroup *g = &ts->groups[i];
  if (tags) *tags = group_tags(g);
  return g->n;
}

size_t kpw_tagset_find(const kpw_tagset *ts, const char *address, const kpw_tag **tags) {
  if (tags) *tags = NULL;
  if (!ts || !address || !ts->n_groups) return 0;
  char norm[ADDR_CAP];
  if (!kpw_crypto_normalize(address, norm, sizeof norm)) return 0;
  size_t j = slot_of(ts, norm, hash_str(norm));
  if (!ts->slots[j]) return 0;
  tgroup *g = &ts->groups[ts->slots[j] - 1];
  if (tags) *tags = group_tags(g);
  return g->n;
}

static bool token_in(const char *list, const char *word) {
  /* list is "a,b,c"; compare each item case-insensitively */
  size_t wl = strlen(word);
  for (const char *p = list; p && *p;) {
    const char *e = strchr(p, ',');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    if (l == wl && strncasecmp(p, word, l) == 0) return true;
    p = e ? e + 1 : NULL;
  }
  return false;
}

bool kpw_tag_is_cashout(const kpw_tag *t, const char *const *extra) {
  if (!t) return false;
  if (t->category && strcasecmp(t->category, "exchange") == 0) return true;
  if (t->concepts && token_in(t->concepts, "exchange")) return true;
  for (size_t i = 0; extra && extra[i]; i++)
    if (t->category && strcasecmp(t->category, extra[i]) == 0) return true;
  return false;
}

bool kpw_tag_format_parse(const char *name, kpw_tag_format *out) {
  static const struct { const char *n; kpw_tag_format f; } m[] = {
    { "auto", KPW_TAGS_AUTO }, { "tagpack", KPW_TAGS_TAGPACK }, { "yaml", KPW_TAGS_TAGPACK },
    { "graphsense", KPW_TAGS_TAGPACK }, { "addrlist", KPW_TAGS_ADDRLIST },
    { "ofac", KPW_TAGS_ADDRLIST }, { "txt", KPW_TAGS_ADDRLIST }, { "csv", KPW_TAGS_CSV },
    { "tsv", KPW_TAGS_CSV } };
  for (size_t i = 0; name && i < sizeof m / sizeof m[0]; i++)
    if (strcasecmp(name, m[i].n) == 0) { if (out) *out = m[i].f; return true; }
  return false;
}

const char *kpw_tag_format_name(kpw_tag_format f) {
  switch (f) {
  case KPW_TAGS_TAGPACK: return "tagpack";
  case KPW_TAGS_ADDRLIST: return "addrlist";
  case KPW_TAGS_CSV: return "csv";
  default: return "auto";
  }
}

/* ============================================================ YAML subset */

typedef enum ytype { Y_NULL, Y_STR, Y_MAP, Y_SEQ } ytype;

typedef struct ynode ynode;
struct ynode {
  ytype type;
  uint64_t line;        /* line where the node starts */
  const char *str;      /* Y_STR */
  const char *key;      /* set when the node is a mapping value */
  ynode *first, *last, *next;
};

typedef struct yp {
  const char *b;
  size_t n;
  size_t pos;           /* cursor */
  size_t ls;            /* start of the cursor's line */
  uint64_t line;        /* 1-based line of ls */
  int ind;              /* indent of the current content line; -1 at end */
  bool seen;            /* a content line or '---' was met */
  bool ended;           /* '...' was met: only blank lines may follow */
  int depth;
  const char *src;
  kpw_arena *a;
  kpw_error *err;
  kpw_buf sb;           /* scalar scratch */
} yp;

static bool is_eol(const yp *p, size_t i) {
  return i >= p->n || p->b[i] == '\n' || (p->b[i] == '\r' && (i + 1 >= p->n || p->b[i + 1] == '\n'));
}
static bool is_ws(char c) { return c == ' ' || c == '\t'; }

static size_t line_end(const yp *p, size_t i) {
  while (!is_eol(p, i)) i++;
  return i;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static kpw_result yerr(yp *p, uint64_t line, size_t at, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  kpw_error_set(p->err, KPW_EINPUT, p->src, line, at, "%s", msg);
  if (at <= p->n) {
    size_t s = at, e = line_end(p, at);
    if (e - s > 40) e = s + 40;
    kpw_error_excerpt(p->err, p->b + s, e - s);
  }
  return KPW_EINPUT;
}

/* Move to the start of the next line. */
static void next_line(yp *p) {
  size_t i = p->pos;
  while (i < p->n && p->b[i] != '\n') i++;
  if (i < p->n) { p->pos = p->ls = i + 1; p->line++; }
  else p->pos = p->ls = p->n;
}

/* From the start of a line, skip blank and comment lines; leave the cursor
** on the first non-space character of the next content line and set
** p->ind (-1 at the end). Tabs in indentation are an error because YAML
** forbids them and editors render them at arbitrary widths. */
static kpw_result skip_blank(yp *p) {
  for (;;) {
    p->pos = p->ls;
    if (p->ls >= p->n) { p->ind = -1; return KPW_OK; }
    size_t i = p->ls;
    bool tab = false;
    while (i < p->n && is_ws(p->b[i])) { if (p->b[i] == '\t' && !tab) tab = true; i++; }
    if (is_eol(p, i) || p->b[i] == '#') { p->pos = i; next_line(p); continue; }
    size_t sp = 0;
    while (p->b[p->ls + sp] == ' ') sp++;
    if (tab && p->b[p->ls + sp] == '\t')
      return yerr(p, p->line, p->ls + sp, "tab character in indentation (%s)", "YAML indents with spaces only");
    if (sp == 0 && p->n - i >= 3 && (memcmp(p->b + i, "---", 3) == 0 || memcmp(p->b + i, "...", 3) == 0) &&
        (is_eol(p, i + 3) || is_ws(p->b[i + 3]))) {
      size_t k = i + 3;
      while (!is_eol(p, k) && is_ws(p->b[k])) k++;
      if (!is_eol(p, k) && p->b[k] != '#')
        return yerr(p, p->line, i, "content on a document marker line is not supported (%s)", "put it on the next line");
      /* '---' may open the document; '...' ends it. Another '---' or any
      ** content after '...' would be a second document. */
      if (p->ended || (p->b[i] == '-' && p->seen))
        return yerr(p, p->line, i, "%s", "several YAML documents in one file are not supported");
      if (p->b[i] == '.') p->ended = true;
      p->seen = true;
      p->pos = i;
      next_line(p);
      continue;
    }
    if (p->ended)
      return yerr(p, p->line, i, "%s", "content after the document end marker '...'");
    p->seen = true;
    p->pos = i;
    p->ind = (int)(i - p->ls);
    if (i - p->ls > 100000) return yerr(p, p->line, i, "indentation too deep (%s)", "over 100000 spaces");
    return KPW_OK;
  }
}

static ynode *ynew(yp *p, ytype t, uint64_t line) {
  ynode *y = kpw_arena_calloc(p->a, sizeof *y);
  y->type = t;
  y->line = line;
  return y;
}

/* The scalar scratch as an arena string; never NULL (an empty buffer may
** not have allocated its data yet). */
static const char *sb_dup(yp *p) {
  return kpw_arena_strndup(p->a, p->sb.data ? p->sb.data : "", p->sb.len);
}

static void yappend(ynode *parent, ynode *child) {
  if (parent->last) parent->last->next = child; else parent->first = child;
  parent->last = child;
}

static bool is_seq_item(const yp *p) {
  return p->pos < p->n && p->b[p->pos] == '-' && (is_eol(p, p->pos + 1) || is_ws(p->b[p->pos + 1]));
}

/* Append code point cp as UTF-8. */
static void put_cp(kpw_buf *b, uint32_t cp) {
  char u[4];
  int l = kpw_utf8_encode(cp, u);
  kpw_buf_put(b, u, (size_t)l);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* A quoted scalar at p->pos into p->sb. Multi-line quotes fold line breaks
** to a space (an empty line to '\n'), as YAML does. one_line: fail (return
** KPW_DONE, nothing consumed) if the closing quote is not on this line. */
static kpw_result parse_quoted(yp *p, bool one_line) {
  char q = p->b[p->pos];
  uint64_t start_line = p->line;
  size_t start = p->pos, i = p->pos + 1, ls = p->ls;
  uint64_t line = p->line;
  kpw_buf_reset(&p->sb);
  for (;;) {
    if (i >= p->n) {
      if (one_line) return KPW_DONE;
      return yerr(p, start_line, start, "unterminated quoted scalar (%s)", q == '"' ? "missing '\"'" : "missing \"'\"");
    }
    char c = p->b[i];
    if (c == q) {
      if (q == '\'' && i + 1 < p->n && p->b[i + 1] == '\'') { kpw_buf_putc(&p->sb, '\''); i += 2; continue; }
      i++;
      break;
    }
    if (c == '\n' || (c == '\r' && i + 1 < p->n && p->b[i + 1] == '\n')) {
      if (one_line) return KPW_DONE;
      while (p->sb.len && is_ws(p->sb.data[p->sb.len - 1])) p->sb.data[--p->sb.len] = 0;
      size_t empty = 0;
      for (;;) {
        i += c == '\r' ? 2 : 1;
        line++;
        ls = i;
        while (i < p->n && is_ws(p->b[i])) i++;
        if (i < p->n && (p->b[i] == '\n' || (p->b[i] == '\r' && i + 1 < p->n && p->b[i + 1] == '\n'))) {
          c = p->b[i];
          empty++;
          continue;
        }
        break;
      }
      if (empty) for (size_t k = 0; k < empty; k++) kpw_buf_putc(&p->sb, '\n');
      else kpw_buf_putc(&p->sb, ' ');
      continue;
    }
    if (q == '"' && c == '\\') {
      if (i + 1 >= p->n) { i++; continue; }  /* unterminated: reported on the next turn */
      char e = p->b[i + 1];
      if (e == '\n' || e == '\r') {                 /* escaped line break: join */
        if (one_line) return KPW_DONE;
        i += (e == '\r' && i + 2 < p->n && p->b[i + 2] == '\n') ? 3 : 2;
        line++;
        ls = i;
        while (i < p->n && is_ws(p->b[i])) i++;
        continue;
      }
      static const char from[] = "0abtnvfre \"/\\N_LP\t";
      static const char *to[] = { "\0", "\a", "\b", "\t", "\n", "\v", "\f", "\r", "\x1b", " ", "\"", "/",
                                  "\\", "\xc2\x85", "\xc2\xa0", "\xe2\x80\xa8", "\xe2\x80\xa9", "\t" };
      const char *f = e ? strchr(from, e) : NULL;
      if (f) {
        size_t k = (size_t)(f - from);
        if (k == 0) {
          p->pos = i; p->ls = ls; p->line = line;
          return yerr(p, line, i, "%s", "\\0 (NUL) is not allowed in a tag value");
        }
        kpw_buf_puts(&p->sb, to[k]);
        i += 2;
        continue;
      }
      int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
      uint32_t cp = 0;
      bool ok = digits > 0 && i + 2 + (size_t)digits <= p->n;
      for (int k = 0; ok && k < digits; k++) {
        int h = hexval(p->b[i + 2 + (size_t)k]);
        if (h < 0) ok = false; else cp = cp * 16 + (uint32_t)h;
      }
      if (!ok || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        p->pos = i; p->ls = ls; p->line = line;
        return yerr(p, line, i, "bad escape in a double-quoted scalar (%s)", "\\x, \\u, \\U need hex digits of a valid code point");
      }
      put_cp(&p->sb, cp);
      i += 2 + (size_t)digits;
      continue;
    }
    kpw_buf_putc(&p->sb, c);
    i++;
  }
  p->pos = i;
  p->ls = ls;
  p->line = line;
  return KPW_OK;
}

/* Is there a mapping key at the cursor? On yes, *key is set (arena copy)
** and the cursor moves past the ':'. */
static kpw_result scan_key(yp *p, const char **key, bool *found) {
  *found = false;
  size_t i = p->pos;
  if (i >= p->n) return KPW_OK;
  char c = p->b[i];
  if (c == '\'' || c == '"') {
    size_t save_pos = p->pos, save_ls = p->ls;
    uint64_t save_line = p->line;
    kpw_result r = parse_quoted(p, true);
    if (r == KPW_DONE) { p->pos = save_pos; return KPW_OK; }
    if (r) return r;
    size_t j = p->pos;
    while (!is_eol(p, j) && is_ws(p->b[j])) j++;
    if (j < p->n && p->b[j] == ':' && (is_eol(p, j + 1) || is_ws(p->b[j + 1]))) {
      *key = sb_dup(p);
      p->pos = j + 1;
      *found = true;
      return KPW_OK;
    }
    p->pos = save_pos; p->ls = save_ls; p->line = save_line;
    return KPW_OK;
  }
  if (strchr("[]{}&*!|>%@`#,?", c)) return KPW_OK;
  for (size_t j = i; !is_eol(p, j); j++) {
    if (p->b[j] == '#' && j > i && is_ws(p->b[j - 1])) return KPW_OK;
    if (p->b[j] == ':' && (is_eol(p, j + 1) || is_ws(p->b[j + 1]))) {
      size_t e = j;
      while (e > i && is_ws(p->b[e - 1])) e--;
      *key = kpw_arena_strndup(p->a, p->b + i, e - i);
      p->pos = j + 1;
      *found = true;
      return KPW_OK;
    }
  }
  return KPW_OK;
}

static bool is_null_word(const char *s, size_t n) {
  return n == 0 || (n == 1 && s[0] == '~') ||
         (n == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 || memcmp(s, "NULL", 4) == 0));
}

/* End of a plain scalar's text on the line from i: before " #" or EOL,
** trailing spaces trimmed. *colon is set when ": " occurs (a mapping entry
** where a plain scalar was expected). */
static size_t plain_end(const yp *p, size_t i, bool *colon) {
  size_t j = i;
  *colon = false;
  for (; !is_eol(p, j); j++) {
    if (p->b[j] == '#' && j > i && is_ws(p->b[j - 1])) break;
    if (p->b[j] == ':' && (is_eol(p, j + 1) || is_ws(p->b[j + 1]))) *colon = true;
  }
  while (j > i && (is_ws(p->b[j - 1]) || p->b[j - 1] == '\r')) j--;
  return j;
}

/* A plain scalar at the cursor; continuation lines must be indented more
** than pcol. Leaves the cursor on the next content line. */
static kpw_result parse_plain(yp *p, int pcol, ynode **out) {
  uint64_t line = p->line;
  bool colon;
  size_t e = plain_end(p, p->pos, &colon);
  if (colon)
    return yerr(p, p->line, p->pos, "a mapping entry is not allowed here (%s)", "quote a value that holds ': '");
  kpw_buf_reset(&p->sb);
  kpw_buf_put(&p->sb, p->b + p->pos, e - p->pos);
  bool multi = false;
  for (;;) {
    p->pos = e;
    uint64_t before = p->line;
    next_line(p);
    kpw_result r = skip_blank(p);
    if (r) return r;
    if (p->ind < 0 || p->ind <= pcol) break;
    e = plain_end(p, p->pos, &colon);
    if (colon || is_seq_item(p))
      return yerr(p, p->line, p->pos, "bad indentation: %s", colon ? "this mapping entry is indented deeper than its siblings"
                                                                       : "this sequence item is indented deeper than its siblings");
    uint64_t gap = p->line - before - 1;   /* blank lines fold to newlines */
    if (gap) for (uint64_t k = 0; k < gap; k++) kpw_buf_putc(&p->sb, '\n');
    else kpw_buf_putc(&p->sb, ' ');
    kpw_buf_put(&p->sb, p->b + p->pos, e - p->pos);
    multi = true;
  }
  if (!multi && is_null_word(p->sb.data, p->sb.len)) { *out = ynew(p, Y_NULL, line); return KPW_OK; }
  ynode *y = ynew(p, Y_STR, line);
  y->str = sb_dup(p);
  *out = y;
  return KPW_OK;
}

/* A '|' or '>' block scalar: header at the cursor, content lines indented
** more than pcol. Literal keeps line breaks; folded joins lines with a
** space (blank lines and more-indented lines keep their breaks). */
static kpw_result parse_block_scalar(yp *p, int pcol, ynode **out) {
  uint64_t line = p->line;
  bool folded = p->b[p->pos] == '>';
  char chomp = 0;
  int explicit_ind = 0;
  size_t i = p->pos + 1;
  for (; !is_eol(p, i) && !is_ws(p->b[i]); i++) {
    char c = p->b[i];
    if ((c == '+' || c == '-') && !chomp) chomp = c;
    else if (c >= '1' && c <= '9' && !explicit_ind) explicit_ind = c - '0';
    else return yerr(p, p->line, i, "bad block scalar header (%s)", "expected | or > with optional +, - or an indent digit");
  }
  while (!is_eol(p, i) && is_ws(p->b[i])) i++;
  if (!is_eol(p, i) && p->b[i] != '#')
    return yerr(p, p->line, i, "text after a block scalar indicator (%s)", "the content starts on the next line");
  p->pos = i;
  next_line(p);
  /* content indent: explicit, or that of the first non-empty line */
  int ci = explicit_ind ? pcol + explicit_ind : -1;
  if (explicit_ind && pcol < 0) ci = explicit_ind;
  if (ci < 0) {
    for (size_t k = p->ls; k < p->n;) {
      size_t s = k;
      while (k < p->n && p->b[k] == ' ') k++;
      if (is_eol(p, k)) { k = line_end(p, k); if (k < p->n) k += p->b[k] == '\r' ? 2 : 1; continue; }
      ci = (int)(k - s);
      break;
    }
    if (ci <= pcol) ci = pcol + 1;    /* empty scalar: the next line ends it */
  }
  kpw_buf_reset(&p->sb);
  size_t trailing = 0;                 /* pending line breaks */
  bool any = false, prev_more = false;
  while (p->ls < p->n) {
    size_t k = p->ls, e = line_end(p, k);
    size_t sp = 0;
    while (k + sp < e && p->b[k + sp] == ' ') sp++;
    if (k + sp == e) {                 /* empty line (spaces only) */
      trailing++;
      p->pos = e;
      next_line(p);
      continue;
    }
    if ((int)sp < ci) break;
    bool more = folded && ((int)sp > ci || p->b[k + (size_t)ci] == '\t');
    if (any) {
      if (!folded || more || prev_more) for (size_t t = 0; t < trailing + 1; t++) kpw_buf_putc(&p->sb, '\n');
      else if (trailing) for (size_t t = 0; t < trailing; t++) kpw_buf_putc(&p->sb, '\n');
      else kpw_buf_putc(&p->sb, ' ');
    } else {
      for (size_t t = 0; t < trailing; t++) kpw_buf_putc(&p->sb, '\n');
    }
    trailing = 0;
    kpw_buf_put(&p->sb, p->b + k + (size_t)ci, e - k - (size_t)ci);
    any = true;
    prev_more = more;
    p->pos = e;
    next_line(p);
  }
  if (chomp == '+') for (size_t t = 0; t < trailing + (any ? 1 : 0); t++) kpw_buf_putc(&p->sb, '\n');
  else if (chomp == 0 && any) kpw_buf_putc(&p->sb, '\n');
  kpw_result r = skip_blank(p);
  if (r) return r;
  ynode *y = ynew(p, Y_STR, line);
  y->str = sb_dup(p);
  *out = y;
  return KPW_OK;
}

/* A one-line flow sequence of scalars, "[exchange, 'defi']", as TagPacks
** write concepts. Nesting and flow over several lines are not supported. */
static kpw_result parse_flow_seq(yp *p, ynode **out) {
  ynode *s = ynew(p, Y_SEQ, p->line);
  size_t i = p->pos + 1;
  for (;;) {
    while (!is_eol(p, i) && is_ws(p->b[i])) i++;
    if (is_eol(p, i))
      return yerr(p, p->line, i, "unterminated flow sequence (%s)", "'[' ... ']' must close on the same line");
    char c = p->b[i];
    if (c == ']' && !s->first) { i++; break; }
    ynode *item = ynew(p, Y_STR, p->line);
    if (c == '\'' || c == '"') {
      p->pos = i;
      kpw_result r = parse_quoted(p, true);
      if (r == KPW_DONE) return yerr(p, p->line, i, "unterminated quoted scalar (%s)", "inside a flow sequence");
      if (r) return r;
      item->str = sb_dup(p);
      i = p->pos;
    } else {
      if (strchr("[]{}&*!|>%@`#,?:", c))
        return yerr(p, p->line, i, "unsupported item in a flow sequence (%s)", "only plain or quoted scalars");
      size_t st = i;
      while (!is_eol(p, i) && p->b[i] != ',' && p->b[i] != ']' && !(p->b[i] == '#' && is_ws(p->b[i - 1]))) {
        if (strchr("[{}", p->b[i]) || (p->b[i] == ':' && (is_eol(p, i + 1) || is_ws(p->b[i + 1]) || p->b[i + 1] == ',')))
          return yerr(p, p->line, i, "unsupported item in a flow sequence (%s)", "only plain or quoted scalars");
        i++;
      }
      size_t e = i;
      while (e > st && is_ws(p->b[e - 1])) e--;
      item->str = kpw_arena_strndup(p->a, p->b + st, e - st);
      if (is_null_word(item->str, e - st)) item->type = Y_NULL;
    }
    yappend(s, item);
    while (!is_eol(p, i) && is_ws(p->b[i])) i++;
    if (!is_eol(p, i) && p->b[i] == ',') { i++; continue; }
    if (!is_eol(p, i) && p->b[i] == ']') { i++; break; }
    return yerr(p, p->line, i, "expected ',' or ']' in a flow sequence (%s)", "it must close on the same line");
  }
  while (!is_eol(p, i) && is_ws(p->b[i])) i++;
  if (!is_eol(p, i) && p->b[i] != '#')
    return yerr(p, p->line, i, "unexpected text after a flow sequence (%s)", "expected the end of the line");
  p->pos = i;
  next_line(p);
  kpw_result r = skip_blank(p);
  if (r) return r;
  *out = s;
  return KPW_OK;
}

static kpw_result parse_block(yp *p, int col, ynode **out);
static kpw_result parse_map(yp *p, int col, ynode **out);
static kpw_result parse_seq(yp *p, int col, ynode **out);

/* The value after "key:" (in_map) or "- " (a sequence item); col is the
** column of the key or of the '-'. */
static kpw_result parse_value(yp *p, int col, bool in_map, ynode **out) {
  while (!is_eol(p, p->pos) && is_ws(p->b[p->pos])) p->pos++;
  uint64_t line = p->line;
  if (is_eol(p, p->pos) || p->b[p->pos] == '#') {
    next_line(p);
    kpw_result r = skip_blank(p);
    if (r) return r;
    if (p->ind > col) return parse_block(p, p->ind, out);
    if (in_map && p->ind == col && is_seq_item(p)) return parse_seq(p, col, out);
    *out = ynew(p, Y_NULL, line);
    return KPW_OK;
  }
  char c = p->b[p->pos];
  if (c == '|' || c == '>') return parse_block_scalar(p, col, out);
  if (c == '\'' || c == '"') {
    if (!in_map) {                     /* "- 'key': value" starts a mapping */
      bool found;
      size_t save = p->pos;
      const char *k;
      kpw_result r = scan_key(p, &k, &found);
      if (r) return r;
      p->pos = save;
      if (found) return parse_map(p, (int)(p->pos - p->ls), out);
    }
    kpw_result r = parse_quoted(p, false);
    if (r) return r;
    size_t j = p->pos;
    while (!is_eol(p, j) && is_ws(p->b[j])) j++;
    if (!is_eol(p, j) && p->b[j] != '#')
      return yerr(p, p->line, j, "unexpected text after a quoted scalar (%s)", "expected the end of the line");
    ynode *y = ynew(p, Y_STR, line);
    y->str = sb_dup(p);
    p->pos = j;
    next_line(p);
    r = skip_blank(p);
    if (r) return r;
    *out = y;
    return KPW_OK;
  }
  if (c == '[') return parse_flow_seq(p, out);
  if (c == '{')
    return yerr(p, p->line, p->pos, "flow collections are not supported (%s)", "write the list or mapping in block style, or quote the value");
  if (c == '&' || c == '*' || c == '!')
    return yerr(p, p->line, p->pos, "YAML anchors, aliases and tags are not supported (%s)", "quote the value if it is text");
  if (c == '?' || c == '%' || c == '@' || c == '`' || c == ',' || c == ']' || c == '}')
    return yerr(p, p->line, p->pos, "a value may not start with this character (%s)", "quote it");
  if (is_seq_item(p))
    return yerr(p, p->line, p->pos, "a sequence may not start on this line (%s)", in_map ? "start it on the next line" : "nested '- -' is not supported");
  if (!in_map) {
    bool found;
    const char *k;
    size_t save = p->pos;
    kpw_result r = scan_key(p, &k, &found);
    if (r) return r;
    p->pos = save;
    if (found) return parse_map(p, (int)(p->pos - p->ls), out);
  }
  return parse_plain(p, col, out);
}

static kpw_result parse_map(yp *p, int col, ynode **out) {
  if (++p->depth > YAML_MAX_DEPTH) return yerr(p, p->line, p->pos, "nesting deeper than %s levels", "64");
  ynode *m = ynew(p, Y_MAP, p->line);
  int nkeys = 0;
  for (;;) {
    if (is_seq_item(p))
      return yerr(p, p->line, p->pos, "bad indentation: %s", "a sequence item where a mapping key was expected");
    const char *key;
    bool found;
    uint64_t kline = p->line;
    size_t kpos = p->pos;
    kpw_result r = scan_key(p, &key, &found);
    if (r) return r;
    if (!found) return yerr(p, p->line, p->pos, "expected 'key: value' (%s)", "bad indentation or a missing ':'");
    /* the duplicate check is quadratic, so mappings are capped (TagPack
    ** headers and tags have a dozen keys) */
    if (++nkeys > YAML_MAX_KEYS) return yerr(p, kline, kpos, "more than %d keys in one mapping", YAML_MAX_KEYS);
    for (ynode *c = m->first; c; c = c->next)
      if (strcmp(c->key, key) == 0) return yerr(p, kline, kpos, "duplicate key '%.100s'", key);
    ynode *v;
    r = parse_value(p, col, true, &v);
    if (r) return r;
    v->key = key;
    yappend(m, v);
    if (p->ind < col) break;
    if (p->ind > col)
      return yerr(p, p->line, p->pos, "bad indentation: %s", "this line is indented deeper than the mapping it continues");
  }
  p->depth--;
  *out = m;
  return KPW_OK;
}

static kpw_result parse_seq(yp *p, int col, ynode **out) {
  if (++p->depth > YAML_MAX_DEPTH) return yerr(p, p->line, p->pos, "nesting deeper than %s levels", "64");
  ynode *s = ynew(p, Y_SEQ, p->line);
  for (;;) {
    uint64_t line = p->line;
    p->pos++;                          /* the '-' */
    ynode *v;
    kpw_result r = parse_value(p, col, false, &v);
    if (r) return r;
    v->line = line;
    yappend(s, v);
    if (p->ind < col) break;
    if (p->ind == col) { if (is_seq_item(p)) continue; break; }
    return yerr(p, p->line, p->pos, "bad indentation: %s", "this line is indented deeper than the sequence item it follows");
  }
  p->depth--;
  *out = s;
  return KPW_OK;
}

/* A node starting at the cursor's content line (indent col). */
static kpw_result parse_block(yp *p, int col, ynode **out) {
  if (is_seq_item(p)) return parse_seq(p, col, out);
  bool found;
  const char *k;
  size_t save = p->pos;
  kpw_result r = scan_key(p, &k, &found);
  if (r) return r;
  p->pos = save;
  if (found) return parse_map(p, col, out);
  char c = p->b[p->pos];
  if (c == '\'' || c == '"' || c == '|' || c == '>' || strchr("[{&*!?%@`", c))
    return parse_value(p, col - 1, true, out);
  return parse_plain(p, col - 1, out);
}

/* Parse a whole document; *root is NULL for an empty one. */
static kpw_result yaml_parse(yp *p, ynode **root) {
  *root = NULL;
  if (p->n >= 3 && memcmp(p->b, "\xef\xbb\xbf", 3) == 0) p->pos = p->ls = 3;
  kpw_result r = skip_blank(p);
  if (r) return r;
  if (p->ind < 0) return KPW_OK;
  r = parse_block(p, p->ind, root);
  if (r) return r;
  if (p->ind >= 0)
    return yerr(p, p->line, p->pos, "bad indentation: %s", "this line is indented less than the block it follows but matches no enclosing block");
  return KPW_OK;
}

/* ============================================================= loaders */

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static uint64_t line_of(const char *b, size_t off) {
  uint64_t l = 1;
  for (size_t i = 0; i < off; i++) l += b[i] == '\n';
  return l;
}

/* Text checks every format shares: valid UTF-8 and no NUL. */
static kpw_result check_text(const char *b, size_t n, const char *src, kpw_error *err) {
  const char *z = memchr(b, 0, n);
  size_t ok = kpw_utf8_valid_prefix(b, z ? (size_t)(z - b) : n);
  if (z && ok == (size_t)(z - b))
    return kpw_error_set(err, KPW_EINPUT, src, line_of(b, ok), ok, "NUL byte in a text file");
  if (ok < n) {
    kpw_error_set(err, KPW_EINPUT, src, line_of(b, ok), ok, "invalid UTF-8");
    kpw_error_excerpt(err, b + ok, n - ok < 8 ? n - ok : 8);
    return KPW_EINPUT;
  }
  return KPW_OK;
}

/* Normalise an address into the set, or fail with the location. */
static kpw_result norm_addr(kpw_tagset *ts, const char *addr, const char *src, uint64_t line,
                            const char **out, kpw_error *err) {
  char norm[ADDR_CAP];
  if (!addr || !kpw_crypto_normalize(addr, norm, sizeof norm)) {
    kpw_error_set(err, KPW_EINPUT, src, line, 0, "bad address '%.80s' (empty, too long, or with spaces or non-ASCII characters)",
                  addr ? addr : "");
    return KPW_EINPUT;
  }
  *out = intern(ts, norm);
  return KPW_OK;
}

/* ---- TagPack */

/* The TagPack fields kept in a kpw_tag, by key. */
enum { F_CURRENCY, F_LABEL, F_ACTOR, F_CATEGORY, F_ABUSE, F_SOURCE, F_CONFIDENCE, F_CONCEPTS, F_N };
static const char *const field_names[F_N] = { "currency", "label", "actor", "category",
                                              "abuse", "source", "confidence", "concepts" };

static int field_index(const char *key) {
  for (int i = 0; i < F_N; i++) if (strcmp(key, field_names[i]) == 0) return i;
  return -1;
}

/* The value of a TagPack field as an interned string (NULL for null).
** concepts may be a sequence of scalars, joined with ','. */
static kpw_result field_value(kpw_tagset *ts, const ynode *v, int f, const char *src,
                              const char **out, kpw_error *err) {
  *out = NULL;
  if (v->type == Y_NULL) return KPW_OK;
  if (v->type == Y_STR) { *out = intern(ts, v->str); return KPW_OK; }
  if (f == F_CONCEPTS && v->type == Y_SEQ) {
    kpw_buf b;
    kpw_buf_init(&b);
    for (const ynode *c = v->first; c; c = c->next) {
      if (c->type == Y_NULL) continue;
      if (c->type != Y_STR) {
        kpw_buf_free(&b);
        return kpw_error_set(err, KPW_EINPUT, src, c->line, 0, "'concepts' items must be plain words");
      }
      if (b.len) kpw_buf_putc(&b, ',');
      kpw_buf_puts(&b, c->str);
    }
    *out = intern(ts, b.data);
    kpw_buf_free(&b);
    return KPW_OK;
  }
  return kpw_error_set(err, KPW_EINPUT, src, v->line, 0, "'%s' must be a single value, not a %s",
                       field_names[f], v->type == Y_MAP ? "mapping" : "list");
}

static void set_field(kpw_tag *t, int f, const char *s) {
  switch (f) {
  case F_CURRENCY: t->currency = s; break;
  case F_LABEL: t->label = s; break;
  case F_ACTOR: t->actor = s; break;
  case F_CATEGORY: t->category = s; break;
  case F_ABUSE: t->abuse = s; break;
  case F_SOURCE: t->source = s; break;
  case F_CONFIDENCE: t->confidence = s; break;
  default: t->concepts = s; break;
  }
}

static kpw_result load_tagpack(kpw_tagset *ts, const char *b, size_t n, const char *src,
                               const char *file, tagvec *tv, const char **title, kpw_error *err) {
  yp p;
  memset(&p, 0, sizeof p);
  p.b = b; p.n = n; p.line = 1; p.src = src; p.err = err;
  p.a = kpw_arena_new(0);
  kpw_buf_init(&p.sb);
  ynode *root;
  kpw_result r = yaml_parse(&p, &root);
  if (r) goto done;
  if (!root || root->type != Y_MAP) {
    r = kpw_error_set(err, KPW_EINPUT, src, root ? root->line : 1, 0,
                      "a TagPack is a mapping with header keys and a 'tags:' list; %s",
                      root ? "this document is not a mapping" : "this document is empty");
    goto done;
  }
  kpw_tag header;
  memset(&header, 0, sizeof header);
  header.file = file;
  const ynode *tags = NULL;
  for (const ynode *c = root->first; c; c = c->next) {
    if (strcmp(c->key, "tags") == 0) { tags = c; continue; }
    if (strcmp(c->key, "title") == 0 && c->type == Y_STR) *title = intern(ts, c->str);
    int f = field_index(c->key);
    if (f < 0) continue;               /* other header keys are not kept */
    const char *s;
    if ((r = field_value(ts, c, f, src, &s, err))) goto done;
    set_field(&header, f, s);
  }
  if (!tags) {
    r = kpw_error_set(err, KPW_EINPUT, src, root->line, 0, "no 'tags:' list in this TagPack");
    goto done;
  }
  if (tags->type == Y_NULL) goto done;  /* "tags:" with no items: zero tags */
  if (tags->type != Y_SEQ) {
    r = kpw_error_set(err, KPW_EINPUT, src, tags->line, 0, "'tags' must be a list of '- address: ...' items");
    goto done;
  }
  for (const ynode *it = tags->first; it; it = it->next) {
    if (it->type != Y_MAP) {
      r = kpw_error_set(err, KPW_EINPUT, src, it->line, 0, "a tag must be a mapping with an 'address:' key");
      goto done;
    }
    kpw_tag t = header;
    t.line = it->line;
    const char *addr = NULL;
    for (const ynode *c = it->first; c; c = c->next) {
      if (strcmp(c->key, "address") == 0) {
        if (c->type != Y_STR) {
          r = kpw_error_set(err, KPW_EINPUT, src, c->line, 0, "'address' must be a single value");
          goto done;
        }
        addr = c->str;
        continue;
      }
      int f = field_index(c->key);
      if (f < 0) continue;
      const char *s;
      if ((r = field_value(ts, c, f, src, &s, err))) goto done;
      if (s) set_field(&t, f, s);      /* a null in a tag keeps the header's value */
    }
    if (!addr) {
      r = kpw_error_set(err, KPW_EINPUT, src, it->line, 0, "this tag has no 'address:'");
      goto done;
    }
    /* Some packs annotate an address after a space ("VJL...53Z (AMP ID:
    ** ...)" in the Bitfinex pack): the address is the first word. */
    char first[ADDR_CAP];
    size_t fl = 0;
    while (addr[fl] && isspace((unsigned char)addr[fl])) addr++;
    while (addr[fl] && !isspace((unsigned char)addr[fl])) fl++;
    if (addr[fl] && fl < sizeof first) {
      memcpy(first, addr, fl);
      first[fl] = 0;
      addr = first;
    }
    if ((r = norm_addr(ts, addr, src, it->line, &t.address, err))) goto done;
    tagvec_push(tv, &t);
  }
done:
  kpw_buf_free(&p.sb);
  kpw_arena_free(p.a);
  return r;
}

/* ---- address list */

/* "sanctioned_addresses_XBT.txt" -> "XBT"; NULL for other names. */
static const char *currency_from_name(kpw_tagset *ts, const char *path) {
  const char *b = base_name(path), *pre = "sanctioned_addresses_";
  if (strncmp(b, pre, strlen(pre)) != 0) return NULL;
  b += strlen(pre);
  char cur[32];
  size_t k = 0;
  while (b[k] && b[k] != '.' && k + 1 < sizeof cur && isalnum((unsigned char)b[k])) { cur[k] = b[k]; k++; }
  cur[k] = 0;
  return intern(ts, cur);
}

static kpw_result load_addrlist(kpw_tagset *ts, const char *b, size_t n, const char *src,
                                const char *file, tagvec *tv, kpw_error *err) {
  kpw_tag base;
  memset(&base, 0, sizeof base);
  base.file = file;
  base.currency = currency_from_name(ts, src);
  base.label = intern(ts, "OFAC SDN");
  base.category = intern(ts, "sanctioned");
  base.source = intern(ts, "OFAC SDN list");
  uint64_t line = 0;
  size_t i = 0;
  if (n >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0) i = 3;
  char tok[ADDR_CAP];
  while (i < n) {
    line++;
    size_t e = i;
    while (e < n && b[e] != '\n') e++;
    size_t s = i, t = e;
    i = e + 1;
    while (s < t && isspace((unsigned char)b[s])) s++;
    while (t > s && isspace((unsigned char)b[t - 1])) t--;
    if (s == t || b[s] == '#') continue;
    for (size_t k = s; k < t; k++)
      if (isspace((unsigned char)b[k]))
        return kpw_error_set(err, KPW_EINPUT, src, line, s, "expected one address per line, found '%.*s'",
                             (int)(t - s < 80 ? t - s : 80), b + s);
    if (t - s >= sizeof tok)
      return kpw_error_set(err, KPW_EINPUT, src, line, s, "address longer than %zu bytes", sizeof tok - 1);
    memcpy(tok, b + s, t - s);
    tok[t - s] = 0;
    kpw_tag tg = base;
    tg.line = line;
    kpw_result r = norm_addr(ts, tok, src, line, &tg.address, err);
    if (r) return r;
    tagvec_push(tv, &tg);
  }
  return KPW_OK;
}

/* ---- CSV */

static kpw_result load_csv(kpw_tagset *ts, const char *b, size_t n, const char *src,
                           const char *file, tagvec *tv, kpw_error *err) {
  if (n == 0) return kpw_error_set(err, KPW_EINPUT, src, 1, 0, "empty CSV: expected a header with an 'address' column");
  size_t fl = 0;
  while (fl < n && b[fl] != '\n') fl++;
  char delim = memchr(b, ',', fl) ? ',' : memchr(b, '\t', fl) ? '\t' : ',';
  FILE *f = fmemopen((void *)b, n, "rb");
  if (!f) return kpw_error_set(err, KPW_EIO, src, 0, 0, "cannot open the CSV in memory");
  kpw_csv *c = NULL;
  kpw_result r = kpw_csv_open(f, src, delim, &c, err);
  if (r) { fclose(f); return r; }
  const char **fields;
  size_t nf;
  r = kpw_csv_next(c, &fields, &nf, err);
  if (r == KPW_DONE) r = kpw_error_set(err, KPW_EINPUT, src, 1, 0, "empty CSV: expected a header with an 'address' column");
  if (r) goto done;
  /* column of each field; col_addr is required */
  static const char *const cols[] = { "currency", "label", "actor", "category", "abuse", "source", "confidence", "concepts" };
  long col[F_N], col_addr = -1;
  for (int k = 0; k < F_N; k++) col[k] = -1;
  for (size_t i = 0; i < nf; i++) {
    char h[64];
    const char *s = fields[i];
    while (isspace((unsigned char)*s)) s++;
    size_t l = strlen(s);
    while (l && isspace((unsigned char)s[l - 1])) l--;
    if (l >= sizeof h) continue;
    memcpy(h, s, l);
    h[l] = 0;
    if (strcasecmp(h, "address") == 0) { if (col_addr < 0) col_addr = (long)i; continue; }
    for (int k = 0; k < F_N; k++) if (strcasecmp(h, cols[k]) == 0 && col[k] < 0) col[k] = (long)i;
  }
  if (col_addr < 0) {
    r = kpw_error_set(err, KPW_EINPUT, src, kpw_csv_line(c), 0,
                      "the CSV header has no 'address' column (columns: address, label, actor, category, currency, source)");
    goto done;
  }
  while ((r = kpw_csv_next(c, &fields, &nf, err)) == KPW_OK) {
    uint64_t line = kpw_csv_line(c);
    bool blank = true;
    for (size_t i = 0; i < nf; i++) if (fields[i][0]) blank = false;
    if (blank) continue;
    const char *addr = (size_t)col_addr < nf ? fields[col_addr] : "";
    kpw_tag t;
    memset(&t, 0, sizeof t);
    t.file = file;
    t.line = line;
    if (!*addr) { r = kpw_error_set(err, KPW_EINPUT, src, line, 0, "empty 'address' field"); goto done; }
    if ((r = norm_addr(ts, addr, src, line, &t.address, err))) goto done;
    for (int k = 0; k < F_N; k++)
      if (col[k] >= 0 && (size_t)col[k] < nf) set_field(&t, k, intern(ts, fields[col[k]]));
    tagvec_push(tv, &t);
  }
  if (r == KPW_DONE) r = KPW_OK;
done:
  kpw_csv_close(c);
  fclose(f);
  return r;
}

/* ---- detection and entry points */

static bool has_ext(const char *path, const char *ext) {
  size_t l = strlen(path), e = strlen(ext);
  return l > e && strcasecmp(path + l - e, ext) == 0;
}

/* Decide from the first content line (after a BOM, blank and '#' lines). */
static kpw_result detect(const char *b, size_t n, const char *src, kpw_tag_format *out, kpw_error *err) {
  size_t i = 0;
  uint64_t line = 1;
  if (n >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0) i = 3;
  for (; i < n; line++) {
    size_t e = i;
    while (e < n && b[e] != '\n') e++;
    size_t s = i, t = e;
    i = e + 1;
    while (s < t && isspace((unsigned char)b[s])) s++;
    while (t > s && isspace((unsigned char)b[t - 1])) t--;
    if (s == t || b[s] == '#') continue;
    size_t l = t - s;
    const char *x = b + s;
    if ((l >= 3 && memcmp(x, "---", 3) == 0) || (x[0] == '-' && (l == 1 || x[1] == ' '))) {
      *out = KPW_TAGS_TAGPACK;
      return KPW_OK;
    }
    for (size_t k = 0; k < l; k++) {
      if (x[k] == ',' || x[k] == '\t') break;
      if (x[k] == ':' && (k + 1 == l || x[k + 1] == ' ')) { *out = KPW_TAGS_TAGPACK; return KPW_OK; }
    }
    if (memchr(x, ',', l) || memchr(x, '\t', l)) { *out = KPW_TAGS_CSV; return KPW_OK; }
    bool one = true;
    for (size_t k = 0; k < l; k++) if (isspace((unsigned char)x[k])) one = false;
    if (one) { *out = KPW_TAGS_ADDRLIST; return KPW_OK; }
    kpw_error_set(err, KPW_EINPUT, src, line, s,
                  "cannot tell the tag file's format (expected a GraphSense TagPack, one address per line, or a CSV with an 'address' column); name it with the format option");
    kpw_error_excerpt(err, x, l < 40 ? l : 40);
    return KPW_EINPUT;
  }
  /* nothing but blank lines and comments: go by the name */
  if (has_ext(src, ".yaml") || has_ext(src, ".yml")) *out = KPW_TAGS_TAGPACK;
  else if (has_ext(src, ".csv") || has_ext(src, ".tsv")) *out = KPW_TAGS_CSV;
  else *out = KPW_TAGS_ADDRLIST;
  return KPW_OK;
}

kpw_result kpw_tagset_load_buffer(kpw_tagset *ts, const void *data, size_t n, const char *source,
                                  kpw_tag_format fmt, kpw_error *err) {
  kpw_error_clear(err);
  if (!ts || (!data && n)) return kpw_error_set(err, KPW_EUSAGE, source, 0, 0, "no tag set or no data");
  const char *src = source ? source : "-";
  const char *b = data ? data : "";
  if (n > TAG_MAX_INPUT)
    return kpw_error_set(err, KPW_ENOMEM, src, 0, 0, "tag file larger than %zu MiB", TAG_MAX_INPUT >> 20);
  kpw_result r = check_text(b, n, src, err);
  if (r) return r;
  if (fmt == KPW_TAGS_AUTO && (r = detect(b, n, src, &fmt, err))) return r;
  const char *file = intern(ts, src);
  const char *title = NULL;
  tagvec tv = { 0 };
  switch (fmt) {
  case KPW_TAGS_TAGPACK: r = load_tagpack(ts, b, n, src, file, &tv, &title, err); break;
  case KPW_TAGS_ADDRLIST: r = load_addrlist(ts, b, n, src, file, &tv, err); break;
  case KPW_TAGS_CSV: r = load_csv(ts, b, n, src, file, &tv, err); break;
  default: r = kpw_error_set(err, KPW_EUSAGE, src, 0, 0, "unknown tag format %d", (int)fmt); break;
  }
  if (r == KPW_OK) commit(ts, &tv, file, kpw_tag_format_name(fmt), title);
  free(tv.v);
  return r;
}

kpw_result kpw_tagset_load_as(kpw_tagset *ts, const char *path, kpw_tag_format fmt, kpw_error *err) {
  kpw_error_clear(err);
  if (!ts || !path) return kpw_error_set(err, KPW_EUSAGE, path, 0, 0, "no tag set or no path");
  kpw_input *in;
  kpw_result r = kpw_input_open(path, &in, err);
  if (r) return r;
  kpw_buf b;
  kpw_buf_init(&b);
  char chunk[65536];
  for (;;) {
    size_t got;
    if ((r = kpw_input_read(in, chunk, sizeof chunk, &got, err))) break;
    if (!got) break;
    if (b.len + got > TAG_MAX_INPUT) {
      r = kpw_error_set(err, KPW_ENOMEM, path, 0, b.len, "tag file larger than %zu MiB", TAG_MAX_INPUT >> 20);
      break;
    }
    kpw_buf_put(&b, chunk, got);
  }
  kpw_input_close(in);
  if (r == KPW_OK) r = kpw_tagset_load_buffer(ts, b.data, b.len, path, fmt, err);
  kpw_buf_free(&b);
  return r;
}

kpw_result kpw_tagset_load(kpw_tagset *ts, const char *path, kpw_error *err) {
  return kpw_tagset_load_as(ts, path, KPW_TAGS_AUTO, err);
}

kpw_result kpw_tagset_add_listset(kpw_tagset *ts, const kpw_listset *ls) {
  if (!ts || !ls) return KPW_EUSAGE;
  tagvec tv = { 0 };
  const char *category = intern(ts, "sanctioned");
  kpw_buf names;
  kpw_buf_init(&names);
  for (size_t i = 0; i < kpw_listset_nlists(ls); i++) {
    const kpw_listinfo *li = kpw_listset_list(ls, i);
    if (names.len) kpw_buf_putc(&names, '+');
    kpw_buf_puts(&names, li && li->name ? li->name : "?");
  }
  for (size_t i = 0; i < kpw_listset_count(ls); i++) {
    const kpw_entity *e = kpw_listset_get(ls, i);
    const char *name = e->n_names && e->names[0].text ? e->names[0].text : e->id;
    for (uint32_t k = 0; k < e->n_ids; k++) {
      const kpw_ident *id = &e->ids[k];
      char norm[ADDR_CAP];
      if (id->kind != KPW_ID_CRYPTO || !kpw_crypto_normalize(id->value, norm, sizeof norm)) continue;
      kpw_tag t;
      memset(&t, 0, sizeof t);
      t.address = intern(ts, norm);
      t.currency = intern(ts, id->chain);
      t.label = t.actor = intern(ts, name);
      t.category = category;
      /* "OFAC:27307" already names the list; otherwise prefix it */
      const char *list = e->list ? e->list : "";
      size_t ll = strlen(list);
      if (e->id && ll && strncmp(e->id, list, ll) == 0 && e->id[ll] == ':') {
        t.source = intern(ts, e->id);
      } else {
        kpw_buf s;
        kpw_buf_init(&s);
        kpw_buf_printf(&s, "%s%s%s", list, ll ? " " : "", e->id ? e->id : "");
        t.source = intern(ts, s.data);
        kpw_buf_free(&s);
      }
      t.file = intern(ts, e->list ? e->list : "lists");
      tagvec_push(&tv, &t);
    }
  }
  commit(ts, &tv, intern(ts, names.len ? names.data : "lists"), "listset", NULL);
  kpw_buf_free(&names);
  free(tv.v);
  return KPW_OK;
}
