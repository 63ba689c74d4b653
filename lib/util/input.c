/*
** input.c -- kpw_input: one byte stream over a file, stdin ("-") or a
** memory buffer that detects bzip2 and zstd by their magic bytes and
** decompresses on the fly.
**
** bzip2 is slow to decode (~100 MB/s), so it runs on a helper thread that
** fills a bounded ring of RING_N buffers of RING_BUF bytes; the caller's
** parser consumes them on its own thread, so decompression overlaps parsing.
** zstd decodes several times faster than any parser here and runs inline.
**
** Invariants:
**  - memory is bounded: raw chunk + ring (RING_N * RING_BUF) + peek buffer;
**  - offset counts decompressed bytes handed to the caller (incl. peeked
**    bytes once they are read);
**  - the SHA-256 of the raw (compressed) bytes is computed as they are read,
**    on whichever thread reads them, and is final once the stream ended;
**  - the helper thread only touches: the raw source, the bz2 state, the
**    sha context and the ring (under mu). It is joined in kpw_input_close.
*/
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <bzlib.h>
#include <zstd.h>
#include <openssl/evp.h>
#include "kpw/util.h"

#define RAW_CHUNK (256u * 1024u)
#define RING_N 4u
#define RING_BUF (1024u * 1024u)
#define PEEK_MAX (64u * 1024u)

typedef enum { CODEC_NONE, CODEC_BZ2, CODEC_ZSTD } codec_t;

struct kpw_input {
  char name[256];
  FILE *f; bool own_f;
  const unsigned char *mem; size_t mem_len, mem_pos;
  codec_t codec;

  /* raw bytes not yet consumed by a decoder */
  unsigned char *raw; size_t raw_len, raw_pos; bool raw_eof;
  bool raw_error; int raw_errno;

  EVP_MD_CTX *sha; bool sha_done; unsigned char digest[32];

  uint64_t offset;
  bool at_end;

  unsigned char *peek; size_t peek_len, peek_pos; bool peeked;

  /* zstd */
  ZSTD_DStream *zd; bool z_frame_open;

  /* bzip2 helper thread and ring */
  pthread_t th; bool th_started;
  pthread_mutex_t mu; pthread_cond_t cv_full, cv_free;
  unsigned char *ring[RING_N]; size_t ring_len[RING_N];
  unsigned head, count;            /* consumer reads ring[head] */
  bool prod_done, stop;
  kpw_result prod_err; char prod_msg[200]; uint64_t prod_off;
  size_t cur_pos; bool cur_held;
  kpw_result fail; kpw_error fail_err; /* sticky consumer-side error */
};

/* ------------------------------------------------------------ raw source */

/* Read raw bytes from the file or memory into buf; updates the hash. */
static size_t raw_source_read(kpw_input *in, unsigned char *buf, size_t n) {
  size_t got = 0;
  if (in->mem) {
    size_t left = in->mem_len - in->mem_pos;
    got = n < left ? n : left;
    memcpy(buf, in->mem + in->mem_pos, got);
    in->mem_pos += got;
  } else if (in->f) {
    got = fread(buf, 1, n, in->f);
    if (got < n && ferror(in->f)) { in->raw_error = true; in->raw_errno = errno; }
  }
  if (got && in->sha) EVP_DigestUpdate(in->sha, buf, got);
  if (got == 0) in->raw_eof = true;
  return got;
}

/* Refill in->raw when it is drained. Returns bytes available. */
static size_t raw_fill(kpw_input *in) {
  if (in->raw_pos < in->raw_len) return in->raw_len - in->raw_pos;
  in->raw_pos = in->raw_len = 0;
  if (in->raw_eof || in->raw_error) return 0;
  in->raw_len = raw_source_read(in, in->raw, RAW_CHUNK);
  return in->raw_len;
}

static void sha_finish(kpw_input *in) {
  if (in->sha && !in->sha_done) {
    unsigned int len = 0;
    EVP_DigestFinal_ex(in->sha, in->digest, &len);
    in->sha_done = true;
  }
}

