/*
** cmd_chain.c -- `kpwatch chain`: Bitcoin commands. `chain block FILE...`
** prints one JSON line per block (hash, prev, BIP-34 height, merkle check,
** txids) in file order.
**
** Speed: blocks come from kpw_blk_* (mmap or large streamed reads), each is
** parsed into one arena reset per block (so memory stays bounded by the
** largest block), and output goes through one buffer flushed in large writes.
*/
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "kpw/chain.h"

#define FLUSH_AT (1u << 20)

static void help_chain(FILE *f) {
  fprintf(f,
    "usage: kpwatch chain <subcommand> [options]\n\n"
    "Bitcoin blocks and transactions.\n\n"
    "subcommands:\n"
    "  block     per-block summaries: hash, merkle check, txids (one JSON line each)\n"
    "  index     build or extend the columnar chain index (blk files, bitcoin-etl JSON)\n"
    "  info      counts and consistency checks of an index (linkage, supply)\n"
    "  cluster   common-input address clusters, CoinJoins excluded\n"
    "  trace     follow tainted funds to tagged cash-out points\n\n"
    "Run 'kpwatch chain <subcommand> --help' for its options.\n");
}

static void help_block(void) {
  printf(
    "usage: kpwatch chain block [--addresses] FILE...\n\n"
    "Reads Bitcoin Core blk*.dat files (network magic + length framing; xor.dat\n"
    "beside the file is applied), raw serialized blocks, or either compressed\n"
    "with bzip2 or zstd, and prints one JSON line per block in file order:\n"
    "  {\"hash\",\"prev\",\"height\",\"time\",\"merkle_ok\",\"tx_count\",\"size\",\n"
    "   \"offset\",\"txids\":[...]}\n"
    "height is the BIP-34 height from the coinbase (null when the block does\n"
    "not carry one, e.g. before block 227,931); offset is the byte offset of\n"
    "the block in the (decompressed) file, after its 8-byte frame.\n\n"
    "  --addresses   add \"addresses\": per tx, per output, the mainnet address\n"
    "                (P2PK as its P2PKH address; null for OP_RETURN, bare\n"
    "                multisig and nonstandard scripts)\n\n"
    "Exit codes: 0 ok; 3 bad input (the file and byte offset are named, and\n"
    "every block before the error has been printed); 4 I/O error.\n");
}

static inline void put_hex(kpw_buf *b, const uint8_t h[32]) {
  char hex[65];
  kpw_hash_hex(h, hex);
  kpw_buf_putc(b, '"');
  kpw_buf_put(b, hex, 64);
  kpw_buf_putc(b, '"');
}

static bool flush(kpw_buf *out) {
  bool ok = fwrite(out->data, 1, out->len, stdout) == out->len;
  kpw_buf_reset(out);
  return ok;
}

static void block_json(kpw_buf *b, const kpw_btc_block *blk, uint64_t offset, bool addresses) {
  kpw_buf_puts(b, "{\"hash\":");
  put_hex(b, blk->hash);
  kpw_buf_puts(b, ",\"prev\":");
  put_hex(b, blk->prev);
  kpw_buf_puts(b, ",\"height\":");
  if (blk->height >= 0) kpw_json_int(b, blk->height);
  else kpw_buf_puts(b, "null");
  kpw_buf_puts(b, ",\"time\":");
  kpw_json_int(b, blk->time);
  kpw_buf_puts(b, blk->merkle_ok ? ",\"merkle_ok\":true" : ",\"merkle_ok\":false");
  kpw_buf_puts(b, ",\"tx_count\":");
  kpw_json_int(b, blk->n_txs);
  kpw_buf_puts(b, ",\"size\":");
  kpw_json_int(b, blk->size);
  kpw_buf_puts(b, ",\"offset\":");
  kpw_json_int(b, (int64_t)offset);
  kpw_buf_puts(b, ",\"txids\":[");
  for (uint32_t i = 0; i < blk->n_txs; i++) {
    if (i) kpw_buf_putc(b, ',');
    put_hex(b, blk->txs[i].txid);
  }
  kpw_buf_putc(b, ']');
  if (addresses) {
    /* Per tx, per output: the mainnet address, or null (OP_RETURN, bare
    ** multisig, nonstandard). Address strings are ASCII: no escaping. */
    kpw_buf_puts(b, ",\"addresses\":[");
    for (uint32_t i = 0; i < blk->n_txs; i++) {
      const kpw_btc_tx *t = &blk->txs[i];
      kpw_buf_puts(b, i ? ",[" : "[");
      for (uint32_t k = 0; k < t->n_outs; k++) {
        char addr[128];
        kpw_script_address(t->outs[k].script, t->outs[k].script_len, addr, sizeof addr);
        if (k) kpw_buf_putc(b, ',');
        if (addr[0]) kpw_json_str(b, addr);
        else kpw_buf_puts(b, "null");
      }
      kpw_buf_putc(b, ']');
    }
    kpw_buf_putc(b, ']');
  }
  kpw_buf_puts(b, "}\n");
}

