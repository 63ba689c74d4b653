/*
** norm.c -- name normalisation for the matcher: Latin folding (libutf8proc
** NFKD + case fold + mark stripping), tokens, initials, legal forms,
** token weights, and the Korean romanised-syllable parser that folds the
** spellings lists use for the same syllable (Ri/Li/Lee/Yi/Rhee/I,
** Pak/Park/Bak/Paek, Choe/Choi/Chwe, ch'/ch/j, k/g, p/b, t/d, ŏ/o, eo/o,
** ŭ/u, eu/u) onto one 16-bit key. Non-Latin names are romanised by
** kpw_translit_forms() (translit.c) and also kept in their own script.
**
** Everything here is bounded by the fixed buffers of kn_form/kn_name:
** over-long input is truncated at token boundaries, never overrun.
*/
#include "screen/screen_int.h"
#include "screen/translit.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------ UTF-8 */

/* Decode one code point; invalid bytes give U+FFFD and advance 1. */
static size_t dec_utf8(const unsigned char *s, size_t n, int32_t *cp) {
  utf8proc_int32_t c = 0;
  utf8proc_ssize_t k = utf8proc_iterate(s, (utf8proc_ssize_t)n, &c);
  if (k <= 0) { *cp = 0xFFFD; return 1; }
  *cp = c;
  return (size_t)k;
}

static int script_of_cp(int32_t c) {
  if ((c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) ||
      (c >= 0x3130 && c <= 0x318F)) return KS_HANGUL;
  if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF))
    return KS_HAN;
  if (c >= 0x3040 && c <= 0x30FF) return KS_KANA;
  if (c >= 0x0400 && c <= 0x052F) return KS_CYRILLIC;
  if ((c >= 0x0370 && c <= 0x03FF) || (c >= 0x1F00 && c <= 0x1FFF))
    return KS_GREEK;
  if ((c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) ||
      (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF))
    return KS_ARABIC;
  if (c >= 0x0590 && c <= 0x05FF) return KS_HEBREW;
  return KS_OTHER;
}

static bool is_apostrophe(int32_t c) {
  return c == '\'' || c == '`' || c == 0xB4 || c == 0x2018 || c == 0x2019 ||
         c == 0x2BC || c == 0x2BB || c == 0x2B9 || c == 0x2BE ||
         c == 0x2BF || c == 0x2032;
}

/* Latin letters that NFKD does not reduce to ASCII. */
static const char *latin_special(int32_t c) {
  switch (c) {
  case 0xF8: case 0xD8: return "o";      /* ø */
  case 0x111: case 0x110: return "d";    /* đ */
  case 0x142: case 0x141: return "l";    /* ł */
  case 0xDF: return "ss";
  case 0xE6: case 0xC6: return "ae";
  case 0x153: case 0x152: return "oe";
  case 0xFE: case 0xDE: return "th";
  case 0xF0: case 0xD0: return "d";
  case 0x131: return "i";
  case 0x127: case 0x126: return "h";
  case 0x14B: case 0x14A: return "ng";
  case 0x138: return "k";
  case 0x1E9E: return "ss";
  default: return NULL;
  }
}

size_t kn_fold_latin(const char *in, char *out, size_t cap, bool *nonlatin) {
  size_t o = 0, n = strlen(in), i = 0;
  bool sep = true;                       /* last written was a separator */
  if (nonlatin) *nonlatin = false;
  if (cap == 0) return 0;
  while (i < n && o + 8 < cap) {
    int32_t cp;
    unsigned char b = (unsigned char)in[i];
    if (b < 0x80) { cp = b; i++; }
    else i += dec_utf8((const unsigned char *)in + i, n - i, &cp);
    if (is_apostrophe(cp)) {              /* ch'ang -> chang, qa'ida -> qaida */
      /* "Myo' ng": a stray space after the apostrophe inside a syllable */
      if (!sep && i + 1 < n && in[i] == ' ' &&
          ((in[i + 1] >= 'a' && in[i + 1] <= 'z') || (in[i + 1] >= 'A' && in[i + 1] <= 'Z')))
        i++;
      continue;
    }
    int32_t dec[8];
    utf8proc_ssize_t nd;
    if (cp < 0x80) { dec[0] = cp; nd = 1; }
    else {
      utf8proc_int32_t d[8];
      int bc = 0;
      nd = utf8proc_decompose_char(cp, d, 8,
             (utf8proc_option_t)(UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                 UTF8PROC_STRIPMARK | UTF8PROC_DECOMPOSE), &bc);
      if (nd < 0 || nd > 8) { dec[0] = ' '; nd = 1; }
      else for (utf8proc_ssize_t k = 0; k < nd; k++) dec[k] = d[k];
    }
    for (utf8proc_ssize_t k = 0; k < nd; k++) {
      int32_t c = dec[k];
      const char *sp = NULL;
      if (c >= 'A' && c <= 'Z') c += 32;
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out[o++] = (char)c; sep = false; continue;
      }
      if (c == '&') { sp = "and"; }
      else sp = latin_special(c);
      if (sp) {
        if (c == '&' && !sep) out[o++] = ' ';
        while (*sp && o + 2 < cap) out[o++] = *sp++;
        if (c == '&') { out[o++] = ' '; sep = true; } else sep = false;
        continue;
      }
      if (c >= 0x80) {
        utf8proc_category_t cat = utf8proc_category(c);
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) {
          if (nonlatin) *nonlatin = true;
        } else if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC) {
          continue;                       /* stray marks: ignore */
        }
      }
      if (!sep) { out[o++] = ' '; sep = true; }
    }
  }
  while (o > 0 && out[o - 1] == ' ') o--;
  out[o] = 0;
  return o;
}

