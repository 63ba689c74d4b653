/*
** test_chain_tags.c -- unit tests for lib/chain/tags.c: the shared
** GraphSense TagPacks and OFAC address lists load with the counts in
** ../shared/data/chain/MANIFEST.txt (skipped visibly when absent), the 21
** OFAC Lazarus addresses carry actor lazarusgroup and are on the OFAC
** lists, TagPack header defaults and per-tag overrides, the YAML subset
** (quoting, block scalars, flow lists) and its errors with the right line,
** CSV columns in any order, case-insensitive bech32/EVM lookups, cash-out
** categories, all-or-nothing loads, and tags from a screening listset.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "kpw/tags.h"

/* Tests run from the repository root, like the other suites. */
#define SHARED "../shared/data"
#define LABELS SHARED "/chain/labels"
#define OFACDIR SHARED "/chain/ofac"

static bool have(const char *path) {
  if (access(path, R_OK) == 0) return true;
  fprintf(stderr, "SKIP: %s is absent (real-data checks need the shared data)\n", path);
  return false;
}

static kpw_result load_str(kpw_tagset *ts, const char *text, const char *name, kpw_error *err) {
  return kpw_tagset_load_buffer(ts, text, strlen(text), name, KPW_TAGS_AUTO, err);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A tag of addr whose file name contains `file`, or NULL. */
static const kpw_tag *tag_from(const kpw_tagset *ts, const char *addr, const char *file) {
  const kpw_tag *t;
  size_t n = kpw_tagset_find(ts, addr, &t);
  for (size_t i = 0; i < n; i++) if (strstr(t[i].file, file)) return &t[i];
  return NULL;
}

/* ---------------------------------------------------------------- shared data */

static const struct { const char *name; size_t n; } packs[] = {
  { "lazarus", 21 }, { "lazarus2", 6 }, { "ronin_bridge", 6 }, { "tornado_cash", 39 },
  { "wasabi_collector", 2 }, { "samourai", 36548 }, { "ofac", 572 }, { "hacks", 608 },
  { "binance_hack", 44 }, { "mixing_fc2021", 66 }, { "walletexplorer", 386 },
  { "usdt_blacklist", 774 }, { "exchange-wallets-binance", 86 }, { "exchange-wallets-bybit", 8 },
  { "exchange-wallets-okx", 36 }, { "exchange-wallets-huobi", 58 }, { "exchange-wallets-kucoin", 59 },
  { "exchange-wallets-bitfinexcom", 135 }, { "exchange-wallets-cryptocom", 10 },
  { "exchange-wallets-deribit", 18 }, { "exchange-wallets-swissborg", 14 },
  { "etherscan-wordcloud-exchange", 646 }, { "etherscan-wordcloud-mixing_service", 61 },
};
static const struct { const char *asset; size_t n; } ofac[] = {
  { "XBT", 435 }, { "ETH", 152 }, { "USDT", 26 }, { "LTC", 10 }, { "BCH", 7 }, { "TRX", 6 },
  { "DASH", 3 }, { "XMR", 3 }, { "ZEC", 3 }, { "USDC", 2 }, { "ARB", 1 }, { "BSC", 1 },
  { "BSV", 1 }, { "BTG", 1 }, { "ETC", 1 }, { "XRP", 1 }, { "XVG", 1 },
};

static kpw_tagset *load_all_shared(double *secs) {
  kpw_tagset *ts = kpw_tagset_new();
  kpw_error err;
  char path[512], msg[1024];
  double t0 = now_s();
  for (size_t i = 0; i < sizeof packs / sizeof packs[0]; i++) {
    snprintf(path, sizeof path, LABELS "/graphsense_%s.yaml", packs[i].name);
    kpw_result r = kpw_tagset_load(ts, path, &err);
    if (r) fprintf(stderr, "%s\n", kpw_error_format(&err, msg, sizeof msg));
    assert_int_equal(r, KPW_OK);
  }
  for (size_t i = 0; i < sizeof ofac / sizeof ofac[0]; i++) {
    snprintf(path, sizeof path, OFACDIR "/sanctioned_addresses_%s.txt", ofac[i].asset);
    kpw_result r = kpw_tagset_load(ts, path, &err);
    if (r) fprintf(stderr, "%s\n", kpw_error_format(&err, msg, sizeof msg));
    assert_int_equal(r, KPW_OK);
  }
  *secs = now_s() - t0;
  return ts;
}

static void shared_counts(void **state) {
  (void)state;
  if (!have(LABELS "/graphsense_lazarus.yaml") || !have(OFACDIR "/sanctioned_addresses_XBT.txt")) skip();
  double secs;
  kpw_tagset *ts = load_all_shared(&secs);
  size_t np = sizeof packs / sizeof packs[0], no = sizeof ofac / sizeof ofac[0];
  assert_int_equal(kpw_tagset_nfiles(ts), np + no);
  size_t read = 0, added = 0;
  for (size_t i = 0; i < np; i++) {
    const kpw_tagfile *f = kpw_tagset_file(ts, i);
    assert_non_null(strstr(f->path, packs[i].name));
    assert_string_equal(f->format, "tagpack");
    if (f->n_read != packs[i].n) fprintf(stderr, "%s: %zu tags, manifest says %zu\n", f->path, f->n_read, packs[i].n);
    assert_int_equal(f->n_read, packs[i].n);
    read += f->n_read;
    added += f->n_added;
  }
  for (size_t i = 0; i < no; i++) {
    const kpw_tagfile *f = kpw_tagset_file(ts, np + i);
    assert_string_equal(f->format, "addrlist");
    assert_int_equal(f->n_read, ofac[i].n);
    read += f->n_read;
    added += f->n_added;
  }
  assert_int_equal(kpw_tagset_count(ts), added);
  assert_true(added <= read && added + 10 > read);  /* a few exact duplicates within packs */
  fprintf(stderr, "shared: %zu files, %zu tags read, %zu kept, %zu addresses, %.3f s\n",
          np + no, read, added, kpw_tagset_naddresses(ts), secs);
  assert_true(secs < 5.0);   /* well under 1 s in a normal build; sanitizers are slower */
  /* titles and a few fields */
  assert_string_equal(kpw_tagset_file(ts, 0)->title, "OFAC Tagpack");
  const kpw_tag *t = tag_from(ts, "1JoktQJhCzuCQkt3GnQ8Xddcq4mUgNyXEa", "hacks");
  assert_non_null(t);
  assert_string_equal(t->label, "Bitstamp");
  assert_string_equal(t->actor, "bitstamp");
  assert_string_equal(t->currency, "BTC");   /* from the header */
  assert_true(kpw_tag_is_cashout(t, NULL));
  /* Binance reserve wallet: header actor/category, per-tag label */
  t = tag_from(ts, "0xBE0EB53F46CD790CD13851D5EFF43D12404D33E8", "exchange-wallets-binance");
  assert_non_null(t);
  assert_string_equal(t->actor, "binance");
  assert_string_equal(t->category, "exchange");
  assert_string_equal(t->label, "binance reserve wallets ETH");
  assert_true(kpw_tag_is_cashout(t, NULL));
  /* Samourai: every tag from the header; coinjoin is not a cash-out */
  t = tag_from(ts, "bc1qnfu52l5vgg0gf2hw98epfvupveepnq7tg5l75h", "samourai");
  assert_non_null(t);
  assert_string_equal(t->label, "Samourai Wallet");
  assert_string_equal(t->category, "coinjoin");
  assert_string_equal(t->confidence, "forensic");
  assert_false(kpw_tag_is_cashout(t, NULL));
  const char *const mix[] = { "coinjoin", NULL };
  assert_true(kpw_tag_is_cashout(t, mix));
  /* a Bitfinex address annotated after a space keeps its first word */
  assert_non_null(tag_from(ts, "VJLAYX5DZX1KuCBvAdR8ob6S9yLpyhc4y5gCyRoVDEYMZVCszi58rkwpytX3WAtx2e8sB4pRpSwR153Z",
                           "bitfinexcom"));
  /* USDT blacklist: a single-quoted value over two lines was folded */
  assert_non_null(tag_from(ts, "0x008fe40574e881e7247b50b991c0cc057d66647f", "usdt_blacklist"));
  /* etherscan exchange: concepts list */
  t = tag_from(ts, "0xc96c1609a1a45ccc667b2b7fa6508e29617f7b69", "wordcloud-exchange");
  assert_non_null(t);
  assert_string_equal(t->concepts, "exchange");
  /* OFAC list tags */
  t = tag_from(ts, "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX", "sanctioned_addresses_XBT");
  assert_non_null(t);
  assert_string_equal(t->label, "OFAC SDN");
  assert_string_equal(t->category, "sanctioned");
  assert_string_equal(t->currency, "XBT");
  assert_int_equal(t->line, 1);
  kpw_tagset_free(ts);
}

static void lazarus_on_ofac(void **state) {
  (void)state;
  if (!have(LABELS "/graphsense_lazarus.yaml") || !have(OFACDIR "/sanctioned_addresses_XBT.txt")) skip();
  kpw_tagset *laz = kpw_tagset_new(), *all = kpw_tagset_new();
  kpw_error err;
  assert_int_equal(kpw_tagset_load(laz, LABELS "/graphsense_lazarus.yaml", &err), KPW_OK);
  assert_int_equal(kpw_tagset_count(laz), 21);
  assert_int_equal(kpw_tagset_load(all, LABELS "/graphsense_lazarus.yaml", &err), KPW_OK);
  assert_int_equal(kpw_tagset_load(all, OFACDIR "/sanctioned_addresses_XBT.txt", &err), KPW_OK);
  assert_int_equal(kpw_tagset_load(all, OFACDIR "/sanctioned_addresses_ETH.txt", &err), KPW_OK);
  assert_int_equal(kpw_tagset_naddresses(laz), 21);
  for (size_t i = 0; i < kpw_tagset_naddresses(laz); i++) {
    const kpw_tag *t;
    assert_int_equal(kpw_tagset_address(laz, i, &t), 1);
    assert_string_equal(t->actor, "lazarusgroup");
    assert_string_equal(t->label, "Lazarus group");
    assert_string_equal(t->abuse, "sanction");
    assert_string_equal(t->category, "user");
    /* the same address in the bigger set: the pack's tag and an OFAC one */
    const kpw_tag *u;
    size_t n = kpw_tagset_find(all, t->address, &u);
    assert_true(n >= 2);
    bool pack = false, list = false;
    for (size_t k = 0; k < n; k++) {
      if (u[k].actor && strcmp(u[k].actor, "lazarusgroup") == 0) pack = true;
      if (u[k].category && strcmp(u[k].category, "sanctioned") == 0 &&
          (strstr(u[k].file, "_XBT.txt") || strstr(u[k].file, "_ETH.txt"))) list = true;
    }
    if (!list) fprintf(stderr, "not on OFAC XBT/ETH: %s\n", t->address);
    assert_true(pack && list);
  }
  kpw_tagset_free(laz);
  kpw_tagset_free(all);
}

/* Loading the whole SDN list and tagging its crypto identifiers. */
static void listset_tags(void **state) {
  (void)state;
  /* a small in-house list first: always runs */
  const char *csv = "id,name,crypto\n"
                    "W1,Cash Desk,ETH:0x3CFFD56B47B7B41C56258D9C7731ABADC360E073\n"
                    "P2,No Wallet,\n";
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  assert_int_equal(kpw_list_load_buffer(ls, csv, strlen(csv), "inhouse.csv", "MINE", &err), KPW_OK);
  kpw_tagset *ts = kpw_tagset_new();
  assert_int_equal(kpw_tagset_add_listset(ts, ls), KPW_OK);
  assert_int_equal(kpw_tagset_count(ts), 1);
  const kpw_tag *t;
  assert_int_equal(kpw_tagset_find(ts, "0x3cffd56b47b7b41c56258d9c7731abadc360e073", &t), 1);
  assert_string_equal(t->label, "Cash Desk");
  assert_string_equal(t->actor, "Cash Desk");
  assert_string_equal(t->category, "sanctioned");
  assert_string_equal(t->currency, "ETH");
  assert_string_equal(t->source, "MINE CSV:W1");
  assert_string_equal(kpw_tagset_file(ts, 0)->format, "listset");
  kpw_tagset_free(ts);
  kpw_listset_free(ls);

  const char *sdn = SHARED "/screening/ofac/sdn_advanced.xml.bz2";
  if (!have(sdn)) skip();
  ls = kpw_listset_new();
  assert_int_equal(kpw_list_load(ls, sdn, NULL, &err), KPW_OK);
  ts = kpw_tagset_new();
  assert_int_equal(kpw_tagset_add_listset(ts, ls), KPW_OK);
  const kpw_entity *laz = kpw_listset_find(ls, "OFAC:27307");
  assert_non_null(laz);
  size_t n_crypto = 0;
  for (uint32_t i = 0; i < laz->n_ids; i++) {
    if (laz->ids[i].kind != KPW_ID_CRYPTO) continue;
    n_crypto++;
    const kpw_tag *u = tag_from(ts, laz->ids[i].value, "OFAC");
    assert_non_null(u);
    assert_string_equal(u->actor, laz->names[0].text);
    assert_string_equal(u->source, "OFAC:27307");
    assert_string_equal(u->category, "sanctioned");
  }
  assert_int_equal(n_crypto, 8);   /* screening MANIFEST: Lazarus Group, 8 addresses */
  assert_non_null(strstr(laz->names[0].text, "Lazarus"));
  fprintf(stderr, "listset: %zu crypto tags from the SDN list\n", kpw_tagset_count(ts));
  assert_true(kpw_tagset_count(ts) >= 115);
  kpw_tagset_free(ts);
  kpw_listset_free(ls);
}

/* ---------------------------------------------------------------- TagPack */

static void header_defaults_and_overrides(void **state) {
  (void)state;
  const char *y =
    "# a test pack\n"
    "title: Test pack\n"
    "creator: me\n"
    "currency: BTC\n"
    "label: Default label\n"
    "actor: defaultactor\n"
    "category: user\n"
    "abuse: sanction\n"
    "source: https://example.org/a\n"
    "confidence: authority_data\n"
    "is_cluster_definer: false\n"
    "lastmod: 2023-08-16 12:18:52.619444\n"
    "tags:\n"
    "- address: 1AXUTu9y3H8w4wYx4BjyFWgRhZKDhmcMrn\n"                    /* line 14 */
    "- address: '0xAbC0000000000000000000000000000000000001'\n"
    "  currency: ETH\n"
    "  label: \"Over \\\"ridden\\\"\"\n"
    "  actor: other   # trailing comment\n"
    "  category: Exchange\n"
    "  source: 'it''s here'\n"
    "  context: '{\"a\": 1,\n"
    "    \"b\": 2}'\n"
    "  concepts:\n"
    "  - exchange\n"
    "  - defi\n"
    "- label: ~\n"                                                          /* line 26 */
    "  address: bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh\n"
    "  abuse:\n";
  kpw_tagset *ts = kpw_tagset_new();
  kpw_error err;
  char msg[1024];
  kpw_result r = load_str(ts, y, "test.yaml", &err);
  if (r) fprintf(stderr, "%s\n", kpw_error_format(&err, msg, sizeof msg));
  assert_int_equal(r, KPW_OK);
  assert_int_equal(kpw_tagset_count(ts), 3);
  assert_string_equal(kpw_tagset_file(ts, 0)->title, "Test pack");
  const kpw_tag *t;
  assert_int_equal(kpw_tagset_find(ts, "1AXUTu9y3H8w4wYx4BjyFWgRhZKDhmcMrn", &t), 1);
  assert_string_equal(t->currency, "BTC");
  assert_string_equal(t->label, "Default label");
  assert_string_equal(t->actor, "defaultactor");
  assert_string_equal(t->category, "user");
  assert_string_equal(t->abuse, "sanction");
  assert_string_equal(t->source, "https://example.org/a");
  assert_string_equal(t->confidence, "authority_data");
  assert_null(t->concepts);
  assert_string_equal(t->file, "test.yaml");
  assert_int_equal(t->line, 14);
  assert_false(kpw_tag_is_cashout(t, NULL));
  /* EVM: stored lower case, found in any case */
  assert_int_equal(kpw_tagset_find(ts, "0xabc0000000000000000000000000000000000001", &t), 1);
  assert_string_equal(t->address, "0xabc0000000000000000000000000000000000001");
  assert_string_equal(t->currency, "ETH");
  assert_string_equal(t->label, "Over \"ridden\"");
  assert_string_equal(t->actor, "other");
  assert_string_equal(t->category, "Exchange");
  assert_string_equal(t->source, "it's here");
  assert_string_equal(t->concepts, "exchange,defi");
  assert_string_equal(t->abuse, "sanction");
  assert_true(kpw_tag_is_cashout(t, NULL));
  /* null values keep the header's */
  assert_int_equal(kpw_tagset_find(ts, "BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH", &t), 1);
  assert_string_equal(t->label, "Default label");
  assert_string_equal(t->abuse, "sanction");
  assert_int_equal(t->line, 26);
  kpw_tagset_free(ts);
}

static void yaml_subset(void **state) {
  (void)state;
  const char *y =
    "---\n"
    "title: \"Esc \\u00e9\\x41\\ttab\"\n"
    "description: |\n"
    "  literal\n"
    "   kept\n"
    "\n"
    "label: >-\n"
    "  folded\n"
    "  text\n"
    "source: plain\n"
    "  continued\n"
    "category: 'multi\n"
    "  line'\n"
    "tags:\n"
    "    - address: 1abc   # indented sequence\n"
    "      concepts: [exchange, 'otc desk']\n"
    "      actor: \"\"\n"
    "    -\n"
    "      address: 1abd\n"
    "      currency: |\n"
    "        BTC\n"
    "    - {\"address\": 1}\n";
  kpw_tagset *ts = kpw_tagset_new();
  kpw_error err;
  /* the last item is a flow mapping: an error on its line */
  assert_int_equal(load_str(ts, y, "sub.yaml", &err), KPW_EINPUT);
  assert_int_equal(err.line, 22);
  assert_non_null(strstr(err.msg, "flow"));
  assert_int_equal(kpw_tagset_count(ts), 0);   /* nothing committed */
  /* without it */
  char *ok = strdup(y);
  *strstr(ok, "    - {") = 0;
  char msg[1024];
  kpw_result r = load_str(ts, ok, "sub.yaml", &err);
  if (r) fprintf(stderr, "%s\n", kpw_error_format(&err, msg, sizeof msg));
  assert_int_equal(r, KPW_OK);
  free(ok);
  assert_string_equal(kpw_tagset_file(ts, 0)->title, "Esc \xc3\xa9" "A\ttab");
  const kpw_tag *t;
  assert_int_equal(kpw_tagset_find(ts, "1abc", &t), 1);
  assert_string_equal(t->label, "folded text");
  assert_string_equal(t->source, "plain continued");
  assert_string_equal(t->category, "multi line");
  assert_string_equal(t->concepts, "exchange,otc desk");
  assert_null(t->actor);                        /* "" is absent */
  assert_true(kpw_tag_is_cashout(t, NULL));
  assert_int_equal(kpw_tagset_find(ts, "1abd", &t), 1);
  assert_string_equal(t->currency, "BTC\n");    /* literal, clipped */
  assert_int_equal(kpw_tagset_find(ts, "1ABD", &t), 0);   /* Base58 is exact */
  kpw_tagset_free(ts);
}

/* Each broken document must fail with KPW_EINPUT on the given line, with
** a message containing the given word, and leave the set unchanged. */
static void yaml_errors(void **state) {
  (void)state;
  static const struct { const char *doc; uint64_t line; const char *word; } cases[] = {
    { "title: x\ntags:\n- address: 1a\n   currency: BTC\n", 4, "indentation" },
    { "title: x\ntags:\n- address: 1a\n  currency: BTC\n currency: ETH\n", 5, "indentation" },
    { "title: x\ntags:\n  - address: 1a\n - address: 1b\n", 4, "indentation" },
    { "title: x\ntags:\n- address: 1a\n  label: 'open\n- address: 1b\n", 4, "unterminated" },
    { "title: x\ntags:\n- address: 1a\n  label: \"open\n  more\n", 4, "unterminated" },
    { "title: x\ntags:\n- address: 1a\n\tcurrency: BTC\n", 4, "tab" },
    { "title: x\ntags:\n-\taddress: 1a\n  \tcurrency: BTC\n", 4, "tab" },
    { "title: x\ntitle: y\ntags:\n", 2, "duplicate" },
    { "title: &a x\ntags:\n", 1, "anchor" },
    { "label: *a\ntags:\n", 1, "alias" },
    { "title: x\n---\ntags:\n", 2, "documents" },
    { "title: x\ntags:\n- address: 1a\n  label: a: b\n", 4, "mapping" },
    { "title: x\ntags:\n- address: 1a\n  label: \"bad \\q escape\"\n", 4, "escape" },
    { "title: x\ntags:\n- address: 1a\n  label: [a, b\n", 4, "flow" },
    { "title: x\n", 1, "tags" },
    { "title: x\ntags:\n- just a string\n", 3, "mapping" },
    { "title: x\ntags:\n- currency: BTC\n", 3, "address" },
    { "title: x\ntags:\n- address: 1a\n  label:\n    nested: map\n", 5, "single value" },
    { "title: x\ntags: 12\n", 2, "list" },
    { "- a\n- b\n", 1, "mapping" },
    { "title: x\ntags:\n- address: 1a\n  label: |x\n", 4, "block scalar" },
    { "title: x\ntags:\n- address: '1\xc3\xa9x'\n  label: y\n", 3, "address" },
    { "title: x\ntags:\n- address: 1a\n...\nmore: 1\n", 5, "document" },
    { "title: x\ntags:\n- address: 1a\n  label: \"a\" b\n", 4, "quoted" },
    { "title: x\ntags:\n- address: 1a\n- - b\n", 4, "sequence" },
  };
  kpw_tagset *ts = kpw_tagset_new();
  kpw_error err;
  char msg[1024];
  assert_int_equal(load_str(ts, "title: t\ntags:\n- address: 1keep\n", "keep.yaml", &err), KPW_OK);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    kpw_result r = load_str(ts, cases[i].doc, "bad.yaml", &err);
    kpw_error_format(&err, msg, sizeof msg);
    if (r != KPW_EINPUT || err.line != cases[i].line || !strstr(msg, cases[i].word))
      fprintf(stderr, "case %zu: rc %d: %s\n", i, (int)r, msg);
    assert_int_equal(r, KPW_EINPUT);
    assert_int_equal(err.line, cases[i].line);
    assert_string_equal(err.source, "bad.yaml");
    assert_non_null(strstr(msg, cases[i].word));
  }
  assert_int_equal(kpw_tagset_count(ts), 1);
  assert_int_equal(kpw_tagset_nfiles(ts), 1);
  /* NUL and invalid UTF-8 */
  const char nul[] = "title: x\ntags:\n- address: 1a\0\n";
  assert_int_equal(kpw_tagset_load_buffer(ts, nul, sizeof nul - 1, "nul.yaml", KPW_TAGS_AUTO, &err), KPW_EINPUT);
  assert_int_equal(err.line, 3);
  assert_int_equal(load_str(ts, "title: \xff\ntags:\n", "u.yaml", &err), KPW_EINPUT);
  assert_int_equal(err.line, 1);
  /* an empty pack is an error; an empty tags list is not */
  assert_int_equal(load_str(ts, "# only a comment\n", "empty.yaml", &err), KPW_EINPUT);
  assert_int_equal(load_str(ts, "title: x\ntags:\n", "none.yaml", &err), KPW_OK);
  assert_int_equal(kpw_tagset_count(ts), 1);
  kpw_tagset_free(ts);
}

