-- Searches, one word after another from the arguments (wrk -- word word ...). With "fresh" as
-- the first argument each search carries an extra parameter, so none is a kept page: every one
-- is computed (wrk -- fresh word word ...).
local words = {}
local count = 0
local fresh = false

function init(args)
  for _, word in ipairs(args) do
    if word == "fresh" then
      fresh = true
    else
      words[#words + 1] = word
    end
  end
end

function request()
  count = count + 1
  local path = "/search/?q=" .. words[(count % #words) + 1]
  if fresh then
    path = path .. "&fresh=1"
  end
  return wrk.format("GET", path)
end