int kn_script_of_text(const char *raw) {
  int counts[KS_OTHER + 1] = {0};
  size_t n = strlen(raw), i = 0;
  while (i < n) {
    int32_t cp;
    unsigned char b = (unsigned char)raw[i];
    if (b < 0x80) { i++; continue; }
    i += dec_utf8((const unsigned char *)raw + i, n - i, &cp);
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_LO) continue;
    int s = script_of_cp(cp);
    if (s == KS_OTHER) {
      /* Latin-with-diacritics letters are Latin, not "other". */
      if (cp < 0x0370 || (cp >= 0x1E00 && cp <= 0x1EFF)) continue;
    }
    counts[s]++;
  }
  int best = 0, bc = 0;
  for (int s = 1; s <= KS_OTHER; s++)
    if (counts[s] > bc) { bc = counts[s]; best = s; }
  return best;
}

/* --------------------------------------------------- Korean syllables */

/* Initial consonants, longest first, with their fold classes. */
enum { KI_0 = 0, KI_K, KI_T, KI_P, KI_C, KI_S, KI_R, KI_N, KI_M, KI_H };
static const struct { const char *s; uint8_t len, cls; } K_INI[] = {
  {"tch", 3, KI_C}, {"kk", 2, KI_K}, {"tt", 2, KI_T}, {"pp", 2, KI_P},
  {"ss", 2, KI_S}, {"jj", 2, KI_C}, {"ch", 2, KI_C}, {"ts", 2, KI_C},
  {"sh", 2, KI_S}, {"th", 2, KI_T}, {"kh", 2, KI_K}, {"ph", 2, KI_P},
  {"k", 1, KI_K}, {"g", 1, KI_K}, {"n", 1, KI_N},
  {"d", 1, KI_T}, {"t", 1, KI_T}, {"r", 1, KI_R}, {"l", 1, KI_R},
  {"m", 1, KI_M}, {"b", 1, KI_P}, {"p", 1, KI_P}, {"s", 1, KI_S},
  {"j", 1, KI_C}, {"h", 1, KI_H}, {"", 0, KI_0}
};
enum { KV_A = 1, KV_AE, KV_YA, KV_YAE, KV_O, KV_E, KV_YE, KV_YO, KV_WA,
       KV_WE, KV_WO, KV_WI, KV_U, KV_YU, KV_UI, KV_I };
static const struct { const char *s; uint8_t len, cls; } K_VOW[] = {
  {"yae", 3, KV_YAE}, {"yeo", 3, KV_YO}, {"weo", 3, KV_WO}, {"wae", 3, KV_WE},
  {"eui", 3, KV_UI}, {"you", 3, KV_YO}, {"woo", 3, KV_U}, {"ou", 2, KV_U},
  {"wu", 2, KV_U}, {"ae", 2, KV_AE}, {"ya", 2, KV_YA}, {"eo", 2, KV_O},
  {"ye", 2, KV_YE}, {"wo", 2, KV_WO}, {"wa", 2, KV_WA}, {"we", 2, KV_WE},
  {"wi", 2, KV_WI}, {"oe", 2, KV_WE}, {"oi", 2, KV_WE}, {"ui", 2, KV_UI},
  {"eu", 2, KV_U}, {"yo", 2, KV_YO}, {"yu", 2, KV_YU}, {"ee", 2, KV_I},
  {"oo", 2, KV_U}, {"a", 1, KV_A}, {"e", 1, KV_E}, {"o", 1, KV_O},
  {"u", 1, KV_U}, {"i", 1, KV_I}
};
static const struct { const char *s; uint8_t len, cls; } K_FIN[] = {
  {"ng", 2, 1}, {"n", 1, 2}, {"l", 1, 3}, {"m", 1, 4}, {"k", 1, 5},
  {"p", 1, 6}, {"t", 1, 7}, {"b", 1, 6}, {"g", 1, 5}, {"d", 1, 7},
  {"", 0, 0}
};

