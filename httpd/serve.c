/*
** serve.c -- `kpwatch serve`: loads the lists once, builds the screener,
** and answers HTTP JSON requests with libmicrohttpd (internal polling
** thread + a small thread pool; keep-alive on).
**
** This file owns the transport: options, the listen address (loopback by
** default; a bearer token is required on any other address), routing,
** authentication, method checks, and the request-body cap (a declared
** Content-Length over the cap is refused before any byte is read; a chunked
** body over the cap is discarded, never buffered). The endpoints live in
** api.c. Every response is JSON with Content-Type application/json, except
** errors libmicrohttpd itself emits for malformed HTTP.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "httpd.h"

#define DEFAULT_LISTEN   "127.0.0.1:8080"
#define DEFAULT_MAX_BODY (1u << 20)
#define DISCARD_CAP      (64u << 20)  /* chunked overflow: close after this */
#define BODY_BUDGET      (128u << 20) /* request bodies buffered at once, all
                                         connections together */
#define SCRATCH_KEEP     (4u << 20)   /* larger response buffers are freed */

/* ------------------------------------------------------------ scratch */

static pthread_key_t g_scratch_key;

static void scratch_free(void *p) {
  scratch *sc = p;
  if (!sc) return;
  kpw_buf_free(&sc->out);
  free(sc);
}

static scratch *thread_scratch(void) {
  scratch *sc = pthread_getspecific(g_scratch_key);
  if (!sc) {
    sc = kpw_xcalloc(1, sizeof *sc);
    kpw_buf_init(&sc->out);
    pthread_setspecific(g_scratch_key, sc);
  }
  return sc;
}

/* ------------------------------------------------------------ responses */

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status,
                                 kpw_buf *b, const char *allow) {
  struct MHD_Response *r = MHD_create_response_from_buffer(
      b->len, b->len ? b->data : (void *)"", MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (status == 401)
    MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                            "Bearer realm=\"kpwatch\"");
  if (allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  /* The response was copied: a buffer grown by one huge /match answer is
  ** not kept for the life of the thread. */
  if (b->cap > SCRATCH_KEEP) kpw_buf_free(b);
  return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status,
                                  const char *error, const char *detail,
                                  const char *allow) {
  scratch *sc = thread_scratch();
  api_error(sc, status, error, detail);
  return send_json(c, status, &sc->out, allow);
}

/* ------------------------------------------------------------ routing */

typedef enum route {
  R_NONE, R_HEALTH, R_SEARCH, R_MATCH, R_ENTITY, R_LISTS
} route;

/* Map the path onto a route; *rest is what follows "/search/", "/match/"
** or "/entities/" (NULL when nothing does). */
static route route_of(const char *url, const char **rest) {
  *rest = NULL;
  struct { const char *p; route r; bool sub; } t[] = {
      {"/healthz", R_HEALTH, false}, {"/lists", R_LISTS, false},
      {"/search", R_SEARCH, true},   {"/match", R_MATCH, true},
      {"/entities", R_ENTITY, true},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    size_t n = strlen(t[i].p);
    if (strncmp(url, t[i].p, n) != 0) continue;
    if (url[n] == '\0' || (url[n] == '/' && url[n + 1] == '\0'))
      return t[i].r == R_ENTITY ? R_NONE : t[i].r;
    if (url[n] == '/' && t[i].sub) {
      *rest = url + n + 1;
      return t[i].r;
    }
  }
  return R_NONE;
}

/* Constant-time comparison of "Bearer <token>". */
static bool auth_ok(const srv *s, struct MHD_Connection *c) {
  const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                              MHD_HTTP_HEADER_AUTHORIZATION);
  if (!h || strncasecmp(h, "Bearer ", 7) != 0) return false;
  h += 7;
  while (*h == ' ') h++;
  size_t n = strlen(h);
  unsigned char diff = (unsigned char)(n != s->token_len);
  for (size_t i = 0; i < s->token_len; i++)
    diff |= (unsigned char)(s->token[i] ^ (i < n ? h[i] : 0));
  return diff == 0;
}

/* Per-request state of a POST (the body being received). */
typedef struct upload {
  kpw_buf body;
  size_t seen;        /* bytes received, kept or not */
  size_t accounted;   /* bytes counted in g_body_bytes */
  bool too_large;     /* over --max-body: 413 */
  bool busy;          /* over BODY_BUDGET: 503 */
} upload;

/* Bytes of request bodies held by all connections: bounds memory when many
** clients upload at once (512 connections x 1 MiB would be 512 MiB). */
static atomic_size_t g_body_bytes;

