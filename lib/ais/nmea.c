/*
** nmea.c -- the AIS NMEA layer: lines in, reassembled payloads out to the
** type decoders (types.c), JSON handed to the caller.
**
** A line may be: blank or a '#' comment (skipped); one or more NMEA 4
** tag blocks "\key:val,...*hh\" before a sentence; a Gatehouse
** "$PGHP,1,yyyy,mm,dd,hh,mi,ss,ms,...*hh" timestamp that applies to the
** next AIS sentence; another $/! NMEA sentence (skipped, not garbage);
** an !xxVDM/!xxVDO sentence, possibly after junk and with trailing
** metadata after the checksum (USCG/libais style); or garbage.
**
** Invariants:
**  - zero copy: fields are located in the caller's line; only payload
**    characters of multi-sentence messages are copied, into fixed slots.
**  - bounded: AIS_GROUPS pending groups of at most 9 fragments of at most
**    FRAG_MAX characters; a group untouched for STALE_SENTENCES sentences,
**    or the oldest one when all slots are taken, is dropped and counted
**    as incomplete. Nothing grows with the input except counters.
**  - never reads past line[n].
*/
#include <math.h>
#include <string.h>
#include "ais/ais_bits.h"
#include "kpw/ais.h"
#include "kpw/finding.h"


/* 6-bit value of an armored payload character, 64 when invalid. */
static const uint8_t armor[256] = {
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
   0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
  16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
  32, 33, 34, 35, 36, 37, 38, 39, 64, 64, 64, 64, 64, 64, 64, 64,
  40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
  56, 57, 58, 59, 60, 61, 62, 63, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64
};

#define AIS_GROUPS 16          /* pending multi-sentence messages */
#define FRAG_MAX 256           /* payload characters per fragment */
#define MAX_FRAGS 9
#define STALE_SENTENCES 100    /* a group idle this long is abandoned */
#define MAX_PAYLOAD_CHARS (AIS_MAX_BITS / 6)

typedef struct frag_group {
  bool used;
  uint8_t nfrag;
  uint8_t fill;                /* fill bits of the last fragment */
  uint8_t chan;                /* 0 = A, 1 = B (chan_index) */
  uint16_t have;               /* bit f set: fragment f (1-based) stored */
  uint64_t key;
  uint64_t touched;            /* decoder sentence counter at last fragment */
  uint64_t line;               /* line of fragment 1 (else of the first seen) */
  int64_t time_us;
  uint16_t len[MAX_FRAGS + 1];
  char payload[MAX_FRAGS + 1][FRAG_MAX];
} frag_group;

struct kpw_ais_decoder {
  kpw_ais_decode_opts opts;
  kpw_ais_stats st;
  uint64_t nsent;              /* sentences seen, the clock of staleness */
  int64_t pghp_time;           /* pending $PGHP time or KPW_TIME_NONE */
  ais_t24q *t24[2];            /* type-24 part A names, per channel A/B */
  kpw_buf json;
  ais_bits bits;
  frag_group g[AIS_GROUPS];
  char joined[MAX_PAYLOAD_CHARS + 16];
};

kpw_ais_decoder *kpw_ais_decoder_new(const kpw_ais_decode_opts *opts) {
  kpw_ais_decoder *d = kpw_xcalloc(1, sizeof *d);
  if (opts) d->opts = *opts;
  else d->opts.scaled = true;
  d->pghp_time = KPW_TIME_NONE;
  d->t24[0] = ais_t24q_new();
  d->t24[1] = ais_t24q_new();
  kpw_buf_init(&d->json);
  ais_reserve(&d->json);
  return d;
}

void kpw_ais_decoder_free(kpw_ais_decoder *d) {
  if (!d) return;
  ais_t24q_free(d->t24[0]);
  ais_t24q_free(d->t24[1]);
  kpw_buf_free(&d->json);
  free(d);
}

const kpw_ais_stats *kpw_ais_decoder_stats(const kpw_ais_decoder *d) { return &d->st; }

