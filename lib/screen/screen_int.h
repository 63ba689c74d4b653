/*
** screen_int.h -- internal pieces of the name matcher shared by norm.c
** (normalisation, tokens, Korean syllable folding), match.c (token and name
** similarity) and screen.c (index and screening). Not part of the API.
**
** A name is prepared into up to KN_MAXFORMS "forms". A form is a list of
** tokens; tokens point into the form's own text buffer, so a kn_form is
** self-contained and can live on the stack (no allocation per query).
**   - Latin forms (script == 0): lower-case ASCII tokens. Latin input gives
**     one; non-Latin input gives the romanisations of kpw_translit_forms().
**   - A script form (script != 0): the name in its own script, case-folded
**     and with marks stripped, for comparing two names written in the same
**     non-Latin script without the losses of romanisation (Hangul and Han
**     give one token per syllable / character).
*/
#ifndef KPW_SCREEN_INT_H
#define KPW_SCREEN_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define KN_MAXTOK 16      /* tokens kept per form (longer names truncated) */
#define KN_MAXFORMS 6     /* forms per name */
#define KN_FORMBUF 384    /* bytes of token text per form */
#define KN_TOKMAX 40      /* bytes of one token */

/* Token flags. */
enum {
  KT_KOR = 1,     /* a romanised Korean syllable in a Korean-mode form */
  KT_STOP = 2,    /* particle / title (al, bin, de, mr, ...) */
  KT_LEGAL = 4,   /* legal form (ltd, llc, jsc, ...) */
  KT_NUM = 8,     /* digits */
  KT_INIT = 16,   /* a single letter (initial) */
  KT_SURN = 32,   /* a Korean surname */
  KT_COMMON = 64  /* a very common given name (mohammed, ali, ...) */
};

/* Scripts of script forms (0 = Latin/ASCII form). */
enum {
  KS_LATIN = 0, KS_HANGUL, KS_HAN, KS_KANA, KS_CYRILLIC, KS_GREEK,
  KS_ARABIC, KS_HEBREW, KS_OTHER
};

typedef struct kn_tok {
  const char *s;      /* not NUL-terminated; len bytes */
  uint8_t len;
  uint8_t flags;
  uint16_t kkey;      /* Korean syllable fold key (KT_KOR), else 0 */
  float w;            /* weight in the alignment */
} kn_tok;

typedef struct kn_form {
  kn_tok t[KN_MAXTOK];
  uint8_t n;
  uint8_t script;     /* KS_* ; 0 = ASCII tokens */
  uint8_t korean;     /* Korean mode: every token is a Korean syllable */
  char buf[KN_FORMBUF];
  size_t used;
} kn_form;

typedef struct kn_name {
  kn_form f[KN_MAXFORMS];
  int n;
  int script;         /* KS_* of the non-Latin script form, 0 if none */
} kn_name;

/* ---- norm.c */
/* Fold Latin text to lower-case ASCII words separated by single spaces
** (NFKD, case fold, marks stripped, apostrophes removed, other punctuation
** to spaces, '&' to "and"). Sets *nonlatin when letters of another script
** were seen (they are dropped from out). Returns the length written. */
size_t kn_fold_latin(const char *in, char *out, size_t cap, bool *nonlatin);
/* Prepare a raw name into forms. Returns the number of forms (0 if the
** name has no letters or digits). */
int kn_prepare(const char *raw, kn_name *out);
/* Prepare one form from an already folded ASCII string (tokens separated
** by spaces), applying initials merging, legal-form canonicalisation and
** Korean mode detection. */
void kn_form_ascii(kn_form *f, const char *ascii);
/* The same; surname_last: the name was written "Given, SURNAME" style
** (a comma), so the last token may be the Korean surname. */
void kn_form_ascii2(kn_form *f, const char *ascii, bool surname_last);
/* Korean syllable key of a token (0 if it is not one romanised syllable). */
uint16_t kn_korean_key(const char *s, size_t len);
/* Dominant non-Latin script of raw text (KS_*), 0 if none. */
int kn_script_of_text(const char *raw);

/* ---- match.c */
/* Similarity of two tokens in [0,1]. kor: both forms are Korean-mode. */
double kn_tok_sim(const kn_tok *a, const kn_tok *b, bool kor);
/* Score two forms in [0,1]; explain (may be NULL) gets the alignment. */
double kn_form_score(const kn_form *a, const kn_form *b, char *explain,
                     size_t cap);
/* Score two prepared names (best over comparable form pairs). fa, fb get
** the indexes of the forms that scored best (may be NULL). */
double kn_name_score(const kn_name *a, const kn_name *b, char *explain,
                     size_t cap, int *fa, int *fb);

#endif
