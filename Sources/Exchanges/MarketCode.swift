import CoinfluxCore

/// The exchanges' spellings of a market, read straight from frame bytes into a normalized `Symbol`:
///
/// - concatenated `BTCUSDT` / `btcusdt` (Binance, Bybit): split before a known quote asset;
/// - `QUOTE-BASE` `KRW-BTC` (Upbit, Bithumb v1);
/// - `BASE_QUOTE` `BTC_KRW` (Bithumb legacy);
/// - `QUOTE/BASE` `KRW/BTC` (Coinone's quote and target currencies, as in its REST paths).
///
/// Assets are 1 to ``maximumAssetLength`` ASCII letters and digits; anything else does not map.
enum MarketCode {
    /// Longest asset name accepted.
    static let maximumAssetLength = 20

    /// Quote assets recognized at the end of a concatenated code, longest first so `FDUSD` wins
    /// over shorter endings. A concatenated code that ends in none of them does not map.
    static let concatenatedQuotes: [String] = [
        "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "EURI", "AEUR",
        "KRW", "BTC", "ETH", "BNB", "EUR", "TRY", "BRL", "JPY", "GBP", "DAI",
    ]
    private static let concatenatedQuoteBytes = concatenatedQuotes.map { Array($0.utf8) }

    /// `BTCUSDT` (any letter case) → BTC-USDT.
    static func concatenated(_ bytes: UnsafeRawBufferPointer) -> Symbol? {
        guard isAssets(bytes) else { return nil }
        for (index, quote) in concatenatedQuoteBytes.enumerated()
        where bytes.count > quote.count && bytes.count - quote.count <= maximumAssetLength {
            let baseCount = bytes.count - quote.count
            var matches = true
            for position in 0..<quote.count where bytes[baseCount + position] & 0xDF != quote[position] {
                matches = false
                break
            }
            if matches {
                return Symbol(base: text(bytes, 0..<baseCount), quote: concatenatedQuotes[index])
            }
        }
        return nil
    }

    /// `KRW-BTC` → BTC-KRW.
    static func quoteDashBase(_ bytes: UnsafeRawBufferPointer) -> Symbol? {
        split(bytes, at: UInt8(ascii: "-")).map { Symbol(base: $0.second, quote: $0.first) }
    }

    /// `BTC_KRW` → BTC-KRW.
    static func baseUnderscoreQuote(_ bytes: UnsafeRawBufferPointer) -> Symbol? {
        split(bytes, at: UInt8(ascii: "_")).map { Symbol(base: $0.first, quote: $0.second) }
    }

    /// `KRW/BTC` → BTC-KRW.
    static func quoteSlashBase(_ bytes: UnsafeRawBufferPointer) -> Symbol? {
        split(bytes, at: UInt8(ascii: "/")).map { Symbol(base: $0.second, quote: $0.first) }
    }

    /// One asset name (`KRW`, `btc`) → upper case, or nil.
    static func asset(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard isAsset(bytes) else { return nil }
        return text(bytes, 0..<bytes.count).uppercased()
    }

    /// Runs `parse` over a string value's decoded bytes (read in place unless it has escapes).
    static func decoded(_ view: JSONReader.StringView, _ parse: (UnsafeRawBufferPointer) -> Symbol?) throws -> Symbol? {
        guard view.hasEscapes else { return parse(view.rawBytes) }
        var text = try view.string()
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Runs `parse` over the bytes of `code`.
    static func parsing(_ code: String, _ parse: (UnsafeRawBufferPointer) -> Symbol?) -> Symbol? {
        var code = code
        return code.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// The symbol of a listed market whose code and assets agree: `code`, spelled as the exchange's
    /// frames spell it, maps with `parse` to `base`-`quote`. Nil otherwise: frames of that market
    /// would not map to it.
    static func listed(code: String, base: String, quote: String, _ parse: (UnsafeRawBufferPointer) -> Symbol?) -> Symbol? {
        guard let symbol = parsing(code, parse), symbol == Symbol(base: base, quote: quote) else { return nil }
        return symbol
    }

    private static func split(_ bytes: UnsafeRawBufferPointer, at separator: UInt8) -> (first: String, second: String)? {
        guard let index = bytes.firstIndex(of: separator) else { return nil }
        let first = UnsafeRawBufferPointer(rebasing: bytes[..<index])
        let second = UnsafeRawBufferPointer(rebasing: bytes[(index + 1)...])
        guard isAsset(first), isAsset(second) else { return nil }
        return (text(first, 0..<first.count), text(second, 0..<second.count))
    }

    private static func isAsset(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count <= maximumAssetLength && isAssets(bytes)
    }

    /// Non-empty and only ASCII letters and digits.
    private static func isAssets(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return false }
        for byte in bytes {
            let letter = byte | 0x20
            guard (letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            else { return false }
        }
        return true
    }

    private static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
