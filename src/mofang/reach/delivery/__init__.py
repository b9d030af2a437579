"""The delivery service: the log, retries and dead letters, rate limits, receipts, tracked links, channels."""
