/*
** mt.c -- SWIFT MT103 (and the party fields of other MT types) for
** screening: splits a stream into messages, each either in block form
** {1:...}{2:...}{3:{...}}{4:\r\n:20:...\r\n-}{5:{...}} or as bare block-4
** text (":20:..." lines, messages separated by a "-" or "$" line or by the
** next ":20:"), then reads the party fields:
**   50a ordering customer (A: account+BIC, F: structured 1/ 2/ 3/ 4/ lines,
**       K: account, name, address), 59a beneficiary (no letter, A, F),
**   51A, 52a, 53a, 54a, 55a, 56a, 57a, 58a institutions (A: BIC, B:
**       location, C: account, D: name and address),
** plus the sender and receiver BICs of blocks 1 and 2.
**
** Bounds: one message is at most MT_MSG_CAP bytes, MT_MAX_LINES lines and
** MT_MAX_FIELDS fields; a name or address that does not fit its slot is an
** error, never truncated. Every error names the line where it happened.
*/
#include <string.h>
#include <ctype.h>

#include "payments/payments_internal.h"

#define MT_MSG_CAP    (64u * 1024u)
#define MT_MAX_LINES  2048
#define MT_MAX_FIELDS 256
#define MT_MAX_BLOCKS 8
#define MT_MAX_DEPTH  8     /* brace nesting inside blocks 3/5/S */

typedef struct mt_line { const char *p; size_t n; uint64_t line; } mt_line;
typedef struct mt_field {
  char tag[4];            /* "50K", "59", "20" */
  size_t first, count;    /* lines[first .. first+count) */
  uint64_t line;
} mt_field;
typedef struct mt_block {
  char id[4];
  size_t start, end;      /* content msg[start..end), NUL at msg[end] */
  uint64_t line;          /* line where the content starts */
} mt_block;

typedef struct mt_ctx {
  pay_reader *r;
  kpw_error *err;
  const char *source;
  char msg[MT_MSG_CAP];
  size_t len;
  uint64_t msg_line, msg_off;
  mt_block blocks[MT_MAX_BLOCKS];
  size_t nblocks;
  mt_line lines[MT_MAX_LINES];
  size_t nlines;
  mt_field fields[MT_MAX_FIELDS];
  size_t nfields;
  pay_slot slots[PAY_MAX_PARTIES];
  size_t nslots;
  kpw_party parties[PAY_MAX_PARTIES];
  char ref[PAY_REF_CAP];
  char format[16];
} mt_ctx;

