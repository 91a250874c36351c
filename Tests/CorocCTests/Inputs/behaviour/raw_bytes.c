/* Proves that the file's bytes are kept exactly (issue 10, GCC torture
 * 20000227-1): string literals holding raw bytes that are not UTF-8 (0xFF,
 * 0x80, Latin-1 é here in this comment too) and a genuine UTF-8 "Ã©", inside
 * and outside coroutines, keep their sizeof and contents; a raw 0xFF byte
 * once came out as U+FFFD (EF BF BD). Compared with the original. */
#include <coro.h>
#include <stdio.h>

static const char outside[] = "aÿ€z";
static const char latin1[] = "café";
static const char utf8[] = "cafÃ©";

static void dump(const char *what, const char *s, unsigned long size) {
    printf("%s sizeof=%lu:", what, size);
    for (unsigned long i = 0; i < size; i++) printf(" %02x", (unsigned char)s[i]);
    printf("\n");
}

CORO static int run(void) {
    const char *inside = "ÿþ-";
    unsigned long inside_size = sizeof "ÿþ-";
    char c = 'ÿ';
    coro_yield();
    dump("outside", outside, sizeof outside);
    dump("latin1", latin1, sizeof latin1);
    dump("utf8", utf8, sizeof utf8);
    dump("inside", inside, inside_size);
    coro_yield();
    printf("char %d\n", (unsigned char)c);
    return sizeof "ÿ" == 2 ? 0 : 1;
}

int main(void) {
    return coro_main(run());
}
