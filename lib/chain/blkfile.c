/*
** blkfile.c -- reader of blocks from a file (kpw_blk_open/next/close).
**
** Accepts Bitcoin Core blk*.dat files (each block framed by a 4-byte network
** magic and a 4-byte little-endian length), a single raw block without
** framing, and either of them compressed with bzip2 or zstd. A blk*.dat
** with an xor.dat beside it (Bitcoin Core >= 28) is de-obfuscated: byte i
** of the file is XORed with key[i % 8].
**
** Plain files are memory-mapped privately (copy-on-write, so de-obfuscation
** happens in place without touching the file); compressed ones stream
** through kpw_input into one reused buffer. Zero bytes where a magic is
** expected are preallocation padding and skipped; if nothing but zeros
** follows, the file ends cleanly. A bad magic, a length over MAX_BLOCK or a
** truncated frame is KPW_EINPUT naming the file and byte offset, after every
** complete block before it was returned.
**
** Offsets returned are of the first byte of the block itself (after the
** 8-byte frame), as Bitcoin Core's block positions are.
*/
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kpw/chain.h"

/* Serialized blocks are at most 4,000,000 bytes (weight limit); allow 4 MiB. */
#define MAX_BLOCK (4u * 1024 * 1024)

static const uint8_t MAGICS[][4] = {
  {0xf9, 0xbe, 0xb4, 0xd9},  /* mainnet */
  {0x0b, 0x11, 0x09, 0x07},  /* testnet3 */
  {0x1c, 0x16, 0x3f, 0x28},  /* testnet4 */
  {0x0a, 0x03, 0xcf, 0x40},  /* signet (default) */
  {0xfa, 0xbf, 0xb5, 0xda},  /* regtest */
};

/* 1 + the index of p's network in MAGICS, 0 when it is no magic. */
static int magic_net(const uint8_t *p) {
  for (size_t i = 0; i < sizeof MAGICS / sizeof MAGICS[0]; i++)
    if (!memcmp(p, MAGICS[i], 4)) return (int)i + 1;
  return 0;
}
static bool is_magic(const uint8_t *p) { return magic_net(p) != 0; }

struct kpw_blk_reader {
  char *path;
  int net;                 /* network of the last frame (KPW_NET_*), -1 none */
  /* mmap mode */
  uint8_t *map;
  size_t map_len;
  /* stream mode */
  kpw_input *in;
  uint8_t *buf;
  size_t buf_cap;
  /* both */
  uint64_t pos;            /* file (decompressed) offset of the next byte */
  bool raw;                /* a single unframed block */
  bool done;
  bool has_key;
  uint8_t key[8];
};

/* The xor.dat key next to a blk*.dat file, if any and not all zero. */
static void load_xor_key(kpw_blk_reader *r) {
  const char *base = strrchr(r->path, '/');
  base = base ? base + 1 : r->path;
  size_t bl = strlen(base);
  if (strncmp(base, "blk", 3) || bl < 7 || strcmp(base + bl - 4, ".dat")) return;
  size_t dl = (size_t)(base - r->path);
  char *kp = kpw_xmalloc(dl + 8);
  memcpy(kp, r->path, dl);
  memcpy(kp + dl, "xor.dat", 8);
  int fd = open(kp, O_RDONLY | O_CLOEXEC);
  free(kp);
  if (fd < 0) return;
  uint8_t k[8];
  if (read(fd, k, 8) == 8) {
    memcpy(r->key, k, 8);
    for (int i = 0; i < 8; i++) if (k[i]) r->has_key = true;
  }
  close(fd);
}

static void unxor(const kpw_blk_reader *r, uint8_t *p, size_t n, uint64_t off) {
  if (!r->has_key) return;
  for (size_t i = 0; i < n; i++) p[i] ^= r->key[(off + i) & 7];
}

/* Preallocated blk files end in zeros written to disk as is, so with an
** obfuscation key the padding reads back as key bytes: a raw (on-disk) zero
** is padding, and so is a de-obfuscated zero. Callers test for a magic
** first, so a frame whose first on-disk byte happens to be zero is kept. */
static bool is_padding(const kpw_blk_reader *r, uint8_t raw, uint64_t off) {
  return raw == 0 || (r->has_key && (raw ^ r->key[off & 7]) == 0);
}

