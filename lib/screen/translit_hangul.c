/*
** translit_hangul.c -- Hangul syllables to the Latin spellings watchlists use.
**
** A syllable U+AC00 + (initial*21 + medial)*28 + final is decomposed
** arithmetically and romanised from the tables below in three systems:
**   0 DPRK official / McCune-Reischauer without diacritics, as the UN and
**     OFAC write DPRK names: ㅈ is always j (Kim Jong Un), ㄱㄷㅂ are k t p
**     at the start of a word and g d b inside one after a vowel or a
**     sonorant final (Kim Su Gil), ㅓ/ㅗ -> o, ㅡ/ㅜ -> u, initial ㄹ -> r.
**   1 McCune-Reischauer without diacritics: as 0 but ㅈ is ch at the start
**     of a word (Kim Chong Un) and 시 is shi.
**   2 Revised Romanisation: g d b j everywhere, ㅓ eo, ㅡ eu (Gim Jeong Eun).
** Lists romanise syllable by syllable, so assimilation across syllables is
** not applied; only voicing depends on the previous final (after an
** obstruent final the consonant stays voiceless: 복길 -> Bok Kil).
** Surname tables give South Korean conventional spellings (Kim, Lee, Park,
** Choi) and the DPRK ㄹ-initial forms (이/리, 노/로, 임/림). Sources: the
** 1939 MR paper as summarised by the Library of Congress ALA-LC table, the
** 1992 DPRK system (KPS), the 2000 RR (MCST), and spellings seen in the
** UN/OFAC/EU DPRK entries (see docs/romanisation.md).
*/
#include "screen/translit_int.h"

#include <string.h>

/* Initials: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ */
static const char *const ini_word[3][19] = {
  /* DPRK */ {"k","kk","n","t","tt","r","m","p","pp","s","ss","","j","jj","ch","k","t","p","h"},
  /* MR   */ {"k","kk","n","t","tt","r","m","p","pp","s","ss","","ch","tch","ch","k","t","p","h"},
  /* RR   */ {"g","kk","n","d","tt","r","m","b","pp","s","ss","","j","jj","ch","k","t","p","h"},
};
/* Inside a word after a vowel or a sonorant final (ㄴ ㄹ ㅁ ㅇ). */
static const char *const ini_voiced[3][19] = {
  {"g","kk","n","d","tt","r","m","b","pp","s","ss","","j","jj","ch","k","t","p","h"},
  {"g","kk","n","d","tt","r","m","b","pp","s","ss","","j","tch","ch","k","t","p","h"},
  {"g","kk","n","d","tt","r","m","b","pp","s","ss","","j","jj","ch","k","t","p","h"},
};
/* Medials: ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ */
static const char *const med_mr[21] = {
  "a","ae","ya","yae","o","e","yo","ye","o","wa","wae","oe","yo","u","wo","we","wi","yu","u","ui","i"};
static const char *const med_rr[21] = {
  "a","ae","ya","yae","eo","e","yeo","ye","o","wa","wae","oe","yo","u","wo","we","wi","yu","eu","ui","i"};
/* Finals: - ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ */
static const char *const fin_tab[28] = {
  "","k","k","k","n","n","n","t","l","k","m","l","l","l","p","l","m","p","p","t","t","ng","t","t","k","t","p","t"};

/* A final after which a following plain consonant is voiced. */
static bool fin_sonorant(int f)
{
  return f == 0 || f == 4 || f == 5 || f == 6 || f == 8 || f == 10 ||
         f == 11 || f == 12 || f == 13 || f == 15 || f == 16 || f == 21;
}

