/*
** test_lists.c -- unit tests of lib/lists: identifiers (IMO, crypto, ids),
** scripts, the listset, and every loader on small in-memory inputs,
** including the error paths (truncated XML, entity declarations, broken
** CSV quote, bad UTF-8 in JSON lines, empty and unknown inputs).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "kpw/lists.h"
#include "kpw/util.h"

/* ------------------------------------------------------------ helpers */

static const kpw_ident *find_ident(const kpw_entity *e, kpw_id_kind k, const char *v) {
  for (uint32_t i = 0; i < e->n_ids; i++)
    if (e->ids[i].kind == k && (!v || strcmp(e->ids[i].value, v) == 0)) return &e->ids[i];
  return NULL;
}

static const kpw_name *find_name(const kpw_entity *e, const char *text) {
  for (uint32_t i = 0; i < e->n_names; i++)
    if (strcmp(e->names[i].text, text) == 0) return &e->names[i];
  return NULL;
}

static bool has_date(const kpw_entity *e, const char *d) {
  for (uint32_t i = 0; i < e->n_birth_dates; i++) if (!strcmp(e->birth_dates[i], d)) return true;
  return false;
}

static bool has_country(const kpw_entity *e, const char *c) {
  for (uint32_t i = 0; i < e->n_countries; i++) if (!strcmp(e->countries[i], c)) return true;
  return false;
}

static kpw_result load_str(kpw_listset *ls, const char *text, const char *src, kpw_error *err) {
  return kpw_list_load_buffer(ls, text, strlen(text), src, NULL, err);
}

/* ------------------------------------------------------------ ids */

static void test_imo_check(void **state) {
  (void)state;
  assert_int_equal(kpw_imo_check("9187629"), 1);   /* ship */
  assert_int_equal(kpw_imo_check("5342883"), 2);   /* company (UN KPe.022) */
  assert_int_equal(kpw_imo_check("1234568"), 0);
  assert_int_equal(kpw_imo_check("918762"), 0);
  assert_int_equal(kpw_imo_check("91876290"), 0);
  assert_int_equal(kpw_imo_check("91876a9"), 0);
  assert_int_equal(kpw_imo_check(NULL), 0);
}

static void test_imo_extract(void **state) {
  (void)state;
  char out[4][8];
  assert_int_equal(kpw_imo_extract("owner of vessel. IMO number: 5342883.", out, 4), 1);
  assert_string_equal(out[0], "5342883");
  assert_int_equal(kpw_imo_extract("International Maritime Organization (IMO) Number: 1790183.", out, 4), 1);
  assert_string_equal(out[0], "1790183");
  assert_int_equal(kpw_imo_extract("Company Number IMO 5434358; IMO 9187629", out, 4), 2);
  assert_string_equal(out[1], "9187629");
  assert_int_equal(kpw_imo_extract("IMO: 12340", out, 4), 1);        /* padded */
  assert_string_equal(out[0], "0012340");
  assert_int_equal(kpw_imo_extract("IMO 123413", out, 4), 1);
  assert_string_equal(out[0], "0123413");
  assert_int_equal(kpw_imo_extract("IMO 543400", out, 4), 0);        /* check digit fails */
  assert_int_equal(kpw_imo_extract("IMOBILIARIA 9187629", out, 4), 0);
  assert_int_equal(kpw_imo_extract("no number here, 9187629", out, 4), 0);
  assert_int_equal(kpw_imo_extract("IMO 9187629 and IMO 9187629", out, 4), 1); /* deduplicated */
  assert_int_equal(kpw_imo_extract("IMO 9187629", out, 0), 0);
}

