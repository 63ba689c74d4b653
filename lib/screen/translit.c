/*
** translit.c -- kpw_translit_forms(): one name in any script to the
** lower-case ASCII forms that watchlists use (contract: translit.h).
**
** Pipeline, all on the stack (no allocation, no mutable static state, so
** thread-safe):
**   1. decode UTF-8 (invalid bytes act as separators; at most TL_MAXCP code
**      points and 4 KiB are read), fold each code point once: NFKD +
**      case fold + marks stripped via libutf8proc (per code point, into a
**      local buffer), apostrophes (' ’ ʼ ` ´) dropped, conjoining Hangul
**      jamo composed, Latin look-alikes inside Cyrillic words made Cyrillic;
**   2. Korean context: each Hangul syllable, and each Han character's Korean
**      reading, with voicing units (a word; or, for a personal name, the
**      surname and then the whole given name, whatever the spacing);
**   3. choose the variants for the dominant script and render each one
**      through a bounded writer (truncation at a word boundary); identical
**      forms are dropped, the rest are ordered most-likely first;
**   4. when words lists translate occur (무역 trading, 银行 bank, see
**      translit_dict.c), a translated form is put second.
** Latin and digits are rendered identically in every variant, so mixed names
** ("OOO ЧХОЛСАН") keep their Latin words.
*/
#include "screen/translit.h"
#include "screen/translit_int.h"

#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------ writer */

void tl_out_init(tl_out *o, char *buf, size_t cap)
{
  o->p = buf; o->cap = cap; o->len = 0; o->word_start = 0;
  o->in_word = false; o->full = false;
  if (cap) buf[0] = 0;
}

void tl_putc(tl_out *o, char c)
{
  if (o->full || o->cap < 2) return;
  if (!o->in_word) {
    size_t need = o->len ? 2 : 1;           /* separator + first char */
    if (o->len + need >= o->cap) { o->full = true; return; }
    if (o->len) o->p[o->len++] = ' ';
    o->word_start = o->len;
    o->in_word = true;
  } else if (o->len + 1 >= o->cap) {
    /* the word does not fit: drop it whole, with its separator */
    o->len = o->word_start ? o->word_start - 1 : 0;
    o->p[o->len] = 0;
    o->full = true;
    return;
  }
  o->p[o->len++] = c;
  o->p[o->len] = 0;
}

void tl_puts(tl_out *o, const char *s)
{
  for (; *s; s++) tl_putc(o, *s);
}

void tl_brk(tl_out *o) { o->in_word = false; }

/* ------------------------------------------------------------ decode */

enum { SC_SEP = 0, SC_ASCII, SC_HANGUL, SC_HAN, SC_CYR, SC_GREEK,
       SC_ARABIC, SC_HEBREW, SC_OTHER };

typedef struct tl_name {
  uint32_t c[TL_MAXCP];     /* folded code points */
  uint8_t sc[TL_MAXCP];     /* SC_* per code point */
  int16_t syl[TL_MAXCP];    /* Korean syllable (Hangul, Han reading) or -1 */
  uint8_t unit[TL_MAXCP];   /* 1: a voicing unit starts here */
  uint8_t surn[TL_MAXCP];   /* 1: part of the surname */
  const char *py[TL_MAXCP]; /* Han: toneless pinyin or NULL */
  size_t n;
  size_t cnt[SC_OTHER + 1];
  bool person;              /* Korean personal name (surname + given) */
  bool simplified;          /* a simplified Han character was seen */
  bool other_letters;       /* letters of a script without a table */
} tl_name;

static bool is_apostrophe(uint32_t c)
{
  return c == '\'' || c == '`' || c == 0x2019 || c == 0x2018 || c == 0x02BC ||
         c == 0x02BB || c == 0x00B4 || c == 0x2032 || c == 0x02B9 ||
         c == 0x02BE || c == 0x02BF || c == 0xFF07;
}

