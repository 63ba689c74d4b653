/*
** payments.h -- the parties of payment messages, for screening:
** SWIFT MT103 (fields 50a ordering customer, 59a beneficiary, 52a ordering
** institution, 57a account-with institution) and ISO 20022 pacs.008
** (Dbtr, Cdtr, DbtrAgt, CdtrAgt, UltmtDbtr, UltmtCdtr).
**
** A file may hold many messages (MT: blocks {1:..}{2:..}{4:...-}; XML:
** one or many Document/FIToFICstmrCdtTrf). Parsing is bounded.
*/
#ifndef KPW_PAYMENTS_H
#define KPW_PAYMENTS_H

#include "kpw/kpw.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kpw_party {
  const char *role;      /* "ordering_customer", "beneficiary",
                            "ordering_institution", "account_with_institution",
                            "debtor", "creditor", "debtor_agent", ... */
  const char *field;     /* "50K", "59", "52A", "Dbtr", ... */
  const char *name;      /* party name, or NULL (BIC-only institutions) */
  const char *account;   /* account / IBAN, or NULL */
  const char *bic;       /* BIC, or NULL */
  const char *country;   /* ISO2 if stated (address country), or NULL */
  const char *address;   /* remaining address lines joined by ", ", or NULL */
  /* Added by lib/payments (after the original fields, so existing code
  ** keeps compiling): */
  const char *birth_date;  /* "YYYY-MM-DD" (MT 50F line 4/, pacs BirthDt) or NULL */
  const char *identifier;  /* party identifier as given, e.g. "CCPT/KP/745112"
                              (50F), pacs Id/PrvtId|OrgId/Othr/Id, or NULL */
} kpw_party;

typedef struct kpw_payment {
  const char *format;    /* "mt103" or "pacs.008" */
  const char *ref;       /* :20: sender's reference / MsgId+EndToEndId */
  uint64_t line;         /* line where the message starts */
  kpw_party *parties; size_t n_parties;
} kpw_payment;

/* Called once per message; the payment is valid only during the call.
** Return false to stop. */
typedef bool (*kpw_payment_cb)(void *ctx, const kpw_payment *p);

/* Parse a file of MT103 or pacs.008 messages (detected from content).
** path "-" reads stdin; bzip2/zstd input is decompressed transparently.
** Returns KPW_OK at the end of input or when cb returned false; KPW_EINPUT
** with the source, line and offset for malformed input (messages before it
** have already been delivered); KPW_EIO when the file cannot be read.
** Limits (docs/payments.md): 64 KiB per MT message, 32 parties per
** message, 1 KiB per name or address, XML depth 64. */
kpw_result kpw_payments_read(const char *path, kpw_payment_cb cb, void *ctx,
                             kpw_error *err);

/* The same over a caller-owned buffer; source names it in errors. */
kpw_result kpw_payments_read_mem(const void *data, size_t n,
                                 const char *source, kpw_payment_cb cb,
                                 void *ctx, kpw_error *err);

#ifdef __cplusplus
}
#endif
#endif
