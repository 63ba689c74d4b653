/*
** test_chain_block.c -- unit tests for lib/chain/block.c and blkfile.c with
** synthetic blocks built here: legacy and segwit transactions, txid vs
** wtxid, the merkle root with an odd count (last node duplicated), BIP-34
** heights, a wrong merkle root, truncation at every byte offset, bad
** varints, and the blk reader (framing, zero padding, bad magic, truncated
** frame, oversize length, xor.dat, raw unframed block).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kpw/chain.h"

/* ---- a tiny byte builder */
typedef struct bb { uint8_t d[4096]; size_t n; } bb;
static void put(bb *b, const void *p, size_t n) { assert_true(b->n + n <= sizeof b->d); memcpy(b->d + b->n, p, n); b->n += n; }
static void u8(bb *b, uint8_t v) { put(b, &v, 1); }
static void u32(bb *b, uint32_t v) { uint8_t t[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)}; put(b, t, 4); }
static void u64(bb *b, uint64_t v) { u32(b, (uint32_t)v); u32(b, (uint32_t)(v >> 32)); }

/* Transaction pieces kept separately so the test can compute the expected
** txid (no witness) and wtxid (full) independently of the parser. */
typedef struct txbuf { bb full, stripped; } txbuf;

/* A tx with one input (script given) and one output; segwit adds a
** two-item witness to the input. */
static void make_tx(txbuf *t, const uint8_t *script, size_t sl, uint64_t value, bool segwit, uint8_t tag) {
  memset(t, 0, sizeof *t);
  bb io = {0};
  u8(&io, 1);                                   /* 1 input */
  uint8_t prev[32];
  memset(prev, tag, 32);
  put(&io, prev, 32);
  u32(&io, tag);                                /* vout */
  u8(&io, (uint8_t)sl);
  put(&io, script, sl);
  u32(&io, 0xffffffffu);
  u8(&io, 1);                                   /* 1 output */
  u64(&io, value);
  uint8_t spk[25] = {0x76, 0xa9, 0x14};
  memset(spk + 3, tag, 20);
  spk[23] = 0x88; spk[24] = 0xac;
  u8(&io, 25);
  put(&io, spk, 25);
  u32(&t->stripped, 2);
  put(&t->stripped, io.d, io.n);
  u32(&t->stripped, 0);
  u32(&t->full, 2);
  if (segwit) { u8(&t->full, 0); u8(&t->full, 1); }
  put(&t->full, io.d, io.n);
  if (segwit) {
    u8(&t->full, 2);
    u8(&t->full, 3); u8(&t->full, 0xaa); u8(&t->full, 0xbb); u8(&t->full, tag);
    u8(&t->full, 0);
  }
  u32(&t->full, 0);
}

static void pair_hash(const uint8_t a[32], const uint8_t b[32], uint8_t out[32]) {
  uint8_t p[64];
  memcpy(p, a, 32);
  memcpy(p + 32, b, 32);
  kpw_sha256d(p, 64, out);
}

/* Block of the given txs with a correct merkle root (computed here). */
static void make_block(bb *blk, txbuf *txs, size_t n, int32_t version) {
  uint8_t h[8][32];
  assert_true(n >= 1 && n <= 8);
  for (size_t i = 0; i < n; i++) kpw_sha256d(txs[i].stripped.d, txs[i].stripped.n, h[i]);
  size_t m = n;
  while (m > 1) {
    size_t k = 0;
    for (size_t i = 0; i < m; i += 2) pair_hash(h[i], h[i + 1 < m ? i + 1 : i], h[k++]);
    m = k;
  }
  memset(blk, 0, sizeof *blk);
  u32(blk, (uint32_t)version);
  uint8_t prev[32];
  memset(prev, 0x11, 32);
  put(blk, prev, 32);
  put(blk, h[0], 32);
  u32(blk, 1231006505); u32(blk, 0x1d00ffff); u32(blk, 42);
  u8(blk, (uint8_t)n);
  for (size_t i = 0; i < n; i++) put(blk, txs[i].full.d, txs[i].full.n);
}

static const uint8_t CB_SCRIPT[] = {0x03, 0x40, 0x0d, 0x03, 0x01, 0x02};  /* height 200000 */

