/*
** cluster.c -- common-input address clustering (kpw_cluster_*): union-find
** over address ids, CoinJoin transactions skipped (coinjoin.c), a guard
** against cluster collapse, and the files that persist the result beside
** the chain index.
**
** Union-find: parent and size arrays of u32 per address (8 bytes), path
** halving in find, union by size (ties: the smaller id stays root, so the
** result does not depend on anything but the transaction order). A third
** u32 per address records, on the root of each absorbed cluster, the
** transaction that caused the union; a root is absorbed at most once, so
** that one slot suffices and a cluster of s addresses has exactly s - 1
** such records, the txids that explain it.
**
** Cluster ids are dense and numbered in order of each cluster's smallest
** address id, so they are stable for a given index and transaction order.
**
** Files (docs/cmd-chain-cluster.md): NAME.col = a 16-byte header ("KPWCLST1"
** then the u64 generation, little-endian) followed by host-order (little-
** endian) u32 records. cluster.json is written last and names the
** generation; a reader accepts only files of that generation and size, so
** a crash between two renames can never pair columns of different runs.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "kpw/cluster.h"

#define MAGIC "KPWCLST1"
#define HDR 16
#define NONE KPW_CLUSTER_NONE
#define REFUSAL_WORDS 6   /* u32 fields of kpw_cluster_refusal */

_Static_assert(sizeof(kpw_cluster_refusal) == REFUSAL_WORDS * 4, "refusal layout");

enum { F_CLUSTER, F_SIZE, F_MERGE, F_REFUSED, N_FILES };
static const char *const FILE_NAMES[N_FILES] = {"cluster.col", "size.col", "merge.col", "refused.col"};

/* Ownership of the arrays: malloc'ed (computed) or mapped (loaded). */
typedef struct priv {
  bool mapped;
  void *mem[N_FILES];
  size_t len[N_FILES];
} priv;

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void kpw_cluster_free(kpw_clustering *c) {
  if (!c) return;
  priv *p = c->priv_;
  if (p) {
    for (int i = 0; i < N_FILES; i++) {
      if (p->mapped) {
        if (p->mem[i] && p->len[i]) munmap(p->mem[i], p->len[i]);
      } else {
        free(p->mem[i]);
      }
    }
    free(p);
  }
  free(c);
}

/* ------------------------------------------------------------ compute */
static inline uint32_t uf_find(uint32_t *parent, uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];   /* path halving */
    x = parent[x];
  }
  return x;
}

typedef struct run {
  uint32_t *parent, *size, *merge;
  kpw_cluster_refusal *ref;
  uint32_t n_ref, cap_ref;
  uint32_t limit;
  bool force;
  kpw_clustering *c;
} run;

static void record_refusal(run *r, uint32_t tx, uint32_t a, uint32_t b, uint32_t sa, uint32_t sb, bool forced) {
  if (r->n_ref >= KPW_CLUSTER_MAX_REFUSALS) return;
  if (r->n_ref == r->cap_ref) {
    r->cap_ref = r->cap_ref ? 2 * r->cap_ref : 64;
    r->ref = kpw_xrealloc(r->ref, (size_t)r->cap_ref * sizeof *r->ref);
  }
  r->ref[r->n_ref++] = (kpw_cluster_refusal){tx, a, b, sa, sb, forced ? 1u : 0u};
}

