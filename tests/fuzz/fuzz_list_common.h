/*
** fuzz_list_common.h -- the body shared by the list-loader fuzz targets:
** the input goes straight to one format's loader (no detection), which must
** return OK or a clean error (KPW_EINPUT/KPW_ENOMEM/KPW_EIO) without
** crashing, leaking or using unbounded memory; every entity added must be
** well formed (an id, a primary name first, valid IMO check digits, ISO2
** countries).
*/
#ifndef KPW_FUZZ_LIST_COMMON_H
#define KPW_FUZZ_LIST_COMMON_H

#include <stdint.h>
#include <string.h>
#include "lists/lists_internal.h"

static int fuzz_list_loader(const uint8_t *data, size_t size, const char *format,
                            kpw_result (*load)(kpw_load_ctx *)) {
  kpw_listset *ls = kpw_listset_new();
  kpw_input *in = NULL;
  kpw_error err;
  if (kpw_input_open_mem(data, size, "fuzz", &in, &err) != KPW_OK) __builtin_trap();
  kpw_listinfo *info = kpw_listset_begin_list(ls, "FUZZ", format, "fuzz");
  kpw_load_ctx c = { ls, in, "fuzz", NULL, NULL, info, &err };
  kpw_result r = load(&c);
  if (r != KPW_OK && r != KPW_EINPUT && r != KPW_ENOMEM && r != KPW_EIO) __builtin_trap();
  for (size_t i = 0; i < kpw_listset_count(ls); i++) {
    const kpw_entity *e = kpw_listset_get(ls, i);
    if (!e->id || e->n_names == 0 || !e->names[0].text) __builtin_trap();
    if (e->names[0].kind != KPW_NAME_PRIMARY) __builtin_trap();
    for (uint32_t k = 0; k < e->n_ids; k++) {
      if (!e->ids[k].value) __builtin_trap();
      if (e->ids[k].kind == KPW_ID_IMO && kpw_imo_check(e->ids[k].value) == 0) __builtin_trap();
    }
    for (uint32_t k = 0; k < e->n_countries; k++)
      if (strlen(e->countries[k]) != 2) __builtin_trap();
  }
  kpw_input_close(in);
  kpw_listset_free(ls);
  return 0;
}

#endif
