/*
** test_payments.c -- unit tests of lib/payments: SWIFT MT103 (block form,
** bare block 4, options A/D/F/K, header BICs) and ISO 20022 pacs.008
** (parties, agents, accounts, ref fallback, versions, envelopes,
** concatenated documents), plus the error paths and bounds.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kpw/payments.h"

/* ------------------------------------------------------------ capture
** Payments are only valid during the callback, so the test copies what it
** checks into fixed buffers. */
#define MAXP 8
#define MAXQ 16
typedef struct cparty {
  char role[48], field[24], name[256], account[64], bic[16], country[4],
      address[256], birth_date[16], identifier[64];
} cparty;
typedef struct cpay {
  char format[16], ref[64];
  uint64_t line;
  size_t n;
  cparty p[MAXQ];
} cpay;
typedef struct cap {
  size_t n;
  cpay pay[MAXP];
  size_t stop_after;  /* 0 = never stop */
} cap;

static void cpy(char *dst, size_t cap_, const char *s) {
  snprintf(dst, cap_, "%s", s ? s : "");
}

static bool on_pay(void *ctx, const kpw_payment *p) {
  cap *c = ctx;
  if (c->n < MAXP) {
    cpay *d = &c->pay[c->n];
    cpy(d->format, sizeof d->format, p->format);
    cpy(d->ref, sizeof d->ref, p->ref);
    d->line = p->line;
    d->n = p->n_parties;
    for (size_t i = 0; i < p->n_parties && i < MAXQ; i++) {
      const kpw_party *q = &p->parties[i];
      cparty *e = &d->p[i];
      cpy(e->role, sizeof e->role, q->role);
      cpy(e->field, sizeof e->field, q->field);
      cpy(e->name, sizeof e->name, q->name);
      cpy(e->account, sizeof e->account, q->account);
      cpy(e->bic, sizeof e->bic, q->bic);
      cpy(e->country, sizeof e->country, q->country);
      cpy(e->address, sizeof e->address, q->address);
      cpy(e->birth_date, sizeof e->birth_date, q->birth_date);
      cpy(e->identifier, sizeof e->identifier, q->identifier);
    }
  }
  c->n++;
  return !(c->stop_after && c->n >= c->stop_after);
}

static kpw_result parse(const char *text, cap *c, kpw_error *err) {
  memset(c, 0, sizeof *c);
  kpw_error_clear(err);
  return kpw_payments_read_mem(text, strlen(text), "t", on_pay, c, err);
}

static const cparty *role(const cpay *p, const char *r) {
  for (size_t i = 0; i < p->n && i < MAXQ; i++)
    if (strcmp(p->p[i].role, r) == 0) return &p->p[i];
  return NULL;
}

/* ------------------------------------------------------------ MT */

static const char MT_BLOCK[] =
    "{1:F01BANKSGSGAXXX0000000000}{2:I103BANKDEFFXXXXN}"
    "{3:{108:KPW0001}{121:4c2e8f1a-7b3d-4e5a-9c1b-2f6d8e0a1b3c}}{4:\r\n"
    ":20:KPW-2026-0001\r\n"
    ":23B:CRED\r\n"
    ":32A:260115USD125000,\r\n"
    ":50K:/SG1234567890\r\n"
    "KOREA KWANGSON BANKING CORP\r\n"
    "JUNGSON-DONG, SUNGRI STREET\r\n"
    "PYONGYANG, DPRK\r\n"
    ":52A:FTBDKPPY\r\n"
    ":57A:BANKDEFFXXX\r\n"
    ":59:/DE89370400440532013000\r\n"
    "MUSTER HANDELS GMBH\r\n"
    "HAUPTSTRASSE 1\r\n"
    "10115 BERLIN\r\n"
    ":71A:SHA\r\n"
    "-}{5:{CHK:1A2B3C4D5E6F}}\r\n";

