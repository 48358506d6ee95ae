/* nuri: the command-line front end. Dispatches to one function per subcommand. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "nuri/base.h"

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"inspect", cmd_inspect, "show a GGUF file's metadata, tensors and sizes"},
    {"logits", cmd_logits, "teacher-forced logits for a token sequence (JSON lines)"},
    {"run", cmd_run, "generate text or tokens from a prompt"},
    {"chat", cmd_chat, "interactive chat with the model's chat template"},
    {"serve", cmd_serve, "private OpenAI-compatible HTTP server with a web chat"},
    {"bench", cmd_bench, "prompt processing and generation speed (pp512, tg128)"},
    {"tokenize", cmd_tokenize, "text to token ids with a model's tokenizer"},
    {"template", cmd_template, "render a chat template for a list of messages"},
    {"eval", cmd_eval, "benchmarks with lm-evaluation-harness semantics (KoBEST, KMMLU, ...)"},
    {"train", cmd_train, "train a Llama-architecture model from token shards; export GGUF"},
    {"data", cmd_data, "text files to a training set: clean, dedup, redact PII, split, manifest"},
    {"tokenizer", cmd_tokenizer, "train a byte-level BPE vocabulary (GGUF); characters per token"},
    {"audit", cmd_audit, "Korean safety, privacy and efficiency audit of a model: a passport"},
    {"pii", cmd_pii, "find or redact Korean personal data in text (JSON lines or placeholders)"},
};

static void usage(FILE *out) {
    fprintf(out, "nuri %s: small language models, Korean first, on your own machine\n\n"
                 "usage: nuri COMMAND [ARGS...]   (nuri COMMAND --help for its flags)\n\n"
                 "commands:\n", NURI_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("nuri %s\n", NURI_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "nuri: unknown command '%s' (nuri --help lists them)\n", argv[1]);
    return 2;
}
