/* loader.h — the table of libclang functions that clang_calls.c forwards to. */
#ifndef COROC_CLANG_LOADER_INTERNAL_H
#define COROC_CLANG_LOADER_INTERNAL_H

#include <clang-c/Index.h>
#include "clang_functions.h"
#include "coroc_clang_loader.h"

struct coroc_clang_functions {
#define COROC_CLANG_FIELD(name) __typeof__(&name) name;
    COROC_CLANG_FUNCTIONS(COROC_CLANG_FIELD)
#undef COROC_CLANG_FIELD
};

/* The loaded table; if libclang is missing, prints coroc's message and exits
 * with status 2 (a caller that did not check coroc_clang_load first). */
const struct coroc_clang_functions *coroc_clang_table(void);

#endif