void kpw_ais_decoder_flush(kpw_ais_decoder *d) {
  for (int i = 0; i < AIS_GROUPS; i++)
    if (d->g[i].used) { d->g[i].used = false; d->st.incomplete++; }
  d->pghp_time = KPW_TIME_NONE;
}

/* ------------------------------------------------------------ helpers */
static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* Checksum "*hh" at p (p[0] == '*'), end bound e: -1 when absent/bad hex. */
static int read_cksum(const char *p, const char *e) {
  if (e - p < 3) return -1;
  int h = hexval(p[1]), l = hexval(p[2]);
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

/* Parse an unsigned decimal of at most 18 digits in [p, e); false if none. */
static bool parse_u64(const char *p, const char *e, uint64_t *v) {
  if (p >= e || e - p > 18) return false;
  uint64_t x = 0;
  for (; p < e; p++) {
    if (*p < '0' || *p > '9') return false;
    x = x * 10 + (uint64_t)(*p - '0');
  }
  *v = x;
  return true;
}

static kpw_result bad_checksum(kpw_ais_decoder *d, const char *line, size_t n,
                               const char *source, uint64_t lineno, int want, int got,
                               kpw_error *err) {
  d->st.bad_checksum++;
  if (!d->opts.strict) return KPW_OK;
  if (got < 0)
    kpw_error_set(err, KPW_EINPUT, source ? source : "-", lineno, 0,
                  "bad NMEA checksum: the data XOR to %02X but '*' is not followed by two hex digits",
                  want);
  else
    kpw_error_set(err, KPW_EINPUT, source ? source : "-", lineno, 0,
                  "bad NMEA checksum: the data XOR to %02X but the line says %02X", want, got);
  if (err) kpw_error_excerpt(err, line, n);
  return KPW_EINPUT;
}

/* Tag block state of the current line. */
typedef struct tagblock {
  int64_t time_us;             /* c: */
  bool has_group;              /* g:frag-total-id */
  unsigned gfrag, gtotal;
  uint32_t gid;
} tagblock;

/* Parse the fields of one tag block [p, e) (between the backslashes,
** checksum already stripped). Unknown keys are ignored. */
static void parse_tagblock(const char *p, const char *e, tagblock *tb) {
  while (p < e) {
    const char *f = memchr(p, ',', (size_t)(e - p));
    if (!f) f = e;
    if (f - p >= 2 && p[1] == ':') {
      const char *v = p + 2;
      uint64_t x;
      if (p[0] == 'c' && parse_u64(v, f, &x)) {
        /* seconds since the epoch; some feeds give milliseconds */
        if (x > 100000000000ull) tb->time_us = (int64_t)(x * 1000);
        else tb->time_us = (int64_t)(x * 1000000);
      } else if (p[0] == 'g') {
        const char *d1 = memchr(v, '-', (size_t)(f - v));
        const char *d2 = d1 ? memchr(d1 + 1, '-', (size_t)(f - d1 - 1)) : NULL;
        uint64_t a, b, c;
        if (d2 && parse_u64(v, d1, &a) && parse_u64(d1 + 1, d2, &b) &&
            parse_u64(d2 + 1, f, &c) && a >= 1 && b >= 1 && a <= b && b <= MAX_FRAGS) {
          tb->has_group = true;
          tb->gfrag = (unsigned)a;
          tb->gtotal = (unsigned)b;
          tb->gid = (uint32_t)c;
        }
      }
    }
    p = f + 1;
  }
}

/* $PGHP,1,yyyy,mm,dd,hh,mi,ss,ms,...: the time of the next sentence. */
static bool parse_pghp(const char *p, const char *e, int64_t *t) {
  uint64_t v[8];
  const char *f = p;
  for (int i = 0; i < 8; i++) {
    const char *c = memchr(f, ',', (size_t)(e - f));
    if (!c) c = e;
    if (i == 0) { /* "$PGHP" */ } else if (!parse_u64(f, c, &v[i])) return false;
    if (c >= e) { if (i < 7) return false; break; }
    f = c + 1;
  }
  /* v[1] message type, v[2..7] = year, month, day, hour, minute, second */
  const char *c = memchr(f, ',', (size_t)(e - f));
  uint64_t ms = 0;
  if (!c || !parse_u64(f, c, &ms)) ms = 0;
  if (v[2] < 1970 || v[2] > 2200 || v[3] < 1 || v[3] > 12 || v[4] < 1 || v[4] > 31 ||
      v[5] > 23 || v[6] > 59 || v[7] > 60 || ms > 999)
    return false;
  int64_t days = kpw_days_from_civil((int64_t)v[2], (int)v[3], (int)v[4]);
  *t = ((days * 86400 + (int64_t)(v[5] * 3600 + v[6] * 60 + v[7])) * 1000 + (int64_t)ms) * 1000;
  return true;
}

/* Unarmor n characters into b (all 6n bits, fill bits included, as gpsd
** keeps them; the rest of the last byte is zero); nbits = 6n - fill.
** False on a character outside the armor alphabet. */
static bool unarmor(ais_bits *b, const char *s, size_t n, unsigned fill) {
  uint8_t *o = b->data, bad = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint8_t a0 = armor[(uint8_t)s[i]], a1 = armor[(uint8_t)s[i + 1]];
    uint8_t a2 = armor[(uint8_t)s[i + 2]], a3 = armor[(uint8_t)s[i + 3]];
    bad |= a0 | a1 | a2 | a3;
    uint32_t v = (uint32_t)(a0 & 63) << 18 | (uint32_t)(a1 & 63) << 12 |
                 (uint32_t)(a2 & 63) << 6 | (a3 & 63);
    o[0] = (uint8_t)(v >> 16);
    o[1] = (uint8_t)(v >> 8);
    o[2] = (uint8_t)v;
    o += 3;
  }
  uint32_t acc = 0;
  unsigned k = 0;
  for (; i < n; i++, k++) {
    uint8_t a = armor[(uint8_t)s[i]];
    bad |= a;
    acc = acc << 6 | (a & 63);
  }
  /* k (0..3) leftover characters = 6k bits */
  if (k == 1) { o[0] = (uint8_t)(acc << 2); o[1] = 0; }
  else if (k == 2) { o[0] = (uint8_t)(acc >> 4); o[1] = (uint8_t)(acc << 4); o[2] = 0; }
  else if (k == 3) { o[0] = (uint8_t)(acc >> 10); o[1] = (uint8_t)(acc >> 2); o[2] = (uint8_t)(acc << 6); o[3] = 0; }
  else o[0] = 0;
  if (bad & 64) return false;
  size_t bits = n * 6;
  b->nbits = fill <= bits ? bits - fill : 0;
  return true;
}

