/*
** cidx_build.c -- the chain index builder (kpw_cidx_build).
**
** Pipeline. Blocks arrive in chain order (blk files: ordered by their
** headers first, see blk_source; bitcoin-etl JSON: by block_number). Each
** transaction is appended to the column files at once: txid, first
** input/output, output values and address ids. Address ids come from an
** in-memory hash table over the address keys (the only structure whose RAM
** grows with the chain: 4 bytes per slot at load <= 1/2, plus the keys first
** seen in this run). Inputs are not resolved when they are read: each one
** goes to an external sort as (spent txid, vout, input number), and so does
** each new (txid, tx number). At a commit the sorted new txids are merged
** with the committed txid order (txsort.col) and, in the same sequential
** walk, joined with the sorted prevouts: that resolves every input to the
** output it spends without a hash map over all txids (BlockSci's 60 GB).
**
** Commit protocol (crash safety). A commit covers a prefix of what was
** appended that ends on a block boundary (`upto`). It truncates the columns
** to upto, appends the batch's resolved inputs, writes the merged txsort
** and addrsort to .tmp files and renames them, fsyncs every column, and then
** replaces META atomically. The index is whatever META says: on start, a
** builder truncates each column to META's counts and drops sort entries
** beyond them (a crash between the renames and META), so kill -9 anywhere
** followed by a rerun gives byte-identical files.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "kpw/chain.h"
#include "kpw/chainidx.h"
#include "kpw/finding.h"
#include "chain/addrkey.h"
#include "chain/cidx_format.h"
#include "chain/cidx_internal.h"
#include "chain/extsort.h"

#define DEFAULT_COMMIT_TXS 2000000u
#define DEFAULT_SORT_MEM (256u << 20)
#define STASH_RAM_CAP ((size_t)512 << 20)
#define MAX_JSON_LINE ((size_t)64 << 20)

/* Mainnet genesis hash, internal byte order (display 000000000019d6...). */
static const uint8_t GENESIS[32] = {
  0x6f, 0xe2, 0x8c, 0x0a, 0xb6, 0xf1, 0xb3, 0x72, 0xc1, 0xa6, 0xa2, 0x46, 0xae, 0x63, 0xf7, 0x4f,
  0x93, 0x1e, 0x83, 0x65, 0xe1, 0x5a, 0x08, 0x9c, 0x68, 0xd6, 0x19, 0x00, 0x00, 0x00, 0x00, 0x00};

/* ------------------------------------------------------------------ META */

kpw_result cidx_meta_read(const char *dir, cidx_meta *m, kpw_error *err) {
  memset(m, 0, sizeof *m);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, F_META);
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errno == ENOENT)
      return kpw_error_set(err, KPW_ENOTFOUND, path, 0, 0,
                           "no chain index here (no META file); build one with 'kpwatch chain index --out DIR'");
    return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  }
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  kpw_arena *a = kpw_arena_new(0);
  kpw_json *j = NULL;
  kpw_result r = kpw_json_parse(buf, n, a, path, 1, &j, err);
  if (!r && (!j || j->type != KPW_JSON_OBJECT ||
             !kpw_json_get_str(j, "format") || strcmp(kpw_json_get_str(j, "format"), CIDX_FORMAT)))
    r = kpw_error_set(err, KPW_EINPUT, path, 1, 0, "not a kpwatch chain index META file");
  if (!r) {
    const kpw_json *v = kpw_json_get(j, "version");
    if (!v || v->type != KPW_JSON_NUMBER || (int)v->number != CIDX_VERSION)
      r = kpw_error_set(err, KPW_EINPUT, path, 1, 0, "index format version %s is not %d: rebuild the index",
                        v && v->str ? v->str : "?", CIDX_VERSION);
  }
  struct { const char *k; uint64_t *u; int64_t *s; } f_[] = {
    {"blocks", &m->blocks, NULL}, {"txs", &m->txs, NULL}, {"outs", &m->outs, NULL},
    {"ins", &m->ins, NULL}, {"addrs", &m->addrs, NULL}, {"addr_bytes", &m->addr_bytes, NULL},
    {"addr_runs", &m->addr_runs, NULL}, {"big_values", &m->big, NULL},
    {"unresolved_prevouts", &m->unresolved, NULL},
    {"first_height", NULL, &m->first_height}};
  for (size_t i = 0; !r && i < sizeof f_ / sizeof f_[0]; i++) {
    const kpw_json *v = kpw_json_get(j, f_[i].k);
    if (!v || v->type != KPW_JSON_NUMBER) {
      r = kpw_error_set(err, KPW_EINPUT, path, 1, 0, "META lacks the number '%s'", f_[i].k);
      break;
    }
    if (f_[i].u) *f_[i].u = strtoull(v->str, NULL, 10);
    else *f_[i].s = strtoll(v->str, NULL, 10);
  }
  if (!r) {              /* optional (indexes of format 2 made before it existed) */
    const kpw_json *v = kpw_json_get(j, "network");
    const char *nets[] = {"main", "testnet3", "testnet4", "signet", "regtest"};
    m->network = 0;
    for (int k = 0; v && v->type == KPW_JSON_STRING && k < 5; k++)
      if (!strcmp(v->str, nets[k])) m->network = k;
  }
  if (!r && (m->txs > CIDX_MAX_COUNT || m->outs > CIDX_MAX_COUNT || m->ins > CIDX_MAX_COUNT ||
             m->addrs > CIDX_MAX_COUNT || m->blocks > CIDX_MAX_COUNT))
    r = kpw_error_set(err, KPW_EINPUT, path, 1, 0, "META counts out of range");
  kpw_arena_free(a);
  return r;
}

static kpw_result fsync_path(const char *path, kpw_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open for sync: %s", strerror(errno));
  int rc = fsync(fd);
  close(fd);
  if (rc && errno != EINVAL) return kpw_error_set(err, KPW_EIO, path, 0, 0, "fsync failed: %s", strerror(errno));
  return KPW_OK;
}

kpw_result cidx_meta_write(const char *dir, const cidx_meta *m, kpw_error *err) {
  char path[4096], tmp[4200];
  snprintf(path, sizeof path, "%s/%s", dir, F_META);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "wb");
  if (!f) return kpw_error_set(err, KPW_EIO, tmp, 0, 0, "cannot create: %s", strerror(errno));
  fprintf(f,
          "{\"format\":\"%s\",\"version\":%d,\"blocks\":%llu,\"txs\":%llu,\"outs\":%llu,"
          "\"ins\":%llu,\"addrs\":%llu,\"addr_bytes\":%llu,\"addr_runs\":%llu,\"big_values\":%llu,"
          "\"first_height\":%lld,"
          "\"unresolved_prevouts\":%llu,\"network\":\"%s\"}\n",
          CIDX_FORMAT, CIDX_VERSION, (unsigned long long)m->blocks, (unsigned long long)m->txs,
          (unsigned long long)m->outs, (unsigned long long)m->ins, (unsigned long long)m->addrs,
          (unsigned long long)m->addr_bytes, (unsigned long long)m->addr_runs,
          (unsigned long long)m->big, (long long)m->first_height,
          (unsigned long long)m->unresolved,
          m->network == 1 ? "testnet3" : m->network == 2 ? "testnet4" : m->network == 3 ? "signet"
          : m->network == 4 ? "regtest" : "main");
  bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path))
    return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot write META: %s", strerror(errno));
  return fsync_path(dir, err);
}

/* --------------------------------------------------------------- builder */

enum { C_BLOCKS, C_TXID, C_TXIN, C_TXOUT, C_OUTVAL, C_OUTBIG, C_OUTADDR, C_INPREV, C_ADDR, C_ADDRRUNS, N_COLS };
static const char *const COL_NAME[N_COLS] = {F_BLOCKS, F_TXID, F_TXIN, F_TXOUT, F_OUTVAL, F_OUTBIG,
                                             F_OUTADDR, F_INPREV, F_ADDR, F_ADDRRUNS};

typedef struct inrec { uint8_t txid[32]; uint32_t vout, input; } inrec;   /* 40 B */
typedef struct txrec { uint8_t txid[32]; uint32_t tx; } txrec;            /* 36 B */

typedef struct builder {
  char *dir;
  int lock_fd;
  const kpw_cidx_build_opts *opts;
  kpw_cidx_build_stats *stats;
  cidx_meta com, cur;          /* committed; appended so far */
  bool first_height_set;
  FILE *col[N_COLS];
  bool sentinel_on_disk;       /* txin/txout end with the committed sentinel */
  /* address table: slots hold id+1 (0 = empty) */
  uint32_t *slots;
  uint64_t n_slots;
  uint8_t *old_addr; size_t old_addr_len;          /* keys committed before this run (mmap) */
  cidx_addrrun *runs; size_t n_runs, cap_runs;     /* every committed run */
  uint64_t addr_base;                                /* first id of new_keys */
  uint8_t *new_keys; size_t new_len, new_cap;        /* [len][key]... */
  uint64_t *new_off; size_t new_off_cap;
  kpw_xsort *in_sort, *tx_sort;
  /* chain tip */
  uint8_t tip[32];
  int64_t tip_height;
  bool have_tip;
  /* progress */
  time_t last_progress;
  const char *phase;
  uint64_t progress_total;
  uint64_t commits_this_run;
} builder;

static void progress(builder *b, uint64_t done, bool force) {
  if (!b->opts || !b->opts->progress) return;
  time_t now = time(NULL);
  if (!force && now == b->last_progress) return;
  b->last_progress = now;
  b->opts->progress(b->opts->progress_ctx, b->phase, done, b->progress_total);
}

