/*
** fuzz_eu_xml.c -- libFuzzer target for the EU Financial Sanctions Files XML loader (checks in
** fuzz_list_common.h).
*/
#include "fuzz_list_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_list_loader(data, size, "eu-fsf-xml", kpw__load_eu_xml);
}
