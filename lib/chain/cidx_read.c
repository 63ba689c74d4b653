/*
** cidx_read.c -- reader of the chain index (kpw_cidx_open and accessors).
**
** Every column is memory-mapped read-only, exactly its committed length as
** META gives it (a builder may have appended more after a crash; readers
** never see it). A column shorter than META says is a damaged index: the
** open fails naming the file.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kpw/chain.h"
#include "kpw/chainidx.h"
#include "chain/addrkey.h"
#include "chain/cidx_format.h"
#include "chain/cidx_internal.h"

typedef struct mapping { void *p; size_t n; } mapping;

struct kpw_cidx {
  char *dir;
  cidx_meta meta;
  mapping blocks, txid, txin, txout, outval, outbig, outaddr, inprev, addr, runs, txsort;
};

static kpw_result map_file(const char *dir, const char *name, size_t need, mapping *m,
                           kpw_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  m->p = NULL;
  m->n = need;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open index column: %s", strerror(errno));
  struct stat st;
  if (fstat(fd, &st) || (uint64_t)st.st_size < need) {
    close(fd);
    return kpw_error_set(err, KPW_EINPUT, path, 0, 0,
                         "index column is shorter (%lld bytes) than META records (%zu): damaged index, rebuild it",
                         (long long)st.st_size, need);
  }
  if (need) {
    m->p = mmap(NULL, need, PROT_READ, MAP_SHARED, fd, 0);
    if (m->p == MAP_FAILED) {
      m->p = NULL;
      close(fd);
      return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot map index column: %s", strerror(errno));
    }
  }
  close(fd);
  return KPW_OK;
}

static void unmap(mapping *m) {
  if (m->p) munmap(m->p, m->n);
  m->p = NULL;
}

kpw_result kpw_cidx_open(const char *dir, kpw_cidx **out, kpw_error *err) {
  *out = NULL;
  kpw_cidx *ix = calloc(1, sizeof *ix);
  if (!ix || !(ix->dir = strdup(dir))) {
    free(ix);
    return kpw_error_set(err, KPW_ENOMEM, dir, 0, 0, "out of memory");
  }
  kpw_result r = cidx_meta_read(dir, &ix->meta, err);
  if (r) { kpw_cidx_close(ix); return r; }
  const cidx_meta *m = &ix->meta;
  struct { const char *name; size_t need; mapping *map; } cols[] = {
    {F_BLOCKS, m->blocks * sizeof(cidx_blockrec), &ix->blocks},
    {F_TXID, m->txs * 32, &ix->txid},
    {F_TXIN, (m->txs + 1) * 4, &ix->txin},
    {F_TXOUT, (m->txs + 1) * 4, &ix->txout},
    {F_OUTVAL, m->outs * 4, &ix->outval},
    {F_OUTBIG, m->big * sizeof(cidx_bigval), &ix->outbig},
    {F_OUTADDR, m->outs * 4, &ix->outaddr},
    {F_INPREV, m->ins * 4, &ix->inprev},
    {F_ADDR, m->addr_bytes, &ix->addr},
    {F_ADDRRUNS, m->addr_runs * sizeof(cidx_addrrun), &ix->runs},
    {F_TXSORT, m->txs * 4, &ix->txsort},
  };
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
    r = map_file(dir, cols[i].name, cols[i].need, cols[i].map, err);
    if (r) { kpw_cidx_close(ix); return r; }
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, F_ADDRRUNS);
  r = cidx_runs_check(ix->runs.p, m->addr_runs, m->addrs, m->addr_bytes, path, err);
  if (r) { kpw_cidx_close(ix); return r; }
  *out = ix;
  return KPW_OK;
}

void kpw_cidx_close(kpw_cidx *ix) {
  if (!ix) return;
  mapping *all[] = {&ix->blocks, &ix->txid, &ix->txin, &ix->txout, &ix->outval, &ix->outbig,
                    &ix->outaddr, &ix->inprev, &ix->addr, &ix->runs, &ix->txsort};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) unmap(all[i]);
  free(ix->dir);
  free(ix);
}

void kpw_cidx_get_counts(const kpw_cidx *ix, kpw_cidx_counts *c) {
  c->blocks = (uint32_t)ix->meta.blocks;
  c->txs = (uint32_t)ix->meta.txs;
  c->outs = (uint32_t)ix->meta.outs;
  c->ins = (uint32_t)ix->meta.ins;
  c->addrs = (uint32_t)ix->meta.addrs;
  c->first_height = ix->meta.first_height;
  c->unresolved_prevouts = ix->meta.unresolved;
}

void kpw_cidx_get_block(const kpw_cidx *ix, uint32_t b, kpw_cidx_block *out) {
  const cidx_blockrec *r = (const cidx_blockrec *)ix->blocks.p + b;
  out->hash = r->hash;
  out->height = r->height;
  out->time = r->time;
  out->first_tx = r->first_tx;
  out->n_txs = r->n_txs;
}

const uint8_t *kpw_cidx_block_prev(const kpw_cidx *ix, uint32_t b) {
  return ((const cidx_blockrec *)ix->blocks.p)[b].prev;
}

uint32_t kpw_cidx_tx_block(const kpw_cidx *ix, uint32_t tx) {
  const cidx_blockrec *r = ix->blocks.p;
  uint32_t lo = 0, hi = (uint32_t)ix->meta.blocks;   /* answer in [lo, hi) */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (r[mid].first_tx <= tx) lo = mid; else hi = mid;
  }
  return lo;
}