/* ---------------------------------------------------------------- CSV and lists */

static void csv_any_order(void **state) {
  (void)state;
  const char *csv =
    "Category,source,ADDRESS,label,extra,actor,currency\n"
    "exchange,https://x.example,BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ,Some exchange,zzz,someex,BTC\n"
    "\n"
    "user,,0x52908400098527886E0F7030069857D2E4169EE7,\"Quoted, with comma\",,,ETH\n";
  kpw_tagset *ts = kpw_tagset_new();
  kpw_error err;
  char msg[1024];
  kpw_result r = load_str(ts, csv, "my_tags.csv", &err);
  if (r) fprintf(stderr, "%s\n", kpw_error_format(&err, msg, sizeof msg));
  assert_int_equal(r, KPW_OK);
  assert_string_equal(kpw_tagset_file(ts, 0)->format, "csv");
  assert_int_equal(kpw_tagset_count(ts), 2);
  const kpw_tag *t;
  assert_int_equal(kpw_tagset_find(ts, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", &t), 1);
  assert_string_equal(t->label, "Some exchange");
  assert_string_equal(t->actor, "someex");
  assert_string_equal(t->category, "exchange");
  assert_string_equal(t->currency, "BTC");
  assert_string_equal(t->source, "https://x.example");
  assert_int_equal(t->line, 2);
  assert_true(kpw_tag_is_cashout(t, NULL));
  assert_int_equal(kpw_tagset_find(ts, "0x52908400098527886e0f7030069857d2e4169ee7", &t), 1);
  assert_string_equal(t->label, "Quoted, with comma");
  assert_null(t->source);
  assert_null(t->actor);
  assert_int_equal(t->line, 4);
  /* TSV, address only */
  assert_int_equal(load_str(ts, "address\tlabel\n1tsv\tT\n", "t.tsv", &err), KPW_OK);
  assert_int_equal(kpw_tagset_find(ts, "1tsv", &t), 1);
  assert_string_equal(t->label, "T");
  /* errors */
  assert_int_equal(load_str(ts, "label,actor\nx,y\n", "noaddr.csv", &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "address"));
  assert_int_equal(load_str(ts, "address,label\n1a,ok\n,missing\n", "empty.csv", &err), KPW_EINPUT);
  assert_int_equal(err.line, 3);
  assert_int_equal(load_str(ts, "address,label\n1a,\"open\n", "quote.csv", &err), KPW_EINPUT);
  assert_int_equal(err.line, 2);
  assert_int_equal(kpw_tagset_count(ts), 3);
  /* explicit format: a one-column CSV without a comma */
  assert_int_equal(kpw_tagset_load_buffer(ts, "address\n1one\n", 13, "x.txt", KPW_TAGS_CSV, &err), KPW_OK);
  assert_int_equal(kpw_tagset_find(ts, "1one", &t), 1);
  assert_null(t->label);
  kpw_tagset_free(ts);
}

static void address_lists(void **state) {
  (void)state;
  const char *txt = "# OFAC\n\n12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\r\n"
                    "0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n"
                    "  bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6  \n";
  kpw_tagset *ts = kpw_tagset_new();
  kpw_error err;
  assert_int_equal(load_str(ts, txt, "dir/sanctioned_addresses_XBT.txt", &err), KPW_OK);
  assert_string_equal(kpw_tagset_file(ts, 0)->format, "addrlist");
  assert_int_equal(kpw_tagset_count(ts), 3);
  const kpw_tag *t;
  assert_int_equal(kpw_tagset_find(ts, "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", &t), 1);
  assert_string_equal(t->currency, "XBT");
  assert_string_equal(t->label, "OFAC SDN");
  assert_string_equal(t->category, "sanctioned");
  assert_null(t->actor);
  assert_int_equal(t->line, 3);
  assert_int_equal(kpw_tagset_find(ts, "12qtd5bfwrsdnsazy76uve1xycgntojh9h", &t), 0);
  assert_int_equal(kpw_tagset_find(ts, "0x098b716b8aaf21512996dc57eb0615e2383e2f96", &t), 1);
  assert_int_equal(kpw_tagset_find(ts, "BC1QA5WKGAEW2DKV56KFVJ49J0AV5NML45X9EK9HZ6", &t), 1);
  assert_int_equal(t->line, 5);
  assert_int_equal(kpw_tagset_find(ts, "  bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6", &t), 1);
  /* loading the same file again adds nothing; another file adds a second tag */
  assert_int_equal(load_str(ts, txt, "dir/sanctioned_addresses_XBT.txt", &err), KPW_OK);
  assert_int_equal(kpw_tagset_count(ts), 3);
  assert_int_equal(kpw_tagset_file(ts, 1)->n_read, 3);
  assert_int_equal(kpw_tagset_file(ts, 1)->n_added, 0);
  assert_int_equal(load_str(ts, "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\n", "other.txt", &err), KPW_OK);
  assert_int_equal(kpw_tagset_find(ts, "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", &t), 2);
  assert_null(t[1].currency);
  assert_string_equal(t[1].file, "other.txt");
  /* two words on a line */
  assert_int_equal(load_str(ts, "1a\n1b 1c\n", "x.txt", &err), KPW_EINPUT);
  assert_int_equal(err.line, 2);
  /* undetectable content */
  assert_int_equal(load_str(ts, "hello there world\n", "x.dat", &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "format"));
  /* empty: by extension */
  assert_int_equal(load_str(ts, "", "empty.txt", &err), KPW_OK);
  assert_int_equal(load_str(ts, "\n", "empty.yaml", &err), KPW_EINPUT);
  assert_int_equal(load_str(ts, "", "empty.csv", &err), KPW_EINPUT);
  assert_int_equal(kpw_tagset_load(ts, "/nonexistent/tags.yaml", &err), KPW_EIO);
  /* format names */
  kpw_tag_format f;
  assert_true(kpw_tag_format_parse("YAML", &f));
  assert_int_equal(f, KPW_TAGS_TAGPACK);
  assert_true(kpw_tag_format_parse("ofac", &f));
  assert_int_equal(f, KPW_TAGS_ADDRLIST);
  assert_false(kpw_tag_format_parse("xml", &f));
  assert_string_equal(kpw_tag_format_name(KPW_TAGS_CSV), "csv");
  /* NULL-safety */
  assert_int_equal(kpw_tagset_find(ts, NULL, &t), 0);
  assert_null(t);
  assert_int_equal(kpw_tagset_find(ts, "", &t), 0);
  assert_false(kpw_tag_is_cashout(NULL, NULL));
  kpw_tagset_free(ts);
}

/* Many addresses: the table grows and every one is still found. */
static void many_addresses(void **state) {
  (void)state;
  kpw_buf b;
  kpw_buf_init(&b);
  kpw_buf_puts(&b, "address,label\n");
  for (int i = 0; i < 20000; i++) kpw_buf_printf(&b, "0x%040x,L%d\n", i, i % 7);
  kpw_tagset *ts = kpw_tagset_new();
  kpw_error err;
  assert_int_equal(kpw_tagset_load_buffer(ts, b.data, b.len, "many.csv", KPW_TAGS_AUTO, &err), KPW_OK);
  assert_int_equal(kpw_tagset_count(ts), 20000);
  char a[64], l[16];
  for (int i = 0; i < 20000; i += 97) {
    snprintf(a, sizeof a, "0X%040X", i);
    a[1] = 'x';
    const kpw_tag *t;
    assert_int_equal(kpw_tagset_find(ts, a, &t), 1);
    snprintf(l, sizeof l, "L%d", i % 7);
    assert_string_equal(t->label, l);
  }
  /* one address with many tags: the duplicate check stays O(1) per tag */
  kpw_buf_reset(&b);
  kpw_buf_puts(&b, "address,label\n");
  for (int i = 0; i < 20000; i++) kpw_buf_printf(&b, "1same,L%d\n", i);
  assert_int_equal(kpw_tagset_load_buffer(ts, b.data, b.len, "one.csv", KPW_TAGS_AUTO, &err), KPW_OK);
  assert_int_equal(kpw_tagset_load_buffer(ts, b.data, b.len, "one.csv", KPW_TAGS_AUTO, &err), KPW_OK);
  assert_int_equal(kpw_tagset_file(ts, 2)->n_added, 0);
  const kpw_tag *t;
  assert_int_equal(kpw_tagset_find(ts, "1same", &t), 20000);
  assert_string_equal(t[19999].label, "L19999");
  assert_int_equal(kpw_tagset_count(ts), 40000);
  kpw_buf_free(&b);
  kpw_tagset_free(ts);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(header_defaults_and_overrides),
    cmocka_unit_test(yaml_subset),
    cmocka_unit_test(yaml_errors),
    cmocka_unit_test(csv_any_order),
    cmocka_unit_test(address_lists),
    cmocka_unit_test(many_addresses),
    cmocka_unit_test(shared_counts),
    cmocka_unit_test(lazarus_on_ofac),
    cmocka_unit_test(listset_tags),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