static int script_of(uint32_t c)
{
  if (c < 0x80) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return SC_ASCII;
    return SC_SEP;
  }
  if (c >= 0xAC00 && c <= 0xD7A3) return SC_HANGUL;
  if (tl_is_han(c)) return SC_HAN;
  if (tl_is_cyrillic(c)) return SC_CYR;
  if (c >= 0x370 && c <= 0x3FF) return SC_GREEK;
  if ((c >= 0x600 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F)) return SC_ARABIC;
  if (c >= 0x5D0 && c <= 0x5EA) return SC_HEBREW;
  utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
  if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) return SC_OTHER;
  if (cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL ||
      cat == UTF8PROC_CATEGORY_NO) return SC_OTHER;
  if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME) return -1; /* mark */
  return SC_SEP;
}

/* Latin letters NFKD does not decompose. Returns replacement or NULL. */
static const char *latin_extra(uint32_t c)
{
  switch (c) {
  case 0xDF: return "ss";   case 0xE6: return "ae";  case 0xF8: return "o";
  case 0x111: return "d";   case 0x142: return "l";  case 0xFE: return "th";
  case 0x131: return "i";   case 0x153: return "oe"; case 0xF0: return "d";
  case 0x127: return "h";   case 0x14B: return "ng"; case 0x17F: return "s";
  case 0x1E9E: return "ss"; case 0x180: return "b";  case 0x188: return "c";
  case 0x192: return "f";   case 0x199: return "k";  case 0x1B4: return "y";
  case 0x1B6: return "z";   case 0x259: return "e";  case 0x254: return "o";
  case 0x25B: return "e";   case 0x268: return "i";  case 0x1DD: return "e";
  default: return NULL;
  }
}

static void push(tl_name *nm, uint32_t c, int sc)
{
  if (nm->n >= TL_MAXCP) return;
  /* collapse runs of separators */
  if (sc == SC_SEP && (nm->n == 0 || nm->sc[nm->n - 1] == SC_SEP)) return;
  nm->c[nm->n] = c;
  nm->sc[nm->n] = (uint8_t)sc;
  nm->syl[nm->n] = -1;
  nm->py[nm->n] = NULL;
  nm->unit[nm->n] = 0;
  nm->surn[nm->n] = 0;
  nm->n++;
  nm->cnt[sc]++;
}

/* Fold one code point into nm (may push 0..n code points). */
static void fold_cp(tl_name *nm, uint32_t c)
{
  if (c < 0x80) {
    if (c >= 'A' && c <= 'Z') c += 32;
    if (is_apostrophe(c)) return;
    push(nm, c, script_of(c));
    return;
  }
  if (is_apostrophe(c)) return;
  if ((c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x4E00 && c <= 0x9FFF)) {
    push(nm, c, script_of(c));
    return;
  }
  if (tl_is_cyrillic(c)) {
    /* No decomposition here: й and ё are letters of their own. */
    utf8proc_int32_t l = utf8proc_tolower((utf8proc_int32_t)c);
    push(nm, (uint32_t)l, SC_CYR);
    return;
  }
  const char *x = latin_extra((uint32_t)utf8proc_tolower((utf8proc_int32_t)c));
  if (x) { for (; *x; x++) push(nm, (uint32_t)*x, SC_ASCII); return; }
  utf8proc_int32_t d[16];
  int bc = 0;
  utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)c, d, 16,
      UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
      UTF8PROC_CASEFOLD, &bc);
  if (k <= 0 || k > 16) { push(nm, ' ', SC_SEP); return; }
  for (utf8proc_ssize_t i = 0; i < k; i++) {
    uint32_t e = (uint32_t)d[i];
    if (e >= 'A' && e <= 'Z') e += 32;
    if (is_apostrophe(e)) continue;
    if (e >= 0x80) {
      const char *y = latin_extra(e);
      if (y) { for (; *y; y++) push(nm, (uint32_t)*y, SC_ASCII); continue; }
    }
    int sc = script_of(e);
    if (sc < 0) continue;                   /* combining mark */
    if (sc == SC_CYR) e = (uint32_t)utf8proc_tolower((utf8proc_int32_t)e);
    push(nm, e, sc);
  }
}

