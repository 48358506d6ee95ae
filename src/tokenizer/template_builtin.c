/* Built-in chat templates, selected by family name. */
#include <string.h>

#include "nuri/template.h"

static const struct {
    const char *name;
    const char *src;
} builtins[] = {
    {"chatml", "{%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{%- endfor %}"
               "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}"},
};

const char *nuri_template_builtin(const char *name) {
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (!strcmp(builtins[i].name, name)) return builtins[i].src;
    return NULL;
}

size_t nuri_template_builtin_count(void) { return sizeof builtins / sizeof builtins[0]; }

const char *nuri_template_builtin_name(size_t i) {
    return i < sizeof builtins / sizeof builtins[0] ? builtins[i].name : NULL;
}
