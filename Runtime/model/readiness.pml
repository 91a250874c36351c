/* readiness.pml — the fd-readiness protocol of Runtime/src/netpoll.c and
 * io.c (poll.h: SHORT READS), for spin.  One stream socket, READERS readers
 * (default 1; several coroutines reading one socket share its record, its
 * `drained` mark and its readers list) that each read until EOF (io.c's io_op: TRY-park, mark, read, short-read report,
 * park on EAGAIN, retry after a wake-up), a peer that sends CHUNKS one-unit
 * chunks and then its FIN, and the poller (on_event).  The kernel side is
 * edge-triggered epoll: an arrival puts the fd on the ready list if it is not
 * there; collecting it takes it off and reports the socket's state *then*.
 *
 * Property: every reader reads EOF.  A run where one stays parked with
 * nothing left to happen is an invalid end state (spin's deadlock check).
 * An input event wakes every parked reader (take_all); if none is parked it
 * sets rready, which the next park attempt of any reader consumes.
 * -DOLD models the protocol before issue 12's fix (no sticky `ended` bit):
 * spin must find the lost wake-up.  -DNOMARK models the park after EAGAIN
 * without the edge mark (poll.h: EDGES SINCE AN ATTEMPT): with READERS=2 a
 * reader between its EAGAIN and its park misses the edge that woke only the
 * other, which reads its EOF and leaves.  `make -C Runtime model` runs all. */

#ifndef CHUNKS
#define CHUNKS 2
#endif
#ifndef READERS
#define READERS 1
#endif
#define BUF 2            /* units a reader asks for: 1 unit is a short read */

byte bytes = 0;          /* socket: unread data units */
bool fin = false;        /* socket: the peer's FIN is queued behind the data */
bool onready = false;    /* epoll: the fd is on the ready list */

/* the fd record (netpoll.c), changed only atomically (its lock) */
byte rseq = 0;
short drained = -1;      /* -1: unknown, else the mark of a short read */
bool ended = false;
bool rready = false;
bool parked[READERS];    /* on the record's readers list */
bool woken[READERS];     /* taken off it and made runnable */
byte nparked = 0;
byte eofs = 0;           /* readers that have read EOF */

#ifdef OLD
#define DRAINED (drained == rseq)
#else
#define DRAINED (!ended && drained == rseq)
#endif

active proctype peer() {
    byte i = 0;
    do
    :: i < CHUNKS -> atomic { bytes++; onready = true }; i++
    :: i == CHUNKS -> atomic { fin = true; onready = true }; break
    od
}

active proctype poller() {
    bool hup;
    byte k;
end: do
    :: atomic { onready && (bytes > 0 || fin) -> onready = false; hup = fin };
       atomic {
           rseq++;
#ifndef OLD
           if :: hup -> ended = true :: else -> skip fi;
#endif
           if
           :: nparked > 0 ->             /* take_all: wake every parked reader */
              k = 0;
              do
              :: k < READERS -> if :: parked[k] -> parked[k] = false; woken[k] = true :: else -> skip fi; k++
              :: k == READERS -> break
              od;
              nparked = 0
           :: else -> rready = true
           fi
       }
    od
}

active [READERS] proctype reader() {
    byte me = _pid - 2;              /* peer and poller are pids 0 and 1 */
    byte mark;
    byte n;
    bool wake = false;
again:
    if
    :: wake -> goto try_read         /* a wake-up always retries */
    :: else ->
       /* coro_fd_park(READ|TRY): the lock-free hint, then under the lock */
       if
       :: !DRAINED -> goto try_read
       :: else -> skip
       fi;
       atomic {
           if
           :: !DRAINED -> goto try_read
           :: rready -> rready = false; goto try_read
           :: else -> parked[me] = true; nparked++
           fi
       };
       goto sleep
    fi;
try_read:
    wake = false;
    mark = rseq;                     /* coro_fd_edge_mark (its input half) */
    atomic {
        if
        :: bytes > 0 -> n = (bytes < BUF -> bytes : BUF); bytes = bytes - n
        :: bytes == 0 && fin -> eofs++; goto done
        :: else -> n = 0             /* EAGAIN */
        fi
    };
    if
    :: n > 0 && n < BUF -> drained = mark; goto again   /* coro_fd_input_short */
    :: n == BUF -> goto again
    :: n == 0 ->
       atomic {                      /* coro_fd_park_since(READ, mark) */
           if
#ifndef NOMARK
           :: rseq != mark -> goto try_read
#endif
           :: rready -> rready = false; goto try_read
           :: else -> parked[me] = true; nparked++
           fi
       }
    fi;
sleep:
    woken[me];                       /* blocks until the poller wakes us */
    woken[me] = false;
    wake = true;
    goto again;
done:
    skip
}
