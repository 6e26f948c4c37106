import NIOCore

/// Runs a task's jobs on one NIO event loop: a connection's receiving task, given this executor as
/// its preference, is resumed on the thread that read the frames instead of waking a thread of
/// the global pool for every read. The event loop handles a read's frames, then runs the task,
/// which parses and produces what arrived, all on one thread with no hand-over between threads.
///
/// Only what never blocks may run here: parsing, encoding, `rd_kafka_produce` (which never
/// waits) and short locks.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