static bool first_magic_byte(uint8_t b) {
  for (size_t i = 0; i < sizeof MAGICS / sizeof MAGICS[0]; i++)
    if (b == MAGICS[i][0]) return true;
  return false;
}

/* A file is one unframed block unless its first 4 bytes are a magic or
** padding (on disk or de-obfuscated). */
static bool looks_raw(const kpw_blk_reader *r, const uint8_t *disk) {
  uint8_t h4[4];
  memcpy(h4, disk, 4);
  unxor(r, h4, 4, 0);
  if (is_magic(h4)) return false;
  for (int i = 0; i < 4; i++) if (!is_padding(r, disk[i], (uint64_t)i)) return true;
  return false;
}

kpw_result kpw_blk_open(const char *path, kpw_blk_reader **out, kpw_error *err) {
  *out = NULL;
  kpw_blk_reader *r = kpw_xcalloc(1, sizeof *r);
  r->net = -1;
  r->path = kpw_xstrdup(path);
  load_xor_key(r);
  int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : -1;
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 4) {
    uint8_t head[4];
    bool compressed = pread(fd, head, 4, 0) == 4 &&
        ((head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') ||
         (head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd));
    if (!compressed) {
      void *m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
      close(fd);
      if (m == MAP_FAILED) {
        kpw_blk_close(r);
        return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot map: %s", strerror(errno));
      }
      madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
      r->map = m;
      r->map_len = (size_t)st.st_size;
      r->raw = looks_raw(r, r->map);
      *out = r;
      return KPW_OK;
    }
  }
  if (fd >= 0) close(fd);
  kpw_result rc = kpw_input_open(path, &r->in, err);
  if (rc != KPW_OK) { kpw_blk_close(r); return rc; }
  const void *pk;
  size_t pn;
  rc = kpw_input_peek(r->in, &pk, &pn, err);
  if (rc != KPW_OK) { kpw_blk_close(r); return rc; }
  if (pn >= 4) {
    r->raw = looks_raw(r, pk);
  }
  *out = r;
  return KPW_OK;
}

/* Stream mode: read exactly n bytes (fewer only at end of stream) starting
** at file offset r->pos, de-obfuscated. */
static kpw_result sread(kpw_blk_reader *r, uint8_t *dst, size_t n, size_t *got, kpw_error *err) {
  size_t have = 0;
  while (have < n) {
    size_t g = 0;
    kpw_result rc = kpw_input_read(r->in, dst + have, n - have, &g, err);
    if (rc != KPW_OK) return rc;
    if (!g) break;
    unxor(r, dst + have, g, r->pos + have);
    have += g;
  }
  *got = have;
  return KPW_OK;
}

static void ensure_buf(kpw_blk_reader *r, size_t n) {
  if (r->buf_cap >= n) return;
  r->buf_cap = n < 1u << 20 ? 1u << 20 : n;
  free(r->buf);
  r->buf = kpw_xmalloc(r->buf_cap);
}

static kpw_result bad(kpw_blk_reader *r, kpw_error *err, uint64_t off, const void *at, size_t n,
                      const char *msg) {
  r->done = true;
  kpw_result rc = kpw_error_set(err, KPW_EINPUT, r->path, 0, off, "%s", msg);
  if (at && n) kpw_error_excerpt(err, at, n);
  return rc;
}