static bool is_blank(int c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static kpw_result rd_error(mt_ctx *m) {
  return m->err ? m->err->code : KPW_EIO;
}

static kpw_result put(mt_ctx *m, int c) {
  if (m->len + 1 >= MT_MSG_CAP)
    return kpw_error_set(m->err, KPW_EINPUT, m->source, m->msg_line,
                         m->msg_off, "message longer than %u bytes",
                         (unsigned)(MT_MSG_CAP - 1));
  m->msg[m->len++] = (char)c;
  return KPW_OK;
}

/* ------------------------------------------------------------ splitting */

/* Read the blocks of one message; stops before a later {1: block. */
static kpw_result read_blocks(mt_ctx *m) {
  pay_reader *r = m->r;
  kpw_result rc;
  for (;;) {
    int c;
    while ((c = pay_rd_peek(r, 0, m->err)) >= 0 && is_blank(c))
      pay_rd_get(r, m->err);
    if (c == -2) return rd_error(m);
    if (c != '{') break;
    char id[4];
    size_t k = 0;
    for (;;) {
      c = pay_rd_peek(r, 1 + k, m->err);
      if (c == -2) return rd_error(m);
      if (c == ':' || k == 3 || !isalnum(c)) break;
      id[k++] = (char)c;
    }
    id[k] = '\0';
    if (k == 0 || c != ':')
      return kpw_error_set(m->err, KPW_EINPUT, m->source, r->line, r->off,
                           "malformed block header (expected '{N:')");
    if (m->nblocks > 0 && strcmp(id, "1") == 0) break;  /* next message */
    if (m->nblocks == MT_MAX_BLOCKS)
      return kpw_error_set(m->err, KPW_EINPUT, m->source, r->line, r->off,
                           "more than %d blocks in one message",
                           MT_MAX_BLOCKS);
    for (size_t i = 0; i < k + 2; i++) pay_rd_get(r, m->err);
    mt_block *b = &m->blocks[m->nblocks];
    memcpy(b->id, id, k + 1);
    b->line = r->line;
    b->start = m->len;
    uint64_t open_line = r->line;
    if (strcmp(id, "4") == 0) {
      /* Text block: ends at a line that starts with "-}". */
      bool bol = true;
      for (;;) {
        c = pay_rd_get(r, m->err);
        if (c == -2) return rd_error(m);
        if (c == -1)
          return kpw_error_set(m->err, KPW_EINPUT, m->source, open_line,
                               m->msg_off,
                               "unterminated block 4 (no closing '-}' line)");
        if (bol && c == '-') {
          int d = pay_rd_peek(r, 0, m->err);
          if (d == -2) return rd_error(m);
          if (d == '}') {
            pay_rd_get(r, m->err);
            break;
          }
        }
        if ((rc = put(m, c)) != KPW_OK) return rc;
        bol = (c == '\n');
      }
    } else {
      int depth = 1;
      for (;;) {
        c = pay_rd_get(r, m->err);
        if (c == -2) return rd_error(m);
        if (c == -1)
          return kpw_error_set(m->err, KPW_EINPUT, m->source, open_line,
                               m->msg_off, "unterminated block {%s:", id);
        if (c == '{') {
          if (++depth > MT_MAX_DEPTH)
            return kpw_error_set(m->err, KPW_EINPUT, m->source, r->line,
                                 r->off, "braces nested deeper than %d",
                                 MT_MAX_DEPTH);
        } else if (c == '}') {
          if (--depth == 0) break;
        }
        if ((rc = put(m, c)) != KPW_OK) return rc;
      }
    }
    b->end = m->len;
    if ((rc = put(m, '\0')) != KPW_OK) return rc;
    m->nblocks++;
  }
  return KPW_OK;
}

/* Bare block-4 text: lines until "-", "-}", "$", "{" or a second ":20:". */
static kpw_result read_bare(mt_ctx *m) {
  pay_reader *r = m->r;
  kpw_result rc;
  mt_block *b = &m->blocks[0];
  strcpy(b->id, "4");
  b->line = r->line;
  b->start = 0;
  bool seen20 = false;
  for (;;) {
    int c0 = pay_rd_peek(r, 0, m->err);
    if (c0 == -2) return rd_error(m);
    if (c0 == -1 || c0 == '{' || c0 == '$') break;
    if (c0 == '-') {
      /* A terminator line is "-" or "-}" with nothing after but blanks. */
      size_t k = 1;
      int c = pay_rd_peek(r, k, m->err);
      if (c == '}') c = pay_rd_peek(r, ++k, m->err);
      while (c == ' ' || c == '\t' || c == '\r') c = pay_rd_peek(r, ++k, m->err);
      if (c == -2) return rd_error(m);
      if (c == '\n' || c == -1) {
        for (size_t i = 0; i < k; i++) pay_rd_get(r, m->err);
        if (c == '\n') pay_rd_get(r, m->err);
        break;
      }
    }
    if (c0 == ':' && pay_rd_peek(r, 1, m->err) == '2' &&
        pay_rd_peek(r, 2, m->err) == '0' && pay_rd_peek(r, 3, m->err) == ':') {
      if (seen20) break;
      seen20 = true;
    }
    int c;
    do {
      c = pay_rd_get(r, m->err);
      if (c == -2) return rd_error(m);
      if (c == -1) break;
      if ((rc = put(m, c)) != KPW_OK) return rc;
    } while (c != '\n');
    if (c == -1) break;
  }
  b->end = m->len;
  if ((rc = put(m, '\0')) != KPW_OK) return rc;
  m->nblocks = 1;
  return KPW_OK;
}

/* ------------------------------------------------------------ checks */

/* Valid UTF-8 with no control bytes other than CR, LF, TAB. */
static kpw_result check_text(mt_ctx *m, const mt_block *b) {
  const char *s = m->msg + b->start;
  size_t n = b->end - b->start;
  size_t ok = kpw_utf8_valid_prefix(s, n);
  size_t bad = ok;
  for (size_t i = 0; i < ok; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f) {
      bad = i;
      break;
    }
  }
  if (bad == n) return KPW_OK;
  uint64_t line = b->line;
  for (size_t i = 0; i < bad; i++)
    if (s[i] == '\n') line++;
  kpw_error_set(m->err, KPW_EINPUT, m->source, line, m->msg_off,
                bad < ok ? "control character in block {%s:"
                         : "invalid UTF-8 in block {%s:",
                b->id);
  kpw_error_excerpt(m->err, s + bad, n - bad < 8 ? n - bad : 8);
  return KPW_EINPUT;
}

