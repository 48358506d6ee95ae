/* Files: read-only mappings and atomic replacement (temporary file, fsync, rename), so
 * a crash or an error never leaves a partial output behind. */
#ifndef NURI_BASE_FILE_H
#define NURI_BASE_FILE_H

#include <stdio.h>

#include "nuri/base.h"

typedef struct {
    const void *data;
    size_t size;
} nuri_mapping;

nuri_status nuri_map_file(const char *path, nuri_mapping *map, nuri_error *err);
void nuri_unmap_file(nuri_mapping *map);

typedef struct {
    FILE *f;
    char *tmp_path;
    char *final_path;
} nuri_atomic_file;

/* Creates a temporary file in path's directory; write through af->f. */
nuri_status nuri_atomic_open(nuri_atomic_file *af, const char *path, nuri_error *err);
/* Flushes, fsyncs and renames over the final path (then fsyncs the directory). */
nuri_status nuri_atomic_commit(nuri_atomic_file *af, nuri_error *err);
/* Closes and removes the temporary file; safe after a failed commit or twice. */
void nuri_atomic_abort(nuri_atomic_file *af);

/* Reads a whole file into a NUL-terminated malloc'd buffer. */
nuri_status nuri_read_file(const char *path, char **data, size_t *size, nuri_error *err);

#endif