/* Latin look-alikes inside a word that also has Cyrillic letters
** ("Oграниченной" with a Latin O) are made Cyrillic. */
static void fix_lookalikes(tl_name *nm)
{
  static const char lat[] = "aceopxykmth";
  static const uint32_t cyr[] = {0x430, 0x441, 0x435, 0x43E, 0x440, 0x445,
                                 0x443, 0x43A, 0x43C, 0x442, 0x43D};
  size_t i = 0;
  while (i < nm->n) {
    size_t j = i;
    bool has_cyr = false, has_lat = false;
    while (j < nm->n && nm->sc[j] != SC_SEP) {
      if (nm->sc[j] == SC_CYR) has_cyr = true;
      if (nm->sc[j] == SC_ASCII) has_lat = true;
      j++;
    }
    /* A short all-look-alike Latin word in a Cyrillic name ("c" in
    ** "Общество c Oграниченной") is Cyrillic too. */
    if (!has_cyr && has_lat && j - i <= 3 && nm->cnt[SC_CYR] > nm->cnt[SC_ASCII])
      has_cyr = true;
    if (has_cyr && has_lat) {
      bool all = true;
      for (size_t k = i; k < j; k++)
        if (nm->sc[k] == SC_ASCII && !strchr(lat, (int)nm->c[k])) all = false;
      if (all)
        for (size_t k = i; k < j; k++)
          if (nm->sc[k] == SC_ASCII) {
            const char *p = strchr(lat, (int)nm->c[k]);
            nm->cnt[SC_ASCII]--; nm->cnt[SC_CYR]++;
            nm->c[k] = cyr[p - lat];
            nm->sc[k] = SC_CYR;
          }
    }
    i = j + 1;
  }
}

static void decode(tl_name *nm, const char *s)
{
  memset(nm->cnt, 0, sizeof nm->cnt);
  nm->n = 0;
  nm->person = nm->simplified = nm->other_letters = false;
  const uint8_t *p = (const uint8_t *)s;
  size_t len = strnlen(s, 4096);
  size_t i = 0;
  while (i < len && nm->n < TL_MAXCP) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
    if (k <= 0) { push(nm, ' ', SC_SEP); i++; continue; }
    i += (size_t)k;
    /* Conjoining jamo L V [T] -> syllable (NFD Hangul input). */
    if (cp >= 0x1100 && cp <= 0x1112 && i < len) {
      utf8proc_int32_t v, t;
      utf8proc_ssize_t kv = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &v);
      if (kv > 0 && v >= 0x1161 && v <= 0x1175) {
        i += (size_t)kv;
        int fin = 0;
        if (i < len) {
          utf8proc_ssize_t kt = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &t);
          if (kt > 0 && t >= 0x11A8 && t <= 0x11C2) { fin = t - 0x11A7; i += (size_t)kt; }
        }
        cp = 0xAC00 + ((cp - 0x1100) * 21 + (v - 0x1161)) * 28 + fin;
      }
    }
    fold_cp(nm, (uint32_t)cp);
  }
  while (nm->n && nm->sc[nm->n - 1] == SC_SEP) { nm->n--; nm->cnt[SC_SEP]--; }
  fix_lookalikes(nm);
}

/* ------------------------------------------------------------ Korean context */