static void mt_block_form(void **state) {
  (void)state;
  cap c;
  kpw_error err;
  assert_int_equal(parse(MT_BLOCK, &c, &err), KPW_OK);
  assert_int_equal(c.n, 1);
  const cpay *p = &c.pay[0];
  assert_string_equal(p->format, "mt103");
  assert_string_equal(p->ref, "KPW-2026-0001");
  assert_int_equal(p->line, 1);
  const cparty *oc = role(p, "ordering_customer");
  assert_non_null(oc);
  assert_string_equal(oc->field, "50K");
  assert_string_equal(oc->name, "KOREA KWANGSON BANKING CORP");
  assert_string_equal(oc->account, "SG1234567890");
  assert_string_equal(oc->address,
                      "JUNGSON-DONG, SUNGRI STREET, PYONGYANG, DPRK");
  assert_string_equal(oc->country, "kp");
  const cparty *oi = role(p, "ordering_institution");
  assert_non_null(oi);
  assert_string_equal(oi->bic, "FTBDKPPY");
  assert_string_equal(oi->name, "");
  /* XXX branch = head office: normalised to the 8-character BIC. */
  assert_string_equal(role(p, "account_with_institution")->bic, "BANKDEFF");
  const cparty *be = role(p, "beneficiary");
  assert_string_equal(be->name, "MUSTER HANDELS GMBH");
  assert_string_equal(be->account, "DE89370400440532013000");
  assert_string_equal(role(p, "sender")->bic, "BANKSGSG");
  assert_string_equal(role(p, "receiver")->bic, "BANKDEFF");
}

static void mt_structured_50f(void **state) {
  (void)state;
  cap c;
  kpw_error err;
  const char *t =
      "{1:F01BANKHKHHAXXX0000000000}{2:O1031130260117BANKAEADAXXX1234123456"
      "2601171131N}{4:\n"
      ":20:KPW-2\n"
      ":50F:CCPT/KP/381420754\n"
      "1/PAEK CHANG\n"
      "1/HO\n"
      "2/POTHONGGANG DISTRICT\n"
      "3/KP/PYONGYANG\n"
      "4/19640618\n"
      ":52D:ILSIM INTERNATIONAL BANK\n"
      "PYONGYANG\n"
      ":59F:/AE070331234567890123456\n"
      "1/GULF STAR GENERAL TRADING LLC\n"
      "3/AE/DUBAI\n"
      "-}";
  assert_int_equal(parse(t, &c, &err), KPW_OK);
  assert_int_equal(c.n, 1);
  const cpay *p = &c.pay[0];
  const cparty *oc = role(p, "ordering_customer");
  assert_string_equal(oc->name, "PAEK CHANG HO");
  assert_string_equal(oc->identifier, "CCPT/KP/381420754");
  assert_string_equal(oc->birth_date, "1964-06-18");
  assert_string_equal(oc->country, "kp");
  assert_string_equal(oc->address, "POTHONGGANG DISTRICT, PYONGYANG");
  assert_string_equal(role(p, "ordering_institution")->name,
                      "ILSIM INTERNATIONAL BANK");
  const cparty *be = role(p, "beneficiary");
  assert_string_equal(be->field, "59F");
  assert_string_equal(be->name, "GULF STAR GENERAL TRADING LLC");
  assert_string_equal(be->country, "ae");
  /* Output message: block 2 names the sender, block 1 the receiver. */
  assert_string_equal(role(p, "sender")->bic, "BANKAEAD");
  assert_string_equal(role(p, "receiver")->bic, "BANKHKHH");
}

