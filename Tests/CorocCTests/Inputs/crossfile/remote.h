/* A CORO prototype shared by two files: callers in other files reach the
 * coroutine through its generated remote_add_new / remote_add_result. */
#include <coro.h>
CORO int remote_add(int a, int b);
CORO int remote_twice(int x);
