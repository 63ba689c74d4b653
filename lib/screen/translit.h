/*
** translit.h -- romanisation of non-Latin names into the lower-case ASCII
** forms that watchlists use. Internal to lib/ (the matcher and loaders).
**
** Output forms: lower-case ASCII letters and digits, words separated by
** single spaces, no punctuation. A Korean name gives one word per syllable,
** surname first as written: 김정은 -> "kim jong un" (DPRK official /
** McCune-Reischauer without diacritics), "kim chong un" (MR voiceless
** initial), "gim jeong eun" (Revised Romanisation). Han gives Korean readings
** (Unihan kHangul, then the Korean forms) and a toneless Mandarin reading
** (kMandarin): 金正恩 -> "kim jong un", ..., "jin zheng en". Cyrillic gives a
** Russian/BGN-style form and, for Korean names written in the Kontsevich
** system, the Korean forms: "Ким Чен Ын" -> "kim chen yn", "kim jong un".
** Latin input is folded once (NFKD, marks stripped, case-folded, ŏ->o,
** ŭ->u, apostrophes removed, other punctuation to spaces).
** Forms are distinct and ordered most-likely first.
*/
#ifndef KPW_SCREEN_TRANSLIT_H
#define KPW_SCREEN_TRANSLIT_H

#include <stddef.h>

#define KPW_TRANSLIT_MAX_FORMS 8
#define KPW_TRANSLIT_FORM_CAP 256

/* Writes up to max (<= KPW_TRANSLIT_MAX_FORMS) forms into forms[i] (each
** KPW_TRANSLIT_FORM_CAP bytes, NUL-terminated, truncated at a word
** boundary if too long). Returns the number written (>= 1 unless the name
** has no letters or digits at all, then 0). Thread-safe, no allocation. */
size_t kpw_translit_forms(const char *utf8,
                          char forms[][KPW_TRANSLIT_FORM_CAP], size_t max);

/* Romanise one Hangul syllable block U+AC00..U+D7A3 in the given system,
** position-aware (initial of a word or not, next syllable's initial for
** assimilation is ignored: lists romanise syllable by syllable).
** sys: 0 = DPRK/MR without diacritics, 1 = MR voiceless initials, 2 = RR.
** Writes into out (>= 8 bytes); returns length, 0 if cp is not a syllable. */
size_t kpw_hangul_syllable(unsigned cp, int sys, int word_initial, char *out);

#endif
