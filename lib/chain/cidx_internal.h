/*
** cidx_internal.h -- internal helpers shared by the chain index builder and
** reader: META reading/writing and key comparison.
*/
#ifndef KPW_CHAIN_CIDX_INTERNAL_H
#define KPW_CHAIN_CIDX_INTERNAL_H

#include <stddef.h>
#include "kpw/kpw.h"
#include "kpw/chainidx.h"
#include "chain/cidx_format.h"

/* Read dir/META; KPW_ENOTFOUND when there is none (a new index). */
kpw_result cidx_meta_read(const char *dir, cidx_meta *m, kpw_error *err);
/* Replace dir/META atomically (tmp, fsync, rename, fsync dir). */
kpw_result cidx_meta_write(const char *dir, const cidx_meta *m, kpw_error *err);
/* Key of address id through a run table (runs sorted by first_id, id
** within the last run); *n gets the key length. */
const uint8_t *cidx_run_key(const cidx_addrrun *runs, size_t n_runs, const uint8_t *dat, uint64_t id,
                            size_t *n);
/* Check that runs tile [0, addrs) and addr.dat's first bytes; KPW_EINPUT
** naming `source` when not. */
kpw_result cidx_runs_check(const cidx_addrrun *runs, size_t n_runs, uint64_t addrs, uint64_t bytes,
                           const char *source, kpw_error *err);
/* Order of address keys: bytes, then length. */
int cidx_key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);

#endif