bool kpw_input_raw_sha256(kpw_input *in, char out[65]) {
  out[0] = 0;
  if (!in || !in->sha) return false;
  if (!in->sha_done) {
    /* Only final when every raw byte was read. */
    if (in->th_started) {
      pthread_mutex_lock(&in->mu);
      bool done = in->prod_done;
      pthread_mutex_unlock(&in->mu);
      if (!done) return false;
    } else if (!in->raw_eof) {
      return false;
    }
    sha_finish(in);
  }
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", in->digest[i]);
  return true;
}

/* ------------------------------------------------------------ bzip2 thread */

static void prod_fail(kpw_input *in, kpw_result code, uint64_t off, const char *msg) {
  pthread_mutex_lock(&in->mu);
  in->prod_err = code;
  in->prod_off = off;
  snprintf(in->prod_msg, sizeof in->prod_msg, "%s", msg);
  pthread_mutex_unlock(&in->mu);
}

static void *bz_thread(void *arg) {
  kpw_input *in = arg;
  bz_stream s;
  memset(&s, 0, sizeof s);
  if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) {
    prod_fail(in, KPW_ENOMEM, 0, "bzip2: cannot initialise decoder");
    goto done;
  }
  uint64_t produced = 0;
  unsigned slot = 0;
  bool finished = false;
  while (!finished) {
    pthread_mutex_lock(&in->mu);
    while (in->count == RING_N && !in->stop) pthread_cond_wait(&in->cv_free, &in->mu);
    bool stop = in->stop;
    pthread_mutex_unlock(&in->mu);
    if (stop) break;

    unsigned char *out = in->ring[slot];
    size_t pos = 0;
    kpw_result bad = KPW_OK;
    const char *why = NULL;
    while (pos < RING_BUF) {
      if (s.avail_in == 0) {
        size_t avail = raw_fill(in);
        s.next_in = (char *)in->raw + in->raw_pos;
        s.avail_in = (unsigned)avail;
        in->raw_pos = in->raw_len;  /* handed to bz2 */
      }
      if (in->raw_error) { bad = KPW_EIO; why = "read error"; break; }
      s.next_out = (char *)out + pos;
      s.avail_out = (unsigned)(RING_BUF - pos);
      unsigned before_in = s.avail_in;
      int r = BZ2_bzDecompress(&s);
      size_t made = (RING_BUF - pos) - s.avail_out;
      pos += made;
      if (r == BZ_STREAM_END) {
        /* Concatenated streams (pbzip2, lbzip2) continue. Look at the next
        ** 4 bytes, topping them up across a chunk boundary. */
        if (s.avail_in < 4 && !in->raw_eof) {
          size_t keep = s.avail_in;
          memmove(in->raw, s.next_in, keep);
          size_t more = 0;
          while (keep + more < 4 && !in->raw_eof && !in->raw_error)
            more += raw_source_read(in, in->raw + keep + more, RAW_CHUNK - keep - more);
          in->raw_len = in->raw_pos = keep + more;
          s.next_in = (char *)in->raw;
          s.avail_in = (unsigned)(keep + more);
        }
        if (s.avail_in == 0) { finished = true; break; }
        if (s.avail_in >= 4 && memcmp(s.next_in, "BZh", 3) == 0 && s.next_in[3] >= '1' && s.next_in[3] <= '9') {
          char *keep_in = s.next_in; unsigned keep_avail = s.avail_in;
          BZ2_bzDecompressEnd(&s);
          memset(&s, 0, sizeof s);
          if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) { bad = KPW_ENOMEM; why = "bzip2: cannot initialise decoder"; break; }
          s.next_in = keep_in; s.avail_in = keep_avail;
          continue;
        }
        /* Bad input is never skipped silently: junk after the last stream
        ** is an error (bzip2(1) only warns). */
        bad = KPW_EINPUT; why = "bzip2: trailing data after the end of the compressed stream";
        break;
      }
      if (r != BZ_OK) {
        bad = KPW_EINPUT;
        why = r == BZ_DATA_ERROR_MAGIC ? "bzip2: bad magic" :
              r == BZ_DATA_ERROR ? "bzip2: corrupt data (CRC or format error)" :
              r == BZ_MEM_ERROR ? "bzip2: out of memory" : "bzip2: decoder error";
        break;
      }
      if (made == 0 && before_in == 0 && s.avail_in == 0 && in->raw_eof) {
        bad = KPW_EINPUT; why = "bzip2: truncated stream (unexpected end of file)";
        break;
      }
    }
    produced += pos;
    pthread_mutex_lock(&in->mu);
    if (pos > 0) {
      in->ring_len[slot] = pos;
      in->count++;
      slot = (slot + 1) % RING_N;
      pthread_cond_signal(&in->cv_full);
    }
    pthread_mutex_unlock(&in->mu);
    if (bad != KPW_OK) { prod_fail(in, bad, produced, why); break; }
  }
  BZ2_bzDecompressEnd(&s);
