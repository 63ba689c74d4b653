/*
** cmd_chain_cluster.c -- `kpwatch chain cluster`: common-input address
** clustering over a chain index (kpw_cluster_*, include/kpw/cluster.h),
** with CoinJoin transactions excluded and a collapse guard.
**
** The clustering is computed once and saved into the index directory; later
** runs reuse it while it is newer than the index's META and was made with the
** same settings (--rebuild forces a new run). Queries (--address) scan the
** cluster column once for all asked clusters, so memory stays bounded by
** --members-limit however large a cluster is.
**
** Output on stdout, one JSON line each: the cluster_merge findings
** (--findings), then one line per --address, then the stats line (--stats,
** or when nothing else was asked). docs/cmd-chain-cluster.md.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "kpw/chain.h"
#include "kpw/chainidx.h"
#include "kpw/cluster.h"

#define CMD "chain cluster"
#define ADDR_CAP 256

static void help(void) {
  printf(
    "usage: kpwatch chain cluster --index DIR [--stats] [--address A]... [--findings]\n"
    "                             [--force] [--collapse-limit N] [--no-coinjoin-filter]\n"
    "                             [--members-limit N] [--rebuild]\n\n"
    "Groups the addresses of a chain index (built by 'kpwatch chain index') into\n"
    "wallet clusters with the common-input heuristic: all input addresses of a\n"
    "non-coinbase transaction belong to one owner. CoinJoin transactions (Whirlpool,\n"
    "Wasabi 1/2, JoinMarket, BlockSci's equal-output rule) are skipped. A merge of\n"
    "two clusters that both exceed the collapse limit is refused and reported as a\n"
    "cluster_merge finding. The result is saved in DIR (cluster.json, *.col) and\n"
    "reused while the index is unchanged.\n\n"
    "  --index DIR           the chain index directory (required)\n"
    "  --stats               print one JSON line: {\"addresses\",\"clusters\",\"largest\",...}\n"
    "                        (the default when nothing else is asked)\n"
    "  --address A           print A's cluster: id, size, members, and the merges that\n"
    "                        built it with their txids (repeatable)\n"
    "  --findings            print a cluster_merge finding per refused (or forced) merge\n"
    "  --members-limit N     list at most N members and N merges per address (1000)\n"
    "  --collapse-limit N    refuse merges of two clusters both larger than N\n"
    "                        addresses (10000)\n"
    "  --force               merge them anyway (still reported by --findings)\n"
    "  --no-coinjoin-filter  cluster CoinJoin inputs too\n"
    "  --rebuild             recompute even if a saved clustering is current\n\n"
    "Exit codes: 0 ok; 2 bad command line; 3 bad or inconsistent index;\n"
    "4 I/O error.\n");
}

static bool parse_u32(const char *s, uint32_t min, uint32_t *out) {
  if (!s || !*s || *s == '-') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v < min || v >= UINT32_MAX) return false;
  *out = (uint32_t)v;
  return true;
}

static void progress(void *ctx, const char *phase, uint64_t done, uint64_t total) {
  (void)ctx;
  fprintf(stderr, "\r\033[Kkpwatch: %s: %s %llu/%llu transactions", CMD, phase,
          (unsigned long long)done, (unsigned long long)total);
}

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put_txid(kpw_buf *b, const kpw_cidx *ix, uint32_t tx) {
  char hex[65];
  kpw_hash_hex(kpw_cidx_txids(ix) + (size_t)tx * 32, hex);
  kpw_json_str(b, hex);
}

static int64_t tx_height(const kpw_cidx *ix, uint32_t tx, uint32_t *time_out) {
  kpw_cidx_block blk;
  kpw_cidx_get_block(ix, kpw_cidx_tx_block(ix, tx), &blk);
  if (time_out) *time_out = blk.time;
  return blk.height;
}

/* ------------------------------------------------------------ --findings */
static kpw_result write_findings(const kpw_clustering *c, const kpw_cidx *ix, const char *dir,
                                 kpw_error *err) {
  for (uint32_t i = 0; i < c->n_refusals; i++) {
    const kpw_cluster_refusal *r = &c->refusals[i];
    char a[ADDR_CAP], b[ADDR_CAP], sa[ADDR_CAP + 8], sb[ADDR_CAP + 8], st[80], hex[65];
    kpw_cidx_addr_string(ix, r->addr_a, a, sizeof a);
    kpw_cidx_addr_string(ix, r->addr_b, b, sizeof b);
    kpw_hash_hex(kpw_cidx_txids(ix) + (size_t)r->tx * 32, hex);
    snprintf(sa, sizeof sa, "btc:%s", a);
    snprintf(sb, sizeof sb, "btc:%s", b);
    snprintf(st, sizeof st, "tx:%s", hex);
    const char *subj[3] = {sa, sb, st};
    uint32_t t;
    int64_t h = tx_height(ix, r->tx, &t);
    char explain[512];
    snprintf(explain, sizeof explain,
             "common input in tx %s would join two clusters of %u and %u addresses, both over the "
             "collapse limit of %u: %s (an undetected CoinJoin or a shared service wallet is likely)",
             hex, r->size_a, r->size_b, c->collapse_limit, r->forced ? "merged (--force)" : "refused");
    kpw_buf d;
    kpw_buf_init(&d);
    kpw_buf_puts(&d, "{\"tx\":");
    kpw_json_str(&d, hex);
    kpw_buf_puts(&d, ",\"height\":");
    kpw_json_int(&d, h);
    kpw_buf_puts(&d, ",\"cluster_sizes\":[");
    kpw_json_int(&d, r->size_a);
    kpw_buf_putc(&d, ',');
    kpw_json_int(&d, r->size_b);
    kpw_buf_puts(&d, "],\"collapse_limit\":");
    kpw_json_int(&d, c->collapse_limit);
    kpw_buf_puts(&d, r->forced ? ",\"action\":\"forced\"}" : ",\"action\":\"refused\"}");
    kpw_buf_putc(&d, 0);
    kpw_evidence ev = {.source = dir, .ref = st};
    kpw_finding f = {
      .kind = "cluster_merge", .subjects = subj, .n_subjects = 3,
      .start_us = (int64_t)t * 1000000, .end_us = KPW_TIME_NONE,
      .score = r->forced ? 0.5 : 0.8, .explain = explain,
      .evidence = &ev, .n_evidence = 1, .detail_json = d.data,
    };
    kpw_result rc = kpw_finding_write_jsonl(&f, stdout, err);
    kpw_buf_free(&d);
    if (rc != KPW_OK) return rc;
  }
  if (c->refused + c->forced > c->n_refusals && !g_cli.quiet)
    fprintf(stderr, "kpwatch: %s: %llu collapse-guard hits, only the first %u are stored\n", CMD,
            (unsigned long long)(c->refused + c->forced), c->n_refusals);
  return KPW_OK;
}