static const mt_block *find_block(const mt_ctx *m, const char *id) {
  for (size_t i = 0; i < m->nblocks; i++)
    if (strcmp(m->blocks[i].id, id) == 0) return &m->blocks[i];
  return NULL;
}

/* ------------------------------------------------------------ slots */

static pay_slot *new_slot(mt_ctx *m, const char *role, const char *field,
                          uint64_t line) {
  if (m->nslots == PAY_MAX_PARTIES) {
    kpw_error_set(m->err, KPW_EINPUT, m->source, line, m->msg_off,
                  "more than %d parties in one message", PAY_MAX_PARTIES);
    return NULL;
  }
  pay_slot *s = &m->slots[m->nslots++];
  pay_slot_init(s, role, field);
  return s;
}

/* LT address (12 chars: BIC8, terminal code, branch) -> BIC8 or BIC11. */
static bool lt_to_bic(const char *lt, char *bic) {
  char b[12];
  memcpy(b, lt, 8);
  size_t n = 8;
  if (memcmp(lt + 9, "XXX", 3) != 0) {
    memcpy(b + 8, lt + 9, 3);
    n = 11;
  }
  if (!pay_bic_valid(b, n) || !isalnum((unsigned char)lt[8])) return false;
  memcpy(bic, b, n);
  bic[n] = '\0';
  return true;
}

/* Blocks 1 and 2: sender/receiver BICs and the message type. */
static kpw_result header_parties(mt_ctx *m, char type[4]) {
  const mt_block *b1 = find_block(m, "1"), *b2 = find_block(m, "2");
  char bic1[PAY_BIC_CAP] = "", bic2[PAY_BIC_CAP] = "";
  bool output = false;
  strcpy(type, "103");
  if (b1) {
    const char *s = m->msg + b1->start;
    size_t n = b1->end - b1->start;
    if (n < 15 || !strchr("FAL", s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]) || !lt_to_bic(s + 3, bic1)) {
      kpw_error_set(m->err, KPW_EINPUT, m->source, b1->line, m->msg_off,
                    "malformed block 1 (expected F01 + 12-character LT "
                    "address)");
      kpw_error_excerpt(m->err, s, n < 32 ? n : 32);
      return KPW_EINPUT;
    }
  }
  if (b2) {
    const char *s = m->msg + b2->start;
    size_t n = b2->end - b2->start;
    bool ok = n >= 4 && (s[0] == 'I' || s[0] == 'O') &&
              isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
              isdigit((unsigned char)s[3]);
    if (ok && s[0] == 'I') ok = n >= 16 && lt_to_bic(s + 4, bic2);
    if (ok && s[0] == 'O') {
      output = true;
      ok = n >= 26 && lt_to_bic(s + 14, bic2);
    }
    if (!ok) {
      kpw_error_set(m->err, KPW_EINPUT, m->source, b2->line, m->msg_off,
                    "malformed block 2 (expected I103 + receiver address or "
                    "O103 + time + MIR)");
      kpw_error_excerpt(m->err, s, n < 32 ? n : 32);
      return KPW_EINPUT;
    }
    memcpy(type, s + 1, 3);
    type[3] = '\0';
  }
  /* Input messages: block 1 is the sender, block 2 the receiver; output
  ** messages are the other way round. */
  const char *r1 = output ? "receiver" : "sender";
  const char *r2 = output ? "sender" : "receiver";
  if (bic1[0]) {
    pay_slot *s = new_slot(m, r1, "1", b1->line);
    if (!s) return KPW_EINPUT;
    strcpy(s->bic, bic1);
  }
  if (bic2[0]) {
    pay_slot *s = new_slot(m, r2, "2", b2->line);
    if (!s) return KPW_EINPUT;
    strcpy(s->bic, bic2);
  }
  return KPW_OK;
}