size_t tl_kor_syllable(int s, int sys, int prev_fin, char *out)
{
  if (s < 0 || s > 11171 || sys < 0 || sys > 2) { out[0] = 0; return 0; }
  int ini = KS_INI(s), med = KS_MED(s), fin = KS_FIN(s);
  const char *i;
  if (prev_fin < 0 || sys == 2) i = ini_word[sys][ini];
  else if (fin_sonorant(prev_fin)) i = ini_voiced[sys][ini];
  else i = ini_word[sys == 1 ? 1 : 0][ini];   /* tense after an obstruent */
  if (sys == 1 && ini == 9 && (med == 20 || med == 16)) i = "sh";  /* 시 shi, 쉬 shwi */
  const char *m = (sys == 2) ? med_rr[med] : med_mr[med];
  size_t n = 0;
  for (const char *p = i; *p; p++) out[n++] = *p;
  for (const char *p = m; *p; p++) out[n++] = *p;
  for (const char *p = fin_tab[fin]; *p; p++) out[n++] = *p;
  out[n] = 0;
  return n;   /* at most 3 + 3 + 2 = 8 letters (MR "tchwaeng"); out >= 9 */
}

size_t kpw_hangul_syllable(unsigned cp, int sys, int word_initial, char *out)
{
  if (cp < 0xAC00 || cp > 0xD7A3 || sys < 0 || sys > 2) { if (out) out[0] = 0; return 0; }
  char tmp[16];
  size_t n = tl_kor_syllable((int)(cp - 0xAC00), sys, word_initial ? -1 : 0, tmp);
  /* out is documented as >= 8 bytes: 7 letters + NUL; the longest syllable
  ** (MR "tchwaeng", "tchyaeng") is 8 letters, so clip at 7. */
  if (n > 7) n = 7;
  memcpy(out, tmp, n);
  out[n] = 0;
  return n;
}

/* ---- surnames */
typedef struct { uint16_t s; const char *conv; } surname_t;

