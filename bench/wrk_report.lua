-- wrk's results as one JSON line for bench/run.py: throughput, errors, latency percentiles.
-- Only done() is defined: a response() callback would copy every body into Lua and slow wrk
-- down on the static-file floor, so run.py checks statuses and sizes before the load instead.

local function us(latency, p)
  return latency:percentile(p)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, "
      .. "\"errors\": {\"connect\": %d, \"read\": %d, \"write\": %d, \"status\": %d, "
      .. "\"timeout\": %d}, \"latency_us\": {\"min\": %d, \"mean\": %.1f, \"max\": %d, "
      .. "\"stdev\": %.1f, \"p50\": %d, \"p90\": %d, \"p95\": %d, \"p99\": %d}}\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max, latency.stdev,
    us(latency, 50), us(latency, 90), us(latency, 95), us(latency, 99)
  ))
end