/* ------------------------------------------------------------ fields */

static kpw_result split_lines(mt_ctx *m, const mt_block *b) {
  const char *s = m->msg + b->start, *e = m->msg + b->end;
  uint64_t line = b->line;
  m->nlines = 0;
  while (s < e) {
    const char *nl = memchr(s, '\n', (size_t)(e - s));
    const char *end = nl ? nl : e;
    size_t n = (size_t)(end - s);
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
      n--;
    if (m->nlines == MT_MAX_LINES)
      return kpw_error_set(m->err, KPW_EINPUT, m->source, line, m->msg_off,
                           "more than %d lines in one message", MT_MAX_LINES);
    m->lines[m->nlines++] = (mt_line){s, n, line};
    line++;
    s = nl ? nl + 1 : e;
  }
  return KPW_OK;
}

/* ":NN:" or ":NNa:" at the start of a line: returns the tag length. */
static size_t tag_len(const char *p, size_t n) {
  if (n < 4 || p[0] != ':' || !isdigit((unsigned char)p[1]) ||
      !isdigit((unsigned char)p[2]))
    return 0;
  if (p[3] == ':') return 2;
  if (n >= 5 && p[3] >= 'A' && p[3] <= 'Z' && p[4] == ':') return 3;
  return 0;
}

static kpw_result split_fields(mt_ctx *m) {
  m->nfields = 0;
  mt_field *cur = NULL;
  for (size_t i = 0; i < m->nlines; i++) {
    mt_line *l = &m->lines[i];
    size_t t = tag_len(l->p, l->n);
    if (t) {
      if (m->nfields == MT_MAX_FIELDS)
        return kpw_error_set(m->err, KPW_EINPUT, m->source, l->line,
                             m->msg_off, "more than %d fields in one message",
                             MT_MAX_FIELDS);
      cur = &m->fields[m->nfields++];
      memcpy(cur->tag, l->p + 1, t);
      cur->tag[t] = '\0';
      cur->first = i;
      cur->count = 1;
      cur->line = l->line;
      l->p += t + 2;  /* the first value line follows the tag */
      l->n -= t + 2;
    } else if (cur) {
      cur->count++;
    } else if (l->n > 0) {
      kpw_error_set(m->err, KPW_EINPUT, m->source, l->line, m->msg_off,
                    "text before the first field (expected ':20:')");
      kpw_error_excerpt(m->err, l->p, l->n < 32 ? l->n : 32);
      return KPW_EINPUT;
    }
  }
  return KPW_OK;
}

static kpw_result too_long(mt_ctx *m, const mt_field *f, const mt_line *l,
                           const char *what) {
  return kpw_error_set(m->err, KPW_EINPUT, m->source, l ? l->line : f->line,
                       m->msg_off, "%s too long in :%s:", what, f->tag);
}

/* "/account" line: strips the slash and a "/C/" or "/D/" debit-credit mark. */
static kpw_result set_account(mt_ctx *m, const mt_field *f, const mt_line *l,
                              pay_slot *s) {
  const char *p = l->p + 1;
  size_t n = l->n - 1;
  if (n >= 2 && (p[0] == 'C' || p[0] == 'D') && p[1] == '/') p += 2, n -= 2;
  if (!pay_set(s->account, sizeof s->account, p, n))
    return too_long(m, f, l, "account");
  return KPW_OK;
}

