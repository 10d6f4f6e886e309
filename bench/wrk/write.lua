-- Members posting replies: one member per wrk thread (run with as many threads as
-- connections). Arguments: a run id (16 hex digits), a CSRF token, then "session:topic" for each
-- member. Every reply has a text of its own ("Bench write <run> <thread>-<n>") and a submission
-- key of its own, so bench/run.py can count afterwards what arrived, once each.
local run, csrf, session, topic
local count = 0
ok = 0
failed = 0

function init(args)
  run, csrf = args[1], args[2]
  local members = {}
  for index = 3, #args do
    members[#members + 1] = args[index]
  end
  session, topic = members[((id - 1) % #members) + 1]:match("([^:]+):(%d+)")
end

function request()
  count = count + 1
  local key = string.format("%08x%08x", id, count) .. run
  local body = "body=Bench+write+" .. run .. "+" .. id .. "-" .. count .. "&submission_key=" .. key
  local headers = {
    ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf,
    ["X-CSRFToken"] = csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", "/t/" .. topic .. "/reply/", headers, body)
end

function response(status, headers, body)
  if status == 302 then
    ok = ok + 1
  else
    failed = failed + 1
  end
end