const uint8_t *kpw_cidx_txids(const kpw_cidx *ix) { return ix->txid.p; }
const uint32_t *kpw_cidx_tx_first_in(const kpw_cidx *ix) { return ix->txin.p; }
const uint32_t *kpw_cidx_tx_first_out(const kpw_cidx *ix) { return ix->txout.p; }
const uint32_t *kpw_cidx_out_values32(const kpw_cidx *ix) { return ix->outval.p; }

uint64_t kpw_cidx_out_value(const kpw_cidx *ix, uint32_t o) {
  uint32_t v = ((const uint32_t *)ix->outval.p)[o];
  if (v != CIDX_BIG) return v;
  const cidx_bigval *b = ix->outbig.p;
  size_t lo = 0, hi = ix->meta.big;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (b[mid].out < o) lo = mid + 1;
    else if (b[mid].out > o) hi = mid;
    else return b[mid].value;
  }
  return v;          /* not reached on a consistent index */
}

kpw_result cidx_runs_check(const cidx_addrrun *runs, size_t n_runs, uint64_t addrs, uint64_t bytes,
                           const char *source, kpw_error *err) {
  uint64_t id = 0, off = 0;
  for (size_t i = 0; i < n_runs; i++) {
    const cidx_addrrun *r = &runs[i];
    if (r->first_id != id || !r->count || !r->slot || r->slot > KPW_ADDR_KEY_MAX + 1 || r->offset != off)
      return kpw_error_set(err, KPW_EINPUT, source, 0, i * sizeof *r, "address run %zu is inconsistent: damaged index", i);
    id += r->count;
    off += (uint64_t)r->count * r->slot;
  }
  if (id != addrs || off != bytes)
    return kpw_error_set(err, KPW_EINPUT, source, 0, 0, "address runs cover %llu ids and %llu bytes, META says %llu and %llu",
                         (unsigned long long)id, (unsigned long long)off, (unsigned long long)addrs,
                         (unsigned long long)bytes);
  return KPW_OK;
}
const uint32_t *kpw_cidx_out_addrs(const kpw_cidx *ix) { return ix->outaddr.p; }
const uint32_t *kpw_cidx_in_prevouts(const kpw_cidx *ix) { return ix->inprev.p; }

