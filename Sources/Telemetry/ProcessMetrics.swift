import Foundation

/// The standard Prometheus process metrics (`process_cpu_seconds_total`,
/// `process_resident_memory_bytes`, …) read from Linux's `/proc`, plus `coinflux_build_info`.
///
/// Reading and formatting are separate: `parse(stat:bootTime:…)` and `render(into:)` are pure and
/// tested with sample text; `ProcessMetrics.current()` does the file reads at scrape time.
public struct ProcessMetrics: Sendable, Equatable {
    public var cpuSeconds: Double
    public var residentMemoryBytes: Double
    public var virtualMemoryBytes: Double
    public var startTimeSeconds: Double
    public var openFileDescriptors: Int
    public var maximumFileDescriptors: Int

    public init(cpuSeconds: Double, residentMemoryBytes: Double, virtualMemoryBytes: Double,
                startTimeSeconds: Double, openFileDescriptors: Int, maximumFileDescriptors: Int) {
        self.cpuSeconds = cpuSeconds
        self.residentMemoryBytes = residentMemoryBytes
        self.virtualMemoryBytes = virtualMemoryBytes
        self.startTimeSeconds = startTimeSeconds
        self.openFileDescriptors = openFileDescriptors
        self.maximumFileDescriptors = maximumFileDescriptors
    }

    /// Reads the current values from `/proc`; nil where `/proc` is not available.
    public static func current() -> ProcessMetrics? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let systemStat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let bootLine = systemStat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let bootTime = Double(bootLine.dropFirst("btime ".count).trimmingCharacters(in: .whitespaces))
        else { return nil }
        let openFiles = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        var limit = rlimit()
        let maximumFiles = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 0
        return parse(stat: stat, bootTime: bootTime, clockTicksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
                     pageSize: Double(sysconf(Int32(_SC_PAGESIZE))), openFileDescriptors: openFiles,
                     maximumFileDescriptors: maximumFiles)
    }

    /// Parses `/proc/self/stat` (see proc(5)): fields 14–15 utime/stime and 22 starttime in clock
    /// ticks, 23 vsize in bytes, 24 rss in pages. The command name (field 2) may hold spaces and
    /// parentheses, so fields are counted from the last `)`.
    public static func parse(stat: String, bootTime: Double, clockTicksPerSecond: Double, pageSize: Double,
                             openFileDescriptors: Int, maximumFileDescriptors: Int) -> ProcessMetrics? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) is at index 0.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? {
            let index = number - 3
            return index < fields.count ? Double(fields[index]) : nil
        }
        guard let utime = field(14), let stime = field(15), let start = field(22),
              let vsize = field(23), let rss = field(24), clockTicksPerSecond > 0 else { return nil }
        return ProcessMetrics(
            cpuSeconds: (utime + stime) / clockTicksPerSecond,
            residentMemoryBytes: rss * pageSize,
            virtualMemoryBytes: vsize,
            startTimeSeconds: bootTime + start / clockTicksPerSecond,
            openFileDescriptors: openFileDescriptors,
            maximumFileDescriptors: maximumFileDescriptors)
    }

    /// Appends the metrics in Prometheus text format.
    public func render(into buffer: inout [UInt8]) {
        func family(_ name: String, _ type: String, _ help: String, _ value: String) {
            buffer.append(contentsOf: "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n".utf8)
        }
        family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", "\(cpuSeconds)")
        family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", "\(residentMemoryBytes)")
        family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", "\(virtualMemoryBytes)")
        family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", "\(startTimeSeconds)")
        family("process_open_fds", "gauge", "Number of open file descriptors.", "\(openFileDescriptors)")
        family("process_max_fds", "gauge", "Maximum number of open file descriptors.", "\(maximumFileDescriptors)")
    }

    /// Appends `coinflux_build_info{version="…",host="…"} 1`. `host` names the process where a
    /// scrape address does not: the pod name on Kubernetes, the container id under Docker.
    public static func renderBuildInfo(version: String, host: String = hostName, into buffer: inout [UInt8]) {
        let name = MetricCatalogue.buildInfo.name
        buffer.append(contentsOf: "# HELP \(name) \(MetricCatalogue.buildInfo.help)\n# TYPE \(name) gauge\n\(name){version=\"\(version)\",host=\"\(labelSafe(host))\"} 1\n".utf8)
    }

    /// This machine's host name (gethostname), read once.
    public static let hostName: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// `text` with the characters a label value must escape (`\`, `"`, newline) left out.
    static func labelSafe(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\\" && $0 != "\"" && $0 != "\n" }.map(Character.init))
    }
}