#define H(cp) ((uint16_t)((cp) - 0xAC00))
/* Sorted by syllable index (checked by the unit test via the lookup). */
static const surname_t surnames[] = {
  {H(0xAC00), "ka"},    /* 가 */
  {H(0xAC04), "kan"},   /* 간 */
  {H(0xAC08), "kal"},   /* 갈 */
  {H(0xAC10), "kam"},   /* 감 */
  {H(0xAC15), "kang"},  /* 강 */
  {H(0xACAC), "kyun"},  /* 견 */
  {H(0xACBD), "kyung"}, /* 경 */
  {H(0xACC4), "kye"},   /* 계 */
  {H(0xACE0), "ko"},    /* 고 */
  {H(0xACF5), "kong"},  /* 공 */
  {H(0xACFD), "kwak"},  /* 곽 */
  {H(0xAD6C), "koo"},   /* 구 */
  {H(0xAD6D), "kook"},  /* 국 */
  {H(0xAD8C), "kwon"},  /* 권 */
  {H(0xAE08), "keum"},  /* 금 */
  {H(0xAE30), "ki"},    /* 기 */
  {H(0xAE38), "kil"},   /* 길 */
  {H(0xAE40), "kim"},   /* 김 */
  {H(0xB098), "na"},    /* 나 */
  {H(0xB0A8), "nam"},   /* 남 */
  {H(0xB178), "noh"},   /* 노 */
  {H(0xB2E8), "dan"},   /* 단 */
  {H(0xB2F9), "dang"},  /* 당 */
  {H(0xB3C4), "do"},    /* 도 */
  {H(0xB3C5), "dok"},   /* 독 */
  {H(0xB3D9), "dong"},  /* 동 */
  {H(0xB450), "doo"},   /* 두 */
  {H(0xB77C), "ra"},    /* 라 */
  {H(0xB7C9), "yang"},  /* 량 */
  {H(0xB824), "yeo"},   /* 려 */
  {H(0xB828), "yeon"},  /* 련 */
  {H(0xB834), "yeom"},  /* 렴 */
  {H(0xB85C), "roh"},   /* 로 */
  {H(0xB8E1), "yong"},  /* 룡 */
  {H(0xB958), "ryu"},   /* 류 */
  {H(0xB959), "yook"},  /* 륙 */
  {H(0xB9AC), "lee"},   /* 리 */
  {H(0xB9BC), "lim"},   /* 림 */
  {H(0xB9C8), "ma"},    /* 마 */
  {H(0xB9F9), "maeng"}, /* 맹 */
  {H(0xBA85), "myung"}, /* 명 */
  {H(0xBAA8), "mo"},    /* 모 */
  {H(0xBAA9), "mok"},   /* 목 */
  {H(0xBB38), "moon"},  /* 문 */
  {H(0xBBFC), "min"},   /* 민 */
  {H(0xBC15), "park"},  /* 박 */
  {H(0xBC18), "ban"},   /* 반 */
  {H(0xBC29), "bang"},  /* 방 */
  {H(0xBC30), "bae"},   /* 배 */
  {H(0xBC31), "baek"},  /* 백 */
  {H(0xBC94), "beom"},  /* 범 */
  {H(0xBCC0), "byun"},  /* 변 */
  {H(0xBCF5), "bok"},   /* 복 */
  {H(0xBD09), "bong"},  /* 봉 */
  {H(0xBD80), "boo"},   /* 부 */
  {H(0xBE48), "bin"},   /* 빈 */
  {H(0xC0AC), "sa"},    /* 사 */
  {H(0xC0C1), "sang"},  /* 상 */
  {H(0xC11C), "seo"},   /* 서 */
  {H(0xC11D), "seok"},  /* 석 */
  {H(0xC120), "sun"},   /* 선 */
  {H(0xC124), "seol"},  /* 설 */
  {H(0xC131), "sung"},  /* 성 */
  {H(0xC18C), "so"},    /* 소 */
  {H(0xC190), "son"},   /* 손 */
  {H(0xC1A1), "song"},  /* 송 */
  {H(0xC21C), "soon"},  /* 순 */
  {H(0xC2B9), "seung"}, /* 승 */
  {H(0xC2DC), "si"},    /* 시 */
  {H(0xC2E0), "shin"},  /* 신 */
  {H(0xC2EC), "shim"},  /* 심 */
  {H(0xC548), "ahn"},   /* 안 */
  {H(0xC591), "yang"},  /* 양 */
  {H(0xC5B4), "eo"},    /* 어 */
  {H(0xC5C4), "eom"},   /* 엄 */
  {H(0xC5EC), "yeo"},   /* 여 */
  {H(0xC5F0), "yeon"},  /* 연 */
  {H(0xC5FC), "yeom"},  /* 염 */
  {H(0xC608), "ye"},    /* 예 */
  {H(0xC624), "oh"},    /* 오 */
  {H(0xC625), "ok"},    /* 옥 */
  {H(0xC628), "on"},    /* 온 */
  {H(0xC639), "ong"},   /* 옹 */
  {H(0xC655), "wang"},  /* 왕 */
  {H(0xC6A9), "yong"},  /* 용 */
  {H(0xC6B0), "woo"},   /* 우 */
  {H(0xC6D0), "won"},   /* 원 */
  {H(0xC704), "wi"},    /* 위 */
  {H(0xC720), "yoo"},   /* 유 */
  {H(0xC721), "yook"},  /* 육 */
  {H(0xC724), "yoon"},  /* 윤 */
  {H(0xC740), "eun"},   /* 은 */
  {H(0xC74C), "eum"},   /* 음 */
  {H(0xC774), "lee"},   /* 이 */
  {H(0xC778), "in"},    /* 인 */
  {H(0xC784), "lim"},   /* 임 */
  {H(0xC7A5), "jang"},  /* 장 */
  {H(0xC804), "jeon"},  /* 전 */
  {H(0xC815), "jung"},  /* 정 */
  {H(0xC81C), "je"},    /* 제 */
  {H(0xC870), "cho"},   /* 조 */
  {H(0xC88C), "jwa"},   /* 좌 */
  {H(0xC8FC), "joo"},   /* 주 */
  {H(0xC9C0), "ji"},    /* 지 */
  {H(0xC9C4), "jin"},   /* 진 */
  {H(0xCC28), "cha"},   /* 차 */
  {H(0xCC3D), "chang"}, /* 창 */
  {H(0xCC44), "chae"},  /* 채 */
  {H(0xCC9C), "chun"},  /* 천 */
  {H(0xCD5C), "choi"},  /* 최 */
  {H(0xCD94), "choo"},  /* 추 */
  {H(0xD0C1), "tak"},   /* 탁 */
  {H(0xD0DC), "tae"},   /* 태 */
  {H(0xD3B8), "pyun"},  /* 편 */
  {H(0xD45C), "pyo"},   /* 표 */
  {H(0xD53C), "pi"},    /* 피 */
  {H(0xD558), "ha"},    /* 하 */
  {H(0xD55C), "han"},   /* 한 */
  {H(0xD568), "ham"},   /* 함 */
  {H(0xD5C8), "heo"},   /* 허 */
  {H(0xD604), "hyun"},  /* 현 */
  {H(0xD638), "ho"},    /* 호 */
  {H(0xD64D), "hong"},  /* 홍 */
  {H(0xD654), "hwa"},   /* 화 */
  {H(0xD669), "hwang"}, /* 황 */
};

