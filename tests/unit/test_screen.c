/*
** test_screen.c -- unit tests of lib/screen: pairwise name scores (Korean
** variant folding, joined/hyphenated given names, typos, word order,
** different names sharing a surname), name forms, and the screener on a
** small list set built in memory (candidates, qualifiers, schema, exact
** identifiers with their explanation, thread safety, hostile input).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "kpw/screen.h"
#include "kpw/lists.h"

static double cmp(const char *a, const char *b) {
  char ex[256];
  double s = kpw_compare_names(KPW_SCHEMA_PERSON, a, b, ex, sizeof ex);
  assert_true(s >= 0.0 && s <= 1.0);
  assert_true(strlen(ex) < sizeof ex);
  return s;
}

#define MATCH(a, b) do { double s_ = cmp(a, b); \
  if (s_ < KPW_DEFAULT_THRESHOLD) fail_msg("%s | %s: %.3f < threshold", a, b, s_); } while (0)
#define NOMATCH(a, b) do { double s_ = cmp(a, b); \
  if (s_ >= KPW_DEFAULT_THRESHOLD) fail_msg("%s | %s: %.3f >= threshold", a, b, s_); } while (0)

static void test_identity_and_case(void **state) {
  (void)state;
  assert_true(cmp("Kim Jong Un", "Kim Jong Un") > 0.999);
  assert_true(cmp("KIM JONG UN", "kim jong un") > 0.999);
  MATCH("Aleksandar Vučić", "Aleksandar Vucic");
  MATCH("Recep Tayyip Erdoğan", "Recep Tayyip Erdogan");
}

static void test_korean_variants(void **state) {
  (void)state;
  MATCH("Kim Jong-un", "Kim Jong Un");
  MATCH("Kim Jongun", "Kim Jong Un");
  MATCH("KIM Jong-Un", "Kim Jong Un");
  MATCH("Ri Pyong Chol", "Li Pyong Chol");
  MATCH("Rhee Pyong Chol", "Ri Pyong Chol");
  MATCH("Pak Jong Chon", "Park Jong Chon");
  MATCH("Choe Son Hui", "Choi Son Hui");
  MATCH("Paek Ch'ang-Ho", "PAEK CHANG-HO");
  MATCH("Ri Je-son", "Ri Che Son");
  MATCH("Yun Ho-jin", "Yun Ho-chin");
  MATCH("Jong Kyong Thaek", "Cho'ng Kyo'ng-t'aek");
  MATCH("Kim Young-Chol", "Kim Yong Chol");
  MATCH("Ra Kyung-Su", "RA KY'ONG-SU");
}

static void test_korean_different_people(void **state) {
  (void)state;
  /* two KIMs: the surname and even one syllable shared is not enough */
  NOMATCH("Kim Jong Un", "Kim Jong Il");
  NOMATCH("KIM SONG MIN", "KIM SONG CHOL");
  NOMATCH("KIM JONG SIK", "KIM YONG NAM");
  NOMATCH("Kim Jong Un", "Kim");
  NOMATCH("Kim", "Kim Jong Un");
  NOMATCH("Kim Jong Un", "Kim Un Jong");   /* syllable order matters */
}

static void test_typos_and_order(void **state) {
  (void)state;
  MATCH("Serei Lavrov", "Sergei Lavrov");
  MATCH("Alexander Luakshenko", "Alexander Lukashenko");
  MATCH("Putin, Vladimir", "Vladimir Putin");
  MATCH("VladimirPutin", "Vladimir Putin");
  MATCH("Ig0r Sech1n", "Igor Sechin");
  MATCH("SSON MUN SAN", "SON MUN SAN");
  NOMATCH("Daniel Tusk", "Donald Tusk");
  NOMATCH("Pedro Sancho", "Pedro Sánchez");
  NOMATCH("Barack Obama", "George Hussein Onyango Obama");
  NOMATCH("A. Nazarbayev", "Nursultan Nazarbayev");
  MATCH("N. Nazarbayev", "Nursultan Nazarbayev");
}

static void test_scripts(void **state) {
  (void)state;
  MATCH("김정은", "Kim Jong Un");
  NOMATCH("김종은", "김정은");          /* different syllable, same Latin spelling */
  NOMATCH("이재형", "이재명");
  MATCH("Владимир Путин", "Владимир Путин");
  char forms[512];
  kpw_name_forms("김정은", forms, sizeof forms);
  assert_non_null(strstr(forms, "kim jong un"));
  kpw_name_forms("Kim Jong-un", forms, sizeof forms);
  assert_string_equal(forms, "kim jong un");
  kpw_name_forms(NULL, forms, sizeof forms);
  assert_string_equal(forms, "");
}

