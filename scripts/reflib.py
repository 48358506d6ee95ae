"""Helpers shared by the reference scripts: loading llama-cpp-python the same way every time,
identifying the reference build, and writing logits in the fixtures' JSON format."""
import json
import os
import re

# The settings every reference run uses: one thread (bit-reproducible sums), no flash
# attention (the fixtures' non-FA path: F16 KV cache, F16-rounded queries/softmax weights),
# logits for every position, the library's default context size and F16 KV cache.
REF_SETTINGS = dict(n_threads=1, n_threads_batch=1, logits_all=True, flash_attn=False)

# llama-cpp-python's release notes name the llama.cpp commit each release vendors; used when
# the sdist's CHANGELOG.md is not at hand.
KNOWN_COMMITS = {"0.3.36": "0c1e57098"}
DEFAULT_SDIST = "/tmp/pkgs/llama_cpp_python-0.3.36"


def reference_id(sdist=None):
    """{'llama_cpp_python': version, 'llama_cpp_commit': short hash} of the imported build."""
    import llama_cpp

    ver = llama_cpp.__version__
    commit = None
    log = os.path.join(sdist or DEFAULT_SDIST, "CHANGELOG.md")
    if os.path.exists(log):
        text = open(log, encoding="utf-8").read()
        m = re.search(r"## \[" + re.escape(ver) + r"\](.*?)(?:\n## \[|\Z)", text, re.S)
        if m:
            c = re.search(r"llama\.cpp@([0-9a-f]{7,40})", m.group(1))
            if c:
                commit = c.group(1)
    if commit is None:
        commit = KNOWN_COMMITS.get(ver, "unknown")
    return {"llama_cpp_python": ver, "llama_cpp_commit": commit}


def open_model(path, n_ctx=512, **extra):
    from llama_cpp import Llama

    kw = dict(REF_SETTINGS, n_ctx=n_ctx, verbose=False)
    kw.update(extra)
    return Llama(model_path=path, **kw)


def is_eog(llm, tok):
    import llama_cpp

    return bool(llama_cpp.llama_vocab_is_eog(llm._model.vocab, tok))


def f6(x):
    return "%.6f" % x


def dumps_line(obj):
    """JSON with floats as %.6f inside 'top'/'logit_sum' like the shared fixtures; other values
    via json (UTF-8 kept as is)."""
    parts = []
    for k, v in obj.items():
        if k == "steps":
            steps = []
            for s in v:
                top = ",".join("[%d,%s]" % (i, f6(l)) for i, l in s["top"])
                steps.append('{"top":[%s],"logit_sum":%s}' % (top, f6(s["logit_sum"])))
            val = "[" + ",".join(steps) + "]"
        else:
            val = json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        parts.append(json.dumps(k) + ":" + val)
    return "{" + ",".join(parts) + "}"
