/*
** test_ais_binary.c -- unit tests of lib/ais/types_binary.c, the AIS
** binary-message decoder (types 6, 8, 25, 26).
**
** Golden check: gpsd's daemon regression outputs (../shared/data/maritime/
** gpsd_*.log.chk, skipped visibly when absent) interleave each AIVDM
** sentence with the JSON gpsd printed once a message completed. The test
** reassembles the sentences itself (a minimal unarmor: 6-bit ASCII armor,
** fill bits), decodes every type 6/8 message in raw mode and compares each
** member of our object with gpsd's, in order, by value. A message gpsd
** dropped (no JSON after it) must be rejected by us too.
**
** Robustness: random bit strings of every length 0..1008 (and a few past
** it) for each type, both modes; the output must always be valid JSON.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "kpw/util.h"
#include "ais/ais_bits.h"

#define SHARED "../shared/data/maritime"

static bool have(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) { fclose(f); return true; }
  fprintf(stderr, "SKIP: %s is absent (golden checks need the shared data)\n", path);
  return false;
}

/* ---------------------------------------------------------------- unarmor */

/* Append an armored payload (6 bits a char) to b, then drop `fill` bits. */
static bool append_armored(ais_bits *b, const char *p, size_t n, unsigned fill) {
  for (size_t i = 0; i < n; i++) {
    int c = (unsigned char)p[i];
    if (c < 48 || c > 119 || (c > 87 && c < 96)) return false;
    c -= 48;
    if (c > 40) c -= 8;
    for (int j = 5; j >= 0; j--) {
      if (b->nbits >= AIS_MAX_BITS) return false;
      size_t k = b->nbits++;
      if ((c >> j) & 1) b->data[k >> 3] |= (uint8_t)(0x80 >> (k & 7));
      else b->data[k >> 3] &= (uint8_t)~(0x80 >> (k & 7));
    }
  }
  b->nbits = fill <= b->nbits ? b->nbits - fill : 0;
  return true;
}

/* Reassembly state over one file's sentences (fragments arrive in order in
** these logs). complete = a whole message is in bits. */
typedef struct reasm {
  ais_bits bits;
  int expect;     /* next fragment number, 0 when idle */
  bool complete;
} reasm;

/* Feed one "!AIVDM,count,num,seq,chan,payload,fill*cs" line. */
static void feed(reasm *r, const char *line) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", line);
  char *f[8] = {0};
  int nf = 0;
  for (char *p = buf; nf < 8;) {
    f[nf++] = p;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = '\0';
    p = c + 1;
  }
  r->complete = false;
  if (nf < 7) { r->expect = 0; return; }
  int count = atoi(f[1]), num = atoi(f[2]);
  unsigned fill = (unsigned)atoi(f[6]);
  if (num == 1) { memset(&r->bits, 0, sizeof r->bits); r->expect = 1; }
  if (num != r->expect) { r->expect = 0; return; }
  if (!append_armored(&r->bits, f[5], strlen(f[5]), num == count ? fill : 0)) {
    r->expect = 0;
    return;
  }
  if (num == count) { r->complete = true; r->expect = 0; }
  else r->expect++;
}

/* ---------------------------------------------------------------- compare */

/* Deep equality, members in the same order; numbers compare by value. */
static bool json_equal(const kpw_json *a, const kpw_json *b, char *why, size_t whylen,
                       const char *path) {
  if (a->type != b->type) {
    snprintf(why, whylen, "%s: type differs", path);
    return false;
  }
  switch (a->type) {
  case KPW_JSON_NULL: return true;
  case KPW_JSON_BOOL:
    if (a->boolean == b->boolean) return true;
    snprintf(why, whylen, "%s: bool differs", path);
    return false;
  case KPW_JSON_NUMBER:
    if (a->number == b->number) return true;
    snprintf(why, whylen, "%s: %s vs %s", path, a->str, b->str);
    return false;
  case KPW_JSON_STRING:
    if (a->len == b->len && memcmp(a->str, b->str, a->len) == 0) return true;
    snprintf(why, whylen, "%s: \"%s\" vs \"%s\"", path, a->str, b->str);
    return false;
  case KPW_JSON_ARRAY:
  case KPW_JSON_OBJECT:
    if (a->len != b->len) {
      snprintf(why, whylen, "%s: %zu vs %zu members", path, a->len, b->len);
      return false;
    }
    for (size_t i = 0; i < a->len; i++) {
      char sub[256];
      if (a->type == KPW_JSON_OBJECT) {
        if (strcmp(a->keys[i], b->keys[i]) != 0) {
          snprintf(why, whylen, "%s: member %zu is %s vs %s", path, i, a->keys[i], b->keys[i]);
          return false;
        }
        snprintf(sub, sizeof sub, "%s.%s", path, a->keys[i]);
      } else {
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
      }
      if (!json_equal(a->items[i], b->items[i], why, whylen, sub)) return false;
    }
    return true;
  }
  return false;
}