static void legacy_coinbase_block(void **state) {
  (void)state;
  txbuf t;
  make_tx(&t, CB_SCRIPT, sizeof CB_SCRIPT, 5000000000ull, false, 0);
  bb blk;
  make_block(&blk, &t, 1, 2);
  kpw_arena *a = kpw_arena_new(0);
  kpw_btc_block b;
  kpw_error e = {0};
  assert_int_equal(kpw_btc_block_parse(blk.d, blk.n, a, "t", 0, &b, &e), KPW_OK);
  assert_int_equal(b.n_txs, 1);
  assert_true(b.merkle_ok);
  assert_int_equal(b.height, 200000);
  assert_int_equal(b.time, 1231006505);
  assert_int_equal(b.size, blk.n);
  uint8_t want[32];
  kpw_sha256d(t.full.d, t.full.n, want);
  assert_memory_equal(b.txs[0].txid, want, 32);
  assert_memory_equal(b.txs[0].wtxid, want, 32);
  assert_memory_equal(b.merkle, want, 32);
  kpw_sha256d(blk.d, 80, want);
  assert_memory_equal(b.hash, want, 32);
  assert_false(b.txs[0].segwit);
  assert_int_equal(b.txs[0].n_ins, 1);
  assert_int_equal(b.txs[0].ins[0].script_len, sizeof CB_SCRIPT);
  assert_int_equal(b.txs[0].outs[0].value, 5000000000ll);
  assert_int_equal(b.txs[0].outs[0].script_len, 25);
  assert_int_equal(b.txs[0].offset, 81);
  /* Version 1: no BIP-34 height even though the script looks like one. */
  make_block(&blk, &t, 1, 1);
  assert_int_equal(kpw_btc_block_parse(blk.d, blk.n, a, "t", 0, &b, &e), KPW_OK);
  assert_int_equal(b.height, -1);
  kpw_arena_free(a);
}

static void segwit_odd_merkle(void **state) {
  (void)state;
  txbuf t[3];
  make_tx(&t[0], CB_SCRIPT, sizeof CB_SCRIPT, 625000000, false, 0);
  const uint8_t s[] = {0x51};
  make_tx(&t[1], s, 1, 1000, true, 1);
  make_tx(&t[2], s, 1, 2000, true, 2);
  bb blk;
  make_block(&blk, t, 3, 0x20000000);
  kpw_arena *a = kpw_arena_new(0);
  kpw_btc_block b;
  kpw_error e = {0};
  assert_int_equal(kpw_btc_block_parse(blk.d, blk.n, a, "t", 0, &b, &e), KPW_OK);
  assert_int_equal(b.n_txs, 3);
  assert_true(b.merkle_ok);
  for (int i = 0; i < 3; i++) {
    uint8_t id[32], wid[32];
    kpw_sha256d(t[i].stripped.d, t[i].stripped.n, id);
    kpw_sha256d(t[i].full.d, t[i].full.n, wid);
    assert_memory_equal(b.txs[i].txid, id, 32);
    assert_memory_equal(b.txs[i].wtxid, wid, 32);
    assert_int_equal(b.txs[i].size, t[i].full.n);
  }
  assert_true(b.txs[1].segwit);
  assert_int_equal(b.txs[1].ins[0].n_witness, 2);
  assert_memory_not_equal(b.txs[1].txid, b.txs[1].wtxid, 32);
  /* Root by hand: H(H(t0,t1), H(t2,t2)). */
  uint8_t l[32], r[32], root[32];
  pair_hash(b.txs[0].txid, b.txs[1].txid, l);
  pair_hash(b.txs[2].txid, b.txs[2].txid, r);
  pair_hash(l, r, root);
  assert_memory_equal(b.merkle, root, 32);
  /* A flipped merkle byte parses but does not check. */
  blk.d[40] ^= 1;
  assert_int_equal(kpw_btc_block_parse(blk.d, blk.n, a, "t", 0, &b, &e), KPW_OK);
  assert_false(b.merkle_ok);
  kpw_arena_free(a);
}

