-- wrk script: POST runs/log-batch with 100 new metric points (10 keys x 10 steps) per request.
local run_id = os.getenv("RUN_ID")
local n = 0
request = function()
  n = n + 1
  local parts = {}
  for i = 0, 99 do
    parts[#parts + 1] = string.format(
      '{"key":"m%d","value":%f,"timestamp":%d,"step":%d}',
      i % 10, (n + i) / 7.0, 1700000000000 + n, n * 10 + math.floor(i / 10))
  end
  local body = string.format('{"run_id":"%s","metrics":[%s]}', run_id, table.concat(parts, ","))
  return wrk.format("POST", "/api/2.0/mlflow/runs/log-batch",
                    {["Content-Type"] = "application/json"}, body)
end
