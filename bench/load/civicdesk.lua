-- wrk script for bench/load.py: one connection per thread, so that each response belongs to
-- the request the thread sent last. Configuration comes from the environment:
--   LOAD_MODE     api_create | form_create | api_status | page_status | inbox | mixed
--   LOAD_RUN      a prefix unique to this run, put into every idempotency key
--   LOAD_OUT      path prefix of the per-thread files of acknowledged submissions
--   LOAD_CODES    a file of tracking codes, one per line (status look-ups)
--   LOAD_CSRF     "cookie-value token" for the public form
--   LOAD_SESSION  a staff session cookie value (inbox pages)
-- A create that got no answer, or a 5xx or 429, is sent again with the same idempotency key,
-- as a real client would: the server must then store it once.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local mode, run, out, codes, csrf_cookie, csrf_token, session
local acks
local pending = nil      -- the create in flight: {kind, key, body}
local answered = true    -- whether the last request got a response
local pause = 0          -- milliseconds to wait before the next request (after a failure)
statuses = {}
retries = 0

local texts = {
  "路灯不亮，晚上走路很危险，请尽快修理。",
  "小区门口垃圾堆放多日无人清运，气味很大。",
  "企业办事窗口排队时间太长，希望增加窗口。",
  "道路井盖破损，车辆经过很危险。",
  "餐馆油烟直排，影响楼上居民生活。",
  "公交站台遮雨棚损坏，下雨天无处躲雨。",
}

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function uuid()
  return string.format("%08x-%04x-4%03x-%04x-%012x", math.random(0, 0xffffffff),
    math.random(0, 0xffff), math.random(0, 0xfff), math.random(0x8000, 0xbfff),
    math.random(0, 0xffffffffffff))
end

local function client_address()
  -- Many clients behind the trusted proxy: each report comes from its own address, as it
  -- would from citizens' phones, so the per-client rate limit counts but does not refuse.
  return string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
end

function init(args)
  mode = os.getenv("LOAD_MODE") or "api_create"
  run = os.getenv("LOAD_RUN") or "run"
  out = os.getenv("LOAD_OUT")
  session = os.getenv("LOAD_SESSION")
  local csrf = os.getenv("LOAD_CSRF")
  if csrf then csrf_cookie, csrf_token = csrf:match("^(%S+) (%S+)$") end
  math.randomseed(os.time() * 1000 + id)
  if out then
    acks = io.open(out .. "-" .. id .. ".tsv", "a")
    acks:setvbuf("line")
  end
  local path = os.getenv("LOAD_CODES")
  if path then
    codes = {}
    for line in io.lines(path) do table.insert(codes, line) end
  end
end

local function new_create(kind)
  counter = counter + 1
  local text = texts[math.random(#texts)] .. " （" .. run .. " " .. id .. "-" .. counter .. "）"
  local address = "建设路" .. math.random(1, 400) .. "号"
  if kind == "api" then
    local body = '{"channel":"snapshot","description":"' .. text .. '","address":"' .. address .. '"}'
    return {kind = kind, key = run .. "-" .. id .. "-" .. counter, body = body}
  end
  local token = uuid()
  local body = "description=" .. urlencode(text) .. "&address=" .. urlencode(address) ..
    "&form_token=" .. token .. "&csrfmiddlewaretoken=" .. csrf_token
  return {kind = kind, key = "form:" .. token, body = body}
end

local function create_request(item)
  local headers = {["X-Forwarded-For"] = client_address()}
  if item.kind == "api" then
    headers["Content-Type"] = "application/json"
    headers["Idempotency-Key"] = item.key
    return wrk.format("POST", "/api/v1/submissions", headers, item.body)
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = "csrftoken=" .. csrf_cookie
  headers["Referer"] = "http://127.0.0.1/report/"
  return wrk.format("POST", "/report/", headers, item.body)
end

local function pick()
  if mode == "api_create" then return "api" end
  if mode == "form_create" then return "form" end
  if mode ~= "mixed" then return mode end
  local r = math.random(100)
  if r <= 25 then return "api" elseif r <= 35 then return "form"
  elseif r <= 70 then return "api_status" elseif r <= 90 then return "page_status"
  else return "inbox" end
end

local current

function delay()
  local wait = pause
  pause = 0
  return wait
end

function request()
  if pending and not answered then
    -- No answer came (timeout or a dropped connection): send the same report again.
    retries = retries + 1
    answered = false
    current = pending.kind
    return create_request(pending)
  end
  answered = false
  local kind = pick()
  current = kind
  if kind == "api" or kind == "form" then
    pending = new_create(kind)
    return create_request(pending)
  end
  pending = nil
  local headers = {["X-Forwarded-For"] = client_address()}
  if kind == "api_status" then
    return wrk.format("GET", "/api/v1/submissions/" .. codes[math.random(#codes)], headers)
  elseif kind == "page_status" then
    return wrk.format("GET", "/track/" .. codes[math.random(#codes)] .. "/", headers)
  end
  headers["Cookie"] = "sessionid=" .. session
  return wrk.format("GET", "/staff/", headers)
end

function response(status, headers, body)
  answered = true
  local name = current .. ":" .. status
  statuses[name] = (statuses[name] or 0) + 1
  if not pending then return end
  if status >= 500 or status == 429 then
    -- Refused or failed: answered, but not acknowledged, so send it again a little later.
    answered = false
    pause = 200
    return
  end
  local code
  if pending.kind == "api" and (status == 201 or status == 200) then
    code = body:match('"tracking_code": "([%w%-]+)"')
  elseif pending.kind == "form" and status == 302 then
    code = (headers["Location"] or ""):match("/track/([%w%-]+)/")
  end
  if code and acks then acks:write(pending.key, "\t", code, "\t", status, "\n") end
  pending = nil
end

function done(summary, latency, requests)
  local counts = {}
  local total_retries = 0
  for _, thread in ipairs(threads) do
    for name, count in pairs(thread:get("statuses")) do
      counts[name] = (counts[name] or 0) + count
    end
    total_retries = total_retries + thread:get("retries")
  end
  local parts = {}
  for name, count in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', name, count))
  end
  local e = summary.errors
  io.write(string.format(
    'LOADRESULT {"requests": %d, "duration_us": %d, "p50_ms": %.2f, "p90_ms": %.2f, ' ..
    '"p99_ms": %.2f, "p999_ms": %.2f, "max_ms": %.2f, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}, "retries": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, e.connect, e.read, e.write,
    e.status, e.timeout, total_retries, table.concat(parts, ", ")))
end