/* ------------------------------------------------------------ --address */
/* The members and merges of one asked cluster, bounded by the limit. The
** merges kept are the earliest (smallest tx numbers): a max-heap of size
** limit on the tx number. */
typedef struct query {
  const char *text;
  bool found;
  uint32_t addr, cid;
  uint32_t *members, n_members;
  uint32_t *mtx, *maddr, n_merges;   /* heap on mtx */
} query;

static void heap_swap(query *q, uint32_t i, uint32_t j) {
  uint32_t t = q->mtx[i]; q->mtx[i] = q->mtx[j]; q->mtx[j] = t;
  t = q->maddr[i]; q->maddr[i] = q->maddr[j]; q->maddr[j] = t;
}

static void heap_down(query *q, uint32_t i, uint32_t n) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && q->mtx[l] > q->mtx[m]) m = l;
    if (r < n && q->mtx[r] > q->mtx[m]) m = r;
    if (m == i) return;
    heap_swap(q, i, m);
    i = m;
  }
}

static void add_merge(query *q, uint32_t limit, uint32_t tx, uint32_t addr) {
  if (!limit) return;
  if (q->n_merges < limit) {
    uint32_t i = q->n_merges++;
    q->mtx[i] = tx;
    q->maddr[i] = addr;
    while (i && q->mtx[(i - 1) / 2] < q->mtx[i]) { heap_swap(q, i, (i - 1) / 2); i = (i - 1) / 2; }
  } else if (tx < q->mtx[0]) {
    q->mtx[0] = tx;
    q->maddr[0] = addr;
    heap_down(q, 0, q->n_merges);
  }
}

static int cmp_pair(const void *x, const void *y) {
  const uint32_t *a = x, *b = y;
  return (a[0] > b[0]) - (a[0] < b[0]);
}