/* Our whole object: gpsd's common prefix (without "device") + our members. */
static bool decode_object(const ais_bits *b, bool scaled, kpw_buf *out) {
  kpw_buf_reset(out);
  int type = (int)ais_u(b, 0, 6);
  kpw_buf_printf(out, "{\"class\":\"AIS\",\"type\":%d,\"repeat\":%u,\"mmsi\":%u,\"scaled\":%s",
                 type, (unsigned)ais_u(b, 6, 2), (unsigned)ais_u(b, 8, 30),
                 scaled ? "true" : "false");
  if (!ais_decode_binary(type, b, scaled, out)) return false;
  kpw_buf_putc(out, '}');
  return true;
}

typedef struct golden_tally {
  int objects, agreed, rejected_both, rejected_only_us, accepted_only_us;
} golden_tally;

/* Walk one .chk file; returns the tally. */
static golden_tally run_golden(const char *path) {
  golden_tally t = {0};
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  kpw_arena *arena = kpw_arena_new(0);
  kpw_buf ours;
  kpw_buf_init(&ours);
  static reasm r;
  memset(&r, 0, sizeof r);
  bool pending = false;   /* a type 6/8 message completed, its JSON not yet seen */
  bool have_last = false; /* the last AIS message gpsd saw was this 6/8 */
  static ais_bits last;
  char line[8192];
  uint64_t lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    size_t n = strcspn(line, "\r\n");
    line[n] = '\0';
    if (line[0] == '!') {
      if (pending) {
        /* gpsd printed nothing for the previous 6/8: we must reject it */
        if (decode_object(&last, false, &ours)) {
          t.accepted_only_us++;
          fprintf(stderr, "%s:%llu: gpsd dropped a message we accept: %s\n", path,
                  (unsigned long long)lineno, ours.data);
        } else {
          t.rejected_both++;
        }
        pending = false;
      }
      feed(&r, line);
      if (r.complete) {
        int type = (int)ais_u(&r.bits, 0, 6);
        pending = type == 6 || type == 8;
        have_last = pending;
        if (pending) last = r.bits;
      }
      continue;
    }
    if (line[0] != '{' || !strstr(line, "\"class\":\"AIS\"")) continue;
    kpw_arena_reset(arena);
    kpw_json *gold = NULL;
    kpw_error err = {0};
    assert_int_equal(kpw_json_parse(line, n, arena, path, lineno, &gold, &err), KPW_OK);
    const kpw_json *ty = kpw_json_get(gold, "type");
    if (!ty || (ty->number != 6 && ty->number != 8)) continue;
    t.objects++;
    if (!pending && !have_last) {
      fprintf(stderr, "%s:%llu: golden object without a pending message\n", path,
              (unsigned long long)lineno);
      continue;
    }
    /* With nothing pending, gpsd is re-reporting its last AIS message (it
    ** does so next to TPV/SKY reports): compare with that one again. */
    pending = false;
    if (!decode_object(&last, false, &ours)) {
      t.rejected_only_us++;
      fprintf(stderr, "%s:%llu: we reject a message gpsd decoded (%zu bits)\n", path,
              (unsigned long long)lineno, last.nbits);
      continue;
    }
    kpw_json *mine = NULL;
    if (kpw_json_parse(ours.data, ours.len, arena, "ours", lineno, &mine, &err) != KPW_OK) {
      fprintf(stderr, "%s:%llu: our output is not JSON: %s\n", path,
              (unsigned long long)lineno, ours.data);
      continue;
    }
    /* gpsd's daemon adds "device" after "class"; drop it for comparison */
    if (gold->len >= 2 && strcmp(gold->keys[1], "device") == 0) {
      for (size_t i = 1; i + 1 < gold->len; i++) {
        gold->keys[i] = gold->keys[i + 1];
        gold->items[i] = gold->items[i + 1];
      }
      gold->len--;
    }
    char why[512];
    if (json_equal(mine, gold, why, sizeof why, "")) {
      t.agreed++;
    } else {
      fprintf(stderr, "%s:%llu: %s\n  ours: %s\n  gpsd: %s\n", path,
              (unsigned long long)lineno, why, ours.data, line);
    }
  }
  fclose(f);
  kpw_buf_free(&ours);
  kpw_arena_free(arena);
  return t;
}