static void upload_release(upload *u) {
  atomic_fetch_sub(&g_body_bytes, u->accounted);
  u->accounted = 0;
  kpw_buf_free(&u->body);
}

static int g_pending;  /* *con_cls: body-less request, answer next call */
static int g_done;     /* *con_cls: already answered */

static enum MHD_Result arg_to_json(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value) {
  (void)kind;
  kpw_buf *b = cls;
  if (b->data[b->len - 1] != '{') kpw_buf_putc(b, ',');
  kpw_json_key(b, key);
  kpw_json_str(b, value ? value : "");
  return MHD_YES;
}

/* Append one screening request to the audit log (when there is a store):
** the client address as actor, the query (GET arguments, or the POST body)
** and the response body as result. */
static void audit_request(const srv *s, struct MHD_Connection *c, const char *endpoint,
                          const char *body, size_t body_len, const kpw_buf *out) {
  if (!s->audit) return;
  char actor[INET6_ADDRSTRLEN + 8] = "http";
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci && ci->client_addr) {
    char host[INET6_ADDRSTRLEN] = "";
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof host);
    else
      inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof host);
    snprintf(actor, sizeof actor, "http:%s", host);
  }
  kpw_buf q;
  kpw_buf_init(&q);
  kpw_buf_puts(&q, "{\"endpoint\":");
  kpw_json_str(&q, endpoint);
  if (body) {
    kpw_buf_puts(&q, ",\"body\":");
    kpw_json_strn(&q, body, body_len);
  }
  kpw_buf_puts(&q, ",\"args\":{");
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, arg_to_json, &q);
  kpw_buf_puts(&q, "}}");
  audit_add(s->audit, actor, q.data, q.len, out->data ? out->data : "", out->len);
  kpw_buf_free(&q);
}

/* Everything but an accepted POST /match: auth, routing, method checks and
** the GET endpoints. */
static enum MHD_Result answer(const srv *s, struct MHD_Connection *c,
                              const char *url, const char *method) {
  const char *rest;
  route r = route_of(url, &rest);
  bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  bool post = strcmp(method, "POST") == 0;
  if (r != R_HEALTH && s->token && !auth_ok(s, c))
    return send_error(c, 401, "unauthorized",
                      "send 'Authorization: Bearer <token>'", NULL);
  if (r == R_NONE)
    return send_error(c, 404, "not found",
                      "endpoints: GET /search, POST /match, GET "
                      "/entities/{id}, GET /lists, GET /healthz",
                      NULL);
  if (r == R_MATCH ? !post : !get)
    return send_error(c, 405, "method not allowed",
                      r == R_MATCH ? "use POST" : "use GET",
                      r == R_MATCH ? "POST" : "GET, HEAD");
  scratch *sc = thread_scratch();
  unsigned status;
  switch (r) {
  case R_HEALTH:
    kpw_buf_reset(&sc->out);
    kpw_buf_puts(&sc->out, "{\"status\":\"ok\"}\n");
    status = 200;
    break;
  case R_LISTS: status = api_lists(s, sc); break;
  case R_SEARCH:
    status = api_search(s, c, rest, sc);
    if (status == 200) audit_request(s, c, url, NULL, 0, &sc->out);
    break;
  case R_ENTITY: status = api_entity(s, rest ? rest : "", sc); break;
  default:  /* POST /match without a body */
    status = api_match(s, c, rest, "", 0, sc);
    if (status == 200) audit_request(s, c, url, "", 0, &sc->out);
    break;
  }
  return send_json(c, status, &sc->out, NULL);
}

