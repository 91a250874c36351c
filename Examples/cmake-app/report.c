#include <stdio.h>
#include "report.h"

void report(const char *what, long value) {
    printf("%s: %ld\n", what, value);
}