static void test_crypto_normalize(void **state) {
  (void)state;
  char out[128];
  assert_true(kpw_crypto_normalize(" 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 ", out, sizeof out));
  assert_string_equal(out, "0x098b716b8aaf21512996dc57eb0615e2383e2f96");
  assert_true(kpw_crypto_normalize("BC1QQ7P0ES3DV5HCYNJJF40F2XJJR6QP5PY47D2F6N847VDUUQ9GVNYQ7Y9ECD", out, sizeof out));
  assert_string_equal(out, "bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd");
  assert_true(kpw_crypto_normalize("TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz", out, sizeof out));
  assert_string_equal(out, "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz");   /* Base58: exact */
  assert_true(kpw_crypto_normalize("1JHdQHkBZiim1cb4hyUh2PbzEbbg6z2TrF", out, sizeof out));
  assert_string_equal(out, "1JHdQHkBZiim1cb4hyUh2PbzEbbg6z2TrF");
  assert_false(kpw_crypto_normalize("   ", out, sizeof out));
  assert_false(kpw_crypto_normalize("0x098B716B8Aaf21512996dC57EB0615e2383E2f96", out, 10));
  assert_false(kpw_crypto_normalize("abc def", out, sizeof out));
  char id[32];
  kpw_id_normalize("ab-12 3.4/x", id, sizeof id);
  assert_string_equal(id, "AB1234/X");
  kpw_id_normalize("abcdef", id, 4);
  assert_string_equal(id, "ABC");
}

static void test_script(void **state) {
  (void)state;
  assert_int_equal(kpw_script_detect("Kim Jong Un"), KPW_SCRIPT_LATIN);
  assert_int_equal(kpw_script_detect("김정은"), KPW_SCRIPT_HANGUL);
  assert_int_equal(kpw_script_detect("金正恩"), KPW_SCRIPT_HAN);
  assert_int_equal(kpw_script_detect("Ким Чен Ын"), KPW_SCRIPT_CYRILLIC);
  assert_int_equal(kpw_script_detect("صدام حسين"), KPW_SCRIPT_ARABIC);
  assert_int_equal(kpw_script_detect("123"), KPW_SCRIPT_LATIN);
  assert_string_equal(kpw_script_name(KPW_SCRIPT_HANGUL), "Hangul");
}

/* ------------------------------------------------------------ listset */

static void test_listset(void **state) {
  (void)state;
  kpw_listset *ls = kpw_listset_new();
  kpw_listset_begin_list(ls, "A", "csv", "a.csv");
  kpw_name n = { "Ri Won Ho", KPW_NAME_PRIMARY, KPW_SCRIPT_LATIN, false };
  char idbuf[16] = "A:1";
  kpw_entity e = { .id = idbuf, .ref = "1", .list = "A", .names = &n, .n_names = 1 };
  const kpw_entity *a = kpw_listset_add(ls, &e);
  idbuf[2] = '9';                       /* the set copied the id */
  assert_string_equal(a->id, "A:1");
  assert_int_equal(a->index, 0);
  kpw_listset_begin_list(ls, "B", "csv", "b.csv");
  kpw_entity e2 = { .id = "B:1", .ref = "1", .list = "B", .names = &n, .n_names = 1 };
  kpw_listset_add(ls, &e2);
  kpw_entity e3 = { .id = "B:KPi.033", .ref = "KPi.033", .list = "B", .names = &n, .n_names = 1 };
  kpw_listset_add(ls, &e3);
  assert_int_equal(kpw_listset_count(ls), 3);
  assert_ptr_equal(kpw_listset_find(ls, "A:1"), a);
  assert_null(kpw_listset_find(ls, "1"));             /* ambiguous bare ref */
  assert_non_null(kpw_listset_find(ls, "KPi.033"));    /* unambiguous */
  assert_null(kpw_listset_find(ls, "nope"));
  assert_int_equal(kpw_listset_nlists(ls), 2);
  assert_int_equal(kpw_listset_list(ls, 1)->n_entities, 2);
  assert_ptr_equal(kpw_listset_intern(ls, "x"), kpw_listset_intern(ls, "x"));
  assert_ptr_equal(a->names[0].text, kpw_listset_get(ls, 1)->names[0].text); /* interned */
  kpw_listset_free(ls);
}

/* ------------------------------------------------------------ UN */