static bool has_body(struct MHD_Connection *c) {
  const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_LENGTH);
  const char *te = MHD_lookup_connection_value(
      c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
  return te || (cl && strcmp(cl, "0") != 0);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls) {
  const srv *s = cls;
  (void)version;
  if (*con_cls == NULL) {
    /* First call: headers only. A response queued now makes
    ** libmicrohttpd close the connection without reading the body, which
    ** is what refused uploads want; everything else answers on the next
    ** call so keep-alive is preserved. */
    if (!has_body(c)) {
      *con_cls = &g_pending;
      return MHD_YES;
    }
    const char *rest;
    route r = route_of(url, &rest);
    if (r != R_MATCH || strcmp(method, "POST") != 0 ||
        (s->token && !auth_ok(s, c))) {
      *con_cls = &g_done;
      return answer(s, c, url, method);
    }
    const char *cl = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(cl, &end, 10);
      if (errno || *end || v > s->max_body) {
        char why[128];
        snprintf(why, sizeof why, "request body over %zu bytes (--max-body)",
                 s->max_body);
        *con_cls = &g_done;
        return send_error(c, 413, "payload too large", why, NULL);
      }
    }
    upload *u = kpw_xcalloc(1, sizeof *u);
    kpw_buf_init(&u->body);
    *con_cls = u;
    return MHD_YES;
  }
  if (*con_cls == &g_pending || *con_cls == &g_done) {
    if (*upload_data_size) {  /* unexpected body bytes: dropped */
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (*con_cls == &g_done) return MHD_YES;
    *con_cls = &g_done;
    return answer(s, c, url, method);
  }
  upload *u = *con_cls;
  if (*upload_data_size) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    u->seen += n;
    if (!u->too_large && !u->busy) {
      if (u->body.len + n > s->max_body) {
        u->too_large = true;
        upload_release(u);
      } else if (atomic_fetch_add(&g_body_bytes, n) + n > BODY_BUDGET) {
        atomic_fetch_sub(&g_body_bytes, n);
        u->busy = true;
        upload_release(u);
      } else {
        u->accounted += n;
        kpw_buf_put(&u->body, upload_data, n);
      }
    }
    if (u->too_large || u->busy)
      return u->seen > DISCARD_CAP ? MHD_NO : MHD_YES;
    return MHD_YES;
  }
  if (u->too_large) {
    char why[128];
    snprintf(why, sizeof why, "request body over %zu bytes (--max-body)",
             s->max_body);
    return send_error(c, 413, "payload too large", why, NULL);
  }
  if (u->busy)
    return send_error(c, 503, "server busy",
                      "too many request bodies in flight; retry", NULL);
  const char *rest;
  route_of(url, &rest);
  scratch *sc = thread_scratch();
  unsigned status = api_match(s, c, rest, u->body.data ? u->body.data : "",
                              u->body.len, sc);
  if (status == 200)
    audit_request(s, c, url, u->body.data ? u->body.data : "", u->body.len, &sc->out);
  return send_json(c, status, &sc->out, NULL);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
  (void)cls, (void)c, (void)toe;
  if (*con_cls && *con_cls != &g_pending && *con_cls != &g_done) {
    upload *u = *con_cls;
    upload_release(u);
    free(u);
  }
  *con_cls = NULL;
}

/* ------------------------------------------------------------ address */

typedef struct listen_addr {
  struct sockaddr_storage ss;
  socklen_t len;
  bool v6, loopback;
} listen_addr;

