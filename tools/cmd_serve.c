/* nuri serve: the OpenAI-compatible local server and its web chat (docs/serve.md). Parses
 * the flags, loads the model, starts the server and waits for SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "gen_flags.h"
#include "nuri/serve.h"
#include "nuri/template.h"

static void usage(FILE *out, const nuri_serve_params *d) {
    fprintf(out,
            "usage: nuri serve [-m MODEL] [--host ADDR] [--port N] [--api-key KEY | --api-key-file FILE]\n"
            "                  [--audit-log FILE] [options]\n\n"
            "An OpenAI-compatible HTTP server (/v1/chat/completions, /v1/completions, /v1/embeddings,\n"
            "/v1/models, /tokenize, /detokenize, /apply-template, /health, /metrics) with a web chat\n"
            "at /. Private by default: it listens on 127.0.0.1 and never connects anywhere.\n\n"
            "  -m, --model FILE       GGUF model (default: $NURI_MODEL, else the bundled model)\n"
            "  --host ADDR            address to listen on (default %s); a non-loopback address\n"
            "                         needs an API key\n"
            "  --port N               port (default %d; 0: any free port, printed at start)\n"
            "  --api-key KEY          require 'Authorization: Bearer KEY' (visible to other local\n"
            "                         users in the process list: prefer --api-key-file)\n"
            "  --api-key-file FILE    the key is the file's first line (also: $NURI_API_KEY)\n"
            "  --cors ORIGIN          allow browser pages from ORIGIN to call the API (default: off)\n"
            "  --audit-log FILE       append one JSON line per request (time, client, route, status,\n"
            "                         tokens); the file is created with mode 0600\n"
            "  --log-prompts          also write prompt text into the audit log\n"
            "  --chat-template NAME   a built-in template instead of the model's (nuri template\n"
            "                         --list-templates)\n"
            "  --parallel N           requests generated at once, one slot each (default %d)\n"
            "  --queue N              requests that may wait for a slot; more get 503 (default %d)\n"
            "  --max-body BYTES       largest request body; larger get 413 (default %zu)\n"
            "  --max-prompt N         most prompt tokens per request (default: the context)\n"
            "  --max-tokens N         most tokens a request may ask to generate (max_tokens); more\n"
            "                         get 400 (default: the context)\n"
            "  --timeout S            close a connection idle for S seconds or still uploading its\n"
            "                         request after S seconds (default %d)\n"
            "  --max-connections N    open connections at once (default %d)\n"
            "  -t, --threads N        threads per slot (default: the cores divided among the slots)\n"
            "  -c, --ctx N            context per slot (default: the model's, at most 4096); prompt\n"
            "                         and max_tokens together must fit it\n"
            "  -n, --n-predict N      max_tokens when a request gives none (default %d)\n"
            "  --temp, --top-k, --top-p, --min-p, --repeat-penalty, --repeat-last-n, --seed\n"
            "                         defaults for the sampling parameters a request leaves out\n"
            "                         (as nuri run); a request without a seed gets a random one,\n"
            "                         or --seed's when that is given\n"
            "  --kv-f32               keep the KV cache in F32\n"
            "  --mock-reply TEXT      TEST AID: answer every chat/completion with TEXT, streamed token\n"
            "                         by token, without running the model\n"
            "  --mock-delay MS        TEST AID: pause between mock tokens (default %d)\n",
            d->host, d->port, d->n_parallel, d->queue_size, d->max_body, d->timeout_s, d->max_connections,
            d->n_predict, d->mock_delay_ms);
}

static char *read_key_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    if (n < 0) {
        free(line);
        return strdup("");
    }
    while (n > 0 && strchr("\r\n \t", line[n - 1])) line[--n] = 0;
    return line;
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int cmd_serve(int argc, char **argv) {
    nuri_serve_params p = nuri_serve_default_params();
    gen_flags f;
    gen_flags_init(&f);
    f.n_predict = p.n_predict;
    const char *key = NULL, *key_file = NULL, *tmpl_name = NULL;
    long long ll;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--seed")) p.fixed_seed = true;
        int used = gen_flags_parse(&f, "serve", argc, argv, &i);
        if (used < 0) return 2;
        if (used) continue;
#define VALUE() if (!(v = cli_value("serve", argc, argv, &i))) return 2
#define INT(lo, hi) if (!cli_int("serve", a, v, lo, hi, &ll)) return 2
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout, &p);
            return 0;
        } else if (!strcmp(a, "--host")) {
            VALUE();
            p.host = v;
        } else if (!strcmp(a, "--port")) {
            VALUE();
            INT(0, 65535);
            p.port = (int)ll;
        } else if (!strcmp(a, "--api-key")) {
            VALUE();
            key = v;
        } else if (!strcmp(a, "--api-key-file")) {
            VALUE();
            key_file = v;
        } else if (!strcmp(a, "--cors")) {
            VALUE();
            p.cors_origin = v;
        } else if (!strcmp(a, "--audit-log")) {
            VALUE();
            p.audit_log = v;
        } else if (!strcmp(a, "--log-prompts")) {
            p.log_prompts = true;
        } else if (!strcmp(a, "--chat-template")) {
            VALUE();
            tmpl_name = v;
        } else if (!strcmp(a, "--parallel")) {
            VALUE();
            INT(1, 256);
            p.n_parallel = (int)ll;
        } else if (!strcmp(a, "--queue")) {
            VALUE();
            INT(0, 100000);
            p.queue_size = (int)ll;
        } else if (!strcmp(a, "--max-body")) {
            VALUE();
            INT(64, 1LL << 30);
            p.max_body = (size_t)ll;
        } else if (!strcmp(a, "--max-prompt")) {
            VALUE();
            INT(1, 1 << 20);
            p.max_prompt = (int)ll;
        } else if (!strcmp(a, "--max-tokens")) {
            VALUE();
            INT(1, 1 << 20);
            p.max_tokens = (int)ll;
        } else if (!strcmp(a, "--timeout")) {
            VALUE();
            INT(1, 86400);
            p.timeout_s = (int)ll;
        } else if (!strcmp(a, "--max-connections")) {
            VALUE();
            INT(1, 10000);
            p.max_connections = (int)ll;
        } else if (!strcmp(a, "--mock-reply")) {
            VALUE();
            p.mock_reply = v;
        } else if (!strcmp(a, "--mock-delay")) {
            VALUE();
            INT(0, 10000);
            p.mock_delay_ms = (int)ll;
        } else {
            cli_error("serve", "unknown argument '%s' (see nuri serve --help)", a);
            return 2;
        }
#undef VALUE
#undef INT
    }
    if (key && key_file) {
        cli_error("serve", "give --api-key or --api-key-file, not both");
        return 2;
    }
    char *key_buf = NULL;
    if (key_file) {
        if (!(key_buf = read_key_file(key_file))) {
            cli_error("serve", "--api-key-file %s: cannot read it", key_file);
            return 2;
        }
        key = key_buf;
    } else if (!key && getenv("NURI_API_KEY") && *getenv("NURI_API_KEY")) {
        key = getenv("NURI_API_KEY");
    }
    if (key && strlen(key) < 8) {
        cli_error("serve", "the API key is shorter than 8 characters");
        free(key_buf);
        return 2;
    }
    if (p.mock_reply && !nuri_utf8_valid(p.mock_reply, strlen(p.mock_reply), NULL)) {
        cli_error("serve", "--mock-reply: invalid UTF-8");
        free(key_buf);
        return 2;
    }
    p.api_key = key;
    /* Checked before the model loads, so a refused address fails fast. */
    if (!nuri_serve_host_is_loopback(p.host) && !key) {
        cli_error("serve", "--host %s is not a loopback address: refusing to serve beyond this machine without an API key "
                           "(--api-key-file FILE)", p.host);
        free(key_buf);
        return 2;
    }
    if (tmpl_name && !(p.chat_template = nuri_template_builtin(tmpl_name))) {
        cli_error("serve", "--chat-template: unknown template '%s'", tmpl_name);
        free(key_buf);
        return 2;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    p.n_threads = f.threads > 0 ? (int)f.threads : (int)(cores / p.n_parallel > 0 ? cores / p.n_parallel : 1);
    p.n_ctx = (int)f.n_ctx;
    p.kv_f32 = f.kv_f32;
    p.n_predict = (int)f.n_predict;
    p.sampling = f.sampling;

    const char *path = f.model ? f.model : gen_default_model();
    if (!path) {
        cli_error("serve", "no model: pass -m MODEL.gguf or set NURI_MODEL");
        free(key_buf);
        return 1;
    }
    nuri_model *model = NULL;
    nuri_tokenizer *tok = NULL;
    nuri_error err;
    if (nuri_model_load(path, &model, &err) || nuri_tokenizer_load(nuri_model_gguf(model), &tok, &err)) {
        cli_error("serve", "%s", err.msg);
        nuri_model_free(model);
        free(key_buf);
        return 1;
    }
    p.model_id = base_name(path);

    /* Signals go to sigwait below, not to the server's threads (which inherit the mask). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    nuri_server *srv = NULL;
    int rc = 0;
    if (nuri_serve_start(model, tok, &p, &srv, &err)) {
        cli_error("serve", "%s", err.msg);
        rc = 1;
    } else {
        const char *h = p.host;
        bool v6 = strchr(h, ':') != NULL;
        fprintf(stderr, "nuri serve: %s, %d slot%s x %d thread%s, queue %d%s%s\n", p.model_id, p.n_parallel,
                p.n_parallel == 1 ? "" : "s", p.n_threads, p.n_threads == 1 ? "" : "s", p.queue_size,
                key ? ", API key required" : "", p.mock_reply ? ", MOCK REPLIES (test aid)" : "");
        printf("nuri serve: listening on http://%s%s%s:%d/\n", v6 ? "[" : "", h, v6 ? "]" : "", nuri_serve_port(srv));
        fflush(stdout);
        int sig = 0;
        sigwait(&set, &sig);
        fprintf(stderr, "nuri serve: stopping (signal %d)\n", sig);
        nuri_serve_stop(srv);
    }
    nuri_tokenizer_free(tok);
    nuri_model_free(model);
    free(key_buf);
    return rc;
}