static const char *UN_XML =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27T00:00:09.554Z\">\n"
  "<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>JO</FIRST_NAME>"
  "<SECOND_NAME>YONG CHOL</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>"
  "<REFERENCE_NUMBER>KPi.034</REFERENCE_NUMBER><LISTED_ON>2016-11-30</LISTED_ON>"
  "<GENDER>Male</GENDER><COMMENTS1>A comment.</COMMENTS1>"
  "<NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>"
  "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Cho Yong Chol</ALIAS_NAME></INDIVIDUAL_ALIAS>"
  "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Jo Chol</ALIAS_NAME></INDIVIDUAL_ALIAS>"
  "<INDIVIDUAL_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>Jin Tiesan (金铁三)</ALIAS_NAME></INDIVIDUAL_ALIAS>"
  "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1973-09-30</DATE></INDIVIDUAL_DATE_OF_BIRTH>"
  "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>"
  "<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER> 381310014</NUMBER></INDIVIDUAL_DOCUMENT>"
  "</INDIVIDUAL></INDIVIDUALS>\n"
  "<ENTITIES><ENTITY><DATAID>2</DATAID><FIRST_NAME>KOREA SAMMA SHIPPING COMPANY</FIRST_NAME>"
  "<UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPe.055</REFERENCE_NUMBER>"
  "<LISTED_ON>2018-03-30</LISTED_ON><COMMENTS1>Owner of SAM MA 2. IMO number: 5145892.</COMMENTS1>"
  "</ENTITY></ENTITIES></CONSOLIDATED_LIST>\n";

static void test_un(void **state) {
  (void)state;
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  assert_int_equal(load_str(ls, UN_XML, "un.xml", &err), KPW_OK);
  assert_int_equal(kpw_listset_count(ls), 2);
  const kpw_listinfo *li = kpw_listset_list(ls, 0);
  assert_string_equal(li->name, "UN");
  assert_string_equal(li->format, "un-xml");
  assert_string_equal(li->date, "2026-02-27");
  assert_non_null(li->sha256);
  assert_int_equal(strlen(li->sha256), 64);
  const kpw_entity *e = kpw_listset_find(ls, "UN:KPi.034");
  assert_non_null(e);
  assert_string_equal(e->ref, "KPi.034");
  assert_string_equal(e->list, "UN");
  assert_int_equal(e->schema, KPW_SCHEMA_PERSON);
  assert_string_equal(e->programs, "DPRK");
  assert_string_equal(e->names[0].text, "JO YONG CHOL");
  assert_int_equal(e->names[0].kind, KPW_NAME_PRIMARY);
  assert_false(find_name(e, "Cho Yong Chol")->weak);
  assert_true(find_name(e, "Jo Chol")->weak);
  assert_int_equal(find_name(e, "Jin Tiesan")->kind, KPW_NAME_FORMER);
  assert_int_equal(find_name(e, "金铁三")->script, KPW_SCRIPT_HAN);
  assert_true(has_date(e, "1973-09-30"));
  assert_true(has_date(e, "1960") && has_date(e, "1961") && has_date(e, "1962"));
  assert_true(has_country(e, "kp"));
  assert_int_equal(e->gender, 'm');
  assert_non_null(find_ident(e, KPW_ID_PASSPORT, "381310014"));
  assert_string_equal(e->listed_on, "2016-11-30");
  const kpw_entity *o = kpw_listset_find(ls, "KPe.055");
  assert_non_null(o);
  assert_int_equal(o->schema, KPW_SCHEMA_ORGANIZATION);
  assert_non_null(find_ident(o, KPW_ID_IMO, "5145892"));
  assert_non_null(o->remarks);
  kpw_listset_free(ls);
}

static void test_un_truncated(void **state) {
  (void)state;
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  /* Cut inside the second record: the first stays, the load fails with a line. */
  size_t cut = (size_t)(strstr(UN_XML, "<ENTITIES>") - UN_XML) + 40;
  assert_int_equal(kpw_list_load_buffer(ls, UN_XML, cut, "cut.xml", NULL, &err), KPW_EINPUT);
  assert_string_equal(err.source, "cut.xml");
  assert_true(err.line >= 3);
  assert_non_null(strstr(err.msg, "XML"));
  assert_int_equal(kpw_listset_count(ls), 1);
  kpw_listset_free(ls);
}