/* Decode one complete payload and hand the message over. */
static void emit(kpw_ais_decoder *d, const char *payload, size_t n, unsigned fill,
                 unsigned chan, const char *source, uint64_t line, int64_t time_us,
                 kpw_ais_callback cb, void *ctx) {
  if (n == 0 || n > MAX_PAYLOAD_CHARS || !unarmor(&d->bits, payload, n, fill)) {
    d->st.bad_fields++;
    return;
  }
  kpw_ais_message m;
  m.type = 0;
  m.mmsi = 0;
  m.time_us = time_us;
  m.source = source;
  m.line = line;
  m.lat = m.lon = m.sog = m.cog = m.heading = NAN;
  m.imo = 0;
  m.shipname[0] = m.callsign[0] = 0;
  m.shiptype = 0;
  kpw_buf_reset(&d->json);
  int rc = ais_decode_payload(&d->bits, d->opts.scaled, d->opts.split24, &d->json, &m, d->t24[chan]);
  if (rc < 0) { d->st.unsupported++; return; }
  if (rc == 0) return;
  d->st.messages++;
  m.json = d->json.data;
  m.json_len = d->json.len;
  if (cb) cb(&m, ctx);
}

/* gpsd's reassembly/type-24 context of a channel: B or 2 -> 1, else 0. */
static unsigned chan_index(uint8_t ch) { return ch == 'B' || ch == '2'; }

