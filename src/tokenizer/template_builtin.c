/* Built-in chat templates, selected by family name (`--chat-template NAME`), for GGUF
 * files that carry no template or to force a format. They are nuri's own compact
 * rewrites of each family's published template: for conversations without tool
 * definitions they render byte for byte what the original renders (tests compare them
 * with Jinja2's output for the originals); given `tools`, they refuse with an error
 * instead of guessing, so use the model's own template for tool use.
 *
 * scripts/gen_template_expected.py reads the string literals of this table (one entry
 * per {"name", "..." ...} pair) to render them with Jinja2, so keep that shape. */
#include <string.h>

#include "nuri/template.h"

static const struct {
    const char *name;
    const char *src;
} builtins[] = {
    {"chatml",
     "{%- for message in messages %}\n"
     "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}\n"
     "{%- endfor %}\n"
     "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}\n"},
    {"smollm2",
     "{%- if messages and messages[0]['role'] != 'system' %}\n"
     "{{- '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}\n"
     "{%- endif %}\n"
     "{%- for message in messages %}\n"
     "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}\n"
     "{%- endfor %}\n"
     "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}\n"},
    {"exaone3",
     "{%- for message in messages %}\n"
     "{%- if loop.first and message['role'] != 'system' %}{{- '[|system|][|endofturn|]\\n' }}{%- endif %}\n"
     "{{- '[|' + message['role'] + '|]' + message['content'] }}\n"
     "{{- '\\n' if message['role'] == 'user' else '[|endofturn|]\\n' }}\n"
     "{%- endfor %}\n"
     "{%- if add_generation_prompt %}{{- '[|assistant|]' }}{%- endif %}\n"},
    {"exaone-deep",
     "{%- for message in messages %}\n"
     "{%- if loop.first and message['role'] != 'system' %}{{- '[|system|][|endofturn|]\\n' }}{%- endif %}\n"
     "{%- set text = message['content'] %}\n"
     "{#- earlier answers are kept without their reasoning #}\n"
     "{%- if '</thought>' in text %}{%- set text = text.split('</thought>')[-1].lstrip('\\n') %}{%- endif %}\n"
     "{{- '[|' + message['role'] + '|]' + text }}\n"
     "{%- if message['role'] != 'user' %}{{- '[|endofturn|]' }}{%- endif %}\n"
     "{%- if not loop.last %}{{- '\\n' }}{%- endif %}\n"
     "{%- endfor %}\n"
     "{%- if add_generation_prompt %}{{- '\\n[|assistant|]<thought>\\n' }}{%- endif %}\n"},
    {"phi3",
     "{%- for message in messages %}\n"
     "{%- if message['role'] == 'system' and message['content'] %}\n"
     "{{- '<|system|>\\n' + message['content'] + '<|end|>\\n' }}\n"
     "{%- elif message['role'] == 'user' or message['role'] == 'assistant' %}\n"
     "{{- '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}\n"
     "{%- endif %}\n"
     "{%- endfor %}\n"
     "{{- '<|assistant|>\\n' if add_generation_prompt else eos_token }}\n"},
    {"gemma2",
     "{{- bos_token }}\n"
     "{%- if messages[0]['role'] == 'system' %}{{- raise_exception('System role not supported') }}{%- endif %}\n"
     "{%- for message in messages %}\n"
     "{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}\n"
     "{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}\n"
     "{%- endif %}\n"
     "{{- '<start_of_turn>' + ('model' if message['role'] == 'assistant' else message['role']) + '\\n' }}\n"
     "{{- message['content'] | trim }}\n"
     "{{- '<end_of_turn>\\n' }}\n"
     "{%- endfor %}\n"
     "{%- if add_generation_prompt %}{{- '<start_of_turn>model\\n' }}{%- endif %}\n"},
    {"gemma3",
     "{{- bos_token }}\n"
     "{#- a system message is folded into the first user turn #}\n"
     "{%- if messages[0]['role'] == 'system' %}\n"
     "{%- set sys = messages[0]['content'] %}\n"
     "{%- set first_user_prefix = (sys if sys is string else sys[0]['text']) + '\\n\\n' %}\n"
     "{%- set turns = messages[1:] %}\n"
     "{%- else %}\n"
     "{%- set first_user_prefix = '' %}\n"
     "{%- set turns = messages %}\n"
     "{%- endif %}\n"
     "{%- for message in turns %}\n"
     "{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}\n"
     "{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}\n"
     "{%- endif %}\n"
     "{{- '<start_of_turn>' + ('model' if message['role'] == 'assistant' else message['role']) + '\\n' }}\n"
     "{{- first_user_prefix if loop.first else '' }}\n"
     "{%- if message['content'] is string %}\n"
     "{{- message['content'] | trim }}\n"
     "{%- elif message['content'] is iterable %}\n"
     "{%- for part in message['content'] %}\n"
     "{%- if part['type'] == 'image' %}{{- '<start_of_image>' }}\n"
     "{%- elif part['type'] == 'text' %}{{- part['text'] | trim }}{%- endif %}\n"
     "{%- endfor %}\n"
     "{%- else %}\n"
     "{{- raise_exception('Invalid content type') }}\n"
     "{%- endif %}\n"
     "{{- '<end_of_turn>\\n' }}\n"
     "{%- endfor %}\n"
     "{%- if add_generation_prompt %}{{- '<start_of_turn>model\\n' }}{%- endif %}\n"},
    {"llama3",
     "{{- bos_token }}\n"
     "{%- if tools is defined and tools %}\n"
     "{{- raise_exception('the built-in llama3 template does not render tool definitions; use the model\\'s own template') }}\n"
     "{%- endif %}\n"
     "{%- if messages[0]['role'] == 'system' %}\n"
     "{%- set system_message = messages[0]['content'] | trim %}\n"
     "{%- set messages = messages[1:] %}\n"
     "{%- else %}\n"
     "{%- set system_message = '' %}\n"
     "{%- endif %}\n"
     "{{- '<|start_header_id|>system<|end_header_id|>\\n\\nCutting Knowledge Date: December 2023\\nToday Date: ' }}\n"
     "{{- (date_string if date_string is defined else '26 Jul 2024') + '\\n\\n' + system_message + '<|eot_id|>' }}\n"
     "{%- for message in messages %}\n"
     "{%- if 'tool_calls' in message %}\n"
     "{%- if message['tool_calls'] | length != 1 %}\n"
     "{{- raise_exception('This model only supports single tool-calls at once!') }}\n"
     "{%- endif %}\n"
     "{%- set call = message['tool_calls'][0]['function'] %}\n"
     "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n{\"name\": \"' + call['name'] + '\", \"parameters\": ' }}\n"
     "{{- call['arguments'] | tojson }}\n"
     "{{- '}<|eot_id|>' }}\n"
     "{%- elif message['role'] == 'tool' or message['role'] == 'ipython' %}\n"
     "{{- '<|start_header_id|>ipython<|end_header_id|>\\n\\n' }}\n"
     "{#- tool results that are not plain numbers or booleans are written as JSON #}\n"
     "{{- message['content'] | tojson if message['content'] is mapping or message['content'] is iterable "
     "else message['content'] }}\n"
     "{{- '<|eot_id|>' }}\n"
     "{%- else %}\n"
     "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + "
     "'<|eot_id|>' }}\n"
     "{%- endif %}\n"
     "{%- endfor %}\n"
     "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}\n"},
    {"qwen2.5",
     "{%- if tools is defined and tools %}\n"
     "{{- raise_exception('the built-in qwen2.5 template does not render tool definitions; use the model\\'s own template') }}\n"
     "{%- endif %}\n"
     "{%- if messages[0]['role'] == 'system' %}\n"
     "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
     "{%- else %}\n"
     "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n"
     "{%- endif %}\n"
     "{%- for message in messages %}\n"
     "{%- set role = message.role %}\n"
     "{%- if role == 'user' or (role == 'system' and not loop.first) or (role == 'assistant' and not message.tool_calls) %}\n"
     "{{- '<|im_start|>' + role + '\\n' + message.content + '<|im_end|>\\n' }}\n"
     "{%- elif role == 'assistant' %}\n"
     "{{- '<|im_start|>assistant' }}\n"
     "{%- if message.content %}{{- '\\n' + message.content }}{%- endif %}\n"
     "{%- for call in message.tool_calls %}\n"
     "{%- if call.function is defined %}{%- set call = call.function %}{%- endif %}\n"
     "{{- '\\n<tool_call>\\n{\"name\": \"' }}{{- call.name }}{{- '\", \"arguments\": ' }}\n"
     "{{- call.arguments | tojson }}{{- '}\\n</tool_call>' }}\n"
     "{%- endfor %}\n"
     "{{- '<|im_end|>\\n' }}\n"
     "{%- elif role == 'tool' %}\n"
     "{#- consecutive tool results share one user turn #}\n"
     "{%- if loop.index0 == 0 or messages[loop.index0 - 1].role != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}\n"
     "{{- '\\n<tool_response>\\n' }}{{- message.content }}{{- '\\n</tool_response>' }}\n"
     "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}\n"
     "{%- endif %}\n"
     "{%- endfor %}\n"
     "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}\n"},
    {"qwen3",
     "{%- if tools is defined and tools %}\n"
     "{{- raise_exception('the built-in qwen3 template does not render tool definitions; use the model\\'s own template') }}\n"
     "{%- endif %}\n"
     "{%- if messages[0].role == 'system' %}\n"
     "{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}\n"
     "{%- endif %}\n"
     "{#- reasoning is kept only for the turns after the last real user query #}\n"
     "{%- set state = namespace(searching=true, last_query=messages | length - 1) %}\n"
     "{%- for message in messages[::-1] %}\n"
     "{%- if state.searching and message.role == 'user' and not (message.content.startswith('<tool_response>') "
     "and message.content.endswith('</tool_response>')) %}\n"
     "{%- set state.searching = false %}\n"
     "{%- set state.last_query = messages | length - 1 - loop.index0 %}\n"
     "{%- endif %}\n"
     "{%- endfor %}\n"
     "{%- for message in messages %}\n"
     "{%- set role = message.role %}\n"
     "{%- if role == 'user' or (role == 'system' and not loop.first) %}\n"
     "{{- '<|im_start|>' + role + '\\n' + message.content + '<|im_end|>\\n' }}\n"
     "{%- elif role == 'assistant' %}\n"
     "{%- set answer = message.content %}\n"
     "{%- set thinking = '' %}\n"
     "{%- if message.reasoning_content is defined and message.reasoning_content is not none %}\n"
     "{%- set thinking = message.reasoning_content %}\n"
     "{%- elif '</think>' in message.content %}\n"
     "{%- set parts = message.content.split('</think>') %}\n"
     "{%- set answer = parts[-1].lstrip('\\n') %}\n"
     "{%- set thinking = parts[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}\n"
     "{%- endif %}\n"
     "{%- if loop.index0 > state.last_query and (loop.last or thinking) %}\n"
     "{{- '<|im_start|>' + role + '\\n<think>\\n' + thinking.strip('\\n') + '\\n</think>\\n\\n' + answer.lstrip('\\n') }}\n"
     "{%- else %}\n"
     "{{- '<|im_start|>' + role + '\\n' + answer }}\n"
     "{%- endif %}\n"
     "{%- if message.tool_calls %}\n"
     "{%- for call in message.tool_calls %}\n"
     "{%- if not loop.first or answer %}{{- '\\n' }}{%- endif %}\n"
     "{%- if call.function %}{%- set call = call.function %}{%- endif %}\n"
     "{{- '<tool_call>\\n{\"name\": \"' }}{{- call.name }}{{- '\", \"arguments\": ' }}\n"
     "{{- call.arguments if call.arguments is string else call.arguments | tojson }}\n"
     "{{- '}\\n</tool_call>' }}\n"
     "{%- endfor %}\n"
     "{%- endif %}\n"
     "{{- '<|im_end|>\\n' }}\n"
     "{%- elif role == 'tool' %}\n"
     "{%- if loop.first or messages[loop.index0 - 1].role != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}\n"
     "{{- '\\n<tool_response>\\n' }}{{- message.content }}{{- '\\n</tool_response>' }}\n"
     "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}\n"
     "{%- endif %}\n"
     "{%- endfor %}\n"
     "{%- if add_generation_prompt %}\n"
     "{{- '<|im_start|>assistant\\n' }}\n"
     "{%- if enable_thinking is defined and enable_thinking is false %}{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}\n"
     "{%- endif %}\n"},
};

