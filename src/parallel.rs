//! Work on several threads for the steps of a render: a process-wide pool
//! of deep-stack threads, and on it ordered work splitting for steps whose
//! items are independent (parsing template files, reading rendered
//! documents), a two-way [`join`], and [`with_deep_stack`] for work that
//! needs the deep stack.
//!
//! Results come back in input order, so whatever a sequential loop would
//! report first (the first failing file, say) is still reported first.
//! Threads take the next item from a shared counter, so one large file does
//! not leave the others idle behind it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

/// Below this many bytes of input, starting a thread costs more than it
/// saves. Measured with medians of 40 interleaved runs: from 256 KiB down
/// to 96 KiB, bitnami zookeeper (150 KB of templates) went 11.9 -> 9.8 ms
/// and fluent-bit (112 KB) 11.7 -> 9.8 ms; 32 KiB gained nothing more on
/// 70 KB charts (minio, trino).
pub const MIN_PARALLEL_BYTES: usize = 96 << 10;

/// [`std::thread::available_parallelism`], asked once per process: each
/// call reads `/proc/self/cgroup` and the cgroup's CPU quota files again
/// (three `open`s), and a render asks at every parallel step.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// Native stack of every pool thread: reserved, not committed, and deep
/// enough for Go's template nesting limits (100000 `{{template}}` calls,
/// 10000 parentheses) when a render runs on it.
pub const POOL_STACK: usize = 1 << 30;

/// Maps `f` over `items` on up to [`cores`] threads: the calling one and
/// pool threads (see [`join`]). With one item, one core, or `bytes` (the
/// caller's measure of the work) under [`MIN_PARALLEL_BYTES`], it runs on
/// the caller alone.
pub fn map_ordered<T, R, F>(items: &[T], bytes: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = cores().min(items.len());
    if threads <= 1 || bytes < MIN_PARALLEL_BYTES {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let helpers: Vec<_> = (1..threads)
        .map(|_| Task::submit(work, Start::UpToCores))
        .collect();
    let mut results = work();
    for h in helpers {
        results.extend(h.join());
    }
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Runs `a` on a pool thread and `b` on the calling one, and returns both
/// results. When every pool thread is busy and `a` has not started by the
/// time `b` is done, the caller runs `a` itself. A panic in either is
/// resumed on the caller.
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB,
    RA: Send,
{
    let task = Task::submit(a, Start::UpToCores);
    let rb = b();
    (task.join(), rb)
}

thread_local! {
    /// Whether this thread's stack is [`POOL_STACK`] deep.
    static DEEP_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Starts `f` on a thread of its own with a [`POOL_STACK`]-deep stack, for
/// a whole command: what needs a deep stack ([`with_deep_stack`]) then runs
/// where it is called. A render used to hand itself to a pool thread and
/// wait; while the templates parsed early still queued, that thread was
/// only started or scheduled once they were done (bitnami postgresql: the
/// render began 1.4–2 ms after the chart was ready, in a 10 ms run).
pub fn deep_stack_thread<R, F>(f: F) -> std::io::Result<std::thread::JoinHandle<R>>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    std::thread::Builder::new()
        .name("skiff".into())
        .stack_size(POOL_STACK)
        .spawn(move || {
            DEEP_STACK.set(true);
            f()
        })
}

/// Runs `f` with a deep stack and returns its result: right here on a
/// thread that has one, else on a pool thread (started when none is free),
/// waiting for it. `None` when no thread can be started.
pub fn with_deep_stack<R, F>(f: F) -> Option<R>
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    if DEEP_STACK.get() {
        return Some(f());
    }
    let task = Task::submit(f, Start::Always);
    if !task.queued {
        return None;
    }
    Some(task.wait())
}

/// Runs `f` on a pool thread when one is free, without waiting for it
/// (freeing a large structure, say). The process may exit first.
pub fn detach<F>(f: F)
where
    F: FnOnce() + Send + 'static,
{
    pool().push(Box::new(f), Start::UpToCores);
}

/// Starts `f` on a pool thread now, for a result wanted later: the work
/// of a later step that can begin early (parsing each template file while
/// the rest of the chart is still being read). [`Pending::get`] returns the
/// result, running `f` on the caller when no thread has taken it yet, so a
/// busy pool delays nothing. A `Pending` dropped unused takes back `f` if it
/// has not started, and otherwise lets it finish unobserved.
pub fn spawn<R, F>(f: F) -> Pending<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let slot = Arc::new(Slot::new(f));
    let theirs = slot.clone();
    pool().push(Box::new(move || theirs.run()), Start::LeaveOneCore);
    Pending { slot }
}

