-- wrk script of benchmarks.intake: POST a valid JSON report to the URL's path.
--
--   wrk -t2 -c32 -d10s --timeout 10s -s benchmarks/intake.lua \
--       http://127.0.0.1:PORT/api/v1/reports -- RUN
--
-- Every request comes from its own address (X-Forwarded-For, read by the app with
-- TRUSTED_PROXIES=1 as behind nginx) and says something different, so neither the rate
-- limit nor the duplicate-text window is what gets measured. RUN (a number) keeps the
-- addresses of one run apart from every other run's. At the end one line of JSON: requests,
-- answers per status, socket errors, and latency percentiles in microseconds.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  run = tonumber(args[1] or "0")
  sent = 0
  statuses = {}
  headers = { ["Content-Type"] = "application/json" }
end

local TEXT = "The account argued with a resident in the replies to a post about the "
  .. "weekend hours of the public library, called the resident's question a waste of "
  .. "everyone's time and then deleted the resident's follow-up comment. Other people "
  .. "had asked the same question under the same post and got no answer either."

function request()
  sent = sent + 1
  -- an IPv6 /64 of its own: the app counts an IPv6 client by its /64
  headers["X-Forwarded-For"] = string.format("fd%02x:%x:%x:%x::1", run % 256, thread_number,
    math.floor(sent / 65536), sent % 65536)
  local mark = string.format("%d-%d-%d", run, thread_number, sent)
  local body = '{"category": "arguing-with-the-public", "account_id": "city-x-sample", '
    .. '"post_url": "https://x.com/abq_city_sample/status/' .. sent .. '", '
    .. '"seen_at": "2026-11-20", "description": "' .. TEXT .. ' (Report ' .. mark .. ')"}'
  return wrk.format("POST", nil, headers, body)
end

function response(status, _headers, _body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, _requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "statuses": {%s}, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
