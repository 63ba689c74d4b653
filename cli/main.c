/*
** main.c -- kpwatch entry point: global options, then dispatch to a command.
** Every command has --help; the exit codes are listed in cli.h.
*/
#include <stdio.h>
#include <string.h>
#include "cli.h"

cli_globals g_cli;

static const struct command {
  const char *name;
  int (*run)(int, char **);
  const char *summary;
} commands[] = {
  {"screen", cmd_screen, "screen names, identifiers or payments against watchlists"},
  {"compare", cmd_compare, "score two names, or a CSV of name pairs"},
  {"lists", cmd_lists, "load, show and update watchlists in the store"},
  {"serve", cmd_serve, "HTTP JSON API for screening (loopback by default)"},
  {"chain", cmd_chain, "Bitcoin: index, clusters, taint traces to cash-out points"},
  {"ais", cmd_ais, "AIS: decode NMEA to gpsd JSON; maritime detectors"},
  {"sim", cmd_sim, "scenario generators with ground truth (chain, ais)"},
  {"demo", cmd_demo, "screen a built-in generated watchlist and print a report"},
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: kpwatch [--db FILE] [--quiet] <command> [options]\n"
          "       kpwatch --version | --help\n\n"
          "kpwatch finds designated people, firms, vessels and wallets of the DPRK\n"
          "sanctions programmes in the data you hold.\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\nglobal options:\n"
          "  --db FILE   the SQLite store (lists, findings, audit log)\n"
          "  --quiet     no progress messages on stderr\n\n"
          "Run 'kpwatch <command> --help' for a command's options.\n"
          "Exit codes: 0 ok, 1 hits found with --fail-on-hit, 2 usage, 3 bad input,\n"
          "4 I/O or internal error. Documentation: docs/ in the source tree.\n");
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "--db")) {
      if (i + 1 >= argc) return cli_usage_error(NULL, "--db needs a file name");
      g_cli.db = argv[++i];
    } else if (!strncmp(argv[i], "--db=", 5)) {
      g_cli.db = argv[i] + 5;
    } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
      g_cli.quiet = true;
    } else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
      printf("kpwatch %s\n", kpw_version());
      return EXIT_OK;
    } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return EXIT_OK;
    } else {
      return cli_usage_error(NULL, "unknown global option '%s'", argv[i]);
    }
  }
  if (i >= argc) { usage(stderr); return EXIT_USAGE; }
  for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
    if (!strcmp(argv[i], commands[k].name)) return commands[k].run(argc - i, argv + i);
  if (!strcmp(argv[i], "help")) { usage(stdout); return EXIT_OK; }
  return cli_usage_error(NULL, "unknown command '%s'", argv[i]);
}
