import CoinfluxCore
import Exchanges
import Foundation

/// Frames per second each exchange adapter parses on one core, per channel, from frames in the
/// shapes the exchanges send (DEFAULT formats, one trade per frame): wall clock, then per second of
/// the thread's CPU time (the per-core figure when other work shares the machine). Beside them,
/// Foundation's `JSONSerialization` reading the same Binance tickers into dictionaries (without
/// even mapping them to events).
enum ExchangeBenchmark {
    /// Distinct frames cycled through by each measurement (prices, times and ids vary).
    private static let sampleCount = 256
    private static let operations = 500_000

    static func run() {
        print("== exchange adapters (one core) ==")
        var binanceTickers: Bench.Row?
        for (name, adapter, channel, frame) in samples {
            let frames = (0..<sampleCount).map { Array(frame($0).utf8) }
            guard frames.allSatisfy({ parses(adapter, $0) }) else {
                print("  \(name) \(channel): sample frames do not parse")
                continue
            }
            let average = frames.reduce(0) { $0 + $1.count } / sampleCount
            let row = measure("\(name) \(channel) (\(average) B)", adapter, frames)
            if name == "binance", channel == "ticker" { binanceTickers = row }
        }
        let binance = (0..<sampleCount).map { Data(binanceTicker($0).utf8) }
        let baselineOperations = 50_000
        let baseline = Bench.measure("JSONSerialization, binance ticker", operations: baselineOperations, unit: "frames", runs: 3) {
            var members = 0
            for index in 0..<baselineOperations {
                let object = try? JSONSerialization.jsonObject(with: binance[index % sampleCount]) as? [String: Any]
                members += object?.count ?? 0
            }
            Bench.blackHole(members)
        }
        if let binanceTickers {
            Bench.ratio("BinanceAdapter.parse vs JSONSerialization (ticker)", binanceTickers, baseline)
        }
    }

    private static func parses(_ adapter: any ExchangeAdapter, _ frame: [UInt8]) -> Bool {
        var events: [MarketEvent] = []
        let kind = frame.withUnsafeBytes { try? adapter.parse(frame: $0, receivedAt: 1, into: &events) }
        return kind == .data && events.count == 1
    }

    /// Measures wall-clock throughput with `Bench.measure`, then records the best run's rate per
    /// second of this thread's CPU time: on a machine shared with other work, the per-core figure.
    private static func measure(_ name: String, _ adapter: any ExchangeAdapter, _ frames: [[UInt8]]) -> Bench.Row {
        var bestCPUSeconds = Double.infinity
        let row = Bench.measure(name, operations: operations, unit: "frames") {
            let cpuStart = CPUTime.thread()
            var events: [MarketEvent] = []
            events.reserveCapacity(4)
            var checksum = 0.0
            for index in 0..<operations {
                events.removeAll(keepingCapacity: true)
                frames[index % sampleCount].withUnsafeBytes { bytes in
                    _ = try? adapter.parse(frame: bytes, receivedAt: Int64(index), into: &events)
                }
                checksum += events.first?.price ?? 0
            }
            Bench.blackHole(checksum)
            bestCPUSeconds = min(bestCPUSeconds, CPUTime.thread() - cpuStart)
        }
        Bench.record("\(name), per CPU-second", operations: operations, seconds: bestCPUSeconds, unit: "frames")
        return row
    }

    // MARK: Sample frames

    private static var samples: [(String, any ExchangeAdapter, String, (Int) -> String)] {
        [
            ("binance", BinanceAdapter(), "ticker", binanceTicker),
            ("binance", BinanceAdapter(), "trade", binanceTrade),
            ("upbit", UpbitAdapter(), "ticker", upbitTicker),
            ("upbit", UpbitAdapter(), "trade", { upbitTrade($0, sequentialID: "\(17_303_368_620_470_000 + $0)") }),
            ("bithumb", BithumbAdapter(), "ticker", upbitTicker),
            ("bithumb", BithumbAdapter(), "trade", { upbitTrade($0, sequentialID: "\"\(17_303_368_620_470_000 + $0)\"") }),
            ("bithumb-legacy", BithumbLegacyAdapter(), "ticker", legacyTicker),
            ("bithumb-legacy", BithumbLegacyAdapter(), "trade", legacyTrade),
            ("bybit", BybitAdapter(), "ticker", bybitTicker),
            ("bybit", BybitAdapter(), "trade", bybitTrade),
            ("coinone", CoinoneAdapter(), "ticker", coinoneTicker),
            ("coinone", CoinoneAdapter(), "trade", coinoneTrade),
        ]
    }

    private static func binanceTicker(_ index: Int) -> String {
        let time = 1_700_000_000_000 + index * 1_000
        return #"{"e":"24hrTicker","E":\#(time),"s":"BTCUSDT","p":"512.10000000","P":"1.403","w":"36890.11000000","x":"36500.24000000","c":"\#(37_000 + index).34000000","Q":"0.00150000","b":"\#(37_000 + index).33000000","B":"1.20000000","a":"\#(37_000 + index).34000000","A":"0.51000000","o":"36500.24000000","h":"37400.00000000","l":"36400.00000000","v":"25123.45678000","q":"926812345.12345678","O":\#(time - 86_400_000),"C":\#(time),"F":3141000000,"L":\#(3_141_592_653 + index),"n":592654}"#
    }

    private static func binanceTrade(_ index: Int) -> String {
        #"{"e":"trade","E":\#(1_700_000_000_125 + index),"s":"BTCUSDT","t":\#(3_141_592_653 + index),"p":"\#(37_000 + index).34000000","q":"0.00150000","T":\#(1_700_000_000_123 + index),"m":\#(index % 2 == 0),"M":true}"#
    }

