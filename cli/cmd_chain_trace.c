/*
** cmd_chain_trace.c -- `kpwatch chain trace`: follow funds through a chain
** index from seeds (addresses, txid:vout outpoints, or files of them) to
** tagged cash-out points (forward) or to their sources (backward), and
** write one `taint_reach` finding per service reached, with the amount in
** satoshis and, per deposit, the path and its per-hop evidence.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "kpw/chain.h"
#include "kpw/chainidx.h"
#include "kpw/tags.h"
#include "kpw/taint.h"
#include "kpw/trace.h"

#define MAX_PATH_OUTS 100000

static void help_trace(void) {
  printf(
    "usage: kpwatch chain trace --index DIR --from SEED... [options]\n\n"
    "Follows funds through a chain index (kpwatch chain index) and writes one\n"
    "taint_reach finding (JSON line, docs/findings.md) per service reached.\n\n"
    "Seeds (--from, repeatable): a Bitcoin address (every output paid to it),\n"
    "an outpoint TXID:VOUT, or a file with one of those per line (# comments).\n\n"
    "options:\n"
    "  --index DIR            the chain index\n"
    "  --from SEED|FILE       where the funds start (forward) or end (backward)\n"
    "  --method M             poison | haircut (default) | fifo | lifo | tiho\n"
    "  --fee P                to-miner (default): fee taint goes to the block's\n"
    "                         coinbase and is followed; pro-rata: inputs pay the\n"
    "                         fee pro rata and that taint is not followed\n"
    "  --direction D          forward (default): to cash-out points;\n"
    "                         backward: from a deposit to its sources\n"
    "  --tags FILE            address tags: GraphSense TagPack YAML, OFAC\n"
    "                         sanctioned_addresses_*.txt, CSV (address,label,\n"
    "                         actor,category); repeatable\n"
    "  -l, --list FILE        a screening list: its crypto addresses are tagged\n"
    "                         with the listed entity (repeatable)\n"
    "  --stop-category C      also stop at addresses of this tag category\n"
    "                         (exchange always stops a forward trace)\n"
    "  --max-hops N           do not follow taint more than N transactions\n"
    "  --until-height H       forward: stop after block H\n"
    "  --since-height H       backward: stop before block H\n"
    "  --min-taint SAT        drop taint below SAT satoshis (default 0: exact)\n"
    "  --max-paths N          paths written per finding (default 1000)\n"
    "  --summary              end with one JSON line {\"summary\":{...}} of totals\n"
    "  (global --db FILE)     also store the findings in the SQLite store\n\n"
    "The rules of each method are in docs/taint-methods.md; amounts are exact\n"
    "integer satoshis. Exit codes: 0 ok; 2 usage; 3 bad input; 4 I/O error.\n");
}

/* Seed outputs, and the seed addresses (a bit per address id) whose
** outputs are added by one scan of the output column at the end. */
typedef struct seeds { uint32_t *v; size_t n, cap; uint8_t *addr_bits; size_t n_addrs; } seeds;

static bool seeds_push(seeds *s, uint32_t o) {
  if (s->n == s->cap) {
    size_t c = s->cap ? s->cap * 2 : 64;
    uint32_t *p = realloc(s->v, c * sizeof *p);
    if (!p) return false;
    s->v = p;
    s->cap = c;
  }
  s->v[s->n++] = o;
  return true;
}