static void uf_union(run *r, uint32_t tx, uint32_t a, uint32_t b) {
  uint32_t ra = uf_find(r->parent, a), rb = uf_find(r->parent, b);
  if (ra == rb) return;
  if (r->size[ra] > r->limit && r->size[rb] > r->limit) {
    /* Two large clusters meeting is the signature of a false merge (an
    ** undetected CoinJoin, a shared service wallet): refuse unless forced. */
    record_refusal(r, tx, a, b, r->size[ra], r->size[rb], r->force);
    if (!r->force) { r->c->refused++; return; }
    r->c->forced++;
  }
  if (r->size[ra] < r->size[rb] || (r->size[ra] == r->size[rb] && ra > rb)) {
    uint32_t t = ra; ra = rb; rb = t;
  }
  r->parent[rb] = ra;
  r->size[ra] += r->size[rb];
  r->merge[rb] = tx;
  r->c->merges++;
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

kpw_result kpw_cluster_compute(const kpw_cluster_src *src, const kpw_cluster_opts *opts,
                               kpw_clustering **out, kpw_error *err) {
  *out = NULL;
  kpw_cluster_opts o = opts ? *opts : (kpw_cluster_opts){0};
  uint32_t N = src->n_addrs;
  if (N == UINT32_MAX)
    return kpw_error_set(err, KPW_EINPUT, "chain index", 0, 0, "address count %u is out of range", N);
  if (src->n_txs && (src->tx_first_in[0] != 0 || src->tx_first_out[0] != 0))
    return kpw_error_set(err, KPW_EINPUT, "chain index", 0, 0, "first transaction does not start at input/output 0");

  kpw_clustering *c = kpw_xcalloc(1, sizeof *c);
  priv *p = kpw_xcalloc(1, sizeof *p);
  c->priv_ = p;
  c->n_addrs = N;
  c->n_txs = src->n_txs;
  c->collapse_limit = o.collapse_limit ? o.collapse_limit : KPW_CLUSTER_DEFAULT_COLLAPSE;
  c->force = o.force;
  c->coinjoin_filter = !o.no_coinjoin_filter;
  c->gen = now_us();

  run r = {0};
  r.c = c;
  r.limit = c->collapse_limit;
  r.force = o.force;
  r.parent = kpw_xmalloc(((size_t)N + 1) * sizeof(uint32_t));
  r.size = kpw_xmalloc(((size_t)N + 1) * sizeof(uint32_t));
  r.merge = kpw_xmalloc(((size_t)N + 1) * sizeof(uint32_t));
  for (uint32_t i = 0; i < N; i++) { r.parent[i] = i; r.size[i] = 1; r.merge[i] = NONE; }

  /* Per-tx work arrays, grown to the largest input count seen. */
  size_t cap = 0;
  uint64_t *in_val = NULL, *out_val = NULL;
  size_t out_cap = 0;
  uint32_t *in_adr = NULL, *dist = NULL;
  kpw_cj_scratch cjs = {0};
  kpw_result rc = KPW_OK;
  double last = mono_s();

  for (uint32_t t = 0; t < src->n_txs; t++) {
    uint32_t fi = src->tx_first_in[t], li = src->tx_first_in[t + 1];
    uint32_t fo = src->tx_first_out[t], lo = src->tx_first_out[t + 1];
    if (li < fi || li > src->n_ins || lo < fo || lo > src->n_outs) {
      rc = kpw_error_set(err, KPW_EINPUT, "chain index", 0, 0,
                         "transaction %u: input range [%u,%u) or output range [%u,%u) is inconsistent",
                         t, fi, li, fo, lo);
      break;
    }
    if (o.progress && (t & 0xffff) == 0 && mono_s() - last >= 1.0) {
      last = mono_s();
      o.progress(o.progress_ctx, "cluster", t, src->n_txs);
    }
    uint32_t n_in = li - fi;
    if (n_in < 2) continue;   /* coinbase (no inputs) or a single input: nothing to join */
    if (n_in > cap) {
      cap = n_in + n_in / 2;
      in_val = kpw_xrealloc(in_val, cap * sizeof *in_val);
      in_adr = kpw_xrealloc(in_adr, cap * sizeof *in_adr);
      dist = kpw_xrealloc(dist, cap * sizeof *dist);
    }
    uint32_t nd = 0;
    for (uint32_t k = 0; k < n_in; k++) {
      uint32_t po = src->in_prevouts[fi + k];
      in_val[k] = KPW_CJ_VALUE_UNKNOWN;
      in_adr[k] = NONE;
      if (po == NONE) continue;
      if (po >= src->n_outs) {
        rc = kpw_error_set(err, KPW_EINPUT, "chain index", 0, 0,
                           "input %u of transaction %u spends output %u, beyond the %u outputs",
                           k, t, po, src->n_outs);
        goto done;
      }
      uint32_t a = src->out_addrs[po];
      if (a != NONE && a >= N) {
        rc = kpw_error_set(err, KPW_EINPUT, "chain index", 0, 0,
                           "output %u has address id %u, beyond the %u addresses", po, a, N);
        goto done;
      }
      in_val[k] = src->out_values ? src->out_values[po] : src->out_value(src->value_ctx, po);
      in_adr[k] = a;
      if (a != NONE) dist[nd++] = a;
    }
    if (nd < 2) continue;
    qsort(dist, nd, sizeof *dist, cmp_u32);
    uint32_t u = 1;
    for (uint32_t k = 1; k < nd; k++)
      if (dist[k] != dist[u - 1]) dist[u++] = dist[k];
    if (u < 2) continue;
    c->multi_input_txs++;
    if (c->coinjoin_filter) {
      const uint64_t *ov = src->out_values ? src->out_values + fo : NULL;
      if (!ov) {              /* values through the callback, into scratch */
        if (lo - fo > out_cap) {
          out_cap = (lo - fo) + (lo - fo) / 2;
          out_val = kpw_xrealloc(out_val, out_cap * sizeof *out_val);
        }
        for (uint32_t k = 0; k < lo - fo; k++) out_val[k] = src->out_value(src->value_ctx, fo + k);
        ov = out_val;
      }
      kpw_cj_tx v = {n_in, lo - fo, in_val, in_adr, ov, src->out_addrs + fo};
      kpw_cj_kind kind = kpw_coinjoin_detect(&v, &cjs);
      if (kind != KPW_CJ_NONE) { c->coinjoins[kind]++; continue; }
    }
    for (uint32_t k = 1; k < u; k++) uf_union(&r, t, dist[0], dist[k]);
  }
  if (o.progress && rc == KPW_OK) o.progress(o.progress_ctx, "cluster", src->n_txs, src->n_txs);

done:
  free(out_val);
  free(in_val);
  free(in_adr);
  free(dist);
  kpw_cj_scratch_free(&cjs);
  if (rc != KPW_OK) {
    free(r.parent); free(r.size); free(r.merge); free(r.ref);
    kpw_cluster_free(c);
    return rc;
  }

  /* Flatten: parent[i] = root, in ascending i. Then number the roots in
  ** order of first sight (= smallest member) into size[] (reused as the
  ** root -> id map; the union sizes are no longer needed) and overwrite
  ** parent[i] with the id: parent[j] for j > i is read directly and still
  ** holds a root index, never a rewritten entry. */
  for (uint32_t i = 0; i < N; i++) r.parent[i] = uf_find(r.parent, i);
  for (uint32_t i = 0; i < N; i++) r.size[i] = NONE;
  uint32_t k = 0;
  for (uint32_t i = 0; i < N; i++) {
    uint32_t root = r.parent[i];
    if (r.size[root] == NONE) r.size[root] = k++;
    r.parent[i] = r.size[root];
  }
  memset(r.size, 0, (size_t)k * sizeof(uint32_t));
  for (uint32_t i = 0; i < N; i++) r.size[r.parent[i]]++;
  uint32_t *sizes = kpw_xrealloc(r.size, ((size_t)k + 1) * sizeof(uint32_t));
  c->n_clusters = k;
  for (uint32_t i = 0; i < k; i++)
    if (sizes[i] > c->largest) { c->largest = sizes[i]; c->largest_id = i; }
  if (!k) c->largest_id = NONE;
  p->mem[F_CLUSTER] = r.parent;
  p->mem[F_SIZE] = sizes;
  p->mem[F_MERGE] = r.merge;
  p->mem[F_REFUSED] = r.ref;
  c->cluster = r.parent;
  c->size = sizes;
  c->merge_tx = r.merge;
  c->refusals = r.ref;
  c->n_refusals = r.n_ref;
  *out = c;
  return KPW_OK;
}

/* --------------------------------------------------------------- files */
static kpw_result write_all(int fd, const void *data, size_t n, const char *path, kpw_error *err) {
  const uint8_t *b = data;
  while (n) {
    ssize_t w = write(fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return kpw_error_set(err, KPW_EIO, path, 0, 0, "write failed: %s", strerror(errno));
    b += w;
    n -= (size_t)w;
  }
  return KPW_OK;
}

/* Write hdr (may be NULL) then data to dir/name.tmp, fsync, rename. */
static kpw_result write_file(const char *dir, const char *name, const void *hdr, size_t hn,
                             const void *data, size_t n, kpw_error *err) {
  char path[4096], tmp[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return kpw_error_set(err, KPW_EIO, tmp, 0, 0, "cannot create: %s", strerror(errno));
  kpw_result rc = hdr ? write_all(fd, hdr, hn, tmp, err) : KPW_OK;
  if (rc == KPW_OK) rc = write_all(fd, data, n, tmp, err);
  if (rc == KPW_OK && fsync(fd) != 0)
    rc = kpw_error_set(err, KPW_EIO, tmp, 0, 0, "fsync failed: %s", strerror(errno));
  if (close(fd) != 0 && rc == KPW_OK)
    rc = kpw_error_set(err, KPW_EIO, tmp, 0, 0, "close failed: %s", strerror(errno));
  if (rc == KPW_OK && rename(tmp, path) != 0)
    rc = kpw_error_set(err, KPW_EIO, path, 0, 0, "rename failed: %s", strerror(errno));
  if (rc != KPW_OK) unlink(tmp);
  return rc;
}

static void header(uint8_t h[HDR], uint64_t gen) {
  memcpy(h, MAGIC, 8);
  for (int i = 0; i < 8; i++) h[8 + i] = (uint8_t)(gen >> (8 * i));
}

/* ,"key":v */
static void put_kv(kpw_buf *b, const char *key, int64_t v) {
  kpw_buf_putc(b, ',');
  kpw_json_key(b, key);
  kpw_json_int(b, v);
}

/* ,"coinjoins":{"whirlpool":N,...} */
static void put_coinjoins(kpw_buf *b, const kpw_clustering *c) {
  kpw_buf_puts(b, ",\"coinjoins\":{");
  for (int k = 1; k < KPW_CJ_KINDS; k++) {
    if (k > 1) kpw_buf_putc(b, ',');
    kpw_json_key(b, kpw_cj_kind_name((kpw_cj_kind)k));
    kpw_json_int(b, (int64_t)c->coinjoins[k]);
  }
  kpw_buf_putc(b, '}');
}

static void meta_json(const kpw_clustering *c, kpw_buf *b) {
  kpw_buf_puts(b, "{\"version\":1,\"gen\":");
  kpw_json_int(b, (int64_t)c->gen);
  put_kv(b, "addresses", (int64_t)c->n_addrs);
  put_kv(b, "clusters", (int64_t)c->n_clusters);
  put_kv(b, "largest", (int64_t)c->largest);
  put_kv(b, "largest_cluster", c->largest_id == NONE ? -1 : (int64_t)c->largest_id);
  put_kv(b, "txs", (int64_t)c->n_txs);
  put_kv(b, "multi_input_txs", (int64_t)c->multi_input_txs);
  put_kv(b, "merges", (int64_t)c->merges);
  put_kv(b, "refused", (int64_t)c->refused);
  put_kv(b, "forced", (int64_t)c->forced);
  put_kv(b, "stored_refusals", (int64_t)c->n_refusals);
  put_kv(b, "collapse_limit", (int64_t)c->collapse_limit);
  kpw_buf_puts(b, c->force ? ",\"force\":true" : ",\"force\":false");
  kpw_buf_puts(b, c->coinjoin_filter ? ",\"coinjoin_filter\":true" : ",\"coinjoin_filter\":false");
  put_coinjoins(b, c);
  kpw_buf_putc(b, '}');
}

kpw_result kpw_cluster_save(const kpw_clustering *c, const char *dir, kpw_error *err) {
  uint8_t h[HDR];
  header(h, c->gen);
  const void *data[N_FILES] = {c->cluster, c->size, c->merge_tx, c->refusals};
  size_t len[N_FILES] = {(size_t)c->n_addrs * 4, (size_t)c->n_clusters * 4, (size_t)c->n_addrs * 4,
                         (size_t)c->n_refusals * sizeof(kpw_cluster_refusal)};
  for (int i = 0; i < N_FILES; i++) {
    kpw_result rc = write_file(dir, FILE_NAMES[i], h, HDR, data[i] ? data[i] : "", len[i], err);
    if (rc != KPW_OK) return rc;
  }
  kpw_buf b;
  kpw_buf_init(&b);
  meta_json(c, &b);
  kpw_buf_putc(&b, '\n');
  kpw_result rc = write_file(dir, "cluster.json", NULL, 0, b.data, b.len, err);
  kpw_buf_free(&b);
  if (rc != KPW_OK) return rc;
  /* Make the renames durable. */
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return KPW_OK;
}

/* ---------------------------------------------------------------- load */
typedef struct meta {
  uint64_t gen;
  uint64_t v[32];
  bool force, filter;
} meta;

/* Field order of meta.v, by key. */
static const char *const META_KEYS[] = {
  "addresses", "clusters", "largest", "largest_cluster", "txs", "multi_input_txs", "merges",
  "refused", "forced", "stored_refusals", "collapse_limit",
  "whirlpool", "wasabi1", "wasabi2", "joinmarket", "blocksci"};
enum { M_ADDRS, M_CLUSTERS, M_LARGEST, M_LARGEST_ID, M_TXS, M_MULTI, M_MERGES, M_REFUSED, M_FORCED,
       M_STORED, M_LIMIT, M_CJ0, M_NKEYS = M_CJ0 + KPW_CJ_KINDS - 1 };

static bool num_u64(const kpw_json *j, uint64_t *out) {
  if (!j || j->type != KPW_JSON_NUMBER || !j->str) return false;
  const char *s = j->str;
  if (*s == '-') { *out = NONE; return true; }   /* largest_cluster -1: no cluster */
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s) return false;
  *out = v;
  return true;
}

static kpw_result read_meta(const char *dir, meta *m, kpw_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/cluster.json", dir);
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errno == ENOENT) return kpw_error_set(err, KPW_ENOTFOUND, path, 0, 0, "no saved clustering");
    return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  }
  char buf[8192];
  size_t n = fread(buf, 1, sizeof buf, f);
  bool big = !feof(f);
  fclose(f);
  if (big) return kpw_error_set(err, KPW_EINPUT, path, 0, 0, "file is larger than %zu bytes", sizeof buf);
  kpw_arena *a = kpw_arena_new(0);
  kpw_json *j;
  kpw_result rc = kpw_json_parse(buf, n, a, path, 1, &j, err);
  if (rc == KPW_OK && j->type != KPW_JSON_OBJECT)
    rc = kpw_error_set(err, KPW_EINPUT, path, 1, 0, "not a JSON object");
  if (rc == KPW_OK) {
    memset(m, 0, sizeof *m);
    const kpw_json *cj = kpw_json_get(j, "coinjoins");
    bool ok = num_u64(kpw_json_get(j, "gen"), &m->gen);
    for (int k = 0; ok && k < M_NKEYS; k++)
      ok = num_u64(kpw_json_get(k < M_CJ0 ? j : cj, META_KEYS[k]), &m->v[k]);
    const kpw_json *fo = kpw_json_get(j, "force"), *fi = kpw_json_get(j, "coinjoin_filter");
    ok = ok && fo && fo->type == KPW_JSON_BOOL && fi && fi->type == KPW_JSON_BOOL;
    if (ok) { m->force = fo->boolean; m->filter = fi->boolean; }
    if (ok && (m->v[M_ADDRS] >= NONE || m->v[M_CLUSTERS] > m->v[M_ADDRS] || m->v[M_TXS] > NONE ||
               m->v[M_STORED] > KPW_CLUSTER_MAX_REFUSALS))
      ok = false;
    if (!ok) rc = kpw_error_set(err, KPW_EINPUT, path, 1, 0, "missing or invalid fields; rerun with --rebuild");
  }
  kpw_arena_free(a);
  return rc;
}