/* ------------------------------------------------------------ fragments */
static frag_group *group_slot(kpw_ais_decoder *d, uint64_t key, unsigned nfrag) {
  frag_group *freeg = NULL, *oldest = NULL;
  for (int i = 0; i < AIS_GROUPS; i++) {
    frag_group *g = &d->g[i];
    if (!g->used) { if (!freeg) freeg = g; continue; }
    if (d->nsent - g->touched > STALE_SENTENCES) {
      g->used = false;
      d->st.incomplete++;
      if (!freeg) freeg = g;
      continue;
    }
    if (g->key == key && g->nfrag == nfrag) return g;
    if (!oldest || g->touched < oldest->touched) oldest = g;
  }
  frag_group *g = freeg;
  if (!g) { g = oldest; d->st.incomplete++; }
  g->used = true;
  g->key = key;
  g->nfrag = (uint8_t)nfrag;
  g->have = 0;
  g->fill = 0;
  g->line = 0;
  g->time_us = KPW_TIME_NONE;
  return g;
}

static void add_fragment(kpw_ais_decoder *d, uint64_t key, unsigned nfrag, unsigned frag, unsigned chan,
                         const char *pl, size_t pn, unsigned fill, const char *source,
                         uint64_t lineno, int64_t time_us, kpw_ais_callback cb, void *ctx) {
  if (pn > FRAG_MAX) { d->st.bad_fields++; return; }
  frag_group *g = group_slot(d, key, nfrag);
  uint16_t bit = (uint16_t)(1u << frag);
  if (g->have & bit) {
    if (g->len[frag] == pn && !memcmp(g->payload[frag], pl, pn)) return; /* duplicate */
    /* the same key with a different fragment: a new message whose earlier
    ** fragments we have not seen, or whose predecessor never completed */
    d->st.incomplete++;
    g->have = 0;
    g->line = 0;
    g->time_us = KPW_TIME_NONE;
  }
  g->have |= bit;
  g->len[frag] = (uint16_t)pn;
  memcpy(g->payload[frag], pl, pn);
  g->touched = d->nsent;
  g->chan = (uint8_t)chan;
  if (frag == 1 || g->line == 0) { g->line = lineno; if (time_us != KPW_TIME_NONE) g->time_us = time_us; }
  if (frag == nfrag) g->fill = (uint8_t)fill;
  uint16_t all = (uint16_t)(((1u << (nfrag + 1)) - 1) & ~1u);
  if (g->have != all) return;
  size_t n = 0;
  for (unsigned f = 1; f <= nfrag; f++) {
    if (n + g->len[f] > MAX_PAYLOAD_CHARS) { n = MAX_PAYLOAD_CHARS + 1; break; }
    memcpy(d->joined + n, g->payload[f], g->len[f]);
    n += g->len[f];
  }
  g->used = false;
  emit(d, d->joined, n, g->fill, g->chan, source, g->line, g->time_us,
       cb, ctx);
}

