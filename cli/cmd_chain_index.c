/*
** cmd_chain_index.c -- `kpwatch chain index` (build or extend the chain
** index) and `kpwatch chain info` (what an index holds, with the checks an
** investigator wants before trusting it: linkage, supply, unresolved inputs).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include "cli.h"
#include "kpw/chain.h"
#include "kpw/chainidx.h"
#include <openssl/evp.h>

static void help_index(void) {
  printf(
    "usage: kpwatch chain index --out DIR [options] INPUT...\n\n"
    "Builds a compact columnar index of a Bitcoin chain in DIR, or extends the\n"
    "index already there. INPUT is any mix of:\n"
    "  a Bitcoin Core blocks/ directory (its blk*.dat files, in name order),\n"
    "  blk*.dat files (network magic + length framing; xor.dat beside them is\n"
    "  applied), raw serialized blocks, either compressed with bzip2 or zstd;\n"
    "or, in a run of their own, bitcoin-etl JSON lines of transactions (the\n"
    "BigQuery crypto_bitcoin.transactions schema: hash, block_number,\n"
    "block_timestamp, inputs[spent_transaction_hash, spent_output_index],\n"
    "outputs[addresses, value]), in chain order.\n\n"
    "Blocks are put in chain order by their headers (the longest chain that\n"
    "extends the index wins; blocks off it are counted as stale and skipped).\n"
    "Every merkle root is checked. Inputs are linked to the outputs they spend\n"
    "by an external sort/merge, so memory stays bounded by --sort-mem plus the\n"
    "address table. Blocks already in the index are skipped: rerunning the same\n"
    "command after a crash (even kill -9) or with more blk files resumes and\n"
    "gives byte-identical files.\n\n"
    "options:\n"
    "  --out DIR           the index directory (created if absent)\n"
    "  --commit-every N    make the work durable every N transactions\n"
    "                      (default 2000000)\n"
    "  --sort-mem MB       RAM for each external sort before it spills to DIR\n"
    "                      (default 256)\n\n"
    "Prints one JSON line: {\"blocks\",\"txs\",\"outs\",\"ins\",\"addresses\",\n"
    "\"first_height\",\"tip_height\",\"added_blocks\",\"stale_blocks\",\n"
    "\"known_blocks\",\"unresolved_prevouts\",\"bytes\",\"bytes_per_tx\"}.\n"
    "Progress goes to stderr (not with --quiet).\n\n"
    "Exit codes: 0 ok; 2 usage; 3 bad input (the file and byte offset or line\n"
    "are named; every block before the error is indexed and kept); 4 I/O error.\n"
    "Format and guarantees: docs/chain-index.md.\n");
}

static void help_info(void) {
  printf(
    "usage: kpwatch chain info --index DIR\n\n"
    "Prints one JSON line describing a chain index: counts, the first and last\n"
    "height, whether every block names the previous one (\"linked\"), the total\n"
    "created by coinbase transactions, the total of unspent outputs, the fees\n"
    "(inputs minus outputs of the other transactions), the inputs that spend\n"
    "an output outside the index, the bytes on disk per transaction, and\n"
    "content_sha256: a digest of the indexed content (blocks, txids, output\n"
    "values and addresses, what each input spends) that does not depend on\n"
    "how the index was built, to compare indexes made in different runs.\n"
    "Coinbases create coins (subsidy plus the fees they claim); fees leave the\n"
    "other transactions; so with every input resolved and nothing spent twice,\n"
    "unspent_total == coinbase_total - fees (\"supply_ok\": true).\n");
}

static void progress_cb(void *ctx, const char *phase, uint64_t done, uint64_t total) {
  (void)ctx;
  if (total) fprintf(stderr, "\rkpwatch chain index: %s %llu/%llu   ", phase, (unsigned long long)done,
                     (unsigned long long)total);
  else fprintf(stderr, "\rkpwatch chain index: %s %llu   ", phase, (unsigned long long)done);
  fflush(stderr);
}

static uint64_t dir_bytes(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  uint64_t sum = 0;
  struct dirent *e;
  char p[4096];
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || !strcmp(e->d_name, "LOCK")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (!stat(p, &st) && S_ISREG(st.st_mode)) sum += (uint64_t)st.st_size;
  }
  closedir(d);
  return sum;
}

static int parse_u64(const char *cmd, const char *opt, const char *v, uint64_t *out) {
  char *end;
  unsigned long long u = strtoull(v ? v : "", &end, 10);
  if (!v || !*v || *end || v[0] == '-') return cli_usage_error(cmd, "%s needs a positive integer", opt);
  *out = u;
  return -1;
}

int cmd_chain_index(int argc, char **argv) {
  const char *out = NULL;
  kpw_cidx_build_opts opts = {0};
  const char **inputs = calloc((size_t)argc, sizeof *inputs);
  size_t n_in = 0;
  if (!inputs) return EXIT_IOERR;
  int rc = -1;
  for (int i = 1; i < argc && rc < 0; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help_index(); rc = EXIT_OK; }
    else if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
      if (i + 1 >= argc) rc = cli_usage_error("chain index", "--out needs a directory");
      else out = argv[++i];
    } else if (!strcmp(a, "--commit-every")) {
      rc = parse_u64("chain index", a, i + 1 < argc ? argv[++i] : NULL, &opts.commit_every_txs);
    } else if (!strcmp(a, "--sort-mem")) {
      uint64_t mb = 0;
      rc = parse_u64("chain index", a, i + 1 < argc ? argv[++i] : NULL, &mb);
      opts.sort_mem = (size_t)mb << 20;
    } else if (!strcmp(a, "--crash-after-commits")) {   /* test hook, undocumented */
      rc = parse_u64("chain index", a, i + 1 < argc ? argv[++i] : NULL, &opts.crash_after_commits);
    } else if (!strcmp(a, "--")) {
      for (i++; i < argc; i++) inputs[n_in++] = argv[i];
    } else if (a[0] == '-' && a[1]) {
      rc = cli_usage_error("chain index", "unknown option '%s'", a);
    } else {
      inputs[n_in++] = a;
    }
  }
  if (rc >= 0) { free(inputs); return rc; }
  if (!out) { free(inputs); return cli_usage_error("chain index", "--out DIR is required"); }
  if (!n_in) { free(inputs); return cli_usage_error("chain index", "no input (blk files, a blocks/ directory or bitcoin-etl JSON)"); }
  if (cli_progress_enabled()) opts.progress = progress_cb;
  kpw_cidx_build_stats st;
  kpw_error err = {0};
  kpw_result r = kpw_cidx_build(out, inputs, n_in, &opts, &st, &err);
  free(inputs);
  if (opts.progress) fprintf(stderr, "\n");
  /* Whatever happened, report what the index now holds. */
  kpw_cidx *ix;
  kpw_error e2 = {0};
  if (kpw_cidx_open(out, &ix, &e2) == KPW_OK) {
    kpw_cidx_counts c;
    kpw_cidx_get_counts(ix, &c);
    kpw_cidx_block last = {0};
    if (c.blocks) kpw_cidx_get_block(ix, c.blocks - 1, &last);
    uint64_t bytes = dir_bytes(out);
    printf("{\"blocks\":%u,\"txs\":%u,\"outs\":%u,\"ins\":%u,\"addresses\":%u,\"first_height\":%lld,"
           "\"tip_height\":%lld,\"added_blocks\":%llu,\"stale_blocks\":%llu,\"known_blocks\":%llu,"
           "\"unresolved_prevouts\":%llu,\"bytes\":%llu,\"bytes_per_tx\":%.1f}\n",
           c.blocks, c.txs, c.outs, c.ins, c.addrs, (long long)c.first_height,
           (long long)(c.blocks ? last.height : -1), (unsigned long long)st.blocks_added,
           (unsigned long long)st.blocks_stale, (unsigned long long)st.blocks_skipped_known,
           (unsigned long long)c.unresolved_prevouts, (unsigned long long)bytes,
           c.txs ? (double)bytes / c.txs : 0.0);
    kpw_cidx_close(ix);
  }
  if (r) return cli_fail(&err);
  return EXIT_OK;
}

