import CoinfluxCore
import Foundation
import Logging
import ServiceLifecycle

/// The last resort behind a command's shutdown deadline: once graceful shutdown begins, a thread
/// of its own waits `deadline`; if the process is still running then (something did not stop,
/// whatever the reason), it says so and exits with status 1. Listed last, so it hears of the
/// shutdown first.
struct ShutdownDeadline: Service {
    let deadline: Duration
    let logger: Logger

    func run() async throws {
        guard (try? await gracefulShutdown()) != nil else { return }  // cancelled: the group is ending anyway
        let (deadline, logger) = (deadline, logger)
        let thread = Thread {
            Thread.sleep(forTimeInterval: deadline.inSeconds)
            logger.critical("shutdown did not finish within its deadline; exiting", metadata: ["deadline": "\(deadline)"])
            _exit(1)
        }
        thread.start()
    }
}
