import Foundation

/// CPU time consumed, in seconds, by this thread, this process, its waited-for children, another
/// process (or each of its threads) or a whole process group: what a figure costs, whatever else
/// shares the two cores.
enum CPUTime {
    /// The calling thread.
    static func thread() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Every thread of this process.
    static func thisProcess() -> Double {
        usage(RUSAGE_SELF.rawValue)
    }

    /// Child processes that have exited and been waited for (e.g. a `kcat` run).
    static func waitedChildren() -> Double {
        usage(RUSAGE_CHILDREN.rawValue)
    }

    /// utime + stime of a running process (from /proc/PID/stat).
    static func process(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return 0 }
        return fields(ofStat: stat).map(\.seconds) ?? 0
    }

    /// The sum over the running processes of process group `group`, e.g. a server started with
    /// `setsid` whose launcher runs the real server as a child.
    static func processGroup(_ group: Int32) -> Double {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.lazy.filter { $0.allSatisfy(\.isNumber) }.reduce(0.0) { total, pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let fields = fields(ofStat: stat), fields.group == group else { return total }
            return total + fields.seconds
        }
    }

    /// utime + stime of each thread of a running process, by thread name (`comm`, at most 15
    /// bytes; threads of one name are summed), from /proc/PID/task/*/stat.
    static func threads(of pid: Int32) -> [String: Double] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var byName: [String: Double] = [:]
        for task in tasks {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close,
                  let fields = fields(ofStat: stat) else { continue }
            byName[String(stat[stat.index(after: open)..<close]), default: 0] += fields.seconds
        }
        return byName
    }

    /// CPU time every core of the machine spent busy (user, nice, system, irq, softirq), from
    /// /proc/stat: with the figures of known processes, what else loaded the machine meanwhile.
    static func machineBusy() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return 0 }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 7 else { return 0 }
        return (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Process group and utime + stime of a /proc/PID/stat line.
    private static func fields(ofStat stat: String) -> (group: Int32, seconds: Double)? {
        // The command, in parentheses, may hold spaces: count fields after its closing one.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // State is field 0 here, process group 2, utime 11, stime 12.
        guard fields.count > 12, let group = Int32(fields[2]), let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (group, (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    private static func usage(_ who: __rusage_who_t) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
