/*
** translit_han.c -- Han characters: Korean readings (Unihan kHangul) and
** toneless Mandarin (kMandarin), plus Wade-Giles derived from pinyin for
** Taiwanese and older spellings (Chen Mei Hsiang, Jui Pang).
**
** The tables come from build/gen/unihan_kor.h, generated at build time by
** scripts/gen_unihan.sh from Debian's unicode-data; lookups are binary
** searches over sorted read-only arrays (thread-safe, no allocation).
*/
#include "screen/translit_int.h"

#include <string.h>

#include "unihan_kor.h"

static long han_find(uint32_t cp)
{
  size_t lo = 0, hi = KPW_UNIHAN_N;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (kpw_unihan_cp[mid] == cp) return (long)mid;
    if (kpw_unihan_cp[mid] < cp) lo = mid + 1; else hi = mid;
  }
  return -1;
}

bool tl_is_han(uint32_t cp)
{
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x323AF) || (cp >= 0xF900 && cp <= 0xFAFF);
}

int tl_han_kor(uint32_t cp, bool name_reading)
{
  long i = han_find(cp);
  if (i < 0) return -1;
  if (name_reading) {
    unsigned kn = kpw_unihan_kor_name[i] & 0x7FFFu;
    if (kn) return (int)kn - 1;
  }
  unsigned k = kpw_unihan_kor[i];
  return k ? (int)k - 1 : -1;
}

bool tl_han_simplified(uint32_t cp)
{
  long i = han_find(cp);
  return i >= 0 && (kpw_unihan_kor_name[i] & 0x8000u);
}

const char *tl_han_pinyin(uint32_t cp)
{
  long i = han_find(cp);
  if (i < 0 || kpw_unihan_py[i] == 0 || kpw_unihan_py[i] >= KPW_UNIHAN_PY_N)
    return NULL;
  return kpw_unihan_py_pool + kpw_unihan_py_off[kpw_unihan_py[i]];
}

/* Pinyin -> Wade-Giles, apostrophes and umlauts dropped (as lists write
** it: Chen Mei Hsiang, Huang Wang Ken, Jui Pang, Chang Kai Shek).
** Rules: whole-syllable exceptions first, then initial + final mapping. */
void tl_pinyin_to_wg(const char *py, char *out, size_t cap)
{
  static const char *const whole[][2] = {
    {"zi","tzu"},{"ci","tzu"},{"si","ssu"},{"zhi","chih"},{"chi","chih"},
    {"shi","shih"},{"ri","jih"},{"er","erh"},{"yi","i"},{"you","yu"},
    {"yan","yen"},{"ye","yeh"},{"yue","yueh"},{"yong","yung"},{"e","o"},
    {"ge","ko"},{"ke","ko"},{"he","ho"},{"guo","kuo"},{"kuo","kuo"},
    {"huo","huo"},{"shuo","shuo"},{"gui","kuei"},{"kui","kuei"},
    {"zhe","che"},{"che","che"},{"re","je"},{"ze","tse"},{"ce","tse"},
    {"jue","chueh"},{"que","chueh"},{"xue","hsueh"},{"lue","lueh"},
    {"nue","nueh"},
  };
  if (cap == 0) return;
  out[0] = 0;
  for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
    if (strcmp(py, whole[i][0]) == 0) {
      size_t n = strlen(whole[i][1]);
      if (n >= cap) n = cap - 1;
      memcpy(out, whole[i][1], n); out[n] = 0;
      return;
    }
  static const char *const inis[][2] = {
    {"zh","ch"},{"ch","ch"},{"sh","sh"},{"b","p"},{"p","p"},{"m","m"},
    {"f","f"},{"d","t"},{"t","t"},{"n","n"},{"l","l"},{"g","k"},{"k","k"},
    {"h","h"},{"j","ch"},{"q","ch"},{"x","hs"},{"r","j"},{"z","ts"},
    {"c","ts"},{"s","s"},{"y","y"},{"w","w"},
  };
  const char *ini = "", *fin = py;
  char ic[3] = "";
  for (size_t i = 0; i < sizeof inis / sizeof inis[0]; i++) {
    size_t l = strlen(inis[i][0]);
    if (strncmp(py, inis[i][0], l) == 0) {
      ini = inis[i][1]; fin = py + l;
      ic[0] = inis[i][0][0]; ic[1] = l > 1 ? inis[i][0][1] : 0; ic[2] = 0;
      break;
    }
  }
  static const char *const fins[][2] = {
    {"ian","ien"},{"ie","ieh"},{"iong","iung"},{"ong","ung"},{"ue","ueh"},
  };
  const char *f = fin;
  for (size_t i = 0; i < sizeof fins / sizeof fins[0]; i++)
    if (strcmp(fin, fins[i][0]) == 0) { f = fins[i][1]; break; }
  /* uo -> o after dentals and retroflexes (duo to, zhuo cho, ruo jo). */
  if (strcmp(fin, "uo") == 0 && strchr("dtnlzcsr", ic[0]) && strcmp(ic, "sh") != 0)
    f = "o";
  size_t n = 0;
  for (const char *p = ini; *p && n + 1 < cap; p++) out[n++] = *p;
  for (const char *p = f; *p && n + 1 < cap; p++) out[n++] = *p;
  out[n] = 0;
}
