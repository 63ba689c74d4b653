/*
** fuzz_chain_etl.c -- libFuzzer target for the chain index builder's
** bitcoin-etl JSON reader and the index reader behind it: the input is
** written as a JSON-lines file, indexed into a fresh directory, and, when
** the build kept anything, the index is opened and every column walked.
** Invariants: the build ends with OK or a clean input error; what it kept
** opens; every input points at an existing output or is NONE; every
** address id is in range and prints.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kpw/chainidx.h"

static void rmrf(const char *dir) {
  const char *names[] = {"META", "LOCK", "blocks.col", "txid.col", "txin.col", "txout.col", "outval.col",
                         "outbig.col", "outaddr.col", "inprev.col", "addr.dat", "addr.runs", "txsort.col",
                         "txsort.col.tmp", "META.tmp"};
  char p[512];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    unlink(p);
  }
  rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20)) return 0;
  char dir[128], file[160];
  snprintf(dir, sizeof dir, "/tmp/kpw-fuzz-etl-%d", (int)getpid());
  snprintf(file, sizeof file, "%s.json", dir);
  rmrf(dir);
  FILE *f = fopen(file, "wb");
  if (!f) return 0;
  /* a leading '{' makes the builder read it as JSON */
  fputc('{', f);
  fwrite(data, 1, size, f);
  fclose(f);
  const char *in[] = {file};
  kpw_cidx_build_opts o = {0};
  o.commit_every_txs = 3;
  o.sort_mem = 4096;
  kpw_error e;
  kpw_result r = kpw_cidx_build(dir, in, 1, &o, NULL, &e);
  if (r != KPW_OK && r != KPW_EINPUT && r != KPW_ENOMEM) __builtin_trap();
  kpw_cidx *ix;
  if (kpw_cidx_open(dir, &ix, &e) == KPW_OK) {
    kpw_cidx_counts c;
    kpw_cidx_get_counts(ix, &c);
    const uint32_t *prev = kpw_cidx_in_prevouts(ix), *oa = kpw_cidx_out_addrs(ix);
    for (uint32_t i = 0; i < c.ins; i++)
      if (prev[i] != KPW_CIDX_NONE && prev[i] >= c.outs) __builtin_trap();
    for (uint32_t k = 0; k < c.outs; k++) {
      char a[256];
      if (oa[k] != KPW_CIDX_NONE && (oa[k] >= c.addrs || !kpw_cidx_addr_string(ix, oa[k], a, sizeof a))) __builtin_trap();
      if (oa[k] != KPW_CIDX_NONE) {
        uint32_t back;
        if (!kpw_cidx_find_addr(ix, a, &back) || back != oa[k]) __builtin_trap();
      }
      (void)kpw_cidx_out_value(ix, k);
    }
    kpw_cidx_close(ix);
  } else if (r == KPW_OK) {
    /* an empty input builds nothing: no META is fine */
  }
  rmrf(dir);
  unlink(file);
  return 0;
}
