/* The passport's non-probe facts: efficiency of the audited model and its openness. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "audit/internal.h"

/* OSI-approved licenses by SPDX identifier: those the SPDX license list (v3.x,
 * spdx.org/licenses, column "OSI Approved") marks approved that model and code releases
 * use; a license not here is reported "not in nuri's OSI list", not "not open". */
static const char *const osi_licenses[] = {
    "0BSD", "AFL-3.0", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.1", "Apache-2.0",
    "APSL-2.0", "Artistic-2.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Patent", "BSD-3-Clause",
    "BSL-1.0", "CDDL-1.0", "CECILL-2.1", "ECL-2.0", "EPL-1.0", "EPL-2.0", "EUPL-1.1", "EUPL-1.2",
    "GPL-2.0", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0", "GPL-3.0-only", "GPL-3.0-or-later", "ISC",
    "LGPL-2.1", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0", "LGPL-3.0-only", "LGPL-3.0-or-later",
    "LPPL-1.3c", "MIT", "MIT-0", "MPL-1.1", "MPL-2.0", "MS-PL", "MS-RL", "MulanPSL-2.0", "NCSA", "OFL-1.1",
    "OSL-3.0", "PostgreSQL", "Python-2.0", "UPL-1.0", "Unlicense", "Zlib", "ZPL-2.1",
};

bool nuri_license_osi_approved(const char *spdx) {
    if (!spdx) return false;
    for (size_t i = 0; i < sizeof osi_licenses / sizeof osi_licenses[0]; i++)
        if (!strcasecmp(spdx, osi_licenses[i])) return true;
    return false;
}

/* Assumed power per busy thread when no meter is readable: a 2020s server CPU's TDP
 * divided by its cores, about 200 W / 20 cores. Labeled an estimate wherever shown. */
#define AU_EST_WATTS_PER_THREAD 10.0

cJSON *au_efficiency(const nuri_audit_live *live, int n_threads);
cJSON *au_efficiency(const nuri_audit_live *live, int n_threads) {
    cJSON *e = cJSON_CreateObject();
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) cJSON_AddNumberToObject(e, "peak_rss_mib", (double)ru.ru_maxrss / 1024.0);
    if (!live) {
        cJSON_AddStringToObject(e, "note", "not measured: the model is not a nuri context (scripted model)");
        return e;
    }
    long long tokens;
    double ms, joules;
    bool metered;
    nuri_audit_live_stats(live, &tokens, &ms);
    metered = nuri_audit_live_energy(live, &joules);
    cJSON_AddNumberToObject(e, "generated_tokens", (double)tokens);
    cJSON_AddNumberToObject(e, "generation_seconds", ms / 1000.0);
    cJSON_AddNumberToObject(e, "tokens_per_second", ms > 0 ? tokens / (ms / 1000.0) : 0);
    cJSON_AddNumberToObject(e, "threads", n_threads);
    if (metered && tokens > 0) {
        cJSON_AddNumberToObject(e, "joules_per_token", joules / (double)tokens);
        cJSON_AddStringToObject(e, "energy_source", "RAPL (/sys/class/powercap, package domain)");
    } else if (tokens > 0) {
        int t = n_threads > 0 ? n_threads : 1;
        cJSON_AddNumberToObject(e, "joules_per_token", AU_EST_WATTS_PER_THREAD * t * (ms / 1000.0) / (double)tokens);
        cJSON_AddStringToObject(e, "energy_source",
                                "ESTIMATE: no RAPL readable; 10 W per thread x threads x generation time (docs/audit.md)");
    }
    return e;
}

cJSON *au_openness(const char *license, const char *provenance);
cJSON *au_openness(const char *license, const char *provenance) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "license", license ? license : "");
    cJSON_AddBoolToObject(o, "license_known", license && *license);
    cJSON_AddBoolToObject(o, "osi_approved", nuri_license_osi_approved(license));
    cJSON_AddStringToObject(o, "provenance", provenance ? provenance : "");
    cJSON_AddBoolToObject(o, "provenance_published", provenance && *provenance);
    return o;
}
