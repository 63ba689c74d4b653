/*
** translit_int.h -- internal pieces shared by the romanisers in lib/screen/
** translit*.c: the bounded form writer, the per-script renderers and the
** Korean syllable machinery. Not part of any API; the contract is
** translit.h. Everything here works on caller-provided buffers (no
** allocation, no static mutable state) so kpw_translit_forms() stays
** thread-safe.
*/
#ifndef KPW_SCREEN_TRANSLIT_INT_H
#define KPW_SCREEN_TRANSLIT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define TL_MAXCP 384          /* code points of one name considered */

/* Bounded writer of one form: lower-case ASCII words separated by single
** spaces. Invariant: len < cap, p[len] == 0. A word that does not fit is
** dropped whole (and everything after it): truncation at a word boundary. */
typedef struct tl_out {
  char *p;
  size_t cap;
  size_t len;
  size_t word_start;          /* offset of the current word's first byte */
  bool in_word;
  bool full;                  /* a word overflowed: ignore further output */
} tl_out;

void tl_out_init(tl_out *o, char *buf, size_t cap);
void tl_putc(tl_out *o, char c);          /* c in [a-z0-9] */
void tl_puts(tl_out *o, const char *s);
void tl_brk(tl_out *o);                   /* end the current word */

/* ---- Korean (translit_hangul.c) */
/* Romanisation systems of a Korean syllable sequence. */
enum {
  KV_DPRK = 0,     /* DPRK official / MR without diacritics, ㅈ = j */
  KV_DPRK_R,       /* same, surname in its DPRK ㄹ form (이 -> ri, 노 -> ro) */
  KV_MR,           /* McCune-Reischauer: word-initial voiceless, ㅈ = ch */
  KV_MR_INIT,      /* MR, every syllable romanised as word-initial */
  KV_RR_CONV,      /* Revised Romanisation, surname in SK usage (Kim, Lee) */
  KV_RR,           /* Revised Romanisation as written */
  KV_RR_DUEUM,     /* RR with South Korean initial-ㄹ/ㄴ rule on the surname */
  KV_SK            /* South Korean popular spelling: Park Ji Sung, Lee Myung Bak */
};

/* Syllable index s = cp - 0xAC00 (0..11171). */
#define KS_INI(s) ((s) / 588)
#define KS_MED(s) (((s) % 588) / 28)
#define KS_FIN(s) ((s) % 28)
#define KS_MAKE(i, m, f) ((i) * 588 + (m) * 28 + (f))

/* Romanise syllable s into out (>= 9 bytes). sys: 0 DPRK, 1 MR, 2 RR.
** prev_fin: final of the previous syllable in the same word (-1 at a word
** start). Returns the length. */
size_t tl_kor_syllable(int s, int sys, int prev_fin, char *out);
/* Surname helpers: 1 if s is a common Korean single-syllable surname. */
bool tl_kor_is_surname(int s);
/* 1 if a,b form a two-syllable surname (남궁, 황보, ...). */
bool tl_kor_is_surname2(int a, int b);
/* South Korean conventional spelling of a surname (김 "kim", 이 "lee"),
** NULL if none is known. For two-syllable surnames pass b >= 0. */
const char *tl_kor_surname_conv(int a, int b);
/* DPRK ㄹ-form of a surname (이 -> 리, 노 -> 로), or -1. */
int tl_kor_surname_r(int s);
/* South Korean initial sound rule applied to one syllable (리 -> 이,
** 로 -> 노, 녀 -> 여); returns s unchanged when it does not apply. */
int tl_kor_dueum(int s);

/* Render a sequence of Korean syllables (one word per syllable). unit[i]
** is 1 where a voicing unit starts (a word start), surname[i] is 1 for the
** syllables of the surname. */
void tl_kor_render(tl_out *o, const int16_t *syl, const uint8_t *unit,
                   const uint8_t *surname, size_t n, int kv);

/* ---- Han (translit_han.c) */
/* Lookups in the generated Unihan tables. Return -1 / NULL if none. */
int tl_han_kor(uint32_t cp, bool name_reading);
const char *tl_han_pinyin(uint32_t cp);
bool tl_han_simplified(uint32_t cp);
bool tl_is_han(uint32_t cp);
/* Wade-Giles (toneless, no apostrophes) of a toneless pinyin syllable. */
void tl_pinyin_to_wg(const char *py, char *out, size_t cap);

/* ---- Cyrillic (translit_cyrillic.c) */
enum { CV_BGN = 0, CV_SIMPLE = 1, CV_Y = 2 };
bool tl_is_cyrillic(uint32_t cp);
/* Romanise one Cyrillic word (cps lower-cased by the caller). */
void tl_cyr_word(tl_out *o, const uint32_t *w, size_t n, int cv);
/* Parse one Cyrillic word as Korean syllables in the Kontsevich system;
** returns the number of syllables written to syl (<= cap), 0 if the word
** is not Korean-shaped. ng_rule: how a final н (ㄴ or ㅇ in Kontsevich)
** is read: 0 ㄴ; 1 ㅇ after а/о/я (the more frequent reading in DPRK names);
** 2 as 1 except in the word's last syllable (Пак Чон Чхон: 정 then 천).
** After е/ё н is always ㅇ (Чен 정, Ён 영). */
size_t tl_cyr_kontsevich(const uint32_t *w, size_t n, int16_t *syl, size_t cap,
                         int ng_rule);
/* 1 if the Cyrillic word (lower case) is a common Korean surname in
** Kontsevich / Russian usage (ким, ли, пак, чхве ...). */
bool tl_cyr_kor_surname(const uint32_t *w, size_t n);

/* ---- translated organisation words (translit_dict.c) */
enum { TL_DICT_KOR = 1, TL_DICT_HAN, TL_DICT_CYR };
/* Longest dictionary key of the given script matching c[i..n) (sep[k] != 0
** marks separators, matched by a space in a key). word_end_ok allows the
** entries that must end a word (부 "department") when the match also ends
** at a separator or the end. Returns the code points matched (0 = none)
** and sets *en to the English wording (words separated by spaces, may be
** empty). */
size_t tl_dict_match(int script, const uint32_t *c, const uint8_t *sep,
                     size_t i, size_t n, bool word_end_ok, const char **en);

#endif