static void test_hostile_input(void **state) {
  (void)state;
  char big[20000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = 0;
  for (size_t i = 0; i < sizeof big - 1; i += 7) big[i] = ' ';
  double s = kpw_compare_names(KPW_SCHEMA_ANY, big, big, NULL, 0);
  assert_true(s >= 0 && s <= 1);
  assert_true(kpw_compare_names(KPW_SCHEMA_ANY, "", "Kim", NULL, 0) == 0);
  assert_true(kpw_compare_names(KPW_SCHEMA_ANY, NULL, "Kim", NULL, 0) == 0);
  const char bad[] = {'K', (char)0xff, (char)0xc3, 'i', (char)0xe2, (char)0x82, 'm', 0};
  s = kpw_compare_names(KPW_SCHEMA_ANY, bad, "Kim", NULL, 0);
  assert_true(s >= 0 && s <= 1);
  char ex[8];
  kpw_compare_names(KPW_SCHEMA_ANY, "Kim Jong Un", "Kim Jong Il", ex, sizeof ex);
  assert_true(strlen(ex) < sizeof ex);
}

/* ------------------------------------------------------------ screener */

static kpw_listset *fixture(void) {
  kpw_listset *ls = kpw_listset_new();
  kpw_listset_begin_list(ls, "TEST", "test", "memory");
  kpw_name n1[] = {{"KIM JONG UN", KPW_NAME_PRIMARY, KPW_SCRIPT_LATIN, false},
                   {"김정은", KPW_NAME_ORIGINAL, KPW_SCRIPT_HANGUL, false}};
  const char *dob1[] = {"1984-01-08"};
  const char *c1[] = {"kp"};
  kpw_entity e = {0};
  e.id = "TEST:1"; e.ref = "1"; e.list = "TEST"; e.schema = KPW_SCHEMA_PERSON;
  e.names = n1; e.n_names = 2; e.birth_dates = dob1; e.n_birth_dates = 1;
  e.countries = c1; e.n_countries = 1; e.gender = 'm';
  kpw_listset_add(ls, &e);

  kpw_name n2[] = {{"KIM JONG IL", KPW_NAME_PRIMARY, KPW_SCRIPT_LATIN, false}};
  const char *dob2[] = {"1941-02-16"};
  kpw_entity e2 = {0};
  e2.id = "TEST:2"; e2.ref = "2"; e2.list = "TEST"; e2.schema = KPW_SCHEMA_PERSON;
  e2.names = n2; e2.n_names = 1; e2.birth_dates = dob2; e2.n_birth_dates = 1;
  e2.countries = c1; e2.n_countries = 1;
  kpw_listset_add(ls, &e2);

  kpw_name n3[] = {{"CHON MYONG", KPW_NAME_PRIMARY, KPW_SCRIPT_LATIN, false},
                   {"KIM JONG UN", KPW_NAME_FORMER, KPW_SCRIPT_LATIN, false}};
  kpw_ident id3[] = {{KPW_ID_IMO, "9187629", "Vessel Registration Identification", NULL},
                     {KPW_ID_CRYPTO, "0x098b716b8aaf21512996dc57eb0615e2383e2f96",
                      "Digital Currency Address - ETH", "ETH"}};
  kpw_entity e3 = {0};
  e3.id = "TEST:3"; e3.ref = "3"; e3.list = "TEST"; e3.schema = KPW_SCHEMA_VESSEL;
  e3.names = n3; e3.n_names = 2; e3.ids = id3; e3.n_ids = 2;
  kpw_listset_add(ls, &e3);
  return ls;
}

static void test_screener_names(void **state) {
  (void)state;
  kpw_listset *ls = fixture();
  kpw_screener *s = NULL;
  kpw_error err;
  assert_int_equal(kpw_screener_new(ls, &s, &err), KPW_OK);
  kpw_hit hits[8];
  const char *name = "Kim Jong-un";
  kpw_query q = {0};
  q.schema = KPW_SCHEMA_PERSON; q.names = &name; q.n_names = 1;
  q.birth_date = "1984"; q.country = "North Korea";
  size_t n = kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, hits, 8);
  assert_true(n >= 1);
  assert_string_equal(hits[0].entity->id, "TEST:1");
  assert_true(hits[0].match);
  assert_true(strstr(hits[0].explain, "name") != NULL);
  assert_true(strstr(hits[0].explain, "country kp =") != NULL);
  /* the vessel of the same former name is excluded for a Person query */
  for (size_t i = 0; i < n; i++) assert_string_not_equal(hits[i].entity->id, "TEST:3");
  /* KIM JONG IL is not a match */
  for (size_t i = 0; i < n; i++)
    if (!strcmp(hits[i].entity->id, "TEST:2")) assert_false(hits[i].match);

  /* a disjoint date of birth lowers the score */
  double with = hits[0].score;
  q.birth_date = "1950-05-05";
  n = kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, hits, 8);
  assert_true(n >= 1);
  assert_true(hits[0].score < with);

  /* Hangul query, no qualifiers */
  name = "김정은";
  q.birth_date = NULL; q.country = NULL; q.schema = KPW_SCHEMA_ANY;
  n = kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, hits, 8);
  assert_true(n >= 1);
  assert_true(!strcmp(hits[0].entity->id, "TEST:1") || !strcmp(hits[0].entity->id, "TEST:3"));
  assert_true(hits[0].match);

  /* the whole name as one word is found through the joined-name key */
  name = "KimJongUn";
  n = kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, hits, 8);
  assert_true(n >= 1);
  assert_true(hits[0].match);
  assert_non_null(strstr(hits[0].explain, "joined"));

  /* max_hits 0 and min_score 1.01 give nothing */
  assert_int_equal(kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, hits, 0), 0);
  assert_int_equal(kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 1.01, hits, 8), 0);
  kpw_screener_free(s);
  kpw_listset_free(ls);
}