static kpw_result map_col(const char *dir, const char *name, uint64_t gen, size_t want,
                          void **mem, size_t *len, kpw_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot stat: %s", strerror(errno));
  }
  if ((uint64_t)st.st_size != (uint64_t)want + HDR) {
    close(fd);
    return kpw_error_set(err, KPW_EINPUT, path, 0, 0,
                         "size %lld, expected %zu for cluster.json's counts; rerun with --rebuild",
                         (long long)st.st_size, want + HDR);
  }
  void *p = mmap(NULL, want + HDR, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return kpw_error_set(err, KPW_EIO, path, 0, 0, "mmap failed: %s", strerror(errno));
  uint8_t h[HDR];
  header(h, gen);
  if (memcmp(p, h, HDR) != 0) {
    munmap(p, want + HDR);
    return kpw_error_set(err, KPW_EINPUT, path, 0, 0,
                         "header is not of the generation cluster.json names (interrupted save?); rerun with --rebuild");
  }
  *mem = p;
  *len = want + HDR;
  return KPW_OK;
}

kpw_result kpw_cluster_load(const char *dir, kpw_clustering **out, kpw_error *err) {
  *out = NULL;
  meta m;
  kpw_result rc = read_meta(dir, &m, err);
  if (rc != KPW_OK) return rc;
  kpw_clustering *c = kpw_xcalloc(1, sizeof *c);
  priv *p = kpw_xcalloc(1, sizeof *p);
  p->mapped = true;
  c->priv_ = p;
  c->gen = m.gen;
  c->n_addrs = (uint32_t)m.v[M_ADDRS];
  c->n_clusters = (uint32_t)m.v[M_CLUSTERS];
  c->largest = (uint32_t)m.v[M_LARGEST];
  c->largest_id = (uint32_t)m.v[M_LARGEST_ID];
  c->n_txs = (uint32_t)m.v[M_TXS];
  c->multi_input_txs = m.v[M_MULTI];
  c->merges = m.v[M_MERGES];
  c->refused = m.v[M_REFUSED];
  c->forced = m.v[M_FORCED];
  c->n_refusals = (uint32_t)m.v[M_STORED];
  c->collapse_limit = (uint32_t)m.v[M_LIMIT];
  for (int k = 1; k < KPW_CJ_KINDS; k++) c->coinjoins[k] = m.v[M_CJ0 + k - 1];
  c->force = m.force;
  c->coinjoin_filter = m.filter;
  size_t want[N_FILES] = {(size_t)c->n_addrs * 4, (size_t)c->n_clusters * 4, (size_t)c->n_addrs * 4,
                          (size_t)c->n_refusals * sizeof(kpw_cluster_refusal)};
  for (int i = 0; i < N_FILES && rc == KPW_OK; i++) {
    void *mem;
    rc = map_col(dir, FILE_NAMES[i], m.gen, want[i], &mem, &p->len[i], err);
    if (rc == KPW_OK) p->mem[i] = mem;
  }
  if (rc != KPW_OK) {
    kpw_cluster_free(c);
    return rc;
  }
  c->cluster = (const uint32_t *)((const uint8_t *)p->mem[F_CLUSTER] + HDR);
  c->size = (const uint32_t *)((const uint8_t *)p->mem[F_SIZE] + HDR);
  c->merge_tx = (const uint32_t *)((const uint8_t *)p->mem[F_MERGE] + HDR);
  c->refusals = (const kpw_cluster_refusal *)((const uint8_t *)p->mem[F_REFUSED] + HDR);
  /* The ids in cluster.col index size.col: check them once (a sequential
  ** pass), so a damaged file can never send a reader out of bounds. */
  for (uint32_t i = 0; i < c->n_addrs; i++) {
    if (c->cluster[i] >= c->n_clusters) {
      kpw_error_set(err, KPW_EINPUT, dir, 0, (uint64_t)HDR + 4ull * i,
                    "cluster.col: address %u has cluster id %u, beyond the %u clusters; rerun with --rebuild",
                    i, c->cluster[i], c->n_clusters);
      kpw_cluster_free(c);
      return KPW_EINPUT;
    }
  }
  *out = c;
  return KPW_OK;
}