/// A result [`spawn`] is computing.
pub struct Pending<R> {
    slot: Arc<Slot<'static, R>>,
}

impl<R> Pending<R> {
    /// The result; a panic in `f` is resumed here.
    pub fn get(self) -> R {
        self.slot.run_or_wait()
    }
}

impl<R> Drop for Pending<R> {
    fn drop(&mut self) {
        drop(lock(&self.slot.work).take());
    }
}

// ---- the pool ----
//
// Starting a thread and joining it took 100–200 µs on the 2-vCPU machine
// the benchmarks run on (a 1 GiB stack is mapped, and unmapped at the join,
// which flushes the other cores' TLBs); a render used to start five. Pool
// threads are started once, when first needed, and live until the process
// exits.

type Job = Box<dyn FnOnce() + Send + 'static>;

struct Pool {
    queue: Mutex<PoolState>,
    ready: Condvar,
}

struct PoolState {
    jobs: std::collections::VecDeque<Job>,
    threads: usize,
    idle: usize,
}

/// At most this many pool threads; past it, jobs wait in the queue.
const MAX_THREADS: usize = 64;

/// How many pool threads a job may have started for it.
#[derive(Clone, Copy)]
enum Start {
    /// Up to [`MAX_THREADS`]: the job needs a pool thread's deep stack.
    Always,
    /// Up to one per core: the caller works too.
    UpToCores,
    /// One core fewer: the caller goes on with other work that should
    /// keep a core ([`spawn`]).
    LeaveOneCore,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        queue: Mutex::new(PoolState {
            jobs: std::collections::VecDeque::new(),
            threads: 0,
            idle: 0,
        }),
        ready: Condvar::new(),
    })
}

impl Pool {
    /// Queues `job`. A thread is started when none is idle and the pool
    /// has fewer threads than `start` allows. Returns whether some thread
    /// will run the job.
    fn push(&'static self, job: Job, start: Start) -> bool {
        let mut st = lock(&self.queue);
        let waiting = st.jobs.len();
        let limit = match start {
            Start::Always => MAX_THREADS,
            Start::UpToCores => cores(),
            Start::LeaveOneCore => cores().saturating_sub(1).max(1),
        };
        if st.idle <= waiting && st.threads < limit {
            let started = std::thread::Builder::new()
                .name("skiff-pool".into())
                .stack_size(POOL_STACK)
                .spawn(move || self.work());
            if started.is_ok() {
                st.threads += 1;
            }
        }
        if st.threads == 0 {
            return false;
        }
        st.jobs.push_back(job);
        // A wake-up is a system call even with no thread asleep; threads
        // count themselves idle under the lock before they sleep.
        let asleep = st.idle > 0;
        drop(st);
        if asleep {
            self.ready.notify_one();
        }
        true
    }

    fn work(&self) {
        DEEP_STACK.set(true);
        let mut st = lock(&self.queue);
        loop {
            if let Some(job) = st.jobs.pop_front() {
                drop(st);
                // A task's panic is its caller's (`Slot::run` keeps it);
                // a detached job's is reported by the hook, and the thread
                // goes on serving.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                st = lock(&self.queue);
                continue;
            }
            st.idle += 1;
            st = self.ready.wait(st).unwrap_or_else(|e| e.into_inner());
            st.idle -= 1;
        }
    }
}

/// A mutex whose poisoning (a panic while it was held) is ignored: the
/// data it guards stays consistent at every point a panic can happen.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A closure handed to the pool, which borrows from the caller's frame:
/// [`Task::join`] and [`Task::wait`] (also run on drop) return only once
/// no pool thread can touch the closure any more.
struct Task<'a, R> {
    slot: Arc<Slot<'a, R>>,
    queued: bool,
    /// Whether the result was taken: the closure is gone for good.
    finished: bool,
}

