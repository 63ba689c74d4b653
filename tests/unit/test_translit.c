/*
** test_translit.c -- unit tests for lib/screen/translit*.c: Hangul syllable
** romanisation, Korean/Han/Cyrillic/Latin name forms with real list
** vectors (UN/OFAC DPRK names and their list spellings), bounds (truncation,
** invalid UTF-8, random bytes) and thread safety.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "screen/translit.h"

typedef char form_t[KPW_TRANSLIT_FORM_CAP];

/* Index of want among the forms of name, -1 if absent. */
static int form_index(const char *name, const char *want)
{
  form_t f[KPW_TRANSLIT_MAX_FORMS];
  size_t n = kpw_translit_forms(name, f, KPW_TRANSLIT_MAX_FORMS);
  for (size_t i = 0; i < n; i++)
    if (strcmp(f[i], want) == 0) return (int)i;
  return -1;
}

static void assert_first(const char *name, const char *want)
{
  form_t f[KPW_TRANSLIT_MAX_FORMS];
  size_t n = kpw_translit_forms(name, f, KPW_TRANSLIT_MAX_FORMS);
  assert_true(n >= 1);
  if (strcmp(f[0], want) != 0)
    fail_msg("%s: first form '%s', want '%s'", name, f[0], want);
}

static void assert_has(const char *name, const char *want)
{
  if (form_index(name, want) < 0) {
    form_t f[KPW_TRANSLIT_MAX_FORMS];
    size_t n = kpw_translit_forms(name, f, KPW_TRANSLIT_MAX_FORMS);
    char all[2048] = "";
    for (size_t i = 0; i < n; i++) {
      strncat(all, f[i], sizeof all - strlen(all) - 1);
      strncat(all, " | ", sizeof all - strlen(all) - 1);
    }
    fail_msg("%s: no form '%s' (got: %s)", name, want, all);
  }
}