/* One file: prints its blocks; returns the first failure (err filled). */
static kpw_result block_file(const char *path, bool addresses, kpw_buf *out, kpw_error *err) {
  kpw_blk_reader *r;
  kpw_result rc = kpw_blk_open(path, &r, err);
  if (rc != KPW_OK) return rc;
  kpw_arena *a = kpw_arena_new(256 * 1024);
  for (;;) {
    const uint8_t *p;
    size_t n;
    uint64_t off;
    rc = kpw_blk_next(r, &p, &n, &off, err);
    if (rc != KPW_OK) break;
    kpw_arena_reset(a);
    kpw_btc_block blk;
    rc = kpw_btc_block_parse(p, n, a, path, off, &blk, err);
    if (rc == KPW_OK) block_json(out, &blk, off, addresses);
    if (rc != KPW_OK) break;
    if (out->len >= FLUSH_AT && !flush(out)) {
      rc = kpw_error_set(err, KPW_EIO, "stdout", 0, 0, "write failed");
      break;
    }
  }
  kpw_arena_free(a);
  kpw_blk_close(r);
  return rc == KPW_DONE ? KPW_OK : rc;
}

static int cmd_block(int argc, char **argv) {
  int i = 1;
  bool addresses = false;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { help_block(); return EXIT_OK; }
    if (!strcmp(argv[i], "--addresses")) { addresses = true; continue; }
    if (!strcmp(argv[i], "--")) { i++; break; }
    if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error("chain block", "unknown option '%s'", argv[i]);
    break;
  }
  if (i >= argc) return cli_usage_error("chain block", "no input file");
  kpw_buf out;
  kpw_buf_init(&out);
  kpw_error err = {0};
  kpw_result rc = KPW_OK;
  for (; i < argc && rc == KPW_OK; i++) rc = block_file(argv[i], addresses, &out, &err);
  bool wrote = flush(&out);
  kpw_buf_free(&out);
  if (fflush(stdout) != 0) wrote = false;
  if (rc != KPW_OK) return cli_fail(&err);
  if (!wrote) {
    kpw_error_set(&err, KPW_EIO, "stdout", 0, 0, "write failed");
    return cli_fail(&err);
  }
  return EXIT_OK;
}

int cmd_chain(int argc, char **argv) {
  if (argc < 2) { help_chain(stderr); return EXIT_USAGE; }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    help_chain(stdout);
    return EXIT_OK;
  }
  if (!strcmp(argv[1], "block")) return cmd_block(argc - 1, argv + 1);
  if (!strcmp(argv[1], "index")) return cmd_chain_index(argc - 1, argv + 1);
  if (!strcmp(argv[1], "info")) return cmd_chain_info(argc - 1, argv + 1);
  if (!strcmp(argv[1], "trace")) return cmd_chain_trace(argc - 1, argv + 1);
  if (!strcmp(argv[1], "cluster")) return cmd_chain_cluster(argc - 1, argv + 1);
  return cli_usage_error("chain", "unknown subcommand '%s'", argv[1]);
}