static bool mtime_ge(const struct stat *a, const struct stat *b) {
  if (a->st_mtim.tv_sec != b->st_mtim.tv_sec) return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
  return a->st_mtim.tv_nsec >= b->st_mtim.tv_nsec;
}

bool kpw_cluster_is_fresh(const char *dir, uint32_t n_txs, uint32_t n_addrs, const kpw_cluster_opts *opts) {
  char pj[4096], pm[4096];
  snprintf(pj, sizeof pj, "%s/cluster.json", dir);
  snprintf(pm, sizeof pm, "%s/META", dir);
  struct stat sj, sm;
  if (stat(pj, &sj) != 0 || stat(pm, &sm) != 0 || !mtime_ge(&sj, &sm)) return false;
  meta m;
  kpw_error e;
  if (read_meta(dir, &m, &e) != KPW_OK) return false;
  kpw_cluster_opts o = opts ? *opts : (kpw_cluster_opts){0};
  uint32_t limit = o.collapse_limit ? o.collapse_limit : KPW_CLUSTER_DEFAULT_COLLAPSE;
  return m.v[M_TXS] == n_txs && m.v[M_ADDRS] == n_addrs && m.v[M_LIMIT] == limit &&
         m.force == o.force && m.filter == !o.no_coinjoin_filter;
}

