/*
** cmd_sim.c -- `kpwatch sim`: scenario generators with ground truth.
** `sim chain` writes a synthetic Bitcoin chain (blk*.dat files) with
** laundering scenarios, tags.csv and truth.json (see docs/cmd-sim.md and
** include/kpw/sim.h). `sim ais` writes AIS tracks (NMEA or CSV) with
** DPRK evasion scenarios and truth.json, scores `ais detect` findings
** against it (--score), or streams a large positions CSV (--positions);
** see docs/cmd-sim-ais.md and include/kpw/simais.h. This file only parses
** options and prints progress and the summary; the generators are
** lib/sim/simchain.c and lib/sim/simais.c.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "kpw/sim.h"
#include "kpw/simais.h"

static void help_sim(FILE *f) {
  fprintf(f,
    "usage: kpwatch sim <subcommand> [options]\n\n"
    "Generators of synthetic data with known ground truth, for tests and benchmarks.\n\n"
    "subcommands:\n"
    "  chain     Bitcoin blk*.dat files with laundering scenarios, tags.csv, truth.json\n"
    "  ais       AIS tracks with DPRK evasion scenarios and truth.json; scoring of\n"
    "            `ais detect` findings; a large positions CSV for benchmarks\n\n"
    "Run 'kpwatch sim <subcommand> --help' for its options.\n");
}

static void help_chain(void) {
  printf(
    "usage: kpwatch sim chain --out DIR [--seed N] [--scenarios N] [--txs N]\n"
    "                         [--shuffle] [--file-size BYTES]\n\n"
    "Writes a valid, linked Bitcoin chain (mainnet framing, correct merkle roots\n"
    "and witness commitments, BIP-34 heights, no proof of work) with laundering\n"
    "scenarios woven into realistic background traffic:\n"
    "  DIR/blocks/blk00000.dat ...  the blocks\n"
    "  DIR/tags.csv                 address,label,actor,category (exchanges,\n"
    "                               perpetrator, mixing services)\n"
    "  DIR/truth.json               per scenario: seeds, deposits and their paths,\n"
    "                               coinjoins, and per method/fee policy the exact\n"
    "                               satoshis reaching each exchange\n"
    "and prints {\"blocks\",\"txs\",\"files\",\"bytes\"} on stdout.\n\n"
    "  --out DIR          output directory (created)\n"
    "  --seed N           everything is a function of the seed (default 1)\n"
    "  --scenarios N      laundering scenarios, kinds cycling (default 6)\n"
    "  --txs N            transactions in the chain, coinbases included\n"
    "                     (default 20000; ~190 per block for large N)\n"
    "  --shuffle          write blocks out of chain order (windows of 4 blocks)\n"
    "  --file-size BYTES  start a new blk file past this size (default 134217728)\n\n"
    "Exit codes: 0 ok; 2 usage; 4 I/O error.\n");
}

static bool parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s || *s == '-') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return false;
  *out = v;
  return true;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct prog { double t0; } prog;
static void progress(void *ctx, uint64_t blocks, uint64_t txs, uint64_t bytes) {
  prog *p = ctx;
  fprintf(stderr, "kpwatch: sim chain: %llu blocks, %llu txs, %.1f MB, %.1f s\n",
          (unsigned long long)blocks, (unsigned long long)txs, bytes / 1e6, now_s() - p->t0);
}

static int sim_chain(int argc, char **argv) {
  kpw_sim_opts o = {.seed = 1, .scenarios = 6, .txs = 20000, .file_size = 128u << 20};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t n;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help_chain(); return EXIT_OK; }
    else if (!strcmp(a, "--shuffle")) o.shuffle = true;
    else if (!strcmp(a, "--out")) {
      if (!v) return cli_usage_error("sim chain", "--out needs a directory");
      o.out_dir = v; i++;
    } else if (!strcmp(a, "--seed") || !strcmp(a, "--scenarios") || !strcmp(a, "--txs") ||
               !strcmp(a, "--file-size")) {
      if (!parse_u64(v, &n)) return cli_usage_error("sim chain", "%s needs a non-negative integer", a);
      i++;
      if (!strcmp(a, "--seed")) o.seed = n;
      else if (!strcmp(a, "--scenarios")) {
        if (n > 10000) return cli_usage_error("sim chain", "--scenarios: at most 10000");
        o.scenarios = (uint32_t)n;
      } else if (!strcmp(a, "--txs")) {
        if (n > 2000000000ull) return cli_usage_error("sim chain", "--txs: at most 2000000000");
        o.txs = n;
      } else {
        if (n < 4096 || n > 0xffffffffull) return cli_usage_error("sim chain", "--file-size: 4096 to 4294967295");
        o.file_size = n;
      }
    } else return cli_usage_error("sim chain", "unknown option '%s'", a);
  }
  if (!o.out_dir) return cli_usage_error("sim chain", "--out DIR is required");
  prog p = {now_s()};
  if (!g_cli.quiet) { o.progress = progress; o.progress_ctx = &p; }
  kpw_sim_summary sum = {0};
  kpw_error err;
  kpw_error_clear(&err);
  kpw_result rc = kpw_sim_chain(&o, &sum, &err);
  if (rc != KPW_OK) return cli_fail(&err);
  if (!g_cli.quiet)
    fprintf(stderr, "kpwatch: sim chain: done in %.1f s\n", now_s() - p.t0);
  printf("{\"blocks\":%llu,\"txs\":%llu,\"files\":%llu,\"bytes\":%llu}\n",
         (unsigned long long)sum.blocks, (unsigned long long)sum.txs,
         (unsigned long long)sum.files, (unsigned long long)sum.bytes);
  return EXIT_OK;
}

static void help_ais(void) {
  printf(
    "usage: kpwatch sim ais --out DIR [--seed N] [--scenarios N] [--format nmea|csv]\n"
    "                       [--background N]\n"
    "       kpwatch sim ais --score --truth DIR/truth.json FINDINGS.jsonl\n"
    "       kpwatch sim ais --positions N --out DIR|- [--seed N]\n\n"
    "Writes synthetic AIS with DPRK sanctions-evasion scenarios (ship-to-ship\n"
    "transfers in the East China Sea and off Nampo, dark rendezvous, DPRK port\n"
    "calls and dark port calls, identity swaps) and hard negatives (anchorage\n"
    "crowds, pair trawlers, bunkering in port, vessels passing, tracks across\n"
    "180 deg and UTC midnight) among background traffic:\n"
    "  DIR/tracks.nmea   AIVDM types 1/3/5 with tag blocks \\s:sim,c:<unix s>*hh\\\n"
    "  DIR/tracks.csv    with --format csv: mmsi,timestamp,lat,lon,speed,course,\n"
    "                    heading,imo,name,callsign\n"
    "  DIR/truth.json    per scenario: vessels, expected findings, negatives\n"
    "and prints {\"vessels\",\"fixes\",\"lines\",\"bytes\",\"expect\",\"negatives\"}.\n\n"
    "  --out DIR          output directory (created)\n"
    "  --seed N           everything is a function of the seed (default 1)\n"
    "  --scenarios N      scenarios, the 14 kinds cycling (default 14, at most 2000)\n"
    "  --format F         nmea (default) or csv\n"
    "  --background N     background vessels on transit routes (default 20)\n"
    "  --score            score findings (JSON lines, '-' = stdin) against --truth:\n"
    "                     per kind expected, found, tp, fp, negatives hit, recall,\n"
    "                     precision, then one JSON summary line\n"
    "  --truth FILE       the truth.json to score against\n"
    "  --positions N      write N positions of a global fleet (N/200 vessels, one\n"
    "                     day per 200 fixes) to DIR/positions.csv, or stdout with\n"
    "                     --out -, streaming\n\n"
    "Exit codes: 0 ok; 2 usage; 3 bad input; 4 I/O error.\n");
}

static int sim_ais(int argc, char **argv) {
  kpw_simais_opts o = {.seed = 1, .scenarios = 14, .background = 20};
  bool score = false, have_pos = false;
  uint64_t positions = 0;
  const char *truth = NULL, *findings = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t n;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help_ais(); return EXIT_OK; }
    else if (!strcmp(a, "--score")) score = true;
    else if (!strcmp(a, "--out")) {
      if (!v) return cli_usage_error("sim ais", "--out needs a directory");
      o.out_dir = v; i++;
    } else if (!strcmp(a, "--truth")) {
      if (!v) return cli_usage_error("sim ais", "--truth needs a file");
      truth = v; i++;
    } else if (!strcmp(a, "--format")) {
      if (!v || (strcmp(v, "nmea") && strcmp(v, "csv")))
        return cli_usage_error("sim ais", "--format is nmea or csv");
      o.csv = !strcmp(v, "csv"); i++;
    } else if (!strcmp(a, "--seed") || !strcmp(a, "--scenarios") || !strcmp(a, "--background") ||
               !strcmp(a, "--positions")) {
      if (!parse_u64(v, &n)) return cli_usage_error("sim ais", "%s needs a non-negative integer", a);
      i++;
      if (!strcmp(a, "--seed")) o.seed = n;
      else if (!strcmp(a, "--scenarios")) {
        if (n > 2000) return cli_usage_error("sim ais", "--scenarios: at most 2000");
        o.scenarios = (uint32_t)n;
      } else if (!strcmp(a, "--background")) {
        if (n > 5000) return cli_usage_error("sim ais", "--background: at most 5000");
        o.background = (uint32_t)n;
      } else { positions = n; have_pos = true; }
    } else if (a[0] == '-' && a[1]) return cli_usage_error("sim ais", "unknown option '%s'", a);
    else if (!findings) findings = a;
    else return cli_usage_error("sim ais", "unexpected argument '%s'", a);
  }
  kpw_error err;
  kpw_error_clear(&err);
  if (score) {
    if (!truth || !findings) return cli_usage_error("sim ais", "--score needs --truth FILE and a findings file");
    kpw_result rc = kpw_sim_ais_score(truth, findings, stdout, &err);
    return rc == KPW_OK ? EXIT_OK : cli_fail(&err);
  }
  if (findings) return cli_usage_error("sim ais", "unexpected argument '%s'", findings);
  if (!o.out_dir) return cli_usage_error("sim ais", "--out DIR is required");
  kpw_simais_summary sum = {0};
  double t0 = now_s();
  kpw_result rc = have_pos ? kpw_sim_ais_positions(o.out_dir, o.seed, positions, &sum, &err)
                           : kpw_sim_ais(&o, &sum, &err);
  if (rc != KPW_OK) return cli_fail(&err);
  double dt = now_s() - t0;
  if (!g_cli.quiet)
    fprintf(stderr, "kpwatch: sim ais: %llu lines, %.1f MB in %.2f s (%.2f M lines/s)\n",
            (unsigned long long)sum.lines, sum.bytes / 1e6, dt, dt > 0 ? sum.lines / dt / 1e6 : 0.0);
  FILE *so = strcmp(o.out_dir, "-") ? stdout : stderr;   /* keep a piped CSV clean */
  fprintf(so, "{\"vessels\":%llu,\"fixes\":%llu,\"lines\":%llu,\"bytes\":%llu,\"expect\":%llu,\"negatives\":%llu}\n",
          (unsigned long long)sum.vessels, (unsigned long long)sum.fixes, (unsigned long long)sum.lines,
          (unsigned long long)sum.bytes, (unsigned long long)sum.expect, (unsigned long long)sum.negatives);
  return EXIT_OK;
}

int cmd_sim(int argc, char **argv) {
  if (argc < 2) { help_sim(stderr); return EXIT_USAGE; }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    help_sim(stdout);
    return EXIT_OK;
  }
  if (!strcmp(argv[1], "chain")) return sim_chain(argc - 1, argv + 1);
  if (!strcmp(argv[1], "ais")) return sim_ais(argc - 1, argv + 1);
  return cli_usage_error("sim", "unknown subcommand '%s'", argv[1]);
}