struct Slot<'a, R> {
    /// The closure, until a pool thread (or the caller, at `join`) takes it.
    work: Mutex<Option<Box<dyn FnOnce() -> R + Send + 'a>>>,
    /// Its result, or its panic.
    result: Mutex<Option<std::thread::Result<R>>>,
    done: Condvar,
    /// Whether someone waits on `done` (set and read under `result`'s lock).
    awaited: AtomicBool,
}

impl<'a, R: Send + 'a> Task<'a, R> {
    fn submit<F: FnOnce() -> R + Send + 'a>(f: F, start: Start) -> Task<'a, R> {
        let slot = Arc::new(Slot::new(f));
        let theirs = slot.clone();
        let job: Box<dyn FnOnce() + Send + 'a> = Box::new(move || theirs.run());
        // SAFETY: the job only reaches the caller's borrows through the
        // closure in the slot, and a `Task` does not let its frame end
        // (`join`/`wait`, or `Drop`) while a pool thread holds the closure:
        // either the caller takes the closure back first, or it waits for
        // the result, which is stored after the closure has been dropped.
        // After that the job touches only the slot's mutexes and condvar
        // (kept alive by its own `Arc`), with the closure already gone.
        let job: Job = unsafe { std::mem::transmute::<Box<dyn FnOnce() + Send + 'a>, Job>(job) };
        let queued = pool().push(job, start);
        Task {
            slot,
            queued,
            finished: false,
        }
    }

    /// The result: the caller runs the closure itself when no pool thread
    /// has taken it yet, else waits for the thread.
    fn join(mut self) -> R {
        self.finished = true;
        self.slot.run_or_wait()
    }

    /// Waits for a pool thread to run the closure (only for a task some
    /// thread will run: `queued`).
    fn wait(mut self) -> R {
        self.finished = true;
        self.slot.stored_result()
    }
}

impl<R> Drop for Task<'_, R> {
    /// A task dropped unjoined (the caller unwinding): take the closure
    /// back, or wait until the thread running it is done with it.
    fn drop(&mut self) {
        if self.finished || lock(&self.slot.work).take().is_some() || !self.queued {
            return;
        }
        drop(self.slot.finished());
    }
}

impl<'a, R> Slot<'a, R> {
    fn new<F: FnOnce() -> R + Send + 'a>(f: F) -> Slot<'a, R> {
        Slot {
            work: Mutex::new(Some(Box::new(f))),
            result: Mutex::new(None),
            done: Condvar::new(),
            awaited: AtomicBool::new(false),
        }
    }

    /// The result: the closure runs on the caller when no pool thread has
    /// taken it yet, else the thread's result is waited for.
    fn run_or_wait(&self) -> R {
        let mine = lock(&self.work).take();
        match mine {
            Some(f) => f(),
            None => self.stored_result(),
        }
    }

    /// The result a pool thread stored, once it is there; its panic is
    /// resumed here.
    fn stored_result(&self) -> R {
        match self.finished().take() {
            Some(Ok(r)) => r,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => unreachable!("`finished` returns once the result is stored"),
        }
    }

