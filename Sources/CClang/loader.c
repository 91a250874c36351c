/*
 * loader.c — libclang 14, opened with dlopen when the C frontend first needs
 * it instead of linked: linked, a machine without libclang could not start
 * coroc at all (the dynamic loader's message, even for Swift-only use).
 *
 * CClang is a regular C target, not a .systemLibrary (NOTES.md: SwiftPM
 * would not find clang-c/BuildSystem.h); its headers are libclang's own, and
 * clang_calls.c (generated) defines each clang_* function coroc calls as a
 * jump through the table filled here, so the Swift code calls clang_* as if
 * linked.
 *
 * Invariants: the table is written once, inside pthread_once, before `loaded`
 * is published (release); readers check `loaded` (acquire) first.  A library
 * is accepted only if every function is found (a libclang other than 14 may
 * lack one: then the error names it).  COROC_LIBCLANG=PATH replaces the
 * search (tests use a path that does not exist).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "loader.h"

/* Debian's names for libclang 14 (libclang-14-dev / libclang1-14): the
 * soname first, then the paths the packages install. */
static const char *const candidates[] = {
    "libclang-14.so.1",
    "libclang-14.so.13",
    "/usr/lib/x86_64-linux-gnu/libclang-14.so.1",
    "/usr/lib/aarch64-linux-gnu/libclang-14.so.1",
    "/usr/lib/llvm-14/lib/libclang.so.1",
    "/usr/lib/llvm-14/lib/libclang-14.so.1",
};

static const char not_found[] = "libclang 14 not found; install it with: apt-get install libclang-dev";

static struct coroc_clang_functions table;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;               /* release-stored after the table is filled */
static const char *error_text;   /* written inside `once` only */
static char error_buf[256];

static void load(void) {
    const char *override = getenv("COROC_LIBCLANG");
    void *h = NULL;
    if (override && *override) {
        h = dlopen(override, RTLD_NOW | RTLD_LOCAL);
    } else {
        for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !h; i++)
            h = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!h) {
        error_text = not_found;
        return;
    }
#define COROC_CLANG_RESOLVE(name)                                                                 \
    table.name = (__typeof__(table.name))dlsym(h, #name);                                         \
    if (!table.name) {                                                                            \
        snprintf(error_buf, sizeof error_buf, "the libclang found lacks %s (not version 14?); %s", \
                 #name, "install libclang 14 with: apt-get install libclang-dev");                \
        error_text = error_buf;                                                                   \
        dlclose(h);                                                                               \
        return;                                                                                   \
    }
    COROC_CLANG_FUNCTIONS(COROC_CLANG_RESOLVE)
#undef COROC_CLANG_RESOLVE
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);   /* partner: the acquire loads below */
}

int coroc_clang_load(void) {
    if (__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) return 0;
    pthread_once(&once, load);
    return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE) ? 0 : -1;
}

const char *coroc_clang_error(void) {
    return coroc_clang_load() == 0 ? NULL : error_text;
}

const struct coroc_clang_functions *coroc_clang_table(void) {
    if (__builtin_expect(coroc_clang_load() != 0, 0)) {
        fprintf(stderr, "coroc: error: %s\n", error_text);
        exit(2);
    }
    return &table;
}