static void mt_bare_many(void **state) {
  (void)state;
  cap c;
  kpw_error err;
  const char *t =
      ":20:B1\n:50K:JOHN SMITH\n:59:ANNA SCHMIDT\n-\n"
      ":20:B2\n:50A:/123\nBANKBEBB\n:59:MARIA GARCIA\n"
      ":20:B3\n:50K:KIM KWANG IL\n:59:/1\nRI JE SON\n$\n";
  assert_int_equal(parse(t, &c, &err), KPW_OK);
  assert_int_equal(c.n, 3);
  assert_string_equal(c.pay[0].ref, "B1");
  assert_string_equal(c.pay[1].ref, "B2");
  assert_string_equal(c.pay[2].ref, "B3");
  assert_int_equal(c.pay[1].line, 5);
  assert_int_equal(c.pay[2].line, 9);
  assert_string_equal(role(&c.pay[1], "ordering_customer")->bic, "BANKBEBB");
  assert_string_equal(role(&c.pay[2], "beneficiary")->name, "RI JE SON");
  assert_null(role(&c.pay[0], "sender"));
}

static void mt_stop_early(void **state) {
  (void)state;
  cap c;
  memset(&c, 0, sizeof c);
  c.stop_after = 1;
  kpw_error err;
  const char *t = ":20:B1\n:50K:A\n:59:B\n-\n:20:B2\n:50K:C\n:59:D\n-\n";
  assert_int_equal(kpw_payments_read_mem(t, strlen(t), "t", on_pay, &c, &err),
                   KPW_OK);
  assert_int_equal(c.n, 1);
}

/* Expect KPW_EINPUT at line with a message containing needle. */
static void expect_error(const char *text, uint64_t line, const char *needle) {
  cap c;
  kpw_error err;
  assert_int_equal(parse(text, &c, &err), KPW_EINPUT);
  if (!strstr(err.msg, needle)) fail_msg("'%s' lacks '%s'", err.msg, needle);
  assert_int_equal(err.line, line);
  assert_string_equal(err.source, "t");
}

static void mt_errors(void **state) {
  (void)state;
  expect_error("{1:F01BANKBEBBAXXX0000000000}{4:\n:20:X\n:50K:A\n:59:B\n",
               1, "unterminated block 4");
  expect_error(":20:X\n:59:B\n-\n", 1, ":50a:");
  expect_error(":20:X\n:50A:BANK-BEBB\n:59:B\n-\n", 2, "needs a BIC");
  expect_error(":20:X\n:50K:KIM \xff\xfe\n:59:B\n-\n", 2, "invalid UTF-8");
  expect_error(":20:X\n:50K:KIM \x01\n:59:B\n-\n", 2, "control character");
  expect_error("{4:\nhello\n:20:X\n-}", 2, "text before the first field");
  expect_error(":20:X\n:50F:1/KIM\n4/1964\n:59:B\n-\n", 3, "birth date");
  expect_error(":20:X\n:50F:1/KIM\nKIM\n:59:B\n-\n", 3, "numbered line");
  expect_error("{1:F01BANK}{4:\n:20:X\n-}", 1, "malformed block 1");
  expect_error("{1:F01BANKBEBBAXXX0000000000{4:\n:20:X\n-}", 1,
               "unterminated block {1:");
  expect_error("hello\n", 1, "not a payments file");
  expect_error("", 1, "empty payments input");
  expect_error(":50K:A\n:59:B\n-\n", 1, "no :20:");
}

static void mt_too_large(void **state) {
  (void)state;
  /* One message over the 64 KiB cap: an error, not a truncation. */
  size_t n = 70000;
  char *t = malloc(n + 64);
  assert_non_null(t);
  strcpy(t, ":20:X\n:50K:A\n:59:B\n:70:");
  size_t l = strlen(t);
  for (; l < n; l++) t[l] = (l % 33 == 0) ? '\n' : 'A';
  strcpy(t + l, "\n-\n");
  cap c;
  kpw_error err;
  assert_int_equal(parse(t, &c, &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "longer than"));
  free(t);
}

/* ------------------------------------------------------------ pacs.008 */

