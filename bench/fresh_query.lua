-- A search no one asked before, on every request: the path's query plus the exclusion of a made-up word
-- (no brief has it, so the matches are the same), numbered from the start time so no two runs repeat one.
dofile("bench/latency.lua")
local counter = os.time() * 100000
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "+-zq" .. counter .. "x")
end