/* Country from the last address line: the whole line, the part after its
** last comma, or its last word (>= 4 letters: "DPRK", "CHINA"); 2-letter
** tokens are not trusted here ("CA" may be a US state). */
static void guess_country(const char *line, char out[3]) {
  char buf[128];
  size_t n = strlen(line);
  if (n == 0 || n >= sizeof buf) return;
  const char *cands[3];
  size_t nc = 0;
  cands[nc++] = line;
  const char *comma = strrchr(line, ',');
  if (comma) cands[nc++] = comma + 1;
  const char *sp = strrchr(line, ' ');
  if (sp && strlen(sp + 1) >= 4) cands[nc++] = sp + 1;
  for (size_t i = 0; i < nc; i++) {
    const char *c = cands[i];
    while (*c == ' ') c++;
    size_t l = strlen(c);
    if (l < 3) continue;
    memcpy(buf, c, l + 1);
    const char *cc = kpw_country_code(buf);
    if (cc && strlen(cc) == 2) {
      out[0] = (char)tolower((unsigned char)cc[0]);
      out[1] = (char)tolower((unsigned char)cc[1]);
      out[2] = '\0';
      return;
    }
  }
}

/* Options K, D, H and 59 without letter: [/account] name, address lines. */
static kpw_result opt_name_address(mt_ctx *m, const mt_field *f, pay_slot *s) {
  size_t i = f->first, end = f->first + f->count;
  kpw_result rc;
  if (i < end && m->lines[i].n > 0 && m->lines[i].p[0] == '/') {
    if ((rc = set_account(m, f, &m->lines[i], s)) != KPW_OK) return rc;
    i++;
  }
  for (; i < end && m->lines[i].n == 0; i++) {}
  if (i == end)
    return kpw_error_set(m->err, KPW_EINPUT, m->source, f->line, m->msg_off,
                         ":%s: has no name line", f->tag);
  if (!pay_append(s->name, sizeof s->name, &s->name_len, m->lines[i].p,
                  m->lines[i].n, " "))
    return too_long(m, f, &m->lines[i], "name");
  const mt_line *last = NULL;
  for (i++; i < end; i++) {
    if (m->lines[i].n == 0) continue;
    if (!pay_append(s->address, sizeof s->address, &s->addr_len,
                    m->lines[i].p, m->lines[i].n, ", "))
      return too_long(m, f, &m->lines[i], "address");
    last = &m->lines[i];
  }
  if (last) {
    char tmp[128];
    if (pay_set(tmp, sizeof tmp, last->p, last->n))
      guess_country(tmp, s->country);
  }
  return KPW_OK;
}

/* Option A: [/account or /C/ /D/ mark] then a BIC line. */
static kpw_result opt_bic(mt_ctx *m, const mt_field *f, pay_slot *s) {
  size_t i = f->first, end = f->first + f->count;
  kpw_result rc;
  if (i < end && m->lines[i].n > 0 && m->lines[i].p[0] == '/') {
    if ((rc = set_account(m, f, &m->lines[i], s)) != KPW_OK) return rc;
    i++;
  }
  if (i == end || !pay_bic_valid(m->lines[i].p, m->lines[i].n)) {
    const mt_line *l = i < end ? &m->lines[i] : &m->lines[end - 1];
    kpw_error_set(m->err, KPW_EINPUT, m->source, l->line, m->msg_off,
                  ":%s: needs a BIC (8 or 11 characters, e.g. KKBCKPPY)",
                  f->tag);
    kpw_error_excerpt(m->err, l->p, l->n < 32 ? l->n : 32);
    return KPW_EINPUT;
  }
  memcpy(s->bic, m->lines[i].p, m->lines[i].n);
  s->bic[m->lines[i].n] = '\0';
  pay_bic_norm(s->bic);
  return KPW_OK;
}