/* "HOST:PORT", "[V6]:PORT" or "PORT" (loopback). Host names resolve
** through getaddrinfo; the first address is used. */
static bool parse_listen(const char *text, listen_addr *out, char *why,
                         size_t cap) {
  char host[256];
  const char *port;
  memset(out, 0, sizeof *out);
  if (text[0] == '[') {
    const char *e = strchr(text, ']');
    if (!e || e[1] != ':' || (size_t)(e - text - 1) >= sizeof host) {
      snprintf(why, cap, "--listen '%s': expected [ADDR]:PORT", text);
      return false;
    }
    memcpy(host, text + 1, (size_t)(e - text - 1));
    host[e - text - 1] = '\0';
    port = e + 2;
  } else {
    const char *colon = strrchr(text, ':');
    if (!colon) {
      strcpy(host, "127.0.0.1");
      port = text;
    } else {
      if ((size_t)(colon - text) >= sizeof host) {
        snprintf(why, cap, "--listen '%s': host too long", text);
        return false;
      }
      memcpy(host, text, (size_t)(colon - text));
      host[colon - text] = '\0';
      port = colon + 1;
      if (!host[0]) strcpy(host, "127.0.0.1");
    }
  }
  char *end;
  long p = strtol(port, &end, 10);
  if (!*port || *end || p < 0 || p > 65535) {
    snprintf(why, cap, "--listen '%s': port must be 0..65535", text);
    return false;
  }
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  int gai = getaddrinfo(strcmp(host, "*") == 0 ? "0.0.0.0" : host, port,
                        &hints, &res);
  if (gai != 0 || !res) {
    snprintf(why, cap, "--listen '%s': %s", text, gai_strerror(gai));
    return false;
  }
  memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
  out->len = (socklen_t)res->ai_addrlen;
  out->v6 = res->ai_family == AF_INET6;
  if (out->v6) {
    const struct in6_addr *a = &((struct sockaddr_in6 *)&out->ss)->sin6_addr;
    out->loopback = IN6_IS_ADDR_LOOPBACK(a) ||
                    (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
  } else {
    uint32_t a = ntohl(((struct sockaddr_in *)&out->ss)->sin_addr.s_addr);
    out->loopback = (a >> 24) == 127;
  }
  freeaddrinfo(res);
  return true;
}

/* ------------------------------------------------------------ command */

static void usage(FILE *f) {
  fputs(
      "Usage: kpwatch serve [--listen ADDR:PORT] -l LIST... [options]\n"
      "HTTP JSON API for screening against the loaded lists.\n"
      "\n"
      "  -l, --list FILE       watchlist to load (repeatable; format detected);\n"
      "                        without -l, the lists stored in --db are used\n"
      "      --listen A:P      address to bind (default " DEFAULT_LISTEN
      "; [::1]:P for IPv6;\n"
      "                        port 0 picks a free port, printed on stderr)\n"
      "      --token TOKEN     require 'Authorization: Bearer TOKEN' on every\n"
      "                        endpoint but /healthz (or env KPWATCH_TOKEN);\n"
      "                        required when the address is not loopback\n"
      "      --threads N       worker threads (default 2)\n"
      "      --max-body BYTES  largest request body (default 1048576; k/M suffix)\n"
      "      --max-queries N   most queries in one POST /match (default 100)\n"
      "      --timeout SECS    idle connection timeout and per-request time\n"
      "                        budget (default 30)\n"
      "  -h, --help            this help\n"
      "\n"
      "Endpoints (docs/serve.md):\n"
      "  GET  /search?name=&schema=&threshold=&cutoff=&limit=&dob=&country=\n"
      "  POST /match[/{dataset}]   yente's request and response shape\n"
      "  GET  /entities/{id}       e.g. /entities/UN:KPi.033\n"
      "  GET  /lists               loaded lists\n"
      "  GET  /healthz             {\"status\":\"ok\"}\n",
      f);
}

static bool parse_size(const char *s, size_t lo, size_t hi, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s) return false;
  if (*end == 'k' || *end == 'K') v *= 1024ull, end++;
  else if (*end == 'm' || *end == 'M') v *= 1024ull * 1024ull, end++;
  if (*end || v < lo || v > hi) return false;
  *out = (size_t)v;
  return true;
}