/* Last tx whose first entry is <= k, over a (txs+1)-entry column. */
static uint32_t owner(const uint32_t *first, uint32_t txs, uint32_t k) {
  uint32_t lo = 0, hi = txs;
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (first[mid] <= k) lo = mid; else hi = mid;
  }
  /* Transactions without outputs/inputs share a first entry: take the last. */
  while (lo + 1 < txs && first[lo + 1] <= k) lo++;
  return lo;
}

uint32_t kpw_cidx_out_tx(const kpw_cidx *ix, uint32_t o) {
  return owner(ix->txout.p, (uint32_t)ix->meta.txs, o);
}
uint32_t kpw_cidx_in_tx(const kpw_cidx *ix, uint32_t i) {
  return owner(ix->txin.p, (uint32_t)ix->meta.txs, i);
}

bool kpw_cidx_find_txid(const kpw_cidx *ix, const uint8_t txid[32], uint32_t *tx) {
  const uint32_t *perm = ix->txsort.p;
  const uint8_t *ids = ix->txid.p;
  size_t lo = 0, hi = ix->meta.txs;
  bool found = false;
  while (lo < hi) {                  /* last match wins (BIP-30 duplicates) */
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(ids + (size_t)perm[mid] * 32, txid, 32);
    if (c <= 0) {
      if (!c) { *tx = perm[mid]; found = true; }
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return found;
}

/* Key bytes of address a. */
static const uint8_t *addr_key(const kpw_cidx *ix, uint32_t a, size_t *n) {
  return cidx_run_key(ix->runs.p, ix->meta.addr_runs, ix->addr.p, a, n);
}

bool kpw_cidx_addr_string(const kpw_cidx *ix, uint32_t a, char *out, size_t cap) {
  if (cap) out[0] = 0;
  if (a >= ix->meta.addrs) return false;
  size_t n;
  const uint8_t *k = addr_key(ix, a, &n);
  return kpw_addrkey_format(k, n, (int)ix->meta.network, out, cap);
}

int cidx_key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  if (c) return c;
  return an < bn ? -1 : an > bn;
}

bool kpw_cidx_find_addr(const kpw_cidx *ix, const char *addr, uint32_t *a) {
  uint8_t key[KPW_ADDR_KEY_MAX];
  size_t kn = kpw_addrkey_parse(addr, strlen(addr), key);
  if (!kn) return false;
  /* every run of this kind holds its keys sorted: binary search each */
  const cidx_addrrun *runs = ix->runs.p;
  const uint8_t *dat = ix->addr.p;
  for (size_t i = 0; i < ix->meta.addr_runs; i++) {
    const cidx_addrrun *r = &runs[i];
    if (r->kind != key[0] || (!r->varlen && r->slot != kn)) continue;
    size_t lo = 0, hi = r->count;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2, n;
      const uint8_t *slot = dat + r->offset + (uint64_t)mid * r->slot, *k = slot;
      if (r->varlen) { n = slot[0]; k = slot + 1; } else n = r->slot;
      int c = cidx_key_cmp(k, n, key, kn);
      if (!c) { *a = r->first_id + (uint32_t)mid; return true; }
      if (c < 0) lo = mid + 1; else hi = mid;
    }
  }
  return false;
}

bool kpw_cidx_parse_outpoint(const kpw_cidx *ix, const char *s, uint32_t *out_no) {
  const char *colon = strchr(s, ':');
  if (!colon || colon - s != 64) return false;
  uint8_t txid[32];
  if (!kpw_hash_from_hex(s, 64, txid)) return false;
  char *end;
  errno = 0;
  unsigned long vout = strtoul(colon + 1, &end, 10);
  if (errno || *end || end == colon + 1) return false;
  uint32_t tx;
  if (!kpw_cidx_find_txid(ix, txid, &tx)) return false;
  const uint32_t *fo = ix->txout.p;
  if (vout >= (unsigned long)(fo[tx + 1] - fo[tx])) return false;
  *out_no = fo[tx] + (uint32_t)vout;
  return true;
}