static char *path_in(const builder *b, const char *name, char *buf, size_t cap) {
  snprintf(buf, cap, "%s/%s", b->dir, name);
  return buf;
}

static uint64_t col_committed_bytes(const cidx_meta *m, int c) {
  switch (c) {
  case C_BLOCKS: return m->blocks * sizeof(cidx_blockrec);
  case C_TXID: return m->txs * 32;
  case C_TXIN: case C_TXOUT: return m->txs ? (m->txs + 1) * 4 : 0;
  case C_OUTVAL: return m->outs * 4;
  case C_OUTBIG: return m->big * sizeof(cidx_bigval);
  case C_OUTADDR: return m->outs * 4;
  case C_INPREV: return m->ins * 4;
  case C_ADDR: return m->addr_bytes;
  case C_ADDRRUNS: return m->addr_runs * sizeof(cidx_addrrun);
  }
  return 0;
}

static uint64_t key_hash(const uint8_t *k, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, k + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  for (; i < n; i++) h = (h ^ k[i]) * 0x100000001b3ull;
  h ^= h >> 29;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 32);
}

/* Key of address id in a run table over the mapped addr.dat (shared with
** the reader). */
const uint8_t *cidx_run_key(const cidx_addrrun *runs, size_t n_runs, const uint8_t *dat, uint64_t id,
                            size_t *n) {
  size_t lo = 0, hi = n_runs;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (runs[mid].first_id <= id) lo = mid; else hi = mid;
  }
  const cidx_addrrun *r = &runs[lo];
  const uint8_t *slot = dat + r->offset + (id - r->first_id) * r->slot;
  if (r->varlen) { *n = slot[0]; return slot + 1; }
  *n = r->slot;
  return slot;
}

static const uint8_t *addr_key_of(const builder *b, uint64_t id, size_t *n) {
  if (id < b->addr_base) return cidx_run_key(b->runs, b->n_runs, b->old_addr, id, n);
  const uint8_t *rec = b->new_keys + b->new_off[id - b->addr_base];
  *n = rec[0];
  return rec + 1;
}

static kpw_result slots_grow(builder *b, kpw_error *err) {
  uint64_t n = b->n_slots ? b->n_slots * 2 : (1u << 16);
  uint32_t *s = calloc(n, sizeof *s);
  if (!s) return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory (address table of %llu slots)",
                               (unsigned long long)n);
  for (uint64_t i = 0; i < b->n_slots; i++) {
    uint32_t v = b->slots[i];
    if (!v) continue;
    size_t kn;
    const uint8_t *k = addr_key_of(b, v - 1, &kn);
    uint64_t j = key_hash(k, kn) & (n - 1);
    while (s[j]) j = (j + 1) & (n - 1);
    s[j] = v;
  }
  free(b->slots);
  b->slots = s;
  b->n_slots = n;
  return KPW_OK;
}

/* Address id of key (new ids are appended to addr.dat/addr.off). */
static kpw_result addr_id(builder *b, const uint8_t *key, size_t kn, uint32_t *id, kpw_error *err) {
  if ((b->cur.addrs + 1) * 2 > b->n_slots) {
    kpw_result r = slots_grow(b, err);
    if (r) return r;
  }
  uint64_t j = key_hash(key, kn) & (b->n_slots - 1);
  for (;;) {
    uint32_t v = b->slots[j];
    if (!v) break;
    size_t n;
    const uint8_t *k = addr_key_of(b, v - 1, &n);
    if (n == kn && !memcmp(k, key, kn)) { *id = v - 1; return KPW_OK; }
    j = (j + 1) & (b->n_slots - 1);
  }
  if (b->cur.addrs >= CIDX_MAX_COUNT)
    return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "more than %u addresses: the u32 index format is full", CIDX_MAX_COUNT);
  /* RAM copy for lookups */
  if (b->new_len + kn + 1 > b->new_cap) {
    size_t c = b->new_cap ? b->new_cap * 2 : (1u << 20);
    while (c < b->new_len + kn + 1) c *= 2;
    uint8_t *p = realloc(b->new_keys, c);
    if (!p) return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory (address keys)");
    b->new_keys = p;
    b->new_cap = c;
  }
  uint64_t nid = b->cur.addrs - b->addr_base;
  if (nid >= b->new_off_cap) {
    size_t c = b->new_off_cap ? b->new_off_cap * 2 : 65536;
    uint64_t *p = realloc(b->new_off, c * sizeof *p);
    if (!p) return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory (address offsets)");
    b->new_off = p;
    b->new_off_cap = c;
  }
  b->new_off[nid] = b->new_len;
  b->new_keys[b->new_len] = (uint8_t)kn;
  memcpy(b->new_keys + b->new_len + 1, key, kn);
  b->new_len += kn + 1;
  /* written to addr.dat at the commit, in key order */
  *id = (uint32_t)b->cur.addrs++;
  b->slots[j] = *id + 1;
  return KPW_OK;
}

static int cmp_inrec(const void *a, const void *b) {
  const inrec *x = a, *y = b;
  int c = memcmp(x->txid, y->txid, 32);
  if (c) return c;
  return x->vout < y->vout ? -1 : x->vout > y->vout;
}
static int cmp_txrec(const void *a, const void *b) {
  const txrec *x = a, *y = b;
  int c = memcmp(x->txid, y->txid, 32);
  if (c) return c;
  return x->tx < y->tx ? -1 : x->tx > y->tx;
}

static kpw_result new_sorters(builder *b, kpw_error *err) {
  size_t mem = b->opts && b->opts->sort_mem ? b->opts->sort_mem : DEFAULT_SORT_MEM;
  b->in_sort = kpw_xsort_new(sizeof(inrec), cmp_inrec, mem, b->dir);
  b->tx_sort = kpw_xsort_new(sizeof(txrec), cmp_txrec, mem / 2, b->dir);
  if (!b->in_sort || !b->tx_sort) return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory");
  return KPW_OK;
}

static kpw_result write_u32(FILE *f, uint32_t v, const char *what, kpw_error *err) {
  if (fwrite(&v, 4, 1, f) != 1) return kpw_error_set(err, KPW_EIO, what, 0, 0, "write failed: %s", strerror(errno));
  return KPW_OK;
}

/* Before appending a tx: drop the committed sentinel of txin/txout. */
static kpw_result drop_sentinel(builder *b, kpw_error *err) {
  if (!b->sentinel_on_disk) return KPW_OK;
  for (int c = C_TXIN; c <= C_TXOUT; c++) {
    if (fflush(b->col[c]) || fseeko(b->col[c], -4, SEEK_END))
      return kpw_error_set(err, KPW_EIO, COL_NAME[c], 0, 0, "seek failed: %s", strerror(errno));
  }
  b->sentinel_on_disk = false;
  return KPW_OK;
}

/* Append one transaction: tx is the number it gets. */
typedef struct tx_in_view { const uint8_t *prev_txid; uint32_t vout; } tx_in_view;

static kpw_result append_tx(builder *b, const uint8_t txid[32], const tx_in_view *ins, uint32_t n_ins,
                            kpw_error *err) {
  if (b->cur.txs >= CIDX_MAX_COUNT || b->cur.ins + n_ins > CIDX_MAX_COUNT)
    return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "more than %u transactions or inputs: the u32 index format is full",
                         CIDX_MAX_COUNT);
  kpw_result r = drop_sentinel(b, err);
  if (r) return r;
  if (fwrite(txid, 32, 1, b->col[C_TXID]) != 1)
    return kpw_error_set(err, KPW_EIO, F_TXID, 0, 0, "write failed: %s", strerror(errno));
  if ((r = write_u32(b->col[C_TXIN], (uint32_t)b->cur.ins, F_TXIN, err))) return r;
  if ((r = write_u32(b->col[C_TXOUT], (uint32_t)b->cur.outs, F_TXOUT, err))) return r;
  txrec t;
  memcpy(t.txid, txid, 32);
  t.tx = (uint32_t)b->cur.txs;
  if ((r = kpw_xsort_add(b->tx_sort, &t, err))) return r;
  for (uint32_t i = 0; i < n_ins; i++) {
    inrec in;
    memcpy(in.txid, ins[i].prev_txid, 32);
    in.vout = ins[i].vout;
    in.input = (uint32_t)(b->cur.ins + i);
    if ((r = kpw_xsort_add(b->in_sort, &in, err))) return r;
  }
  b->cur.ins += n_ins;
  b->cur.txs++;
  return KPW_OK;
}

static kpw_result append_out(builder *b, uint64_t value, const uint8_t *key, size_t kn, kpw_error *err) {
  if (b->cur.outs >= CIDX_MAX_COUNT)
    return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "more than %u outputs: the u32 index format is full", CIDX_MAX_COUNT);
  uint32_t id = KPW_CIDX_NONE;
  kpw_result r;
  if (kn && (r = addr_id(b, key, kn, &id, err))) return r;
  uint32_t v32 = value >= CIDX_BIG ? CIDX_BIG : (uint32_t)value;
  if (fwrite(&v32, 4, 1, b->col[C_OUTVAL]) != 1 || fwrite(&id, 4, 1, b->col[C_OUTADDR]) != 1)
    return kpw_error_set(err, KPW_EIO, F_OUTVAL, 0, 0, "write failed: %s", strerror(errno));
  if (v32 == CIDX_BIG) {
    cidx_bigval bv = {(uint32_t)b->cur.outs, 0, value};
    if (fwrite(&bv, sizeof bv, 1, b->col[C_OUTBIG]) != 1)
      return kpw_error_set(err, KPW_EIO, F_OUTBIG, 0, 0, "write failed: %s", strerror(errno));
    b->cur.big++;
  }
  b->cur.outs++;
  return KPW_OK;
}