static const char PACS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\">\n"
    "<FIToFICstmrCdtTrf>\n"
    "<GrpHdr><MsgId>M-1</MsgId>\n"
    "<InstgAgt><FinInstnId><BICFI>BANKSGSGXXX</BICFI></FinInstnId></InstgAgt>\n"
    "</GrpHdr>\n"
    "<CdtTrfTxInf>\n"
    "<PmtId><EndToEndId>E2E-1</EndToEndId></PmtId>\n"
    "<IntrmyAgt1><FinInstnId><BICFI>BANKCNBJ</BICFI><Nm>DANDONG BANK</Nm>"
    "</FinInstnId></IntrmyAgt1>\n"
    "<Dbtr><Nm>KOREA KWANGSON  BANKING\n CORP</Nm><PstlAdr><StrtNm>Sungri "
    "Street</StrtNm><TwnNm>Pyongyang</TwnNm><Ctry>KP</Ctry></PstlAdr></Dbtr>\n"
    "<DbtrAcct><Id><Othr><Id>KP0012345678</Id></Othr></Id></DbtrAcct>\n"
    "<DbtrAgt><FinInstnId><BICFI>FTBDKPPY</BICFI></FinInstnId></DbtrAgt>\n"
    "<Cdtr><Nm>Kim Kwang Il</Nm><Id><PrvtId><DtAndPlcOfBirth>"
    "<BirthDt>1969-09-01</BirthDt></DtAndPlcOfBirth><Othr><Id>PS381420397"
    "</Id></Othr></PrvtId></Id></Cdtr>\n"
    "<CdtrAcct><Id><IBAN>AE070331234567890123456</IBAN></Id></CdtrAcct>\n"
    "<UltmtCdtr><Nm>Ocean Maritime Management</Nm></UltmtCdtr>\n"
    "</CdtTrfTxInf>\n"
    "<CdtTrfTxInf>\n"
    "<PmtId><EndToEndId>NOTPROVIDED</EndToEndId><TxId>T-2</TxId></PmtId>\n"
    "<Dbtr><Nm>Acme</Nm></Dbtr>\n"
    "</CdtTrfTxInf>\n"
    "<CdtTrfTxInf><PmtId><EndToEndId>NOTPROVIDED</EndToEndId></PmtId>"
    "<Cdtr><Nm>Jan &amp; Els</Nm></Cdtr></CdtTrfTxInf>\n"
    "</FIToFICstmrCdtTrf>\n"
    "</Document>\n";

static void pacs_parties(void **state) {
  (void)state;
  cap c;
  kpw_error err;
  assert_int_equal(parse(PACS, &c, &err), KPW_OK);
  assert_int_equal(c.n, 3);
  const cpay *p = &c.pay[0];
  assert_string_equal(p->format, "pacs.008");
  assert_string_equal(p->ref, "E2E-1");
  assert_int_equal(p->line, 7);
  const cparty *d = role(p, "debtor");
  assert_non_null(d);
  assert_string_equal(d->field, "Dbtr");
  assert_string_equal(d->name, "KOREA KWANGSON BANKING CORP");
  assert_string_equal(d->country, "kp");
  assert_string_equal(d->address, "Sungri Street, Pyongyang");
  assert_string_equal(d->account, "KP0012345678");
  assert_string_equal(role(p, "debtor_agent")->bic, "FTBDKPPY");
  const cparty *i1 = role(p, "intermediary_agent_1");
  assert_string_equal(i1->bic, "BANKCNBJ");
  assert_string_equal(i1->name, "DANDONG BANK");
  const cparty *cr = role(p, "creditor");
  assert_string_equal(cr->name, "Kim Kwang Il");
  assert_string_equal(cr->birth_date, "1969-09-01");
  assert_string_equal(cr->identifier, "PS381420397");
  assert_string_equal(cr->account, "AE070331234567890123456");
  assert_string_equal(role(p, "ultimate_creditor")->name,
                      "Ocean Maritime Management");
  /* The group header's agent is part of every transaction. */
  assert_string_equal(role(p, "instructing_agent")->bic, "BANKSGSG");
  assert_non_null(role(&c.pay[1], "instructing_agent"));
  /* ref falls back: NOTPROVIDED -> TxId -> MsgId. */
  assert_string_equal(c.pay[1].ref, "T-2");
  assert_string_equal(c.pay[2].ref, "M-1");
  assert_string_equal(role(&c.pay[2], "creditor")->name, "Jan & Els");
}