/* Option B: [/party identifier] [location]. Option C: /account. */
static kpw_result opt_location(mt_ctx *m, const mt_field *f, pay_slot *s) {
  size_t i = f->first, end = f->first + f->count;
  kpw_result rc;
  if (i < end && m->lines[i].n > 0 && m->lines[i].p[0] == '/') {
    if ((rc = set_account(m, f, &m->lines[i], s)) != KPW_OK) return rc;
    i++;
  }
  for (; i < end; i++)
    if (!pay_append(s->address, sizeof s->address, &s->addr_len,
                    m->lines[i].p, m->lines[i].n, ", "))
      return too_long(m, f, &m->lines[i], "location");
  return KPW_OK;
}

static bool all_digits(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)p[i])) return false;
  return n > 0;
}

/* Option F (50F, 59F): first line "/account" or "CODE/CC/identifier",
** then numbered lines 1/ name, 2/ address, 3/ CC/town, 4/ YYYYMMDD birth
** date, 5/ CC/place of birth, 6/ CC/issuer/customer id, 7/ CC/national
** id, 8/ continuation of 6/ or 7/. */
static kpw_result opt_structured(mt_ctx *m, const mt_field *f, pay_slot *s) {
  size_t i = f->first, end = f->first + f->count;
  kpw_result rc;
  if (i < end) {
    const mt_line *l = &m->lines[i];
    bool numbered = l->n >= 2 && l->p[0] >= '1' && l->p[0] <= '8' &&
                    l->p[1] == '/';
    if (l->n > 0 && l->p[0] == '/') {
      if ((rc = set_account(m, f, l, s)) != KPW_OK) return rc;
      i++;
    } else if (!numbered && l->n > 0) {
      /* Party identifier: 4 letters, '/', the rest ("CCPT/KP/745112"). */
      bool ok = l->n > 5 && l->p[4] == '/';
      for (size_t k = 0; ok && k < 4; k++)
        ok = l->p[k] >= 'A' && l->p[k] <= 'Z';
      if (!ok) {
        kpw_error_set(m->err, KPW_EINPUT, m->source, l->line, m->msg_off,
                      ":%s: first line must be /account or CODE/CC/identifier",
                      f->tag);
        kpw_error_excerpt(m->err, l->p, l->n < 32 ? l->n : 32);
        return KPW_EINPUT;
      }
      if (!pay_set(s->identifier, sizeof s->identifier, l->p, l->n))
        return too_long(m, f, l, "party identifier");
      i++;
    }
  }
  char prev = 0;
  for (; i < end; i++) {
    const mt_line *l = &m->lines[i];
    if (l->n == 0) continue;
    if (!(l->n >= 2 && l->p[0] >= '1' && l->p[0] <= '8' && l->p[1] == '/')) {
      kpw_error_set(m->err, KPW_EINPUT, m->source, l->line, m->msg_off,
                    ":%s: expected a numbered line (1/ to 8/)", f->tag);
      kpw_error_excerpt(m->err, l->p, l->n < 32 ? l->n : 32);
      return KPW_EINPUT;
    }
    char code = l->p[0];
    const char *v = l->p + 2;
    size_t n = l->n - 2;
    switch (code) {
    case '1':
      if (!pay_append(s->name, sizeof s->name, &s->name_len, v, n, " "))
        return too_long(m, f, l, "name");
      break;
    case '2':
      if (!pay_append(s->address, sizeof s->address, &s->addr_len, v, n, ", "))
        return too_long(m, f, l, "address");
      break;
    case '3': {
      /* First 3/ line: "CC" or "CC/town"; further 3/ lines continue it. */
      if (prev != '3') {
        if (n < 2 || !isalpha((unsigned char)v[0]) ||
            !isalpha((unsigned char)v[1]) || (n > 2 && v[2] != '/')) {
          kpw_error_set(m->err, KPW_EINPUT, m->source, l->line, m->msg_off,
                        ":%s: line 3/ must start with a country code "
                        "(3/KP/PYONGYANG)", f->tag);
          return KPW_EINPUT;
        }
        s->country[0] = (char)tolower((unsigned char)v[0]);
        s->country[1] = (char)tolower((unsigned char)v[1]);
        s->country[2] = '\0';
        v += n > 2 ? 3 : 2;
        n -= n > 2 ? 3 : 2;
        if (!pay_append(s->address, sizeof s->address, &s->addr_len, v, n,
                        ", "))
          return too_long(m, f, l, "address");
      } else if (!pay_append(s->address, sizeof s->address, &s->addr_len, v,
                             n, " ")) {
        return too_long(m, f, l, "address");
      }
      break;
    }
    case '4':
      if (n != 8 || !all_digits(v, 8)) {
        kpw_error_set(m->err, KPW_EINPUT, m->source, l->line, m->msg_off,
                      ":%s: line 4/ must be a birth date YYYYMMDD", f->tag);
        kpw_error_excerpt(m->err, v, n < 16 ? n : 16);
        return KPW_EINPUT;
      }
      snprintf(s->birth_date, sizeof s->birth_date, "%.4s-%.2s-%.2s", v,
               v + 4, v + 6);
      break;
    case '6':
    case '7':
      /* Keep the first identifier, marked with its kind like line 1 does. */
      if (!s->identifier[0]) {
        char tmp[PAY_IDENT_CAP];
        if (n + 6 >= sizeof tmp) return too_long(m, f, l, "identifier");
        snprintf(tmp, sizeof tmp, "%s/%.*s", code == '6' ? "CUST" : "NIDN",
                 (int)n, v);
        if (!pay_set(s->identifier, sizeof s->identifier, tmp, strlen(tmp)))
          return too_long(m, f, l, "identifier");
      }
      break;
    default:  /* 5/ place of birth, 8/ continuation: not screened */
      break;
    }
    prev = code;
  }
  if (!s->name[0] && !s->account[0] && !s->identifier[0])
    return kpw_error_set(m->err, KPW_EINPUT, m->source, f->line, m->msg_off,
                         ":%s: has neither a 1/ name nor an account", f->tag);
  return KPW_OK;
}