static void korean_context(tl_name *nm)
{
  size_t nsyl = 0, nwords = 0, first = TL_MAXCP;
  bool other = false, prev_sep = true;
  for (size_t i = 0; i < nm->n; i++) {
    int sc = nm->sc[i];
    if (sc == SC_HANGUL) nm->syl[i] = (int16_t)(nm->c[i] - 0xAC00);
    else if (sc == SC_HAN) {
      nm->py[i] = tl_han_pinyin(nm->c[i]);
      int r = tl_han_kor(nm->c[i], false);
      nm->syl[i] = (int16_t)r;
      if (tl_han_simplified(nm->c[i])) nm->simplified = true;
    }
    if (nm->syl[i] >= 0) {
      if (first == TL_MAXCP) first = i;
      nsyl++;
      if (prev_sep) nwords++;
    } else if (sc != SC_SEP) other = true;
    prev_sep = (sc == SC_SEP);
  }
  /* Personal name: only Korean syllables, 2..5 of them in at most 3 words,
  ** starting with a known surname (Han: the personal-name reading). */
  if (!other && nsyl >= 2 && nsyl <= 5 && nwords <= 3) {
    size_t i0 = first;
    int s0 = nm->syl[i0];
    if (nm->sc[i0] == SC_HAN) {
      int r = tl_han_kor(nm->c[i0], true);
      if (r >= 0) s0 = r;
    }
    size_t surl = 0;
    if (nsyl >= 3 && i0 + 1 < nm->n && nm->syl[i0 + 1] >= 0 &&
        tl_kor_is_surname2(s0, nm->syl[i0 + 1]))
      surl = 2;
    else if (tl_kor_is_surname(s0))
      surl = 1;
    if (surl) {
      nm->person = true;
      nm->syl[i0] = (int16_t)s0;
      nm->surn[i0] = 1;
      nm->unit[i0] = 1;
      if (surl == 2) nm->surn[i0 + 1] = 1;
      /* the given name is one voicing unit, whatever the spacing */
      size_t g = i0 + surl;
      while (g < nm->n && nm->syl[g] < 0) g++;
      if (g < nm->n) nm->unit[g] = 1;
      return;
    }
  }
  /* Otherwise every word (run of syllables) is a unit. */
  bool start = true;
  for (size_t i = 0; i < nm->n; i++) {
    if (nm->syl[i] < 0) { start = true; continue; }
    if (start) nm->unit[i] = 1;
    start = false;
  }
}

/* ------------------------------------------------------------ rendering */

enum { HV_KOR = 0, HV_PY, HV_WG };
enum { CY_BGN = 0, CY_SIMPLE, CY_Y, CY_KONTS, CY_KONTS_NG, CY_KONTS_N, CY_KONTS_MR };

typedef struct { int8_t kv, han, cyr; } variant_t;

static const char *greek(uint32_t c, uint32_t next, bool *skip_next)
{
  static const char *const g[] = {
    "a","v","g","d","e","z","i","th","i","k","l","m","n","x","o","p","r",
    "s","s","t","y","f","ch","ps","o"};
  *skip_next = false;
  if (c == 0x3BF && next == 0x3C5) { *skip_next = true; return "ou"; }
  if (c >= 0x3B1 && c <= 0x3C9) return g[c - 0x3B1];
  if (c == 0x3CA) return "i";
  if (c == 0x3CB) return "y";
  return "";
}

static const char *arabic(uint32_t c)
{
  static const char *const a[] = {
    /* 0621 */ "", "a", "a", "w", "i", "y", "a", "b", "a", "t", "th", "j",
    "h", "kh", "d", "dh", "r", "z", "s", "sh", "s", "d", "t", "z", "",
    "gh", /* 063B..063F */ "", "", "", "", "",
    /* 0640 */ "", "f", "q", "k", "l", "m", "n", "h", "w", "a", "y"};
  if (c >= 0x621 && c <= 0x64A) return a[c - 0x621];
  switch (c) {
  case 0x67E: return "p"; case 0x686: return "ch"; case 0x698: return "zh";
  case 0x6AF: return "g"; case 0x6A9: return "k"; case 0x6CC: return "y";
  case 0x671: return "a";
  default: return "";
  }
}

