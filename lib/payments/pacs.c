/*
** pacs.c -- ISO 20022 pacs.008 (FIToFICustomerCreditTransfer) for
** screening, streamed through expat. Every CdtTrfTxInf becomes one
** kpw_payment whose parties are the transaction's Dbtr, Cdtr, UltmtDbtr,
** UltmtCdtr, InitgPty (name, postal address, BIC/identifier, birth date),
** its agents DbtrAgt, CdtrAgt, IntrmyAgt1..3, PrvsInstgAgt1..3,
** InstgAgt, InstdAgt (BICFI or BIC, name, address), the accounts
** DbtrAcct/CdtrAcct/...Acct (IBAN or Othr/Id, attached to their owner), and
** the group header's instructing/instructed and reimbursement agents.
** ref = EndToEndId, else TxId, else GrpHdr/MsgId.
**
** A file may hold one Document, Documents wrapped in any envelope (e.g. a
** business message with an AppHdr), or several XML documents one after
** another (each document ends the parse of its parser, which is suspended
** there; a fresh parser starts after the blanks that follow). Any
** pacs.008.001.xx version is accepted; other ISO 20022
** messages are refused by name.
**
** Safety and bounds: a DOCTYPE is refused (so no entities, no external
** fetches); depth <= PX_MAX_DEPTH; element text <= PX_TEXT_CAP bytes; at most
** PX_MAX_NAMES distinct element/attribute names and PX_MAX_PREFIXES
** namespace prefixes (expat keeps those for the whole parse); no token may
** span more than PX_TOKEN_CAP bytes (expat buffers a token until it ends).
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <expat.h>

#include "payments/payments_internal.h"

#define PX_MAX_DEPTH    64
#define PX_NAME_LEN     48        /* stored local names (longer never match) */
#define PX_TEXT_CAP     4096
#define PX_TOKEN_CAP    (1u << 20)
#define PX_MAX_NAMES    2048
#define PX_MAX_PREFIXES 64
#define PX_SET_SLOTS    4096      /* open addressing, > 2 * PX_MAX_NAMES */
#define PX_POOL_CAP     (256u * 1024u)
#define PX_GROUP_SLOTS  8
#define NS_SEP          '|'
#define ISO_NS          "urn:iso:std:iso:20022:tech:xsd:"
#define PACS008_NS      ISO_NS "pacs.008."

typedef enum px_kind { PX_PARTY, PX_AGENT, PX_ACCOUNT } px_kind;

typedef struct px_role {
  const char *elem;   /* element local name */
  const char *role;   /* kpw_party.role */
  px_kind kind;
  const char *owner;  /* PX_ACCOUNT: the element whose slot it belongs to */
} px_role;

