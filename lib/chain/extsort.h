/*
** extsort.h -- internal: external-memory sort of fixed-size records.
**
** Records are collected in a buffer of at most `mem` bytes; a full buffer
** is sorted and written to a run file in tmpdir; the final stream is a k-way
** merge of the runs (or the in-memory buffer alone when nothing spilled).
** So sorting N records needs mem bytes of RAM plus one read buffer per run,
** whatever N is. Run files are deleted by kpw_xsort_free.
*/
#ifndef KPW_CHAIN_EXTSORT_H
#define KPW_CHAIN_EXTSORT_H

#include "kpw/kpw.h"

typedef struct kpw_xsort kpw_xsort;
typedef int (*kpw_xsort_cmp)(const void *a, const void *b);

kpw_xsort *kpw_xsort_new(size_t rec_size, kpw_xsort_cmp cmp, size_t mem, const char *tmpdir);
kpw_result kpw_xsort_add(kpw_xsort *s, const void *rec, kpw_error *err);
/* End of input: sort what is buffered; afterwards only _next. */
kpw_result kpw_xsort_finish(kpw_xsort *s, kpw_error *err);
/* Next record in order (valid until the next call); KPW_DONE at the end. */
kpw_result kpw_xsort_next(kpw_xsort *s, const void **rec, kpw_error *err);
uint64_t kpw_xsort_count(const kpw_xsort *s);
size_t kpw_xsort_runs(const kpw_xsort *s);
void kpw_xsort_free(kpw_xsort *s);

#endif