static const char *role_of(const char *tag) {
  switch ((tag[0] - '0') * 10 + (tag[1] - '0')) {
  case 50: return "ordering_customer";
  case 51: return "sending_institution";
  case 52: return "ordering_institution";
  case 53: return "senders_correspondent";
  case 54: return "receivers_correspondent";
  case 55: return "third_reimbursement_institution";
  case 56: return "intermediary_institution";
  case 57: return "account_with_institution";
  case 58: return "beneficiary_institution";
  case 59: return "beneficiary";
  default: return NULL;
  }
}

static kpw_result party_field(mt_ctx *m, const mt_field *f, const char *role) {
  pay_slot *s = new_slot(m, role, f->tag, f->line);
  if (!s) return KPW_EINPUT;
  char opt = f->tag[2];
  bool customer = f->tag[0] == '5' && (f->tag[1] == '0' || f->tag[1] == '9');
  kpw_result rc;
  switch (opt) {
  case 'A': case 'G': rc = opt_bic(m, f, s); break;
  case 'F': rc = customer ? opt_structured(m, f, s) : opt_name_address(m, f, s);
    break;
  case 'K': case 'H': case 'D': case '\0':
    rc = opt_name_address(m, f, s);
    break;
  case 'B': case 'C': rc = opt_location(m, f, s); break;
  default:
    rc = kpw_error_set(m->err, KPW_EINPUT, m->source, f->line, m->msg_off,
                       "unsupported option :%s:", f->tag);
  }
  if (rc == KPW_OK && !pay_slot_used(s)) m->nslots--;  /* nothing to screen */
  return rc;
}

/* ------------------------------------------------------------ message */

