/* nuri: status codes and error messages shared by every subsystem.
 *
 * Every fallible library function returns an nuri_status and, on failure, fills the
 * caller's nuri_error with one line naming the thing and the problem. Only the CLI
 * prints errors and exits. */
#ifndef NURI_BASE_H
#define NURI_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NURI_VERSION "0.1.0"

typedef enum {
    NURI_OK = 0,
    NURI_ERR_IO,          /* a file could not be opened, read, written or mapped */
    NURI_ERR_FORMAT,      /* input bytes do not follow their format (GGUF, JSON, UTF-8, ...) */
    NURI_ERR_UNSUPPORTED, /* valid input that nuri does not implement (tensor type, arch) */
    NURI_ERR_INVALID_ARG, /* a caller passed a value outside the documented range */
    NURI_ERR_NOMEM,       /* an allocation failed */
    NURI_ERR_NOT_FOUND,   /* a named key, tensor or token does not exist */
    NURI_ERR_INTERRUPTED, /* the caller asked the operation to stop */
} nuri_status;

typedef struct {
    nuri_status status;
    char msg[512];
} nuri_error;

/* Fills err (if not NULL) with status and a printf-style message; returns status so
 * callers can write `return nuri_fail(err, NURI_ERR_IO, "%s: ...", path);`. */
nuri_status nuri_fail(nuri_error *err, nuri_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prefixes an existing message with more context ("model.gguf: " + msg). */
void nuri_error_prefix(nuri_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

const char *nuri_status_name(nuri_status status);

#ifdef __cplusplus
}
#endif
#endif