static void truncation_everywhere(void **state) {
  (void)state;
  txbuf t[2];
  make_tx(&t[0], CB_SCRIPT, sizeof CB_SCRIPT, 1, false, 0);
  const uint8_t s[] = {0x51, 0x52};
  make_tx(&t[1], s, 2, 2, true, 3);
  bb blk;
  make_block(&blk, t, 2, 2);
  kpw_arena *a = kpw_arena_new(0);
  for (size_t n = 0; n < blk.n; n++) {
    /* A fresh heap copy so ASan sees any read past the end. */
    uint8_t *p = malloc(n ? n : 1);
    memcpy(p, blk.d, n);
    kpw_btc_block b;
    kpw_error e = {0};
    kpw_result rc = kpw_btc_block_parse(p, n, a, "trunc", 1000, &b, &e);
    if (rc != KPW_EINPUT) fail_msg("truncated at %zu: result %d", n, rc);
    assert_string_equal(e.source, "trunc");
    assert_true(e.offset >= 1000 && e.offset <= 1000 + n);
    free(p);
  }
  /* One trailing byte is an error too. */
  blk.d[blk.n] = 0;
  kpw_btc_block b;
  kpw_error e = {0};
  assert_int_equal(kpw_btc_block_parse(blk.d, blk.n + 1, a, "t", 0, &b, &e), KPW_EINPUT);
  assert_int_equal(e.offset, blk.n);
  kpw_arena_free(a);
}

static void bad_varints(void **state) {
  (void)state;
  txbuf t;
  make_tx(&t, CB_SCRIPT, sizeof CB_SCRIPT, 1, false, 0);
  bb blk;
  make_block(&blk, &t, 1, 2);
  kpw_arena *a = kpw_arena_new(0);
  kpw_btc_block b;
  kpw_error e = {0};
  /* tx count 1 written as 0xfd 0x01 0x00: non-canonical. */
  bb nc = {0};
  put(&nc, blk.d, 80);
  u8(&nc, 0xfd); u8(&nc, 1); u8(&nc, 0);
  put(&nc, blk.d + 81, blk.n - 81);
  assert_int_equal(kpw_btc_block_parse(nc.d, nc.n, a, "t", 0, &b, &e), KPW_EINPUT);
  assert_int_equal(e.offset, 80);
  assert_non_null(strstr(e.msg, "non-canonical"));
  /* A tx count of 2^32-1 must be refused before any allocation. */
  bb big = {0};
  put(&big, blk.d, 80);
  u8(&big, 0xfe); u32(&big, 0xffffffffu);
  put(&big, blk.d + 81, blk.n - 81);
  assert_int_equal(kpw_btc_block_parse(big.d, big.n, a, "t", 0, &b, &e), KPW_EINPUT);
  /* An output script length past the end. */
  bb sl = blk;
  size_t spk_len_at = blk.n - 4 - 26;  /* the 25-byte script's length byte */
  assert_int_equal(sl.d[spk_len_at], 25);
  sl.d[spk_len_at] = 200;
  assert_int_equal(kpw_btc_block_parse(sl.d, sl.n, a, "t", 0, &b, &e), KPW_EINPUT);
  assert_int_equal(e.offset, spk_len_at);
  /* Zero transactions. */
  bb z = {0};
  put(&z, blk.d, 80);
  u8(&z, 0);
  assert_int_equal(kpw_btc_block_parse(z.d, z.n, a, "t", 0, &b, &e), KPW_EINPUT);
  kpw_arena_free(a);
}

/* ---- blk reader */
static char tmpdir_[64];

static void write_file(const char *name, const void *p, size_t n) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", tmpdir_, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, n, f), n);
  fclose(f);
}

static void frame(bb *f, const bb *blk) {
  const uint8_t m[4] = {0xf9, 0xbe, 0xb4, 0xd9};
  put(f, m, 4);
  u32(f, (uint32_t)blk->n);
  put(f, blk->d, blk->n);
}

/* Reads all blocks of dir/name; returns the count and the final result. */
static kpw_result read_all(const char *name, int *count, kpw_error *e, uint64_t *last_off) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", tmpdir_, name);
  kpw_blk_reader *r;
  kpw_result rc = kpw_blk_open(path, &r, e);
  if (rc != KPW_OK) return rc;
  *count = 0;
  const uint8_t *p;
  size_t n;
  uint64_t off;
  kpw_arena *a = kpw_arena_new(0);
  while ((rc = kpw_blk_next(r, &p, &n, &off, e)) == KPW_OK) {
    kpw_btc_block b;
    rc = kpw_btc_block_parse(p, n, a, path, off, &b, e);
    if (rc != KPW_OK) break;
    if (!b.merkle_ok) { rc = KPW_EINTERNAL; break; }
    (*count)++;
    *last_off = off;
  }
  kpw_arena_free(a);
  kpw_blk_close(r);
  return rc;
}

