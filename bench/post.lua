-- wrk script: POST the JSON body in $BENCH_BODY_FILE to the path in $BENCH_PATH.
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Content-Type"] = "application/json"
if os.getenv("BENCH_TOKEN") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f errors=%d non2xx=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
