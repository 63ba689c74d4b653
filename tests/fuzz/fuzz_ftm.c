/*
** fuzz_ftm.c -- libFuzzer target for the FollowTheMoney JSON lines loader (checks in
** fuzz_list_common.h).
*/
#include "fuzz_list_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_list_loader(data, size, "ftm-jsonl", kpw__load_ftm);
}