int cmd_chain_info(int argc, char **argv) {
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { help_info(); return EXIT_OK; }
    if (!strcmp(argv[i], "--index") && i + 1 < argc) dir = argv[++i];
    else return cli_usage_error("chain info", "unknown argument '%s'", argv[i]);
  }
  if (!dir) return cli_usage_error("chain info", "--index DIR is required");
  kpw_cidx *ix;
  kpw_error err = {0};
  if (kpw_cidx_open(dir, &ix, &err)) return cli_fail(&err);
  kpw_cidx_counts c;
  kpw_cidx_get_counts(ix, &c);
  const uint32_t *fi = kpw_cidx_tx_first_in(ix), *fo = kpw_cidx_tx_first_out(ix), *prev = kpw_cidx_in_prevouts(ix);
  /* spent marks: one bit per output */
  uint8_t *spent = calloc((size_t)c.outs / 8 + 1, 1);
  if (!spent) { kpw_cidx_close(ix); return EXIT_IOERR; }
  uint64_t coinbase = 0, fees = 0, unspent = 0, double_spends = 0;
  bool linked = true;
  int64_t bad_link = -1;
  /* One pass: linkage, supply, and a content digest independent of how the
  ** index was built (address ids depend on commit points): per block its
  ** hash and height, per tx its txid, per output value and address string,
  ** per input the output it spends (outputs are numbered in chain order). */
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  const uint8_t *txids = kpw_cidx_txids(ix);
  const uint32_t *oa = kpw_cidx_out_addrs(ix);
  kpw_cidx_block pb = {0};
  for (uint32_t b = 0; b < c.blocks; b++) {
    kpw_cidx_block blk;
    kpw_cidx_get_block(ix, b, &blk);
    if (b) {
      static const uint8_t zero[32];
      bool hashes = memcmp(pb.hash, zero, 32) != 0;
      if ((hashes && memcmp(kpw_cidx_block_prev(ix, b), pb.hash, 32)) || blk.height != pb.height + 1) {
        if (linked) bad_link = blk.height;
        linked = false;
      }
    }
    pb = blk;
    EVP_DigestUpdate(md, blk.hash, 32);
    EVP_DigestUpdate(md, &blk.height, sizeof blk.height);
    for (uint32_t t = blk.first_tx; t < blk.first_tx + blk.n_txs; t++) {
      uint64_t out_sum = 0, in_sum = 0;
      EVP_DigestUpdate(md, txids + (size_t)t * 32, 32);
      for (uint32_t o = fo[t]; o < fo[t + 1]; o++) {
        uint64_t v = kpw_cidx_out_value(ix, o);
        char a[128] = "";
        kpw_cidx_addr_string(ix, oa[o], a, sizeof a);
        EVP_DigestUpdate(md, &v, sizeof v);
        EVP_DigestUpdate(md, a, strlen(a) + 1);
        out_sum += v;
      }
      for (uint32_t i = fi[t]; i < fi[t + 1]; i++) {
        EVP_DigestUpdate(md, &prev[i], 4);
        if (prev[i] == KPW_CIDX_NONE) continue;
        if (spent[prev[i] / 8] & (1u << (prev[i] % 8))) double_spends++;
        spent[prev[i] / 8] |= (uint8_t)(1u << (prev[i] % 8));
        in_sum += kpw_cidx_out_value(ix, prev[i]);
      }
      if (t == blk.first_tx) coinbase += out_sum;          /* a coinbase has no inputs */
      else if (in_sum >= out_sum) fees += in_sum - out_sum;
    }
  }
  for (uint32_t o = 0; o < c.outs; o++)
    if (!(spent[o / 8] & (1u << (o % 8)))) unspent += kpw_cidx_out_value(ix, o);
  char digest[65];
  {
    unsigned char h[32];
    EVP_DigestFinal_ex(md, h, NULL);
    EVP_MD_CTX_free(md);
    for (int i = 0; i < 32; i++) snprintf(digest + 2 * i, 3, "%02x", h[i]);
  }
  free(spent);
  kpw_cidx_block first = {0}, last = {0};
  if (c.blocks) { kpw_cidx_get_block(ix, 0, &first); kpw_cidx_get_block(ix, c.blocks - 1, &last); }
  char h0[65] = "", h1[65] = "";
  if (c.blocks) { kpw_hash_hex(first.hash, h0); kpw_hash_hex(last.hash, h1); }
  uint64_t bytes = dir_bytes(dir);
  printf("{\"blocks\":%u,\"first_height\":%lld,\"tip_height\":%lld,\"first_hash\":\"%s\",\"tip_hash\":\"%s\","
         "\"linked\":%s,\"txs\":%u,\"outs\":%u,\"ins\":%u,\"addresses\":%u,\"coinbase_total\":%llu,"
         "\"fees\":%llu,\"unspent_total\":%llu,\"supply_ok\":%s,\"unresolved_prevouts\":%llu,"
         "\"double_spends\":%llu,\"bytes\":%llu,\"bytes_per_tx\":%.1f",
         c.blocks, (long long)(c.blocks ? first.height : -1), (long long)(c.blocks ? last.height : -1), h0, h1,
         linked ? "true" : "false", c.txs, c.outs, c.ins, c.addrs, (unsigned long long)coinbase,
         (unsigned long long)fees, (unsigned long long)unspent,
         c.unresolved_prevouts == 0 && double_spends == 0 && unspent + fees == coinbase ? "true" : "false",
         (unsigned long long)c.unresolved_prevouts, (unsigned long long)double_spends,
         (unsigned long long)bytes, c.txs ? (double)bytes / c.txs : 0.0);
  if (!linked) printf(",\"first_unlinked_height\":%lld", (long long)bad_link);
  printf(",\"content_sha256\":\"%s\"", digest);
  printf("}\n");
  kpw_cidx_close(ix);
  return EXIT_OK;
}