/* ------------------------------------------------------------ lines */
/* One !xxVDM/!xxVDO sentence starting at s ('!'), line ends at e. *next
** gets where to look for another sentence on the same line (some captures
** hold two, e.g. with a literal "\r\n" between them). */
static kpw_result sentence(kpw_ais_decoder *d, const char *s, const char *e, const tagblock *tbp,
                           const char *line, size_t n, const char *source, uint64_t lineno,
                           kpw_ais_callback cb, void *ctx, kpw_error *err, const char **next) {
  tagblock tb = *tbp;
  *next = e;
  d->st.sentences++;
  d->nsent++;
  int64_t pghp = d->pghp_time;
  d->pghp_time = KPW_TIME_NONE;

  /* the checksum: XOR of the bytes between '!' and '*', 8 at a time */
  const char *star = memchr(s, '*', (size_t)(e - s));
  if (!star) { d->st.bad_fields++; return KPW_OK; }    /* no checksum */
  *next = star + 1;
  const char *c = s + 1;
  uint64_t wx = 0;
  for (; star - c >= 8; c += 8) {
    uint64_t w;
    memcpy(&w, c, 8);
    wx ^= w;
  }
  wx ^= wx >> 32;
  wx ^= wx >> 16;
  wx ^= wx >> 8;
  unsigned x = (unsigned)(wx & 0xff);
  for (; c < star; c++) x ^= (uint8_t)*c;
  int want = read_cksum(star, e);
  if (want != (int)x) return bad_checksum(d, line, n, source, lineno, (int)x, want, err);
  /* the field separators before the checksum (the 7th, if any, ends the
  ** fill field: some writers add fields) */
  const char *comma[7];
  unsigned nc = 0;
  /* the first five are close together: a byte loop beats memchr calls */
  for (c = s + 6; c < star && nc < 5; c++)
    if (*c == ',') comma[nc++] = c;
  if (nc == 5) {
    /* the payload: long, memchr */
    const char *pc = memchr(c, ',', (size_t)(star - c));
    if (pc) {
      comma[nc++] = pc;
      for (c = pc + 1; c < star; c++)
        if (*c == ',') { comma[nc++] = c; break; }
    }
  }
  if (nc < 6) { d->st.bad_fields++; return KPW_OK; }
  /* fields: 1 count, 2 number, 3 sequence id, 4 channel, 5 payload, 6 fill */
  const char *fcnt = comma[0] + 1, *fnum = comma[1] + 1, *fseq = comma[2] + 1;
  const char *fch = comma[3] + 1, *fpl = comma[4] + 1, *ffill = comma[5] + 1;
  const char *fill_end = nc > 6 ? comma[6] : star;
  if (comma[1] - fcnt != 1 || comma[2] - fnum != 1) { d->st.bad_fields++; return KPW_OK; }
  unsigned nfrag = (unsigned)(*fcnt - '0'), frag = (unsigned)(*fnum - '0');
  if (nfrag < 1 || nfrag > MAX_FRAGS || frag < 1 || frag > nfrag) { d->st.bad_fields++; return KPW_OK; }
  unsigned fill = 0;
  if (fill_end - ffill == 1 && *ffill >= '0' && *ffill <= '5') fill = (unsigned)(*ffill - '0');
  else if (fill_end != ffill) { d->st.bad_fields++; return KPW_OK; }
  size_t pn = (size_t)(comma[5] - fpl);
  size_t chn = (size_t)(comma[4] - fch), seqn = (size_t)(comma[3] - fseq);
  if (chn > 1 || seqn > 2) { d->st.bad_fields++; return KPW_OK; }
  int64_t t = tb.time_us != KPW_TIME_NONE ? tb.time_us : pghp;

  if (nfrag == 1) {
    emit(d, fpl, pn, fill, chan_index(chn ? (uint8_t)*fch : 0), source, lineno, t, cb, ctx);
    return KPW_OK;
  }
  uint64_t key;
  if (tb.has_group && tb.gtotal == nfrag) {
    key = 1ull << 63 | tb.gid;
  } else {
    unsigned seq = 255;
    if (seqn > 0) {
      seq = 0;
      for (size_t i = 0; i < seqn; i++) {
        if (fseq[i] < '0' || fseq[i] > '9') { d->st.bad_fields++; return KPW_OK; }
        seq = seq * 10 + (unsigned)(fseq[i] - '0');
      }
    }
    key = (uint64_t)(uint8_t)s[1] << 32 | (uint64_t)(uint8_t)s[2] << 24 |
          (uint64_t)(uint8_t)s[5] << 16 | (uint64_t)(chn ? (uint8_t)*fch : 0) << 8 | seq;
  }
  add_fragment(d, key, nfrag, frag, chan_index(chn ? (uint8_t)*fch : 0), fpl, pn, fill, source, lineno, t, cb, ctx);
  return KPW_OK;
}