static const surname_t *surname_find(int s)
{
  size_t lo = 0, hi = sizeof surnames / sizeof surnames[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (surnames[mid].s == s) return &surnames[mid];
    if (surnames[mid].s < s) lo = mid + 1; else hi = mid;
  }
  return NULL;
}

bool tl_kor_is_surname(int s) { return s >= 0 && surname_find(s) != NULL; }

typedef struct { uint16_t a, b; const char *conv; } surname2_t;
static const surname2_t surnames2[] = {
  {H(0xB0A8), H(0xAD81), "namgung"},  /* 남궁 */
  {H(0xD669), H(0xBCF4), "hwangbo"},  /* 황보 */
  {H(0xC81C), H(0xAC08), "jegal"},    /* 제갈 */
  {H(0xC120), H(0xC6B0), "sunwoo"},   /* 선우 */
  {H(0xB3C5), H(0xACE0), "dokgo"},    /* 독고 */
  {H(0xC0AC), H(0xACF5), "sagong"},   /* 사공 */
  {H(0xC11C), H(0xBB38), "seomun"},   /* 서문 */
  {H(0xB3D9), H(0xBC29), "dongbang"}, /* 동방 */
};

bool tl_kor_is_surname2(int a, int b)
{
  for (size_t i = 0; i < sizeof surnames2 / sizeof surnames2[0]; i++)
    if (surnames2[i].a == a && surnames2[i].b == b) return true;
  return false;
}

const char *tl_kor_surname_conv(int a, int b)
{
  if (b >= 0) {
    for (size_t i = 0; i < sizeof surnames2 / sizeof surnames2[0]; i++)
      if (surnames2[i].a == a && surnames2[i].b == b) return surnames2[i].conv;
    return NULL;
  }
  const surname_t *p = surname_find(a);
  return p ? p->conv : NULL;
}

