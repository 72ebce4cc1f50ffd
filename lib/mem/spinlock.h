/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small test-and-test-and-set lock for the p2pmem pool's fast path.
 * An uncontended pthread mutex costs two locked instructions per
 * lock/unlock pair; this costs one, which matters at the pool's goal of
 * 50 ns per alloc+free.  Waiters spin briefly, then yield, so an
 * oversubscribed machine does not burn a whole time slice.
 */
#ifndef P2PDMA_SPINLOCK_H
#define P2PDMA_SPINLOCK_H

#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>

struct p2pdma_spinlock {
	atomic_int v;
};

static inline void p2pdma_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static inline void p2pdma_spin_init(struct p2pdma_spinlock *l)
{
	atomic_init(&l->v, 0);
}

static inline void p2pdma_spin_lock(struct p2pdma_spinlock *l)
{
	while (atomic_exchange_explicit(&l->v, 1, memory_order_acquire)) {
		int n = 0;

		while (atomic_load_explicit(&l->v, memory_order_relaxed)) {
			if (++n < 128) {
				p2pdma_cpu_relax();
			} else {
				sched_yield();
				n = 0;
			}
		}
	}
}

/* True when taken without waiting. */
static inline bool p2pdma_spin_trylock(struct p2pdma_spinlock *l)
{
	return !atomic_load_explicit(&l->v, memory_order_relaxed) &&
	       !atomic_exchange_explicit(&l->v, 1, memory_order_acquire);
}

static inline void p2pdma_spin_unlock(struct p2pdma_spinlock *l)
{
	atomic_store_explicit(&l->v, 0, memory_order_release);
}

#endif /* P2PDMA_SPINLOCK_H */
