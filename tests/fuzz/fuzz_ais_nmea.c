/*
** fuzz_ais_nmea.c -- libFuzzer target for the AIS NMEA decoder: the input
** is fed as a stream of lines (raw and scaled, strict and lenient, split24)
** and every emitted message must be one well-formed JSON object; the
** decoder must never crash, read out of bounds or grow.
*/
#include <stdint.h>
#include <string.h>
#include "kpw/ais.h"
#include "kpw/util.h"

static void check(const kpw_ais_message *m, void *ctx) {
  (void)ctx;
  if (m->json_len < 2 || m->json[0] != '{' || m->json[m->json_len - 1] != '}') __builtin_trap();
  if (strlen(m->json) != m->json_len) __builtin_trap();
  kpw_arena *a = kpw_arena_new(0);
  kpw_json *j;
  kpw_error e;
  if (kpw_json_parse(m->json, m->json_len, a, "fuzz", 1, &j, &e) != KPW_OK) __builtin_trap();
  kpw_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int mode = 0; mode < 2; mode++) {
    kpw_ais_decode_opts o = {.scaled = mode == 0, .strict = mode == 1, .split24 = mode == 1};
    kpw_ais_decoder *d = kpw_ais_decoder_new(&o);
    kpw_input *in;
    kpw_error e;
    if (kpw_input_open_mem(data, size, "fuzz", &in, &e) == KPW_OK) {
      kpw_result r = kpw_ais_decoder_feed_input(d, in, check, NULL, &e);
      if (r != KPW_OK && r != KPW_EINPUT) __builtin_trap();
      kpw_input_close(in);
    }
    kpw_ais_decoder_flush(d);
    kpw_ais_decoder_free(d);
  }
  return 0;
}