static kpw_result append_block(builder *b, const uint8_t hash[32], const uint8_t prev[32], int64_t height,
                               uint32_t time_, uint64_t first_tx, kpw_error *err) {
  cidx_blockrec rec;
  memset(&rec, 0, sizeof rec);
  memcpy(rec.hash, hash, 32);
  memcpy(rec.prev, prev, 32);
  rec.height = height;
  rec.time = time_;
  rec.first_tx = (uint32_t)first_tx;
  rec.n_txs = (uint32_t)(b->cur.txs - first_tx);
  if (fwrite(&rec, sizeof rec, 1, b->col[C_BLOCKS]) != 1)
    return kpw_error_set(err, KPW_EIO, F_BLOCKS, 0, 0, "write failed: %s", strerror(errno));
  if (!b->first_height_set) {
    b->cur.first_height = height;
    b->first_height_set = true;
  }
  b->cur.blocks++;
  memcpy(b->tip, hash, 32);
  b->tip_height = height;
  b->have_tip = true;
  if (b->stats) {
    if (!b->stats->blocks_added) b->stats->first_height = height;
    b->stats->blocks_added++;
    b->stats->last_height = height;
  }
  return KPW_OK;
}

/* ------------------------------------------------------------ commit */

typedef struct map_ro { void *p; size_t n; } map_ro;

static kpw_result map_path(const char *path, size_t n, map_ro *m, kpw_error *err) {
  m->p = NULL;
  m->n = n;
  if (!n) return KPW_OK;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  m->p = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (m->p == MAP_FAILED) {
    m->p = NULL;
    return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot map: %s", strerror(errno));
  }
  madvise(m->p, n, MADV_WILLNEED);
  return KPW_OK;
}
static void unmap_ro(map_ro *m) {
  if (m->p) munmap(m->p, m->n);
  m->p = NULL;
}

static kpw_result sync_file(FILE *f, const char *name, kpw_error *err) {
  if (fflush(f) || fsync(fileno(f)))
    return kpw_error_set(err, KPW_EIO, name, 0, 0, "cannot sync: %s", strerror(errno));
  return KPW_OK;
}

/* Sort context for address ids (qsort_r). */
static int cmp_addr_ids(const void *a, const void *c, void *ctx) {
  const builder *b = ctx;
  size_t na, nc;
  const uint8_t *ka = addr_key_of(b, *(const uint32_t *)a, &na);
  const uint8_t *kc = addr_key_of(b, *(const uint32_t *)c, &nc);
  int r = cidx_key_cmp(ka, na, kc, nc);
  return r ? r : (*(const uint32_t *)a < *(const uint32_t *)c ? -1 : 1);
}