static const char *hebrew(uint32_t c)
{
  static const char *const h[] = {
    "", "b", "g", "d", "h", "v", "z", "ch", "t", "y", "k", "k", "l", "m",
    "m", "n", "n", "s", "", "f", "p", "ts", "ts", "k", "r", "sh", "t"};
  if (c >= 0x5D0 && c <= 0x5EA) return h[c - 0x5D0];
  return "";
}

static void render(const tl_name *nm, variant_t v, char *buf)
{
  tl_out o;
  tl_out_init(&o, buf, KPW_TRANSLIT_FORM_CAP);
  size_t i = 0;
  while (i < nm->n && !o.full) {
    int sc = nm->sc[i];
    uint32_t c = nm->c[i];
    bool korean = nm->syl[i] >= 0 && (sc == SC_HANGUL || v.han == HV_KOR);
    if (korean) {
      /* a run of Korean syllables and separators */
      size_t j = i;
      while (j < nm->n && (nm->sc[j] == SC_SEP ||
             (nm->syl[j] >= 0 && (nm->sc[j] == SC_HANGUL || v.han == HV_KOR))))
        j++;
      while (j > i && nm->sc[j - 1] == SC_SEP) j--;
      int kv = v.kv;
      tl_kor_render(&o, nm->syl + i, nm->unit + i, nm->surn + i, j - i, kv);
      i = j;
      continue;
    }
    switch (sc) {
    case SC_SEP:
      tl_brk(&o);
      break;
    case SC_ASCII:
      tl_putc(&o, (char)c);
      break;
    case SC_HAN: {
      const char *py = nm->py[i];
      tl_brk(&o);
      if (py) {
        if (v.han == HV_WG) {
          char wg[16];
          tl_pinyin_to_wg(py, wg, sizeof wg);
          tl_puts(&o, wg);
        } else {
          tl_puts(&o, py);
        }
      }
      tl_brk(&o);
      break;
    }
    case SC_HANGUL:
      break;   /* unreachable: every Hangul syllable is Korean above */
    case SC_CYR: {
      size_t j = i;
      while (j < nm->n && nm->sc[j] == SC_CYR) j++;
      bool done = false;
      if (v.cyr >= CY_KONTS) {
        int16_t syl[16];
        uint8_t unit[16] = {1}, surn[16] = {0};
        /* KONTS and KONTS_MR read the name's last syllable's н as ㄴ */
        bool last = true;
        for (size_t m = j; m < nm->n; m++) if (nm->sc[m] == SC_CYR) last = false;
        int rule = v.cyr == CY_KONTS_N ? 0 : v.cyr == CY_KONTS_NG ? 1 : last ? 2 : 1;
        size_t k = tl_cyr_kontsevich(nm->c + i, j - i, syl, 16, rule);
        if (k) {
          tl_kor_render(&o, syl, unit, surn, k,
                        v.cyr == CY_KONTS_MR ? KV_MR_INIT : KV_DPRK);
          done = true;
        }
      }
      if (!done)
        tl_cyr_word(&o, nm->c + i, j - i,
                    v.cyr == CY_SIMPLE ? CV_SIMPLE : v.cyr == CY_Y ? CV_Y : CV_BGN);
      i = j;
      continue;
    }
    case SC_GREEK: {
      bool skip;
      tl_puts(&o, greek(c, i + 1 < nm->n ? nm->c[i + 1] : 0, &skip));
      if (skip) i++;
      break;
    }
    case SC_ARABIC: {
      /* A little context so common names read as lists spell them:
      ** word-initial ع -> a (Ali, Abd), ي after a consonant -> i,
      ** و after a consonant -> u (Mahmud). Vowel marks are dropped. */
      bool wstart = (i == 0 || nm->sc[i - 1] != SC_ARABIC);
      uint32_t pc = wstart ? 0 : nm->c[i - 1];
      bool pv = pc == 0x627 || pc == 0x648 || pc == 0x64A || pc == 0;
      if (c == 0x639 && wstart) tl_putc(&o, 'a');
      else if (c == 0x64A && !pv) tl_putc(&o, 'i');
      else if (c == 0x648 && !pv) tl_putc(&o, 'u');
      else tl_puts(&o, arabic(c));
      break;
    }
    case SC_HEBREW:
      tl_puts(&o, hebrew(c));
      break;
    default:
      break;   /* letters of scripts without a table */
    }
    i++;
  }
}

