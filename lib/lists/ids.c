/*
** ids.c -- identifiers and scripts: IMO check digits (ship and company
** schemes), IMO numbers in free text, crypto address normalisation per chain
** family, generic identifier normalisation, and script detection.
**
** IMO: ship numbers weight digits 1..6 by 7,6,5,4,3,2 and the check digit is
** the sum mod 10; company/owner numbers weight them by 8,6,4,2,9,7 and the
** check digit is (11 - sum mod 11) mod 10. All 16 IMO numbers in the UN DPRK
** COMMENTS1 texts are company numbers (verified in tests/real/lists.sh).
*/
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "lists/lists_internal.h"

int kpw_imo_check(const char *d) {
  if (!d) return 0;
  for (int i = 0; i < 7; i++) if (d[i] < '0' || d[i] > '9') return 0;
  if (d[7] != 0) return 0;
  int s = 0;
  for (int i = 0; i < 6; i++) s += (d[i] - '0') * (7 - i);
  if (s % 10 == d[6] - '0') return 1;
  static const int w[6] = { 8, 6, 4, 2, 9, 7 };
  s = 0;
  for (int i = 0; i < 6; i++) s += (d[i] - '0') * w[i];
  if ((11 - s % 11) % 10 == d[6] - '0') return 2;
  return 0;
}

static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

size_t kpw_imo_extract(const char *text, char (*out)[8], size_t max) {
  size_t n = 0;
  if (!text || !out || max == 0) return 0;
  for (const char *p = text; *p && n < max; p++) {
    if (strncasecmp(p, "imo", 3) != 0) continue;
    if (p > text && is_alpha(p[-1])) continue;
    if (is_alpha(p[3])) continue;
    /* Skip a short label between "IMO" and the digits: ": ", " number: ",
    ** ") Number: ", " No. ". Stop at anything long or at another digit run. */
    const char *q = p + 3;
    int skipped = 0;
    while (*q && !isdigit((unsigned char)*q) && skipped < 24 && *q != ';' && *q != '\n') { q++; skipped++; }
    if (!isdigit((unsigned char)*q)) continue;
    const char *s = q;
    while (isdigit((unsigned char)*q)) q++;
    size_t len = (size_t)(q - s);
    if (len < 5 || len > 7) continue;
    char d[8];
    memset(d, '0', 7);
    memcpy(d + (7 - len), s, len);   /* pad 5-6 digit runs with leading zeros */
    d[7] = 0;
    if (!kpw_imo_check(d)) continue;
    bool dup = false;
    for (size_t k = 0; k < n; k++) if (memcmp(out[k], d, 8) == 0) dup = true;
    if (!dup) memcpy(out[n++], d, 8);
    p = q - 1;
  }
  return n;
}

static bool all_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) if (!isxdigit((unsigned char)s[i])) return false;
  return true;
}

bool kpw_crypto_normalize(const char *addr, char *out, size_t cap) {
  if (!out || cap == 0) return false;
  out[0] = 0;
  if (!addr) return false;
  while (*addr && isspace((unsigned char)*addr)) addr++;
  size_t n = strlen(addr);
  while (n && isspace((unsigned char)addr[n - 1])) n--;
  if (n == 0 || n + 1 > cap || n > 256) return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)addr[i] <= ' ' || (unsigned char)addr[i] >= 0x7f) return false;
  memcpy(out, addr, n);
  out[n] = 0;
  /* EVM: 0x + 40 hex, EIP-55 mixed case is only a checksum. */
  if (n == 42 && out[0] == '0' && (out[1] == 'x' || out[1] == 'X') && all_hex(out + 2, 40)) {
    for (size_t i = 0; i < n; i++) out[i] = (char)tolower((unsigned char)out[i]);
    return true;
  }
  /* bech32/bech32m and cashaddr: case-insensitive, canonical lower case. */
  static const char *hrps[] = { "bc1", "tb1", "bcrt1", "ltc1", "tltc1", "bnb1",
                                "bitcoincash:", "bchtest:", "ecash:", NULL };
  for (int i = 0; hrps[i]; i++) {
    size_t l = strlen(hrps[i]);
    if (n > l + 6 && strncasecmp(out, hrps[i], l) == 0) {
      for (size_t k = 0; k < n; k++) out[k] = (char)tolower((unsigned char)out[k]);
      return true;
    }
  }
  return true;  /* Base58 (BTC legacy, Tron T..., Solana), Monero: exact */
}

