-- wrk script: the search of issue 4's goal: 10,000 runs, order by metrics.acc DESC, 100 results.
local body = string.format(
  '{"experiment_ids":["%s"],"order_by":["metrics.acc DESC"],"max_results":100}',
  os.getenv("EXPERIMENT_ID"))
request = function()
  return wrk.format("POST", "/api/2.0/mlflow/runs/search",
                    {["Content-Type"] = "application/json"}, body)
end