/* A time written beside a sentence by the logger (no tag block): a prefix
** before the '!' ("1635731889.123 !AIVDM...", "2021-11-01 01:58:09,!AIVDM",
** "2021-11-01T01:58:09Z !AIVDM") or a field after the checksum
** ("!AIVDM,...*7B,1635731889"). Unix seconds (10 digits, optional fraction)
** or milliseconds (13 digits), or an ISO 8601 UTC date-time. KPW_TIME_NONE
** when the text is none of these. */
static int64_t logged_time(const char *a, const char *b) {
  while (a < b && (*a == ' ' || *a == '\t' || *a == ',' || *a == ';' || *a == '|')) a++;
  while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == ',' || b[-1] == ';' || b[-1] == '|' || b[-1] == ':')) b--;
  size_t n = (size_t)(b - a), nd = 0;
  if (n == 0 || n > 40) return KPW_TIME_NONE;
  while (nd < n && a[nd] >= '0' && a[nd] <= '9') nd++;
  if ((nd == 10 || nd == 13) && (nd == n || (a[nd] == '.' && nd + 1 < n))) {
    int64_t v = 0;
    for (size_t i = 0; i < nd; i++) v = v * 10 + (a[i] - '0');
    int64_t us = nd == 13 ? v * 1000 : v * 1000000;
    if (nd < n) {                       /* fraction of a second */
      int64_t scale = 100000;
      for (size_t i = nd + 1; i < n && scale > 0; i++, scale /= 10) {
        if (a[i] < '0' || a[i] > '9') return KPW_TIME_NONE;
        us += (a[i] - '0') * scale;
      }
    }
    return us;
  }
  /* an ISO 8601 date-time (the text is not NUL-terminated: copy it) */
  char buf[48];
  memcpy(buf, a, n);
  buf[n] = 0;
  int64_t us;
  return kpw_time_parse(buf, &us) ? us : KPW_TIME_NONE;
}

kpw_result kpw_ais_decoder_feed_line(kpw_ais_decoder *d, const char *line, size_t n,
                                     const char *source, uint64_t lineno,
                                     kpw_ais_callback cb, void *ctx, kpw_error *err) {
  d->st.lines++;
  const char *p = line, *e = line + n;
  while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t' || e[-1] == 0)) e--;
  while (p < e && (*p == ' ' || *p == '\t')) p++;
  if (p == e || *p == '#') return KPW_OK;

  tagblock tb = {KPW_TIME_NONE, false, 0, 0, 0};
  while (p < e && *p == '\\') {
    const char *q = memchr(p + 1, '\\', (size_t)(e - p - 1));
    if (!q) { d->st.garbage_lines++; return KPW_OK; }
    const char *star = memchr(p + 1, '*', (size_t)(q - p - 1));
    bool ok = true;
    if (star) {
      unsigned x = 0;
      for (const char *c = p + 1; c < star; c++) x ^= (uint8_t)*c;
      int want = read_cksum(star, q);
      if (want != (int)x) {
        ok = false;
        kpw_result r = bad_checksum(d, line, n, source, lineno, (int)x, want, err);
        if (r != KPW_OK) return r;
      }
    }
    if (ok) parse_tagblock(p + 1, star ? star : q, &tb);
    p = q + 1;
  }
  if (p == e) return KPW_OK;   /* a tag block alone (e.g. a comment-only block) */

  if (*p == '$') {
    if (e - p >= 6 && !memcmp(p, "$PGHP,", 6)) {
      const char *star = memchr(p, '*', (size_t)(e - p));
      if (!star) { d->st.bad_fields++; return KPW_OK; }
      unsigned x = 0;
      for (const char *c = p + 1; c < star; c++) x ^= (uint8_t)*c;
      int want = read_cksum(star, e);
      if (want != (int)x) return bad_checksum(d, line, n, source, lineno, (int)x, want, err);
      int64_t t;
      if (parse_pghp(p, star, &t)) d->pghp_time = t;
      else d->st.bad_fields++;
    }
    return KPW_OK;             /* other NMEA sentences: not ours, not garbage */
  }

  const char *s = p;
  if (*s != '!') {
    s = memchr(p, '!', (size_t)(e - p));
    if (!s) { d->st.garbage_lines++; return KPW_OK; }
  }
  if (e - s < 7 || s[3] != 'V' || s[4] != 'D' || (s[5] != 'M' && s[5] != 'O') || s[6] != ',') {
    if (s == p) return KPW_OK;  /* another !-sentence (e.g. !AIALR) */
    d->st.garbage_lines++;
    return KPW_OK;
  }
  if (tb.time_us == KPW_TIME_NONE) {
    /* no tag block time: a logger's timestamp before the sentence or after
    ** its checksum (a $PGHP time still applies when neither is there) */
    if (s > p) tb.time_us = logged_time(p, s);
    if (tb.time_us == KPW_TIME_NONE) {
      const char *star = memchr(s, '*', (size_t)(e - s));
      if (star && e - star > 4 && star[3] == ',') {
        const char *q = star + 4, *qe = q;
        while (qe < e && *qe != '!' && *qe != ',') qe++;
        tb.time_us = logged_time(q, qe);
      }
    }
  }
  for (;;) {
    const char *next;
    kpw_result r = sentence(d, s, e, &tb, line, n, source, lineno, cb, ctx, err, &next);
    if (r != KPW_OK) return r;
    /* another sentence later on the same line? */
    s = next < e ? memchr(next, '!', (size_t)(e - next)) : NULL;
    if (!s || e - s < 7 || s[3] != 'V' || s[4] != 'D' || (s[5] != 'M' && s[5] != 'O') || s[6] != ',')
      return KPW_OK;
  }
}

