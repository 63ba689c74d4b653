/*
** replay_main.c -- a plain driver for libFuzzer targets: runs
** LLVMFuzzerTestOneInput over every file of the directories (or files) given,
** so `make check` replays the corpora without libFuzzer.
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "replay: cannot open %s\n", path); return 1; }
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) { cap = cap ? cap * 2 : 4096; buf = realloc(buf, cap); if (!buf) abort(); }
    size_t k = fread(buf + n, 1, cap - n, f);
    if (!k) break;
    n += k;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, n);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  int files = 0, bad = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) { fprintf(stderr, "replay: %s: no such corpus\n", argv[i]); bad++; continue; }
    if (!S_ISDIR(st.st_mode)) { bad += run_file(argv[i]); files++; continue; }
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char p[4096];
      snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
      bad += run_file(p);
      files++;
    }
    if (d) closedir(d);
  }
  printf("%s: replayed %d inputs\n", argc > 0 ? argv[0] : "replay", files);
  return bad ? 1 : 0;
}
