/*
** tags.h -- address tags: who is behind a crypto address ("Lazarus Group",
** "exchange Binance") and which addresses are cash-out points. `kpwatch
** chain trace` looks up every address it meets here.
**
** A kpw_tagset owns every tag loaded into it (one arena, strings interned).
** Four inputs fill it (see docs/tags.md):
**   GraphSense TagPack YAML   header keys are defaults, `tags:` overrides
**   OFAC address lists        sanctioned_addresses_<ASSET>.txt, one per line
**   plain CSV/TSV             header with address[,label,actor,category,...]
**   a screening kpw_listset   crypto identifiers of listed entities
**
** Lookups go through a hash table keyed by the address normalised with
** kpw_crypto_normalize (EVM and bech32 lower case, Base58 exact), so a find
** costs one normalisation and one probe sequence. An address may carry
** several tags (the OFAC list and a Lazarus TagPack); they are kept
** together so find returns one contiguous array.
**
** Loads are all-or-nothing: on error the set's tags are unchanged and the
** error names the file, the line and what is wrong.
*/
#ifndef KPW_TAGS_H
#define KPW_TAGS_H

#include "kpw/kpw.h"
#include "kpw/lists.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One tag. Every string is owned by the set; NULL when the input did not
** give the field (neither in a TagPack header nor in the tag). */
typedef struct kpw_tag {
  const char *address;    /* normalised (kpw_crypto_normalize) */
  const char *currency;   /* "BTC", "ETH", "XBT" (OFAC file name), ... */
  const char *label;      /* "Lazarus group", "binance reserve wallets BTC" */
  const char *actor;      /* GraphSense actor id ("lazarusgroup", "binance")
                             or an entity's primary name from a list */
  const char *category;   /* "exchange", "user", "sanctioned", "mixing_service" */
  const char *abuse;      /* "sanction", "ransomware", ... */
  const char *source;     /* URL or "OFAC:27307" */
  const char *confidence; /* TagPack confidence ("authority_data", ...) */
  const char *concepts;   /* TagPack concepts joined with ',' ("exchange") */
  const char *file;       /* the file (or list) the tag came from */
  uint64_t line;          /* 1-based line of the tag in file; 0 for lists */
} kpw_tag;

/* Input formats. AUTO decides from the content (first non-comment line),
** then from the extension when the file is empty. */
typedef enum kpw_tag_format {
  KPW_TAGS_AUTO = 0,
  KPW_TAGS_TAGPACK,       /* GraphSense TagPack YAML */
  KPW_TAGS_ADDRLIST,      /* one address per line (OFAC sanctioned_addresses_*.txt) */
  KPW_TAGS_CSV            /* CSV (or TSV) with a header naming an address column */
} kpw_tag_format;

/* What one load added: tags read from the file and tags kept (exact
** duplicates of a tag already in the set, same file, are dropped). */
typedef struct kpw_tagfile {
  const char *path;
  const char *format;     /* "tagpack", "addrlist", "csv", "listset" */
  const char *title;      /* TagPack title, or NULL */
  size_t n_read;
  size_t n_added;
} kpw_tagfile;

typedef struct kpw_tagset kpw_tagset;

kpw_tagset *kpw_tagset_new(void);
void kpw_tagset_free(kpw_tagset *ts);

/* Load a file (bzip2/zstd compressed too), detecting its format. */
kpw_result kpw_tagset_load(kpw_tagset *ts, const char *path, kpw_error *err);
/* The same with an explicit format (AUTO = detect). */
kpw_result kpw_tagset_load_as(kpw_tagset *ts, const char *path,
                              kpw_tag_format fmt, kpw_error *err);
/* Load from memory; source names the input in errors and tags (its base
** name gives an OFAC list's currency). data need not be NUL-terminated. */
kpw_result kpw_tagset_load_buffer(kpw_tagset *ts, const void *data, size_t n,
                                  const char *source, kpw_tag_format fmt,
                                  kpw_error *err);
/* Tag every crypto identifier of every entity in ls: label and actor are
** the entity's primary name, category "sanctioned", currency the id's
** chain, source the entity id ("OFAC:27307"). Returns KPW_OK. */
kpw_result kpw_tagset_add_listset(kpw_tagset *ts, const kpw_listset *ls);

/* "tagpack"/"yaml", "addrlist"/"ofac"/"txt", "csv", "auto" (any case). */
bool kpw_tag_format_parse(const char *name, kpw_tag_format *out);
const char *kpw_tag_format_name(kpw_tag_format f);

size_t kpw_tagset_count(const kpw_tagset *ts);        /* tags */
size_t kpw_tagset_naddresses(const kpw_tagset *ts);   /* distinct addresses */
/* The i-th distinct address (load order) and its tags; returns their count. */
size_t kpw_tagset_address(const kpw_tagset *ts, size_t i, const kpw_tag **tags);
size_t kpw_tagset_nfiles(const kpw_tagset *ts);
const kpw_tagfile *kpw_tagset_file(const kpw_tagset *ts, size_t i);

/* All tags of an address, in load order. The address is normalised like
** the stored ones, so bech32 and EVM match in any case. Returns how many;
** *tags points at a contiguous array valid until the set changes (NULL
** when none). */
size_t kpw_tagset_find(const kpw_tagset *ts, const char *address,
                       const kpw_tag **tags);

/* A cash-out point: category "exchange" or a concept "exchange" (any
** case), or a category equal to one of extra_categories (NULL-terminated
** array, may be NULL). */
bool kpw_tag_is_cashout(const kpw_tag *t, const char *const *extra_categories);

#ifdef __cplusplus
}
#endif
#endif
