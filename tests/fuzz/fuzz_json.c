/*
** fuzz_json.c -- libFuzzer target for the JSON reader (query lines, HTTP
** bodies): any input must parse or fail cleanly; parsed text re-serialises.
*/
#include <stdint.h>
#include <string.h>
#include "kpw/util.h"

static void walk(const kpw_json *v, kpw_buf *b, int depth) {
  if (depth > 100) __builtin_trap(); /* the parser bounds depth at 64 */
  switch (v->type) {
    case KPW_JSON_STRING: kpw_json_strn(b, v->str, v->len); break;
    case KPW_JSON_NUMBER: kpw_json_num(b, v->number); break;
    case KPW_JSON_ARRAY: case KPW_JSON_OBJECT:
      for (size_t i = 0; i < v->len; i++) {
        if (v->keys) kpw_json_key(b, v->keys[i]);
        walk(v->items[i], b, depth + 1);
      }
      break;
    default: kpw_buf_putc(b, 'x');
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kpw_arena *a = kpw_arena_new(0);
  kpw_json *v;
  kpw_error e;
  if (kpw_json_parse((const char *)data, size, a, "fuzz", 1, &v, &e) == KPW_OK) {
    kpw_buf b;
    kpw_buf_init(&b);
    walk(v, &b, 0);
    /* Output is valid UTF-8 whatever went in. */
    if (b.len && kpw_utf8_valid_prefix(b.data, b.len) != b.len) __builtin_trap();
    kpw_buf_free(&b);
  } else if (e.code != KPW_EINPUT) {
    __builtin_trap();
  }
  kpw_arena_free(a);
  return 0;
}
