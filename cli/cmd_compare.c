/*
** cmd_compare.c -- `kpwatch compare`: score two names, a CSV of pairs, or
** show the comparable forms of a name.
*/
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static void help(void) {
  printf(
    "usage: kpwatch compare [--schema S] [--explain] [--json] NAME_A NAME_B\n"
    "       kpwatch compare --pairs FILE.csv [--threshold T] [--schema S]\n"
    "       kpwatch compare --forms NAME\n\n"
    "Scores how likely two names denote the same party (0..1).\n\n"
    "  --schema S      Person, Organization, Vessel, Aircraft (default: any)\n"
    "  --threshold T   match threshold for --pairs and --json (default %.2f)\n"
    "  --explain       print the alignment after the score\n"
    "  --json          one JSON object {score, match, explain}\n"
    "  --pairs FILE    CSV with a header holding name1,name2 (and schema if\n"
    "                  present); every column is kept and score,match added.\n"
    "                  '-' reads standard input.\n"
    "  --forms NAME    print the romanised comparable forms of NAME\n", KPW_DEFAULT_THRESHOLD);
}

static int run_pairs(const char *path, double threshold, kpw_schema schema) {
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  kpw_error err = {0};
  if (!f) {
    kpw_error_set(&err, KPW_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    return cli_fail(&err);
  }
  kpw_csv *csv;
  kpw_csv_open(f, path, ',', &csv, &err);
  const char **fields;
  size_t n;
  kpw_result rc = kpw_csv_next(csv, &fields, &n, &err);
  if (rc == KPW_DONE) rc = kpw_error_set(&err, KPW_EINPUT, path, 1, 0, "empty file: a header with name1,name2 is needed");
  int c1 = -1, c2 = -1, cs = -1, cscore = -1, cmatch = -1;
  size_t ncols = n;
  kpw_buf out;
  kpw_buf_init(&out);
  if (rc == KPW_OK) {
    for (size_t i = 0; i < n; i++) {
      if (!strcmp(fields[i], "name1")) c1 = (int)i;
      else if (!strcmp(fields[i], "name2")) c2 = (int)i;
      else if (!strcmp(fields[i], "schema")) cs = (int)i;
      else if (!strcmp(fields[i], "score")) cscore = (int)i;
      else if (!strcmp(fields[i], "match")) cmatch = (int)i;
    }
    if (c1 < 0 || c2 < 0)
      rc = kpw_error_set(&err, KPW_EINPUT, path, 1, 0, "the header has no name1 and name2 columns");
  }
  if (rc == KPW_OK) {
    /* Keep every column; existing score/match columns are replaced. */
    bool first = true;
    for (size_t i = 0; i < n; i++) {
      if ((int)i == cscore || (int)i == cmatch) continue;
      if (!first) kpw_buf_putc(&out, ',');
      kpw_csv_field(&out, fields[i]);
      first = false;
    }
    kpw_buf_puts(&out, first ? "score,match\n" : ",score,match\n");
  }
  while (rc == KPW_OK) {
    rc = kpw_csv_next(csv, &fields, &n, &err);
    if (rc != KPW_OK) break;
    kpw_schema s = schema;
    if (cs >= 0 && (size_t)cs < n && fields[cs][0]) kpw_schema_parse(fields[cs], &s);
    const char *a = (size_t)c1 < n ? fields[c1] : "";
    const char *b = (size_t)c2 < n ? fields[c2] : "";
    double score = kpw_compare_names(s, a, b, NULL, 0);
    bool first = true;
    for (size_t i = 0; i < ncols; i++) {
      if ((int)i == cscore || (int)i == cmatch) continue;
      if (!first) kpw_buf_putc(&out, ',');
      kpw_csv_field(&out, i < n ? fields[i] : "");
      first = false;
    }
    kpw_buf_printf(&out, "%s%.4f,%s\n", first ? "" : ",", score, score >= threshold ? "true" : "false");
    if (out.len > 1 << 16) { fwrite(out.data, 1, out.len, stdout); kpw_buf_reset(&out); }
  }
  if (out.len) fwrite(out.data, 1, out.len, stdout);
  kpw_buf_free(&out);
  kpw_csv_close(csv);
  if (f != stdin) fclose(f);
  if (fflush(stdout) != 0) {
    kpw_error_set(&err, KPW_EIO, "stdout", 0, 0, "write failed: %s", strerror(errno));
    return cli_fail(&err);
  }
  return rc == KPW_DONE ? EXIT_OK : cli_fail(&err);
}

int cmd_compare(int argc, char **argv) {
  static const struct option opts[] = {
    {"schema", required_argument, 0, 's'}, {"threshold", required_argument, 0, 't'},
    {"explain", no_argument, 0, 'e'}, {"json", no_argument, 0, 'j'},
    {"pairs", required_argument, 0, 'p'}, {"forms", required_argument, 0, 'f'},
    {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  kpw_schema schema = KPW_SCHEMA_ANY;
  double threshold = KPW_DEFAULT_THRESHOLD;
  bool explain = false, json = false;
  const char *pairs = NULL, *forms = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "s:t:ejp:f:h", opts, NULL)) != -1) {
    switch (c) {
      case 's':
        if (!kpw_schema_parse(optarg, &schema)) return cli_usage_error("compare", "unknown schema '%s'", optarg);
        break;
      case 't': {
        char *end;
        threshold = strtod(optarg, &end);
        if (*end || threshold < 0 || threshold > 1) return cli_usage_error("compare", "--threshold must be a number in 0..1");
        break;
      }
      case 'e': explain = true; break;
      case 'j': json = true; break;
      case 'p': pairs = optarg; break;
      case 'f': forms = optarg; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("compare", "bad option");
    }
  }
  if (forms) {
    char out[2048];
    printf("%s\n", kpw_name_forms(forms, out, sizeof out));
    return EXIT_OK;
  }
  if (pairs) return run_pairs(pairs, threshold, schema);
  if (argc - optind != 2) return cli_usage_error("compare", "give two names (or --pairs FILE)");
  char why[256] = "";
  double score = kpw_compare_names(schema, argv[optind], argv[optind + 1], why, sizeof why);
  if (json) {
    kpw_buf b;
    kpw_buf_init(&b);
    kpw_buf_puts(&b, "{\"score\":");
    kpw_json_num(&b, score);
    kpw_buf_printf(&b, ",\"match\":%s,\"explain\":", score >= threshold ? "true" : "false");
    kpw_json_str(&b, why);
    kpw_buf_puts(&b, "}\n");
    fputs(b.data, stdout);
    kpw_buf_free(&b);
  } else if (explain) {
    printf("%.4f\t%s\n", score, why);
  } else {
    printf("%.4f\n", score);
  }
  return EXIT_OK;
}
