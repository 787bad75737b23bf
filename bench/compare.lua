-- wrk script for bench/compare: POSTs one GraphQL request and counts answers that carry GraphQL errors.
--
--   wrk -t2 -c64 -d10s --latency -s bench/compare.lua http://127.0.0.1:4410/graphql -- BODY_FILE
--
-- BODY_FILE holds the JSON request body ({"query": "..."}). done() prints one `result` line of key=value pairs
-- (latencies in microseconds) that bench/compare reads.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  if path == nil then
    error("usage: wrk ... -s compare.lua URL -- BODY_FILE")
  end
  local file = assert(io.open(path, "rb"))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = file:read("*a")
  file:close()
  graphql_errors = 0
  non_json = 0
end

function response(status, headers, body)
  if string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  elseif string.sub(body, 1, 1) ~= "{" then
    non_json = non_json + 1
  end
end

function done(summary, latency, requests)
  local graphql, other = 0, 0
  for _, thread in ipairs(threads) do
    graphql = graphql + thread:get("graphql_errors")
    other = other + thread:get("non_json")
  end
  local e = summary.errors
  io.write(string.format(
    "result requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d non2xx=%d socket_errors=%d graphql_errors=%d non_json=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, graphql, other))
end
