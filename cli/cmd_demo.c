/*
** cmd_demo.c -- `kpwatch demo`: generates a DPRK-style watchlist and a set
** of screening scenarios with known answers (romanisation variants, Hangul,
** typos, reordered names, identifiers in other case, and hard negatives such
** as different people sharing a surname), screens them, and prints a report
** scored against the ground truth. Deterministic for a given --seed.
*/
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

/* A syllable with its DPRK spelling, South Korean / RR-style variant, and
** Hangul. Variants are what a bank's customer file may hold. */
typedef struct syl { const char *dprk, *variant, *hangul; } syl;

static const syl surnames[] = {
  {"Kim", "Gim", "김"}, {"Ri", "Lee", "리"}, {"Pak", "Park", "박"}, {"Choe", "Choi", "최"},
  {"Jong", "Jeong", "정"}, {"Kang", "Gang", "강"}, {"Han", "Han", "한"}, {"Jo", "Cho", "조"},
  {"Yun", "Yoon", "윤"}, {"O", "Oh", "오"}, {"Hwang", "Hwang", "황"}, {"Ryu", "Yu", "류"},
};
static const syl given[] = {
  {"Jong", "Jeong", "정"}, {"Chol", "Cheol", "철"}, {"Song", "Seong", "성"}, {"Il", "Il", "일"},
  {"Nam", "Nam", "남"}, {"Hyok", "Hyeok", "혁"}, {"Yong", "Yeong", "영"}, {"Su", "Soo", "수"},
  {"Myong", "Myeong", "명"}, {"Chan", "Chan", "찬"}, {"Kwang", "Gwang", "광"}, {"Hui", "Hee", "희"},
  {"Hak", "Hak", "학"}, {"Sok", "Seok", "석"}, {"Ho", "Ho", "호"}, {"Min", "Min", "민"},
};
static const char *const org_words[] = {"Ryonbong", "Kwangson", "Tanchon", "Amnokgang", "Paeksol",
                                        "Hyoksin", "Namgang", "Sobaeksu", "Chongsong", "Ilsim"};
static const char *const org_kinds[] = {"Trading Corporation", "General Bureau", "Banking Corp",
                                        "Shipping Company", "Mining Development Corporation"};
static const char *const vessel_words[] = {"Chon Ma San", "Yu Jong", "Ji Song", "Sam Jong", "Rye Song Gang",
                                           "Paek Yang San", "Kum Un San", "Wan Heng"};
static const char *const western[] = {"John Smith", "Maria Garcia", "Wei Zhang", "Olga Petrova",
                                      "Ahmed Hassan", "Emma Johnson", "Lucas Martin", "Priya Sharma"};

/* strlcpy: copy with truncation, always NUL-terminated. */
static void copy_str(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

static uint64_t rng_state;
static uint32_t rnd(uint32_t n) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)((rng_state >> 33) % n);
}

typedef struct person { int sur, g1, g2; char dob[11]; } person;

static void dprk_name(const person *p, char *out, size_t cap, int style) {
  const syl *s = &surnames[p->sur], *a = &given[p->g1], *b = &given[p->g2];
  switch (style) {
    case 0: snprintf(out, cap, "%s %s %s", s->dprk, a->dprk, b->dprk); break;          /* Kim Jong Chol */
    case 1: snprintf(out, cap, "%s %s-%s", s->variant, a->variant, b->variant); break; /* Gim Jeong-Cheol */
    case 2: snprintf(out, cap, "%s%s %s", a->dprk, b->dprk, s->dprk); break; /* Jongchol Kim */
    case 3: snprintf(out, cap, "%s%s%s", s->hangul, a->hangul, b->hangul); break;      /* 김정철 */
    default: { /* a typo: drop one letter of the given name */
      char g[64];
      snprintf(g, sizeof g, "%s%s", a->dprk, b->dprk);
      size_t n = strlen(g);
      size_t k = 1 + rnd((uint32_t)(n - 1));
      memmove(g + k, g + k + 1, n - k);
      snprintf(out, cap, "%s %s", s->dprk, g);
    }
  }
}

static int imo_with_check(int six) {
  int d[6], sum = 0;
  for (int i = 5, v = six; i >= 0; i--, v /= 10) d[i] = v % 10;
  for (int i = 0; i < 6; i++) sum += d[i] * (7 - i);
  return six * 10 + sum % 10;
}