static void pacs_versions_and_files(void **state) {
  (void)state;
  cap c;
  kpw_error err;
  /* 001.02 uses BIC, not BICFI; a business-message envelope; then a second
  ** XML document concatenated in the same file. */
  const char *t =
      "<BusMsg><AppHdr xmlns=\"urn:iso:std:iso:20022:tech:xsd:head.001.001.02\">"
      "<BizMsgIdr>H</BizMsgIdr></AppHdr>"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.02\">"
      "<FIToFICstmrCdtTrf><GrpHdr><MsgId>A</MsgId></GrpHdr><CdtTrfTxInf>"
      "<DbtrAgt><FinInstnId><BIC>BANKBEBB</BIC></FinInstnId></DbtrAgt>"
      "<Dbtr><Nm>X</Nm><Id><OrgId><BICOrBEI>KKBCKPPY</BICOrBEI></OrgId></Id>"
      "</Dbtr></CdtTrfTxInf></FIToFICstmrCdtTrf></Document></BusMsg>\n"
      "<?xml version=\"1.0\"?>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.10\">"
      "<FIToFICstmrCdtTrf><GrpHdr><MsgId>B</MsgId></GrpHdr>\n"
      "<CdtTrfTxInf><Cdtr><Nm>Y</Nm></Cdtr></CdtTrfTxInf>"
      "</FIToFICstmrCdtTrf></Document>\n";
  assert_int_equal(parse(t, &c, &err), KPW_OK);
  assert_int_equal(c.n, 2);
  assert_string_equal(c.pay[0].ref, "A");
  assert_string_equal(role(&c.pay[0], "debtor_agent")->bic, "BANKBEBB");
  assert_string_equal(role(&c.pay[0], "debtor")->bic, "KKBCKPPY");
  assert_string_equal(c.pay[1].ref, "B");
  assert_int_equal(c.pay[1].line, 4);
}