done:
  pthread_mutex_lock(&in->mu);
  in->prod_done = true;
  pthread_cond_broadcast(&in->cv_full);
  pthread_mutex_unlock(&in->mu);
  return NULL;
}

static kpw_result bz_read(kpw_input *in, unsigned char *buf, size_t n, size_t *got,
                          kpw_error *err) {
  *got = 0;
  for (;;) {
    if (in->cur_held) {
      size_t len = in->ring_len[in->head];
      if (in->cur_pos < len) {
        size_t k = len - in->cur_pos;
        if (k > n) k = n;
        memcpy(buf, in->ring[in->head] + in->cur_pos, k);
        in->cur_pos += k;
        *got = k;
        return KPW_OK;
      }
      pthread_mutex_lock(&in->mu);
      in->cur_held = false;
      in->head = (in->head + 1) % RING_N;
      in->count--;
      pthread_cond_signal(&in->cv_free);
      pthread_mutex_unlock(&in->mu);
    }
    pthread_mutex_lock(&in->mu);
    while (in->count == 0 && !in->prod_done) pthread_cond_wait(&in->cv_full, &in->mu);
    if (in->count == 0) {
      kpw_result e = in->prod_err;
      char msg[200];
      memcpy(msg, in->prod_msg, sizeof msg);
      uint64_t off = in->prod_off;
      pthread_mutex_unlock(&in->mu);
      if (e != KPW_OK)
        return kpw_error_set(err, e, in->name, 0, off, "%s", msg);
      return KPW_OK;  /* end of stream */
    }
    in->cur_held = true;
    in->cur_pos = 0;
    pthread_mutex_unlock(&in->mu);
  }
}

/* ------------------------------------------------------------ zstd */

static kpw_result z_read(kpw_input *in, unsigned char *buf, size_t n, size_t *got,
                         kpw_error *err) {
  *got = 0;
  ZSTD_outBuffer ob = { buf, n, 0 };
  while (ob.pos == 0) {
    size_t avail = raw_fill(in);
    if (in->raw_error)
      return kpw_error_set(err, KPW_EIO, in->name, 0, in->offset, "read error: %s",
                           strerror(in->raw_errno));
    if (avail == 0) {
      if (in->z_frame_open)
        return kpw_error_set(err, KPW_EINPUT, in->name, 0, in->offset,
                             "zstd: truncated stream (unexpected end of file)");
      return KPW_OK;
    }
    ZSTD_inBuffer ib = { in->raw + in->raw_pos, avail, 0 };
    size_t r = ZSTD_decompressStream(in->zd, &ob, &ib);
    in->raw_pos += ib.pos;
    if (ZSTD_isError(r))
      return kpw_error_set(err, KPW_EINPUT, in->name, 0, in->offset, "zstd: %s",
                           ZSTD_getErrorName(r));
    in->z_frame_open = (r != 0);
    if (ob.pos == ob.size) break;
    if (ib.pos == 0 && ob.pos == 0 && r != 0 && in->raw_pos < in->raw_len) {
      /* No progress possible: should not happen with a valid decoder. */
      return kpw_error_set(err, KPW_EINPUT, in->name, 0, in->offset, "zstd: stalled");
    }
  }
  *got = ob.pos;
  return KPW_OK;
}