/* South Korean spelling -> DPRK ㄹ form, for surnames only. */
int tl_kor_surname_r(int s)
{
  static const uint16_t pairs[][2] = {
    {H(0xC774), H(0xB9AC)}, /* 이 리 */ {H(0xC784), H(0xB9BC)}, /* 임 림 */
    {H(0xC720), H(0xB958)}, /* 유 류 */ {H(0xC591), H(0xB7C9)}, /* 양 량 */
    {H(0xB178), H(0xB85C)}, /* 노 로 */ {H(0xB098), H(0xB77C)}, /* 나 라 */
    {H(0xC5EC), H(0xB824)}, /* 여 려 */ {H(0xC5F0), H(0xB828)}, /* 연 련 */
    {H(0xC5FC), H(0xB834)}, /* 염 렴 */ {H(0xC721), H(0xB959)}, /* 육 륙 */
    {H(0xC6A9), H(0xB8E1)}, /* 용 룡 */
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    if (pairs[i][0] == s) return pairs[i][1];
  return -1;
}

int tl_kor_dueum(int s)
{
  if (s < 0 || s > 11171) return s;
  int ini = KS_INI(s), med = KS_MED(s);
  /* ㅣ ㅑ ㅕ ㅛ ㅠ ㅖ ㅒ: i/y vowels */
  bool iy = med == 20 || med == 2 || med == 6 || med == 12 || med == 17 ||
            med == 7 || med == 3;
  if (ini == 5) return KS_MAKE(iy ? 11 : 2, med, KS_FIN(s));
  if (ini == 2 && iy) return KS_MAKE(11, med, KS_FIN(s));
  return s;
}

/* South Korean popular spelling (passports and press, neither MR nor RR):
** ㅓ/ㅕ in a closed syllable -> u/yu (Sung, Chul, Hyun, Myung), 영 -> young,
** ㅜ/ㅠ open or before ㄴ -> oo/yoo (Soo, Moon, Joon), ㅢ and 히 -> ee
** (Hee), word-initial ㄱ -> k (Ki, Kyung), 시 -> shi. */
static size_t sk_syllable(int s, bool word_initial, char *out)
{
  static const char *const ini[19] = {
    "g","kk","n","d","tt","r","m","b","pp","s","ss","","j","jj","ch","k","t","p","h"};
  int i = KS_INI(s), m = KS_MED(s), f = KS_FIN(s);
  const char *ci = ini[i];
  if (i == 0 && word_initial) ci = "k";
  if (i == 9 && (m == 20 || m == 16)) ci = "sh";
  const char *cm = med_rr[m];
  bool closed = f != 0;
  switch (m) {
  case 4:  cm = closed ? "u" : "eo"; break;                    /* ㅓ */
  case 6:  cm = !closed ? "yeo" : f == 8 ? "yeo" : "yu";       /* ㅕ */
           if (i == 11 && f == 21) cm = "you";                 /* 영 young */
           break;
  case 13: cm = (!closed || f == 4) ? "oo" : "u"; break;       /* ㅜ */
  case 17: cm = (!closed || f == 4) ? "yoo" : "yu"; break;     /* ㅠ */
  case 19: cm = i == 11 ? "ui" : "ee"; break;                  /* ㅢ */
  case 20: if (i == 18 && !closed) cm = "ee"; break;           /* 히 */
  default: break;
  }
  size_t n = 0;
  for (const char *p = ci; *p; p++) out[n++] = *p;
  for (const char *p = cm; *p; p++) out[n++] = *p;
  for (const char *p = fin_tab[f]; *p; p++) out[n++] = *p;
  out[n] = 0;
  return n;
}

void tl_kor_render(tl_out *o, const int16_t *syl, const uint8_t *unit,
                   const uint8_t *surname, size_t n, int kv)
{
  char buf[16];
  int prev_fin = -1;
  int sys = (kv == KV_DPRK || kv == KV_DPRK_R) ? 0
          : (kv == KV_MR || kv == KV_MR_INIT) ? 1 : 2;
  for (size_t i = 0; i < n; i++) {
    int s = syl[i];
    if (s < 0) continue;     /* separator: the unit flags decide voicing */
    if (unit[i] || kv == KV_MR_INIT) prev_fin = -1;
    tl_brk(o);
    if (surname[i]) {
      bool two = (i + 1 < n && surname[i + 1]);
      if (kv == KV_RR_CONV || kv == KV_SK) {
        const char *c = tl_kor_surname_conv(s, two ? syl[i + 1] : -1);
        if (c) {
          tl_puts(o, c);
          if (two) { tl_brk(o); i++; }   /* compound surname: one word */
          prev_fin = -1;
          continue;
        }
      } else if (kv == KV_DPRK_R) {
        int r = tl_kor_surname_r(s);
        if (r >= 0) s = r;
      } else if (kv == KV_RR_DUEUM) {
        s = tl_kor_dueum(s);
      }
    }
    if (kv == KV_SK) sk_syllable(s, prev_fin < 0, buf);
    else tl_kor_syllable(s, sys, prev_fin, buf);
    tl_puts(o, buf);
    prev_fin = KS_FIN(s);
  }
  tl_brk(o);
}