void kpw_id_normalize(const char *in, char *out, size_t cap) {
  if (!out || cap == 0) return;
  size_t k = 0;
  for (const char *p = in ? in : ""; *p && k + 1 < cap; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == ' ' || c == '-' || c == '.' || c == '\t' || c == '\n' || c == '\r') continue;
    out[k++] = (char)toupper(c);
  }
  out[k] = 0;
}

/* ------------------------------------------------------------ scripts */

kpw_script kpw_script_detect(const char *s) {
  size_t cnt[KPW_SCRIPT_OTHER + 1] = { 0 };
  if (!s) return KPW_SCRIPT_LATIN;
  size_t n = strlen(s), i = 0;
  while (i < n) {
    uint32_t cp;
    int len = kpw_utf8_decode(s + i, n - i, &cp);
    if (len <= 0) { i++; continue; }
    i += (size_t)len;
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
        (cp >= 0x1E00 && cp <= 0x1EFF))
      cnt[KPW_SCRIPT_LATIN]++;
    else if ((cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
             (cp >= 0x3130 && cp <= 0x318F) || (cp >= 0xA960 && cp <= 0xA97F) ||
             (cp >= 0xD7B0 && cp <= 0xD7FF))
      cnt[KPW_SCRIPT_HANGUL]++;
    else if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
             (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF))
      cnt[KPW_SCRIPT_HAN]++;
    else if (cp >= 0x400 && cp <= 0x52F)
      cnt[KPW_SCRIPT_CYRILLIC]++;
    else if ((cp >= 0x600 && cp <= 0x6FF) || (cp >= 0x750 && cp <= 0x77F) ||
             (cp >= 0x8A0 && cp <= 0x8FF) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
             (cp >= 0xFE70 && cp <= 0xFEFF))
      cnt[KPW_SCRIPT_ARABIC]++;
    else if ((cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x530 && cp <= 0x5FF) ||
             (cp >= 0x900 && cp <= 0x0DFF) || (cp >= 0x0E00 && cp <= 0x10FF) ||
             (cp >= 0x3040 && cp <= 0x30FF))
      cnt[KPW_SCRIPT_OTHER]++;
  }
  kpw_script best = KPW_SCRIPT_LATIN;
  size_t bn = 0;
  for (int k = 0; k <= KPW_SCRIPT_OTHER; k++)
    if (cnt[k] > bn) { bn = cnt[k]; best = (kpw_script)k; }
  return best;
}

const char *kpw_script_name(kpw_script s) {
  switch (s) {
  case KPW_SCRIPT_LATIN: return "Latin";
  case KPW_SCRIPT_HANGUL: return "Hangul";
  case KPW_SCRIPT_HAN: return "Han";
  case KPW_SCRIPT_CYRILLIC: return "Cyrillic";
  case KPW_SCRIPT_ARABIC: return "Arabic";
  default: return "Other";
  }
}

/* Bit mask of the IMO schemes a 7-digit string satisfies: 1 ship, 2
** company (both bits when both check digits happen to agree). */
int kpw__imo_schemes(const char *d) {
  if (!kpw_imo_check(d)) return 0;
  int m = 0, s = 0;
  for (int i = 0; i < 6; i++) s += (d[i] - '0') * (7 - i);
  if (s % 10 == d[6] - '0') m |= 1;
  static const int w[6] = { 8, 6, 4, 2, 9, 7 };
  s = 0;
  for (int i = 0; i < 6; i++) s += (d[i] - '0') * w[i];
  if ((11 - s % 11) % 10 == d[6] - '0') m |= 2;
  return m;
}