#define LINE_MAX_BYTES (64 * 1024)
#define CHUNK (1024 * 1024)

kpw_result kpw_ais_decoder_feed_input(kpw_ais_decoder *d, kpw_input *in,
                                      kpw_ais_callback cb, void *ctx, kpw_error *err) {
  char *buf = kpw_xmalloc(CHUNK + LINE_MAX_BYTES);
  const char *source = kpw_input_name(in);
  size_t have = 0;             /* bytes of an unfinished line at buf[0] */
  bool skipping = false;       /* inside an overlong line */
  uint64_t lineno = 0;
  kpw_result rc = KPW_OK;
  for (;;) {
    size_t got = 0;
    rc = kpw_input_read(in, buf + have, CHUNK, &got, err);
    if (rc != KPW_OK) break;
    bool eof = got == 0;
    size_t end = have + got, start = 0;
    for (;;) {
      char *nl = memchr(buf + start, '\n', end - start);
      if (!nl) break;
      lineno++;
      if (skipping) skipping = false;
      else {
        rc = kpw_ais_decoder_feed_line(d, buf + start, (size_t)(nl - (buf + start)), source,
                                       lineno, cb, ctx, err);
        if (rc != KPW_OK) goto out;
      }
      start = (size_t)(nl - buf) + 1;
    }
    have = end - start;
    if (eof) {
      if (have && !skipping) {
        lineno++;
        rc = kpw_ais_decoder_feed_line(d, buf + start, have, source, lineno, cb, ctx, err);
      }
      break;
    }
    if (have >= LINE_MAX_BYTES) {
      /* overlong line: count it once, drop its bytes up to the newline */
      if (!skipping) { d->st.lines++; d->st.garbage_lines++; }
      skipping = true;
      have = 0;
    } else if (start) {
      memmove(buf, buf + start, have);
    }
  }
out:
  free(buf);
  return rc;
}

/* Types 6, 8, 25, 26 are decoded by ais_decode_binary (types_binary.c).
** No weak fallback is defined here on purpose: with a static libkpw.a a
** weak definition in this member would satisfy the reference and the
** linker would never pull types_binary.o, silently losing those types. */