/* Last resort for names whose letters all lack a table (Thai, kana, ...):
** one token "u<hex>" per letter, so that a name still equals itself. */
static void render_hex(const tl_name *nm, char *buf)
{
  static const char hex[] = "0123456789abcdef";
  tl_out o;
  tl_out_init(&o, buf, KPW_TRANSLIT_FORM_CAP);
  for (size_t i = 0; i < nm->n && !o.full; i++) {
    if (nm->sc[i] == SC_SEP) { tl_brk(&o); continue; }
    tl_brk(&o);
    tl_putc(&o, 'u');
    uint32_t c = nm->c[i];
    bool lead = true;
    for (int sh = 20; sh >= 0; sh -= 4) {
      unsigned d = (c >> sh) & 15;
      if (lead && d == 0 && sh) continue;
      lead = false;
      tl_putc(&o, hex[d]);
    }
  }
}

/* Whether the Cyrillic word c[i..j) has a spelling only the Kontsevich
** system uses (чх кх тх пх, ы, ё, э): Russian words such as Рубин or
** Капитал also parse as Korean syllables and must not be read so. */
static bool kontsevich_word(const tl_name *nm, size_t i, size_t j)
{
  for (size_t m = i; m < j; m++) {
    uint32_t a = nm->c[m], b = m + 1 < j ? nm->c[m + 1] : 0;
    if (a == 0x44B || a == 0x451 || a == 0x44D ||
        (b == 0x445 && (a == 0x447 || a == 0x43A || a == 0x442 || a == 0x43F)))
      return true;
  }
  return false;
}

/* Writes words separated by spaces (the English of a dictionary entry). */
static void put_words(tl_out *o, const char *s)
{
  tl_brk(o);
  for (; *s; s++) {
    if (*s == ' ') tl_brk(o);
    else tl_putc(o, *s);
  }
  tl_brk(o);
}

/* The "translated" form of an organisation name (translit_dict.c): the
** dictionary words in English, Hangul runs joined in DPRK spelling
** (새날 -> saenal), Han runs in two-character pinyin words (丹东至诚 ->
** dandong zhicheng), Cyrillic words in BGN. Returns the number of
** dictionary hits (the form is only used when there is one). */
static size_t render_translated(const tl_name *nm, char *buf)
{
  /* In what looks like a personal name (화려은행 starts with the surname
  ** 화) only entries of two or more syllables count, and the one-syllable
  ** word-final entries (성 "ministry") are not used at all. */
  bool person = nm->person;
  tl_out o;
  tl_out_init(&o, buf, KPW_TRANSLIT_FORM_CAP);
  uint8_t sep[TL_MAXCP];
  for (size_t i = 0; i < nm->n; i++) sep[i] = nm->sc[i] == SC_SEP;
  size_t hits = 0, i = 0, wstart = 0;
  int prev_fin = -1, han_run = 0;
  while (i < nm->n && !o.full) {
    int sc = nm->sc[i];
    if (sc == SC_SEP) {
      tl_brk(&o); prev_fin = -1; han_run = 0; wstart = ++i;
      continue;
    }
    int ds = sc == SC_HANGUL ? TL_DICT_KOR : sc == SC_HAN ? TL_DICT_HAN
           : (sc == SC_CYR && i == wstart) ? TL_DICT_CYR : 0;
    if (ds) {
      const char *en = NULL;
      size_t m = tl_dict_match(ds, nm->c, sep, i, nm->n, i > wstart && !person, &en);
      if (m && !(person && m < 2)) {
        put_words(&o, en);
        hits++; i += m; prev_fin = -1; han_run = 0;
        continue;
      }
    }
    if (sc == SC_HANGUL) {
      char b[16];
      int s = nm->syl[i];
      tl_kor_syllable(s, 0, prev_fin, b);
      tl_puts(&o, b);
      prev_fin = KS_FIN(s);
    } else if (sc == SC_HAN) {
      const char *py = nm->py[i];
      if (han_run == 2) { tl_brk(&o); han_run = 0; }
      if (py) { tl_puts(&o, py); han_run++; }
    } else if (sc == SC_CYR) {
      size_t j = i;
      while (j < nm->n && nm->sc[j] == SC_CYR) j++;
      tl_brk(&o);
      /* a word with a Kontsevich-only spelling (чх, ы ...) that parses as
      ** Korean is written as one DPRK-spelled word: ЧХОЛСАН -> cholsan */
      int16_t syl[16];
      size_t k = kontsevich_word(nm, i, j) ? tl_cyr_kontsevich(nm->c + i, j - i, syl, 16, 2) : 0;
      if (k) {
        char b[16];
        int pf = -1;
        for (size_t q = 0; q < k; q++) {
          tl_kor_syllable(syl[q], 0, pf, b);
          tl_puts(&o, b);
          pf = KS_FIN(syl[q]);
        }
      } else {
        tl_cyr_word(&o, nm->c + i, j - i, CV_BGN);
      }
      tl_brk(&o);
      i = j;
      continue;
    } else if (sc == SC_ASCII) {
      if (han_run || prev_fin >= 0) { tl_brk(&o); han_run = 0; prev_fin = -1; }
      tl_putc(&o, (char)nm->c[i]);
    }
    i++;
  }
  return hits;
}