/* One seed string: outpoint or address. Returns false with err filled. */
static bool add_seed(const kpw_cidx *ix, const char *s, seeds *out, const char *src, uint64_t line, kpw_error *err) {
  uint32_t o, a;
  if (strchr(s, ':') && strlen(s) > 65) {
    if (!kpw_cidx_parse_outpoint(ix, s, &o)) {
      kpw_error_set(err, KPW_EINPUT, src, line, 0, "outpoint '%s' is not in the index (or not TXID:VOUT)", s);
      return false;
    }
    if (!seeds_push(out, o)) { kpw_error_set(err, KPW_ENOMEM, src, line, 0, "out of memory"); return false; }
    return true;
  }
  if (!kpw_cidx_find_addr(ix, s, &a)) {
    kpw_error_set(err, KPW_EINPUT, src, line, 0, "address '%s' never received funds in the index", s);
    return false;
  }
  if (!out->addr_bits) {
    kpw_cidx_counts c;
    kpw_cidx_get_counts(ix, &c);
    if (!(out->addr_bits = calloc((size_t)c.addrs / 8 + 1, 1))) {
      kpw_error_set(err, KPW_ENOMEM, src, line, 0, "out of memory");
      return false;
    }
  }
  out->addr_bits[a / 8] |= (uint8_t)(1u << (a % 8));
  out->n_addrs++;
  return true;
}

/* Every output paid to a seed address becomes a seed (one pass). */
static bool add_address_outputs(const kpw_cidx *ix, seeds *out, kpw_error *err) {
  if (!out->n_addrs) return true;
  kpw_cidx_counts c;
  kpw_cidx_get_counts(ix, &c);
  const uint32_t *oa = kpw_cidx_out_addrs(ix);
  for (uint32_t k = 0; k < c.outs; k++)
    if (oa[k] != KPW_CIDX_NONE && (out->addr_bits[oa[k] / 8] >> (oa[k] % 8) & 1) && !seeds_push(out, k)) {
      kpw_error_set(err, KPW_ENOMEM, "--from", 0, 0, "out of memory");
      return false;
    }
  return true;
}

static bool add_seed_arg(const kpw_cidx *ix, const char *arg, seeds *out, kpw_error *err) {
  FILE *f = strchr(arg, ':') ? NULL : fopen(arg, "r");
  if (!f) return add_seed(ix, arg, out, "--from", 0, err);
  char line[512];
  uint64_t ln = 0;
  bool ok = true;
  while (ok && fgets(line, sizeof line, f)) {
    ln++;
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    size_t l = strcspn(p, "\r\n#, \t");
    p[l] = 0;
    if (!l) continue;
    ok = add_seed(ix, p, out, arg, ln, err);
  }
  fclose(f);
  return ok;
}

static void put_outpoint(kpw_buf *b, const kpw_cidx *ix, uint32_t o) {
  uint32_t tx = kpw_cidx_out_tx(ix, o);
  char hex[65], buf[100];
  kpw_hash_hex(kpw_cidx_txids(ix) + (size_t)tx * 32, hex);
  snprintf(buf, sizeof buf, "%s:%u", hex, o - kpw_cidx_tx_first_out(ix)[tx]);
  kpw_json_str(b, buf);
}

static void put_txid(kpw_buf *b, const kpw_cidx *ix, uint32_t tx) {
  char hex[65];
  kpw_hash_hex(kpw_cidx_txids(ix) + (size_t)tx * 32, hex);
  kpw_json_str(b, hex);
}

static void put_tags(kpw_buf *b, const kpw_tag *tags, size_t n) {
  kpw_buf_putc(b, '[');
  for (size_t i = 0; i < n; i++) {
    if (i) kpw_buf_putc(b, ',');
    kpw_buf_puts(b, "{\"label\":");
    kpw_json_str(b, tags[i].label);
    kpw_buf_puts(b, ",\"actor\":");
    kpw_json_str(b, tags[i].actor);
    kpw_buf_puts(b, ",\"category\":");
    kpw_json_str(b, tags[i].category);
    kpw_buf_puts(b, ",\"source\":");
    kpw_json_str(b, tags[i].file);
    kpw_buf_putc(b, '}');
  }
  kpw_buf_putc(b, ']');
}

