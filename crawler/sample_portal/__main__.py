"""python -m crawler.sample_portal --port N: serve the sample portal on 127.0.0.1 until interrupted."""
import argparse
import time

from crawler.sample_portal import server

parser = argparse.ArgumentParser(description="ogiaudit 示例门户（127.0.0.1）")
parser.add_argument("--port", type=int, default=8800)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--slow", type=float, default=1.5, help="慢页面的延迟秒数")
args = parser.parse_args()
srv = server.start(args.port, args.host, args.slow)
print(f"示例门户：{srv.base_url}/  （Ctrl+C 停止）", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    srv.shutdown()