static void test_xml_entities_rejected(void **state) {
  (void)state;
  const char *bomb =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE CONSOLIDATED_LIST [\n"
    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n"
    "<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>\n";
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  assert_int_equal(load_str(ls, bomb, "bomb.xml", &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "entity"));
  const char *ext =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE x SYSTEM \"file:///etc/passwd\">\n"
    "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&xxe;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n";
  kpw_result r = load_str(ls, ext, "ext.xml", &err);
  assert_int_not_equal(r, KPW_OK);
  kpw_listset_free(ls);
}

/* ------------------------------------------------------------ OFAC advanced */

static const char *OFAC_XML =
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
  "<Sanctions xmlns=\"https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML\">\n"
  "<DateOfIssue><Year>2025</Year><Month>11</Month><Day>19</Day></DateOfIssue>\n"
  "<ReferenceValueSets>"
  "<AliasTypeValues><AliasType ID=\"1400\">A.K.A.</AliasType><AliasType ID=\"1401\">F.K.A.</AliasType>"
  "<AliasType ID=\"1403\">Name</AliasType></AliasTypeValues>"
  "<CountryValues><Country ID=\"11120\" ISO2=\"KP\">Korea, North</Country></CountryValues>"
  "<DetailReferenceValues><DetailReference ID=\"91526\">Male</DetailReference></DetailReferenceValues>"
  "<FeatureTypeValues><FeatureType ID=\"3\">Vessel Flag</FeatureType><FeatureType ID=\"8\">Birthdate</FeatureType>"
  "<FeatureType ID=\"10\">Nationality Country</FeatureType><FeatureType ID=\"224\">Gender</FeatureType>"
  "<FeatureType ID=\"345\">Digital Currency Address - ETH</FeatureType></FeatureTypeValues>"
  "<IDRegDocTypeValues><IDRegDocType ID=\"1571\">Passport</IDRegDocType>"
  "<IDRegDocType ID=\"1626\">Vessel Registration Identification</IDRegDocType>"
  "<IDRegDocType ID=\"91264\">MMSI</IDRegDocType></IDRegDocTypeValues>"
  "<PartySubTypeValues><PartySubType ID=\"1\" PartyTypeID=\"4\">Vessel</PartySubType>"
  "<PartySubType ID=\"4\" PartyTypeID=\"1\">Unknown</PartySubType></PartySubTypeValues>"
  "<PartyTypeValues><PartyType ID=\"1\">Individual</PartyType></PartyTypeValues>"
  "<SanctionsTypeValues><SanctionsType ID=\"1\">Program</SanctionsType></SanctionsTypeValues>"
  "<ScriptValues><Script ID=\"215\">Latin</Script><Script ID=\"287\">Korean</Script></ScriptValues>"
  "</ReferenceValueSets>\n"
  "<Locations><Location ID=\"7\"><LocationCountry CountryID=\"11120\"/></Location>"
  "<Location ID=\"8\"><LocationPart><LocationPartValue><Value>Korea, North</Value></LocationPartValue></LocationPart></Location></Locations>\n"
  "<IDRegDocuments>"
  "<IDRegDocument ID=\"1\" IDRegDocTypeID=\"1571\" IdentityID=\"501\"><IDRegistrationNo>836110034</IDRegistrationNo></IDRegDocument>"
  "<IDRegDocument ID=\"2\" IDRegDocTypeID=\"1626\" IdentityID=\"502\"><IDRegistrationNo>IMO 9187629</IDRegistrationNo></IDRegDocument>"
  "<IDRegDocument ID=\"3\" IDRegDocTypeID=\"91264\" IdentityID=\"502\"><IDRegistrationNo>445123000</IDRegistrationNo></IDRegDocument>"
  "</IDRegDocuments>\n"
  "<DistinctParties>"
  "<DistinctParty FixedRef=\"100\"><Profile ID=\"100\" PartySubTypeID=\"4\"><Identity ID=\"501\">"
  "<Alias AliasTypeID=\"1403\" Primary=\"true\" LowQuality=\"false\">"
  "<DocumentedName DocNameStatusID=\"1\"><DocumentedNamePart><NamePartValue ScriptID=\"215\">JONG</NamePartValue></DocumentedNamePart>"
  "<DocumentedNamePart><NamePartValue ScriptID=\"215\">Song Hwa</NamePartValue></DocumentedNamePart></DocumentedName>"
  "<DocumentedName DocNameStatusID=\"2\"><DocumentedNamePart><NamePartValue ScriptID=\"287\">정</NamePartValue></DocumentedNamePart>"
  "<DocumentedNamePart><NamePartValue ScriptID=\"287\">성화</NamePartValue></DocumentedNamePart></DocumentedName></Alias>"
  "<Alias AliasTypeID=\"1400\" Primary=\"false\" LowQuality=\"true\"><DocumentedName DocNameStatusID=\"2\">"
  "<DocumentedNamePart><NamePartValue ScriptID=\"215\">Chong Song-hwa</NamePartValue></DocumentedNamePart></DocumentedName></Alias>"
  "<Alias AliasTypeID=\"1401\" Primary=\"false\" LowQuality=\"false\"><DocumentedName DocNameStatusID=\"2\">"
  "<DocumentedNamePart><NamePartValue ScriptID=\"215\">Old Name</NamePartValue></DocumentedNamePart></DocumentedName></Alias>"
  "</Identity>"
  "<Feature FeatureTypeID=\"8\"><FeatureVersion><DatePeriod><Start><From><Year>1960</Year><Month>1</Month><Day>1</Day></From>"
  "<To><Year>1960</Year><Month>1</Month><Day>1</Day></To></Start><End><From><Year>1962</Year><Month>12</Month><Day>31</Day></From>"
  "<To><Year>1962</Year><Month>12</Month><Day>31</Day></To></End></DatePeriod></FeatureVersion></Feature>"
  "<Feature FeatureTypeID=\"10\"><FeatureVersion><VersionLocation LocationID=\"8\"/></FeatureVersion></Feature>"
  "<Feature FeatureTypeID=\"224\"><FeatureVersion><VersionDetail DetailReferenceID=\"91526\"/></FeatureVersion></Feature>"
  "<Feature FeatureTypeID=\"345\"><FeatureVersion><VersionDetail>0x098B716B8Aaf21512996dC57EB0615e2383E2f96</VersionDetail></FeatureVersion></Feature>"
  "</Profile></DistinctParty>"
  "<DistinctParty FixedRef=\"200\"><Profile ID=\"200\" PartySubTypeID=\"1\"><Identity ID=\"502\">"
  "<Alias AliasTypeID=\"1403\" Primary=\"true\" LowQuality=\"false\"><DocumentedName DocNameStatusID=\"1\">"
  "<DocumentedNamePart><NamePartValue ScriptID=\"215\">KUM UN SAN 3</NamePartValue></DocumentedNamePart></DocumentedName></Alias>"
  "</Identity><Feature FeatureTypeID=\"3\"><FeatureVersion><VersionLocation LocationID=\"7\"/></FeatureVersion></Feature>"
  "</Profile></DistinctParty>"
  "</DistinctParties>\n"
  "<SanctionsEntries>"
  "<SanctionsEntry ProfileID=\"100\"><EntryEvent><Date><Year>2017</Year><Month>9</Month><Day>26</Day></Date></EntryEvent>"
  "<SanctionsMeasure SanctionsTypeID=\"1\"><Comment>DPRK3</Comment></SanctionsMeasure></SanctionsEntry>"
  "<SanctionsEntry ProfileID=\"100\"><SanctionsMeasure SanctionsTypeID=\"1\"><Comment>DPRK4</Comment></SanctionsMeasure>"
  "<SanctionsMeasure SanctionsTypeID=\"1\"><Comment>DPRK3</Comment></SanctionsMeasure></SanctionsEntry>"
  "<SanctionsEntry ProfileID=\"200\"><SanctionsMeasure SanctionsTypeID=\"1\"><Comment>DPRK2</Comment></SanctionsMeasure></SanctionsEntry>"
  "</SanctionsEntries></Sanctions>\n";

static void test_ofac_xml(void **state) {
  (void)state;
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  assert_int_equal(load_str(ls, OFAC_XML, "sdn.xml", &err), KPW_OK);
  const kpw_listinfo *li = kpw_listset_list(ls, 0);
  assert_string_equal(li->name, "OFAC");
  assert_string_equal(li->format, "ofac-advanced-xml");
  assert_string_equal(li->date, "2025-11-19");
  const kpw_entity *p = kpw_listset_find(ls, "OFAC:100");
  assert_non_null(p);
  assert_int_equal(p->schema, KPW_SCHEMA_PERSON);
  assert_string_equal(p->names[0].text, "JONG Song Hwa");
  const kpw_name *h = find_name(p, "정 성화");
  assert_non_null(h);
  assert_int_equal(h->script, KPW_SCRIPT_HANGUL);
  assert_int_equal(h->kind, KPW_NAME_ORIGINAL);
  assert_true(find_name(p, "Chong Song-hwa")->weak);
  assert_int_equal(find_name(p, "Old Name")->kind, KPW_NAME_FORMER);
  assert_true(has_date(p, "1960") && has_date(p, "1961") && has_date(p, "1962"));
  assert_false(has_date(p, "1963"));
  assert_true(has_country(p, "kp"));
  assert_int_equal(p->gender, 'm');
  const kpw_ident *c = find_ident(p, KPW_ID_CRYPTO, "0x098b716b8aaf21512996dc57eb0615e2383e2f96");
  assert_non_null(c);
  assert_string_equal(c->chain, "ETH");
  assert_non_null(find_ident(p, KPW_ID_PASSPORT, "836110034"));
  assert_string_equal(p->programs, "DPRK3; DPRK4");
  assert_string_equal(p->listed_on, "2017-09-26");
  const kpw_entity *v = kpw_listset_find(ls, "OFAC:200");
  assert_int_equal(v->schema, KPW_SCHEMA_VESSEL);
  assert_non_null(find_ident(v, KPW_ID_IMO, "9187629"));
  assert_non_null(find_ident(v, KPW_ID_MMSI, "445123000"));
  assert_true(has_country(v, "kp"));
  assert_string_equal(v->programs, "DPRK2");
  kpw_listset_free(ls);
}

/* ------------------------------------------------------------ OFAC CSV */

static void test_ofac_csv(void **state) {
  (void)state;
  const char *csv =
    "12211,\"KIM, Yong Chol\",\"individual\",\"DPRK] [DPRK2\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
    "\"DOB circa 1947; alt. DOB 1960 to 1961; nationality Korea, North; Gender Male; Passport 654133553 (Korea, North) "
    "expires 2020; Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h; a.k.a. 'KIM, Young-Chol'.\"\r\n"
    "17069,\"CHONG CHON GANG\",\"vessel\",\"DPRK\",-0- ,\"HMZF\",\"General Cargo\",-0- ,-0- ,"
    "\"Democratic People's Republic of Korea\",-0- ,\"Vessel Registration Identification IMO 7937317.\"\r\n\x1a";
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  assert_int_equal(load_str(ls, csv, "sdn.csv", &err), KPW_OK);
  assert_int_equal(kpw_listset_count(ls), 2);
  assert_string_equal(kpw_listset_list(ls, 0)->format, "ofac-legacy-csv");
  const kpw_entity *p = kpw_listset_find(ls, "OFAC:12211");
  assert_string_equal(p->names[0].text, "KIM Yong Chol");
  assert_true(find_name(p, "KIM Young-Chol")->weak);
  assert_string_equal(p->programs, "DPRK; DPRK2");
  assert_true(has_date(p, "1947") && has_date(p, "1960") && has_date(p, "1961"));
  assert_true(has_country(p, "kp"));
  assert_int_equal(p->gender, 'm');
  assert_non_null(find_ident(p, KPW_ID_PASSPORT, "654133553"));
  assert_non_null(find_ident(p, KPW_ID_CRYPTO, "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"));
  const kpw_entity *v = kpw_listset_find(ls, "OFAC:17069");
  assert_int_equal(v->schema, KPW_SCHEMA_VESSEL);
  assert_non_null(find_ident(v, KPW_ID_IMO, "7937317"));
  assert_non_null(find_ident(v, KPW_ID_CALLSIGN, "HMZF"));
  assert_true(has_country(v, "kp"));
  /* a broken quote is an error with its line */
  const char *bad = "1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"
                    "2,\"B,-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
  assert_int_equal(load_str(ls, bad, "bad.csv", &err), KPW_EINPUT);
  assert_int_equal(err.line, 2);
  kpw_listset_free(ls);
}

/* ------------------------------------------------------------ FtM, CSV, EU */

static void test_ftm(void **state) {
  (void)state;
  const char *ftm =
    "{\"id\":\"kp-1\",\"schema\":\"Person\",\"caption\":\"Kim Su Il\",\"properties\":{\"name\":[\"Kim Su Il\"],"
    "\"alias\":[\"Kim Su-il\"],\"weakAlias\":[\"Su Il\"],\"birthDate\":[\"1970-05\"],\"nationality\":[\"kp\"],"
    "\"gender\":[\"male\"],\"passportNumber\":[\"745310221\"]},\"first_seen\":\"2023-04-20T18:00:25\"}\n"
    "\n"
    "{\"id\":\"w-1\",\"schema\":\"CryptoWallet\",\"properties\":{\"publicKey\":[\"0xAbC0000000000000000000000000000000000001\"],\"currency\":[\"ETH\"]}}\n"
    "{\"id\":\"s-1\",\"schema\":\"Sanction\",\"properties\":{\"program\":[\"x\"]}}\n"
    "{\"id\":\"v-1\",\"schema\":\"Vessel\",\"properties\":{\"name\":[\"NAM SAN 8\"],\"imoNumber\":[\"IMO 8122347\"],\"mmsi\":[\"445539000\"]}}\n";
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  assert_int_equal(load_str(ls, ftm, "os.ftm.json", &err), KPW_OK);
  assert_int_equal(kpw_listset_count(ls), 3);   /* the Sanction is skipped */
  const kpw_entity *p = kpw_listset_find(ls, "FTM:kp-1");
  assert_string_equal(p->list, "OpenSanctions");
  assert_string_equal(p->names[0].text, "Kim Su Il");
  assert_true(find_name(p, "Su Il")->weak);
  assert_true(has_date(p, "1970-05"));
  assert_true(has_country(p, "kp"));
  assert_int_equal(p->gender, 'm');
  assert_string_equal(p->listed_on, "2023-04-20");
  const kpw_entity *w = kpw_listset_find(ls, "FTM:w-1");
  assert_int_equal(w->schema, KPW_SCHEMA_THING);
  assert_string_equal(find_ident(w, KPW_ID_CRYPTO, NULL)->value, "0xabc0000000000000000000000000000000000001");
  assert_non_null(find_ident(kpw_listset_find(ls, "FTM:v-1"), KPW_ID_MMSI, "445539000"));
  /* bad UTF-8 on line 2 */
  const char *bad = "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"]}}\n"
                    "{\"id\":\"b\",\"schema\":\"Person\",\"properties\":{\"name\":[\"\xC3\x28\"]}}\n";
  size_t before = kpw_listset_count(ls);
  assert_int_equal(load_str(ls, bad, "bad.json", &err), KPW_EINPUT);
  assert_int_equal(err.line, 2);
  assert_string_equal(err.source, "bad.json");
  assert_int_equal(kpw_listset_count(ls), before + 1);   /* line 1 stays */
  kpw_listset_free(ls);
}