/* One element of a path: the output, its transaction and the evidence. */
static void put_hop(kpw_buf *b, const kpw_cidx *ix, const kpw_trace *t, uint32_t o, bool backward) {
  uint32_t hop, tx = kpw_cidx_out_tx(ix, o), via = kpw_trace_via(t, o);
  int64_t taint = kpw_trace_taint_of(t, o, &hop);
  const uint32_t *fo = kpw_cidx_tx_first_out(ix), *fi = kpw_cidx_tx_first_in(ix);
  kpw_cidx_block blk;
  kpw_cidx_get_block(ix, kpw_cidx_tx_block(ix, tx), &blk);
  char addr[128];
  uint32_t a = kpw_cidx_out_addrs(ix)[o];
  kpw_buf_puts(b, "{\"txid\":");
  put_txid(b, ix, tx);
  kpw_buf_puts(b, ",\"vout\":");
  kpw_json_int(b, o - fo[tx]);
  kpw_buf_puts(b, ",\"height\":");
  kpw_json_int(b, blk.height);
  kpw_buf_puts(b, ",\"inputs\":");
  kpw_json_int(b, fi[tx + 1] - fi[tx]);
  kpw_buf_puts(b, ",\"outputs\":");
  kpw_json_int(b, fo[tx + 1] - fo[tx]);
  kpw_buf_puts(b, ",\"address\":");
  if (kpw_cidx_addr_string(ix, a, addr, sizeof addr)) kpw_json_str(b, addr);
  else kpw_buf_puts(b, "null");
  kpw_buf_puts(b, ",\"value\":");
  kpw_json_int(b, (int64_t)kpw_cidx_out_value(ix, o));
  kpw_buf_puts(b, backward ? ",\"marked\":" : ",\"taint\":");
  kpw_json_int(b, taint);
  kpw_buf_puts(b, ",\"hop\":");
  kpw_json_int(b, hop);
  if (!backward && via != tx && via != KPW_CIDX_NONE) {
    kpw_buf_puts(b, ",\"fee_of\":");
    put_txid(b, ix, via);
  }
  if (backward && via != KPW_CIDX_NONE && via != tx) {
    kpw_buf_puts(b, ",\"spent_in\":");
    put_txid(b, ix, via);
  }
  const kpw_tag *tags;
  size_t nt = kpw_trace_addr_tags(t, a, &tags);
  if (nt) {
    kpw_buf_puts(b, ",\"tags\":");
    put_tags(b, tags, nt);
  }
  kpw_buf_putc(b, '}');
}

/* A forward path with runs of peel transactions (1 input, 2 outputs, the
** taint continuing on the larger output) folded into one entry. */
static void put_summary(kpw_buf *b, const kpw_cidx *ix, const uint32_t *path, size_t n) {
  const uint32_t *fo = kpw_cidx_tx_first_out(ix), *fi = kpw_cidx_tx_first_in(ix);
  kpw_buf_putc(b, '[');
  bool first = true;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    int64_t peeled = 0;
    while (j < n) {
      uint32_t o = path[j], tx = kpw_cidx_out_tx(ix, o);
      if (fi[tx + 1] - fi[tx] != 1 || fo[tx + 1] - fo[tx] != 2) break;
      uint32_t other = o == fo[tx] ? fo[tx] + 1 : fo[tx];
      if (kpw_cidx_out_value(ix, other) > kpw_cidx_out_value(ix, o) && j + 1 < n) break;   /* the path left on the smaller output */
      peeled += (int64_t)kpw_cidx_out_value(ix, other);
      j++;
    }
    if (!first) kpw_buf_putc(b, ',');
    first = false;
    if (j - i >= 3) {
      kpw_buf_puts(b, "{\"peel_chain\":{\"hops\":");
      kpw_json_int(b, (int64_t)(j - i));
      kpw_buf_puts(b, ",\"first_txid\":");
      put_txid(b, ix, kpw_cidx_out_tx(ix, path[i]));
      kpw_buf_puts(b, ",\"last_txid\":");
      put_txid(b, ix, kpw_cidx_out_tx(ix, path[j - 1]));
      kpw_buf_puts(b, ",\"peeled_sat\":");
      kpw_json_int(b, peeled);
      kpw_buf_puts(b, "}}");
      i = j;
    } else {
      put_txid(b, ix, kpw_cidx_out_tx(ix, path[i]));
      i++;
    }
  }
  kpw_buf_putc(b, ']');
}

