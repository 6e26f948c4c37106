import CoinfluxCore

/// Where a USD/KRW rate sits in the JSON body of an FX source (`collector.fx_url`): the path of the
/// rate and, optionally, of the time the source quoted it.
///
/// A path is member names and array indices joined by `.`: `rates.KRW` reads
/// `{"rates":{"KRW":1391.5}}` (open.er-api.com's `/v6/latest/USD`), `0.basePrice` reads
/// `[{"basePrice":1391.5}]` (Dunamu's `/v1/forex/recent?codes=FRX.KRWUSD`). The rate may be a
/// number or a string holding one. The time is a number of seconds, milliseconds, microseconds or
/// nanoseconds since the epoch, told apart by its size (open.er-api's `time_last_update_unix` is
/// seconds, Dunamu's `timestamp` milliseconds); without a time path the read time stands for it.
public struct FXQuoteFormat: Sendable, Hashable {
    /// One step of a path.
    public enum Step: Sendable, Hashable {
        case member(String)
        case index(Int)

        /// The step as written in the path, which is also the member name it matches in an object.
        var text: String {
            switch self {
            case .member(let name): name
            case .index(let index): String(index)
            }
        }
    }

    /// Why a path or a body cannot be read.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let ratePath: [Step]
    public let timePath: [Step]?

    /// - Parameters:
    ///   - ratePath: e.g. `rates.KRW`.
    ///   - timePath: e.g. `time_last_update_unix`; nil or empty: the read time.
    /// - Throws: ``Failure`` for an empty path or an empty step (`rates..KRW`).
    public init(ratePath: String, timePath: String?) throws(Failure) {
        self.ratePath = try Self.steps(of: ratePath)
        if let timePath, !timePath.isEmpty { self.timePath = try Self.steps(of: timePath) } else { self.timePath = nil }
    }

    /// The path's steps: all-digit steps index arrays (and name members of objects that have them).
    public static func steps(of path: String) throws(Failure) -> [Step] {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        guard !path.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
            throw Failure(description: "\(JSONText.quoted(path)) is not a path: member names or array indices joined by '.', such as rates.KRW or 0.basePrice")
        }
        return parts.map { part in Int(part).map { Step.index($0) } ?? .member(String(part)) }
    }

    /// The rate in `body`, read at `readNanos`.
    /// - Throws: ``Failure`` naming the path that is missing or does not hold a usable value.
    public func rate(in body: [UInt8], readNanos: Int64) throws(Failure) -> FXRate {
        let rateText = try Self.value(at: ratePath, in: body)
        guard let krwPerUSD = Double(rateText), krwPerUSD.isFinite, krwPerUSD > 0 else {
            throw Failure(description: "\(Self.describe(ratePath)) is \(JSONText.quoted(rateText)), not a rate above zero")
        }
        var quoted = readNanos
        if let timePath {
            let timeText = try Self.value(at: timePath, in: body)
            guard let nanos = Self.epochNanos(timeText) else {
                throw Failure(description: "\(Self.describe(timePath)) is \(JSONText.quoted(timeText)), not a time since the epoch")
            }
            quoted = nanos
        }
        return FXRate(krwPerUSD: krwPerUSD, quotedNanos: quoted, observedNanos: readNanos)
    }

    /// Seconds, milliseconds, microseconds or nanoseconds since the epoch (`text`, an integer or
    /// a decimal) as nanoseconds, the unit told by size (a time between 2001 and 2286 in each);
    /// nil for anything else. Integers are scaled exactly.
    public static func epochNanos(_ text: String) -> Int64? {
        let units: [(limit: Int64, scale: Int64)] = [(10_000_000_000, 1_000_000_000), (10_000_000_000_000, 1_000_000),
                                                     (10_000_000_000_000_000, 1_000), (Int64.max, 1)]
        if let integer = Int64(text) {
            guard let unit = units.first(where: { integer < $0.limit }), integer >= unit.limit / 10 else { return nil }
            return integer * unit.scale
        }
        guard let time = Double(text), time.isFinite, time > 0,
              let unit = units.first(where: { time < Double($0.limit) }), time >= Double(unit.limit / 10) else { return nil }
        return Int64(exactly: (time * Double(unit.scale)).rounded()) ?? nil
    }

    /// The text of the number or string at `path` in `body`.
    private static func value(at path: [Step], in body: [UInt8]) throws(Failure) -> String {
        enum Found { case missing, notAValue(JSONReader.ValueKind), text(String) }
        let found = body.withUnsafeBytes { bytes in
            Result { () throws(JSONReader.Error) -> Found in
                var reader = JSONReader(bytes: bytes)
                guard try descend(&reader, along: path[...]) else { return .missing }
                let kind = try reader.peekKind()
                guard kind == .number || kind == .string else { return .notAValue(kind) }
                return .text(try reader.readStringOrNumber())
            }
        }
        switch found {
        case .success(.text(let text)): return text
        case .success(.missing): throw Failure(description: "the body has no \(describe(path))")
        case .success(.notAValue(let kind)): throw Failure(description: "\(describe(path)) is a JSON \(kind.rawValue), not a number")
        case .failure(let error): throw Failure(description: "the body is not JSON: \(error)")
        }
    }

    /// Moves `reader` to the value at `path`; false when a step is missing.
    private static func descend(_ reader: inout JSONReader, along path: ArraySlice<Step>) throws(JSONReader.Error) -> Bool {
        guard let step = path.first else { return true }
        switch (step, try reader.peekKind()) {
        case (.index(let wanted), .array):
            try reader.beginArray()
            var index = 0
            while try reader.nextElement() {
                if index == wanted { return try descend(&reader, along: path.dropFirst()) }
                try reader.skipValue()
                index += 1
            }
            return false
        case (_, .object):
            let name = step.text
            try reader.beginObject()
            while let key = try reader.nextKey() {
                if try key.string() == name { return try descend(&reader, along: path.dropFirst()) }
                try reader.skipValue()
            }
            return false
        default:
            return false
        }
    }

    private static func describe(_ path: [Step]) -> String {
        "path " + path.map(\.text).joined(separator: ".")
    }
}