static void test_plain_csv(void **state) {
  (void)state;
  const char *csv =
    "id,name,schema,aliases,birth_date,country,imo,mmsi,crypto,passport,programs\n"
    "P1,Ri Chol Nam,Person,Li Chol-nam;리철남,1968-03-14,North Korea,,,,745310221,DPRK;INHOUSE\n"
    ",Kum Un San 3,Vessel,,,kp,8705963,445123000,,,\n"
    "W1,Cash Desk,Organization,,,,,,ETH:0x3CFFD56B47B7B41C56258D9C7731ABADC360E073,,\n";
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  assert_int_equal(kpw_list_load_buffer(ls, csv, strlen(csv), "inhouse.csv", "MINE", &err), KPW_OK);
  assert_string_equal(kpw_listset_list(ls, 0)->name, "MINE");
  const kpw_entity *p = kpw_listset_find(ls, "CSV:P1");
  assert_non_null(p);
  assert_int_equal(find_name(p, "리철남")->script, KPW_SCRIPT_HANGUL);
  assert_true(has_country(p, "kp"));
  assert_string_equal(p->programs, "DPRK; INHOUSE");
  const kpw_entity *v = kpw_listset_find(ls, "CSV:3");   /* no id: line number */
  assert_non_null(v);
  assert_int_equal(v->schema, KPW_SCHEMA_VESSEL);
  assert_non_null(find_ident(v, KPW_ID_IMO, "8705963"));
  const kpw_ident *w = find_ident(kpw_listset_find(ls, "CSV:W1"), KPW_ID_CRYPTO, NULL);
  assert_string_equal(w->chain, "ETH");
  assert_string_equal(w->value, "0x3cffd56b47b7b41c56258d9c7731abadc360e073");
  /* default list name from the source's base name */
  const char *c2 = "name\nSomeone\n";
  assert_int_equal(kpw_list_load_buffer(ls, c2, strlen(c2), "dir/my_list.csv", NULL, &err), KPW_OK);
  assert_string_equal(kpw_listset_list(ls, 1)->name, "my_list");
  const char *broken = "id,name\n1,\"Open quote\n2,ok\n";
  assert_int_equal(load_str(ls, broken, "broken.csv", &err), KPW_EINPUT);
  assert_int_equal(err.line, 2);
  kpw_listset_free(ls);
}