/* Other names people use for the same formats. */
static const struct {
    const char *alias, *name;
} aliases[] = {
    {"smollm", "smollm2"},     {"exaone", "exaone3"},     {"exaone3.5", "exaone3"}, {"exaone-3.5", "exaone3"},
    {"exaone_deep", "exaone-deep"}, {"phi3.5", "phi3"}, {"phi-3", "phi3"},         {"gemma", "gemma3"},
    {"gemma-3", "gemma3"},     {"gemma-2", "gemma2"},     {"llama3.1", "llama3"},   {"llama3.2", "llama3"},
    {"llama3.3", "llama3"},    {"llama-3", "llama3"},     {"qwen2", "qwen2.5"},     {"qwen", "qwen2.5"},
    {"qwen-3", "qwen3"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *nuri_template_builtin(const char *name) {
    if (!name) return NULL;
    for (size_t i = 0; i < COUNT(aliases); i++)
        if (!strcmp(aliases[i].alias, name)) name = aliases[i].name;
    for (size_t i = 0; i < COUNT(builtins); i++)
        if (!strcmp(builtins[i].name, name)) return builtins[i].src;
    return NULL;
}

size_t nuri_template_builtin_count(void) { return COUNT(builtins); }

const char *nuri_template_builtin_name(size_t i) { return i < COUNT(builtins) ? builtins[i].name : NULL; }