/* Children of CdtTrfTxInf (and GrpHdr for the agents) that are parties. */
static const px_role ROLES[] = {
    {"Dbtr", "debtor", PX_PARTY, NULL},
    {"Cdtr", "creditor", PX_PARTY, NULL},
    {"UltmtDbtr", "ultimate_debtor", PX_PARTY, NULL},
    {"UltmtCdtr", "ultimate_creditor", PX_PARTY, NULL},
    {"InitgPty", "initiating_party", PX_PARTY, NULL},
    {"DbtrAgt", "debtor_agent", PX_AGENT, NULL},
    {"CdtrAgt", "creditor_agent", PX_AGENT, NULL},
    {"IntrmyAgt1", "intermediary_agent_1", PX_AGENT, NULL},
    {"IntrmyAgt2", "intermediary_agent_2", PX_AGENT, NULL},
    {"IntrmyAgt3", "intermediary_agent_3", PX_AGENT, NULL},
    {"PrvsInstgAgt1", "previous_instructing_agent_1", PX_AGENT, NULL},
    {"PrvsInstgAgt2", "previous_instructing_agent_2", PX_AGENT, NULL},
    {"PrvsInstgAgt3", "previous_instructing_agent_3", PX_AGENT, NULL},
    {"InstgAgt", "instructing_agent", PX_AGENT, NULL},
    {"InstdAgt", "instructed_agent", PX_AGENT, NULL},
    {"InstgRmbrsmntAgt", "instructing_reimbursement_agent", PX_AGENT, NULL},
    {"InstdRmbrsmntAgt", "instructed_reimbursement_agent", PX_AGENT, NULL},
    {"ThrdRmbrsmntAgt", "third_reimbursement_agent", PX_AGENT, NULL},
    {"DbtrAcct", "debtor", PX_ACCOUNT, "Dbtr"},
    {"CdtrAcct", "creditor", PX_ACCOUNT, "Cdtr"},
    {"DbtrAgtAcct", "debtor_agent", PX_ACCOUNT, "DbtrAgt"},
    {"CdtrAgtAcct", "creditor_agent", PX_ACCOUNT, "CdtrAgt"},
    {"IntrmyAgt1Acct", "intermediary_agent_1", PX_ACCOUNT, "IntrmyAgt1"},
    {"IntrmyAgt2Acct", "intermediary_agent_2", PX_ACCOUNT, "IntrmyAgt2"},
    {"IntrmyAgt3Acct", "intermediary_agent_3", PX_ACCOUNT, "IntrmyAgt3"},
    {"PrvsInstgAgt1Acct", "previous_instructing_agent_1", PX_ACCOUNT,
     "PrvsInstgAgt1"},
    {"PrvsInstgAgt2Acct", "previous_instructing_agent_2", PX_ACCOUNT,
     "PrvsInstgAgt2"},
    {"PrvsInstgAgt3Acct", "previous_instructing_agent_3", PX_ACCOUNT,
     "PrvsInstgAgt3"},
};

static const px_role *role_for(const char *elem) {
  for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
    if (strcmp(ROLES[i].elem, elem) == 0) return &ROLES[i];
  return NULL;
}

typedef struct px_frame {
  char name[PX_NAME_LEN];
  bool had_child;
} px_frame;

typedef struct px_ctx {
  XML_Parser p;
  pay_reader *r;
  const char *source;
  kpw_error *err;
  kpw_payment_cb cb;
  void *cbctx;

  kpw_result rc;       /* first error, set by handlers before stopping */
  bool failed, stopped;

  /* Position bookkeeping across concatenated documents. */
  uint64_t parser_base;  /* absolute offset where the current parser began */
  uint64_t line_base;    /* lines before the current parser's line 1 */
  uint64_t last_event;   /* parser-relative index of the last event */
  bool root_started;
  uint64_t root_end;     /* parser-relative offset just after the root */
  uint64_t root_end_line;

  px_frame stack[PX_MAX_DEPTH];
  int depth;             /* number of open elements */
  int doc_depth;         /* index of the open pacs.008 Document, or -1 */
  int grp_depth, tx_depth, party_depth;
  const px_role *party;  /* the party element open at party_depth */
  size_t docs;
  char root[PX_NAME_LEN];

  char text[PX_TEXT_CAP];
  size_t text_len;
  bool text_over;

  /* Transaction state. */
  uint64_t tx_line;
  char e2e[PAY_REF_CAP], txid[PAY_REF_CAP], msgid[PAY_REF_CAP];
  pay_slot slots[PAY_MAX_PARTIES];
  const char *slot_elem[PAY_MAX_PARTIES];
  bool slot_seen[PAY_MAX_PARTIES];
  size_t nslots;
  pay_slot gslots[PX_GROUP_SLOTS];
  const char *gslot_elem[PX_GROUP_SLOTS];
  bool gslot_seen[PX_GROUP_SLOTS];
  size_t ngslots;
  kpw_party parties[PAY_MAX_PARTIES + PX_GROUP_SLOTS];

  /* Distinct names (expanded element/attribute names and prefixes). */
  uint32_t set[PX_SET_SLOTS];   /* pool offset + 1, 0 = empty */
  size_t nnames, nprefixes;
  char pool[PX_POOL_CAP];
  size_t pool_len;
} px_ctx;

