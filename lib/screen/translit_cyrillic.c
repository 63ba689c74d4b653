/*
** translit_cyrillic.c -- Cyrillic names to Latin.
**
** Three Russian-style renderings (lists disagree, so several are offered):
**   CV_BGN    BGN/PCGN without diacritics: е -> ye after a vowel/ъ/ь/й and
**             at a word start, й -> y, ий -> iy (Dmitriy, Sergeyevich).
**   CV_SIMPLE passport-like: е -> e, й -> i, ий -> i (Vasili, Yurevich,
**             Ogranichennoi, Mezhdunarodnyi).
**   CV_Y      anglicised: as BGN but ий/ый -> y, кс -> x (Dmitry, Vasily,
**             Alexey).
** Korean names written in Cyrillic follow the Kontsevich system (Ким Чен Ын,
** Пак Чон Чхон, Чхве Сон Хи); tl_cyr_kontsevich() parses a word back into
** Hangul syllables so that the Korean romanisers can spell it as lists do.
** The parse is a bounded backtracking search (words of at most 24 letters,
** at most 4096 steps). Known ambiguities (documented in docs/romanisation.md):
** о is ㅓ or ㅗ (both "o" in DPRK/MR spelling); final н is ㄴ or ㅇ: ㅇ is
** chosen after е/ё (Чен -> 정, Ён -> 영, Мён -> 명), ㄴ otherwise.
*/
#include "screen/translit_int.h"

#include <string.h>

bool tl_is_cyrillic(uint32_t cp) { return cp >= 0x400 && cp <= 0x4FF; }

static bool cyr_vowel(uint32_t c)
{
  switch (c) {
  case 0x430: case 0x435: case 0x451: case 0x438: case 0x43E: case 0x443:
  case 0x44B: case 0x44D: case 0x44E: case 0x44F: case 0x456: case 0x457:
  case 0x454:
    return true;
  default:
    return false;
  }
}

