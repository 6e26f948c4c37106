/// Runs `work` and waits for it at most `timeout`; past it, cancels it.
/// - Returns: Whether `work` finished in time.
func completes(within timeout: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            await work()
            return true
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return false
        }
        let finished = await group.next() ?? false
        group.cancelAll()
        return finished
    }
}