/* Number the addresses first seen in this commit ([com.addrs, m->addrs)) in
** key order: write their keys to addr.dat in runs, renumber their ids in
** the commit's outputs and in the in-memory table. */
static kpw_result number_addresses(builder *b, cidx_meta *m, kpw_error *err) {
  uint64_t base = b->com.addrs, n = m->addrs - base;
  m->addr_runs = b->com.addr_runs;
  m->addr_bytes = b->com.addr_bytes;
  if (!n) return KPW_OK;
  kpw_result r = KPW_OK;
  uint32_t *ids = malloc(n * sizeof *ids), *rank = malloc(n * sizeof *rank);
  uint8_t *tmp = NULL;
  uint32_t *oa = NULL;
  if (!ids || !rank) { r = kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory"); goto out; }
  for (uint64_t i = 0; i < n; i++) ids[i] = (uint32_t)(base + i);
  qsort_r(ids, n, sizeof *ids, cmp_addr_ids, b);
  for (uint64_t i = 0; i < n; i++) rank[ids[i] - base] = (uint32_t)(base + i);
  /* keys, run by run */
  for (uint64_t i = 0; i < n;) {
    size_t kn;
    const uint8_t *k = addr_key_of(b, ids[i], &kn);
    uint8_t kind = k[0];
    size_t lo = kn, hi = kn;
    uint64_t j = i + 1;
    for (; j < n; j++) {
      size_t jn;
      const uint8_t *jk = addr_key_of(b, ids[j], &jn);
      if (jk[0] != kind) break;
      if (jn < lo) lo = jn;
      if (jn > hi) hi = jn;
    }
    cidx_addrrun run = {(uint32_t)(base + i), (uint32_t)(j - i), (uint32_t)(lo == hi ? hi : hi + 1),
                        (uint8_t)(lo != hi), kind, 0, m->addr_bytes};
    uint8_t slot[KPW_ADDR_KEY_MAX + 2];
    for (uint64_t q = i; q < j; q++) {
      const uint8_t *qk = addr_key_of(b, ids[q], &kn);
      memset(slot, 0, run.slot);
      if (run.varlen) { slot[0] = (uint8_t)kn; memcpy(slot + 1, qk, kn); }
      else memcpy(slot, qk, kn);
      if (fwrite(slot, 1, run.slot, b->col[C_ADDR]) != run.slot) {
        r = kpw_error_set(err, KPW_EIO, F_ADDR, 0, 0, "write failed: %s", strerror(errno));
        goto out;
      }
    }
    m->addr_bytes += (uint64_t)run.count * run.slot;
    if (fwrite(&run, sizeof run, 1, b->col[C_ADDRRUNS]) != 1) {
      r = kpw_error_set(err, KPW_EIO, F_ADDRRUNS, 0, 0, "write failed: %s", strerror(errno));
      goto out;
    }
    if (b->n_runs == b->cap_runs) {
      size_t c = b->cap_runs ? b->cap_runs * 2 : 64;
      cidx_addrrun *nr = realloc(b->runs, c * sizeof *nr);
      if (!nr) { r = kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory"); goto out; }
      b->runs = nr;
      b->cap_runs = c;
    }
    b->runs[b->n_runs++] = run;
    m->addr_runs++;
    i = j;
  }
  /* the commit's outputs: renumber (the column is flushed) */
  {
    uint64_t no = m->outs - b->com.outs;
    int fd = fileno(b->col[C_OUTADDR]);
    oa = malloc((no ? no : 1) * sizeof *oa);
    if (!oa) { r = kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory"); goto out; }
    if (pread(fd, oa, no * 4, (off_t)(b->com.outs * 4)) != (ssize_t)(no * 4)) {
      r = kpw_error_set(err, KPW_EIO, F_OUTADDR, 0, 0, "read failed: %s", strerror(errno));
      goto out;
    }
    for (uint64_t i = 0; i < no; i++)
      if (oa[i] != KPW_CIDX_NONE && oa[i] >= base && oa[i] < m->addrs) oa[i] = rank[oa[i] - base];
    if (pwrite(fd, oa, no * 4, (off_t)(b->com.outs * 4)) != (ssize_t)(no * 4)) {
      r = kpw_error_set(err, KPW_EIO, F_OUTADDR, 0, 0, "write failed: %s", strerror(errno));
      goto out;
    }
  }
  /* the in-memory keys and table follow the new numbering */
  {
    uint64_t first = b->new_off[base - b->addr_base];
    uint64_t end = m->addrs - b->addr_base < b->cur.addrs - b->addr_base ? b->new_off[m->addrs - b->addr_base] : b->new_len;
    tmp = malloc(end - first + 1);
    if (!tmp) { r = kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory"); goto out; }
    uint64_t pos = 0;
    uint64_t *noff = malloc(n * sizeof *noff);
    if (!noff) { r = kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory"); goto out; }
    for (uint64_t i = 0; i < n; i++) {
      const uint8_t *rec = b->new_keys + b->new_off[ids[i] - b->addr_base];
      memcpy(tmp + pos, rec, (size_t)rec[0] + 1);
      noff[i] = first + pos;
      pos += (size_t)rec[0] + 1;
    }
    memcpy(b->new_keys + first, tmp, pos);
    memcpy(b->new_off + (base - b->addr_base), noff, n * sizeof *noff);
    free(noff);
    for (uint64_t i = 0; i < b->n_slots; i++) {
      uint32_t v = b->slots[i];
      if (v && v - 1 >= base && v - 1 < m->addrs) b->slots[i] = rank[v - 1 - base] + 1;
    }
  }
out:
  free(ids);
  free(rank);
  free(tmp);
  free(oa);
  return r;
}

typedef struct outbuf { FILE *f; const char *name; } outbuf;

static kpw_result commit(builder *b, const cidx_meta *upto, kpw_error *err) {
  char p1[4096], p2[4096];
  kpw_result r = KPW_OK;
  cidx_meta m = *upto;
  const char *saved_phase = b->phase;
  b->phase = "commit";
  /* 1. columns cut at the block boundary and flushed */
  for (int c = 0; c < N_COLS; c++) {
    if (fflush(b->col[c])) return kpw_error_set(err, KPW_EIO, COL_NAME[c], 0, 0, "write failed: %s", strerror(errno));
    /* txin/txout get their sentinel below; inprev, addr.dat and
    ** addr.runs are only ever written by the commit, after the committed
    ** part */
    uint64_t want = c == C_TXIN || c == C_TXOUT ? m.txs * 4
                  : c == C_INPREV || c == C_ADDR || c == C_ADDRRUNS ? col_committed_bytes(&b->com, c)
                  : col_committed_bytes(&m, c);
    if (ftruncate(fileno(b->col[c]), (off_t)want) || fseeko(b->col[c], 0, SEEK_END))
      return kpw_error_set(err, KPW_EIO, COL_NAME[c], 0, 0, "cannot truncate: %s", strerror(errno));
  }
  /* sentinels: first input/output number after the last tx */
  if ((r = write_u32(b->col[C_TXIN], (uint32_t)m.ins, F_TXIN, err))) return r;
  if ((r = write_u32(b->col[C_TXOUT], (uint32_t)m.outs, F_TXOUT, err))) return r;
  if (fflush(b->col[C_TXIN]) || fflush(b->col[C_TXOUT]))
    return kpw_error_set(err, KPW_EIO, F_TXIN, 0, 0, "write failed: %s", strerror(errno));
  b->sentinel_on_disk = true;

  /* 2. merge txid order and resolve the batch's inputs in one walk */
  if ((r = kpw_xsort_finish(b->tx_sort, err)) || (r = kpw_xsort_finish(b->in_sort, err))) return r;
  map_ro txids = {0}, txout = {0}, oldsort = {0};
  uint32_t *inprev = NULL;
  FILE *sortf = NULL;
  uint64_t batch_ins = m.ins - b->com.ins;
  if ((r = map_path(path_in(b, F_TXID, p1, sizeof p1), m.txs * 32, &txids, err))) goto out;
  if ((r = map_path(path_in(b, F_TXOUT, p1, sizeof p1), (m.txs + 1) * 4, &txout, err))) goto out;
  if ((r = map_path(path_in(b, F_TXSORT, p1, sizeof p1), b->com.txs * 4, &oldsort, err))) goto out;
  inprev = malloc((batch_ins ? batch_ins : 1) * sizeof *inprev);
  if (!inprev) { r = kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory"); goto out; }
  memset(inprev, 0xff, (batch_ins ? batch_ins : 1) * sizeof *inprev);
  snprintf(p2, sizeof p2, "%s/%s.tmp", b->dir, F_TXSORT);
  sortf = fopen(p2, "wb");
  if (!sortf) { r = kpw_error_set(err, KPW_EIO, p2, 0, 0, "cannot create: %s", strerror(errno)); goto out; }
  setvbuf(sortf, NULL, _IOFBF, 1 << 20);
  {
    const uint8_t *ids = txids.p;
    const uint32_t *fo = txout.p, *old = oldsort.p;
    uint64_t oi = 0, n_old = b->com.txs;
    const txrec *nt = NULL;
    const inrec *in = NULL;
    kpw_result nr = KPW_OK, ir = KPW_OK;
    /* next new txid below the limit */
    #define NEXT_NEW() do { const void *p_; nr = kpw_xsort_next(b->tx_sort, &p_, err); \
      while (nr == KPW_OK && ((const txrec *)p_)->tx >= m.txs) nr = kpw_xsort_next(b->tx_sort, &p_, err); \
      nt = nr == KPW_OK ? p_ : NULL; if (nr > KPW_DONE) { r = nr; goto out; } } while (0)
    #define NEXT_IN() do { const void *p_; ir = kpw_xsort_next(b->in_sort, &p_, err); \
      while (ir == KPW_OK && ((const inrec *)p_)->input >= m.ins) ir = kpw_xsort_next(b->in_sort, &p_, err); \
      in = ir == KPW_OK ? p_ : NULL; if (ir > KPW_DONE) { r = ir; goto out; } } while (0)
    NEXT_NEW();
    NEXT_IN();
    uint64_t resolved = 0, done = 0;
    bool have_cur = false;
    const uint8_t *cur_id = NULL;
    uint32_t cur_tx = 0;
    b->progress_total = m.txs;
    for (;;) {
      /* take the smaller of old[oi] and nt (old first on ties: lower tx number) */
      const uint8_t *nid = NULL;
      uint32_t ntx = 0;
      if (oi < n_old && (!nt || memcmp(ids + (size_t)old[oi] * 32, nt->txid, 32) <= 0)) {
        ntx = old[oi++];
        nid = ids + (size_t)ntx * 32;
      } else if (nt) {
        ntx = nt->tx;
        nid = ids + (size_t)ntx * 32;
        NEXT_NEW();
      }
      /* the previous element is final once the next has another txid
      ** (of duplicate txids, BIP-30, only the last is spendable) */
      if (have_cur && (!nid || memcmp(nid, cur_id, 32))) {
        while (in && memcmp(in->txid, cur_id, 32) < 0) NEXT_IN();
        while (in && !memcmp(in->txid, cur_id, 32)) {
          if (in->vout < fo[cur_tx + 1] - fo[cur_tx]) {
            inprev[in->input - b->com.ins] = fo[cur_tx] + in->vout;
            resolved++;
          }
          NEXT_IN();
        }
      }
      if (!nid) break;
      if (fwrite(&ntx, 4, 1, sortf) != 1) { r = kpw_error_set(err, KPW_EIO, p2, 0, 0, "write failed"); goto out; }
      have_cur = true;
      cur_id = nid;
      cur_tx = ntx;
      if ((++done & 0xfffff) == 0) progress(b, done, false);
    }
    #undef NEXT_NEW
    #undef NEXT_IN
    m.unresolved = b->com.unresolved + (batch_ins - resolved);
    if (b->stats) b->stats->unresolved_prevouts += batch_ins - resolved;
  }
  if (fwrite(inprev, 4, batch_ins, b->col[C_INPREV]) != batch_ins) {
    r = kpw_error_set(err, KPW_EIO, F_INPREV, 0, 0, "write failed: %s", strerror(errno));
    goto out;
  }
  if (fflush(sortf) || fsync(fileno(sortf)) || fclose(sortf)) {
    sortf = NULL;
    r = kpw_error_set(err, KPW_EIO, p2, 0, 0, "write failed: %s", strerror(errno));
    goto out;
  }
  sortf = NULL;
  unmap_ro(&oldsort);

  /* 3. the commit's new addresses get ids in key order, in runs of one kind */
  if ((r = number_addresses(b, &m, err))) goto out;

  /* 4. make it durable, then publish */
  for (int c = 0; c < N_COLS; c++)
    if ((r = sync_file(b->col[c], COL_NAME[c], err))) goto out;
  snprintf(p1, sizeof p1, "%s/%s.tmp", b->dir, F_TXSORT);
  path_in(b, F_TXSORT, p2, sizeof p2);
  if (rename(p1, p2)) { r = kpw_error_set(err, KPW_EIO, p2, 0, 0, "rename failed: %s", strerror(errno)); goto out; }
  if ((r = cidx_meta_write(b->dir, &m, err))) goto out;
  b->com = m;
  b->cur.unresolved = m.unresolved;
  b->cur.addr_bytes = m.addr_bytes;
  b->cur.addr_runs = m.addr_runs;
  b->commits_this_run++;
  if (b->opts && b->opts->crash_after_commits && b->commits_this_run >= b->opts->crash_after_commits)
    _exit(137);   /* test hook: as if killed right after a commit */
out:
  if (sortf) fclose(sortf);
  free(inprev);
  unmap_ro(&txids);
  unmap_ro(&txout);
  unmap_ro(&oldsort);
  kpw_xsort_free(b->in_sort);
  kpw_xsort_free(b->tx_sort);
  b->in_sort = b->tx_sort = NULL;
  if (!r) r = new_sorters(b, err);
  b->phase = saved_phase;
  return r;
}

/* Commit everything appended when a batch is full (call on block boundaries). */
static kpw_result maybe_commit(builder *b, kpw_error *err) {
  /* Commit points are absolute (the first block boundary past each
  ** multiple of `every` transactions), so a run resumed after a crash
  ** commits exactly where an uninterrupted run would: same address
  ** numbering, byte-identical files. */
  uint64_t every = b->opts && b->opts->commit_every_txs ? b->opts->commit_every_txs : DEFAULT_COMMIT_TXS;
  if (b->cur.txs / every == b->com.txs / every) return KPW_OK;
  return commit(b, &b->cur, err);
}

/* ------------------------------------------------------------ open/close */

static kpw_result filter_sort_file(builder *b, const char *name, uint64_t committed, kpw_error *err) {
  char path[4096];
  path_in(b, name, path, sizeof path);
  struct stat st;
  if (stat(path, &st)) {
    if (errno == ENOENT && committed == 0) {
      FILE *f = fopen(path, "wb");
      if (!f) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
      fclose(f);
      return KPW_OK;
    }
    return kpw_error_set(err, KPW_EIO, path, 0, 0, "missing index column: %s", strerror(errno));
  }
  uint64_t n = (uint64_t)st.st_size / 4;
  if (n == committed) return KPW_OK;
  if (n < committed)
    return kpw_error_set(err, KPW_EINPUT, path, 0, 0, "index column shorter than META: damaged index, rebuild it");
  /* A crash after the sort file was renamed and before META: keep only
  ** committed numbers (the relative order is already right). */
  FILE *f = fopen(path, "r+b");
  if (!f) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  uint32_t buf[4096];
  uint64_t rpos = 0, wpos = 0;
  while (rpos < n) {
    size_t k = n - rpos < 4096 ? (size_t)(n - rpos) : 4096;
    fseeko(f, (off_t)(rpos * 4), SEEK_SET);
    if (fread(buf, 4, k, f) != k) { fclose(f); return kpw_error_set(err, KPW_EIO, path, 0, 0, "read failed"); }
    rpos += k;
    size_t w = 0;
    for (size_t i = 0; i < k; i++) if (buf[i] < committed) buf[w++] = buf[i];
    fseeko(f, (off_t)(wpos * 4), SEEK_SET);
    if (fwrite(buf, 4, w, f) != w) { fclose(f); return kpw_error_set(err, KPW_EIO, path, 0, 0, "write failed"); }
    wpos += w;
  }
  bool ok = fflush(f) == 0 && ftruncate(fileno(f), (off_t)(wpos * 4)) == 0 && fsync(fileno(f)) == 0;
  fclose(f);
  if (!ok || wpos != committed) return kpw_error_set(err, KPW_EINPUT, path, 0, 0, "cannot repair sort column: rebuild the index");
  return KPW_OK;
}

static void builder_close(builder *b) {
  for (int c = 0; c < N_COLS; c++) if (b->col[c]) fclose(b->col[c]);
  if (b->old_addr) munmap(b->old_addr, b->old_addr_len);
  free(b->runs);
  kpw_xsort_free(b->in_sort);
  kpw_xsort_free(b->tx_sort);
  free(b->slots);
  free(b->new_keys);
  free(b->new_off);
  if (b->lock_fd >= 0) close(b->lock_fd);
  free(b->dir);
}

static kpw_result builder_open(builder *b, const char *dir, kpw_error *err) {
  char path[4096];
  b->lock_fd = -1;
  if (!(b->dir = strdup(dir))) return kpw_error_set(err, KPW_ENOMEM, dir, 0, 0, "out of memory");
  if (mkdir(dir, 0777) && errno != EEXIST)
    return kpw_error_set(err, KPW_EIO, dir, 0, 0, "cannot create index directory: %s", strerror(errno));
  b->lock_fd = open(path_in(b, "LOCK", path, sizeof path), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (b->lock_fd < 0) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  if (flock(b->lock_fd, LOCK_EX | LOCK_NB))
    return kpw_error_set(err, KPW_EIO, dir, 0, 0, "another kpwatch is building this index (LOCK is held)");
  kpw_result r = cidx_meta_read(dir, &b->com, err);
  if (r == KPW_ENOTFOUND) {
    kpw_error_clear(err);
    memset(&b->com, 0, sizeof b->com);
  } else if (r) {
    return r;
  } else {
    b->first_height_set = b->com.blocks > 0;
  }
  b->cur = b->com;
  for (int c = 0; c < N_COLS; c++) {
    path_in(b, COL_NAME[c], path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    uint64_t want = col_committed_bytes(&b->com, c);
    if (fstat(fd, &st) || (uint64_t)st.st_size < want) {
      close(fd);
      return kpw_error_set(err, KPW_EINPUT, path, 0, 0, "index column shorter than META: damaged index, rebuild it");
    }
    if ((uint64_t)st.st_size > want && ftruncate(fd, (off_t)want)) {
      close(fd);
      return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot truncate: %s", strerror(errno));
    }
    b->col[c] = fdopen(fd, "r+b");
    if (!b->col[c] || fseeko(b->col[c], 0, SEEK_END)) {
      close(fd);
      return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    }
    setvbuf(b->col[c], NULL, _IOFBF, 1 << 18);
  }
  b->sentinel_on_disk = b->com.txs > 0;
  if ((r = filter_sort_file(b, F_TXSORT, b->com.txs, err))) return r;
  /* committed addresses: runs loaded, keys mapped, table rebuilt */
  b->addr_base = b->com.addrs;
  if (b->com.addrs) {
    b->runs = malloc(b->com.addr_runs * sizeof *b->runs);
    b->cap_runs = b->n_runs = b->com.addr_runs;
    if (!b->runs) return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory");
    if (fseeko(b->col[C_ADDRRUNS], 0, SEEK_SET) ||
        fread(b->runs, sizeof *b->runs, b->n_runs, b->col[C_ADDRRUNS]) != b->n_runs ||
        fseeko(b->col[C_ADDRRUNS], 0, SEEK_END))
      return kpw_error_set(err, KPW_EIO, F_ADDRRUNS, 0, 0, "cannot read address runs");
    if ((r = cidx_runs_check(b->runs, b->n_runs, b->com.addrs, b->com.addr_bytes, F_ADDRRUNS, err))) return r;
    map_ro a;
    if ((r = map_path(path_in(b, F_ADDR, path, sizeof path), b->com.addr_bytes, &a, err))) return r;
    b->old_addr = a.p; b->old_addr_len = a.n;
    while (b->n_slots < b->com.addrs * 2 + 2)
      if ((r = slots_grow(b, err))) return r;
    for (uint64_t id = 0; id < b->com.addrs; id++) {
      size_t kn;
      const uint8_t *k = addr_key_of(b, id, &kn);
      uint64_t j = key_hash(k, kn) & (b->n_slots - 1);
      while (b->slots[j]) j = (j + 1) & (b->n_slots - 1);
      b->slots[j] = (uint32_t)id + 1;
    }
  }
  if (b->com.blocks) {
    cidx_blockrec rec;
    if (fseeko(b->col[C_BLOCKS], (off_t)((b->com.blocks - 1) * sizeof rec), SEEK_SET) ||
        fread(&rec, sizeof rec, 1, b->col[C_BLOCKS]) != 1 || fseeko(b->col[C_BLOCKS], 0, SEEK_END))
      return kpw_error_set(err, KPW_EIO, F_BLOCKS, 0, 0, "cannot read the tip block");
    memcpy(b->tip, rec.hash, 32);
    b->tip_height = rec.height;
    b->have_tip = true;
  }
  return new_sorters(b, err);
}

/* Hashes of every committed block (to skip blocks indexed before). */
typedef struct hashset { uint8_t (*keys)[32]; uint64_t n, cap; } hashset;

/* Slot of k: where it is, or the empty slot where it would go (cap > 0).
** An all-zero key marks an empty slot (no block hash is all zero). */
static uint64_t hs_slot(const hashset *h, const uint8_t k[32]) {
  static const uint8_t zero[32];
  uint64_t i;
  memcpy(&i, k + 8, 8);
  i &= h->cap - 1;
  while (memcmp(h->keys[i], zero, 32) && memcmp(h->keys[i], k, 32)) i = (i + 1) & (h->cap - 1);
  return i;
}

static bool hs_has(const hashset *h, const uint8_t k[32]) {
  return h->cap && !memcmp(h->keys[hs_slot(h, k)], k, 32);
}

static bool hs_add(hashset *h, const uint8_t k[32]) {
  static const uint8_t zero[32];
  if ((h->n + 1) * 2 > h->cap) {
    uint64_t nc = h->cap ? h->cap * 2 : 1024;
    uint8_t (*nk)[32] = calloc(nc, 32);
    if (!nk) return false;
    hashset t = {nk, 0, nc};
    for (uint64_t i = 0; i < h->cap; i++)
      if (memcmp(h->keys[i], zero, 32)) { memcpy(t.keys[hs_slot(&t, h->keys[i])], h->keys[i], 32); t.n++; }
    free(h->keys);
    *h = t;
  }
  uint64_t i = hs_slot(h, k);
  if (memcmp(h->keys[i], k, 32)) { memcpy(h->keys[i], k, 32); h->n++; }
  return true;
}

/* ------------------------------------------------------- blk/raw source
** Pass 1 reads every header (80 bytes per block) and picks the best chain
** that extends the committed tip (or starts a new index); pass 2 streams
** the files again and indexes the chain's blocks in order. A block that
** arrives before its parent is kept (in RAM up to STASH_RAM_CAP, then in a
** spill file) until the parent has been indexed, so any file order works
** with bounded memory.
*/

typedef struct hdr {
  uint8_t hash[32], prev[32];
  uint32_t file;
  int64_t depth;            /* blocks from its root, -1 unknown */
  int64_t chain_pos;        /* position in the chosen chain, -1 none */
  int32_t root_kind;        /* 0 unknown, 1 new root/tip child, 2 unconnected */
} hdr;

typedef struct src_file {
  char *path;
  uint64_t n_blocks;        /* blocks read in pass 1 */
  kpw_error err;            /* pass-1 error after n_blocks, or code 0 */
} src_file;

typedef struct stash_ent { uint8_t *ram; uint64_t off; size_t len; bool used; } stash_ent;

typedef struct blk_src {
  int net;                               /* network of the first framed block, -1 */
  src_file *files; size_t n_files, cap_files;
  hdr *h; uint64_t n_h, cap_h;
  uint64_t *table; uint64_t table_cap;   /* hash -> hdr index + 1 */
  uint64_t *chain; uint64_t chain_len;   /* hdr indexes in order */
} blk_src;

static uint64_t hdr_find(const blk_src *s, const uint8_t hash[32]) {
  if (!s->table_cap) return UINT64_MAX;
  uint64_t i;
  memcpy(&i, hash + 8, 8);
  i &= s->table_cap - 1;
  while (s->table[i]) {
    if (!memcmp(s->h[s->table[i] - 1].hash, hash, 32)) return s->table[i] - 1;
    i = (i + 1) & (s->table_cap - 1);
  }
  return UINT64_MAX;
}

static bool hdr_index(blk_src *s) {
  uint64_t cap = 1024;
  while (cap < s->n_h * 2 + 2) cap *= 2;
  free(s->table);
  s->table = calloc(cap, sizeof *s->table);
  if (!s->table) return false;
  s->table_cap = cap;
  for (uint64_t k = 0; k < s->n_h; k++) {
    if (hdr_find(s, s->h[k].hash) != UINT64_MAX) continue;   /* a duplicate copy: first wins */
    uint64_t i;
    memcpy(&i, s->h[k].hash + 8, 8);
    i &= cap - 1;
    while (s->table[i]) i = (i + 1) & (cap - 1);
    s->table[i] = k + 1;
  }
  return true;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static kpw_result add_file(blk_src *s, const char *path, kpw_error *err) {
  if (s->n_files == s->cap_files) {
    size_t c = s->cap_files ? s->cap_files * 2 : 16;
    src_file *f = realloc(s->files, c * sizeof *f);
    if (!f) return kpw_error_set(err, KPW_ENOMEM, path, 0, 0, "out of memory");
    s->files = f;
    s->cap_files = c;
  }
  src_file *f = &s->files[s->n_files];
  memset(f, 0, sizeof *f);
  if (!(f->path = strdup(path))) return kpw_error_set(err, KPW_ENOMEM, path, 0, 0, "out of memory");
  s->n_files++;
  return KPW_OK;
}

/* A directory contributes its blk*.dat files in name order. */
static kpw_result add_dir(blk_src *s, const char *dir, kpw_error *err) {
  DIR *d = opendir(dir);
  if (!d) return kpw_error_set(err, KPW_EIO, dir, 0, 0, "cannot read directory: %s", strerror(errno));
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  kpw_result r = KPW_OK;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (strncmp(e->d_name, "blk", 3) || l < 8 || strcmp(e->d_name + l - 4, ".dat")) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **nn = realloc(names, cap * sizeof *nn);
      if (!nn) { r = kpw_error_set(err, KPW_ENOMEM, dir, 0, 0, "out of memory"); break; }
      names = nn;
    }
    size_t pl = strlen(dir) + l + 2;
    if (!(names[n] = malloc(pl))) { r = kpw_error_set(err, KPW_ENOMEM, dir, 0, 0, "out of memory"); break; }
    snprintf(names[n++], pl, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  if (!r && !n) r = kpw_error_set(err, KPW_EINPUT, dir, 0, 0, "no blk*.dat files in this directory");
  if (!r) qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    if (!r) r = add_file(s, names[i], err);
    free(names[i]);
  }
  free(names);
  return r;
}

static kpw_result scan_headers(builder *b, blk_src *s, kpw_error *err) {
  b->phase = "headers";
  b->progress_total = s->n_files;
  for (size_t f = 0; f < s->n_files; f++) {
    kpw_blk_reader *rd;
    kpw_result r = kpw_blk_open(s->files[f].path, &rd, err);
    if (r) return r;
    const uint8_t *blk;
    size_t n;
    uint64_t off;
    while ((r = kpw_blk_next(rd, &blk, &n, &off, &s->files[f].err)) == KPW_OK) {
      if (n < 80) {
        kpw_error_set(&s->files[f].err, KPW_EINPUT, s->files[f].path, 0, off, "block shorter than its 80-byte header");
        r = KPW_EINPUT;
        break;
      }
      if (s->n_h == s->cap_h) {
        uint64_t c = s->cap_h ? s->cap_h * 2 : 4096;
        hdr *h = realloc(s->h, c * sizeof *h);
        if (!h) { kpw_blk_close(rd); return kpw_error_set(err, KPW_ENOMEM, s->files[f].path, 0, 0, "out of memory"); }
        s->h = h;
        s->cap_h = c;
      }
      if (s->net < 0) s->net = kpw_blk_network(rd);
      hdr *h = &s->h[s->n_h++];
      kpw_sha256d(blk, 80, h->hash);
      memcpy(h->prev, blk + 4, 32);
      h->file = (uint32_t)f;
      h->depth = -1;
      h->chain_pos = -1;
      h->root_kind = 0;
      s->files[f].n_blocks++;
    }
    kpw_blk_close(rd);
    if (r == KPW_DONE) kpw_error_clear(&s->files[f].err);
    else if (r != KPW_EINPUT) { *err = s->files[f].err; return r; }
    progress(b, f + 1, false);
  }
  return KPW_OK;
}

/* Choose the chain: the deepest header whose root extends the committed
** tip (or, for a new index, any root), walked back to that root. */
static kpw_result choose_chain(builder *b, blk_src *s, const hashset *known, kpw_error *err) {
  if (!hdr_index(s)) return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory");
  uint64_t *stack = malloc((s->n_h + 1) * sizeof *stack);
  if (!stack) return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory");
  uint64_t best = UINT64_MAX;
  for (uint64_t k = 0; k < s->n_h; k++) {
    if (hs_has(known, s->h[k].hash)) {   /* indexed before */
      s->h[k].depth = -2;
      continue;
    }
    if (s->h[k].depth != -1) goto pick;
    uint64_t sp = 0, x = k;
    /* walk up until a header of known depth, a root or an indexed block */
    for (;;) {
      stack[sp++] = x;
      uint64_t p = hdr_find(s, s->h[x].prev);
      if (p == UINT64_MAX || hs_has(known, s->h[x].prev) || s->h[p].depth == -2) {
        bool ok = b->have_tip ? !memcmp(s->h[x].prev, b->tip, 32) : true;
        s->h[x].depth = 0;
        s->h[x].root_kind = ok ? 1 : 2;
        sp--;
        break;
      }
      if (s->h[p].depth >= 0) break;     /* x's depth follows from p's */
      if (sp > s->n_h) { free(stack); return kpw_error_set(err, KPW_EINPUT, b->dir, 0, 0, "headers form a cycle"); }
      x = p;
    }
    while (sp) {
      uint64_t y = stack[--sp];
      uint64_t p = hdr_find(s, s->h[y].prev);
      s->h[y].depth = s->h[p].depth + 1;
      s->h[y].root_kind = s->h[p].root_kind;
    }
  pick:
    if (s->h[k].depth >= 0 && s->h[k].root_kind == 1 && (best == UINT64_MAX || s->h[k].depth > s->h[best].depth))
      best = k;
  }
  free(stack);
  s->chain_len = best == UINT64_MAX ? 0 : (uint64_t)s->h[best].depth + 1;
  s->chain = malloc((s->chain_len ? s->chain_len : 1) * sizeof *s->chain);
  if (!s->chain) return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory");
  for (uint64_t x = best, i = s->chain_len; i-- > 0;) {
    s->chain[i] = x;
    s->h[x].chain_pos = (int64_t)i;
    if (i) x = hdr_find(s, s->h[x].prev);
  }
  for (uint64_t k = 0; k < s->n_h; k++) {
    if (!b->stats) break;
    if (s->h[k].depth == -2) b->stats->blocks_skipped_known++;
    else if (s->h[k].chain_pos < 0) b->stats->blocks_stale++;
  }
  return KPW_OK;
}

/* Index one block of the chain. */
static kpw_result index_block(builder *b, const uint8_t *p, size_t n, const char *path, uint64_t off,
                              kpw_arena *arena, kpw_error *err) {
  kpw_arena_reset(arena);
  kpw_btc_block blk;
  kpw_result r = kpw_btc_block_parse(p, n, arena, path, off, &blk, err);
  if (r) return r;
  if (!blk.merkle_ok)
    return kpw_error_set(err, KPW_EINPUT, path, 0, off,
                         "block %s: merkle root does not match its transactions", "");
  int64_t height;
  if (b->cur.blocks) height = b->tip_height + 1;
  else {
    static const uint8_t zero[32];
    if (!memcmp(blk.prev, zero, 32)) height = 0;
    else if (!memcmp(blk.prev, GENESIS, 32)) height = 1;
    else if (blk.height >= 0) height = blk.height;
    else height = 0;
  }
  uint64_t first_tx = b->cur.txs;
  tx_in_view *iv = NULL;
  size_t iv_cap = 0;
  for (uint32_t t = 0; t < blk.n_txs; t++) {
    const kpw_btc_tx *tx = &blk.txs[t];
    bool coinbase = t == 0;
    uint32_t ni = coinbase ? 0 : tx->n_ins;
    if (ni > iv_cap) {
      iv_cap = ni;
      iv = kpw_arena_alloc(arena, iv_cap * sizeof *iv);
      if (!iv) return kpw_error_set(err, KPW_ENOMEM, path, 0, off, "out of memory");
    }
    for (uint32_t i = 0; i < ni; i++) {
      iv[i].prev_txid = tx->ins[i].prev_txid;
      iv[i].vout = tx->ins[i].prev_vout;
    }
    if ((r = append_tx(b, tx->txid, iv, ni, err))) return r;
    for (uint32_t o = 0; o < tx->n_outs; o++) {
      uint8_t key[KPW_ADDR_KEY_MAX];
      size_t kn = kpw_script_key(tx->outs[o].script, tx->outs[o].script_len, key);
      if ((r = append_out(b, (uint64_t)tx->outs[o].value, key, kn, err))) return r;
    }
  }
  return append_block(b, blk.hash, blk.prev, height, blk.time, first_tx, err);
}

static kpw_result build_from_blk(builder *b, blk_src *s, kpw_error *err) {
  kpw_result r;
  hashset known = {0};
  if (b->com.blocks) {
    for (uint64_t i = 0; i < b->com.blocks; i++) {
      cidx_blockrec rec;
      if (fseeko(b->col[C_BLOCKS], (off_t)(i * sizeof rec), SEEK_SET) || fread(&rec, sizeof rec, 1, b->col[C_BLOCKS]) != 1) {
        free(known.keys);
        return kpw_error_set(err, KPW_EIO, F_BLOCKS, 0, 0, "cannot read block hashes");
      }
      if (!hs_add(&known, rec.hash)) { free(known.keys); return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory"); }
    }
    fseeko(b->col[C_BLOCKS], 0, SEEK_END);
  }
  r = scan_headers(b, s, err);
  if (!r) r = choose_chain(b, s, &known, err);
  /* a new index takes the network of its blocks' framing (address strings) */
  if (!r && !b->com.blocks && s->net >= 0) b->cur.network = s->net;
  free(known.keys);
  if (r) return r;
  /* pass 2 */
  stash_ent *stash = calloc(s->chain_len ? s->chain_len : 1, sizeof *stash);
  if (!stash) return kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory");
  size_t stash_ram = 0;
  FILE *spill = NULL;
  uint64_t spill_len = 0;
  char spill_path[4096];
  snprintf(spill_path, sizeof spill_path, "%s/stash.tmp", b->dir);
  kpw_arena *arena = kpw_arena_new(1 << 20);
  uint8_t *tmp = NULL;
  uint64_t next = 0, hk = 0;
  b->phase = "blocks";
  b->progress_total = s->chain_len;
  kpw_error first_err;
  kpw_error_clear(&first_err);
  for (size_t f = 0; f < s->n_files && !r; f++) {
    kpw_blk_reader *rd;
    if ((r = kpw_blk_open(s->files[f].path, &rd, err))) break;
    for (uint64_t k = 0; k < s->files[f].n_blocks && !r; k++, hk++) {
      const uint8_t *blk;
      size_t n;
      uint64_t off;
      if ((r = kpw_blk_next(rd, &blk, &n, &off, err))) {
        if (r == KPW_DONE) r = kpw_error_set(err, KPW_EIO, s->files[f].path, 0, 0, "file changed while indexing");
        break;
      }
      int64_t pos = s->h[hk].chain_pos;
      if (pos < 0 || (uint64_t)pos < next) continue;
      if ((uint64_t)pos > next) {     /* early: keep it */
        stash_ent *e = &stash[pos];
        if (e->used) continue;
        e->len = n;
        e->off = off;
        if (stash_ram + n <= STASH_RAM_CAP && (e->ram = malloc(n))) {
          memcpy(e->ram, blk, n);
          stash_ram += n;
        } else {
          if (!spill && !(spill = fopen(spill_path, "w+b"))) {
            r = kpw_error_set(err, KPW_EIO, spill_path, 0, 0, "cannot create: %s", strerror(errno));
            break;
          }
          fseeko(spill, (off_t)spill_len, SEEK_SET);
          if (fwrite(blk, 1, n, spill) != n) { r = kpw_error_set(err, KPW_EIO, spill_path, 0, 0, "write failed"); break; }
          e->off = spill_len;       /* position in the spill file */
          spill_len += n;
        }
        e->used = true;
        continue;
      }
      if ((r = index_block(b, blk, n, s->files[f].path, off, arena, err))) break;
      next++;
      /* drain kept blocks that are now in order */
      while (!r && next < s->chain_len && stash[next].used) {
        stash_ent *e = &stash[next];
        const uint8_t *bp = e->ram;
        if (!bp) {
          uint8_t *t2 = realloc(tmp, e->len);
          if (!t2) { r = kpw_error_set(err, KPW_ENOMEM, b->dir, 0, 0, "out of memory"); break; }
          tmp = t2;
          if (fflush(spill) || fseeko(spill, (off_t)e->off, SEEK_SET) || fread(tmp, 1, e->len, spill) != e->len) {
            r = kpw_error_set(err, KPW_EIO, spill_path, 0, 0, "read failed");
            break;
          }
          bp = tmp;
        }
        r = index_block(b, bp, e->len, s->files[s->h[s->chain[next]].file].path, e->ram ? e->off : 0, arena, err);
        if (e->ram) { stash_ram -= e->len; free(e->ram); e->ram = NULL; }
        e->used = false;
        next++;
      }
      if (!r) r = maybe_commit(b, err);
      progress(b, next, false);
    }
    kpw_blk_close(rd);
    if (!r && s->files[f].err.code && !first_err.code) first_err = s->files[f].err;
  }
  for (uint64_t i = 0; i < s->chain_len; i++) free(stash[i].ram);
  free(stash);
  free(tmp);
  if (spill) { fclose(spill); unlink(spill_path); }
  kpw_arena_free(arena);
  if (!r && next < s->chain_len && !first_err.code)
    r = kpw_error_set(err, KPW_EINTERNAL, b->dir, 0, 0, "%llu blocks of the chain were not found again",
                      (unsigned long long)(s->chain_len - next));
  /* Whatever happened, what was indexed in order is kept. */
  if (b->cur.txs > b->com.txs || b->cur.blocks > b->com.blocks) {
    kpw_error cerr;
    kpw_result cr = commit(b, &b->cur, &cerr);
    if (cr && !r) { *err = cerr; r = cr; }
  }
  if (!r && first_err.code) { *err = first_err; r = first_err.code; }
  return r;
}

/* ------------------------------------------------------- bitcoin-etl JSON
** One transaction per line (bitcoin-etl `export_blocks_and_transactions`,
** the BigQuery crypto_bitcoin.transactions schema): hash, block_number,
** block_hash, block_timestamp (unix seconds or "YYYY-MM-DD HH:MM:SS[ UTC]"),
** is_coinbase, inputs[{spent_transaction_hash, spent_output_index}],
** outputs[{addresses[], value}]. Lines come in chain order (block_number
** never decreases). Blocks at or below the committed tip are skipped.
*/

/* A txid or block hash as the export writes it (display order). */
static bool hex32_rev(const char *s, uint8_t out[32]) {
  return s && kpw_hash_from_hex(s, strlen(s), out);
}

/* An integer JSON value (number or decimal string) into *v. */
static bool json_uint(const kpw_json *j, uint64_t *v) {
  if (!j || !j->str || (j->type != KPW_JSON_NUMBER && j->type != KPW_JSON_STRING)) return false;
  const char *s = j->str;
  char *end;
  errno = 0;
  unsigned long long u = strtoull(s, &end, 10);
  if (!errno && end != s && *end == 0 && s[0] != '-') { *v = u; return true; }
  /* "5000000000.0" or 5e9: exact only when integral and below 2^53 */
  double d = strtod(s, &end);
  if (end == s || *end || d < 0 || d > 9007199254740992.0 || d != (double)(uint64_t)d) return false;
  *v = (uint64_t)d;
  return true;
}

static bool json_time(const kpw_json *j, uint32_t *t) {
  uint64_t u;
  if (json_uint(j, &u) && u <= UINT32_MAX) { *t = (uint32_t)u; return true; }
  if (!j || j->type != KPW_JSON_STRING) return false;
  int64_t us;
  kpw_date d;
  if (kpw_time_parse(j->str, &us)) {                     /* "2009-01-09 02:54:25 UTC" */
  } else if (kpw_date_parse(j->str, &d) && d.month && d.day) {
    us = kpw_days_from_civil(d.year, d.month, d.day) * 86400 * 1000000;
  } else {
    return false;
  }
  if (us < 0 || us / 1000000 > UINT32_MAX) return false;
  *t = (uint32_t)(us / 1000000);
  return true;
}

static kpw_result etl_key(const kpw_json *out, uint8_t key[KPW_ADDR_KEY_MAX], size_t *kn) {
  *kn = 0;
  const kpw_json *a = kpw_json_get(out, "addresses");
  if (!a || a->type != KPW_JSON_ARRAY || !a->len) return KPW_OK;
  if (a->len == 1) {
    if (a->items[0]->type != KPW_JSON_STRING) return KPW_EINPUT;
    *kn = kpw_addrkey_parse(a->items[0]->str, a->items[0]->len, key);
    return KPW_OK;
  }
  /* several addresses (bare multisig in bitcoin-etl): one entity per set */
  char buf[4096];
  size_t n = 0;
  for (size_t i = 0; i < a->len; i++) {
    if (a->items[i]->type != KPW_JSON_STRING) return KPW_EINPUT;
    size_t l = a->items[i]->len;
    if (n + l + 2 >= sizeof buf) return KPW_EINPUT;
    if (i) buf[n++] = ',';
    memcpy(buf + n, a->items[i]->str, l);
    n += l;
  }
  *kn = kpw_addrkey_parse(buf, n, key);
  return KPW_OK;
}

typedef struct etl_state {
  bool in_block;
  int64_t number;
  uint8_t hash[32], prev[32];
  uint32_t time;
  uint64_t first_tx;
  cidx_meta mark;            /* counts at the end of the last complete block */
} etl_state;

static kpw_result etl_end_block(builder *b, etl_state *st, kpw_error *err) {
  if (!st->in_block) return KPW_OK;
  kpw_result r = append_block(b, st->hash, st->prev, st->number, st->time, st->first_tx, err);
  st->in_block = false;
  st->mark = b->cur;
  if (!r) r = maybe_commit(b, err);
  return r;
}

static kpw_result etl_line(builder *b, etl_state *st, const char *line, size_t n, const char *path,
                           uint64_t lineno, kpw_arena *arena, kpw_error *err) {
  kpw_arena_reset(arena);
  kpw_json *j;
  kpw_result r = kpw_json_parse(line, n, arena, path, lineno, &j, err);
  if (r) return r;
  if (j->type != KPW_JSON_OBJECT) return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "not a JSON object");
  uint8_t txid[32];
  uint64_t num;
  if (!hex32_rev(kpw_json_get_str(j, "hash"), txid))
    return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "\"hash\" is not a 64-hex-digit txid");
  if (!json_uint(kpw_json_get(j, "block_number"), &num) || num > INT32_MAX)
    return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "\"block_number\" missing or not a block height");
  if (b->have_tip && (int64_t)num <= b->tip_height && !(st->in_block && (int64_t)num == st->number))
    return KPW_OK;                          /* indexed before (a rerun resumes here) */
  if (st->in_block && (int64_t)num < st->number)
    return kpw_error_set(err, KPW_EINPUT, path, lineno, 0,
                         "block_number %llu after %lld: transactions must come in chain order",
                         (unsigned long long)num, (long long)st->number);
  if (!st->in_block || (int64_t)num != st->number) {
    if ((r = etl_end_block(b, st, err))) return r;
    st->in_block = true;
    st->number = (int64_t)num;
    st->first_tx = b->cur.txs;
    memcpy(st->prev, b->have_tip ? b->tip : st->hash, 32);
    if (!b->have_tip) memset(st->prev, 0, 32);
    memset(st->hash, 0, 32);
    const char *bh = kpw_json_get_str(j, "block_hash");
    if (bh && !hex32_rev(bh, st->hash))
      return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "\"block_hash\" is not 64 hex digits");
    st->time = 0;
    const kpw_json *ts = kpw_json_get(j, "block_timestamp");
    if (ts && !json_time(ts, &st->time))
      return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "\"block_timestamp\" is neither unix seconds nor a date-time");
  }
  const kpw_json *ins = kpw_json_get(j, "inputs"), *outs = kpw_json_get(j, "outputs");
  if (!outs || outs->type != KPW_JSON_ARRAY)
    return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "\"outputs\" missing or not an array");
  if (ins && ins->type != KPW_JSON_ARRAY && ins->type != KPW_JSON_NULL)
    return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "\"inputs\" is not an array");
  const kpw_json *cb = kpw_json_get(j, "is_coinbase");
  bool coinbase = cb && cb->type == KPW_JSON_BOOL ? cb->boolean : !(ins && ins->type == KPW_JSON_ARRAY && ins->len);
  uint32_t ni = coinbase || !ins || ins->type != KPW_JSON_ARRAY ? 0 : (uint32_t)ins->len;
  tx_in_view *iv = ni ? kpw_arena_alloc(arena, ni * sizeof *iv) : NULL;
  uint8_t (*prev)[32] = ni ? kpw_arena_alloc(arena, ni * 32) : NULL;
  if (ni && (!iv || !prev)) return kpw_error_set(err, KPW_ENOMEM, path, lineno, 0, "out of memory");
  for (uint32_t i = 0; i < ni; i++) {
    const kpw_json *in = ins->items[i];
    uint64_t vout;
    if (!hex32_rev(kpw_json_get_str(in, "spent_transaction_hash"), prev[i]))
      return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "input %u: \"spent_transaction_hash\" is not a txid", i);
    if (!json_uint(kpw_json_get(in, "spent_output_index"), &vout) || vout > UINT32_MAX)
      return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "input %u: \"spent_output_index\" missing or out of range", i);
    iv[i].prev_txid = prev[i];
    iv[i].vout = (uint32_t)vout;
  }
  /* validate outputs before appending anything of this tx */
  for (size_t o = 0; o < outs->len; o++) {
    uint64_t v;
    if (!json_uint(kpw_json_get(outs->items[o], "value"), &v) || v > 2100000000000000ull)
      return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "output %zu: \"value\" missing or not satoshis", o);
    const kpw_json *ix = kpw_json_get(outs->items[o], "index");
    uint64_t idx;
    if (ix && (!json_uint(ix, &idx) || idx != o))
      return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "output %zu: \"index\" is not its position", o);
    uint8_t key[KPW_ADDR_KEY_MAX];
    size_t kn;
    if (etl_key(outs->items[o], key, &kn))
      return kpw_error_set(err, KPW_EINPUT, path, lineno, 0, "output %zu: \"addresses\" is not a list of strings", o);
  }
  if ((r = append_tx(b, txid, iv, ni, err))) return r;
  for (size_t o = 0; o < outs->len; o++) {
    uint64_t v;
    uint8_t key[KPW_ADDR_KEY_MAX];
    size_t kn;
    json_uint(kpw_json_get(outs->items[o], "value"), &v);
    etl_key(outs->items[o], key, &kn);
    if ((r = append_out(b, v, key, kn, err))) return r;
  }
  return KPW_OK;
}

