"""`python -m local`: run the local stack until Ctrl-C (SIGINT) or SIGTERM."""

import time

STARTED = time.monotonic()  # before the heavy imports below: the ready line reports the whole start-up

import argparse  # noqa: E402 (imported after the clock starts on purpose)
import os  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402
from types import FrameType  # noqa: E402

from local.stack import PortInUse, start  # noqa: E402
from local.triggers import AtLeastOnce  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument(
        "--aws-host",
        default="127.0.0.1",
        help="address the moto server listens on; 0.0.0.0 lets `sam local invoke`'s containers reach it, "
        "and everyone else on the network too (moto checks no credentials)",
    )
    parser.add_argument("--aws-port", type=int, default=5000, help="moto server port (0: any free port)")
    parser.add_argument("--api-port", type=int, default=3000, help="local API port (0: any free port)")
    parser.add_argument("--web-port", type=int, default=8080, help="web client port (0: any free port)")
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    parser.add_argument("--state-dir", type=Path, default=Path(".local"), help="where stack.json is written")
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a template parameter's value instead of its Default (repeatable), as sam deploy takes them",
    )
    parser.add_argument(
        "--redeliver",
        action="store_true",
        help="deliver every rule target, stream batch and queue message twice, rule deliveries sometimes "
        "out of order, as AWS may (at least once)",
    )
    parser.add_argument(
        "--redeliver-seed",
        type=int,
        metavar="SEED",
        help="the seed of --redeliver's choices, to replay a run (implies --redeliver; default: random)",
    )
    parser.add_argument(
        "--no-hot-reload",
        action="store_true",
        help="run the code as it was at start (default: an edited handler or layer module serves the next "
        "invocation)",
    )
    arguments = parser.parse_args()
    redelivery = None
    if arguments.redeliver or arguments.redeliver_seed is not None:
        seed = arguments.redeliver_seed
        redelivery = AtLeastOnce(AtLeastOnce.new_seed() if seed is None else seed)

    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        stack = start(
            aws_host=arguments.aws_host,
            aws_port=arguments.aws_port,
            api_port=arguments.api_port,
            web_port=arguments.web_port,
            region=arguments.region,
            state_dir=arguments.state_dir,
            parameters=dict(parameter.split("=", 1) for parameter in arguments.parameter),
            redelivery=redelivery,
            hot_reload=not arguments.no_hot_reload,
            log=lambda line: print(line, flush=True),
        )
    except PortInUse as error:
        raise SystemExit(
            f"{error}: stop what uses it, or choose others, e.g. make local AWS_PORT=5001"
        ) from None
    print(
        f"Ready in {time.monotonic() - STARTED:.1f} s: web {stack.web_url}, API {stack.api_url}, "
        f"AWS {stack.aws_url}, "
        f"{arguments.state_dir / 'stack.json'} written. Ctrl-C stops.",
        flush=True,
    )
    stopping.wait()
    print("Stopping the local stack...", flush=True)
    stack.stop()
    (arguments.state_dir / "stack.json").unlink(missing_ok=True)
    print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
