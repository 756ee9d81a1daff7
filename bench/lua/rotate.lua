-- wrk script: rotate over request paths read from a file, report percentiles as one JSON line.
--
--   wrk -t2 -c16 -d20s -s bench/lua/rotate.lua http://127.0.0.1:8000 -- paths.txt
--
-- Each thread starts at a different offset of the list so threads do not march in step.
-- The final line starts with "WRKJSON " so the Python bench can find it among wrk's output;
-- latencies are in microseconds, errors as wrk counts them (status = non-2xx/3xx answers).

local threads = {}
local paths = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  local nthreads = tonumber(args[2]) or 1
  counter = math.floor((id or 0) * #paths / nthreads)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
