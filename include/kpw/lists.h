/*
** lists.h -- the entity model of watchlists and the loaders that fill it.
**
** A kpw_listset owns every entity loaded into it (one arena). Loaders
** stream their input once and add entities one at a time; memory is the
** entities themselves plus a bounded per-record buffer. Entities are
** immutable once added; pointers to them stay valid until the set is freed.
**
** Formats (detected from content, not file name; see docs/lists.md):
**   UN consolidated XML            (<CONSOLIDATED_LIST ...>)
**   OFAC SDN advanced XML          (<Sanctions ... ADVANCED_XML>), also .bz2
**   OFAC legacy CSV set            (sdn.csv + alt/add/sdn_comments beside it)
**   EU Financial Sanctions Files   (<export ... xmlns="http://eu.europa.eu/...">)
**   OpenSanctions FtM JSON lines   ({"id":..,"schema":..,"properties":{..}})
**   plain CSV for in-house lists   (header with id,name[,schema,...])
*/
#ifndef KPW_LISTS_H
#define KPW_LISTS_H

#include "kpw/kpw.h"
#include "kpw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Script of a name as written (not of its romanisation). */
typedef enum kpw_script {
  KPW_SCRIPT_LATIN = 0, KPW_SCRIPT_HANGUL, KPW_SCRIPT_HAN,
  KPW_SCRIPT_CYRILLIC, KPW_SCRIPT_ARABIC, KPW_SCRIPT_OTHER
} kpw_script;

/* Kind of a name within its record. */
typedef enum kpw_name_kind {
  KPW_NAME_PRIMARY = 0,  /* the record's main name */
  KPW_NAME_ALIAS,        /* a.k.a. */
  KPW_NAME_FORMER,       /* f.k.a., former vessel names */
  KPW_NAME_ORIGINAL      /* the name in original script (UN NAME_ORIGINAL_SCRIPT) */
} kpw_name_kind;

typedef struct kpw_name {
  const char *text;      /* as written in the list, UTF-8 */
  kpw_name_kind kind;
  kpw_script script;
  bool weak;             /* UN QUALITY=Low, OFAC LowQuality=true, "weak alias" */
} kpw_name;

typedef enum kpw_id_kind {
  KPW_ID_IMO = 0,        /* 7 digits; ship or company check digit */
  KPW_ID_MMSI,           /* 9 digits */
  KPW_ID_CRYPTO,         /* value normalised per chain family, see below */
  KPW_ID_PASSPORT,
  KPW_ID_NATIONAL,       /* national id, registration numbers, tax ids */
  KPW_ID_CALLSIGN,
  KPW_ID_BIC,
  KPW_ID_OTHER
} kpw_id_kind;

typedef struct kpw_ident {
  kpw_id_kind kind;
  const char *value;     /* normalised: IMO/MMSI digits only; EVM 0x+lower hex;
                            Base58 exact; bech32 lower; others upper, no spaces */
  const char *label;     /* the list's own label: "Vessel Registration
                            Identification", "Digital Currency Address - ETH",
                            "Passport"; may be NULL */
  const char *chain;     /* crypto only: "XBT","ETH","TRX","USDT",... or NULL */
} kpw_ident;

typedef struct kpw_entity {
  const char *id;        /* "UN:KPi.033", "OFAC:27307", "EU:13", "FTM:<id>", "CSV:<id>" */
  const char *ref;       /* the list's own reference: "KPi.033", "27307" */
  const char *list;      /* list short name: "UN", "OFAC", "EU", or as loaded */
  kpw_schema schema;
  const char *programs;  /* "DPRK; DPRK3" or NULL */
  kpw_name *names; uint32_t n_names;        /* names[0] is the primary name */
  const char **birth_dates; uint32_t n_birth_dates; /* "YYYY[-MM[-DD]]" */
  const char **countries; uint32_t n_countries;     /* ISO2 lower: nationality,
                                                       citizenship, flag */
  char gender;           /* 'm', 'f' or 0 when unknown */
  kpw_ident *ids; uint32_t n_ids;
  const char *listed_on; /* "YYYY-MM-DD" or NULL */
  const char *remarks;   /* free text kept for display, may be NULL */
  uint32_t index;        /* position in its listset, set by kpw_listset_add */
} kpw_entity;

