/*
** cli.h -- shared pieces of the kpwatch command-line front-end: the
** command table, exit codes, error printing and list loading.
** Front-end code: includes only public headers from include/kpw/.
*/
#ifndef KPW_CLI_H
#define KPW_CLI_H

#include <stdio.h>
#include "kpw/kpw.h"
#include "kpw/util.h"
#include "kpw/lists.h"
#include "kpw/screen.h"
#include "kpw/finding.h"
#include "kpw/store.h"

/* Exit codes (ARCHITECTURE.md): */
enum {
  EXIT_OK = 0,        /* success, no hits (or hits without --fail-on-hit) */
  EXIT_HIT = 1,       /* hits found and --fail-on-hit given */
  EXIT_USAGE = 2,     /* bad command line */
  EXIT_INPUT = 3,     /* bad input data */
  EXIT_IOERR = 4      /* I/O or internal error */
};

/* The store used by `lists` without --db, and by `screen`/`serve` without
** -l or --db when it exists. */
#define CLI_DEFAULT_DB "kpwatch.db"

/* Global options parsed by main before the command. */
typedef struct cli_globals {
  const char *db;     /* --db FILE or NULL */
  bool quiet;         /* --quiet: no progress on stderr */
} cli_globals;
extern cli_globals g_cli;

/* Map a library result onto an exit code. */
int cli_exit_code(kpw_result r);
/* Print "kpwatch: <formatted error>" to stderr and return the exit code. */
int cli_fail(const kpw_error *err);
/* Print "kpwatch <cmd>: <msg>\nTry 'kpwatch <cmd> --help'." and return 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* True when stderr is a terminal and progress is wanted. */
bool cli_progress_enabled(void);

/* Load each path into ls (format detected); prints progress when enabled.
** When paths is empty and g_cli.db is set, loads the lists registered in
** the store. Returns KPW_OK or the first failure (err filled). */
kpw_result cli_load_lists(kpw_listset *ls, const char **paths, size_t n,
                          kpw_error *err);

/* Reload every list kept in an open store (its stored copy, re-parsed).
** *n_lists gets how many lists the store holds. */
kpw_result cli_load_stored_lists(kpw_store *st, kpw_listset *ls, size_t *n_lists,
                                 kpw_error *err);

/* Commands: each gets argv starting at the command name (argv[0]). */
int cmd_screen(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_lists(int argc, char **argv);
int cmd_serve(int argc, char **argv);    /* httpd/serve.c */
int cmd_demo(int argc, char **argv);
int cmd_chain(int argc, char **argv);
int cmd_chain_cluster(int argc, char **argv);   /* cli/cmd_chain_cluster.c: `chain cluster` */
int cmd_sim(int argc, char **argv);
int cmd_chain_index(int argc, char **argv);   /* cmd_chain_index.c */
int cmd_chain_info(int argc, char **argv);
int cmd_chain_trace(int argc, char **argv);   /* cmd_chain_trace.c */
int cmd_ais(int argc, char **argv);

#endif
