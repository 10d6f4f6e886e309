-- Searches, one word after another from the arguments (wrk -- word word ...).
local words = {}
local count = 0

function init(args)
  for index, word in ipairs(args) do
    words[index] = word
  end
end

function request()
  count = count + 1
  return wrk.format("GET", "/search/?q=" .. words[(count % #words) + 1])
end
