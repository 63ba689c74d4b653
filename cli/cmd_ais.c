/*
** cmd_ais.c -- `kpwatch ais`: AIS subcommands. `ais decode` turns NMEA
** 0183 AIVDM/AIVDO (tag blocks, $PGHP, multi-sentence) into one gpsd-style
** JSON object per message. `ais encounters` and `ais detect` live in
** other files and are reached through weak references, so this command
** builds and runs ("not built") without them.
**
** Output path: each message's JSON is appended to one reused kpw_buf and
** written with a large fwrite, never per line (decode speed matters: the
** goal is >= 10x gpsdecode on one core).
*/
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "kpw/ais.h"

__attribute__((weak)) int cmd_ais_encounters(int argc, char **argv);
__attribute__((weak)) int cmd_ais_detect(int argc, char **argv);

static void help_ais(FILE *f) {
  fprintf(f,
    "usage: kpwatch ais decode [--raw] [--strict] [--split24] FILE...|-\n"
    "       kpwatch ais encounters ...   (see 'kpwatch ais encounters --help')\n"
    "       kpwatch ais detect ...       (see 'kpwatch ais detect --help')\n\n"
    "AIS (ship Automatic Identification System) data: decoding, and the\n"
    "maritime detectors (ship-to-ship encounters, AIS gaps, port calls).\n");
}

static void help_decode(void) {
  printf(
    "usage: kpwatch ais decode [--raw] [--strict] [--split24] FILE...|-\n\n"
    "Decode NMEA 0183 AIS sentences (!AIVDM/!AIVDO from any talker: AI, AB,\n"
    "BS, SA, ...) into JSON lines, one object per AIS message, with gpsd's\n"
    "field names and layout (class, type, repeat, mmsi, scaled, then the\n"
    "type's fields), so tools written for `gpsdecode -j` read it unchanged.\n\n"
    "Input: plain, .bz2 or .zst files, or '-' for standard input. Lines may\n"
    "carry NMEA 4 tag blocks (\\s:station,c:unixtime,g:1-2-id*hh\\!AIVDM...),\n"
    "be preceded by Gatehouse $PGHP timestamp lines, or carry trailing\n"
    "receiver metadata after the checksum. Multi-sentence messages are\n"
    "joined by talker, channel and sequence id, or by the tag block's g:\n"
    "group, whatever the fragment order. Other NMEA sentences, comments\n"
    "('#') and blank lines are skipped; type 24 parts A and B are joined\n"
    "into one object (the name with the callsign and size) as gpsd does.\n\n"
    "Options:\n"
    "  --raw       gpsd's raw integer units (as gpsdecode -u): positions in\n"
    "              1/10000 minute, speed in 1/10 knot, course in 1/10 degree.\n"
    "              Default: degrees and knots (as gpsdecode -j).\n"
    "  --strict    a bad NMEA or tag-block checksum stops the run with an\n"
    "              error naming the file and line (exit 3); by default such\n"
    "              sentences are dropped and counted, as gpsd does.\n"
    "  --split24   also print each type-24 part on its own (\"part\":\"A\" or\n"
    "              \"B\") when it has no partner, as gpsdecode -s.\n\n"
    "At the end a summary goes to standard error (unless --quiet): lines read,\n"
    "AIS sentences, messages decoded, bad checksums, garbage lines, malformed\n"
    "sentences, incomplete multi-sentence messages and messages gpsd would\n"
    "reject too (unknown type or wrong length).\n\n"
    "Exit status: 0 ok, 2 usage, 3 bad checksum with --strict, 4 I/O error.\n"
    "Example:\n"
    "  kpwatch ais decode --raw feed.nmea.zst | jq 'select(.type==5)'\n"
    "See docs/cmd-ais-decode.md for the fields and the differences from gpsd.\n");
}

typedef struct out_ctx {
  kpw_buf buf;
  bool io_error;
} out_ctx;

#define OUT_FLUSH (1u << 20)

static void flush_out(out_ctx *o) {
  if (o->buf.len && fwrite(o->buf.data, 1, o->buf.len, stdout) != o->buf.len) o->io_error = true;
  kpw_buf_reset(&o->buf);
}

static void on_message(const kpw_ais_message *m, void *ctx) {
  out_ctx *o = ctx;
  kpw_buf_put(&o->buf, m->json, m->json_len);
  kpw_buf_putc(&o->buf, '\n');
  if (o->buf.len >= OUT_FLUSH) flush_out(o);
}

static int cmd_decode(int argc, char **argv) {
  kpw_ais_decode_opts opts = {.scaled = true};
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help_decode(); return EXIT_OK; }
    if (!strcmp(a, "--raw") || !strcmp(a, "-u")) opts.scaled = false;
    else if (!strcmp(a, "--strict")) opts.strict = true;
    else if (!strcmp(a, "--split24")) opts.split24 = true;
    else if (!strcmp(a, "--")) { i++; break; }
    else if (a[0] == '-' && a[1]) return cli_usage_error("ais decode", "unknown option '%s'", a);
    else break;
  }
  if (i >= argc) return cli_usage_error("ais decode", "no input: give files or '-' for standard input");
  kpw_ais_decoder *d = kpw_ais_decoder_new(&opts);
  out_ctx o = {.io_error = false};
  kpw_buf_init(&o.buf);
  kpw_error err = {0};
  kpw_result rc = KPW_OK;
  for (; i < argc && rc == KPW_OK; i++) {
    kpw_input *in = NULL;
    rc = kpw_input_open(argv[i], &in, &err);
    if (rc != KPW_OK) break;
    rc = kpw_ais_decoder_feed_input(d, in, on_message, &o, &err);
    kpw_input_close(in);
    kpw_ais_decoder_flush(d);   /* fragments never span files */
  }
  flush_out(&o);
  if (fflush(stdout) != 0) o.io_error = true;
  const kpw_ais_stats *st = kpw_ais_decoder_stats(d);
  if (!g_cli.quiet)
    fprintf(stderr,
            "ais decode: %llu lines, %llu sentences, %llu messages, %llu bad checksums, "
            "%llu garbage, %llu malformed, %llu incomplete, %llu unsupported\n",
            (unsigned long long)st->lines, (unsigned long long)st->sentences,
            (unsigned long long)st->messages, (unsigned long long)st->bad_checksum,
            (unsigned long long)st->garbage_lines, (unsigned long long)st->bad_fields,
            (unsigned long long)st->incomplete, (unsigned long long)st->unsupported);
  kpw_ais_decoder_free(d);
  kpw_buf_free(&o.buf);
  if (rc != KPW_OK) return cli_fail(&err);
  if (o.io_error) {
    kpw_error_set(&err, KPW_EIO, "-", 0, 0, "cannot write the output");
    return cli_fail(&err);
  }
  return EXIT_OK;
}

int cmd_ais(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    help_ais(argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  if (!strcmp(argv[1], "decode")) return cmd_decode(argc - 1, argv + 1);
  if (!strcmp(argv[1], "encounters") || !strcmp(argv[1], "detect")) {
    int (*fn)(int, char **) = !strcmp(argv[1], "encounters") ? cmd_ais_encounters : cmd_ais_detect;
    if (!fn) {
      fprintf(stderr, "kpwatch ais %s: not built in this binary\n", argv[1]);
      return EXIT_IOERR;
    }
    return fn(argc - 1, argv + 1);
  }
  return cli_usage_error("ais", "unknown subcommand '%s'", argv[1]);
}
