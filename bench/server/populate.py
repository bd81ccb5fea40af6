#!/usr/bin/python3
"""Fills a cairn (or MLflow) tracking server for bench/server_load.sh, over its REST API.

  populate.py URL runs EXPERIMENT_ID N      N runs, each with metric acc and a param
  populate.py URL history RUN_ID N          N metric rows on one run (log-batch of 1000)

Standard library only (keep-alive through http.client), so Debian's python3 runs it bare.
"""
import http.client
import json
import random
import sys
import urllib.parse


def main():
    url, what, target, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)

    def post(path, body):
        conn.request("POST", "/api/2.0/mlflow/" + path, json.dumps(body),
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            sys.exit(f"{path}: HTTP {response.status}: {data[:200]!r}")
        return json.loads(data or b"{}")

    rng = random.Random(42)
    if what == "runs":
        for i in range(count):
            run = post("runs/create", {"experiment_id": target, "start_time": 1700000000000 + i})
            run_id = run["run"]["info"]["run_id"]
            post("runs/log-batch", {
                "run_id": run_id,
                "metrics": [{"key": "acc", "value": rng.random(), "timestamp": 1700000000000,
                             "step": 0}],
                "params": [{"key": "lr", "value": str(rng.choice([0.01, 0.1, 0.3]))}],
            })
    elif what == "history":
        step = 0
        while step < count:
            n = min(1000, count - step)
            post("runs/log-batch", {"run_id": target, "metrics": [
                {"key": "loss", "value": rng.random(), "timestamp": 1600000000000 + step + i,
                 "step": step + i} for i in range(n)]})
            step += n
    else:
        sys.exit(f"unknown mode {what}")


if __name__ == "__main__":
    main()
