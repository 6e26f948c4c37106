import Logging
import ProcessorCore

extension ProcessingLoop {
    /// At shutdown: processes what a volatile source still holds, finishes the write in flight,
    /// writes the rest and commits everything, within `settings.shutdownTimeout`. Past it, what is
    /// left is abandoned and logged: from a durable source it is read again by the partitions'
    /// next owner; from the in-process queue it is lost.
    mutating func drain() async {
        let deadline = ContinuousClock.now + settings.shutdownTimeout
        let poll = prefetch
        prefetch = nil
        if source.isDurable {
            poll?.cancel()  // its messages were never derived: they stay uncommitted
        } else {
            try? source.setPaused(false)
            if let polled = await poll?.value(before: deadline), case .success(let batch) = polled {
                apply(batch.changes)
                derive(batch.messages)
            }
            while ContinuousClock.now < deadline,
                  let rest = try? await source.poll(maximum: settings.pollMessages, timeout: .zero), !rest.messages.isEmpty {
                derive(rest.messages)
            }
        }
        var written = await settleWrite(waitingUntil: deadline)
        if written, !batch.isEmpty {
            startWrite()
            written = await settleWrite(waitingUntil: deadline)
        }
        var committed = true
        if source.isDurable {
            committed = await finishCommit(before: deadline)
            if committed {
                startCommitIfDue(at: .now, force: true)
                committed = await finishCommit(before: deadline)
            }
        }
        reportLeftovers(written: written, committed: committed)
    }

    /// Waits for the commit in flight until `deadline`; returns whether none is in flight any more.
    private mutating func finishCommit(before deadline: ContinuousClock.Instant) async -> Bool {
        guard let running = commit else { return true }
        guard let outcome = await running.value(before: deadline) else { return false }
        settle(outcome)
        return outcome.error == nil
    }

    /// Says what shutdown could not finish, and cancels it.
    private mutating func reportLeftovers(written: Bool, committed: Bool) {
        let unwritten = batch.messages + writing.messages
        let uncommitted = uncommittedMessages
        write?.cancel()
        commit?.cancel()
        guard !written || !committed || uncommitted > 0 else {
            logger.info("every consumed message is written and committed")
            return
        }
        let timeout = settings.shutdownTimeout
        if source.isDurable {
            logger.warning("shutdown left messages unfinished; the partitions' next owner reads them again", metadata: [
                "not_written": "\(unwritten)", "not_committed": "\(uncommitted)", "shutdown_timeout": "\(timeout)",
            ])
        } else {
            logger.error("shutdown timeout reached before the last points were written; they are lost (no Kafka)", metadata: [
                "events": "\(unwritten)", "shutdown_timeout": "\(timeout)",
            ])
        }
    }
}
