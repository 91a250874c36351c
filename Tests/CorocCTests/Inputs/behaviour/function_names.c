/* __func__, __FUNCTION__ and __PRETTY_FUNCTION__ in a coroutine name the
   coroutine, not the resume function its body becomes (stackless printed
   "work_resume"; GCC torture 20001011-1 compares __FUNCTION__ with "main"),
   written in the body or expanded from a macro, with the same size. */
#include <stdio.h>
#include <string.h>
#include <coro.h>

#define WHERE(tag) printf("%s in %s\n", tag, __func__)

CORO int work(int n) {
    WHERE("before");
    coro_yield();
    printf("%s %s %s %zu\n", __func__, __FUNCTION__, __PRETTY_FUNCTION__, sizeof(__func__));
    WHERE("after");
    return n + (int)strlen(__func__);
}

CORO int driver(void) {
    int total = 0;
    for (int i = 0; i < 2; i++) total += work(i);
    printf("%s total %d\n", __func__, total);
    return 0;
}

int main(void) { return coro_main(driver()); }