static kpw_result build_from_etl(builder *b, const char *path, etl_state *st, kpw_error *err) {
  kpw_input *in;
  kpw_result r = kpw_input_open(path, &in, err);
  if (r) return r;
  kpw_arena *arena = kpw_arena_new(1 << 20);
  size_t cap = 1 << 20, len = 0, pos = 0, fill = 0;
  char *buf = malloc(cap);
  uint64_t lineno = 0;
  b->phase = "transactions";
  b->progress_total = 0;
  if (!buf || !arena) r = kpw_error_set(err, KPW_ENOMEM, path, 0, 0, "out of memory");
  bool eof = false;
  while (!r) {
    /* find a complete line in buf[pos..fill) */
    char *nl = memchr(buf + pos, '\n', fill - pos);
    if (!nl && !eof) {
      if (pos) { memmove(buf, buf + pos, fill - pos); fill -= pos; pos = 0; }
      if (fill == cap) {
        if (cap >= MAX_JSON_LINE) {
          r = kpw_error_set(err, KPW_EINPUT, path, lineno + 1, 0, "line longer than %zu bytes", MAX_JSON_LINE);
          break;
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb) { r = kpw_error_set(err, KPW_ENOMEM, path, 0, 0, "out of memory"); break; }
        buf = nb;
        cap *= 2;
      }
      size_t got;
      if ((r = kpw_input_read(in, buf + fill, cap - fill, &got, err))) break;
      if (!got) eof = true;
      fill += got;
      continue;
    }
    len = nl ? (size_t)(nl - (buf + pos)) : fill - pos;
    if (!nl && !len) break;
    lineno++;
    size_t s0 = pos, l = len;
    while (l && (buf[s0 + l - 1] == '\r' || buf[s0 + l - 1] == ' ')) l--;
    bool blank = true;
    for (size_t i = 0; i < l; i++) if (buf[s0 + i] != ' ' && buf[s0 + i] != '\t') { blank = false; break; }
    if (!blank) r = etl_line(b, st, buf + s0, l, path, lineno, arena, err);
    pos += len + (nl ? 1 : 0);
    if ((lineno & 0xffff) == 0) progress(b, lineno, false);
  }
  free(buf);
  kpw_arena_free(arena);
  kpw_input_close(in);
  return r;
}

