/*
** csv.c -- streaming RFC 4180 CSV reader and field writer.
**
** The reader keeps one record in memory (capped at KPW_CSV_MAX_RECORD bytes
** and KPW_CSV_MAX_FIELDS fields). Quoted fields may span lines; CRLF and LF
** both end records. Lenient where real files are: a stray quote inside an
** unquoted field is kept as a literal character. Strict where data would be
** lost: an unterminated quote at end of file, or text after a closing quote
** other than the delimiter or end of line, is an error naming the line.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kpw/util.h"

#define KPW_CSV_MAX_RECORD (1u << 20)
#define KPW_CSV_MAX_FIELDS 4096

struct kpw_csv {
  FILE *f;
  char source[256];
  char delim;
  uint64_t line;         /* current physical line (1-based) */
  uint64_t rec_line;     /* line where the last record started */
  uint64_t offset;       /* bytes consumed */
  char *rec; size_t rec_len, rec_cap;
  size_t *starts; const char **fields; size_t fields_cap;
  bool first;
};

kpw_result kpw_csv_open(FILE *f, const char *source, char delim,
                        kpw_csv **out, kpw_error *err) {
  (void)err;
  kpw_csv *c = kpw_xcalloc(1, sizeof *c);
  c->f = f;
  snprintf(c->source, sizeof c->source, "%s", source ? source : "-");
  c->delim = delim ? delim : ',';
  c->line = 1;
  c->first = true;
  *out = c;
  return KPW_OK;
}

void kpw_csv_close(kpw_csv *c) {
  if (!c) return;
  free(c->rec);
  free(c->starts);
  free(c->fields);
  free(c);
}

uint64_t kpw_csv_line(const kpw_csv *c) { return c->rec_line; }

static bool rec_putc(kpw_csv *c, char ch) {
  if (c->rec_len + 1 >= c->rec_cap) {
    if (c->rec_cap >= KPW_CSV_MAX_RECORD) return false;
    c->rec_cap = c->rec_cap ? c->rec_cap * 2 : 1024;
    c->rec = kpw_xrealloc(c->rec, c->rec_cap);
  }
  c->rec[c->rec_len++] = ch;
  return true;
}

static bool field_start(kpw_csv *c, size_t n) {
  if (n >= KPW_CSV_MAX_FIELDS) return false;
  if (n >= c->fields_cap) {
    c->fields_cap = c->fields_cap ? c->fields_cap * 2 : 32;
    c->starts = kpw_xrealloc(c->starts, c->fields_cap * sizeof *c->starts);
    c->fields = kpw_xrealloc(c->fields, c->fields_cap * sizeof *c->fields);
  }
  c->starts[n] = c->rec_len;
  return true;
}

kpw_result kpw_csv_next(kpw_csv *c, const char ***fields, size_t *n,
                        kpw_error *err) {
  int ch;
  if (c->first) {
    c->first = false;
    int a = getc(c->f);
    if (a == 0xEF) {
      int b = getc(c->f), d = getc(c->f);
      if (b != 0xBB || d != 0xBF)
        return kpw_error_set(err, KPW_EINPUT, c->source, 1, 0, "invalid byte order mark");
      c->offset += 3;
    } else if (a != EOF) {
      ungetc(a, c->f);
    }
  }
  /* Skip blank lines between records. */
  for (;;) {
    ch = getc(c->f);
    if (ch == '\r') { c->offset++; continue; }
    if (ch == '\n') { c->offset++; c->line++; continue; }
    break;
  }
  if (ch == EOF) {
    if (ferror(c->f))
      return kpw_error_set(err, KPW_EIO, c->source, c->line, c->offset, "read error");
    return KPW_DONE;
  }
  c->rec_len = 0;
  c->rec_line = c->line;
  size_t nf = 0;
  field_start(c, nf++);
  enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } st = FIELD_START;
  uint64_t quote_line = 0;
  for (;; ch = getc(c->f)) {
    if (ch != EOF) c->offset++;
    if (ch == EOF) {
      if (st == QUOTED)
        return kpw_error_set(err, KPW_EINPUT, c->source, quote_line, c->offset,
                             "unterminated quoted field (the quote opened on line %llu never closes)",
                             (unsigned long long)quote_line);
      if (ferror(c->f))
        return kpw_error_set(err, KPW_EIO, c->source, c->line, c->offset, "read error");
      break;
    }
    char x = (char)ch;
    if (st == QUOTED) {
      if (x == '"') { st = QUOTE_IN_QUOTED; continue; }
      if (x == '\n') c->line++;
      if (!rec_putc(c, x)) goto toolong;
      continue;
    }
    if (st == QUOTE_IN_QUOTED) {
      if (x == '"') { if (!rec_putc(c, '"')) goto toolong; st = QUOTED; continue; }
      if (x != c->delim && x != '\n' && x != '\r') {
        char near[2] = {x, 0};
        kpw_error_set(err, KPW_EINPUT, c->source, c->line, c->offset,
                      "unexpected character after closing quote in field %zu", nf);
        kpw_error_excerpt(err, near, 1);
        return KPW_EINPUT;
      }
      st = UNQUOTED; /* fall through to delimiter handling */
    }
    if (x == c->delim) {
      if (!rec_putc(c, 0)) goto toolong;
      if (!field_start(c, nf++)) goto toomany;
      st = FIELD_START;
      continue;
    }
    if (x == '\r') continue;
    if (x == '\n') { c->line++; break; }
    if (st == FIELD_START && x == '"') { st = QUOTED; quote_line = c->line; continue; }
    st = UNQUOTED;
    if (!rec_putc(c, x)) goto toolong;
  }
  if (!rec_putc(c, 0)) goto toolong;
  for (size_t i = 0; i < nf; i++) c->fields[i] = c->rec + c->starts[i];
  *fields = c->fields;
  *n = nf;
  return KPW_OK;
toolong:
  return kpw_error_set(err, KPW_ENOMEM, c->source, c->rec_line, c->offset,
                       "record longer than %u bytes", KPW_CSV_MAX_RECORD);
toomany:
  return kpw_error_set(err, KPW_ENOMEM, c->source, c->rec_line, c->offset,
                       "record has more than %u fields", KPW_CSV_MAX_FIELDS);
}

void kpw_csv_field(kpw_buf *b, const char *s) {
  if (!s) return;
  if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!s[0] || s[strlen(s) - 1] != ' ')) {
    kpw_buf_puts(b, s);
    return;
  }
  kpw_buf_putc(b, '"');
  for (; *s; s++) {
    if (*s == '"') kpw_buf_putc(b, '"');
    kpw_buf_putc(b, *s);
  }
  kpw_buf_putc(b, '"');
}
