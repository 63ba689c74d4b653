/*
** httpd.h -- internal interface between the two halves of `kpwatch serve`:
** serve.c (options, libmicrohttpd daemon, routing, auth, body limits,
** responses) and api.c (the endpoints: parse a request, screen, write JSON).
** Front-end code: only public headers from include/kpw/ and cli/cli.h.
*/
#ifndef KPW_HTTPD_H
#define KPW_HTTPD_H

#include <microhttpd.h>
#include "../cli/cli.h"

#define API_MAX_HITS     100   /* results per query (limit is capped here) */
#define API_MAX_NAMES    32    /* names per /match query */
#define API_MAX_IDS      32    /* identifiers per /match query */
#define API_MAX_PARAM    1024  /* bytes of one query-string value */

/* The audit log of screening requests (audit.c); NULL when no store. */
typedef struct audit_log audit_log;
audit_log *audit_open(const char *db, const kpw_listset *ls, kpw_error *err);
/* Queue one row (copied); thread-safe, never drops a row. */
void audit_add(audit_log *a, const char *actor, const char *query, size_t qn,
               const char *result, size_t rn);
/* Flush, stop the writer, close the store; false if a write failed. */
bool audit_close(audit_log *a, size_t *written);

/* Read-only after start-up; shared by every worker thread. */
typedef struct srv {
  kpw_listset *ls;
  kpw_screener *sc;
  const char *token;        /* NULL: no auth */
  size_t token_len;
  size_t max_body;          /* bytes */
  size_t max_queries;       /* per /match */
  unsigned timeout_s;       /* connection idle timeout and per-request budget */
  audit_log *audit;         /* NULL: no --db, nothing audited */
} srv;

/* Per-thread scratch, reused across requests (created on first use, freed
** when the worker thread exits). out holds the response body. */
typedef struct scratch {
  kpw_buf out;
  kpw_hit hits[API_MAX_HITS];
} scratch;

/* Endpoints. Each writes the whole JSON body into sc->out (reset first)
** and returns the HTTP status. dataset is the path part after /search/ or
** /match/ (NULL when absent). */
unsigned api_search(const srv *s, struct MHD_Connection *c,
                    const char *dataset, scratch *sc);
unsigned api_match(const srv *s, struct MHD_Connection *c,
                   const char *dataset, const char *body, size_t n,
                   scratch *sc);
unsigned api_entity(const srv *s, const char *id, scratch *sc);
unsigned api_lists(const srv *s, scratch *sc);

/* {"error":error,"detail":detail} into sc->out; returns status. */
unsigned api_error(scratch *sc, unsigned status, const char *error,
                   const char *detail);

#endif