void tl_cyr_word(tl_out *o, const uint32_t *w, size_t n, int cv)
{
  for (size_t i = 0; i < n; i++) {
    uint32_t c = w[i];
    uint32_t prev = i ? w[i - 1] : 0;
    uint32_t next = i + 1 < n ? w[i + 1] : 0;
    bool start = (i == 0);
    bool after_soft = prev == 0x44A || prev == 0x44C || prev == 0x439 || cyr_vowel(prev);
    switch (c) {
    case 0x430: tl_putc(o, 'a'); break;
    case 0x431: tl_putc(o, 'b'); break;
    case 0x432: tl_putc(o, 'v'); break;
    case 0x433: case 0x491: case 0x453: tl_putc(o, 'g'); break;
    case 0x434: tl_putc(o, 'd'); break;
    case 0x435: case 0x451: /* е ё */
      if (cv != CV_SIMPLE && (start || after_soft)) tl_puts(o, "ye");
      else tl_putc(o, 'e');
      break;
    case 0x454: tl_puts(o, "ye"); break;           /* є */
    case 0x436: tl_puts(o, "zh"); break;
    case 0x437: tl_putc(o, 'z'); break;
    case 0x438:                                     /* и (ий handled at й) */
      if (cv == CV_Y && next == 0x439 && i + 2 == n) break;
      tl_putc(o, 'i');
      break;
    case 0x456: tl_putc(o, 'i'); break;             /* і */
    case 0x457: tl_puts(o, "yi"); break;            /* ї */
    case 0x439:                                     /* й */
      if (cv == CV_SIMPLE) {
        if (prev != 0x438) tl_putc(o, 'i');         /* ий -> i, ой -> oi */
      } else if (cv == CV_Y && (prev == 0x438 || prev == 0x44B) && i + 1 == n) {
        tl_putc(o, 'y');                            /* -ий/-ый -> y */
      } else {
        tl_putc(o, 'y');
      }
      break;
    case 0x43A: case 0x45C:
      if (cv == CV_Y && next == 0x441) { tl_putc(o, 'x'); i++; break; }  /* кс -> x */
      tl_putc(o, 'k');
      break;
    case 0x43B: tl_putc(o, 'l'); break;
    case 0x43C: tl_putc(o, 'm'); break;
    case 0x43D: tl_putc(o, 'n'); break;
    case 0x43E: tl_putc(o, 'o'); break;
    case 0x43F: tl_putc(o, 'p'); break;
    case 0x440: tl_putc(o, 'r'); break;
    case 0x441: tl_putc(o, 's'); break;
    case 0x442: tl_putc(o, 't'); break;
    case 0x443: case 0x45E: tl_putc(o, 'u'); break;
    case 0x444: tl_putc(o, 'f'); break;
    case 0x445: tl_puts(o, "kh"); break;
    case 0x446: tl_puts(o, "ts"); break;
    case 0x447: tl_puts(o, "ch"); break;
    case 0x448: tl_puts(o, "sh"); break;
    case 0x449: tl_puts(o, "shch"); break;
    case 0x44A: case 0x44C: break;                  /* ъ ь */
    case 0x44B:                                     /* ы */
      if (cv == CV_Y && next == 0x439 && i + 2 == n) break;  /* -ый -> y via й */
      tl_putc(o, 'y');
      break;
    case 0x44D: tl_putc(o, 'e'); break;
    case 0x44E: tl_puts(o, "yu"); break;
    case 0x44F: tl_puts(o, "ya"); break;
    case 0x452: tl_puts(o, "dj"); break;
    case 0x458: tl_putc(o, 'j'); break;
    case 0x459: tl_puts(o, "lj"); break;
    case 0x45A: tl_puts(o, "nj"); break;
    case 0x45B: tl_putc(o, 'c'); break;
    case 0x45F: case 0x455: tl_puts(o, "dz"); break;
    case 0x4D9: tl_putc(o, 'a'); break;             /* ә */
    case 0x493: tl_puts(o, "gh"); break;            /* ғ */
    case 0x49B: tl_putc(o, 'q'); break;             /* қ */
    case 0x4A3: tl_puts(o, "ng"); break;            /* ң */
    case 0x4E9: tl_putc(o, 'o'); break;             /* ө */
    case 0x4AF: case 0x4B1: tl_putc(o, 'u'); break; /* ү ұ */
    case 0x4BB: tl_putc(o, 'h'); break;             /* һ */
    default:
      break;                                        /* other: dropped */
    }
  }
}

/* ---- Kontsevich parse */

/* Letters are compared as code points; the keys are short so are spelled
** as arrays of code points. */
typedef struct { uint32_t c[2]; uint8_t len; int8_t val; } kseq_t;

static const kseq_t k_inis[] = {
  {{0x43A, 0x43A}, 2, 1},  /* кк ㄲ */
  {{0x442, 0x442}, 2, 4},  /* тт ㄸ */
  {{0x43F, 0x43F}, 2, 8},  /* пп ㅃ */
  {{0x441, 0x441}, 2, 10}, /* сс ㅆ */
  {{0x447, 0x447}, 2, 13}, /* чч ㅉ */
  {{0x447, 0x445}, 2, 14}, /* чх ㅊ */
  {{0x43A, 0x445}, 2, 15}, /* кх ㅋ */
  {{0x442, 0x445}, 2, 16}, /* тх ㅌ */
  {{0x43F, 0x445}, 2, 17}, /* пх ㅍ */
  {{0x447, 0x436}, 2, 12}, /* чж ㅈ */
  {{0x434, 0x436}, 2, 12}, /* дж ㅈ */
  {{0x43A, 0}, 1, 0},      /* к ㄱ */
  {{0x433, 0}, 1, 0},      /* г ㄱ */
  {{0x43D, 0}, 1, 2},      /* н ㄴ */
  {{0x442, 0}, 1, 3},      /* т ㄷ */
  {{0x434, 0}, 1, 3},      /* д ㄷ */
  {{0x440, 0}, 1, 5},      /* р ㄹ */
  {{0x43B, 0}, 1, 5},      /* л ㄹ */
  {{0x43C, 0}, 1, 6},      /* м ㅁ */
  {{0x43F, 0}, 1, 7},      /* п ㅂ */
  {{0x431, 0}, 1, 7},      /* б ㅂ */
  {{0x441, 0}, 1, 9},      /* с ㅅ */
  {{0x447, 0}, 1, 12},     /* ч ㅈ */
  {{0x437, 0}, 1, 12},     /* з ㅈ (colloquial) */
  {{0x445, 0}, 1, 18},     /* х ㅎ */
};

