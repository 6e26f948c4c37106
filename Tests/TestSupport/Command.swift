import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a short command to completion with `posix_spawn` and `waitpid` (Foundation's `Process`
/// can miss the exit of a child that ends at once and wait forever); returns its exit status
/// (-1 if it did not exit normally) and its output, standard output and error together.
public func runCommand(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, output: String) {
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-command-\(UUID().uuidString).out")
    defer { try? FileManager.default.removeItem(at: outputFile) }
    var shellLine = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    if let directory { shellLine = "cd '\(directory.path)' && " + shellLine }
    shellLine += " >'\(outputFile.path)' 2>&1"
    var pid: pid_t = 0
    let words: [String] = ["/bin/sh", "-c", shellLine]
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
    guard spawned == 0 else { throw CommandFailure(description: "could not run \(arguments): error \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1, errno == EINTR {}
    let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    let exited = status & 0x7f == 0
    return (exited ? (status >> 8) & 0xff : -1, output)
}

/// A command could not be started.
public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String
}
