#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

nuri_status nuri_map_file(const char *path, nuri_mapping *map, nuri_error *err) {
    map->data = NULL;
    map->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nuri_fail(err, NURI_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return nuri_fail(err, NURI_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return nuri_fail(err, NURI_ERR_IO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: file is empty", path);
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED) return nuri_fail(err, NURI_ERR_IO, "%s: cannot map: %s", path, strerror(e));
    map->data = p;
    map->size = (size_t)st.st_size;
    return NURI_OK;
}

void nuri_unmap_file(nuri_mapping *map) {
    if (map->data) munmap((void *)map->data, map->size);
    map->data = NULL;
    map->size = 0;
}

nuri_status nuri_atomic_open(nuri_atomic_file *af, const char *path, nuri_error *err) {
    memset(af, 0, sizeof *af);
    size_t n = strlen(path);
    af->final_path = malloc(n + 1);
    af->tmp_path = malloc(n + 16);
    if (!af->final_path || !af->tmp_path) {
        nuri_atomic_abort(af);
        return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", path);
    }
    memcpy(af->final_path, path, n + 1);
    snprintf(af->tmp_path, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        int e = errno;
        free(af->tmp_path);
        af->tmp_path = NULL;
        nuri_atomic_abort(af);
        return nuri_fail(err, NURI_ERR_IO, "%s: cannot create temporary file: %s", path, strerror(e));
    }
    /* mkstemp creates 0600; outputs are ordinary files that other tools and users read. */
    fchmod(fd, 0644);
    af->f = fdopen(fd, "wb");
    if (!af->f) {
        close(fd);
        nuri_atomic_abort(af);
        return nuri_fail(err, NURI_ERR_IO, "%s: cannot open temporary file", path);
    }
    return NURI_OK;
}

nuri_status nuri_atomic_commit(nuri_atomic_file *af, nuri_error *err) {
    const char *path = af->final_path ? af->final_path : "(output)";
    if (!af->f || fflush(af->f) != 0 || ferror(af->f) || fsync(fileno(af->f)) != 0) {
        nuri_status st = nuri_fail(err, NURI_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        nuri_atomic_abort(af);
        return st;
    }
    int rc = fclose(af->f);
    af->f = NULL;
    if (rc != 0 || rename(af->tmp_path, af->final_path) != 0) {
        nuri_status st = nuri_fail(err, NURI_ERR_IO, "%s: cannot replace: %s", path, strerror(errno));
        nuri_atomic_abort(af);
        return st;
    }
    /* The rename itself must reach the disk before we report success. */
    char *dir = strdup(af->final_path);
    if (dir) {
        int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    free(af->tmp_path);
    free(af->final_path);
    memset(af, 0, sizeof *af);
    return NURI_OK;
}

void nuri_atomic_abort(nuri_atomic_file *af) {
    if (af->f) fclose(af->f);
    if (af->tmp_path) unlink(af->tmp_path);
    free(af->tmp_path);
    free(af->final_path);
    memset(af, 0, sizeof *af);
}

nuri_status nuri_read_file(const char *path, char **data, size_t *size, nuri_error *err) {
    *data = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return nuri_fail(err, NURI_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf) return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", path);
    if (bad) {
        free(buf);
        return nuri_fail(err, NURI_ERR_IO, "%s: read error", path);
    }
    buf[len] = 0;
    *data = buf;
    if (size) *size = len;
    return NURI_OK;
}