/* ------------------------------------------------------------ errors */

static uint64_t cur_line(px_ctx *x) {
  return x->line_base + (uint64_t)XML_GetCurrentLineNumber(x->p);
}

static uint64_t cur_off(px_ctx *x) {
  XML_Index i = XML_GetCurrentByteIndex(x->p);
  return x->parser_base + (i > 0 ? (uint64_t)i : 0);
}

/* Record the first error and stop expat (handlers only). */
static void px_fail(px_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void px_fail(px_ctx *x, const char *fmt, ...) {
  if (x->failed) return;
  x->failed = true;
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  x->rc = kpw_error_set(x->err, KPW_EINPUT, x->source, cur_line(x), cur_off(x),
                        "%s", msg);
  XML_StopParser(x->p, XML_FALSE);
}

static void touch(px_ctx *x) {
  XML_Index i = XML_GetCurrentByteIndex(x->p);
  if (i > 0) x->last_event = (uint64_t)i;
}

/* ------------------------------------------------------------ name set */

static uint32_t fnv1a(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* Insert s (tagged by kind) into the distinct-name set; false when a cap
** is hit (the caller fails with a message). Pool entries are the kind
** byte followed by the full name and a NUL. */
static bool note_name(px_ctx *x, char kind, const char *s) {
  size_t n = strlen(s);
  if (n > 1024) return false;
  uint32_t h = (fnv1a(s) ^ (unsigned char)kind) % PX_SET_SLOTS;
  for (;;) {
    uint32_t v = x->set[h];
    if (v == 0) break;
    const char *e = x->pool + v - 1;
    if (e[0] == kind && strcmp(e + 1, s) == 0) return true;
    h = (h + 1) % PX_SET_SLOTS;
  }
  if (x->nnames >= PX_MAX_NAMES || x->pool_len + n + 2 > PX_POOL_CAP)
    return false;
  if (kind == 'p' && x->nprefixes >= PX_MAX_PREFIXES) return false;
  x->pool[x->pool_len] = kind;
  memcpy(x->pool + x->pool_len + 1, s, n + 1);
  x->set[h] = (uint32_t)x->pool_len + 1;
  x->pool_len += n + 2;
  x->nnames++;
  if (kind == 'p') x->nprefixes++;
  return true;
}

/* ------------------------------------------------------------ slots */

static pay_slot *slot_for(px_ctx *x, bool group, const px_role *r,
                          const char *elem, bool **seen) {
  pay_slot *slots = group ? x->gslots : x->slots;
  const char **elems = group ? x->gslot_elem : x->slot_elem;
  bool *seens = group ? x->gslot_seen : x->slot_seen;
  size_t *n = group ? &x->ngslots : &x->nslots;
  size_t cap = group ? PX_GROUP_SLOTS : PAY_MAX_PARTIES;
  for (size_t i = 0; i < *n; i++)
    if (strcmp(elems[i], elem) == 0) {
      if (seen) *seen = &seens[i];
      return &slots[i];
    }
  if (*n == cap) {
    px_fail(x, "too many parties in one transaction");
    return NULL;
  }
  size_t i = (*n)++;
  elems[i] = elem;  /* static string from ROLES */
  seens[i] = false;
  pay_slot_init(&slots[i], r->role, elem);
  if (seen) *seen = &seens[i];
  return &slots[i];
}

static void reset_tx(px_ctx *x) {
  x->nslots = 0;
  x->e2e[0] = x->txid[0] = '\0';
}

static void reset_group(px_ctx *x) {
  x->ngslots = 0;
  x->msgid[0] = '\0';
}

/* ------------------------------------------------------------ leaf text */

static bool eq(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* Path components of the open elements from index from to the top. */
static const char *at(px_ctx *x, int i) {
  return i < x->depth ? x->stack[i].name : "";
}

static void set_field(px_ctx *x, char *dst, size_t cap, const char *what) {
  if (!pay_set(dst, cap, x->text, x->text_len))
    px_fail(x, "%s too long", what);
}

static void add_address(px_ctx *x, pay_slot *s, const char *part) {
  if (eq(part, "Ctry")) {
    const char *t = x->text;
    size_t n = x->text_len;
    while (n > 0 && isspace((unsigned char)t[0])) t++, n--;
    while (n > 0 && isspace((unsigned char)t[n - 1])) n--;
    if (n != 2 || !isalpha((unsigned char)t[0]) ||
        !isalpha((unsigned char)t[1])) {
      px_fail(x, "<Ctry> must be a 2-letter ISO country code");
      return;
    }
    s->country[0] = (char)tolower((unsigned char)t[0]);
    s->country[1] = (char)tolower((unsigned char)t[1]);
    s->country[2] = '\0';
    return;
  }
  if (eq(part, "AdrTp")) return;
  if (!pay_append(s->address, sizeof s->address, &s->addr_len, x->text,
                  x->text_len, ", "))
    px_fail(x, "postal address too long");
}

static void set_bic(px_ctx *x, pay_slot *s) {
  char b[PAY_BIC_CAP];
  if (!pay_set(b, sizeof b, x->text, x->text_len) ||
      !pay_bic_valid(b, strlen(b))) {
    px_fail(x, "malformed BIC (expected 8 or 11 characters, e.g. "
               "KKBCKPPY)");
    return;
  }
  strcpy(s->bic, b);
  pay_bic_norm(s->bic);
}

static void set_ident(px_ctx *x, pay_slot *s, const char *prefix) {
  if (s->identifier[0]) return;  /* keep the first */
  char tmp[PAY_IDENT_CAP];
  size_t pl = strlen(prefix);
  memcpy(tmp, prefix, pl + 1);
  size_t len = pl;
  if (!pay_append(tmp, sizeof tmp, &len, x->text, x->text_len, NULL)) {
    px_fail(x, "identifier too long");
    return;
  }
  if (len > pl) strcpy(s->identifier, tmp);
}

/* A leaf inside a party element: rel is the index of the first component
** below the party element. */
static void party_leaf(px_ctx *x, pay_slot *s, px_kind kind, int rel) {
  const char *a = at(x, rel), *b = at(x, rel + 1), *c = at(x, rel + 2),
             *d = at(x, rel + 3);
  int n = x->depth - rel;
  if (kind == PX_ACCOUNT) {
    if ((n == 2 && eq(a, "Id") && eq(b, "IBAN")) ||
        (n == 3 && eq(a, "Id") && eq(b, "Othr") && eq(c, "Id")))
      set_field(x, s->account, sizeof s->account, "account");
    return;
  }
  if (kind == PX_AGENT) {
    if (!eq(a, "FinInstnId")) return;  /* BrnchId: not screened */
    if (n == 2 && (eq(b, "BICFI") || eq(b, "BIC")))
      set_bic(x, s);
    else if (n == 2 && eq(b, "Nm")) {
      if (!pay_append(s->name, sizeof s->name, &s->name_len, x->text,
                      x->text_len, " "))
        px_fail(x, "name too long");
    } else if (n == 3 && eq(b, "PstlAdr"))
      add_address(x, s, c);
    else if (n == 2 && eq(b, "LEI"))
      set_ident(x, s, "LEI/");
    else if (n == 3 && eq(b, "ClrSysMmbId") && eq(c, "MmbId"))
      set_ident(x, s, "");
    else if (n == 3 && eq(b, "Othr") && eq(c, "Id"))
      set_ident(x, s, "");
    return;
  }
  /* PX_PARTY */
  if (n == 1 && eq(a, "Nm")) {
    if (!pay_append(s->name, sizeof s->name, &s->name_len, x->text,
                    x->text_len, " "))
      px_fail(x, "name too long");
  } else if (n == 2 && eq(a, "PstlAdr")) {
    add_address(x, s, b);
  } else if (n == 1 && eq(a, "CtryOfRes")) {
    if (!s->country[0] && x->text_len >= 2) {
      pay_slot tmp;
      pay_slot_init(&tmp, "", "");
      add_address(x, &tmp, "Ctry");
      memcpy(s->country, tmp.country, sizeof s->country);
    }
  } else if (n == 3 && eq(a, "Id") && eq(b, "OrgId") &&
             (eq(c, "AnyBIC") || eq(c, "BICOrBEI") || eq(c, "BIC"))) {
    set_bic(x, s);
  } else if (n == 3 && eq(a, "Id") && eq(b, "OrgId") && eq(c, "LEI")) {
    set_ident(x, s, "LEI/");
  } else if (n == 4 && eq(a, "Id") && eq(c, "Othr") && eq(d, "Id")) {
    set_ident(x, s, "");
  } else if (n == 4 && eq(a, "Id") && eq(b, "PrvtId") &&
             eq(c, "DtAndPlcOfBirth") && eq(d, "BirthDt")) {
    char t[16];
    if (!pay_set(t, sizeof t, x->text, x->text_len) || strlen(t) != 10 ||
        t[4] != '-' || t[7] != '-') {
      px_fail(x, "<BirthDt> must be YYYY-MM-DD");
      return;
    }
    memcpy(s->birth_date, t, 11);
  }
}

static void leaf(px_ctx *x) {
  if (x->text_over) {
    px_fail(x, "element text longer than %d bytes", PX_TEXT_CAP);
    return;
  }
  if (x->party_depth >= 0) {
    bool group = x->tx_depth < 0;
    const px_role *r = x->party;
    bool *seen = NULL;
    const char *elem = r->kind == PX_ACCOUNT ? r->owner : r->elem;
    const px_role *owner = r->kind == PX_ACCOUNT ? role_for(r->owner) : r;
    pay_slot *s = slot_for(x, group, owner ? owner : r, elem, &seen);
    if (!s) return;
    party_leaf(x, s, r->kind == PX_ACCOUNT ? PX_ACCOUNT : r->kind,
               x->party_depth + 1);
    return;
  }
  if (x->tx_depth >= 0 && x->depth == x->tx_depth + 3 &&
      eq(at(x, x->tx_depth + 1), "PmtId")) {
    const char *e = at(x, x->tx_depth + 2);
    if (eq(e, "EndToEndId"))
      set_field(x, x->e2e, sizeof x->e2e, "EndToEndId");
    else if (eq(e, "TxId"))
      set_field(x, x->txid, sizeof x->txid, "TxId");
  } else if (x->grp_depth >= 0 && x->depth == x->grp_depth + 2 &&
             eq(at(x, x->grp_depth + 1), "MsgId")) {
    set_field(x, x->msgid, sizeof x->msgid, "MsgId");
  }
}

/* ------------------------------------------------------------ emit */

static void emit(px_ctx *x) {
  const char *ref = x->e2e;
  if (!ref[0] || strcmp(ref, "NOTPROVIDED") == 0)
    ref = x->txid[0] ? x->txid : x->msgid[0] ? x->msgid : ref;
  kpw_payment p = {0};
  p.format = "pacs.008";
  p.ref = ref[0] ? ref : NULL;
  p.line = x->tx_line;
  p.parties = x->parties;
  size_t k = pay_parties(x->slots, x->nslots, x->parties);
  k += pay_parties(x->gslots, x->ngslots, x->parties + k);
  p.n_parties = k;
  if (!x->cb(x->cbctx, &p)) {
    x->stopped = true;
    XML_StopParser(x->p, XML_FALSE);
  }
}

/* ------------------------------------------------------------ handlers */

static void XMLCALL on_start(void *ud, const XML_Char *name,
                             const XML_Char **atts) {
  px_ctx *x = ud;
  touch(x);
  if (x->failed || x->stopped) return;
  if (!note_name(x, 'e', name)) {
    px_fail(x, "too many distinct element names (more than %d)", PX_MAX_NAMES);
    return;
  }
  for (size_t i = 0; atts[i]; i += 2)
    if (!note_name(x, 'a', atts[i])) {
      px_fail(x, "too many distinct attribute names");
      return;
    }
  if (x->depth == PX_MAX_DEPTH) {
    px_fail(x, "elements nested deeper than %d", PX_MAX_DEPTH);
    return;
  }
  const char *sep = strrchr(name, NS_SEP);
  const char *local = sep ? sep + 1 : name;
  size_t nslen = sep ? (size_t)(sep - name) : 0;
  if (!x->root_started) {
    x->root_started = true;
    snprintf(x->root, sizeof x->root, "%s", local);
  }
  if (x->depth > 0) x->stack[x->depth - 1].had_child = true;
  px_frame *f = &x->stack[x->depth];
  snprintf(f->name, sizeof f->name, "%s", local);
  f->had_child = false;
  int d = x->depth++;
  x->text_len = 0;
  x->text_over = false;

  if (x->doc_depth < 0) {
    if (!eq(local, "Document")) return;
    if (nslen >= strlen(PACS008_NS) &&
        memcmp(name, PACS008_NS, strlen(PACS008_NS)) == 0) {
      x->doc_depth = d;
    } else if (nslen > strlen(ISO_NS) &&
               memcmp(name, ISO_NS, strlen(ISO_NS)) == 0) {
      char ns[128];
      snprintf(ns, sizeof ns, "%.*s", (int)(nslen - strlen(ISO_NS)),
               name + strlen(ISO_NS));
      px_fail(x, "unsupported ISO 20022 message %s (only pacs.008)", ns);
      return;
    } else if (nslen == 0) {
      x->doc_depth = d;  /* no namespace: accepted, checked by its child */
    } else {
      return;  /* a Document of some other vocabulary: not ours */
    }
    x->docs++;
    reset_group(x);
    return;
  }
  int rel = d - x->doc_depth;
  if (rel == 1) {
    if (!eq(local, "FIToFICstmrCdtTrf"))
      px_fail(x, "<Document> holds <%s>, not a pacs.008 "
                 "<FIToFICstmrCdtTrf>", local);
    reset_group(x);
    return;
  }
  if (rel == 2) {
    if (eq(local, "GrpHdr")) {
      x->grp_depth = d;
    } else if (eq(local, "CdtTrfTxInf")) {
      x->tx_depth = d;
      x->tx_line = cur_line(x);
      reset_tx(x);
    }
    return;
  }
  if (x->party_depth >= 0) return;
  /* Party elements: direct children of CdtTrfTxInf or GrpHdr, and the
  ** reimbursement agents under GrpHdr/SttlmInf. */
  bool in_tx = x->tx_depth >= 0 && d == x->tx_depth + 1;
  bool in_grp = x->grp_depth >= 0 &&
                (d == x->grp_depth + 1 ||
                 (d == x->grp_depth + 2 &&
                  eq(at(x, x->grp_depth + 1), "SttlmInf")));
  if (!in_tx && !in_grp) return;
  const px_role *r = role_for(local);
  if (!r) return;
  if (in_grp && r->kind != PX_AGENT) return;
  x->party_depth = d;
  x->party = r;
  if (r->kind != PX_ACCOUNT) {
    bool *seen = NULL;
    if (!slot_for(x, in_grp, r, r->elem, &seen)) return;
    if (*seen) {
      px_fail(x, "repeated <%s> in one transaction", local);
      return;
    }
    *seen = true;
  }
}

static void XMLCALL on_end(void *ud, const XML_Char *name) {
  px_ctx *x = ud;
  (void)name;
  touch(x);
  if (x->failed || x->stopped || x->depth == 0) return;
  int d = x->depth - 1;
  if (!x->stack[d].had_child && (x->party_depth >= 0 || x->tx_depth >= 0 ||
                                 x->grp_depth >= 0))
    leaf(x);
  if (x->failed) return;
  if (d == x->party_depth) {
    x->party_depth = -1;
    x->party = NULL;
  } else if (d == x->tx_depth) {
    emit(x);
    x->tx_depth = -1;
  } else if (d == x->grp_depth) {
    x->grp_depth = -1;
  } else if (d == x->doc_depth) {
    x->doc_depth = -1;
  }
  x->depth--;
  if (x->depth == 0) {
    /* The document is complete. Suspend, so the driver can start a fresh
    ** parser for whatever follows (another concatenated document). */
    XML_Index i = XML_GetCurrentByteIndex(x->p);
    x->root_end = (uint64_t)(i > 0 ? i : 0) +
                  (uint64_t)XML_GetCurrentByteCount(x->p);
    x->root_end_line = (uint64_t)XML_GetCurrentLineNumber(x->p);
    XML_StopParser(x->p, XML_TRUE);
  }
  x->text_len = 0;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len) {
  px_ctx *x = ud;
  touch(x);
  if (x->failed || x->stopped || len <= 0) return;
  if (x->party_depth < 0 && x->tx_depth < 0 && x->grp_depth < 0) return;
  if (x->text_len + (size_t)len >= PX_TEXT_CAP) {
    x->text_over = true;
    return;
  }
  memcpy(x->text + x->text_len, s, (size_t)len);
  x->text_len += (size_t)len;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name,
                               const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal_subset) {
  px_ctx *x = ud;
  (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
  px_fail(x, "DOCTYPE declarations are not accepted in payment XML");
}

static void XMLCALL on_ns(void *ud, const XML_Char *prefix,
                          const XML_Char *uri) {
  px_ctx *x = ud;
  touch(x);
  if (x->failed) return;
  if (!note_name(x, 'p', prefix ? prefix : "") ||
      !note_name(x, 'u', uri ? uri : ""))
    px_fail(x, "too many distinct namespace prefixes or URIs");
}

static void XMLCALL on_other(void *ud, const XML_Char *s, int len) {
  (void)s, (void)len;
  touch(ud);
}

static XML_Parser new_parser(px_ctx *x) {
  XML_Parser p = XML_ParserCreateNS(NULL, NS_SEP);
  if (!p) return NULL;
  XML_SetUserData(p, x);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  XML_SetStartDoctypeDeclHandler(p, on_doctype);
  XML_SetStartNamespaceDeclHandler(p, on_ns);
  XML_SetDefaultHandlerExpand(p, on_other);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
  x->p = p;
  x->depth = 0;
  x->doc_depth = x->grp_depth = x->tx_depth = x->party_depth = -1;
  x->party = NULL;
  x->root_started = false;
  x->root_end = x->root_end_line = 0;
  x->last_event = 0;
  return p;
}

/* ------------------------------------------------------------ driver */

/* Between concatenated documents: skip blanks and comments (a comment may
** be at most PX_TOKEN_CAP bytes), counting lines. Returns the next byte,
** -1 at the end, -2 on a read error. An unterminated comment is left for
** the next parser to report. */
static int skip_between(pay_reader *r, uint64_t *lines, kpw_error *err) {
  for (;;) {
    int b = pay_rd_peek(r, 0, err);
    if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
      pay_rd_get(r, err);
      if (b == '\n') (*lines)++;
      continue;
    }
    if (b != '<' || pay_rd_peek(r, 1, err) != '!' ||
        pay_rd_peek(r, 2, err) != '-' || pay_rd_peek(r, 3, err) != '-')
      return b;
    /* Find "-->" within the cap without consuming, then consume. */
    size_t k = 4, nl = 0;
    int c;
    for (;;) {
      if (k + 2 >= PAY_READ_CAP) return b;  /* too long: let expat judge */
      c = pay_rd_peek(r, k, err);
      if (c < 0) return c == -2 ? -2 : b;
      if (c == '\n') nl++;
      if (c == '-' && pay_rd_peek(r, k + 1, err) == '-' &&
          pay_rd_peek(r, k + 2, err) == '>')
        break;
      k++;
    }
    for (size_t i = 0; i < k + 3; i++) pay_rd_get(r, err);
    *lines += nl;
  }
}

kpw_result pay_pacs_read(pay_reader *r, kpw_payment_cb cb, void *ctx,
                         kpw_error *err) {
  px_ctx *x = kpw_xcalloc(1, sizeof *x);
  x->r = r;
  x->source = r->source;
  x->err = err;
  x->cb = cb;
  x->cbctx = ctx;
  kpw_result rc = KPW_OK;
  if (!new_parser(x)) {
    rc = kpw_error_set(err, KPW_ENOMEM, r->source, 0, 0,
                       "cannot create XML parser");
    goto out;
  }
  for (;;) {
    int c = pay_rd_peek(r, 0, err);
    if (c == -2) {
      rc = err ? err->code : KPW_EIO;
      goto out;
    }
    const char *data = r->buf + r->pos;
    size_t n = r->end - r->pos;
    bool final = (c == -1);
    uint64_t chunk_abs = r->off;
    enum XML_Status st = XML_Parse(x->p, data, (int)n, final);
    if (x->failed) {
      rc = x->rc;
      goto out;
    }
    if (x->stopped) goto out;
    if (st == XML_STATUS_SUSPENDED) {
      /* A document ended inside this chunk: skip the blanks after it and
      ** start a new parser on the next byte (an XML declaration must be
      ** the first byte of its document). */
      uint64_t abs = x->parser_base + x->root_end;
      if (abs < chunk_abs || abs > chunk_abs + n) {
        rc = kpw_error_set(err, KPW_EINTERNAL, r->source, cur_line(x), abs,
                           "XML restart position outside the read window");
        goto out;
      }
      uint64_t lines = x->line_base + x->root_end_line - 1;
      XML_ParserFree(x->p);
      x->p = NULL;
      r->pos += (size_t)(abs - chunk_abs);
      r->off = abs;
      int b = skip_between(r, &lines, err);
      if (b == -2) {
        rc = err ? err->code : KPW_EIO;
        goto out;
      }
      if (b == -1) break;
      if (!new_parser(x)) {
        rc = kpw_error_set(err, KPW_ENOMEM, r->source, 0, 0,
                           "cannot create XML parser");
        goto out;
      }
      x->parser_base = r->off;
      x->line_base = lines;
      continue;
    }
    if (st != XML_STATUS_OK) {
      enum XML_Error code = XML_GetErrorCode(x->p);
      XML_Index idx = XML_GetCurrentByteIndex(x->p);
      uint64_t abs = x->parser_base + (idx > 0 ? (uint64_t)idx : 0);
      /* Only comments or processing instructions after a document. */
      if (final && code == XML_ERROR_NO_ELEMENTS && !x->root_started &&
          x->docs > 0)
        break;
      rc = kpw_error_set(err, KPW_EINPUT, r->source, cur_line(x), abs,
                         "XML error: %s", XML_ErrorString(code));
      if (abs >= chunk_abs && abs < chunk_abs + n) {
        size_t k = (size_t)(abs - chunk_abs);
        kpw_error_excerpt(err, data + k, n - k < 24 ? n - k : 24);
      }
      goto out;
    }
    r->pos = r->end;
    r->off += n;
    if (r->off - x->parser_base - x->last_event > PX_TOKEN_CAP) {
      rc = kpw_error_set(err, KPW_EINPUT, r->source, cur_line(x),
                         x->parser_base + x->last_event,
                         "XML token longer than %u bytes", PX_TOKEN_CAP);
      goto out;
    }
    if (final) break;
  }
  if (x->docs == 0)
    rc = kpw_error_set(err, KPW_EINPUT, r->source, 1, 0,
                       "no pacs.008 <Document> in this XML (root element "
                       "<%s>)", x->root);
out:
  if (x->p) XML_ParserFree(x->p);
  free(x);
  return rc;
}