    /// Waits until the closure's result (or panic) is stored; the guard
    /// holds it.
    fn finished(&self) -> MutexGuard<'_, Option<std::thread::Result<R>>> {
        let mut result = lock(&self.result);
        while result.is_none() {
            self.awaited.store(true, Ordering::Relaxed);
            result = self.done.wait(result).unwrap_or_else(|e| e.into_inner());
        }
        result
    }

    fn run(&self) {
        let Some(f) = lock(&self.work).take() else {
            return;
        };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let mut result = lock(&self.result);
        *result = Some(r);
        let awaited = self.awaited.load(Ordering::Relaxed);
        drop(result);
        // Only a waiter needs the wake-up (a system call).
        if awaited {
            self.done.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_stack_work_runs_in_place_on_a_deep_stack_thread() {
        let here = || std::thread::current().id();
        let command = deep_stack_thread(move || {
            let me = here();
            (me, with_deep_stack(here))
        })
        .unwrap();
        let (me, ran_on) = command.join().unwrap();
        assert_eq!(ran_on, Some(me), "no hand-off from a deep-stack thread");
        // From an ordinary thread, the work goes to a pool thread.
        let outside = std::thread::spawn(move || (here(), with_deep_stack(here)));
        let (caller, ran_on) = outside.join().unwrap();
        assert_ne!(ran_on, Some(caller));
        assert!(ran_on.is_some());
    }

    #[test]
    fn keeps_order_and_visits_each_item_once() {
        let items: Vec<u64> = (0..1000).collect();
        let out = map_ordered(&items, usize::MAX, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }

    #[test]
    fn small_work_stays_on_the_caller() {
        let items: Vec<u8> = (0..100).collect();
        let caller = std::thread::current().id();
        let threads = map_ordered(&items, 10, |_| std::thread::current().id());
        assert!(threads.iter().all(|t| *t == caller));
    }

    #[test]
    fn join_returns_both_results_and_borrows_the_callers_data() {
        let data: Vec<u32> = (0..100).collect();
        let (a, b) = join(
            || data[..50].iter().sum::<u32>(),
            || data[50..].iter().sum::<u32>(),
        );
        assert_eq!(a + b, data.iter().sum::<u32>());
    }

    #[test]
    fn a_panic_on_the_pool_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| join(|| panic!("helper failed"), || 1));
        assert!(caught.is_err());
        // The pool thread that ran it is still usable.
        assert_eq!(with_deep_stack(|| 2), Some(2));
    }

    #[test]
    fn pool_threads_have_deep_stacks() {
        fn depth(n: u64) -> u64 {
            // About 1 KiB of stack per level, far past a default 8 MiB.
            let pad = std::hint::black_box([n as u8; 1000]);
            if n == 0 {
                u64::from(pad[0])
            } else {
                depth(n - 1) + 1
            }
        }
        let caller = std::thread::current().id();
        let (id, d) = with_deep_stack(|| (std::thread::current().id(), depth(50_000))).unwrap();
        assert_ne!(id, caller);
        assert_eq!(d, 50_000);
    }

    /// Detaches one job per core that waits on the returned barrier: every
    /// pool thread may then be held until the caller waits on it too.
    fn hold_pool_threads() -> std::sync::Arc<std::sync::Barrier> {
        let release = std::sync::Arc::new(std::sync::Barrier::new(cores() + 1));
        for _ in 0..cores() {
            let r = release.clone();
            detach(move || {
                r.wait();
            });
        }
        release
    }

    #[test]
    fn join_does_not_wait_for_a_busy_pool() {
        // Every pool thread may be kept busy until after the join below:
        // it must take its helper back rather than wait for a thread
        // (waiting would never end).
        let release = hold_pool_threads();
        let (a, b) = join(|| 1, || 2);
        release.wait();
        assert_eq!((a, b), (1, 2));
    }

    #[test]
    fn detached_work_runs() {
        let (tx, rx) = std::sync::mpsc::channel();
        detach(move || tx.send(7).unwrap());
        assert_eq!(rx.recv_timeout(std::time::Duration::from_secs(10)), Ok(7));
    }

    #[test]
    fn spawned_work_gives_its_result_once_asked() {
        let pending: Vec<_> = (0..20u64).map(|i| spawn(move || i * i)).collect();
        let squares: Vec<u64> = pending.into_iter().map(Pending::get).collect();
        assert_eq!(squares, (0..20).map(|i| i * i).collect::<Vec<_>>());
    }

    #[test]
    fn spawned_work_is_run_by_the_asker_when_the_pool_is_busy() {
        let release = hold_pool_threads();
        // Every pool thread may be held until after `get`: it must run the
        // work itself rather than wait (waiting would never end).
        let got = spawn(|| 5).get();
        release.wait();
        assert_eq!(got, 5);
    }

    #[test]
    fn a_spawned_panic_reaches_the_asker_and_an_unasked_result_is_dropped() {
        let caught =
            std::panic::catch_unwind(|| spawn(|| -> u8 { panic!("early work failed") }).get());
        assert!(caught.is_err());
        let unasked = spawn(|| vec![1u8; 16]);
        drop(unasked);
        assert_eq!(spawn(|| 3).get(), 3);
    }

    #[test]
    fn empty_and_single() {
        assert!(map_ordered(&[] as &[u8], usize::MAX, |x| *x).is_empty());
        assert_eq!(map_ordered(&[7u8], usize::MAX, |x| *x + 1), vec![8]);
    }
}
