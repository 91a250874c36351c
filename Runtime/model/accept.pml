/* accept.pml — the accept path of Runtime/src/io.c and netpoll.c, for spin.
 * One listening socket, ACCEPTORS coroutines that each accept ONE connection
 * and then keep it (as a server that handles a connection before accepting
 * again, or forever), CONNS clients whose connections queue on the listener.
 * Accept never uses the short-read rule: it tries, and on EAGAIN parks
 * (coro_fd_park_since with the edge mark taken before the try; -DNOMARK:
 * without it, the protocol before the fix).  The kernel side is edge-
 * triggered epoll as in readiness.pml; an input event wakes every parked
 * acceptor (take_all) or, if none is parked, sets rready.
 *
 * Property: with CONNS <= ACCEPTORS every connection is accepted: a state
 * where one is still queued and every acceptor is parked or done is an
 * invalid end state.  -DNOMARK must fail (an acceptor between its EAGAIN
 * and its park misses the edge of two connections that woke only the other,
 * which takes one and leaves). */

#ifndef ACCEPTORS
#define ACCEPTORS 2
#endif
#ifndef CONNS
#define CONNS 2
#endif

byte queued = 0;         /* listener: connections waiting for accept */
bool onready = false;    /* epoll: the fd is on the ready list */
byte accepted = 0;

byte rseq = 0;           /* the record (netpoll.c), changed under its lock */
bool rready = false;
bool parked[ACCEPTORS];
bool woken[ACCEPTORS];
byte nparked = 0;

active proctype clients() {
    byte i = 0;
    do
    :: i < CONNS -> atomic { queued++; onready = true }; i++
    :: i == CONNS -> break
    od
}

active proctype poller() {
    byte k;
end: do
    :: atomic { onready && queued > 0 -> onready = false };
       atomic {
           rseq++;
           if
           :: nparked > 0 ->
              k = 0;
              do
              :: k < ACCEPTORS -> if :: parked[k] -> parked[k] = false; woken[k] = true :: else -> skip fi; k++
              :: k == ACCEPTORS -> break
              od;
              nparked = 0
           :: else -> rready = true
           fi
       }
    od
}

active [ACCEPTORS] proctype acceptor() {
    byte me = _pid - 2;
    byte mark;
    bool got;
try:
    mark = rseq;                     /* coro_fd_edge_mark */
    atomic {
        if
        :: queued > 0 -> queued--; got = true
        :: else -> got = false       /* EAGAIN */
        fi
    };
    if
    :: got -> accepted++; goto done
    :: else ->
       atomic {                      /* coro_fd_park_since(READ, mark) */
           if
#ifndef NOMARK
           :: rseq != mark -> goto try
#endif
           :: rready -> rready = false; goto try
           :: else -> parked[me] = true; nparked++
           fi
       }
    fi;
end_parked:
    woken[me];
    woken[me] = false;
    goto try;
done:
    skip
}

/* Runs only when nothing else can: then every connection must be taken. */
active proctype check() {
    timeout -> assert(queued == 0 && accepted == CONNS)
}