static void check_golden(const char *path, int expect_objects) {
  if (!have(path)) skip();
  golden_tally t = run_golden(path);
  fprintf(stderr, "%s: %d/%d type 6/8 objects agree on every member; "
          "%d dropped by both, %d accepted only by us, %d rejected only by us\n",
          path, t.agreed, t.objects, t.rejected_both, t.accepted_only_us, t.rejected_only_us);
  assert_int_equal(t.objects, expect_objects);
  assert_int_equal(t.agreed, t.objects);
  assert_int_equal(t.accepted_only_us, 0);
  assert_int_equal(t.rejected_only_us, 0);
}

static void test_golden_fid55(void **state) {
  (void)state;
  check_golden(SHARED "/gpsd_ais-nmea-type6-fid55.log.chk", 68 + 73);
}

static void test_golden_nmea(void **state) {
  (void)state;
  check_golden(SHARED "/gpsd_ais-nmea.log.chk", 9);
}

/* ---------------------------------------------------------------- crafted */

/* Bit writer for hand-made messages. */
static void put_bits(ais_bits *b, size_t start, unsigned len, uint32_t v) {
  for (unsigned i = 0; i < len; i++) {
    size_t k = start + i;
    if ((v >> (len - 1 - i)) & 1) b->data[k >> 3] |= (uint8_t)(0x80 >> (k & 7));
    else b->data[k >> 3] &= (uint8_t)~(0x80 >> (k & 7));
  }
  if (start + len > b->nbits) b->nbits = start + len;
}

static const char *members(const ais_bits *b, bool scaled, kpw_buf *out) {
  kpw_buf_reset(out);
  if (!ais_decode_binary((int)ais_u(b, 0, 6), b, scaled, out)) return NULL;
  return out->data;
}

static void test_lengths(void **state) {
  (void)state;
  kpw_buf o;
  kpw_buf_init(&o);
  ais_bits b;
  memset(&b, 0, sizeof b);
  put_bits(&b, 0, 6, 6);
  b.nbits = 87;
  assert_null(members(&b, false, &o));
  b.nbits = 88;
  assert_string_equal(members(&b, false, &o),
                      ",\"seqno\":0,\"dest_mmsi\":0,\"retransmit\":false,\"dac\":0,\"fid\":0,"
                      "\"data\":\"0:\"");
  b.nbits = 1009;
  assert_null(members(&b, false, &o));
  put_bits(&b, 0, 6, 8);
  b.nbits = 55;
  assert_null(members(&b, false, &o));
  b.nbits = 60;
  assert_string_equal(members(&b, false, &o), ",\"dac\":0,\"fid\":0,\"data\":\"4:00\"");
  put_bits(&b, 0, 6, 25);
  b.nbits = 39;
  assert_null(members(&b, false, &o));
  put_bits(&b, 38, 2, 3); /* addressed + structured needs 86 bits */
  b.nbits = 85;
  assert_null(members(&b, false, &o));
  b.nbits = 86;
  assert_non_null(members(&b, false, &o));
  put_bits(&b, 0, 6, 26);
  b.nbits = 105;
  assert_null(members(&b, false, &o));
  kpw_buf_free(&o);
}

/* DAC 1 FI 31 in both modes, hand-made: scaled values follow gpsd's units. */
static void test_met289_scaled(void **state) {
  (void)state;
  kpw_buf o;
  kpw_buf_init(&o);
  ais_bits b;
  memset(&b, 0, sizeof b);
  put_bits(&b, 0, 6, 8);
  put_bits(&b, 40, 10, 1);
  put_bits(&b, 50, 6, 31);
  put_bits(&b, 56, 25, (uint32_t)(-600000) & 0x1FFFFFF); /* lon -10 deg */
  put_bits(&b, 81, 24, 3000000);                          /* lat 50 deg */
  put_bits(&b, 154, 11, (uint32_t)(-55) & 0x7FF);         /* airtemp -5.5 C */
  put_bits(&b, 182, 9, 214);                              /* 1013 hPa */
  put_bits(&b, 201, 12, 900);                             /* -1.00 m */
  put_bits(&b, 326, 10, 123);                             /* 12.3 C */
  b.nbits = 360;
  const char *s = members(&b, true, &o);
  assert_non_null(s);
  assert_non_null(strstr(s, "\"lat\":50.0000,\"lon\":-10.0000,\"accuracy\":false"));
  assert_non_null(strstr(s, "\"airtemp\":-5.5,"));
  assert_non_null(strstr(s, "\"pressure\":1013,\"pressuretend\":\"steady\""));
  assert_non_null(strstr(s, "\"waterlevel\":-1.0,"));
  assert_non_null(strstr(s, "\"watertemp\":12.3,\"preciptype\":\"reserved\""));
  s = members(&b, false, &o);
  assert_non_null(strstr(s, "\"lat\":3000000,\"lon\":-600000,"));
  assert_non_null(strstr(s, "\"airtemp\":-55,"));
  kpw_buf_free(&o);
}