static const kseq_t k_meds[] = {
  {{0x44B, 0x439}, 2, 19}, /* ый ㅢ */
  {{0x439, 0x44F}, 2, 3},  /* йя ㅒ */
  {{0x439, 0x435}, 2, 7},  /* йе ㅖ */
  {{0x439, 0x43E}, 2, 12}, /* йо ㅛ */
  {{0x432, 0x430}, 2, 9},  /* ва ㅘ */
  {{0x432, 0x44D}, 2, 10}, /* вэ ㅙ */
  {{0x432, 0x435}, 2, 11}, /* ве ㅚ (Чхве 최) */
  {{0x432, 0x43E}, 2, 14}, /* во ㅝ */
  {{0x432, 0x438}, 2, 16}, /* ви ㅟ */
  {{0x430, 0}, 1, 0},      /* а ㅏ */
  {{0x44D, 0}, 1, 1},      /* э ㅐ */
  {{0x44F, 0}, 1, 2},      /* я ㅑ */
  {{0x43E, 0}, 1, 4},      /* о ㅓ/ㅗ (same in DPRK/MR spelling) */
  {{0x451, 0}, 1, 6},      /* ё ㅕ/ㅛ */
  {{0x435, 0}, 1, 5},      /* е ㅔ, or ㅕ/ㅓ before н (below) */
  {{0x443, 0}, 1, 13},     /* у ㅜ */
  {{0x44E, 0}, 1, 17},     /* ю ㅠ */
  {{0x44B, 0}, 1, 18},     /* ы ㅡ */
  {{0x438, 0}, 1, 20},     /* и ㅣ */
};

static bool seq_at(const uint32_t *w, size_t n, size_t i, const kseq_t *k)
{
  if (i + k->len > n) return false;
  for (uint8_t j = 0; j < k->len; j++)
    if (w[i + j] != k->c[j]) return false;
  return true;
}

typedef struct {
  const uint32_t *w;
  size_t n;
  int16_t *syl;
  size_t cap;
  unsigned steps;
  int ng_rule;    /* 0 ㄴ, 1 ㅇ after а/о/я, 2 as 1 but ㄴ in the last syllable */
} kparse_t;

