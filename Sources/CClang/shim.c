/* CClang exists only to expose libclang 14's C API to Swift (see NOTES.md:
 * a .systemLibrary target cannot find clang-c/BuildSystem.h). */
#include <clang-c/Index.h>