/* DAC 1 FI 29 text and a type 26 envelope. */
static void test_text_and_26(void **state) {
  (void)state;
  kpw_buf o;
  kpw_buf_init(&o);
  ais_bits b;
  memset(&b, 0, sizeof b);
  put_bits(&b, 0, 6, 8);
  put_bits(&b, 40, 10, 1);
  put_bits(&b, 50, 6, 29);
  put_bits(&b, 56, 10, 7);
  const char *txt = "HI \"X\"";
  for (size_t i = 0; txt[i]; i++) {
    unsigned c = (unsigned char)txt[i];
    put_bits(&b, 66 + 6 * i, 6, c >= 64 ? c - 64 : c);
  }
  b.nbits = 66 + 6 * 6 + 4; /* trailing partial char is ignored */
  assert_string_equal(members(&b, false, &o),
                      ",\"dac\":1,\"fid\":29,\"linkage\":7,\"text\":\"HI \\\"X\\\"\"");

  memset(&b, 0, sizeof b);
  put_bits(&b, 0, 6, 26);
  put_bits(&b, 38, 2, 2);        /* addressed, unstructured */
  put_bits(&b, 40, 30, 123456789);
  put_bits(&b, 70, 8, 0xAB);
  put_bits(&b, 78, 20, 0x12345);
  assert_string_equal(members(&b, false, &o),
                      ",\"addressed\":true,\"structured\":false,\"dest_mmsi\":123456789,"
                      "\"app_id\":0,\"data\":\"8:ab\",\"radio\":74565");
  kpw_buf_free(&o);
}

/* ---------------------------------------------------------------- libais
** Envelopes of the type 6/8/25/26 samples in libais' typeexamples (scaled
** mode; libais names differ from gpsd's, so only shared facts are checked:
** destinations, flags, DAC/FI, and libais' dac/fid as our 16-bit app_id). */
static void expect_member(const char *sentence, const char *needle) {
  reasm r;
  memset(&r, 0, sizeof r);
  feed(&r, sentence);
  assert_true(r.complete);
  kpw_buf o;
  kpw_buf_init(&o);
  assert_true(decode_object(&r.bits, true, &o));
  if (!strstr(o.data, needle)) {
    fprintf(stderr, "%s\n  lacks %s\n  got %s\n", sentence, needle, o.data);
    fail();
  }
  kpw_buf_free(&o);
}

static void test_libais_envelopes(void **state) {
  (void)state;
  /* libais reports retransmit = !bit70; gpsd (and we) print bit 70 */
  expect_member("!AIVDM,1,1,,A,603Owlh0>5Q@04000000,0*01",
                "\"seqno\":0,\"dest_mmsi\":923156,\"retransmit\":false,\"dac\":1,\"fid\":0,"
                "\"data\":\"32:00000000\"");
  expect_member("!AIVDM,1,1,,B,803Ovrh0EP:024`@02PN04da=3V<>N0000,4*39",
                "\"mmsi\":3669739,\"scaled\":true,\"dac\":1,\"fid\":22,\"data\":");
  expect_member("!AIVDM,1,1,,B,I;=w>`IRvRwqhWd,2*23",
                "\"mmsi\":752864929,\"scaled\":true,\"addressed\":true,\"structured\":false,"
                "\"dest_mmsi\":415140862,\"app_id\":0,");
  expect_member("!AIVDM,1,1,,A,J?Amrcw9LwuO7b9nHgeD?SVS5U8doUvtuwAQ,0*52",
                "\"addressed\":true,\"structured\":true,\"dest_mmsi\":844955607,"
                "\"app_id\":51112,");
}

/* ---------------------------------------------------------------- random */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}