int cmd_serve(int argc, char **argv) {
  enum { O_LISTEN = 256, O_TOKEN, O_THREADS, O_MAXBODY, O_MAXQ, O_TIMEOUT };
  static const struct option opts[] = {
      {"list", required_argument, 0, 'l'},
      {"listen", required_argument, 0, O_LISTEN},
      {"token", required_argument, 0, O_TOKEN},
      {"threads", required_argument, 0, O_THREADS},
      {"max-body", required_argument, 0, O_MAXBODY},
      {"max-queries", required_argument, 0, O_MAXQ},
      {"timeout", required_argument, 0, O_TIMEOUT},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  const char *listen_s = DEFAULT_LISTEN, *token = getenv("KPWATCH_TOKEN");
  size_t threads = 2, max_body = DEFAULT_MAX_BODY, max_queries = 100,
         timeout = 30;
  const char **lists = kpw_xcalloc((size_t)argc + 1, sizeof *lists);
  size_t nlists = 0;
  int c, rc = EXIT_OK;
  optind = 1;
  while ((c = getopt_long(argc, argv, "l:h", opts, NULL)) != -1) {
    switch (c) {
    case 'l': lists[nlists++] = optarg; break;
    case O_LISTEN: listen_s = optarg; break;
    case O_TOKEN: token = optarg; break;
    case O_THREADS:
      if (!parse_size(optarg, 1, 64, &threads)) {
        free(lists);
        return cli_usage_error("serve", "--threads must be 1..64");
      }
      break;
    case O_MAXBODY:
      if (!parse_size(optarg, 64, (size_t)1 << 30, &max_body)) {
        free(lists);
        return cli_usage_error("serve", "--max-body must be 64 bytes..1G");
      }
      break;
    case O_MAXQ:
      if (!parse_size(optarg, 1, 10000, &max_queries)) {
        free(lists);
        return cli_usage_error("serve", "--max-queries must be 1..10000");
      }
      break;
    case O_TIMEOUT:
      if (!parse_size(optarg, 1, 86400, &timeout)) {
        free(lists);
        return cli_usage_error("serve", "--timeout must be 1..86400 seconds");
      }
      break;
    case 'h':
      usage(stdout);
      free(lists);
      return EXIT_OK;
    default:
      free(lists);
      return cli_usage_error("serve", "unknown option");
    }
  }
  if (optind < argc) {
    free(lists);
    return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
  }
  if (token && !*token) token = NULL;
  if (token) {
    for (const char *p = token; *p; p++)
      if (*p <= ' ' || *p > '~') {
        free(lists);
        return cli_usage_error("serve",
                               "the token must be printable ASCII without "
                               "spaces");
      }
  }
  listen_addr la;
  char why[512];
  if (!parse_listen(listen_s, &la, why, sizeof why)) {
    free(lists);
    return cli_usage_error("serve", "%s", why);
  }
  if (!la.loopback && !token) {
    free(lists);
    return cli_usage_error("serve",
                           "refusing to listen on non-loopback %s without a "
                           "token (--token or KPWATCH_TOKEN)",
                           listen_s);
  }

  kpw_error err;
  kpw_error_clear(&err);
  kpw_listset *ls = kpw_listset_new();
  kpw_screener *scr = NULL;
  struct MHD_Daemon *d = NULL;
  audit_log *audit = NULL;
  kpw_result r = cli_load_lists(ls, lists, nlists, &err);
  free(lists);
  if (r != KPW_OK) {
    rc = cli_fail(&err);
    goto out;
  }
  if ((r = kpw_screener_new(ls, &scr, &err)) != KPW_OK) {
    rc = cli_fail(&err);
    goto out;
  }
  /* With a store (--db, or ./kpwatch.db holding the lists), every
  ** screening request goes to its audit log. */
  if (g_cli.db && !(audit = audit_open(g_cli.db, ls, &err))) {
    rc = cli_fail(&err);
    goto out;
  }
  srv s = {0};
  s.audit = audit;
  s.ls = ls;
  s.sc = scr;
  s.token = token;
  s.token_len = token ? strlen(token) : 0;
  s.max_body = max_body;
  s.max_queries = max_queries;
  s.timeout_s = (unsigned)timeout;

  pthread_key_create(&g_scratch_key, scratch_free);
  /* Workers inherit this mask, so only sigwait below sees the signals. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  /* No MHD_USE_ERROR_LOG: a misbehaving client must not be able to flood
  ** stderr; start-up failures are reported below from errno. */
  unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD;
  if (la.v6) flags |= MHD_USE_IPv6;
  /* The port argument only labels libmicrohttpd's own messages: the
  ** address comes from MHD_OPTION_SOCK_ADDR. */
  uint16_t bind_port = ntohs(la.v6 ? ((struct sockaddr_in6 *)&la.ss)->sin6_port
                                   : ((struct sockaddr_in *)&la.ss)->sin_port);
  d = MHD_start_daemon(
      flags, bind_port, NULL, NULL, handler, &s, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&la.ss, MHD_OPTION_THREAD_POOL_SIZE,
      (unsigned)(threads > 1 ? threads : 0), MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)timeout, MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
      MHD_OPTION_NOTIFY_COMPLETED, completed, (void *)NULL, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "kpwatch serve: cannot listen on %s: %s\n", listen_s,
            strerror(errno));
    rc = EXIT_IOERR;
    goto out;
  }
  const union MHD_DaemonInfo *di =
      MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = di ? di->port : 0;
  char host[INET6_ADDRSTRLEN] = "?";
  if (la.v6)
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&la.ss)->sin6_addr, host,
              sizeof host);
  else
    inet_ntop(AF_INET, &((struct sockaddr_in *)&la.ss)->sin_addr, host,
              sizeof host);
  fprintf(stderr,
          "kpwatch serve: listening on http://%s%s%s:%u (%zu entities from "
          "%zu lists, %zu threads%s)\n",
          la.v6 ? "[" : "", host, la.v6 ? "]" : "", port,
          kpw_listset_count(ls), kpw_listset_nlists(ls), threads,
          token ? ", bearer token required" : "");
  fflush(stderr);
  int sig = 0;
  sigwait(&set, &sig);
  fprintf(stderr, "kpwatch serve: %s, shutting down\n",
          sig == SIGINT ? "interrupted" : "terminated");
out:
  if (d) MHD_stop_daemon(d);
  size_t audited = 0;
  if (audit && !audit_close(audit, &audited)) rc = EXIT_IOERR;
  if (audit && !g_cli.quiet)
    fprintf(stderr, "kpwatch serve: %zu requests written to the audit log of %s\n", audited, g_cli.db);
  kpw_screener_free(scr);
  kpw_listset_free(ls);
  return rc;
}