#define KKEY(i, v, f) ((uint16_t)(0x8000u | ((unsigned)(i) << 9) | \
                                  ((unsigned)(v) << 4) | (unsigned)(f)))

/* All ways one syllable can start at s[0..n): writes end offsets and keys;
** returns how many (<= 16). */
static int syl_options(const char *s, size_t n, uint8_t *ends, uint16_t *keys) {
  int cnt = 0;
  for (size_t a = 0; a < sizeof K_INI / sizeof K_INI[0]; a++) {
    size_t la = K_INI[a].len;
    if (la > n || memcmp(s, K_INI[a].s, la) != 0) continue;
    for (size_t b = 0; b < sizeof K_VOW / sizeof K_VOW[0]; b++) {
      size_t lb = K_VOW[b].len;
      if (la + lb > n || memcmp(s + la, K_VOW[b].s, lb) != 0) continue;
      for (size_t c = 0; c < sizeof K_FIN / sizeof K_FIN[0]; c++) {
        size_t lc = K_FIN[c].len;
        if (la + lb + lc > n || memcmp(s + la + lb, K_FIN[c].s, lc) != 0)
          continue;
        if (cnt < 16) {
          uint8_t v = K_VOW[b].cls;
          /* South Korean spellings write yeo+ng as "yung" after a
          ** consonant: Kyung/Hyung/Myung/Byung = Kyong/Hyong/Myong/Pyong */
          if (v == KV_YU && K_FIN[c].cls == 1 && K_INI[a].cls != KI_0) v = KV_YO;
          ends[cnt] = (uint8_t)(la + lb + lc);
          keys[cnt] = KKEY(K_INI[a].cls, v, K_FIN[c].cls);
          cnt++;
        }
      }
    }
  }
  return cnt;
}

uint16_t kn_korean_key(const char *s, size_t len) {
  uint8_t ends[16]; uint16_t keys[16];
  if (len == 0 || len > 8) return 0;
  int c = syl_options(s, len, ends, keys);
  for (int i = 0; i < c; i++) if (ends[i] == len) return keys[i];
  return 0;
}

/* Split a token into 1..4 romanised Korean syllables. Prefers the fewest
** syllables, then the longest first syllable ("jongun" -> jong+un).
** Writes cut lengths; returns the count, 0 if it does not parse. */
static int korean_split(const char *s, size_t n, uint8_t *lens) {
  if (n == 0 || n > 20) return 0;
  uint8_t best[21];               /* min syllables for s[i..n), 99 = none */
  best[n] = 0;
  for (size_t i = n; i-- > 0;) {
    uint8_t ends[16]; uint16_t keys[16];
    int c = syl_options(s + i, n - i, ends, keys);
    best[i] = 99;
    for (int k = 0; k < c; k++)
      if (ends[k] > 0 && best[i + ends[k]] + 1 < best[i])
        best[i] = (uint8_t)(best[i + ends[k]] + 1);
  }
  if (best[0] > 4) return 0;
  int cnt = 0;
  size_t i = 0;
  while (i < n) {
    uint8_t ends[16]; uint16_t keys[16];
    int c = syl_options(s + i, n - i, ends, keys);
    uint8_t pick = 0;
    for (int k = 0; k < c; k++)
      if (ends[k] > 0 && best[i + ends[k]] + 1 == best[i] && ends[k] > pick)
        pick = ends[k];
    if (pick == 0) return 0;
    lens[cnt++] = pick;
    i += pick;
  }
  return cnt;
}

