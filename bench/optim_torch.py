"""PyTorch side of the optimizer-core benchmark (bench/optim.js runs it with /usr/bin/python3).

Times one optimizer (`--optimizer`, built with the keyword arguments in `--options`, JSON, the same object
the TypeScript side passes to its constructor) over a single flat parameter of `--numel` elements of
`--dtype`, with the same step counts as the TypeScript side: `--warmup`
untimed steps, then `--steps` steps timed one by one, each by the process's CPU time (`cpuSecondsPerStep`,
the median) and by the wall clock (`secondsPerStep`, the median). The optimizer runs as a training loop
would: the gradient tensor stays allocated, steps run under `torch.no_grad()` (as `step()` does itself),
and `foreach` is left at its default (on CPU, torch 1.13 resolves it to the single-tensor path), and so
is the number of intra-op threads (`torch.get_num_threads()`, reported). Prints one JSON object on
stdout, with the thread counts used, and the
number of subnormal values left in parameters and state (none means denormal arithmetic did not slow
anything). When torch cannot be imported it prints {"available": false, "reason": ...} and exits 0,
so the caller can skip the comparison.
"""

import argparse
import json
import statistics
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numel", type=int, default=10_000_000)
    parser.add_argument("--steps", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--optimizer", default="SGD")
    parser.add_argument("--options", default='{"lr": 0.01, "momentum": 0.9}')
    return parser.parse_args()


def resolved_foreach(torch, optimizer):
    """What torch's default foreach=None resolves to for this optimizer, where the version says."""
    group = optimizer.param_groups[0]
    if group.get("foreach") is not None:
        return group["foreach"]
    chooser = getattr(getattr(torch.optim, "optimizer", None), "_default_to_fused_or_foreach", None)
    if chooser is None:
        return False  # torch 1.13: `if foreach is None: foreach = False`
    try:
        return bool(chooser(group["params"], differentiable=False, use_fused=False)[1])
    except TypeError:
        return None


def subnormals(torch, tensors):
    """How many values of the tensors are subnormal (nonzero, below the dtype's smallest normal)."""
    count = 0
    for tensor in tensors:
        tiny = torch.finfo(tensor.dtype).tiny
        count += int(((tensor != 0) & (tensor.abs() < tiny)).sum())
    return count


def time_optimizer(torch, name, options, dtype, numel, warmup, steps):
    """Wall and CPU seconds of each optimizer.step() on a fixed gradient, after `warmup` untimed steps."""
    generator = torch.Generator().manual_seed(0)
    param = torch.rand(numel, generator=generator, dtype=dtype).requires_grad_(True)
    param.grad = torch.rand(numel, generator=generator, dtype=dtype) * 2 - 1
    optimizer = getattr(torch.optim, name)([param], **options)
    time_optimizer.foreach = resolved_foreach(torch, optimizer)
    for _ in range(warmup):
        optimizer.step()
    wall, cpu = [], []
    for _ in range(steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        optimizer.step()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    state = [t for s in optimizer.state.values() for t in s.values() if torch.is_tensor(t) and t.numel() > 1]
    return wall, cpu, subnormals(torch, [param.detach()] + state)


def main():
    args = parse_args()
    try:
        import torch
    except Exception as error:  # no torch in this interpreter: report, do not fail
        print(json.dumps({"available": False, "reason": "cannot import torch: %s" % error}))
        return 0
    options = json.loads(args.options)
    with torch.no_grad():
        wall, cpu, tiny = time_optimizer(torch, args.optimizer, options, getattr(torch, args.dtype), args.numel, args.warmup, args.steps)
    results = [
        {
            "optimizer": args.optimizer,
            "options": options,
            "dtype": args.dtype,
            "secondsPerStep": statistics.median(wall),
            "meanSecondsPerStep": statistics.fmean(wall),
            "cpuSecondsPerStep": statistics.median(cpu),
            "stepsPerSecond": 1.0 / statistics.median(wall),
            "subnormals": tiny,
        }
    ]
    print(
        json.dumps(
            {
                "available": True,
                "version": torch.__version__,
                "threads": torch.get_num_threads(),
                "interopThreads": torch.get_num_interop_threads(),
                "foreach": getattr(time_optimizer, "foreach", None),
                "numel": args.numel,
                "warmup": args.warmup,
                "steps": args.steps,
                "results": results,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