typedef struct group { const char *key; const kpw_tag *tag; int64_t amount; size_t first, count; } group;

static const char *hit_key(const kpw_trace_hit *h, bool backward) {
  if (h->stop_tag) return h->stop_tag->label ? h->stop_tag->label : h->stop_tag->actor ? h->stop_tag->actor : "tagged";
  if (!backward) return "untagged";
  return h->out == KPW_CIDX_NONE ? "outside the index" : "coinbase";
}

static int write_findings(const kpw_cidx *ix, const kpw_trace *t, const kpw_trace_opts *o, size_t max_paths,
                          const seeds *sd, kpw_store *store, kpw_error *err) {
  const kpw_trace_hit *hits;
  size_t n = kpw_trace_hits(t, &hits);
  const kpw_trace_stats *st = kpw_trace_get_stats(t);
  /* group hits by service (stable: first-seen order) */
  group *g = calloc(n + 1, sizeof *g);
  size_t *order = calloc(n + 1, sizeof *order);
  uint32_t *path = malloc(MAX_PATH_OUTS * sizeof *path);
  if (!g || !order || !path) { free(g); free(order); free(path); return EXIT_IOERR; }
  size_t ng = 0;
  for (size_t i = 0; i < n; i++) {
    const char *k = hit_key(&hits[i], o->backward);
    size_t gi = 0;
    while (gi < ng && strcmp(g[gi].key, k)) gi++;
    if (gi == ng) { g[ng].key = k; g[ng].tag = hits[i].stop_tag; ng++; }
    g[gi].amount += hits[i].amount;
    g[gi].count++;
  }
  kpw_buf b;
  kpw_buf_init(&b);
  int rc = EXIT_OK;
  for (size_t gi = 0; gi < ng && rc == EXIT_OK; gi++) {
    kpw_buf_reset(&b);
    kpw_buf detail;
    kpw_buf_init(&detail);
    kpw_buf_puts(&detail, "{\"direction\":");
    kpw_json_str(&detail, o->backward ? "backward" : "forward");
    kpw_buf_puts(&detail, ",\"method\":");
    kpw_json_str(&detail, kpw_taint_method_name(o->method));
    kpw_buf_puts(&detail, ",\"fee\":");
    kpw_json_str(&detail, kpw_fee_policy_name(o->fee));
    kpw_buf_puts(&detail, ",\"service\":");
    kpw_json_str(&detail, g[gi].key);
    kpw_buf_puts(&detail, ",\"actor\":");
    kpw_json_str(&detail, g[gi].tag ? g[gi].tag->actor : NULL);
    kpw_buf_puts(&detail, ",\"category\":");
    kpw_json_str(&detail, g[gi].tag ? g[gi].tag->category : NULL);
    kpw_buf_puts(&detail, ",\"amount_sat\":");
    kpw_json_int(&detail, g[gi].amount);
    kpw_buf_puts(&detail, ",\"seed_sat\":");
    kpw_json_int(&detail, st->seed_amount);
    kpw_buf_puts(&detail, ",\"seeds\":");
    kpw_json_int(&detail, (int64_t)sd->n);
    kpw_buf_puts(&detail, o->backward ? ",\"sources\":[" : ",\"deposits\":[");
    size_t written = 0;
    const char *subject_addr = NULL;
    char first_addr[128] = "";
    uint32_t min_hop = UINT32_MAX, max_hop = 0;
    for (size_t i = 0; i < n; i++) {
      const kpw_trace_hit *h = &hits[i];
      if (strcmp(hit_key(h, o->backward), g[gi].key)) continue;
      if (h->hop < min_hop) min_hop = h->hop;
      if (h->hop > max_hop) max_hop = h->hop;
      if (written) kpw_buf_putc(&detail, ',');
      kpw_buf_puts(&detail, "{\"outpoint\":");
      if (h->out != KPW_CIDX_NONE) put_outpoint(&detail, ix, h->out);
      else kpw_buf_puts(&detail, "null");
      kpw_buf_puts(&detail, ",\"address\":");
      char addr[128] = "";
      if (h->out != KPW_CIDX_NONE && kpw_cidx_addr_string(ix, kpw_cidx_out_addrs(ix)[h->out], addr, sizeof addr)) {
        kpw_json_str(&detail, addr);
        if (!first_addr[0]) { memcpy(first_addr, addr, sizeof addr); subject_addr = first_addr; }
      } else {
        kpw_buf_puts(&detail, "null");
      }
      kpw_buf_puts(&detail, ",\"amount_sat\":");
      kpw_json_int(&detail, h->amount);
      kpw_buf_puts(&detail, ",\"hops\":");
      kpw_json_int(&detail, h->hop);
      if (h->out == KPW_CIDX_NONE) {
        kpw_buf_puts(&detail, ",\"spent_in\":");
        put_txid(&detail, ix, h->tx);
      }
      if (written < max_paths && h->out != KPW_CIDX_NONE) {
        size_t pn = kpw_trace_path(t, h, path, MAX_PATH_OUTS);
        kpw_buf_puts(&detail, ",\"path\":[");
        for (size_t k = 0; k < pn; k++) {
          if (k) kpw_buf_putc(&detail, ',');
          put_hop(&detail, ix, t, path[k], o->backward);
        }
        kpw_buf_putc(&detail, ']');
        if (!o->backward) {
          kpw_buf_puts(&detail, ",\"path_summary\":");
          put_summary(&detail, ix, path, pn);
        }
      }
      kpw_buf_putc(&detail, '}');
      written++;
    }
    kpw_buf_puts(&detail, "]");
    const kpw_trace_met *met;
    size_t nm = kpw_trace_met_tags(t, &met);
    kpw_buf_puts(&detail, ",\"tagged_on_the_way\":[");
    for (size_t k = 0; k < nm; k++) {
      char addr[128];
      if (k) kpw_buf_putc(&detail, ',');
      kpw_buf_puts(&detail, "{\"address\":");
      if (kpw_cidx_addr_string(ix, met[k].addr, addr, sizeof addr)) kpw_json_str(&detail, addr);
      else kpw_buf_puts(&detail, "null");
      kpw_buf_puts(&detail, ",\"taint_sat\":");
      kpw_json_int(&detail, met[k].amount);
      kpw_buf_puts(&detail, ",\"hop\":");
      kpw_json_int(&detail, met[k].hop);
      kpw_buf_puts(&detail, ",\"tags\":");
      put_tags(&detail, met[k].tags, met[k].n_tags);
      kpw_buf_putc(&detail, '}');
    }
    kpw_buf_puts(&detail, "]}");
    const char *subjects[2];
    char subj0[160], subj1[200];
    size_t ns = 0;
    if (subject_addr) { snprintf(subj0, sizeof subj0, "btc:%s", subject_addr); subjects[ns++] = subj0; }
    snprintf(subj1, sizeof subj1, "service:%s", g[gi].key);
    subjects[ns++] = subj1;
    char explain[512];
    snprintf(explain, sizeof explain, "%s%lld sat of %lld sat %s %s (%zu %s, %u-%u hops; %s, fee %s)",
             o->method == KPW_TAINT_POISON ? "poison: " : "", (long long)g[gi].amount, (long long)st->seed_amount,
             o->backward ? "came from" : "reached", g[gi].key, g[gi].count,
             o->backward ? (g[gi].count == 1 ? "source" : "sources") : (g[gi].count == 1 ? "deposit" : "deposits"),
             min_hop, max_hop, kpw_taint_method_name(o->method), kpw_fee_policy_name(o->fee));
    kpw_finding f = {0};
    f.kind = "taint_reach";
    f.subjects = subjects;
    f.n_subjects = ns;
    f.start_us = f.end_us = KPW_TIME_NONE;
    f.score = st->seed_amount > 0 ? (double)g[gi].amount / (double)st->seed_amount : 0;
    if (f.score > 1) f.score = 1;
    f.explain = explain;
    f.detail_json = detail.data;
    kpw_result r = kpw_finding_write_jsonl(&f, stdout, err);
    if (!r && store) r = kpw_store_put_finding(store, &f, err);
    kpw_buf_free(&detail);
    if (r) rc = cli_fail(err);
  }
  kpw_buf_free(&b);
  free(g);
  free(order);
  free(path);
  return rc;
}