/* Korean surnames as lists spell them, with the key of their canonical
** spelling: variants of one surname share a key (Ri/Li/Lee/Yi/Rhee/I...). */
static const struct { const char *s, *canon; } K_SURN[] = {
  {"kim", "kim"}, {"gim", "kim"},
  {"ri", "i"}, {"li", "i"}, {"lee", "i"}, {"yi", "i"}, {"rhee", "i"},
  {"i", "i"}, {"rhie", "i"}, {"ree", "i"}, {"rie", "i"}, {"yee", "i"},
  {"pak", "pak"}, {"park", "pak"}, {"bak", "pak"}, {"paek", "pak"},
  {"baek", "pak"}, {"paik", "pak"}, {"baik", "pak"},
  {"choe", "choe"}, {"choi", "choe"}, {"chwe", "choe"}, {"choy", "choe"},
  {"jong", "jong"}, {"chong", "jong"}, {"jeong", "jong"}, {"cheong", "jong"},
  {"jang", "jang"}, {"chang", "jang"}, {"han", "han"}, {"o", "o"},
  {"oh", "o"}, {"yun", "yun"}, {"yoon", "yun"}, {"kang", "kang"},
  {"gang", "kang"}, {"an", "an"}, {"ahn", "an"}, {"hwang", "hwang"},
  {"ryu", "yu"}, {"yu", "yu"}, {"yoo", "yu"}, {"rim", "im"}, {"lim", "im"},
  {"im", "im"}, {"ryang", "yang"}, {"yang", "yang"}, {"ro", "no"},
  {"no", "no"}, {"noh", "no"}, {"roh", "no"}, {"ryom", "yom"},
  {"yom", "yom"}, {"hyon", "hyon"}, {"hyun", "hyon"}, {"hyeon", "hyon"},
  {"song", "song"}, {"son", "son"}, {"sohn", "son"}, {"so", "so"},
  {"sin", "sin"}, {"shin", "sin"}, {"mun", "mun"}, {"moon", "mun"},
  {"jo", "jo"}, {"cho", "jo"}, {"chu", "ju"}, {"ju", "ju"}, {"ko", "ko"},
  {"go", "ko"}, {"ku", "ku"}, {"gu", "ku"}, {"kwon", "kwon"},
  {"gwon", "kwon"}, {"ra", "na"}, {"na", "na"}, {"pyon", "pyon"},
  {"pyun", "pyon"}, {"byun", "pyon"}, {"byon", "pyon"}, {"hong", "hong"},
  {"jon", "jon"}, {"chon", "jon"}, {"jeon", "jon"}, {"chun", "jon"},
  {"tak", "tak"}, {"to", "to"}, {"do", "to"}, {"chae", "chae"},
  {"pae", "pae"}, {"bae", "pae"}, {"sim", "sim"}, {"shim", "sim"},
  {"kye", "kye"}, {"kil", "kil"}, {"kwak", "kwak"}, {"min", "min"},
  {"nam", "nam"}, {"wang", "wang"}, {"won", "won"}, {"yon", "yon"},
  {"yeon", "yon"}, {"kye", "kye"}, {"sok", "sok"}, {"seok", "sok"},
  {"tong", "tong"}, {"ham", "ham"}, {"hyok", "hyok"}, {"ok", "ok"},
  {"um", "om"}, {"om", "om"}, {"eom", "om"}, {"ma", "ma"}, {"myong", "myong"},
  {"cha", "cha"}, {"pang", "pang"}, {"bang", "pang"}, {"u", "u"},
  {"woo", "u"}, {"kong", "kong"}, {"ki", "ki"}, {"ji", "ji"}, {"chi", "ji"},
};

static const char *surname_canon(const char *s, size_t n) {
  if (n == 0 || n > 6) return NULL;
  for (size_t i = 0; i < sizeof K_SURN / sizeof K_SURN[0]; i++)
    if (K_SURN[i].s[0] == s[0] && strlen(K_SURN[i].s) == n &&
        memcmp(K_SURN[i].s, s, n) == 0)
      return K_SURN[i].canon;
  return NULL;
}

/* ------------------------------------------------------ word classes */

static bool in_list(const char *const *list, const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; list[i]; i++)
    if (list[i][0] == s[0] && strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
      return true;
  return false;
}

