#include "serve/audit.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nuri/tokenizer.h"

nuri_status serve_audit_open(serve_audit *a, const char *path, bool log_prompts, nuri_error *err) {
    a->fd = -1;
    a->log_prompts = log_prompts;
    pthread_mutex_init(&a->mu, NULL);
    if (!path) return NURI_OK;
    /* 0600: prompts may be confidential. O_APPEND: every line lands at the end even
     * if something else writes the file too. */
    a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (a->fd < 0) {
        int e = errno;
        pthread_mutex_destroy(&a->mu);
        return nuri_fail(err, NURI_ERR_IO, "%s: cannot open the audit log: %s", path, strerror(e));
    }
    return NURI_OK;
}

void serve_audit_close(serve_audit *a) {
    if (a->fd >= 0) {
        fsync(a->fd);
        close(a->fd);
    }
    a->fd = -1;
    pthread_mutex_destroy(&a->mu);
}

/* Client-controlled text (method, path) as printable ASCII, %XX for anything else, at
 * most 200 bytes: the log stays valid JSON and one line whatever was sent. */
static void sanitize(const char *s, char *out, size_t cap) {
    size_t o = 0;
    for (; s && *s && o + 4 < cap && o < 200; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c < 0x7f && c != '%') out[o++] = (char)c;
        else o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
    }
    out[o] = 0;
}

void serve_audit_write(serve_audit *a, const serve_audit_entry *e) {
    if (a->fd < 0) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[40], method[64], path[256];
    size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03ldZ", ts.tv_nsec / 1000000);
    sanitize(e->method, method, sizeof method);
    sanitize(e->path, path, sizeof path);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "time", when);
    cJSON_AddStringToObject(o, "client", e->client ? e->client : "");
    cJSON_AddStringToObject(o, "method", method);
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddStringToObject(o, "route", e->route ? e->route : "other");
    cJSON_AddNumberToObject(o, "status", e->status);
    if (e->prompt_tokens >= 0) cJSON_AddNumberToObject(o, "prompt_tokens", e->prompt_tokens);
    if (e->completion_tokens >= 0) cJSON_AddNumberToObject(o, "completion_tokens", e->completion_tokens);
    cJSON_AddNumberToObject(o, "duration_ms", (double)(long long)(e->duration_ms * 1000) / 1000);
    if (e->aborted) cJSON_AddTrueToObject(o, "aborted");
    if (a->log_prompts && e->prompt && nuri_utf8_valid(e->prompt, strlen(e->prompt), NULL))
        cJSON_AddStringToObject(o, "prompt", e->prompt);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!line) return;
    size_t len = strlen(line);
    line[len] = '\n'; /* replaces the NUL: written by length below */
    pthread_mutex_lock(&a->mu);
    for (size_t off = 0; off < len + 1;) {
        ssize_t w = write(a->fd, line + off, len + 1 - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    pthread_mutex_unlock(&a->mu);
    free(line);
}
