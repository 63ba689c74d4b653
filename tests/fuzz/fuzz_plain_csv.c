/*
** fuzz_plain_csv.c -- libFuzzer target for the plain CSV list loader (checks in
** fuzz_list_common.h).
*/
#include "fuzz_list_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_list_loader(data, size, "csv", kpw__load_plain_csv);
}
