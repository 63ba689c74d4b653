/*
** translit_dict.c -- the words of organisation names that lists translate
** rather than romanise. Watchlists give a DPRK or Chinese company's Latin
** name half romanised, half translated: 조선새날무역회사 is "Korea Saenal
** Trading Company", 金三角银行 "Golden Triangle Bank", 대진무역총회사 "Taejin
** Trading General Company". kpw_translit_forms() adds one "translated" form
** for non-person names where these tables hit: dictionary words become their
** English list wording, the rest is romanised and joined (Hangul runs as one
** word in DPRK spelling, Han runs in two-character words in pinyin), so the
** form reads like the list's Latin name.
**
** Keys are UTF-8, lower case for Cyrillic; a space in a key matches one
** separator. Entries flagged DF_END match only before a separator or the end
** of the name (single syllables such as 부 "department" would otherwise hit
** inside words). Legal forms of Russian companies (ООО, АО) are left to the
** matcher's legal-form table. Longest match wins.
*/
#include "screen/translit_int.h"

#include <string.h>
#include <utf8proc.h>

enum { DF_END = 1 };

typedef struct { const char *key; const char *en; uint8_t flags; } dict_t;

static const dict_t dict_kor[] = {
  {"민주주의인민공화국", "democratic peoples republic", 0},
  {"인터네트", "internet", 0}, {"로케트", "rocket", 0},
  {"총회사", "general corporation", 0}, {"총국", "general bureau", 0},
  {"회사", "company", 0}, {"공사", "corporation", 0},
  {"무역", "trading", 0}, {"조선", "korea", 0}, {"은행", "bank", 0},
  {"국제", "international", 0}, {"기술", "technology", 0},
  {"합영", "joint venture", 0}, {"합작", "joint venture", 0},
  {"연구소", "research institute", 0}, {"연구원", "research institute", 0},
  {"원자력", "nuclear", 0}, {"공업", "industry", 0}, {"해운", "shipping", 0},
  {"해사", "maritime", 0}, {"선박", "ship", 0}, {"관리", "management", 0},
  {"그룹", "group", 0}, {"개발", "development", 0}, {"광업", "mining", 0},
  {"지도국", "guidance bureau", 0}, {"위원회", "committee", 0},
  {"황금", "golden", 0}, {"삼각주", "delta", 0}, {"삼각", "triangle", 0},
  {"보험", "insurance", 0}, {"금융", "financial", 0}, {"투자", "investment", 0},
  {"수출입", "import export", 0}, {"건설", "construction", 0},
  {"대외", "external", 0}, {"경제", "economic", 0}, {"교류", "exchange", 0},
  {"중앙", "central", 0}, {"노동당", "workers party", 0}, {"국가", "state", 0},
  {"정찰", "reconnaissance", 0}, {"군수", "munitions", 0},
  {"전략군", "strategic force", 0}, {"인민군", "peoples army", 0},
  {"대학", "university", 0}, {"과학원", "academy of sciences", 0},
  {"전람사", "exhibition corporation", 0}, {"상사", "trading company", DF_END},
  {"부", "department", DF_END}, {"국", "bureau", DF_END}, {"성", "ministry", DF_END},
  {"의", "", DF_END},
};