static const char *const STOPWORDS[] = {
  "al", "el", "bin", "ben", "ibn", "bint", "abu", "da", "de", "del", "della",
  "der", "den", "di", "do", "dos", "das", "du", "la", "le", "van", "von",
  "the", "of", "and", "y", "mr", "mrs", "ms", "dr", "sir", "mister",
  "shaikh", "sheikh", "sheik", "haji", "hajji", "mullah", "mulla", "maulvi",
  "maulana", "qari", "president", "prof", "gen", "general", "col",
  "colonel", "jr", "sr", "wa", "ould", "monsieur", "madame", "mv", "mt",
  "ms", "m", "in", "for", "und", "et", "les", "des", "ul", "ur", "ud",
  "ad", "as", "an", "at", "bou", "ait", "um", "umm", "praesident",
  "prasident", "st", NULL
};
static const char *const LEGAL[] = {
  "ltd", "llc", "inc", "corp", "co", "ag", "gmbh", "jsc", "ojsc", "cjsc",
  "pjsc", "plc", "sa", "srl", "sarl", "bv", "nv", "ab", "oy", "spa", "sas",
  "lp", "llp", "ooo", "pte", "pty", "kg", "sp", "zoo", "se", "kft", "doo",
  "ltda", "sl", "fze", "fzco", "fzc", "tov", "ao", "oao", "zao", "pao",
  "ip", "cv", "sdn", "bhd", "pt", "tbk", "lda", "sro", "as", "aps", "asa",
  "oyj", "gmbh", "ug", "ohg", "ev", "cie", "cia", NULL
};
static const char *const COMMON[] = {
  "mohammed", "mohammad", "muhammad", "mohamed", "muhammed", "mohamad",
  "mohd", "ahmed", "ahmad", "ali", "abdul", "abdullah", "abdel", "abdallah",
  "hassan", "hasan", "hussein", "husain", "hussain", "omar", "umar",
  "ibrahim", "mahmoud", "mahmood", "mahmud", "khan", "mustafa", "mostafa",
  "yusuf", "youssef", "abd", "abdel", "abdur", "abdal", "said", "saeed",
  "john", "david", "maria", "jose", "juan", "kim", "lee", "wang", "zhang",
  "liu", "chen", "nguyen", "company", "group", "international", "trading",
  "bank", "shipping", "industries", "holding", "holdings", "general",
  "national", "limited", "corporation", "enterprise", "enterprises",
  "services", "investment", "investments", NULL
};

/* Multi-word and long legal forms to one canonical token. */
static const struct { const char *phrase, *canon; } LEGAL_PHRASES[] = {
  {"open joint stock company", "ojsc"}, {"closed joint stock company", "cjsc"},
  {"public joint stock company", "pjsc"}, {"joint stock company", "jsc"},
  {"limited liability company", "llc"}, {"limited liability partnership", "llp"},
  {"public limited company", "plc"}, {"limited partnership", "lp"},
  {"gesellschaft mit beschrankter haftung", "gmbh"},
  {"societe anonyme", "sa"}, {"sociedad anonima", "sa"},
  {"societatea cu raspundere limitata", "srl"},
  {"societe a responsabilite limitee", "sarl"},
  {"aktiengesellschaft", "ag"}, {"limited", "ltd"}, {"incorporated", "inc"},
  {"corporation", "corp"}, {"company", "co"}, {"oao", "ojsc"},
  {"zao", "cjsc"},
  {"obshchestvo s ogranichennoy otvetstvennostyu", "ooo"},
  {"obshchestvo s ogranichennoi otvetstvennostiu", "ooo"},
  {"intl", "international"},
};

/* ------------------------------------------------------ form building */

typedef struct wordv { const char *s[KN_MAXTOK * 2]; uint8_t len[KN_MAXTOK * 2]; int n; } wordv;

static void split_words(const char *a, wordv *w) {
  w->n = 0;
  while (*a && w->n < KN_MAXTOK * 2) {
    while (*a == ' ') a++;
    if (!*a) break;
    const char *st = a;
    while (*a && *a != ' ') a++;
    size_t l = (size_t)(a - st);
    if (l > KN_TOKMAX) l = KN_TOKMAX;
    w->s[w->n] = st; w->len[w->n] = (uint8_t)l; w->n++;
  }
}