static void test_random_bits(void **state) {
  (void)state;
  static const int types[4] = {6, 8, 25, 26};
  kpw_buf o;
  kpw_buf_init(&o);
  kpw_arena *arena = kpw_arena_new(0);
  static ais_bits b;
  long decoded = 0;
  for (int ti = 0; ti < 4; ti++) {
    for (size_t len = 0; len <= 1030; len++) {
      for (int rep = 0; rep < 3; rep++) {
        /* fill the whole buffer, so bits past nbits are noise that must
        ** never show */
        for (size_t i = 0; i < sizeof b.data; i++) b.data[i] = (uint8_t)rnd();
        b.nbits = len;
        if (len >= 6) put_bits(&b, 0, 6, (uint32_t)types[ti]);
        b.nbits = len;
        /* steer a share of the cases into the decoded applications */
        if (rep == 1 && len >= 56) {
          static const uint32_t dacs[4] = {1, 200, 235, 250};
          if (types[ti] == 6 && len >= 88) put_bits(&b, 72, 10, dacs[rnd() % 4]);
          if (types[ti] == 8) put_bits(&b, 40, 10, rnd() % 2 ? 1 : 200);
          b.nbits = len;
        }
        for (int scaled = 0; scaled < 2; scaled++) {
          kpw_buf_reset(&o);
          kpw_buf_puts(&o, "{\"x\":0");
          if (!ais_decode_binary(types[ti], &b, scaled, &o)) continue;
          kpw_buf_putc(&o, '}');
          decoded++;
          kpw_arena_reset(arena);
          kpw_json *v = NULL;
          kpw_error err = {0};
          if (kpw_json_parse(o.data, o.len, arena, "random", len, &v, &err) != KPW_OK) {
            fprintf(stderr, "type %d len %zu: not JSON: %s\n", types[ti], len, o.data);
            fail();
          }
          /* the bits past nbits must not matter: invert them, decode again */
          static char first[8192];
          snprintf(first, sizeof first, "%s", o.data);
          for (size_t k = len; k < 8 * sizeof b.data; k++)
            b.data[k >> 3] ^= (uint8_t)(0x80 >> (k & 7));
          kpw_buf_reset(&o);
          kpw_buf_puts(&o, "{\"x\":0");
          assert_true(ais_decode_binary(types[ti], &b, scaled, &o));
          kpw_buf_putc(&o, '}');
          assert_string_equal(o.data, first);
        }
      }
    }
  }
  /* every DAC/FI gpsd knows, at the lengths its rules single out and at
  ** random ones, with random payloads */
  static const size_t lens[] = {56, 57, 66, 72, 88, 97, 98, 100, 117, 128, 136, 144,
                                168, 178, 185, 192, 224, 232, 248, 256, 360, 468,
                                500, 700, 1000, 1007, 1008};
  static const uint32_t dacs[4] = {1, 200, 235, 250};
  for (int ti = 0; ti < 2; ti++)
    for (int d = 0; d < 4; d++)
      for (uint32_t fid = 0; fid < 64; fid++)
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
          for (size_t i = 0; i < sizeof b.data; i++) b.data[i] = (uint8_t)rnd();
          b.nbits = 0;
          put_bits(&b, 0, 6, (uint32_t)types[ti]);
          put_bits(&b, ti ? 40 : 72, 10, dacs[d]);
          put_bits(&b, ti ? 50 : 82, 6, fid);
          b.nbits = lens[li];
          for (int scaled = 0; scaled < 2; scaled++) {
            kpw_buf_reset(&o);
            kpw_buf_puts(&o, "{\"x\":0");
            if (!ais_decode_binary(types[ti], &b, scaled, &o)) continue;
            kpw_buf_putc(&o, '}');
            decoded++;
            kpw_arena_reset(arena);
            kpw_json *v = NULL;
            kpw_error err = {0};
            if (kpw_json_parse(o.data, o.len, arena, "dacfid", fid, &v, &err) != KPW_OK) {
              fprintf(stderr, "type %d dac %u fid %u len %zu: not JSON: %s\n", types[ti],
                      (unsigned)dacs[d], (unsigned)fid, lens[li], o.data);
              fail();
            }
          }
        }
  assert_true(decoded > 1000);
  kpw_arena_free(arena);
  kpw_buf_free(&o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lengths),
    cmocka_unit_test(test_met289_scaled),
    cmocka_unit_test(test_text_and_26),
    cmocka_unit_test(test_libais_envelopes),
    cmocka_unit_test(test_random_bits),
    cmocka_unit_test(test_golden_fid55),
    cmocka_unit_test(test_golden_nmea),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