static void test_screener_ids(void **state) {
  (void)state;
  kpw_listset *ls = fixture();
  kpw_screener *s = NULL;
  assert_int_equal(kpw_screener_new(ls, &s, NULL), KPW_OK);
  kpw_hit hits[4];
  kpw_ident qid = {KPW_ID_IMO, "IMO 9187629", NULL, NULL};
  kpw_query q = {0};
  q.schema = KPW_SCHEMA_THING; q.ids = &qid; q.n_ids = 1;
  size_t n = kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, hits, 4);
  assert_int_equal(n, 1);
  assert_string_equal(hits[0].entity->id, "TEST:3");
  assert_true(hits[0].score == 1.0);
  assert_string_equal(hits[0].explain, "imo 9187629 = Vessel Registration Identification");
  qid.value = "9187629";
  assert_int_equal(kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, hits, 4), 1);
  /* EVM addresses: any case */
  kpw_ident cid = {KPW_ID_CRYPTO, "0x098B716B8AAF21512996DC57EB0615E2383E2F96", NULL, NULL};
  q.ids = &cid;
  n = kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, hits, 4);
  assert_int_equal(n, 1);
  assert_true(hits[0].match && hits[0].score == 1.0);
  /* a wrong number finds nothing */
  qid.value = "IMO 9187620";
  q.ids = &qid;
  assert_int_equal(kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, hits, 4), 0);
  kpw_screener_free(s);
  kpw_listset_free(ls);
}

typedef struct targ { const kpw_screener *s; int ok; } targ;

static void *worker(void *p) {
  targ *t = p;
  const char *names[] = {"Kim Jong-un", "KIM JONG IL", "Chon Myong", "김정은", "nobody at all"};
  t->ok = 1;
  for (int r = 0; r < 200; r++) {
    const char *nm = names[r % 5];
    kpw_query q = {0};
    q.names = &nm; q.n_names = 1;
    kpw_hit a[4], b[4];
    size_t na = kpw_screen(t->s, &q, KPW_DEFAULT_THRESHOLD, 0, a, 4);
    size_t nb = kpw_screen(t->s, &q, KPW_DEFAULT_THRESHOLD, 0, b, 4);
    if (na != nb) t->ok = 0;
    for (size_t i = 0; i < na && i < nb; i++)
      if (a[i].entity != b[i].entity || a[i].score != b[i].score) t->ok = 0;
  }
  return NULL;
}

static void test_screener_threads(void **state) {
  (void)state;
  kpw_listset *ls = fixture();
  kpw_screener *s = NULL;
  assert_int_equal(kpw_screener_new(ls, &s, NULL), KPW_OK);
  pthread_t th[4];
  targ ta[4];
  for (int i = 0; i < 4; i++) { ta[i].s = s; pthread_create(&th[i], NULL, worker, &ta[i]); }
  for (int i = 0; i < 4; i++) { pthread_join(th[i], NULL); assert_true(ta[i].ok); }
  kpw_screener_free(s);
  kpw_listset_free(ls);
}

static void test_screener_empty(void **state) {
  (void)state;
  kpw_listset *ls = kpw_listset_new();
  kpw_screener *s = NULL;
  assert_int_equal(kpw_screener_new(ls, &s, NULL), KPW_OK);
  const char *nm = "Kim Jong Un";
  kpw_query q = {0};
  q.names = &nm; q.n_names = 1;
  kpw_hit h[2];
  assert_int_equal(kpw_screen(s, &q, KPW_DEFAULT_THRESHOLD, 0, h, 2), 0);
  kpw_query empty = {0};
  assert_int_equal(kpw_screen(s, &empty, KPW_DEFAULT_THRESHOLD, 0, h, 2), 0);
  assert_int_equal(kpw_screener_new(NULL, &s, NULL) != KPW_OK, 1);
  kpw_screener_free(s);
  kpw_screener_free(NULL);
  kpw_listset_free(ls);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_identity_and_case),
    cmocka_unit_test(test_korean_variants),
    cmocka_unit_test(test_korean_different_people),
    cmocka_unit_test(test_typos_and_order),
    cmocka_unit_test(test_scripts),
    cmocka_unit_test(test_hostile_input),
    cmocka_unit_test(test_screener_names),
    cmocka_unit_test(test_screener_ids),
    cmocka_unit_test(test_screener_threads),
    cmocka_unit_test(test_screener_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
