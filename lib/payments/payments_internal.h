/*
** payments_internal.h -- shared pieces of the payment-message parsers
** (lib/payments): a buffered byte reader over kpw_input, fixed-size party
** slots that a parser fills while it walks one message, and the step that
** turns slots into the public kpw_payment handed to the caller.
**
** Invariants: every buffer here has a fixed capacity; a parser that would
** exceed one reports KPW_EINPUT with the location instead of truncating, so
** a screened name is never silently cut short.
*/
#ifndef KPW_PAYMENTS_INTERNAL_H
#define KPW_PAYMENTS_INTERNAL_H

#include "kpw/payments.h"
#include "kpw/util.h"

/* ------------------------------------------------------------ limits */
#define PAY_READ_CAP    (64u * 1024u)   /* reader window */
#define PAY_MAX_PARTIES 32              /* parties per message */
#define PAY_NAME_CAP    1024            /* bytes of a party name */
#define PAY_ADDR_CAP    1024            /* bytes of a joined address */
#define PAY_ACCT_CAP    128             /* account / IBAN */
#define PAY_BIC_CAP     16
#define PAY_IDENT_CAP   128
#define PAY_REF_CAP     256

/* ------------------------------------------------------------ reader
** A window over a kpw_input. Bytes [pos, end) are buffered; off is the
** absolute (decompressed) offset of buf[pos]; line is the 1-based line at
** buf[pos]. Only pay_rd_get advances line/off. */
typedef struct pay_reader {
  kpw_input *in;
  const char *source;
  char buf[PAY_READ_CAP];
  size_t pos, end;
  bool eof;
  uint64_t off;
  uint64_t line;
} pay_reader;

/* Make at least k+1 bytes available from pos (k < PAY_READ_CAP); returns
** the byte at pos+k, or -1 at end of input, or -2 on a read error (err set). */
int pay_rd_peek(pay_reader *r, size_t k, kpw_error *err);
/* Consume one byte; -1 at end, -2 on error. */
int pay_rd_get(pay_reader *r, kpw_error *err);

/* ------------------------------------------------------------ party slots */
typedef struct pay_slot {
  const char *role;                /* static string */
  char field[24];                  /* "InstgRmbrsmntAgt" is 16 */
  char name[PAY_NAME_CAP];   size_t name_len;
  char address[PAY_ADDR_CAP]; size_t addr_len;
  char account[PAY_ACCT_CAP];
  char bic[PAY_BIC_CAP];
  char country[3];
  char identifier[PAY_IDENT_CAP];
  char birth_date[11];
} pay_slot;

void pay_slot_init(pay_slot *s, const char *role, const char *field);
/* Append text (whitespace runs collapsed, trimmed) to a bounded field,
** separated by sep when the field is not empty. False when it would not
** fit (the caller reports the error with its location). */
bool pay_append(char *dst, size_t cap, size_t *len, const char *s, size_t n,
                const char *sep);
/* Copy trimmed, whitespace-collapsed text; false when it does not fit. */
bool pay_set(char *dst, size_t cap, const char *s, size_t n);
/* True for a syntactically valid BIC (4 letters, 2 letters, 2 alnum,
** optional 3 alnum; upper case). */
bool pay_bic_valid(const char *s, size_t n);
/* "BANKDEFFXXX" -> "BANKDEFF": the XXX branch is the head office, the same
** institution as the 8-character BIC that lists carry. */
void pay_bic_norm(char *bic);
/* True when the slot carries anything worth screening. */
bool pay_slot_used(const pay_slot *s);

/* Build the public view of slots[0..n) in parties (pointers into the
** slots; empty strings become NULL). Returns the number written. */
size_t pay_parties(const pay_slot *slots, size_t n, kpw_party *parties);

/* ------------------------------------------------------------ parsers
** Both consume r to the end (or until cb returns false) and report their
** first error. */
kpw_result pay_mt_read(pay_reader *r, kpw_payment_cb cb, void *ctx,
                       kpw_error *err);
kpw_result pay_pacs_read(pay_reader *r, kpw_payment_cb cb, void *ctx,
                         kpw_error *err);

#endif