/* Concatenated documents whose boundary falls on the reader's 64 KiB
** window edge: the second XML declaration may straddle two reads. */
static void pacs_concat_window_edge(void **state) {
  (void)state;
  const char *head =
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\">"
      "<FIToFICstmrCdtTrf><CdtTrfTxInf><Dbtr><Nm>A</Nm></Dbtr></CdtTrfTxInf>"
      "<!-- ";
  const char *tail = " --></FIToFICstmrCdtTrf></Document>";
  const char *doc2 =
      "\n<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:"
      "tech:xsd:pacs.008.001.08\"><FIToFICstmrCdtTrf><CdtTrfTxInf><Cdtr><Nm>B"
      "</Nm></Cdtr></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>\n<!-- end "
      "-->\n";
  size_t cap_ = 70000 + strlen(doc2);
  char *t = malloc(cap_);
  assert_non_null(t);
  for (size_t total = 65520; total <= 65545; total++) {
    size_t hl = strlen(head), tl = strlen(tail);
    memcpy(t, head, hl);
    memset(t + hl, 'x', total - hl - tl);
    memcpy(t + total - tl, tail, tl);
    strcpy(t + total, doc2);
    cap c;
    kpw_error err;
    assert_int_equal(parse(t, &c, &err), KPW_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(role(&c.pay[1], "creditor")->name, "B");
    assert_int_equal(c.pay[1].line, 3);
  }
  free(t);
}

static void pacs_errors(void **state) {
  (void)state;
  expect_error("<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY a \"x\">]>\n"
               "<Document/>",
               2, "DOCTYPE");
  expect_error("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.009.001."
               "08\"/>",
               1, "pacs.009");
  expect_error("<CONSOLIDATED_LIST/>", 1, "no pacs.008");
  expect_error("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001."
               "08\">\n<FIToFICstmrCdtTrf><CdtTrfTxInf>",
               2, "XML error");
  expect_error("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001."
               "08\"><FIToFICstmrCdtTrf><CdtTrfTxInf>\n<DbtrAgt><FinInstnId>"
               "<BICFI>FTB DKPPY</BICFI></FinInstnId></DbtrAgt></CdtTrfTxInf>"
               "</FIToFICstmrCdtTrf></Document>",
               2, "malformed BIC");
  expect_error("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001."
               "08\"><FIToFICstmrCdtTrf><CdtTrfTxInf><Dbtr><Nm>A</Nm></Dbtr>\n"
               "<Dbtr><Nm>B</Nm></Dbtr></CdtTrfTxInf></FIToFICstmrCdtTrf>"
               "</Document>",
               2, "repeated <Dbtr>");
  expect_error("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001."
               "08\"><pain/></Document>",
               1, "not a pacs.008");
}

static void pacs_bounds(void **state) {
  (void)state;
  cap c;
  kpw_error err;
  /* 100 nested elements: over the depth cap. */
  char deep[2048] = "";
  for (int i = 0; i < 100; i++) strcat(deep, "<a>");
  assert_int_equal(parse(deep, &c, &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "deeper"));
  /* A 5000-byte name: over the element text cap. */
  const char *head =
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\">"
      "<FIToFICstmrCdtTrf><CdtTrfTxInf><Dbtr><Nm>";
  char *t = malloc(8000);
  assert_non_null(t);
  strcpy(t, head);
  size_t l = strlen(t);
  memset(t + l, 'K', 5000);
  strcpy(t + l + 5000, "</Nm></Dbtr></CdtTrfTxInf></FIToFICstmrCdtTrf>"
                       "</Document>");
  assert_int_equal(parse(t, &c, &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "longer than"));
  free(t);
  /* Many distinct element names: refused before expat's tables grow. */
  size_t cap_ = 3000 * 16 + 64;
  char *u = malloc(cap_);
  assert_non_null(u);
  size_t o = (size_t)snprintf(u, cap_, "<r>");
  for (int i = 0; i < 3000; i++)
    o += (size_t)snprintf(u + o, cap_ - o, "<e%d/>", i);
  snprintf(u + o, cap_ - o, "</r>");
  assert_int_equal(parse(u, &c, &err), KPW_EINPUT);
  assert_non_null(strstr(err.msg, "distinct"));
  free(u);
}

static void file_api(void **state) {
  (void)state;
  cap c;
  memset(&c, 0, sizeof c);
  kpw_error err;
  const char *path = "tests/fixtures/payments/mt103_dprk.fin";
  FILE *f = fopen(path, "rb");
  if (!f) skip();
  fclose(f);
  assert_int_equal(kpw_payments_read(path, on_pay, &c, &err), KPW_OK);
  assert_int_equal(c.n, 2);
  assert_string_equal(role(&c.pay[0], "ordering_customer")->name,
                      "KOREA KWANGSON BANKING CORP");
  assert_string_equal(role(&c.pay[1], "ordering_customer")->name,
                      "PAEK CHANG HO");
  assert_int_equal(kpw_payments_read("tests/fixtures/payments/nope.fin",
                                     on_pay, &c, &err),
                   KPW_EIO);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(mt_block_form),   cmocka_unit_test(mt_structured_50f),
      cmocka_unit_test(mt_bare_many),    cmocka_unit_test(mt_stop_early),
      cmocka_unit_test(mt_errors),       cmocka_unit_test(mt_too_large),
      cmocka_unit_test(pacs_parties),    cmocka_unit_test(pacs_versions_and_files),
      cmocka_unit_test(pacs_concat_window_edge),
      cmocka_unit_test(pacs_errors),     cmocka_unit_test(pacs_bounds),
      cmocka_unit_test(file_api),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