static const dict_t dict_han[] = {
  {"股份有限公司", "co ltd", 0}, {"有限责任公司", "co ltd", 0},
  {"有限責任公司", "co ltd", 0}, {"有限公司", "co ltd", 0},
  {"总公司", "general corporation", 0}, {"總公司", "general corporation", 0},
  {"公司", "company", 0}, {"会社", "company", 0}, {"會社", "company", 0},
  {"集团", "group", 0}, {"集團", "group", 0},
  {"国际", "international", 0}, {"國際", "international", 0},
  {"控股", "holdings", 0}, {"贸易", "trading", 0}, {"貿易", "trading", 0},
  {"商贸", "trading", 0}, {"商貿", "trading", 0},
  {"银行", "bank", 0}, {"銀行", "bank", 0},
  {"海运", "shipping", 0}, {"海運", "shipping", 0},
  {"船务", "shipping", 0}, {"船務", "shipping", 0},
  {"航运", "shipping", 0}, {"航運", "shipping", 0},
  {"船舶", "ship", 0}, {"管理", "management", 0},
  {"技术", "technology", 0}, {"技術", "technology", 0}, {"科技", "technology", 0},
  {"网络", "network", 0}, {"網絡", "network", 0}, {"物流", "logistics", 0},
  {"香港", "hong kong", 0}, {"实业", "industrial", 0}, {"實業", "industrial", 0},
  {"发展", "development", 0}, {"發展", "development", 0},
  {"动漫", "animation", 0}, {"動漫", "animation", 0},
  {"文化", "cultural", 0}, {"传播", "media", 0}, {"傳播", "media", 0},
  {"设计", "design", 0}, {"設計", "design", 0}, {"工作室", "studio", 0},
  {"进出口", "import and export", 0}, {"進出口", "import and export", 0},
  {"金属", "metal", 0}, {"金屬", "metal", 0}, {"材料", "materials", 0},
  {"朝鲜", "korea", 0}, {"朝鮮", "korea", 0}, {"金三角", "golden triangle", 0},
  {"货运", "forwarding", 0}, {"貨運", "forwarding", 0},
  {"中国", "china", 0}, {"中國", "china", 0},
  {"工业", "industry", 0}, {"工業", "industry", 0},
  {"矿业", "mining", 0}, {"礦業", "mining", 0}, {"能源", "energy", 0},
  {"投资", "investment", 0}, {"投資", "investment", 0},
  {"电子", "electronics", 0}, {"電子", "electronics", 0},
  {"机械", "machinery", 0}, {"機械", "machinery", 0}, {"化工", "chemical", 0},
  {"石油", "petroleum", 0}, {"运输", "transport", 0}, {"運輸", "transport", 0},
  {"代理", "agency", 0}, {"市", "city", 0},
};

static const dict_t dict_cyr[] = {
  {"банк", "bank", 0}, {"коммерческий", "commercial", 0},
  {"компания", "company", 0}, {"торговая", "trading", 0},
  {"генеральная", "general", 0}, {"кндр", "korea", 0},
  {"корейская", "korean", 0}, {"внешнеторговая", "foreign trade", 0},
  {"дальневосточный", "far eastern", 0}, {"европейский", "european", 0},
  {"институт", "institute", 0}, {"международный", "international", 0},
  {"расчетный", "settlement", 0}, {"трейдинг", "trading", 0},
};

/* Length in code points of key matched at c[i..], 0 if no match. */
static size_t key_match(const char *key, const uint32_t *c, const uint8_t *sep,
                        size_t i, size_t n)
{
  const uint8_t *k = (const uint8_t *)key;
  size_t kl = strlen(key), j = i, off = 0;
  while (off < kl) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t r = utf8proc_iterate(k + off, (utf8proc_ssize_t)(kl - off), &cp);
    if (r <= 0 || j >= n) return 0;
    off += (size_t)r;
    if (cp == ' ') { if (!sep[j]) return 0; }
    else if (sep[j] || c[j] != (uint32_t)cp) return 0;
    j++;
  }
  return j - i;
}

size_t tl_dict_match(int script, const uint32_t *c, const uint8_t *sep,
                     size_t i, size_t n, bool word_end_ok, const char **en)
{
  const dict_t *d;
  size_t nd;
  switch (script) {
  case TL_DICT_KOR: d = dict_kor; nd = sizeof dict_kor / sizeof dict_kor[0]; break;
  case TL_DICT_HAN: d = dict_han; nd = sizeof dict_han / sizeof dict_han[0]; break;
  case TL_DICT_CYR: d = dict_cyr; nd = sizeof dict_cyr / sizeof dict_cyr[0]; break;
  default: return 0;
  }
  if (i >= n || sep[i]) return 0;
  /* cheap filter: the key must start with the UTF-8 bytes of c[i] */
  uint8_t first[4];
  utf8proc_ssize_t fl = utf8proc_encode_char((utf8proc_int32_t)c[i], first);
  if (fl <= 0) return 0;
  size_t best = 0;
  for (size_t k = 0; k < nd; k++) {
    if (strncmp(d[k].key, (const char *)first, (size_t)fl) != 0) continue;
    size_t m = key_match(d[k].key, c, sep, i, n);
    if (m <= best) continue;
    bool at_end = (i + m == n) || sep[i + m];
    if (script == TL_DICT_CYR && !at_end) continue;   /* whole words only */
    if ((d[k].flags & DF_END) && !(at_end && word_end_ok)) continue;
    best = m;
    *en = d[k].en;
  }
  return best;
}