typedef struct kpw_listinfo {
  const char *name;      /* "UN", "OFAC", ... */
  const char *format;    /* "un-xml", "ofac-advanced-xml", ... */
  const char *source;    /* path it was loaded from */
  const char *date;      /* publication date "YYYY-MM-DD" if the list says */
  const char *sha256;    /* hex digest of the raw file as read */
  uint32_t n_entities;
} kpw_listinfo;

typedef struct kpw_listset kpw_listset;

kpw_listset *kpw_listset_new(void);
void kpw_listset_free(kpw_listset *ls);

/* Deep-copy e into the set (strings and arrays are copied; e may point at
** the caller's temporaries). Sets the copy's index. The entity is counted
** against the list last begun with kpw_listset_begin_list. */
const kpw_entity *kpw_listset_add(kpw_listset *ls, const kpw_entity *e);
/* Start a new list (loaders call this); returns its info slot to fill. */
kpw_listinfo *kpw_listset_begin_list(kpw_listset *ls, const char *name,
                                     const char *format, const char *source);

size_t kpw_listset_count(const kpw_listset *ls);
const kpw_entity *kpw_listset_get(const kpw_listset *ls, size_t i);
/* Lookup by id ("UN:KPi.033"); also accepts the bare ref if unambiguous. */
const kpw_entity *kpw_listset_find(const kpw_listset *ls, const char *id);
size_t kpw_listset_nlists(const kpw_listset *ls);
const kpw_listinfo *kpw_listset_list(const kpw_listset *ls, size_t i);
/* Copy a string into the set's arena (for loaders building entities). */
const char *kpw_listset_intern(kpw_listset *ls, const char *s);

/* Load a list file, detecting its format. name_hint overrides the list's
** short name (NULL: derived from the format: UN, OFAC, EU, ...).
** On KPW_EINPUT the error names the file, line and offset; entities added
** before the error remain in the set but the list is marked incomplete by
** the return value, so callers must treat the load as failed. */
kpw_result kpw_list_load(kpw_listset *ls, const char *path,
                         const char *name_hint, kpw_error *err);

/* Load a list held in memory (e.g. a copy kept in the store). source names
** it in errors and in its kpw_listinfo. */
kpw_result kpw_list_load_buffer(kpw_listset *ls, const void *data, size_t n,
                                const char *source, const char *name_hint,
                                kpw_error *err);

/* The dominant script of a UTF-8 string (by letters; Latin if none). */
kpw_script kpw_script_detect(const char *utf8);
const char *kpw_script_name(kpw_script s);   /* "Latin", "Hangul", ... */

/* ---------------------------------------------------------------- ids */
/* IMO number check: 7 digits with a valid ship (weights 7..2) or company
** (weights 8,6,4,2,9,7) check digit. Returns 1 ship, 2 company, 0 invalid. */
int kpw_imo_check(const char *digits7);
/* Find IMO numbers in free text ("IMO number: 5342883", "IMO 9187629",
** "IMO: 123456" padded). Writes up to max 7-digit strings (8 bytes each) and
** returns how many; only check-digit-valid numbers are returned. */
size_t kpw_imo_extract(const char *text, char (*out)[8], size_t max);
/* Normalise a crypto address for exact lookup: EVM (0x + 40 hex) lower-cased,
** bech32/bech32m HRP forms lower-cased, everything else (Base58, Tron)
** unchanged after trimming. Writes into out (cap bytes); false if empty or
** too long. */
bool kpw_crypto_normalize(const char *addr, char *out, size_t cap);
/* Normalise other identifiers: upper case, drop spaces, dashes, dots. */
void kpw_id_normalize(const char *in, char *out, size_t cap);

/* ---------------------------------------------------------------- JSON */
/* Append the entity as one JSON object: id, ref, list, schema, caption,
** names[{text,kind,script,weak}], birth_dates, countries, gender,
** ids[{kind,value,label,chain}], programs, listed_on, remarks. */
void kpw_entity_json(const kpw_entity *e, kpw_buf *b);
const char *kpw_name_kind_name(kpw_name_kind k);  /* "primary", "alias", ... */
const char *kpw_id_kind_name(kpw_id_kind k);      /* "imo", "crypto", ... */
/* The loaded lists' versions as a JSON array of {name,date,sha256,entities},
** as audit-log rows record them. Caller frees. */
char *kpw_listset_versions_json(const kpw_listset *ls);

#ifdef __cplusplus
}
#endif
#endif
