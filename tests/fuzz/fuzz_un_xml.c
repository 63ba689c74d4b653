/*
** fuzz_un_xml.c -- libFuzzer target for the UN consolidated XML loader (checks in
** fuzz_list_common.h).
*/
#include "fuzz_list_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_list_loader(data, size, "un-xml", kpw__load_un_xml);
}
