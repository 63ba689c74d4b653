/*
** fuzz_ofac_xml.c -- libFuzzer target for the OFAC SDN advanced XML loader (checks in
** fuzz_list_common.h).
*/
#include "fuzz_list_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_list_loader(data, size, "ofac-advanced-xml", kpw__load_ofac_xml);
}