static kpw_result next_mapped(kpw_blk_reader *r, const uint8_t **block, size_t *n,
                              uint64_t *offset, kpw_error *err) {
  if (r->raw) {
    r->done = true;
    if (r->map_len > MAX_BLOCK)
      return bad(r, err, 0, NULL, 0, "no network magic at offset 0 and too large for a raw block");
    unxor(r, r->map, r->map_len, 0);
    *block = r->map;
    *n = r->map_len;
    *offset = 0;
    return KPW_OK;
  }
  size_t len = r->map_len;
  uint64_t pos = r->pos;
  for (;;) {
    if (pos >= len) { r->done = true; return KPW_DONE; }
    if (len - pos >= 4) {
      uint8_t m[4];
      memcpy(m, r->map + pos, 4);
      unxor(r, m, 4, pos);
      if (is_magic(m)) break;
    }
    if (!is_padding(r, r->map[pos], pos)) break;
    pos++;
  }
  if (len - pos < 8) {
    uint8_t t[8] = {0};
    memcpy(t, r->map + pos, len - pos);
    unxor(r, t, len - pos, pos);
    return bad(r, err, pos, t, len - pos, "truncated block frame (fewer than 8 bytes)");
  }
  uint8_t h[8];
  memcpy(h, r->map + pos, 8);
  unxor(r, h, 8, pos);
  if (!is_magic(h)) return bad(r, err, pos, h, 8, "bad network magic");
  r->net = magic_net(h) - 1;
  uint32_t bl = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
  if (bl > MAX_BLOCK) return bad(r, err, pos + 4, h + 4, 4, "block length over 4 MiB");
  if (bl > len - pos - 8) return bad(r, err, pos, h, 8, "truncated block (frame length runs past end of file)");
  uint8_t *p = r->map + pos + 8;
  unxor(r, p, bl, pos + 8);
  *block = p;
  *n = bl;
  *offset = pos + 8;
  r->pos = pos + 8 + bl;
  return KPW_OK;
}

static kpw_result next_stream(kpw_blk_reader *r, const uint8_t **block, size_t *n,
                              uint64_t *offset, kpw_error *err) {
  size_t got;
  kpw_result rc;
  if (r->raw) {
    /* Whole stream is one block: read up to MAX_BLOCK + 1 bytes. */
    r->done = true;
    ensure_buf(r, MAX_BLOCK + 1);
    rc = sread(r, r->buf, MAX_BLOCK + 1, &got, err);
    if (rc != KPW_OK) return rc;
    if (got > MAX_BLOCK)
      return bad(r, err, 0, NULL, 0, "no network magic at offset 0 and too large for a raw block");
    *block = r->buf;
    *n = got;
    *offset = 0;
    return KPW_OK;
  }
  uint8_t h[8];
  /* Skip zero padding one byte at a time (h[0] is de-obfuscated, so
  ** is_padding gets the on-disk byte back by XORing the key again). */
  for (;;) {
    rc = sread(r, h, 1, &got, err);
    if (rc != KPW_OK) { r->done = true; return rc; }
    if (!got) { r->done = true; return KPW_DONE; }
    if (!is_padding(r, h[0] ^ (r->has_key ? r->key[r->pos & 7] : 0), r->pos) ||
        first_magic_byte(h[0])) break;
    r->pos++;
  }
  uint64_t pos = r->pos;
  r->pos = pos + 1;
  rc = sread(r, h + 1, 7, &got, err);
  if (rc != KPW_OK) { r->done = true; return rc; }
  if (got < 7) return bad(r, err, pos, h, got + 1, "truncated block frame (fewer than 8 bytes)");
  if (!is_magic(h)) return bad(r, err, pos, h, 8, "bad network magic");
  r->net = magic_net(h) - 1;
  uint32_t bl = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
  if (bl > MAX_BLOCK) return bad(r, err, pos + 4, h + 4, 4, "block length over 4 MiB");
  r->pos = pos + 8;
  ensure_buf(r, bl ? bl : 1);
  rc = sread(r, r->buf, bl, &got, err);
  if (rc != KPW_OK) { r->done = true; return rc; }
  if (got < bl) return bad(r, err, pos, h, 8, "truncated block (frame length runs past end of file)");
  *block = r->buf;
  *n = bl;
  *offset = pos + 8;
  r->pos = pos + 8 + bl;
  return KPW_OK;
}

kpw_result kpw_blk_next(kpw_blk_reader *r, const uint8_t **block, size_t *n,
                        uint64_t *offset, kpw_error *err) {
  if (r->done) return KPW_DONE;
  return r->map ? next_mapped(r, block, n, offset, err) : next_stream(r, block, n, offset, err);
}

void kpw_blk_close(kpw_blk_reader *r) {
  if (!r) return;
  if (r->map) munmap(r->map, r->map_len);
  if (r->in) kpw_input_close(r->in);
  free(r->buf);
  free(r->path);
  free(r);
}

int kpw_blk_network(const kpw_blk_reader *r) { return r->net; }