    private static func upbitTicker(_ index: Int) -> String {
        #"{"type":"ticker","code":"KRW-BTC","opening_price":31883000,"high_price":32310000,"low_price":31855000,"trade_price":\#(32_287_000 + index * 1_000),"prev_closing_price":31883000.00000000,"acc_trade_price":78039261076.51241000,"change":"RISE","change_price":404000.00000000,"signed_change_price":404000.00000000,"change_rate":0.0126713295,"signed_change_rate":0.0126713295,"ask_bid":"ASK","trade_volume":0.03103806,"acc_trade_volume":2429.58834336,"trade_date":"20230221","trade_time":"074102","trade_timestamp":\#(1_676_965_262_139 + index),"acc_ask_volume":1146.25573608,"acc_bid_volume":1283.33260728,"highest_52_week_price":57678000.00000000,"highest_52_week_date":"2022-03-28","lowest_52_week_price":20700000.00000000,"lowest_52_week_date":"2022-12-30","market_state":"ACTIVE","is_trading_suspended":false,"delisting_date":null,"market_warning":"NONE","timestamp":\#(1_676_965_262_177 + index),"acc_trade_price_24h":228827082483.70729000,"acc_trade_volume_24h":7158.80283560,"stream_type":"REALTIME"}"#
    }

    private static func upbitTrade(_ index: Int, sequentialID: String) -> String {
        #"{"type":"trade","code":"KRW-BTC","timestamp":\#(1_730_336_862_082 + index),"trade_date":"2024-10-31","trade_time":"01:07:42","trade_timestamp":\#(1_730_336_862_047 + index),"trade_price":\#(100_150_000 + index * 1_000).00000000,"trade_volume":0.00049920,"ask_bid":"\#(index % 2 == 0 ? "ASK" : "BID")","prev_closing_price":99470000.00000000,"change":"RISE","change_price":680000.00000000,"sequential_id":\#(sequentialID),"best_ask_price":100151000,"best_ask_size":0.04414411,"best_bid_price":100150000,"best_bid_size":0.01202163,"stream_type":"REALTIME"}"#
    }

    private static func legacyTicker(_ index: Int) -> String {
        #"{"type":"ticker","content":{"symbol":"BTC_KRW","tickType":"24H","date":"20210811","time":"2049\#(10 + index % 50)","openPrice":"3720000","closePrice":"\#(3_748_000 + index * 1_000)","lowPrice":"3650000","highPrice":"3800000","value":"71936713574.4532312749481437683","volume":"19318.8612773254237346352457101","sellVolume":"9647.4304516812300000000000001","buyVolume":"9671.4308256441937346352457100","prevClosePrice":"3719000","chgRate":"0.75","chgAmt":"28000","volumePower":"100.24"}}"#
    }

    private static func legacyTrade(_ index: Int) -> String {
        #"{"type":"transaction","content":{"list":[{"symbol":"BTC_KRW","buySellGb":"\#(index % 2 + 1)","contPrice":"\#(10_579_000 + index * 1_000)","contQty":"0.01","contAmt":"105790.00","contDtm":"2021-06-02 08:43:34.\#(555_058 + index)","updn":"dn"}]}}"#
    }

    private static func bybitTicker(_ index: Int) -> String {
        #"{"topic":"tickers.BTCUSDT","ts":\#(1_673_853_746_003 + index),"type":"snapshot","cs":\#(2_588_407_389 + index),"data":{"symbol":"BTCUSDT","lastPrice":"\#(21_109 + index).77","highPrice24h":"21426.99","lowPrice24h":"20575","prevPrice24h":"20704.93","volume24h":"6780.866843","turnover24h":"141946527.22907118","price24hPcnt":"0.0196","usdIndexPrice":"21120.2400136"}}"#
    }

    private static func bybitTrade(_ index: Int) -> String {
        #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":\#(1_672_304_486_868 + index),"data":[{"T":\#(1_672_304_486_865 + index),"s":"BTCUSDT","S":"\#(index % 2 == 0 ? "Buy" : "Sell")","v":"0.001","p":"\#(16_578 + index).50","i":"\#(2_290_000_000_061_666_327 + index)","BT":false}]}"#
    }

    private static func coinoneTicker(_ index: Int) -> String {
        #"{"response_type":"DATA","channel":"TICKER","data":{"quote_currency":"KRW","target_currency":"XRP","timestamp":\#(1_693_560_155_038 + index),"quote_volume":"12361140667.7396","target_volume":"17912713.4347","high":"697","low":"681.1","first":"686.6","last":"\#(687 + index % 10)","volume_power":"100","ask_best_price":"687.1","ask_best_qty":"21357.8599","bid_best_price":"687","bid_best_qty":"58524.4139","id":"\#(1_693_560_155_038_001 + index)","yesterday_high":"695","yesterday_low":"679.1","yesterday_first":"682.5","yesterday_last":"686.6","yesterday_quote_volume":"13284345766.4465","yesterday_target_volume":"19411617.3906"}}"#
    }

    private static func coinoneTrade(_ index: Int) -> String {
        #"{"response_type":"DATA","channel":"TRADE","data":{"quote_currency":"KRW","target_currency":"XRP","id":"\#(1_693_560_450_996_001 + index)","timestamp":\#(1_693_560_450_996 + index),"price":"688.\#(index % 10)","qty":"5000","is_seller_maker":\#(index % 2 == 0)}}"#
    }
}