static bool is_json_input(const char *path) {
  struct stat st;
  if (stat(path, &st) || S_ISDIR(st.st_mode)) return false;
  kpw_input *in;
  kpw_error e;
  if (kpw_input_open(path, &in, &e)) return false;
  const void *p;
  size_t n = 0;
  bool json = false;
  if (!kpw_input_peek(in, &p, &n, &e)) {
    const unsigned char *c = p;
    size_t i = 0;
    while (i < n && (c[i] == ' ' || c[i] == '\n' || c[i] == '\r' || c[i] == '\t')) i++;
    json = i < n && c[i] == '{';
  }
  kpw_input_close(in);
  return json;
}

kpw_result kpw_cidx_build(const char *dir, const char *const *inputs, size_t n_inputs,
                          const kpw_cidx_build_opts *opts, kpw_cidx_build_stats *stats, kpw_error *err) {
  {
    const uint16_t one = 1;
    if (*(const uint8_t *)&one != 1)
      return kpw_error_set(err, KPW_EINTERNAL, dir, 0, 0, "the chain index needs a little-endian host");
  }
  kpw_cidx_build_stats dummy;
  if (!stats) stats = &dummy;
  memset(stats, 0, sizeof *stats);
  stats->first_height = stats->last_height = -1;
  size_t n_json = 0;
  for (size_t i = 0; i < n_inputs; i++) n_json += is_json_input(inputs[i]);
  if (n_json && n_json != n_inputs)
    return kpw_error_set(err, KPW_EUSAGE, dir, 0, 0, "index either bitcoin-etl JSON files or block files in one run, not both");
  builder b;
  memset(&b, 0, sizeof b);
  b.opts = opts;
  b.stats = stats;
  kpw_result r = builder_open(&b, dir, err);
  uint64_t txs_at_start = b.com.txs;
  if (!r && n_json) {
    etl_state st;
    memset(&st, 0, sizeof st);
    st.mark = b.cur;
    for (size_t i = 0; i < n_inputs && !r; i++) r = build_from_etl(&b, inputs[i], &st, err);
    if (!r) r = etl_end_block(&b, &st, err);
    if (st.mark.txs > b.com.txs || st.mark.blocks > b.com.blocks) {
      kpw_error cerr;
      kpw_result cr = commit(&b, &st.mark, &cerr);
      if (cr && !r) { *err = cerr; r = cr; }
    }
  } else if (!r) {
    blk_src s;
    memset(&s, 0, sizeof s);
    s.net = -1;
    for (size_t i = 0; i < n_inputs && !r; i++) {
      struct stat sb;
      if (stat(inputs[i], &sb)) r = kpw_error_set(err, KPW_EIO, inputs[i], 0, 0, "cannot open: %s", strerror(errno));
      else if (S_ISDIR(sb.st_mode)) r = add_dir(&s, inputs[i], err);
      else r = add_file(&s, inputs[i], err);
    }
    if (!r) r = build_from_blk(&b, &s, err);
    for (size_t i = 0; i < s.n_files; i++) free(s.files[i].path);
    free(s.files);
    free(s.h);
    free(s.table);
    free(s.chain);
  }
  stats->txs_added = b.com.txs - txs_at_start;
  builder_close(&b);
  return r;
}
