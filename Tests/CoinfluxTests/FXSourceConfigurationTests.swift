import Testing

@testable import coinflux

extension ConfigurationTests {
    @Test("collector.fx_*: no source by default; a URL turns it on with open.er-api's paths; paths and URLs that cannot be one are refused with the key named")
    func fxSource() throws {
        #expect(try load(nil).fxSource == nil)
        #expect(try load(nil).processor.fxRateMaxAge == .seconds(600))
        let source = try #require(try load(nil, set: ["collector.fx_url=https://open.er-api.com/v6/latest/USD"]).fxSource)
        #expect(source.url.absoluteString == "https://open.er-api.com/v6/latest/USD")
        #expect(source.format.ratePath == [.member("rates"), .member("KRW")])
        #expect(source.format.timePath == [.member("time_last_update_unix")])
        #expect(source.interval == .seconds(60))
        let listed = try load("""
            collector:
              fx_url: http://fx.internal:8080/forex/recent
              fx_rate_path: 0.basePrice
              fx_time_path: ""
              fx_interval: 5m
            processor:
              fx_rate_max_age: 20m
            """)
        #expect(listed.processor.fxRateMaxAge == .seconds(1_200))
        let list = try #require(listed.fxSource)
        #expect(list.format.ratePath == [.index(0), .member("basePrice")])
        #expect(list.format.timePath == nil)
        #expect(list.interval == .seconds(300))
        let url = "collector.fx_url=http://127.0.0.1:1/fx"
        #expect(error(nil, set: [url, "collector.fx_rate_path=rates..KRW"])?.key == "collector.fx_rate_path")
        #expect(error(nil, set: [url, "collector.fx_time_path=time."])?.key == "collector.fx_time_path")
        #expect(error(nil, set: ["collector.fx_url=ftp://example.com/usd"])?.key == "collector.fx_url")
        #expect(error(nil, set: [url, "collector.fx_interval=0s"])?.key == "collector.fx_interval")
        #expect(error(nil, set: ["processor.fx_rate_max_age=-1m"])?.key == "processor.fx_rate_max_age")
        // A path is only checked when a source is configured: a default file with another path still loads.
        #expect(try load(nil, set: ["collector.fx_rate_path=rates..KRW"]).fxSource == nil)
    }
}