static void query_json(kpw_buf *b, const query *q, const kpw_clustering *c, const kpw_cidx *ix) {
  char s[ADDR_CAP];
  kpw_buf_puts(b, "{\"address\":");
  kpw_json_str(b, q->text);
  if (!q->found) {
    kpw_buf_puts(b, ",\"found\":false}\n");
    return;
  }
  uint32_t size = c->size[q->cid];
  kpw_buf_puts(b, ",\"found\":true,\"cluster\":");
  kpw_json_int(b, q->cid);
  kpw_buf_puts(b, ",\"size\":");
  kpw_json_int(b, size);
  kpw_buf_puts(b, ",\"members\":[");
  for (uint32_t i = 0; i < q->n_members; i++) {
    if (i) kpw_buf_putc(b, ',');
    kpw_cidx_addr_string(ix, q->members[i], s, sizeof s);
    kpw_json_str(b, s);
  }
  kpw_buf_puts(b, "],\"members_truncated\":");
  kpw_buf_puts(b, q->n_members < size ? "true" : "false");
  /* Merges in chain order: each one names the tx whose common input joined
  ** the cluster rooted at `address` into the rest. */
  uint32_t *pairs = kpw_xmalloc(((size_t)q->n_merges + 1) * 2 * sizeof(uint32_t));
  for (uint32_t i = 0; i < q->n_merges; i++) { pairs[2 * i] = q->mtx[i]; pairs[2 * i + 1] = q->maddr[i]; }
  qsort(pairs, q->n_merges, 2 * sizeof(uint32_t), cmp_pair);
  kpw_buf_puts(b, ",\"merges\":[");
  for (uint32_t i = 0; i < q->n_merges; i++) {
    if (i) kpw_buf_putc(b, ',');
    kpw_buf_puts(b, "{\"tx\":");
    put_txid(b, ix, pairs[2 * i]);
    kpw_buf_puts(b, ",\"height\":");
    kpw_json_int(b, tx_height(ix, pairs[2 * i], NULL));
    kpw_buf_puts(b, ",\"address\":");
    kpw_cidx_addr_string(ix, pairs[2 * i + 1], s, sizeof s);
    kpw_json_str(b, s);
    kpw_buf_putc(b, '}');
  }
  free(pairs);
  kpw_buf_puts(b, "],\"merges_total\":");
  kpw_json_int(b, size ? size - 1 : 0);
  kpw_buf_puts(b, "}\n");
}

/* One pass over the cluster column fills every query's members (smallest
** address ids first) and earliest merges. */
static void scan_queries(query *qs, size_t nq, const kpw_clustering *c, uint32_t limit) {
  for (uint32_t a = 0; a < c->n_addrs; a++) {
    uint32_t cid = c->cluster[a];
    for (size_t k = 0; k < nq; k++) {
      query *q = &qs[k];
      if (!q->found || q->cid != cid) continue;
      if (q->n_members < limit) q->members[q->n_members++] = a;
      if (c->merge_tx[a] != KPW_CLUSTER_NONE) add_merge(q, limit, c->merge_tx[a], a);
    }
  }
}

/* --------------------------------------------------------------- main */
/* Output values through the index (4-byte column with a side table). */
static uint64_t index_value(const void *ctx, uint32_t o) {
  return kpw_cidx_out_value((const kpw_cidx *)ctx, o);
}