static void test_eu_fixture(void **state) {
  (void)state;
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  kpw_result r = kpw_list_load(ls, "tests/fixtures/eu/eu_fsf_dprk_sample.xml", NULL, &err);
  if (r == KPW_EIO) { kpw_listset_free(ls); skip(); }
  assert_int_equal(r, KPW_OK);
  const kpw_listinfo *li = kpw_listset_list(ls, 0);
  assert_string_equal(li->name, "EU");
  assert_string_equal(li->date, "2026-08-05");
  assert_int_equal(li->n_entities, 7);
  const kpw_entity *p = kpw_listset_find(ls, "EU:5001");
  assert_string_equal(p->names[0].text, "Ri Won Ho");
  assert_string_equal(p->programs, "PRK");
  assert_true(has_date(p, "1964-07-17"));
  assert_true(has_country(p, "kp"));
  assert_non_null(find_ident(p, KPW_ID_PASSPORT, "381310014"));
  assert_string_equal(p->listed_on, "2016-11-30");
  assert_true(find_name(kpw_listset_find(ls, "EU:5003"), "Ri Che Son")->weak);
  assert_int_equal(kpw_listset_find(ls, "EU:5020")->schema, KPW_SCHEMA_VESSEL);
  assert_non_null(find_ident(kpw_listset_find(ls, "EU:5020"), KPW_ID_IMO, "8606173"));
  assert_int_equal(kpw_listset_find(ls, "EU:5010")->schema, KPW_SCHEMA_ORGANIZATION);
  assert_non_null(find_ident(kpw_listset_find(ls, "EU:5030"), KPW_ID_BIC, "KDBKKPPY"));
  kpw_listset_free(ls);
}