/* A form is lower-case ASCII letters/digits, single spaces, no edge spaces. */
static void assert_well_formed(const char *s)
{
  size_t n = strlen(s);
  assert_true(n < KPW_TRANSLIT_FORM_CAP);
  assert_true(n > 0);
  assert_true(s[0] != ' ' && s[n - 1] != ' ');
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    assert_true((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ');
    if (c == ' ') assert_true(s[i + 1] != ' ');
  }
}

static void test_hangul_syllable(void **state)
{
  (void)state;
  char b[8];
  struct { unsigned cp; int sys, wi; const char *want; } v[] = {
    {0xAE40, 0, 1, "kim"},   {0xC815, 0, 1, "jong"},  {0xC815, 1, 1, "chong"},
    {0xC815, 1, 0, "jong"},  {0xC815, 2, 1, "jeong"}, {0xC740, 0, 0, "un"},
    {0xC740, 2, 0, "eun"},   {0xB9AC, 0, 1, "ri"},    {0xBCD1, 0, 1, "pyong"},
    {0xBCD1, 2, 1, "byeong"},{0xCCA0, 0, 0, "chol"},  {0xCCA0, 2, 0, "cheol"},
    {0xCD5C, 0, 1, "choe"},  {0xD76C, 0, 0, "hui"},   {0xC2DC, 1, 1, "shi"},
    {0xC2DC, 0, 1, "si"},    {0xAE38, 0, 0, "gil"},   {0xAE38, 0, 1, "kil"},
    {0xBC15, 0, 1, "pak"},   {0xBC15, 2, 1, "bak"},   {0xC5EC, 0, 1, "yo"},
    {0xC5EC, 2, 1, "yeo"},   {0xD601, 0, 1, "hyok"},  {0xC751, 0, 1, "ung"},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    size_t n = kpw_hangul_syllable(v[i].cp, v[i].sys, v[i].wi, b);
    if (strcmp(b, v[i].want) != 0)
      fail_msg("U+%04X sys %d wi %d: '%s', want '%s'", v[i].cp, v[i].sys,
               v[i].wi, b, v[i].want);
    assert_int_equal(n, strlen(v[i].want));
  }
  assert_int_equal(kpw_hangul_syllable('A', 0, 1, b), 0);
  assert_int_equal(kpw_hangul_syllable(0xD7A4, 0, 1, b), 0);
  assert_int_equal(kpw_hangul_syllable(0xAE40, 3, 1, b), 0);
  /* every syllable, every system: 1..7 letters, fits the 8-byte buffer */
  for (unsigned cp = 0xAC00; cp <= 0xD7A3; cp++)
    for (int sys = 0; sys < 3; sys++) {
      size_t n = kpw_hangul_syllable(cp, sys, cp & 1, b);
      assert_true(n >= 1 && n <= 7);
      assert_int_equal(strlen(b), n);
    }
}

/* The examples and OFAC/UN DPRK names written in Hangul. */
static void test_hangul_names(void **state)
{
  (void)state;
  assert_first("김정은", "kim jong un");
  assert_has("김정은", "kim chong un");
  assert_has("김정은", "gim jeong eun");
  assert_has("김정은", "kim jeong eun");
  assert_first("리병철", "ri pyong chol");
  assert_has("리병철", "ri byeong cheol");
  assert_has("리병철", "i byeong cheol");
  assert_has("리병철", "lee byeong cheol");
  assert_first("박정천", "pak jong chon");
  assert_has("박정천", "park jeong cheon");
  assert_has("박정천", "pak chong chon");
  assert_first("최선희", "choe son hui");
  assert_has("최선희", "choi seon hui");
  assert_first("김여정", "kim yo jong");
  assert_first("정 성화", "jong song hwa");     /* OFAC 24979 */
  assert_first("정성화", "jong song hwa");
  assert_first("김 수길", "kim su gil");        /* OFAC 39498 */
  assert_has("김 수길", "kim su kil");          /* alias Kim Su-kil */
  assert_first("한 홍 길", "han hong gil");     /* given name is one unit */
  assert_has("한 홍 길", "han hong kil");
  assert_has("한 절 만", "han chol man");       /* OFAC 48267 */
  assert_has("오 인 준", "o in chun");          /* OFAC 48268 */
  assert_has("오 인 준", "o in jun");
  assert_has("노 광철", "ro kwang chol");       /* OFAC 52116: 노 -> Ro */
  assert_has("김 금철", "kim geum cheol");      /* OFAC 52115 (RR primary) */
  assert_has("김 금철", "kim kum chol");
  assert_has("리 창호", "lee chang ho");        /* OFAC 51330 alias */
  assert_has("김 명진", "kim myong chin");      /* alias Myo'ng-chin */
  assert_has("전 진영", "jon jin yong");
  assert_has("유 진", "yoo jin");
  assert_has("이민호", "lee min ho");
  assert_has("이민호", "ri min ho");
  assert_has("박지성", "park ji sung");         /* South Korean popular */
  assert_has("반기문", "ban ki moon");
  assert_has("윤석열", "yoon suk yeol");
  assert_has("김 영철", "kim yong chol");       /* EU: KIM Yong Chol */
  assert_has("박 재경", "pak jae gyong");       /* EU: PAK Jae Gyong */
  assert_has("박 재경", "pak chae kyong");      /* EU: PAK Chae-Kyong */
  assert_has("렴영", "ryom yong");              /* EU: RYOM Yong */
  assert_has("남궁민", "namgung min");          /* two-syllable surname */
  assert_has("남궁민", "nam gung min");
  /* NFD (conjoining jamo) input composes to the same forms */
  assert_first("\xe1\x84\x80\xe1\x85\xb5\xe1\x86\xb7", "kim");
}

static void test_han_names(void **state)
{
  (void)state;
  assert_first("金正恩", "kim jong un");        /* Korean reading first */
  assert_has("金正恩", "jin zheng en");
  assert_has("金正恩", "kim chong un");
  assert_first("李 红日", "li hong ri");        /* simplified: Chinese first */
  assert_has("李 红日", "ri hong il");          /* OFAC alias RI Hong-il */
  assert_has("陳 美香", "chen mei hsiang");     /* Wade-Giles, OFAC 26928 */
  assert_has("黃 旺根", "huang wang ken");      /* OFAC 26927 */
  assert_has("陈 诗焕", "chen shih huan");      /* OFAC 39357 */
  assert_has("李 家东", "li jia dong");
  assert_has("田 寅寅", "tian yin yin");
  assert_first("习近平", "xi jin ping");
  assert_has("吕", "lu");                       /* u-umlaut written u */
  assert_has("上海墨星⽂化", "shang hai mo xing wen hua"); /* Kangxi radical ⽂ */
}

static void test_cyrillic_names(void **state)
{
  (void)state;
  assert_first("Ким Чен Ын", "kim jong un");    /* whole name is Kontsevich */
  assert_has("Ким Чен Ын", "kim chen yn");
  assert_has("Ким Чен Ын", "kim chong un");
  assert_has("Чхве Сон Хи", "choe son hui");
  assert_has("Ким Ир Сен", "kim il song");
  assert_has("Пак Чон Чхон", "pak chon chkhon");
  assert_first("Пак Чон Чхон", "pak jong chon");  /* н: ㅇ, then ㄴ last */
  assert_has("Ким Ё Чжон", "kim yo jong");
  assert_has("Пхеньян", "pyong yang");
  assert_has("Ли Пён Чхоль", "ri pyong chol");
  assert_first("Колчанов Василий Александрович", "kolchanov vasiliy aleksandrovich");
  assert_has("Колчанов Василий Александрович", "kolchanov vasili aleksandrovich");
  assert_has("Колчанов Василий", "kolchanov vasily");
  assert_has("БУДНЕВ Алексей", "budnev alexey");      /* OFAC 48987 alias */
  assert_has("БУДНЕВ Алексей", "budnev aleksey");
  assert_has("Соин Дмитрий Юрьевич", "soin dmitriy yuryevich");
  assert_has("Соин Дмитрий Юрьевич", "soin dmitri yurevich");
  assert_has("Андреев Виталий Сергеевич", "andreyev vitaliy sergeyevich");
  assert_first("Владимир Путин", "vladimir putin");
  assert_int_equal(form_index("Владимир Путин", "pu tin"), -1);
  assert_first("ООО Профинет", "ooo profinet");
  assert_has("ООО ЧХОЛСАН", "ooo chkholsan");
  assert_has("ООО ЧХОЛСАН", "ooo chol san");
  /* Latin look-alikes inside Cyrillic words (OFAC 48260) */
  assert_has("Общество c Oграниченной Oтветственностью \"Алис\"",
             "obshchestvo s ogranichennoi otvetstvennostyu alis");
  assert_has("Общество С Ограниченной Ответственностью Мокран",
             "obshchestvo s ogranichennoi otvetstvennostyu mokran");
  assert_first("Рубин", "rubin");
  assert_int_equal(form_index("ООО РУБИН", "ooo ru bin"), -1);
}

/* Organisation names: a translated form, second (OFAC/EU aliases). */
static void test_translated(void **state)
{
  (void)state;
  form_t f[KPW_TRANSLIT_MAX_FORMS];
  assert_int_equal(form_index("金三角银行", "golden triangle bank"), 1);
  assert_has("화려은행", "hwaryo bank");
  assert_has("조선새날무역회사", "korea saenal trading company");
  assert_has("대진무역총회사", "taejin trading general corporation");
  assert_has("은성인터네트기술회사", "unsong internet technology company");
  assert_has("로케트공업부", "rocket industry department");
  assert_has("황금의 삼각주은행", "golden delta bank");
  assert_has("丹东至诚金属材料有限公司", "dandong zhicheng metal materials co ltd");
  assert_has("朝鲜华丽银行", "korea huali bank");
  assert_has("КОРЕЙСКАЯ ВНЕШНЕТОРГОВАЯ КОМПАНИЯ ОКРЮ",
             "korean foreign trade company okryu");
  assert_has("ГЕНЕРАЛЬНАЯ ТОРГОВАЯ КОМПАНИЯ ЧХОЛСАН КНДР",
             "general trading company cholsan korea");
  /* not for personal names: one-syllable entries (성 "ministry") unused */
  size_t n = kpw_translit_forms("김성", f, KPW_TRANSLIT_MAX_FORMS);
  for (size_t i = 0; i < n; i++) assert_null(strstr(f[i], "ministry"));
  assert_int_equal(form_index("김 성", "kim ministry"), -1);
}

static void test_latin_and_others(void **state)
{
  (void)state;
  form_t f[KPW_TRANSLIT_MAX_FORMS];
  assert_first("Kim Jong-Un", "kim jong un");
  assert_first("CH'OE Ŭn-hyŏk", "choe un hyok");
  assert_first("Ch’oe Yong-gŏn", "choe yong gon");
  assert_first("  RI  Je-Son ", "ri je son");
  assert_first("Müller Straße", "muller strasse");
  assert_first("Ｋｉｍ　Ｊｏｎｇ", "kim jong");       /* full-width */
  assert_first("Ørsted Łódź", "orsted lodz");
  assert_int_equal(kpw_translit_forms("Kim Jong Un", f, 8), 1);
  assert_first("Αλέξανδρος", "alexandros");
  assert_first("Νικόλαος", "nikolaos");
  assert_first("محمد علي", "mhmd ali");
  assert_first("123 Main", "123 main");
  /* a script without a table still gives a stable non-empty form */
  assert_int_equal(kpw_translit_forms("สมชาย", f, 8), 1);
  assert_well_formed(f[0]);
  /* nothing to romanise */
  assert_int_equal(kpw_translit_forms("", f, 8), 0);
  assert_int_equal(kpw_translit_forms("...-- ''", f, 8), 0);
  assert_int_equal(kpw_translit_forms(NULL, f, 8), 0);
  assert_int_equal(kpw_translit_forms("Kim", f, 0), 0);
}

static void test_max_and_distinct(void **state)
{
  (void)state;
  form_t f[KPW_TRANSLIT_MAX_FORMS];
  assert_int_equal(kpw_translit_forms("리병철", f, 1), 1);
  assert_string_equal(f[0], "ri pyong chol");
  size_t n = kpw_translit_forms("金正恩", f, 100);   /* clamped to MAX */
  assert_true(n >= 4 && n <= KPW_TRANSLIT_MAX_FORMS);
  for (size_t i = 0; i < n; i++) {
    assert_well_formed(f[i]);
    for (size_t j = 0; j < i; j++) assert_string_not_equal(f[i], f[j]);
  }
}

static void test_truncation(void **state)
{
  (void)state;
  char name[4000];
  form_t f[KPW_TRANSLIT_MAX_FORMS];
  size_t u = 0;
  while (u + 12 < sizeof name) { memcpy(name + u, "abcdefghij ", 11); u += 11; }
  name[u] = 0;
  assert_int_equal(kpw_translit_forms(name, f, 8), 1);
  assert_well_formed(f[0]);
  /* cut at a word boundary: a whole number of "abcdefghij" words */
  assert_int_equal((strlen(f[0]) + 1) % 11, 0);
  /* long Hangul names: every form well formed */
  u = 0;
  while (u + 4 < sizeof name) { memcpy(name + u, "\xea\xb9\x80", 3); u += 3; }
  name[u] = 0;
  size_t n = kpw_translit_forms(name, f, 8);
  assert_true(n >= 1);
  for (size_t i = 0; i < n; i++) assert_well_formed(f[i]);
}

static void test_random_bytes(void **state)
{
  (void)state;
  unsigned seed = 12345;
  char buf[300];
  form_t f[KPW_TRANSLIT_MAX_FORMS];
  static const char *const pieces[] = {
    "김", "정", "金", "红", "Ч", "х", "в", "е", "ё", "н", "a", " ", "'", "\xff",
    "\xe1\x84\x80", "\xe1\x85\xb5", "ŏ", "ß", "Ω", "ع", "ש", "ก", "-", "0"};
  for (int it = 0; it < 20000; it++) {
    size_t len = 0;
    int k = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40;
    for (int j = 0; j < k; j++) {
      seed = seed * 1103515245u + 12345u;
      if (it & 1) {
        buf[len++] = (char)(seed >> 16);
      } else {
        const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        if (len + l >= sizeof buf - 1) break;
        memcpy(buf + len, p, l); len += l;
      }
      if (len >= sizeof buf - 5) break;
    }
    buf[len] = 0;
    size_t n = kpw_translit_forms(buf, f, KPW_TRANSLIT_MAX_FORMS);
    assert_true(n <= KPW_TRANSLIT_MAX_FORMS);
    for (size_t i = 0; i < n; i++) assert_well_formed(f[i]);
  }
}

/* Concurrent calls give the same answers as sequential ones. */
static const char *const mt_names[] = {
  "김정은", "金正恩", "Ким Чен Ын", "李 红日", "CH'OE Ŭn-hyŏk", "박정천"};
static void *mt_run(void *arg)
{
  form_t (*want)[KPW_TRANSLIT_MAX_FORMS] = arg;
  form_t f[KPW_TRANSLIT_MAX_FORMS];
  for (int it = 0; it < 3000; it++)
    for (size_t k = 0; k < 6; k++) {
      size_t n = kpw_translit_forms(mt_names[k], f, KPW_TRANSLIT_MAX_FORMS);
      for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], want[k][i]) != 0) return (void *)1;
    }
  return NULL;
}

static void test_threads(void **state)
{
  (void)state;
  static form_t want[6][KPW_TRANSLIT_MAX_FORMS];
  for (size_t k = 0; k < 6; k++)
    kpw_translit_forms(mt_names[k], want[k], KPW_TRANSLIT_MAX_FORMS);
  pthread_t th[4];
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&th[i], NULL, mt_run, want), 0);
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(th[i], &r);
    assert_null(r);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hangul_syllable),
    cmocka_unit_test(test_hangul_names),
    cmocka_unit_test(test_han_names),
    cmocka_unit_test(test_cyrillic_names),
    cmocka_unit_test(test_translated),
    cmocka_unit_test(test_latin_and_others),
    cmocka_unit_test(test_max_and_distinct),
    cmocka_unit_test(test_truncation),
    cmocka_unit_test(test_random_bytes),
    cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
