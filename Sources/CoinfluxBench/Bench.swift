import Foundation

/// Minimal throughput harness for `coinflux-bench`: runs a body a few times, keeps the best
/// run's rate (least disturbed by the other core's load) and prints one row per figure.
enum Bench {
    /// One measured figure.
    struct Row {
        var name: String
        var operations: Int
        var seconds: Double
        var unit: String
        var rate: Double { Double(operations) / seconds }
    }

    /// Runs `body` `runs` times; each call must perform `operations` operations. Returns the fastest run.
    @discardableResult
    static func measure(_ name: String, operations: Int, unit: String, runs: Int = 5, _ body: () throws -> Void) rethrows -> Row {
        var best = Double.infinity
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, seconds)
        }
        let row = Row(name: name, operations: operations, seconds: best, unit: unit)
        print(row)
        return row
    }

    /// Prints a figure that was measured elsewhere (e.g. by an external process such as kcat).
    @discardableResult
    static func record(_ name: String, operations: Int, seconds: Double, unit: String) -> Row {
        let row = Row(name: name, operations: operations, seconds: seconds, unit: unit)
        print(row)
        return row
    }

    /// Prints `numerator / denominator` as a percentage line.
    static func ratio(_ label: String, _ numerator: Row, _ denominator: Row) {
        print(String(format: "  %-58@ %7.1f %%", label as NSString, 100 * numerator.rate / denominator.rate))
    }

    /// Keeps a value alive so the optimizer cannot drop the work that produced it.
    @inline(never)
    static func blackHole<T>(_ value: T) {
        withExtendedLifetime(value) {}
    }
}

extension Bench.Row: CustomStringConvertible {
    var description: String {
        String(format: "%-60@ %14.0f %@/s  (%d in %.3f s)", name as NSString, rate, unit as NSString, operations, seconds)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
