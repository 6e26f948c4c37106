import ArgumentParser
import CoinfluxCore
import Exchanges
import Foundation

/// `coinflux decode`: raw exchange frames (one per line) → normalized events as JSON lines.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode raw exchange frames, one per line, into normalized events (JSON lines).",
        discussion: """
            Reads FILE, or standard input when FILE is omitted or "-". Events go to standard output in \
            the form they take on market.ticks. Frames that do not parse are reported on standard error \
            with their line number and the reason; the exit status is 1 if any failed.
            """)

    @Option(name: .shortAndLong, help: "Exchange whose protocol the frames are in: \(Exchange.allCases.map(\.rawValue).joined(separator: ", ")).")
    var exchange: String

    @Option(help: "Bithumb API of the frames: v1 or legacy.")
    var bithumbAPI: String = BithumbAPI.v1.rawValue

    @Flag(name: .shortAndLong, help: "Also report frames that carry no events (acks, pongs, errors) on standard error.")
    var verbose = false

    @Argument(help: "File of frames, one per line (default: standard input).")
    var file: String?

    func run() throws {
        guard let exchange = Exchange(rawValue: exchange.lowercased()) else {
            throw ValidationError("unknown exchange \"\(exchange)\"; expected one of \(Exchange.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let api = BithumbAPI(rawValue: bithumbAPI.lowercased()) else {
            throw ValidationError("unknown Bithumb API \"\(bithumbAPI)\"; expected v1 or legacy")
        }
        let input: FileHandle
        if let file, file != "-" {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw ValidationError("cannot open \(file)")
            }
            input = handle
        } else {
            input = .standardInput
        }
        var decoder = FrameLineDecoder(adapter: ExchangeRegistry.adapter(for: exchange, bithumbAPI: api))
        var failures = 0
        var lineNumber = 0
        var output = ""
        for line in LineReader(handle: input) {
            lineNumber += 1
            let receivedAt = Int64((Date().timeIntervalSince1970 * 1e9).rounded())
            switch decoder.decode(line: line, receivedAt: receivedAt) {
            case .events(let lines):
                for json in lines { output += json + "\n" }
            case .noEvents(let kind):
                if verbose { Self.report("line \(lineNumber): no events (\(kind))") }
            case .blank:
                break
            case .failed(let reason):
                failures += 1
                Self.report("line \(lineNumber): \(reason)")
            }
            if output.utf8.count > 64 * 1024 {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
        if failures > 0 {
            Self.report("\(failures) of \(lineNumber) lines failed to decode")
            throw ExitCode.failure
        }
    }

    private static func report(_ message: String) {
        FileHandle.standardError.write(Data("coinflux decode: \(message)\n".utf8))
    }
}

/// Reads a file handle line by line (split on `\n`), in chunks, without loading it whole.
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    private var pending: [UInt8] = []
    /// Where the unread part of `pending` starts.
    private var start = 0
    private var finished = false

    init(handle: FileHandle) {
        self.handle = handle
    }

    mutating func next() -> [UInt8]? {
        while true {
            if let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { start = newline + 1 }
                return Array(pending[start..<newline])
            }
            if finished {
                guard start < pending.count else { return nil }
                defer { start = pending.count }
                return Array(pending[start...])
            }
            pending.removeFirst(start)
            start = 0
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { finished = true } else { pending.append(contentsOf: chunk) }
        }
    }
}