static void test_bad_inputs(void **state) {
  (void)state;
  kpw_listset *ls = kpw_listset_new();
  kpw_error err;
  assert_int_equal(kpw_list_load_buffer(ls, "", 0, "empty.xml", NULL, &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "empty"));
  assert_int_equal(load_str(ls, "   \n\n", "blank", &err), KPW_EINPUT);
  assert_int_equal(load_str(ls, "hello world\n", "x.txt", &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "unknown list format"));
  assert_int_equal(load_str(ls, "<html><body/></html>", "x.html", &err), KPW_EINPUT);
  assert_int_equal(kpw_list_load(ls, "/nonexistent/list.xml", NULL, &err), KPW_EIO);
  assert_int_equal(kpw_listset_count(ls), 0);
  kpw_listset_free(ls);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_imo_check),
    cmocka_unit_test(test_imo_extract),
    cmocka_unit_test(test_crypto_normalize),
    cmocka_unit_test(test_script),
    cmocka_unit_test(test_listset),
    cmocka_unit_test(test_un),
    cmocka_unit_test(test_un_truncated),
    cmocka_unit_test(test_xml_entities_rejected),
    cmocka_unit_test(test_ofac_xml),
    cmocka_unit_test(test_ofac_csv),
    cmocka_unit_test(test_ftm),
    cmocka_unit_test(test_plain_csv),
    cmocka_unit_test(test_eu_fixture),
    cmocka_unit_test(test_bad_inputs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
