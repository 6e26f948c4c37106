import NIOCore

// The bodies of the exchanges' recent-trades REST endpoints (see ``TradeRoutes``), each trade
// printed in its exchange's ``TradeStyle``. The REST tickers share their writers with the stream
// tickers, beside them in each protocol's file.

extension BinanceProtocol {
    /// Aggregate trade id minus trade number: each simulated trade is its own aggregate.
    static let aggregateIDOffset: Int64 = 500_000_000

    /// `GET /api/v3/trades` and `/historicalTrades` body (or `/aggTrades` when `aggregated`), oldest first.
    static func writeRESTTrades(_ trades: [SimulatedTrade], aggregated: Bool, market: MarketState, into buffer: inout ByteBuffer) {
        let style = TradeStyle.of(.binance)
        RESTRoutes.writeArray(trades, into: &buffer) { trade, buffer in
            if aggregated {
                buffer.writeStaticString("{\"a\":")
                buffer.writeDecimalInteger(trade.number + aggregateIDOffset)
                buffer.writeStaticString(",\"p\":")
                style.writePrice(trade, market: market, into: &buffer)
                buffer.writeStaticString(",\"q\":")
                style.writeQuantity(trade, market: market, into: &buffer)
                buffer.writeStaticString(",\"f\":")
                buffer.writeDecimalInteger(trade.id)
                buffer.writeStaticString(",\"l\":")
                buffer.writeDecimalInteger(trade.id)
                buffer.writeStaticString(",\"T\":")
                buffer.writeDecimalInteger(trade.time)
                buffer.writeStaticString(trade.takerBought ? ",\"m\":false,\"M\":true}" : ",\"m\":true,\"M\":true}")
            } else {
                buffer.writeStaticString("{\"id\":")
                buffer.writeDecimalInteger(trade.id)
                buffer.writeStaticString(",\"price\":")
                style.writePrice(trade, market: market, into: &buffer)
                buffer.writeStaticString(",\"qty\":")
                style.writeQuantity(trade, market: market, into: &buffer)
                buffer.writeStaticString(",\"quoteQty\":")
                buffer.writeQuotedDecimal(trade.price * trade.quantity, fractionDigits: 8)
                buffer.writeStaticString(",\"time\":")
                buffer.writeDecimalInteger(trade.time)
                buffer.writeStaticString(trade.takerBought ? ",\"isBuyerMaker\":false,\"isBestMatch\":true}" : ",\"isBuyerMaker\":true,\"isBestMatch\":true}")
            }
        }
    }
}

extension UpbitProtocol {
    /// `GET /v1/trades/ticks` body (Upbit and Bithumb v1), newest first; `sequential_id` is a number on both.
    static func writeRESTTicks(_ trades: [SimulatedTrade], code: String, style: TradeStyle, market: MarketState, into buffer: inout ByteBuffer) {
        RESTRoutes.writeArray(trades, into: &buffer) { trade, buffer in
            let utc = CivilTime(epochMilliseconds: trade.time, offsetHours: 0)
            buffer.writeStaticString("{\"market\":")
            buffer.writeJSONString(code)
            buffer.writeStaticString(",\"trade_date_utc\":\"")
            buffer.writeDashedDate(utc)
            buffer.writeStaticString("\",\"trade_time_utc\":\"")
            buffer.writeColonTime(utc)
            buffer.writeStaticString("\",\"timestamp\":")
            buffer.writeDecimalInteger(trade.time)
            buffer.writeStaticString(",\"trade_price\":")
            style.writePrice(trade, market: market, into: &buffer)
            buffer.writeStaticString(",\"trade_volume\":")
            style.writeQuantity(trade, market: market, into: &buffer)
            buffer.writeStaticString(",\"prev_closing_price\":")
            buffer.writeDecimal(market.open, fractionDigits: 8)
            buffer.writeStaticString(",\"change_price\":")
            buffer.writeDecimal(trade.price - market.open, fractionDigits: 8)
            buffer.writeStaticString(trade.takerBought ? ",\"ask_bid\":\"BID\",\"sequential_id\":" : ",\"ask_bid\":\"ASK\",\"sequential_id\":")
            style.writeID(trade, quoted: false, into: &buffer)
            buffer.writeStaticString("}")
        }
    }
}

extension BybitProtocol {
    /// `GET /v5/market/recent-trade?category=spot` body, newest first.
    static func writeRESTTrades(_ trades: [SimulatedTrade], code: String, market: MarketState, now: Int64, into buffer: inout ByteBuffer) {
        let style = TradeStyle.of(.bybit)
        buffer.writeStaticString("{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"category\":\"spot\",\"list\":")
        RESTRoutes.writeArray(trades, into: &buffer) { trade, buffer in
            buffer.writeStaticString("{\"execId\":")
            style.writeID(trade, quoted: true, into: &buffer)
            buffer.writeStaticString(",\"symbol\":")
            buffer.writeJSONString(code)
            buffer.writeStaticString(",\"price\":")
            style.writePrice(trade, market: market, into: &buffer)
            buffer.writeStaticString(",\"size\":")
            style.writeQuantity(trade, market: market, into: &buffer)
            buffer.writeStaticString(trade.takerBought ? ",\"side\":\"Buy\",\"time\":\"" : ",\"side\":\"Sell\",\"time\":\"")
            buffer.writeDecimalInteger(trade.time)
            buffer.writeStaticString("\",\"isBlockTrade\":false}")
        }
        buffer.writeStaticString("},\"retExtInfo\":{},\"time\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString("}")
    }
}

extension CoinoneProtocol {
    /// `GET /public/v2/trades/{quote}/{target}` body, newest first.
    static func writeRESTTrades(_ trades: [SimulatedTrade], market: MarketState, now: Int64, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"result\":\"success\",\"error_code\":\"0\",\"server_time\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString(",\"quote_currency\":")
        buffer.writeJSONString(market.symbol.quote)
        buffer.writeStaticString(",\"target_currency\":")
        buffer.writeJSONString(market.symbol.base)
        buffer.writeStaticString(",\"transactions\":")
        RESTRoutes.writeArray(trades, into: &buffer) { trade, buffer in
            buffer.writeStaticString("{")
            writeTradeFields(trade, market: market, into: &buffer)
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("}")
    }
}

extension BithumbLegacyProtocol {
    /// `GET /public/transaction_history/{BASE_QUOTE}` body, newest first, KST times, no ids.
    static func writeRESTTransactions(_ trades: [SimulatedTrade], market: MarketState, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"status\":\"0000\",\"data\":")
        RESTRoutes.writeArray(trades, into: &buffer) { trade, buffer in
            let kst = CivilTime(epochMilliseconds: trade.time, offsetHours: CivilTime.koreaOffsetHours)
            buffer.writeStaticString("{\"transaction_date\":\"")
            buffer.writeDashedDate(kst)
            buffer.writeStaticString(" ")
            buffer.writeColonTime(kst)
            buffer.writeStaticString(trade.takerBought ? "\",\"type\":\"bid\",\"units_traded\":" : "\",\"type\":\"ask\",\"units_traded\":")
            buffer.writeQuotedDecimal(trade.quantity, fractionDigits: market.quantityDigits)
            buffer.writeStaticString(",\"price\":")
            buffer.writeQuotedDecimal(trade.price, fractionDigits: market.priceDigits)
            buffer.writeStaticString(",\"total\":")
            buffer.writeQuotedDecimal(trade.price * trade.quantity, fractionDigits: 0)
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("}")
    }
}
