/*
** fuzz_ofac_csv.c -- libFuzzer target for the OFAC legacy CSV loader (checks in
** fuzz_list_common.h).
*/
#include "fuzz_list_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_list_loader(data, size, "ofac-legacy-csv", kpw__load_ofac_csv);
}