int cmd_chain_cluster(int argc, char **argv) {
  const char *dir = NULL;
  bool stats = false, findings = false, rebuild = false;
  uint32_t members_limit = 1000;
  kpw_cluster_opts opts = {0};
  const char **addrs = kpw_xcalloc((size_t)argc + 1, sizeof *addrs);
  size_t n_addrs = 0;
  int rc_exit = EXIT_OK;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool has_next = i + 1 < argc;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help(); free(addrs); return EXIT_OK; }
    if (!strcmp(a, "--stats")) { stats = true; continue; }
    if (!strcmp(a, "--findings")) { findings = true; continue; }
    if (!strcmp(a, "--force")) { opts.force = true; continue; }
    if (!strcmp(a, "--rebuild")) { rebuild = true; continue; }
    if (!strcmp(a, "--no-coinjoin-filter")) { opts.no_coinjoin_filter = true; continue; }
    if (!strcmp(a, "--index") || !strcmp(a, "--address") || !strcmp(a, "--collapse-limit") ||
        !strcmp(a, "--members-limit")) {
      if (!has_next) { free(addrs); return cli_usage_error(CMD, "%s needs a value", a); }
      const char *v = argv[++i];
      if (!strcmp(a, "--index")) dir = v;
      else if (!strcmp(a, "--address")) addrs[n_addrs++] = v;
      else if (!strcmp(a, "--collapse-limit")) {
        if (!parse_u32(v, 1, &opts.collapse_limit)) {
          free(addrs);
          return cli_usage_error(CMD, "--collapse-limit wants a whole number >= 1, not '%s'", v);
        }
      } else if (!parse_u32(v, 0, &members_limit)) {
        free(addrs);
        return cli_usage_error(CMD, "--members-limit wants a whole number >= 0, not '%s'", v);
      }
      continue;
    }
    free(addrs);
    if (a[0] == '-') return cli_usage_error(CMD, "unknown option '%s'", a);
    return cli_usage_error(CMD, "unexpected argument '%s'", a);
  }
  if (!dir) { free(addrs); return cli_usage_error(CMD, "--index DIR is required"); }
  if (!stats && !findings && !n_addrs) stats = true;

  kpw_error err = {0};
  kpw_cidx *ix = NULL;
  kpw_clustering *c = NULL;
  query *qs = NULL;
  kpw_buf out;
  kpw_buf_init(&out);
  kpw_result rc = kpw_cidx_open(dir, &ix, &err);
  if (rc != KPW_OK) goto fail;
  kpw_cidx_counts n;
  kpw_cidx_get_counts(ix, &n);

  double t0 = mono_s();
  bool reused = false;
  if (!rebuild && kpw_cluster_is_fresh(dir, n.txs, n.addrs, &opts)) {
    rc = kpw_cluster_load(dir, &c, &err);
    if (rc == KPW_OK) reused = true;
    else if (!g_cli.quiet) {
      char buf[1024];
      fprintf(stderr, "kpwatch: %s: saved clustering unusable, recomputing: %s\n", CMD,
              kpw_error_format(&err, buf, sizeof buf));
    }
  }
  if (!reused) {
    kpw_cluster_src src = {
      .n_txs = n.txs, .n_outs = n.outs, .n_ins = n.ins, .n_addrs = n.addrs,
      .tx_first_in = kpw_cidx_tx_first_in(ix), .tx_first_out = kpw_cidx_tx_first_out(ix),
      .out_values = NULL, .out_value = index_value, .value_ctx = ix,
      .out_addrs = kpw_cidx_out_addrs(ix), .in_prevouts = kpw_cidx_in_prevouts(ix),
    };
    bool prog = cli_progress_enabled();
    if (prog) { opts.progress = progress; opts.progress_ctx = NULL; }
    rc = kpw_cluster_compute(&src, &opts, &c, &err);
    if (prog) fputs("\r\033[K", stderr);
    if (rc != KPW_OK) goto fail;
    /* A read-only index still gets its answer; only reuse is lost. */
    if (kpw_cluster_save(c, dir, &err) != KPW_OK && !g_cli.quiet) {
      char buf[1024];
      fprintf(stderr, "kpwatch: %s: result not saved: %s\n", CMD, kpw_error_format(&err, buf, sizeof buf));
    }
    kpw_error_clear(&err);
  }
  if (!g_cli.quiet)
    fprintf(stderr, "kpwatch: %s: %u addresses in %u clusters (largest %u), %s in %.2f s\n", CMD,
            c->n_addrs, c->n_clusters, c->largest, reused ? "saved result reused" : "computed and saved",
            mono_s() - t0);
  if (!reused && (c->refused || c->forced) && !g_cli.quiet)
    fprintf(stderr, "kpwatch: %s: %llu merges %s by the collapse guard (--findings lists them)\n", CMD,
            (unsigned long long)(c->refused + c->forced), c->force ? "forced through" : "refused");

  if (findings) {
    fflush(stdout);
    rc = write_findings(c, ix, dir, &err);
    if (rc != KPW_OK) goto fail;
  }
  if (n_addrs) {
    qs = kpw_xcalloc(n_addrs, sizeof *qs);
    for (size_t k = 0; k < n_addrs; k++) {
      query *q = &qs[k];
      q->text = addrs[k];
      q->found = kpw_cidx_find_addr(ix, addrs[k], &q->addr) && q->addr < c->n_addrs;
      if (!q->found) continue;
      q->cid = c->cluster[q->addr];
      q->members = kpw_xmalloc(((size_t)members_limit + 1) * sizeof(uint32_t));
      q->mtx = kpw_xmalloc(((size_t)members_limit + 1) * sizeof(uint32_t));
      q->maddr = kpw_xmalloc(((size_t)members_limit + 1) * sizeof(uint32_t));
    }
    scan_queries(qs, n_addrs, c, members_limit);
    for (size_t k = 0; k < n_addrs; k++) query_json(&out, &qs[k], c, ix);
  }
  if (stats) {
    kpw_cluster_stats_json(c, &out);
    kpw_buf_putc(&out, '\n');
  }
  if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
    rc = kpw_error_set(&err, KPW_EIO, "stdout", 0, 0, "write failed");
    goto fail;
  }
  if (fflush(stdout) != 0) {
    rc = kpw_error_set(&err, KPW_EIO, "stdout", 0, 0, "write failed");
    goto fail;
  }
  goto done;

fail:
  rc_exit = cli_fail(&err);
done:
  if (qs)
    for (size_t k = 0; k < n_addrs; k++) { free(qs[k].members); free(qs[k].mtx); free(qs[k].maddr); }
  free(qs);
  kpw_buf_free(&out);
  kpw_cluster_free(c);
  if (ix) kpw_cidx_close(ix);
  free(addrs);
  return rc_exit;
}
