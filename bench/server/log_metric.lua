-- wrk script: POST runs/log-metric to the run in env RUN_ID, a new (timestamp, step) each time,
-- so every request inserts a row (exact duplicates would be skipped by the store).
local run_id = os.getenv("RUN_ID")
local n = 0
local thread_id = 0
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
request = function()
  n = n + 1
  local body = string.format(
    '{"run_id":"%s","key":"loss","value":%f,"timestamp":%d,"step":%d}',
    run_id, 1.0 / n, 1700000000000 + (tid or 0) * 100000000 + n, n)
  return wrk.format("POST", "/api/2.0/mlflow/runs/log-metric",
                    {["Content-Type"] = "application/json"}, body)
end
