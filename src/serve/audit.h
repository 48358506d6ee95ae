/* The audit log: one JSON object per line for every request (time, client, route,
 * status, token counts, duration), appended to a file opened with O_APPEND and never
 * truncated or rewritten. Prompt text is included only when asked for. */
#ifndef NURI_SERVE_AUDIT_H
#define NURI_SERVE_AUDIT_H

#include <pthread.h>
#include <stdbool.h>

#include "nuri/base.h"

typedef struct {
    int fd; /* -1: no log */
    bool log_prompts;
    pthread_mutex_t mu;
} serve_audit;

typedef struct {
    const char *client;  /* address of the peer */
    const char *method;  /* as received (sanitized when written) */
    const char *path;    /* as received (sanitized when written) */
    const char *route;   /* the route it matched, from the fixed list */
    int status;
    int prompt_tokens, completion_tokens; /* -1: not a generation */
    double duration_ms;
    bool aborted;        /* the client went away or timed out before the end */
    const char *prompt;  /* written only with log_prompts; NULL: none */
} serve_audit_entry;

/* path NULL: no log (every write is then a no-op). */
nuri_status serve_audit_open(serve_audit *a, const char *path, bool log_prompts, nuri_error *err);
void serve_audit_close(serve_audit *a);
void serve_audit_write(serve_audit *a, const serve_audit_entry *e);

#endif
