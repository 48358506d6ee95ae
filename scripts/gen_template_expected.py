#!/usr/bin/env python3
"""Reference outputs for nuri's chat-template tests.

Renders every template in ../shared/templates for every conversation in
tests/data/templates/conversations, with add_generation_prompt True and False, the way
the reference does it (llama-cpp-python's Jinja2ChatFormatter):
jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True),
variables messages, bos_token, eos_token, add_generation_prompt and raise_exception
(which raises with its message), plus the conversation file's other keys (tools,
enable_thinking). strftime_now is not passed, so templates fall back to their fixed
date. Writes tests/data/templates/expected/<template>.json; an input Jinja2 rejects is
recorded as an error (its class and message) and nuri must fail on it too.

Run: /work/venv-dev/bin/python scripts/gen_template_expected.py
"""
import json
import os
import sys

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("NURI_SHARED", os.path.join(ROOT, "..", "shared"))
TEMPLATES = os.path.join(SHARED, "templates")
DATA = os.path.join(ROOT, "tests", "data", "templates")

# The BOS/EOS token texts each family's GGUF carries (tokenizer.ggml.{bos,eos}_token_id),
# matched by file-name prefix, first match wins.
FAMILY_TOKENS = [
    ("LGAI-EXAONE", "[BOS]", "[|endofturn|]"),
    ("google-gemma", "<bos>", "<eos>"),
    ("Qwen-", "<|endoftext|>", "<|im_end|>"),
    ("HuggingFaceTB-SmolLM2", "<|im_start|>", "<|im_end|>"),
    ("meta-llama-Llama-3", "<|begin_of_text|>", "<|eot_id|>"),
    ("NousResearch-Hermes", "<|begin_of_text|>", "<|im_end|>"),
    ("fireworks-ai-llama-3", "<|begin_of_text|>", "<|eot_id|>"),
    ("meetkai-functionary", "<|begin_of_text|>", "<|eot_id|>"),
    ("deepseek-ai-DeepSeek-R1", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    ("llama-cpp-deepseek-r1", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    ("CohereForAI", "<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"),
    ("microsoft-Phi-3", "<s>", "<|endoftext|>"),
    ("mistralai-", "<s>", "</s>"),
]


class RaisedByTemplate(Exception):
    pass


def raise_exception(message):
    raise RaisedByTemplate(message)


def tokens_for(name):
    for prefix, bos, eos in FAMILY_TOKENS:
        if name.startswith(prefix):
            return bos, eos
    raise SystemExit(f"no BOS/EOS tokens known for {name}; add its family to FAMILY_TOKENS")


def error_record(e):
    if isinstance(e, RaisedByTemplate):
        return {"error": "raise_exception", "message": str(e)}
    return {"error": type(e).__name__, "message": str(e)}


def main():
    conv_dir = os.path.join(DATA, "conversations")
    convs = []
    for f in sorted(os.listdir(conv_dir)):
        if f.endswith(".json"):
            with open(os.path.join(conv_dir, f), encoding="utf-8") as fh:
                convs.append((f[:-5], json.load(fh)))
    out_dir = os.path.join(DATA, "expected")
    os.makedirs(out_dir, exist_ok=True)
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    names = sorted(f for f in os.listdir(TEMPLATES) if f.endswith(".jinja"))
    for name in names:
        with open(os.path.join(TEMPLATES, name), encoding="utf-8") as fh:
            src = fh.read()
        bos, eos = tokens_for(name)
        record = {"template": name, "bos_token": bos, "eos_token": eos, "jinja2": jinja2.__version__,
                  "cases": []}
        try:
            tmpl = env.from_string(src)
            compile_error = None
        except Exception as e:  # the template itself is rejected
            tmpl, compile_error = None, error_record(e)
        for conv_name, conv in convs:
            if isinstance(conv, list):
                messages, extra = conv, {}
            else:
                extra = {k: v for k, v in conv.items() if k != "messages"}
                messages = conv["messages"]
            for gen in (True, False):
                case = {"conversation": conv_name, "add_generation_prompt": gen}
                if compile_error:
                    case.update(compile_error)
                else:
                    try:
                        case["output"] = tmpl.render(**extra, messages=messages, bos_token=bos, eos_token=eos,
                                                     add_generation_prompt=gen, raise_exception=raise_exception)
                    except Exception as e:
                        case.update(error_record(e))
                record["cases"].append(case)
        path = os.path.join(out_dir, name[: -len(".jinja")] + ".json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        n_err = sum(1 for c in record["cases"] if "error" in c)
        print(f"{name}: {len(record['cases'])} cases, {n_err} errors", file=sys.stderr)


if __name__ == "__main__":
    main()
