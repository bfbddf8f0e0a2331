-- wrk calls done() once at the end of a run: print one line that bench/run.py parses.
-- Latencies come in microseconds; they are printed in milliseconds.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local errors = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d seconds=%.3f rps=%.2f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f"
      .. " connect_errors=%d read_errors=%d write_errors=%d status_errors=%d timeouts=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
