-- A signed-in member reads: every request carries the member's session cookie (wrk -- KEY).
function init(args)
  wrk.headers["Cookie"] = "sessionid=" .. args[1]
end