static kpw_result parse_message(mt_ctx *m, kpw_payment_cb cb, void *ctx,
                                bool *stop) {
  kpw_result rc;
  for (size_t i = 0; i < m->nblocks; i++) {
    for (size_t j = 0; j < i; j++)
      if (strcmp(m->blocks[i].id, m->blocks[j].id) == 0)
        return kpw_error_set(m->err, KPW_EINPUT, m->source, m->blocks[i].line,
                             m->msg_off, "duplicate block {%s:",
                             m->blocks[i].id);
    if ((rc = check_text(m, &m->blocks[i])) != KPW_OK) return rc;
  }
  const mt_block *b4 = find_block(m, "4");
  if (!b4)
    return kpw_error_set(m->err, KPW_EINPUT, m->source, m->msg_line,
                         m->msg_off, "message has no text block {4:");
  m->nslots = 0;
  char type[4];
  if ((rc = header_parties(m, type)) != KPW_OK) return rc;
  if ((rc = split_lines(m, b4)) != KPW_OK) return rc;
  if ((rc = split_fields(m)) != KPW_OK) return rc;
  m->ref[0] = '\0';
  bool has50 = false, has59 = false, has20 = false;
  for (size_t i = 0; i < m->nfields; i++) {
    const mt_field *f = &m->fields[i];
    if (strcmp(f->tag, "20") == 0) {
      const mt_line *l = &m->lines[f->first];
      if (!pay_set(m->ref, sizeof m->ref, l->p, l->n))
        return too_long(m, f, l, "reference");
      has20 = m->ref[0] != '\0';
      continue;
    }
    const char *role = role_of(f->tag);
    if (!role) continue;
    has50 |= f->tag[0] == '5' && f->tag[1] == '0';
    has59 |= f->tag[0] == '5' && f->tag[1] == '9';
    if ((rc = party_field(m, f, role)) != KPW_OK) return rc;
  }
  if (!has20)
    return kpw_error_set(m->err, KPW_EINPUT, m->source, b4->line, m->msg_off,
                         "message has no :20: reference");
  if (strcmp(type, "103") == 0 && (!has50 || !has59))
    return kpw_error_set(m->err, KPW_EINPUT, m->source, b4->line, m->msg_off,
                         "MT103 without %s", !has50 ? ":50a: (ordering customer)"
                                                    : ":59a: (beneficiary)");
  snprintf(m->format, sizeof m->format, "mt%s", type);
  kpw_payment p = {0};
  p.format = m->format;
  p.ref = m->ref;
  p.line = m->msg_line;
  p.parties = m->parties;
  p.n_parties = pay_parties(m->slots, m->nslots, m->parties);
  if (!cb(ctx, &p)) *stop = true;
  return KPW_OK;
}

kpw_result pay_mt_read(pay_reader *r, kpw_payment_cb cb, void *ctx,
                       kpw_error *err) {
  mt_ctx *m = kpw_xmalloc(sizeof *m);
  m->r = r;
  m->err = err;
  m->source = r->source;
  kpw_result rc = KPW_OK;
  bool stop = false;
  while (!stop) {
    int c;
    /* Between messages: blanks and the SOH/ETX/'$' separators of spool
    ** files. */
    while ((c = pay_rd_peek(r, 0, err)) >= 0 &&
           (is_blank(c) || c == 0x01 || c == 0x03 || c == '$'))
      pay_rd_get(r, err);
    if (c == -2) {
      rc = rd_error(m);
      break;
    }
    if (c == -1) break;
    m->len = 0;
    m->nblocks = 0;
    m->msg_line = r->line;
    m->msg_off = r->off;
    if (c == '{') {
      rc = read_blocks(m);
    } else if (c == ':') {
      rc = read_bare(m);
    } else {
      char b = (char)c;
      rc = kpw_error_set(err, KPW_EINPUT, r->source, r->line, r->off,
                         "expected a message ('{1:' or ':20:')");
      kpw_error_excerpt(err, &b, 1);
    }
    if (rc != KPW_OK) break;
    if ((rc = parse_message(m, cb, ctx, &stop)) != KPW_OK) break;
  }
  free(m);
  return rc;
}