static void help(void) {
  printf("usage: kpwatch demo [--seed N] [--keep DIR] [--jsonl]\n\n"
         "Generates a DPRK-style watchlist (persons, firms, vessels, wallets) and\n"
         "screening scenarios with known answers, screens them with the default\n"
         "threshold, and prints a report scored against the ground truth.\n\n"
         "  --seed N     generator seed (default 1718)\n"
         "  --keep DIR   write the generated list and queries into DIR and keep them\n"
         "  --jsonl      print the per-query screening lines instead of the report\n");
}

typedef struct scenario { char query[160]; const char *kind; int expect; /* entity index or -1 */
                          kpw_schema schema; char dob[11]; kpw_id_kind idk; bool is_id; } scenario;

int cmd_demo(int argc, char **argv) {
  static const struct option lopts[] = {
    {"seed", required_argument, 0, 's'}, {"keep", required_argument, 0, 'k'},
    {"jsonl", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  uint64_t seed = 1718;
  const char *keep = NULL;
  bool jsonl = false;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "s:k:jh", lopts, NULL)) != -1) {
    switch (c) {
      case 's': seed = strtoull(optarg, NULL, 10); break;
      case 'k': keep = optarg; break;
      case 'j': jsonl = true; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("demo", "bad option");
    }
  }
  rng_state = seed * 2654435761u + 1;
  char dir[512];
  if (keep) snprintf(dir, sizeof dir, "%s", keep);
  else {
    snprintf(dir, sizeof dir, "%s/kpwatch-demo-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) { perror("kpwatch demo: mkdtemp"); return EXIT_IOERR; }
  }
  char listpath[600];
  snprintf(listpath, sizeof listpath, "%s/demo-list.ftm.json", dir);
  FILE *lf = fopen(listpath, "w");
  if (!lf) { fprintf(stderr, "kpwatch demo: cannot write %s: %s\n", listpath, strerror(errno)); return EXIT_IOERR; }

  enum { NP = 24, NO = 8, NV = 6, NW = 4 };
  person people[NP];
  kpw_buf b;
  kpw_buf_init(&b);
  /* Persons: distinct (surname, given) triples; several share a surname. */
  for (int i = 0; i < NP; i++) {
    person *p = &people[i];
    for (;;) {
      p->sur = (int)rnd(sizeof surnames / sizeof *surnames);
      p->g1 = (int)rnd(sizeof given / sizeof *given);
      p->g2 = (int)rnd(sizeof given / sizeof *given);
      bool dup = p->g1 == p->g2;
      for (int k = 0; k < i && !dup; k++)
        dup = people[k].sur == p->sur && (people[k].g1 == p->g1 || people[k].g2 == p->g2);
      if (!dup) break;
    }
    snprintf(p->dob, sizeof p->dob, "19%02u-%02u-%02u", 50 + rnd(40), 1 + rnd(12), 1 + rnd(28));
    char nm[128];
    dprk_name(p, nm, sizeof nm, 0);
    kpw_buf_reset(&b);
    kpw_buf_printf(&b, "{\"id\":\"demo-p%02d\",\"schema\":\"Person\",\"properties\":{\"name\":[", i);
    kpw_json_str(&b, nm);
    kpw_buf_puts(&b, "],\"birthDate\":[");
    kpw_json_str(&b, p->dob);
    kpw_buf_puts(&b, "],\"nationality\":[\"kp\"],\"topics\":[\"sanction\"],\"program\":[\"DPRK\"]}}\n");
    fputs(b.data, lf);
  }
  char orgs[NO][128], vessels[NV][64], wallets[NW][48];
  int imos[NV];
  for (int i = 0; i < NO; i++) {
    snprintf(orgs[i], sizeof orgs[i], "Korea %s %s", org_words[i % 10], org_kinds[rnd(5)]);
    kpw_buf_reset(&b);
    kpw_buf_printf(&b, "{\"id\":\"demo-o%02d\",\"schema\":\"Organization\",\"properties\":{\"name\":[", i);
    kpw_json_str(&b, orgs[i]);
    kpw_buf_puts(&b, "],\"country\":[\"kp\"]}}\n");
    fputs(b.data, lf);
  }
  for (int i = 0; i < NV; i++) {
    copy_str(vessels[i], sizeof vessels[i], vessel_words[i]);
    imos[i] = imo_with_check(900000 + (int)rnd(99999));
    fprintf(lf, "{\"id\":\"demo-v%02d\",\"schema\":\"Vessel\",\"properties\":{\"name\":[\"%s\"],\"imoNumber\":[\"IMO %d\"],\"flag\":[\"kp\"]}}\n",
            i, vessels[i], imos[i]);
  }
  for (int i = 0; i < NW; i++) {
    static const char hex[] = "0123456789abcdef";
    wallets[i][0] = '0';
    wallets[i][1] = 'x';
    for (int k = 0; k < 40; k++) wallets[i][2 + k] = hex[rnd(16)];
    wallets[i][42] = 0;
    fprintf(lf, "{\"id\":\"demo-w%02d\",\"schema\":\"CryptoWallet\",\"properties\":{\"publicKey\":[\"%s\"],\"holder\":[\"demo-o00\"]}}\n",
            i, wallets[i]);
  }
  fclose(lf);
  kpw_buf_free(&b);

  /* Scenarios with the entity each should find (index into the list order). */
  scenario sc[128];
  int ns = 0;
  for (int i = 0; i < NP && ns < 100; i += 2) {
    static const char *const kinds[] = {"official spelling", "South Korean spelling, hyphenated",
                                        "western order, joined given name", "Hangul", "typo"};
    int style = (i / 2) % 5;
    scenario *s = &sc[ns++];
    dprk_name(&people[i], s->query, sizeof s->query, style);
    s->kind = kinds[style];
    s->expect = i;
    s->schema = KPW_SCHEMA_PERSON;
    copy_str(s->dob, sizeof s->dob, people[i].dob);
  }
  for (int i = 0; i < NO; i += 2) {
    scenario *s = &sc[ns++];
    copy_str(s->query, sizeof s->query, orgs[i]);
    for (char *q = s->query; *q; q++) if (*q >= 'a' && *q <= 'z') *q -= 32;
    s->kind = "firm, upper case";
    s->expect = NP + i;
    s->schema = KPW_SCHEMA_ORGANIZATION;
  }
  for (int i = 0; i < NV; i++) {
    scenario *s = &sc[ns++];
    snprintf(s->query, sizeof s->query, "%d", imos[i]);
    s->kind = "vessel IMO number";
    s->expect = NP + NO + i;
    s->is_id = true;
    s->idk = KPW_ID_IMO;
  }
  for (int i = 0; i < NW; i++) {
    scenario *s = &sc[ns++];
    copy_str(s->query, sizeof s->query, wallets[i]);
    for (char *q = s->query + 2; *q; q++) if (*q >= 'a' && *q <= 'f' && rnd(2)) *q -= 32;
    s->kind = "wallet, mixed case";
    s->expect = NP + NO + NV + i;
    s->is_id = true;
    s->idk = KPW_ID_CRYPTO;
  }
  /* Hard negatives: same surname, other given names; and unrelated people. */
  for (int i = 1; i < NP && ns < 120; i += 4) {
    person p = people[i];
    for (int tries = 0; tries < 50; tries++) {
      p.g1 = (int)rnd(sizeof given / sizeof *given);
      p.g2 = (int)rnd(sizeof given / sizeof *given);
      bool clash = p.g1 == p.g2;
      for (int k = 0; k < NP && !clash; k++)
        clash = people[k].sur == p.sur && (people[k].g1 == p.g1 || people[k].g2 == p.g2);
      if (!clash) break;
    }
    scenario *s = &sc[ns++];
    dprk_name(&p, s->query, sizeof s->query, 0);
    s->kind = "negative: other person, same surname";
    s->expect = -1;
    s->schema = KPW_SCHEMA_PERSON;
  }
  for (size_t i = 0; i < sizeof western / sizeof *western; i++) {
    scenario *s = &sc[ns++];
    copy_str(s->query, sizeof s->query, western[i]);
    s->kind = "negative: unrelated person";
    s->expect = -1;
    s->schema = KPW_SCHEMA_PERSON;
  }

  kpw_error err = {0};
  kpw_listset *ls = kpw_listset_new();
  kpw_screener *scr = NULL;
  kpw_result rc = kpw_list_load(ls, listpath, "DEMO", &err);
  if (rc == KPW_OK) rc = kpw_screener_new(ls, &scr, &err);
  if (rc != KPW_OK) { kpw_listset_free(ls); return cli_fail(&err); }

  /* Three outcomes, as a compliance queue sees them: a match (an alert), a
  ** near miss above the review cutoff (listed for an analyst, as `screen`
  ** lists it with match:false), or clear. */
  const double cutoff = KPW_DEFAULT_THRESHOLD - 0.2;
  int tp = 0, review_pos = 0, fn = 0, fp = 0, review_neg = 0, tn = 0;
  if (!jsonl) {
    printf("kpwatch demo: screening %d scenarios against a generated list of %zu entities (seed %llu)\n",
           ns, kpw_listset_count(ls), (unsigned long long)seed);
    printf("list: %s\n\n%-40s %-38s %-7s %-12s %s\n", listpath, "query", "scenario", "score", "found", "verdict");
  }
  for (int i = 0; i < ns; i++) {
    scenario *s = &sc[i];
    const char *names[1] = {s->query};
    kpw_ident id = {s->idk, s->query, NULL, NULL};
    kpw_query q = {0};
    q.schema = s->schema;
    if (s->is_id) { q.ids = &id; q.n_ids = 1; }
    else { q.names = names; q.n_names = 1; }
    q.birth_date = s->dob[0] ? s->dob : NULL;
    kpw_hit hits[3];
    size_t nh = kpw_screen(scr, &q, KPW_DEFAULT_THRESHOLD, cutoff, hits, 3);
    const kpw_entity *want = s->expect >= 0 ? kpw_listset_get(ls, (size_t)s->expect) : NULL;
    bool matched = nh && hits[0].match;
    bool review = nh && !matched;   /* best hit between cutoff and threshold */
    const char *verdict;
    if (want) {
      if (matched && hits[0].entity == want) { tp++; verdict = "ok: match"; }
      else if (review && hits[0].entity == want) { review_pos++; verdict = "near miss, for review"; }
      else { fn++; verdict = "MISSED"; }
    } else {
      if (matched) { fp++; verdict = "FALSE ALARM"; }
      else if (review) { review_neg++; verdict = "ok: near miss, for review"; }
      else { tn++; verdict = "ok: clear"; }
    }
    if (jsonl) {
      kpw_buf o;
      kpw_buf_init(&o);
      kpw_buf_printf(&o, "{\"id\":\"demo-q%03d\",\"query\":", i);
      kpw_json_str(&o, s->query);
      kpw_buf_puts(&o, ",\"scenario\":");
      kpw_json_str(&o, s->kind);
      kpw_buf_puts(&o, ",\"expected\":");
      kpw_json_str(&o, want ? want->id : NULL);
      kpw_buf_puts(&o, ",\"matches\":[");
      for (size_t k = 0; k < nh; k++) {
        if (k) kpw_buf_putc(&o, ',');
        kpw_buf_printf(&o, "{\"score\":%.4f,\"match\":%s,\"entity_id\":", hits[k].score, hits[k].match ? "true" : "false");
        kpw_json_str(&o, hits[k].entity->id);
        kpw_buf_puts(&o, ",\"explain\":");
        kpw_json_str(&o, hits[k].explain);
        kpw_buf_putc(&o, '}');
      }
      kpw_buf_puts(&o, "]}\n");
      fputs(o.data, stdout);
      kpw_buf_free(&o);
    } else {
      printf("%-40.40s %-38.38s %-7.3f %-12.12s %s\n", s->query, s->kind, nh ? hits[0].score : 0.0,
             nh ? hits[0].entity->id : "-", verdict);
    }
  }
  if (!jsonl)
    printf("\nlisted parties (%d): %d matched, %d near misses for review, %d missed\n"
           "other parties (%d): %d false alarms, %d near misses for review, %d clear\n"
           "(match threshold %.2f, review cutoff %.2f)\n",
           tp + review_pos + fn, tp, review_pos, fn, fp + review_neg + tn, fp, review_neg, tn,
           KPW_DEFAULT_THRESHOLD, cutoff);
  kpw_screener_free(scr);
  kpw_listset_free(ls);
  if (!keep) { unlink(listpath); rmdir(dir); }
  return EXIT_OK;
}