static bool tok_eq(const char *s, size_t n, const char *lit) {
  return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Append token text to the form buffer; returns its start or NULL. */
static const char *form_put(kn_form *f, const char *s, size_t n) {
  if (f->used + n + 1 > KN_FORMBUF) return NULL;
  char *d = f->buf + f->used;
  memcpy(d, s, n);
  d[n] = 0;
  f->used += n + 1;
  return d;
}

static void add_tok(kn_form *f, const char *s, size_t n, uint8_t flags,
                    uint16_t kkey) {
  if (f->n >= KN_MAXTOK || n == 0) return;
  const char *p = form_put(f, s, n);
  if (!p) return;
  kn_tok *t = &f->t[f->n++];
  t->s = p; t->len = (uint8_t)n; t->flags = flags; t->kkey = kkey; t->w = 1.0f;
}

static float base_weight(const kn_tok *t) {
  float w;
  if (t->flags & KT_KOR) w = (t->flags & KT_SURN) ? 0.6f : 1.0f;
  else if (t->len == 1) w = 0.3f;
  else if (t->len == 2) w = 0.55f;
  else if (t->len == 3) w = 0.8f;
  else w = 1.0f;
  if (t->flags & KT_NUM) w = 0.6f;
  if (t->flags & KT_STOP) w *= 0.35f;
  else if (t->flags & KT_LEGAL) w *= 0.3f;
  else if (t->flags & KT_COMMON) w *= 0.7f;
  return w;
}

void kn_form_ascii(kn_form *f, const char *ascii) {
  kn_form_ascii2(f, ascii, false);
}

void kn_form_ascii2(kn_form *f, const char *ascii, bool surname_last) {
  wordv w;
  const char *canon_s[KN_MAXTOK * 2];
  uint8_t canon_l[KN_MAXTOK * 2];
  int nc = 0;
  f->n = 0; f->used = 0; f->script = 0; f->korean = 0;
  split_words(ascii, &w);
  /* 1. runs of single letters ("a b c", "j p") become one token. */
  for (int i = 0; i < w.n;) {
    if (w.len[i] == 1 && i + 1 < w.n && w.len[i + 1] == 1 &&
        !(w.s[i][0] >= '0' && w.s[i][0] <= '9')) {
      char tmp[KN_TOKMAX];
      size_t tl = 0;
      int j = i;
      while (j < w.n && w.len[j] == 1 && tl < KN_TOKMAX) tmp[tl++] = w.s[j++][0];
      const char *p = form_put(f, tmp, tl);
      if (p && nc < KN_MAXTOK * 2) { canon_s[nc] = p; canon_l[nc++] = (uint8_t)tl; }
      i = j;
      continue;
    }
    /* 2. legal-form phrases. */
    bool done = false;
    for (size_t k = 0; k < sizeof LEGAL_PHRASES / sizeof LEGAL_PHRASES[0]; k++) {
      const char *ph = LEGAL_PHRASES[k].phrase;
      int j = i;
      const char *q = ph;
      while (j < w.n) {
        size_t ql = strcspn(q, " ");
        if (ql != w.len[j] || memcmp(q, w.s[j], ql) != 0) break;
        j++; q += ql;
        if (*q == 0) break;
        q++;
      }
      if (*q == 0 && j > i) {
        const char *c = LEGAL_PHRASES[k].canon;
        if (nc < KN_MAXTOK * 2) { canon_s[nc] = c; canon_l[nc++] = (uint8_t)strlen(c); }
        i = j; done = true; break;
      }
    }
    if (done) continue;
    if (nc < KN_MAXTOK * 2) { canon_s[nc] = w.s[i]; canon_l[nc++] = w.len[i]; }
    i++;
  }
  /* 3. Korean mode: every token splits into romanised syllables and one
  **    of them is a Korean surname. */
  bool kor = nc > 0, has_surn = false;
  int nsyl = 0;
  /* cheap gate first: no Korean surname, no Korean mode (and no parsing) */
  for (int i = 0; i < nc && !has_surn; i++)
    if (surname_canon(canon_s[i], canon_l[i])) has_surn = true;
  if (!has_surn) kor = false;
  uint8_t cuts[KN_MAXTOK * 2][4];
  int ncut[KN_MAXTOK * 2];
  for (int i = 0; i < nc && kor; i++) {
    if (surname_canon(canon_s[i], canon_l[i])) {
      has_surn = true; ncut[i] = 1; cuts[i][0] = canon_l[i]; nsyl++;
      continue;
    }
    ncut[i] = korean_split(canon_s[i], canon_l[i], cuts[i]);
    if (ncut[i] == 0) kor = false;
    nsyl += ncut[i];
  }
  if (kor && has_surn && nsyl >= 2 && nsyl <= KN_MAXTOK) {
    f->korean = 1;
    for (int i = 0; i < nc; i++) {
      /* the surname stands first ("KIM Jong Un"), or last when the name
      ** was written "Jong Un, KIM"; elsewhere "chun" is a given name */
      bool surn_pos = i == 0 || (surname_last && i == nc - 1);
      const char *sc = surn_pos ? surname_canon(canon_s[i], canon_l[i]) : NULL;
      if (sc) {
        add_tok(f, canon_s[i], canon_l[i], KT_KOR | KT_SURN,
                kn_korean_key(sc, strlen(sc)));
        continue;
      }
      if (ncut[i] == 1 && surname_canon(canon_s[i], canon_l[i]) &&
          !kn_korean_key(canon_s[i], canon_l[i])) {
        /* a surname spelling that is no regular syllable (Park, Rhee) */
        add_tok(f, canon_s[i], canon_l[i], KT_KOR, 0);
        continue;
      }
      size_t off = 0;
      for (int k = 0; k < ncut[i]; k++) {
        add_tok(f, canon_s[i] + off, cuts[i][k], KT_KOR,
                kn_korean_key(canon_s[i] + off, cuts[i][k]));
        off += cuts[i][k];
      }
    }
  } else {
    for (int i = 0; i < nc; i++) {
      const char *s = canon_s[i];
      size_t l = canon_l[i];
      uint8_t fl = 0;
      bool digits = true;
      for (size_t k = 0; k < l; k++) if (s[k] < '0' || s[k] > '9') digits = false;
      if (digits) fl |= KT_NUM;
      else if (l == 1) fl |= KT_INIT;
      /* an inner x is "ks" in transliterations (Alexey = Aleksey) */
      char xb[KN_TOKMAX];
      if (l > 3 && memchr(s + 1, 'x', l - 1)) {
        size_t o = 0;
        for (size_t k = 0; k < l && o + 2 < sizeof xb; k++) {
          if (k > 0 && s[k] == 'x') { xb[o++] = 'k'; xb[o++] = 's'; }
          else xb[o++] = s[k];
        }
        s = xb; l = o;
      }
      if (in_list(STOPWORDS, s, l)) fl |= KT_STOP;
      else if (in_list(LEGAL, s, l)) fl |= KT_LEGAL;
      else if (in_list(COMMON, s, l)) fl |= KT_COMMON;
      add_tok(f, s, l, fl, 0);
    }
  }
  for (int i = 0; i < f->n; i++) f->t[i].w = base_weight(&f->t[i]);
  /* A name made only of low-weight tokens ("Al Qaeda" has one real token;
  ** "The Group" none) must still be comparable: floor the weights. */
  float tot = 0;
  for (int i = 0; i < f->n; i++) tot += f->t[i].w;
  if (tot < 0.5f)
    for (int i = 0; i < f->n; i++) f->t[i].w = 0.5f;
  (void)tok_eq;
}

/* The name in its own script: case-folded, marks stripped; Hangul, Han and
** Kana characters each become a token (a syllable / morpheme). */
static void form_script(kn_form *f, const char *raw, int script) {
  f->n = 0; f->used = 0; f->script = (uint8_t)script; f->korean = 0;
  size_t n = strlen(raw), i = 0;
  char tok[KN_TOKMAX + 4];
  size_t tl = 0;
  while (i <= n) {
    int32_t cp = 0;
    if (i < n) {
      unsigned char b = (unsigned char)raw[i];
      if (b < 0x80) { cp = b; i++; }
      else i += dec_utf8((const unsigned char *)raw + i, n - i, &cp);
    } else i++;
    int32_t outc[8];
    int no = 0;
    bool single = false;
    if (cp == 0) no = 0;
    else if (is_apostrophe(cp)) continue;
    else {
      int sc = cp >= 0x80 ? script_of_cp(cp) : KS_OTHER;
      if (sc == KS_HANGUL || sc == KS_HAN || sc == KS_KANA) {
        outc[0] = cp; no = 1; single = true;
      } else {
        utf8proc_int32_t d[8];
        int bc = 0;
        utf8proc_ssize_t nd = utf8proc_decompose_char(cp, d, 8,
            (utf8proc_option_t)(UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                UTF8PROC_STRIPMARK | UTF8PROC_DECOMPOSE), &bc);
        if (nd > 0 && nd <= 8)
          for (utf8proc_ssize_t k = 0; k < nd; k++) {
            utf8proc_category_t cat = utf8proc_category(d[k]);
            if ((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_MC)
              outc[no++] = d[k];
            else if (cat == UTF8PROC_CATEGORY_MN) continue;
            else { outc[no++] = -1; }
          }
      }
    }
    if (no == 0 || single) {           /* flush */
      if (tl) { add_tok(f, tok, tl, 0, 0); tl = 0; }
      if (single) {
        char u[4];
        utf8proc_ssize_t k = utf8proc_encode_char(outc[0], (utf8proc_uint8_t *)u);
        if (k > 0) add_tok(f, u, (size_t)k, KT_KOR /* exact unit */, 0);
      }
      continue;
    }
    for (int k = 0; k < no; k++) {
      if (outc[k] < 0) {
        if (tl) { add_tok(f, tok, tl, 0, 0); tl = 0; }
        continue;
      }
      char u[4];
      utf8proc_ssize_t m = utf8proc_encode_char(outc[k], (utf8proc_uint8_t *)u);
      if (m > 0 && tl + (size_t)m <= KN_TOKMAX) { memcpy(tok + tl, u, (size_t)m); tl += (size_t)m; }
    }
  }
  for (int k = 0; k < f->n; k++) {
    kn_tok *t = &f->t[k];
    /* weights by letters, not bytes */
    size_t letters = 0;
    for (size_t b = 0; b < t->len; b++)
      if (((unsigned char)t->s[b] & 0xC0) != 0x80) letters++;
    if (t->flags & KT_KOR) t->w = 1.0f;
    else t->w = letters == 1 ? 0.3f : letters == 2 ? 0.55f : letters == 3 ? 0.8f : 1.0f;
  }
}

static int prepare_one(const char *raw, kn_name *out);

/* "Jin Tiesan (金铁三)": a name followed by the same name in another script
** in parentheses is two spellings of one name. Splits raw into the outer
** and inner parts (bounded copies); false unless the scripts differ. */
static bool split_paren(const char *raw, char *outer, char *inner, size_t cap) {
  const char *o = strchr(raw, '(');
  const char *c = o ? strchr(o, ')') : NULL;
  if (!o || !c || c - o < 2) return false;
  size_t lo = (size_t)(o - raw), li = (size_t)(c - o - 1), lr = strlen(c + 1);
  if (lo + lr + 2 > cap || li + 1 > cap) return false;
  memcpy(outer, raw, lo);
  outer[lo] = ' ';
  memcpy(outer + lo + 1, c + 1, lr + 1);
  memcpy(inner, o + 1, li);
  inner[li] = 0;
  return kn_script_of_text(outer) != kn_script_of_text(inner);
}

int kn_prepare(const char *raw, kn_name *out) {
  char outer[KN_FORMBUF], inner[KN_FORMBUF];
  out->n = 0; out->script = 0;
  if (!raw) return 0;
  if (strlen(raw) < KN_FORMBUF && split_paren(raw, outer, inner, sizeof outer)) {
    kn_name *tmp = malloc(sizeof *tmp);
    if (tmp) {
      prepare_one(outer, out);
      prepare_one(inner, tmp);
      /* keep the outer forms, then the inner ones (forms are moved by
      ** re-preparing their text, since tokens point into their own form) */
      for (int i = 0; i < tmp->n && out->n < KN_MAXFORMS; i++) {
        char txt[KN_FORMBUF];
        size_t u = 0;
        const kn_form *f = &tmp->f[i];
        for (int k = 0; k < f->n && u + f->t[k].len + 2 < sizeof txt; k++) {
          if (k) txt[u++] = ' ';
          memcpy(txt + u, f->t[k].s, f->t[k].len);
          u += f->t[k].len;
        }
        txt[u] = 0;
        if (f->script) continue;              /* the script form stays out */
        kn_form_ascii(&out->f[out->n], txt);
        if (out->f[out->n].n) out->n++;
      }
      free(tmp);
      if (out->n) return out->n;
    }
  }
  return prepare_one(raw, out);
}

static int prepare_one(const char *raw, kn_name *out) {
  char buf[KN_FORMBUF];
  bool nonlatin = false;
  out->n = 0; out->script = 0;
  kn_fold_latin(raw, buf, sizeof buf, &nonlatin);
  if (nonlatin) {
    int sc = kn_script_of_text(raw);
    char forms[KPW_TRANSLIT_MAX_FORMS][KPW_TRANSLIT_FORM_CAP];
    size_t nf = kpw_translit_forms(raw, forms, KN_MAXFORMS - 1);
    for (size_t i = 0; i < nf && out->n < KN_MAXFORMS - 1; i++) {
      char fb[KN_FORMBUF];
      kn_fold_latin(forms[i], fb, sizeof fb, NULL);
      kn_form_ascii(&out->f[out->n], fb);
      if (out->f[out->n].n == 0) continue;
      /* skip duplicates */
      bool dup = false;
      for (int j = 0; j < out->n && !dup; j++) {
        if (out->f[j].n != out->f[out->n].n || out->f[j].script) continue;
        dup = true;
        for (int k = 0; k < out->f[j].n && dup; k++)
          if (out->f[j].t[k].len != out->f[out->n].t[k].len ||
              memcmp(out->f[j].t[k].s, out->f[out->n].t[k].s, out->f[j].t[k].len))
            dup = false;
      }
      if (!dup) out->n++;
    }
    if (sc != 0) {
      form_script(&out->f[out->n], raw, sc);
      if (out->f[out->n].n > 0) { out->script = sc; out->n++; }
    }
    if (out->n == 0 && buf[0]) {      /* nothing romanised: keep the Latin part */
      kn_form_ascii(&out->f[0], buf);
      if (out->f[0].n) out->n = 1;
    }
  } else {
    kn_form_ascii2(&out->f[0], buf, strchr(raw, ',') != NULL);
    if (out->f[0].n) out->n = 1;
  }
  return out->n;
}
