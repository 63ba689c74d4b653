/*
** payments.c -- entry points of lib/payments: open the input (file, stdin
** or memory; compressed input is handled by kpw_input), detect the format
** from the first non-blank byte ('<' = ISO 20022 XML, '{' / ':' = SWIFT MT),
** and hand the stream to the matching parser. Also the helpers both parsers
** share: the buffered reader and bounded party slots.
*/
#include <string.h>
#include <ctype.h>

#include "payments/payments_internal.h"

/* ------------------------------------------------------------ reader */

/* Refill so that at least want bytes are buffered from pos (or EOF).
** Invariant: want <= PAY_READ_CAP. */
static int rd_fill(pay_reader *r, size_t want, kpw_error *err) {
  while (r->end - r->pos < want && !r->eof) {
    if (r->pos > 0) {
      memmove(r->buf, r->buf + r->pos, r->end - r->pos);
      r->end -= r->pos;
      r->pos = 0;
    }
    size_t got = 0;
    kpw_result rc = kpw_input_read(r->in, r->buf + r->end,
                                   PAY_READ_CAP - r->end, &got, err);
    if (rc != KPW_OK) return -2;
    if (got == 0) r->eof = true;
    r->end += got;
  }
  return 0;
}

int pay_rd_peek(pay_reader *r, size_t k, kpw_error *err) {
  if (k >= PAY_READ_CAP) return -1;
  if (r->end - r->pos <= k && rd_fill(r, k + 1, err) < 0) return -2;
  if (r->end - r->pos <= k) return -1;
  return (unsigned char)r->buf[r->pos + k];
}

int pay_rd_get(pay_reader *r, kpw_error *err) {
  int c = pay_rd_peek(r, 0, err);
  if (c < 0) return c;
  r->pos++;
  r->off++;
  if (c == '\n') r->line++;
  return c;
}

/* ------------------------------------------------------------ slots */

void pay_slot_init(pay_slot *s, const char *role, const char *field) {
  s->role = role;
  snprintf(s->field, sizeof s->field, "%s", field ? field : "");
  s->name[0] = s->address[0] = s->account[0] = s->bic[0] = '\0';
  s->country[0] = s->identifier[0] = s->birth_date[0] = '\0';
  s->name_len = s->addr_len = 0;
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
         c == '\v';
}

bool pay_append(char *dst, size_t cap, size_t *len, const char *s, size_t n,
                const char *sep) {
  /* Trim, then copy collapsing whitespace runs to one space. */
  while (n > 0 && is_space(s[0])) s++, n--;
  while (n > 0 && is_space(s[n - 1])) n--;
  if (n == 0) return true;
  size_t l = *len;
  if (l > 0 && sep) {
    size_t sl = strlen(sep);
    if (l + sl >= cap) return false;
    memcpy(dst + l, sep, sl);
    l += sl;
  }
  bool in_space = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (is_space(c)) {
      in_space = true;
      continue;
    }
    if (in_space) {
      if (l + 1 >= cap) return false;
      dst[l++] = ' ';
      in_space = false;
    }
    if (l + 1 >= cap) return false;
    dst[l++] = c;
  }
  dst[l] = '\0';
  *len = l;
  return true;
}

bool pay_set(char *dst, size_t cap, const char *s, size_t n) {
  size_t len = 0;
  dst[0] = '\0';
  return pay_append(dst, cap, &len, s, n, NULL);
}

bool pay_bic_valid(const char *s, size_t n) {
  if (n != 8 && n != 11) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    bool up = c >= 'A' && c <= 'Z', dig = c >= '0' && c <= '9';
    if (i < 6 ? !up : !(up || dig)) return false;
  }
  return true;
}

void pay_bic_norm(char *bic) {
  if (strlen(bic) == 11 && memcmp(bic + 8, "XXX", 3) == 0) bic[8] = '\0';
}

bool pay_slot_used(const pay_slot *s) {
  return s->name[0] || s->bic[0] || s->account[0] || s->identifier[0] ||
         s->address[0];
}