static void blk_reader(void **state) {
  (void)state;
  snprintf(tmpdir_, sizeof tmpdir_, "/tmp/kpw-test-blk-XXXXXX");
  assert_non_null(mkdtemp(tmpdir_));
  txbuf t;
  make_tx(&t, CB_SCRIPT, sizeof CB_SCRIPT, 1, false, 0);
  bb blk;
  make_block(&blk, &t, 1, 2);
  bb f = {0};
  frame(&f, &blk);
  frame(&f, &blk);
  size_t two = f.n;
  for (int i = 0; i < 64; i++) u8(&f, 0);     /* preallocation padding */
  write_file("pad.dat", f.d, f.n);
  int count = 0;
  uint64_t off = 0;
  kpw_error e = {0};
  assert_int_equal(read_all("pad.dat", &count, &e, &off), KPW_DONE);
  assert_int_equal(count, 2);
  assert_int_equal(off, 8 + blk.n + 8);
  /* Bad magic after two good blocks: both returned, then the error's offset. */
  bb g = {0};
  put(&g, f.d, two);
  u32(&g, 0xdeadbeef); u32(&g, 10);
  write_file("magic.dat", g.d, g.n);
  assert_int_equal(read_all("magic.dat", &count, &e, &off), KPW_EINPUT);
  assert_int_equal(count, 2);
  assert_int_equal(e.offset, two);
  assert_non_null(strstr(e.source, "magic.dat"));
  /* Truncated second block. */
  write_file("trunc.dat", f.d, two - 5);
  assert_int_equal(read_all("trunc.dat", &count, &e, &off), KPW_EINPUT);
  assert_int_equal(count, 1);
  assert_int_equal(e.offset, 8 + blk.n);
  /* Length over 4 MiB. */
  bb h = {0};
  const uint8_t m[4] = {0xf9, 0xbe, 0xb4, 0xd9};
  put(&h, m, 4);
  u32(&h, 0x7fffffffu);
  write_file("huge.dat", h.d, h.n);
  assert_int_equal(read_all("huge.dat", &count, &e, &off), KPW_EINPUT);
  assert_int_equal(count, 0);
  /* A raw block without framing. */
  write_file("raw.bin", blk.d, blk.n);
  assert_int_equal(read_all("raw.bin", &count, &e, &off), KPW_DONE);
  assert_int_equal(count, 1);
  assert_int_equal(off, 0);
  /* xor.dat beside blk00000.dat: the file holds obfuscated bytes. */
  const uint8_t key[8] = {1, 2, 3, 4, 0x55, 0xaa, 0, 0xff};
  write_file("xor.dat", key, 8);
  bb x = f;
  for (size_t i = 0; i < x.n; i++) x.d[i] ^= key[i & 7];
  for (int i = 0; i < 100; i++) u8(&x, 0);   /* on-disk zeros: padding too */
  write_file("blk00000.dat", x.d, x.n);
  assert_int_equal(read_all("blk00000.dat", &count, &e, &off), KPW_DONE);
  assert_int_equal(count, 2);
  /* A preallocated blk file with nothing written yet: no blocks, no error. */
  bb zero = {0};
  for (int i = 0; i < 256; i++) u8(&zero, 0);
  write_file("blk00001.dat", zero.d, zero.n);
  assert_int_equal(read_all("blk00001.dat", &count, &e, &off), KPW_DONE);
  assert_int_equal(count, 0);
  /* The same obfuscated bytes under another name get no key: bad magic. */
  write_file("other.dat", x.d, x.n);
  assert_int_equal(read_all("other.dat", &count, &e, &off), KPW_EINPUT);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir_);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(legacy_coinbase_block),
    cmocka_unit_test(segwit_odd_merkle),
    cmocka_unit_test(truncation_everywhere),
    cmocka_unit_test(bad_varints),
    cmocka_unit_test(blk_reader),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
