/*
** fuzz_block.c -- libFuzzer target for kpw_btc_block_parse: any input either
** parses (then every tx, script and witness lies inside the input and the
** txs tile the block exactly) or fails cleanly with KPW_EINPUT and an offset
** inside the input.
*/
#include <stdint.h>
#include <string.h>
#include "kpw/chain.h"

static void inside(const uint8_t *p, size_t n, const uint8_t *q, size_t len) {
  if (q < p || q > p + n || len > (size_t)(p + n - q)) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kpw_arena *a = kpw_arena_new(0);
  kpw_btc_block b;
  kpw_error e;
  kpw_result rc = kpw_btc_block_parse(data, size, a, "fuzz", 7, &b, &e);
  if (rc == KPW_OK) {
    if (b.n_txs == 0 || b.size != size) __builtin_trap();
    uint64_t expect = b.txs[0].offset;
    for (uint32_t i = 0; i < b.n_txs; i++) {
      const kpw_btc_tx *t = &b.txs[i];
      if (t->offset != expect) __builtin_trap();
      expect += t->size;
      for (uint32_t k = 0; k < t->n_ins; k++) {
        inside(data, size, t->ins[k].prev_txid, 32);
        inside(data, size, t->ins[k].script, t->ins[k].script_len);
      }
      for (uint32_t k = 0; k < t->n_outs; k++) inside(data, size, t->outs[k].script, t->outs[k].script_len);
      if (!t->segwit && memcmp(t->txid, t->wtxid, 32)) __builtin_trap();
    }
    if (expect != size) __builtin_trap();
  } else if (rc != KPW_EINPUT || e.offset < 7 || e.offset > 7 + (uint64_t)size) {
    __builtin_trap();
  }
  kpw_arena_free(a);
  return 0;
}
