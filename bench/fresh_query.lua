-- A search no one asked before, on every request: the path's query plus the exclusion of a made-up word
-- (no brief has it, so the matches are the same), with the run's start time in it so no two runs repeat one.
-- The number is formatted as an integer: concatenated as it is, LuaJIT writes a large number with 14
-- significant digits, and ten requests in a row asked the same search.
-- The word goes into the q parameter itself, wherever it is in the path: appended to the end of
-- "?q=…&role=cto" it would have made the role "cto -zq…", a filter naming nothing.
dofile("bench/latency.lua")
local run = string.format("%d", os.time())
local counter = 0
request = function()
  counter = counter + 1
  local word = "+-zq" .. run .. "n" .. string.format("%d", counter) .. "x"
  local path = string.gsub(wrk.path, "([?&]q=[^&]*)", "%1" .. word, 1)
  return wrk.format(nil, path)
end
