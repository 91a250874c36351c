/* coroc_clang_loader.h — libclang is loaded at run time (loader.c), so a
 * coroc without libclang still translates Swift; the C frontend asks for it
 * first and reports its absence as an environment error. */
#ifndef COROC_CLANG_LOADER_H
#define COROC_CLANG_LOADER_H

/* Load libclang 14 once (thread-safe).  0 when every function coroc calls was
 * found; -1 otherwise, with the reason in coroc_clang_error(). */
int coroc_clang_load(void);

/* Why the load failed: "libclang 14 not found; install it with: apt-get
 * install libclang-dev", or which function a library lacked.  NULL if loaded. */
const char *coroc_clang_error(void);

#endif
