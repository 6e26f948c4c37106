import CoinfluxCore

extension UpbitFormat {
    /// Reads a REST array of market objects (`[{"market":"KRW-BTC",…},…]`, the shape of Upbit's
    /// and Bithumb's market lists and of Bithumb's alert list): `read` turns each object's
    /// `member` into that market's flags; other members are skipped. Both members are required.
    /// - Returns: The flags in the order listed (a market may appear more than once); markets whose
    ///   codes do not map are left out.
    static func parseMarketFlags(
        _ body: UnsafeRawBufferPointer, of content: String, member: StaticString, read: (inout JSONReader) throws -> MarketFlags
    ) throws(FrameError) -> [(symbol: Symbol, flags: MarketFlags)] {
        try FrameParsing.parse(body) { reader in
            try expectArray(&reader, of: content)
            var listed: [(symbol: Symbol, flags: MarketFlags)] = []
            try reader.beginArray()
            while try reader.nextElement() {
                var code: JSONReader.StringView?
                var flags: MarketFlags?
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    if key == "market" {
                        code = try reader.readStringView()
                    } else if key == member {
                        flags = try read(&reader)
                    } else {
                        try reader.skipValue()
                    }
                }
                guard let code else { throw FrameError.missing("market") }
                guard let flags else { throw FrameError.missing(member) }
                if let symbol = try MarketCode.decoded(code, MarketCode.quoteDashBase) { listed.append((symbol, flags)) }
            }
            return listed
        }
    }
}