/* ------------------------------------------------------------ plain */

static kpw_result plain_read(kpw_input *in, unsigned char *buf, size_t n, size_t *got,
                             kpw_error *err) {
  *got = 0;
  if (in->raw_pos < in->raw_len) {
    size_t k = in->raw_len - in->raw_pos;
    if (k > n) k = n;
    memcpy(buf, in->raw + in->raw_pos, k);
    in->raw_pos += k;
    *got = k;
    return KPW_OK;
  }
  if (in->raw_eof) return KPW_OK;
  size_t k = raw_source_read(in, buf, n);
  if (in->raw_error)
    return kpw_error_set(err, KPW_EIO, in->name, 0, in->offset, "read error: %s",
                         strerror(in->raw_errno));
  *got = k;
  return KPW_OK;
}

static kpw_result dec_read(kpw_input *in, unsigned char *buf, size_t n, size_t *got,
                           kpw_error *err) {
  switch (in->codec) {
  case CODEC_BZ2: return bz_read(in, buf, n, got, err);
  case CODEC_ZSTD: return z_read(in, buf, n, got, err);
  default: return plain_read(in, buf, n, got, err);
  }
}

/* ------------------------------------------------------------ open/close */

static kpw_result start(kpw_input *in, kpw_error *err) {
  in->raw = kpw_xmalloc(RAW_CHUNK);
  in->sha = EVP_MD_CTX_new();
  if (in->sha && EVP_DigestInit_ex(in->sha, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(in->sha);
    in->sha = NULL;
  }
  /* Gather at least 4 bytes for magic detection (short reads on pipes). */
  while (in->raw_len < 4 && !in->raw_eof && !in->raw_error) {
    size_t k = raw_source_read(in, in->raw + in->raw_len, RAW_CHUNK - in->raw_len);
    in->raw_len += k;
  }
  if (in->raw_error)
    return kpw_error_set(err, KPW_EIO, in->name, 0, 0, "read error: %s",
                         strerror(in->raw_errno));
  const unsigned char *m = in->raw;
  if (in->raw_len >= 4 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h' && m[3] >= '1' && m[3] <= '9') {
    in->codec = CODEC_BZ2;
    pthread_mutex_init(&in->mu, NULL);
    pthread_cond_init(&in->cv_full, NULL);
    pthread_cond_init(&in->cv_free, NULL);
    for (unsigned i = 0; i < RING_N; i++) in->ring[i] = kpw_xmalloc(RING_BUF);
    if (pthread_create(&in->th, NULL, bz_thread, in) != 0)
      return kpw_error_set(err, KPW_EINTERNAL, in->name, 0, 0, "cannot start decompression thread");
    in->th_started = true;
  } else if (in->raw_len >= 4 && m[0] == 0x28 && m[1] == 0xB5 && m[2] == 0x2F && m[3] == 0xFD) {
    in->codec = CODEC_ZSTD;
    in->zd = ZSTD_createDStream();
    if (!in->zd || ZSTD_isError(ZSTD_initDStream(in->zd)))
      return kpw_error_set(err, KPW_ENOMEM, in->name, 0, 0, "zstd: cannot initialise decoder");
    /* Bound the decoder's window so a crafted frame cannot ask for GBs. */
    ZSTD_DCtx_setParameter(in->zd, ZSTD_d_windowLogMax, 27);
  } else {
    in->codec = CODEC_NONE;
  }
  return KPW_OK;
}

kpw_result kpw_input_open(const char *path, kpw_input **out, kpw_error *err) {
  *out = NULL;
  if (!path || !*path) return kpw_error_set(err, KPW_EUSAGE, "", 0, 0, "no input path");
  kpw_input *in = kpw_xcalloc(1, sizeof *in);
  snprintf(in->name, sizeof in->name, "%s", path);
  if (strcmp(path, "-") == 0) {
    in->f = stdin;
  } else {
    in->f = fopen(path, "rb");
    if (!in->f) {
      int e = errno;
      free(in);
      return kpw_error_set(err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(e));
    }
    in->own_f = true;
  }
  kpw_result r = start(in, err);
  if (r != KPW_OK) { kpw_input_close(in); return r; }
  *out = in;
  return KPW_OK;
}

kpw_result kpw_input_open_mem(const void *data, size_t n, const char *source,
                              kpw_input **out, kpw_error *err) {
  *out = NULL;
  kpw_input *in = kpw_xcalloc(1, sizeof *in);
  snprintf(in->name, sizeof in->name, "%s", source ? source : "(memory)");
  static const unsigned char empty[1];
  in->mem = data ? data : empty;
  in->mem_len = data ? n : 0;
  kpw_result r = start(in, err);
  if (r != KPW_OK) { kpw_input_close(in); return r; }
  *out = in;
  return KPW_OK;
}

kpw_result kpw_input_peek(kpw_input *in, const void **p, size_t *n, kpw_error *err) {
  *p = NULL; *n = 0;
  if (in->fail != KPW_OK) {
    if (err) *err = in->fail_err;
    return in->fail;
  }
  if (!in->peeked) {
    in->peeked = true;
    in->peek = kpw_xmalloc(PEEK_MAX);
    while (in->peek_len < PEEK_MAX) {
      size_t got = 0;
      kpw_result r = dec_read(in, in->peek + in->peek_len, PEEK_MAX - in->peek_len, &got, &in->fail_err);
      if (r != KPW_OK) {
        /* Keep what was decoded; report the error when the reader gets there. */
        in->fail = r;
        break;
      }
      if (got == 0) break;
      in->peek_len += got;
    }
  }
  *p = in->peek + in->peek_pos;
  *n = in->peek_len - in->peek_pos;
  return KPW_OK;
}

kpw_result kpw_input_read(kpw_input *in, void *buf, size_t n, size_t *got, kpw_error *err) {
  *got = 0;
  if (n == 0) return KPW_OK;
  if (in->peek_pos < in->peek_len) {
    size_t k = in->peek_len - in->peek_pos;
    if (k > n) k = n;
    memcpy(buf, in->peek + in->peek_pos, k);
    in->peek_pos += k;
    in->offset += k;
    *got = k;
    return KPW_OK;
  }
  if (in->fail != KPW_OK) {
    if (err) *err = in->fail_err;
    return in->fail;
  }
  if (in->at_end) return KPW_OK;
  kpw_result r = dec_read(in, buf, n, got, err);
  if (r != KPW_OK) {
    in->fail = r;
    if (err) in->fail_err = *err;
    else kpw_error_set(&in->fail_err, r, in->name, 0, in->offset, "read failed");
    return r;
  }
  if (*got == 0) in->at_end = true;
  in->offset += *got;
  return KPW_OK;
}

uint64_t kpw_input_offset(const kpw_input *in) { return in ? in->offset : 0; }
const char *kpw_input_name(const kpw_input *in) { return in ? in->name : ""; }

void kpw_input_close(kpw_input *in) {
  if (!in) return;
  if (in->th_started) {
    pthread_mutex_lock(&in->mu);
    in->stop = true;
    pthread_cond_broadcast(&in->cv_free);
    pthread_mutex_unlock(&in->mu);
    pthread_join(in->th, NULL);
  }
  if (in->codec == CODEC_BZ2) {
    pthread_mutex_destroy(&in->mu);
    pthread_cond_destroy(&in->cv_full);
    pthread_cond_destroy(&in->cv_free);
  }
  for (unsigned i = 0; i < RING_N; i++) free(in->ring[i]);
  if (in->zd) ZSTD_freeDStream(in->zd);
  if (in->sha) EVP_MD_CTX_free(in->sha);
  if (in->own_f && in->f) fclose(in->f);
  free(in->raw);
  free(in->peek);
  free(in);
}