static const char *nz(const char *s) { return s[0] ? s : NULL; }

size_t pay_parties(const pay_slot *slots, size_t n, kpw_party *parties) {
  size_t k = 0;
  for (size_t i = 0; i < n && k < PAY_MAX_PARTIES; i++) {
    const pay_slot *s = &slots[i];
    if (!pay_slot_used(s)) continue;
    kpw_party *p = &parties[k++];
    p->role = s->role;
    p->field = s->field;
    p->name = nz(s->name);
    p->account = nz(s->account);
    p->bic = nz(s->bic);
    p->country = nz(s->country);
    p->address = nz(s->address);
    p->birth_date = nz(s->birth_date);
    p->identifier = nz(s->identifier);
  }
  return k;
}

/* ------------------------------------------------------------ detection */

static kpw_result read_stream(kpw_input *in, const char *source,
                              kpw_payment_cb cb, void *ctx, kpw_error *err) {
  pay_reader *r = kpw_xcalloc(1, sizeof *r);
  r->in = in;
  r->source = source;
  r->line = 1;
  kpw_result rc;
  /* Find the first meaningful byte: skip a UTF-8 BOM and blanks (and the
  ** SOH/ETX/'$' separators some MT spool files carry). */
  size_t i = 0;
  uint64_t line = 1;
  int c;
  if (pay_rd_peek(r, 0, err) == 0xEF && pay_rd_peek(r, 1, err) == 0xBB &&
      pay_rd_peek(r, 2, err) == 0xBF)
    i = 3;
  for (;; i++) {
    c = pay_rd_peek(r, i, err);
    if (c == -2) {
      rc = err ? err->code : KPW_EIO;
      goto out;
    }
    if (c == -1 || !(is_space((char)c) || c == 0x01 || c == 0x03 || c == '$'))
      break;
    if (c == '\n') line++;
  }
  if (c == -1) {
    if (i >= PAY_READ_CAP - 1)
      rc = kpw_error_set(err, KPW_EINPUT, source, 1, 0,
                         "no message in the first %u bytes",
                         (unsigned)(PAY_READ_CAP - 1));
    else
      rc = kpw_error_set(err, KPW_EINPUT, source, 1, 0,
                         "empty payments input (no MT103 or pacs.008 message)");
    goto out;
  }
  if (c == '<') {
    rc = pay_pacs_read(r, cb, ctx, err);
  } else if (c == '{' || c == ':') {
    rc = pay_mt_read(r, cb, ctx, err);
  } else {
    char b = (char)c;
    rc = kpw_error_set(err, KPW_EINPUT, source, line, i,
                       "not a payments file: expected SWIFT MT ('{1:' or "
                       "':20:') or ISO 20022 XML ('<')");
    kpw_error_excerpt(err, &b, 1);
  }
out:
  free(r);
  return rc;
}

kpw_result kpw_payments_read(const char *path, kpw_payment_cb cb, void *ctx,
                             kpw_error *err) {
  if (!path || !cb)
    return kpw_error_set(err, KPW_EUSAGE, path ? path : "", 0, 0,
                         "kpw_payments_read: path and callback required");
  kpw_input *in = NULL;
  kpw_result rc = kpw_input_open(path, &in, err);
  if (rc != KPW_OK) return rc;
  rc = read_stream(in, path, cb, ctx, err);
  kpw_input_close(in);
  return rc;
}

kpw_result kpw_payments_read_mem(const void *data, size_t n,
                                 const char *source, kpw_payment_cb cb,
                                 void *ctx, kpw_error *err) {
  if (!source) source = "<memory>";
  if ((!data && n > 0) || !cb)
    return kpw_error_set(err, KPW_EUSAGE, source, 0, 0,
                         "kpw_payments_read_mem: data and callback required");
  kpw_input *in = NULL;
  kpw_result rc = kpw_input_open_mem(data ? data : "", n, source, &in, err);
  if (rc != KPW_OK) return rc;
  rc = read_stream(in, source, cb, ctx, err);
  kpw_input_close(in);
  return rc;
}