/* Returns the number of syllables from position i to the end, or -1. */
static long kparse(kparse_t *p, size_t i, size_t k, int prev_open)
{
  if (++p->steps > 4096) return -1;
  if (i == p->n) return (long)k;
  if (k >= p->cap) return -1;
  const uint32_t *w = p->w;
  size_t n = p->n;
  /* initial: each candidate, then none */
  for (size_t a = 0; a <= sizeof k_inis / sizeof k_inis[0]; a++) {
    int ini = 11;            /* ㅇ */
    size_t j = i;
    if (a < sizeof k_inis / sizeof k_inis[0]) {
      if (!seq_at(w, n, i, &k_inis[a])) continue;
      ini = k_inis[a].val;
      j = i + k_inis[a].len;
    } else if (prev_open && k > 0) {
      return -1;             /* vowel hiatus (ООО, Иван): not Kontsevich */
    }
    for (size_t b = 0; b < sizeof k_meds / sizeof k_meds[0]; b++) {
      if (!seq_at(w, n, j, &k_meds[b])) continue;
      int med = k_meds[b].val;
      size_t m = j + k_meds[b].len;
      uint32_t vl = k_meds[b].len == 1 ? k_meds[b].c[0] : 0;   /* vowel letter */
      bool e_letter = (vl == 0x435 || vl == 0x451);
      /* хи is 희 (hui) far more often than 히 in names (Чхве Сон Хи). */
      if (ini == 18 && vl == 0x438) med = 19;
      /* finals, longest first; none last */
      static const kseq_t k_fins[] = {
        {{0x43B, 0x44C}, 2, 8},  /* ль ㄹ */
        {{0x43D, 0x44C}, 2, 21}, /* нь ㅇ (Пхеньян) */
        {{0x43D, 0x44A}, 2, 21}, /* нъ ㅇ */
        {{0x43D, 0x433}, 2, 21}, /* нг ㅇ */
        {{0x43B, 0}, 1, 8},      /* л ㄹ */
        {{0x440, 0}, 1, 8},      /* р ㄹ (Russian tradition: Ким Ир Сен) */
        {{0x43A, 0}, 1, 1},      /* к ㄱ */
        {{0x43D, 0}, 1, 4},      /* н ㄴ or ㅇ */
        {{0x43C, 0}, 1, 16},     /* м ㅁ */
        {{0x43F, 0}, 1, 17},     /* п ㅂ */
        {{0x442, 0}, 1, 19},     /* т ㅅ */
      };
      const size_t nf = sizeof k_fins / sizeof k_fins[0];
      for (size_t c = 0; c <= nf; c++) {
        int fin = 0, med2 = med;
        size_t e = m;
        if (c < nf) {
          if (!seq_at(w, n, m, &k_fins[c])) continue;
          fin = k_fins[c].val;
          e = m + k_fins[c].len;
          /* a single-letter final must not be followed by a vowel */
          if (k_fins[c].len == 1 && e < n && cyr_vowel(w[e])) continue;
          /* Kontsevich writes ㄴ and ㅇ alike as н. In DPRK names ㅇ is
          ** the more frequent reading after а/о/е/ё/я (Jong, Song, Kwang,
          ** Yong), ㄴ after у/ы/и (Un, Jin, Min): p->ng_rule chooses so,
          ** otherwise ㄴ except after е/ё (Чен 정, Ён 영). */
          if (fin == 4) {
            bool ng = e_letter;
            if (p->ng_rule && (vl == 0x430 || vl == 0x43E || vl == 0x44F) &&
                !(p->ng_rule == 2 && e == n))
              ng = true;
            if (ng) fin = 21;
          }
          /* е before н is ㅓ after ㅅ/ㅈ/ㅊ (Чен 정, Сен 성), else ㅕ. */
          if (e_letter && k_fins[c].c[0] == 0x43D)
            med2 = (ini == 9 || ini == 10 || ini == 12 || ini == 13 || ini == 14) ? 4 : 6;
        }
        p->syl[k] = (int16_t)KS_MAKE(ini, med2, fin);
        long r = kparse(p, e, k + 1, fin == 0);
        if (r >= 0) return r;
        if (p->steps > 4096) return -1;
      }
    }
  }
  return -1;
}

size_t tl_cyr_kontsevich(const uint32_t *w, size_t n, int16_t *syl, size_t cap,
                         int ng_rule)
{
  if (n == 0 || n > 24) return 0;
  for (size_t i = 0; i < n; i++) if (!tl_is_cyrillic(w[i])) return 0;
  kparse_t p = { w, n, syl, cap, 0, ng_rule };
  long r = kparse(&p, 0, 0, 0);
  return r > 0 ? (size_t)r : 0;
}

bool tl_cyr_kor_surname(const uint32_t *w, size_t n)
{
  /* Lower-case Kontsevich / Russian spellings of common Korean surnames. */
  static const char *const names[] = {
    "ким","ли","ри","пак","чхве","чве","чон","чен","кан","хан","о","ю","ян",
    "рян","со","сон","ко","нам","мун","хо","ро","но","хван","рим","им","чан",
    "чо","ан","пэк","тхэ","хон","чу","сим","син","квон","ку","ма","мин",
    "мён","ток","ла","ра","на","пён","юн","чхэ","кым","чи","мо","ом","пан",
    "пэ","ха","сок","кон","ын","чин","кхо","пхё","ван","вон","тхак","ок",
    "рю","ню","е","ё","ён","рён","ям",
  };
  char u[64];
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (w[i] < 0x400 || w[i] > 0x4FF || m + 2 >= sizeof u) return false;
    u[m++] = (char)(0xC0 | (w[i] >> 6));
    u[m++] = (char)(0x80 | (w[i] & 0x3F));
  }
  u[m] = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(u, names[i]) == 0) return true;
  return false;
}
