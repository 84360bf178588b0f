"""`make run` restarts: seconds from launching `manage.py serve --prepare` to a 200 from /healthz.

    .venv/bin/python bench/restart.py [--port 8104] [--restarts 3]

A fresh var/ folder in /tmp: the first start migrates, loads the demo and collects static
files; the restarts after it have nothing to do but start. For comparison it also times the
five separate start-ups the Makefile used to make before serving (migrate, load_demo,
collectstatic, ensure_admin, then serve). Stops everything it starts.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_to_healthy(env: dict, port: int, prepare: bool = True) -> float:
    command = [sys.executable, "manage.py", "serve", "--port", str(port), "--concurrency", "1"]
    if prepare:
        command.append("--prepare")
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        while not healthy(port):
            if process.poll() is not None:
                raise SystemExit(f"serve exited with {process.returncode}")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def timed(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--restarts", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DISTILLERY_VAR_DIR": str(Path(folder) / "var")}
        for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
            env.pop(name, None)
        print(f"first start (migrate, demo, collectstatic, admin): {start_to_healthy(env, options.port):.1f} s")
        for n in range(1, options.restarts + 1):
            print(f"restart {n}, nothing changed: {start_to_healthy(env, options.port):.1f} s")
        steps = {step: timed(env, *step.split()) for step in ("migrate --noinput", "load_demo", "ensure_admin")}
        steps["collectstatic --noinput"] = timed(env, "collectstatic", "--noinput")
        steps["serve (no --prepare)"] = start_to_healthy(env, options.port, prepare=False)
        for step, seconds in steps.items():
            print(f"  before: {step}: {seconds:.1f} s")
        print(f"before, five start-ups in a row: {sum(steps.values()):.1f} s")


if __name__ == "__main__":
    main()
