# coroc.mk — translate annotated C from a Makefile.
#
#   include $(CORO_PREFIX)/share/coroc/coroc.mk
#   app: main.coro.o util.o
#           $(CC) -o $@ $^ $(CORO_LIBS)
#
# Annotated sources are named NAME.coro.c; the pattern rule below turns each
# into NAME.coro.gen.c (state machines, with #line directives pointing back at
# NAME.coro.c) and compiles that.  Set CORO_MODE=stackful for stackful output.

COROC      ?= coroc
CORO_MODE  ?= stackless
CORO_PREFIX ?= $(patsubst %/share/coroc/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CORO_CFLAGS ?= -I$(CORO_PREFIX)/include
CORO_LIBS   ?= $(CORO_PREFIX)/lib/libcoro.a -lpthread

%.coro.gen.c: %.coro.c
	$(COROC) translate --mode $(CORO_MODE) $(CORO_CFLAGS) $(filter -I% -D%,$(CPPFLAGS) $(CFLAGS)) $< -o $@

# NAME.coro.o straight from NAME.coro.c (translate, then compile): a rule whose
# prerequisites exist and whose stem is shorter than that of make's built-in
# %.o: %.c, so make never compiles the annotated source untranslated.
%.coro.o: %.coro.c
	$(COROC) translate --mode $(CORO_MODE) $(CORO_CFLAGS) $(filter -I% -D%,$(CPPFLAGS) $(CFLAGS)) $< -o $*.coro.gen.c
	$(CC) $(CPPFLAGS) $(CORO_CFLAGS) $(CFLAGS) -c -o $@ $*.coro.gen.c

.PRECIOUS: %.coro.gen.c