void kpw_cluster_stats_json(const kpw_clustering *c, kpw_buf *b) {
  uint64_t singletons = 0, cj = 0;
  for (uint32_t i = 0; i < c->n_clusters; i++) singletons += c->size[i] == 1;
  for (int k = 1; k < KPW_CJ_KINDS; k++) cj += c->coinjoins[k];
  kpw_buf_puts(b, "{\"addresses\":");
  kpw_json_int(b, c->n_addrs);
  put_kv(b, "clusters", (int64_t)c->n_clusters);
  put_kv(b, "largest", (int64_t)c->largest);
  kpw_buf_puts(b, ",\"largest_cluster\":");
  if (c->largest_id == NONE) kpw_buf_puts(b, "null");
  else kpw_json_int(b, c->largest_id);
  put_kv(b, "singletons", (int64_t)singletons);
  put_kv(b, "txs", (int64_t)c->n_txs);
  put_kv(b, "multi_input_txs", (int64_t)c->multi_input_txs);
  put_kv(b, "coinjoin_txs", (int64_t)cj);
  put_coinjoins(b, c);
  put_kv(b, "merges", (int64_t)c->merges);
  put_kv(b, "refused", (int64_t)c->refused);
  put_kv(b, "forced", (int64_t)c->forced);
  put_kv(b, "collapse_limit", (int64_t)c->collapse_limit);
  kpw_buf_puts(b, c->force ? ",\"force\":true" : ",\"force\":false");
  kpw_buf_puts(b, c->coinjoin_filter ? ",\"coinjoin_filter\":true}" : ",\"coinjoin_filter\":false}");
}