/* Whether every Cyrillic word parses as Kontsevich Korean, whether any does,
** and whether the first word is a Korean surname. */
static void cyr_korean(const tl_name *nm, bool *all, bool *any, bool *surname)
{
  *all = true; *any = false; *surname = false;
  bool first = true;
  size_t i = 0;
  while (i < nm->n) {
    if (nm->sc[i] != SC_CYR) {
      if (nm->sc[i] != SC_SEP) { *all = false; first = false; }
      i++;
      continue;
    }
    size_t j = i;
    while (j < nm->n && nm->sc[j] == SC_CYR) j++;
    int16_t syl[16];
    size_t k = tl_cyr_kontsevich(nm->c + i, j - i, syl, 16, 1);
    if (k) {
      /* Outside a personal name, only words with a Kontsevich-specific
      ** spelling count as Korean. */
      if (kontsevich_word(nm, i, j)) *any = true;
    } else {
      *all = false;
    }
    if (first && tl_cyr_kor_surname(nm->c + i, j - i)) *surname = true;
    first = false;
    i = j;
  }
}

size_t kpw_translit_forms(const char *utf8,
                          char forms[][KPW_TRANSLIT_FORM_CAP], size_t max)
{
  if (!utf8 || !forms || max == 0) return 0;
  if (max > KPW_TRANSLIT_MAX_FORMS) max = KPW_TRANSLIT_MAX_FORMS;
  tl_name nm;
  decode(&nm, utf8);
  korean_context(&nm);

  variant_t vs[KPW_TRANSLIT_MAX_FORMS];
  size_t nv = 0;
#define V(a, b, c) (vs[nv].kv = (a), vs[nv].han = (b), vs[nv].cyr = (c), nv++)
  size_t nh = nm.cnt[SC_HANGUL], nhan = nm.cnt[SC_HAN], ncyr = nm.cnt[SC_CYR];
  if (nh > 0 && nh >= nhan) {
    V(KV_DPRK, HV_KOR, CY_BGN);    V(KV_DPRK_R, HV_KOR, CY_BGN);
    V(KV_MR, HV_KOR, CY_BGN);      V(KV_MR_INIT, HV_KOR, CY_BGN);
    V(KV_RR_CONV, HV_KOR, CY_BGN); V(KV_SK, HV_KOR, CY_BGN);
    V(KV_RR, HV_KOR, CY_BGN);      V(KV_RR_DUEUM, HV_KOR, CY_BGN);
  } else if (nhan > 0 && nhan >= ncyr) {
    if (nm.person && !nm.simplified) {
      V(KV_DPRK, HV_KOR, CY_BGN);    V(KV_MR, HV_KOR, CY_BGN);
      V(KV_DPRK, HV_PY, CY_BGN);     V(KV_RR_CONV, HV_KOR, CY_BGN);
      V(KV_MR_INIT, HV_KOR, CY_BGN); V(KV_DPRK, HV_WG, CY_BGN);
      V(KV_RR, HV_KOR, CY_BGN);      V(KV_DPRK_R, HV_KOR, CY_BGN);
    } else {
      V(KV_DPRK, HV_PY, CY_BGN);     V(KV_DPRK, HV_WG, CY_BGN);
      V(KV_DPRK, HV_KOR, CY_BGN);    V(KV_MR, HV_KOR, CY_BGN);
      V(KV_RR_CONV, HV_KOR, CY_BGN); V(KV_MR_INIT, HV_KOR, CY_BGN);
      V(KV_RR, HV_KOR, CY_BGN);      V(KV_DPRK_R, HV_KOR, CY_BGN);
    }
  } else if (ncyr > 0) {
    bool all, any, surname;
    cyr_korean(&nm, &all, &any, &surname);
    if (all && surname) {
      V(KV_DPRK, HV_PY, CY_KONTS);    V(KV_DPRK, HV_PY, CY_BGN);
      V(KV_DPRK, HV_PY, CY_KONTS_NG); V(KV_DPRK, HV_PY, CY_KONTS_N);
      V(KV_DPRK, HV_PY, CY_KONTS_MR); V(KV_DPRK, HV_PY, CY_SIMPLE);
      V(KV_DPRK, HV_PY, CY_Y);
    } else {
      V(KV_DPRK, HV_PY, CY_BGN);      V(KV_DPRK, HV_PY, CY_SIMPLE);
      V(KV_DPRK, HV_PY, CY_Y);
      if (any) {
        V(KV_DPRK, HV_PY, CY_KONTS);  V(KV_DPRK, HV_PY, CY_KONTS_NG);
        V(KV_DPRK, HV_PY, CY_KONTS_N);
      }
    }
  } else {
    V(KV_DPRK, HV_PY, CY_BGN);
  }
#undef V

  size_t nf = 0;
  for (size_t k = 0; k < nv && nf < max; k++) {
    render(&nm, vs[k], forms[nf]);
    if (forms[nf][0] == 0) continue;
    bool dup = false;
    for (size_t j = 0; j < nf; j++)
      if (strcmp(forms[j], forms[nf]) == 0) { dup = true; break; }
    if (!dup) nf++;
  }
  /* Organisation names: a translated form, second. */
  if (nf >= 1 && (nh || nhan || ncyr)) {
    char tr[KPW_TRANSLIT_FORM_CAP];
    if (render_translated(&nm, tr) && tr[0]) {
      bool dup = false;
      for (size_t j = 0; j < nf; j++) if (strcmp(forms[j], tr) == 0) dup = true;
      if (!dup && max >= 2) {
        if (nf == max) nf--;                 /* drop the least likely */
        for (size_t j = nf; j > 1; j--) memcpy(forms[j], forms[j - 1], KPW_TRANSLIT_FORM_CAP);
        memcpy(forms[1], tr, KPW_TRANSLIT_FORM_CAP);
        nf++;
      }
    }
  }
  if (nf == 0) {
    bool letters = false;
    for (size_t i = 0; i < nm.n; i++) if (nm.sc[i] != SC_SEP) letters = true;
    if (letters) {
      render_hex(&nm, forms[0]);
      if (forms[0][0]) nf = 1;
    }
  }
  return nf;
}
