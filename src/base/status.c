#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nuri/base.h"

nuri_status nuri_fail(nuri_error *err, nuri_status status, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void nuri_error_prefix(nuri_error *err, const char *fmt, ...) {
    if (!err) return;
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof err->msg];
    memcpy(old, err->msg, sizeof old);
    size_t n = strlen(prefix);
    if (n >= sizeof err->msg) n = sizeof err->msg - 1;
    memcpy(err->msg, prefix, n);
    size_t rest = strlen(old);
    if (rest > sizeof err->msg - 1 - n) rest = sizeof err->msg - 1 - n;
    memcpy(err->msg + n, old, rest);
    err->msg[n + rest] = 0;
}

const char *nuri_status_name(nuri_status status) {
    switch (status) {
    case NURI_OK: return "ok";
    case NURI_ERR_IO: return "i/o error";
    case NURI_ERR_FORMAT: return "format error";
    case NURI_ERR_UNSUPPORTED: return "unsupported";
    case NURI_ERR_INVALID_ARG: return "invalid argument";
    case NURI_ERR_NOMEM: return "out of memory";
    case NURI_ERR_NOT_FOUND: return "not found";
    case NURI_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown status";
}