static void progress_cb(void *ctx, uint64_t done, uint64_t total) {
  (void)ctx;
  fprintf(stderr, "\rkpwatch chain trace: %llu/%llu transactions   ", (unsigned long long)done, (unsigned long long)total);
  fflush(stderr);
}

int cmd_chain_trace(int argc, char **argv) {
  const char *dir = NULL;
  const char **from = calloc((size_t)argc, sizeof *from), **tagfiles = calloc((size_t)argc, sizeof *tagfiles);
  const char **lists = calloc((size_t)argc, sizeof *lists), **stops = calloc((size_t)argc + 1, sizeof *stops);
  size_t n_from = 0, n_tags = 0, n_lists = 0, n_stops = 0, max_paths = 1000;
  bool summary = false;
  kpw_trace_opts o = {0};
  o.method = KPW_TAINT_HAIRCUT;
  o.fee = KPW_FEE_TO_MINER;
  o.until_height = o.since_height = -1;
  int rc = -1;
  if (!from || !tagfiles || !lists || !stops) rc = EXIT_IOERR;
  for (int i = 1; i < argc && rc < 0; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    bool takes = true;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help_trace(); rc = EXIT_OK; break; }
    if (!strcmp(a, "--summary")) { summary = true; continue; }
    if (!v) { rc = cli_usage_error("chain trace", "%s needs a value (or is unknown)", a); break; }
    if (!strcmp(a, "--index")) dir = v;
    else if (!strcmp(a, "--from")) from[n_from++] = v;
    else if (!strcmp(a, "--tags")) tagfiles[n_tags++] = v;
    else if (!strcmp(a, "-l") || !strcmp(a, "--list")) lists[n_lists++] = v;
    else if (!strcmp(a, "--stop-category")) stops[n_stops++] = v;
    else if (!strcmp(a, "--method")) {
      if (!kpw_taint_method_parse(v, &o.method)) rc = cli_usage_error("chain trace", "unknown --method '%s' (poison, haircut, fifo, lifo, tiho)", v);
    } else if (!strcmp(a, "--fee")) {
      if (!kpw_fee_policy_parse(v, &o.fee)) rc = cli_usage_error("chain trace", "unknown --fee '%s' (to-miner, pro-rata)", v);
    } else if (!strcmp(a, "--direction")) {
      if (!strcmp(v, "forward")) o.backward = false;
      else if (!strcmp(v, "backward")) o.backward = true;
      else rc = cli_usage_error("chain trace", "--direction is forward or backward, not '%s'", v);
    } else {
      char *end;
      errno = 0;
      long long x = strtoll(v, &end, 10);
      bool num = !errno && *end == 0 && end != v && x >= 0;
      if (!strcmp(a, "--max-hops") && num && x <= UINT32_MAX) o.max_hops = (uint32_t)x;
      else if (!strcmp(a, "--until-height") && num) o.until_height = x;
      else if (!strcmp(a, "--since-height") && num) o.since_height = x;
      else if (!strcmp(a, "--min-taint") && num) o.min_taint = x;
      else if (!strcmp(a, "--max-paths") && num) max_paths = (size_t)x;
      else if (!strcmp(a, "--max-hops") || !strcmp(a, "--until-height") || !strcmp(a, "--since-height") ||
               !strcmp(a, "--min-taint") || !strcmp(a, "--max-paths"))
        rc = cli_usage_error("chain trace", "%s needs a non-negative integer, not '%s'", a, v);
      else { rc = cli_usage_error("chain trace", "unknown option '%s'", a); takes = false; }
    }
    if (takes) i++;
  }
  if (rc < 0 && !dir) rc = cli_usage_error("chain trace", "--index DIR is required");
  if (rc < 0 && !n_from) rc = cli_usage_error("chain trace", "no --from seed");
  kpw_cidx *ix = NULL;
  kpw_tagset *ts = NULL;
  kpw_listset *ls = NULL;
  kpw_trace *t = NULL;
  seeds sd = {0};
  kpw_error err = {0};
  if (rc < 0 && kpw_cidx_open(dir, &ix, &err)) rc = cli_fail(&err);
  for (size_t i = 0; rc < 0 && i < n_from; i++)
    if (!add_seed_arg(ix, from[i], &sd, &err)) rc = cli_fail(&err);
  if (rc < 0 && !add_address_outputs(ix, &sd, &err)) rc = cli_fail(&err);
  if (rc < 0 && !(ts = kpw_tagset_new())) rc = EXIT_IOERR;
  for (size_t i = 0; rc < 0 && i < n_tags; i++)
    if (kpw_tagset_load(ts, tagfiles[i], &err)) rc = cli_fail(&err);
  if (rc < 0 && n_lists) {
    ls = kpw_listset_new();
    if (!ls) rc = EXIT_IOERR;
    else if (cli_load_lists(ls, lists, n_lists, &err)) rc = cli_fail(&err);
    else kpw_tagset_add_listset(ts, ls);
  }
  if (rc < 0) {
    o.stop_categories = n_stops ? stops : NULL;
    if (cli_progress_enabled()) o.progress = progress_cb;
    kpw_result r = kpw_trace_run(ix, ts, sd.v, sd.n, &o, &t, &err);
    if (o.progress) fprintf(stderr, "\n");
    if (r) rc = cli_fail(&err);
  }
  kpw_store *store = NULL;
  if (rc < 0 && g_cli.db && kpw_store_open(g_cli.db, &store, &err)) rc = cli_fail(&err);
  if (rc < 0 && store && kpw_store_begin(store, &err)) rc = cli_fail(&err);
  if (rc < 0) rc = write_findings(ix, t, &o, max_paths, &sd, store, &err);
  if (store) {
    if (rc < 0 || rc == EXIT_OK) { if (kpw_store_commit(store, &err)) rc = cli_fail(&err); }
    kpw_store_close(store);
  }
  if (rc == EXIT_OK && t) {
    const kpw_trace_stats *st = kpw_trace_get_stats(t);
    char line[1024];
    snprintf(line, sizeof line,
             "{\"summary\":{\"direction\":\"%s\",\"method\":\"%s\",\"fee\":\"%s\",\"seeds\":%zu,\"seed_sat\":%lld,"
             "\"reached_sat\":%lld,\"to_miners_sat\":%lld,\"to_fees_sat\":%lld,\"hop_limited_sat\":%lld,"
             "\"dropped_small_sat\":%lld,\"unspent_sat\":%lld,\"txs_visited\":%llu,\"txs_tainted\":%llu,"
             "\"outputs_tainted\":%llu,\"first_height\":%lld,\"last_height\":%lld}}\n",
             o.backward ? "backward" : "forward", kpw_taint_method_name(o.method), kpw_fee_policy_name(o.fee), sd.n,
             (long long)st->seed_amount, (long long)st->reached, (long long)st->to_miners, (long long)st->to_fees,
             (long long)st->hop_limited, (long long)st->dropped_small, (long long)st->unspent,
             (unsigned long long)st->txs_visited, (unsigned long long)st->txs_tainted,
             (unsigned long long)st->outputs_tainted, (long long)st->first_height, (long long)st->last_height);
    if (summary) fputs(line, stdout);
    else if (!g_cli.quiet) fputs(line + 0, stderr);
    if (fflush(stdout)) rc = EXIT_IOERR;
  }
  kpw_trace_free(t);
  kpw_tagset_free(ts);
  if (ls) kpw_listset_free(ls);
  kpw_cidx_close(ix);
  free(sd.v);
  free(sd.addr_bits);
  free(from); free(tagfiles); free(lists); free(stops);
  return rc < 0 ? EXIT_OK : rc;
}
